/*
 * Clinic chat widget: a chat window for the clinic's Rasa assistant, over its socket.io
 * channel. Embed with one script tag and a JSON configuration block (README, "Web chat
 * widget"):
 *
 *   <script src="/clinic-chat.js" defer></script>
 *   <script type="application/json" id="clinic-chat-config">
 *     {"server": "https://assistant.example.org", "title": "Ask us", "greeting": "Hello!"}
 *   </script>
 *
 * Safety rules kept here: bot and user text only ever reach the page through textContent
 * (never innerHTML), and only well-formed Markdown links to tel:, sms:, mailto: and
 * https: become links. Replies the server marks urgent (crisis, emergency) are shown as
 * a card with each resource a large link. If the assistant cannot be reached, the
 * configured offline notice (crisis lines) is shown instead of silence.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = new URL(".", script.src);
  var STORE_LIMIT = 200;
  var MAX_CHARS = 4000;
  // No reply by then: the assistant is down or unreachable, so say so with the crisis lines.
  var REPLY_TIMEOUT_MS = 20000;
  var OFFLINE_TIMEOUT_MS = 6000;
  var LINK = /\[([^\[\]\n]{1,500})\]\(([^()\s]{1,2000})\)/g;
  var LINK_PROTOCOLS = ["tel:", "sms:", "mailto:", "https:"];

  function readConfig() {
    var block = document.getElementById(script.dataset.config || "clinic-chat-config");
    var config = {};
    try {
      config = JSON.parse(block ? block.textContent : "{}");
    } catch (e) {
      console.error("clinic-chat: the configuration is not valid JSON", e);
    }
    if (!config.server) {
      console.error("clinic-chat: the configuration needs a \"server\" URL");
      return null;
    }
    return {
      server: String(config.server),
      socketPath: String(config.socketPath || "/socket.io"),
      title: String(config.title || "Chat with us"),
      subtitle: String(config.subtitle || ""),
      greeting: String(config.greeting || ""),
      topics: Array.isArray(config.topics) ? config.topics.map(String) : [],
      offlineNotice: String(config.offlineNotice || ""),
      accent: String(config.accent || "#0b5f5a"),
      open: config.open === true,
      launcherLabel: String(config.launcherLabel || "Chat with us"),
    };
  }

  // --- Colours: text on the accent is black or white, whichever contrasts more (AA). ---

  function luminance(hex) {
    var match = /^#?([0-9a-f]{6})$/i.exec(hex);
    if (!match) return null;
    var channels = [0, 2, 4].map(function (i) {
      var c = parseInt(match[1].slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function textOn(hex) {
    var l = luminance(hex);
    return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#111111" : "#ffffff";
  }

  // --- DOM helpers: text goes in as text nodes only. ---

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function srOnly(text) {
    return el("span", "cc-sr", text);
  }

  function safeHref(raw) {
    var url;
    try {
      url = new URL(raw);
    } catch (e) {
      return null;
    }
    return LINK_PROTOCOLS.indexOf(url.protocol) >= 0 ? url.href : null;
  }

  function appendInline(parent, line) {
    var last = 0;
    line.replace(LINK, function (whole, label, target, offset) {
      var href = safeHref(target);
      if (!href) return whole;
      parent.append(line.slice(last, offset));
      var link = el("a", "", label);
      link.href = href;
      if (href.indexOf("https:") === 0) {
        link.target = "_blank";
        link.rel = "noopener noreferrer";
      }
      parent.append(link);
      last = offset + whole.length;
      return whole;
    });
    parent.append(line.slice(last));
  }

  // Lines starting with "- " become a list (the crisis lines); other lines paragraphs.
  function appendText(parent, text) {
    var list = null;
    text.split("\n").forEach(function (line) {
      var item = /^\s*[-*]\s+(.*)$/.exec(line);
      if (item) {
        if (!list) list = parent.appendChild(el("ul"));
        appendInline(list.appendChild(el("li")), item[1]);
        return;
      }
      list = null;
      if (line.trim()) appendInline(parent.appendChild(el("p")), line);
    });
  }

  function svgIcon(pathData) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", pathData);
    svg.appendChild(path);
    return svg;
  }

  // --- Conversation kept for this tab: survives a reload, gone when the tab closes. ---

  function Store(key) {
    this.key = key;
    this.state = { sessionId: null, messages: [], open: null };
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(key) || "null");
      if (saved && Array.isArray(saved.messages)) this.state = saved;
    } catch (e) {
      // Storage blocked or corrupt: start a new conversation.
    }
  }

  Store.prototype.save = function () {
    this.state.messages = this.state.messages.slice(-STORE_LIMIT);
    try {
      window.sessionStorage.setItem(this.key, JSON.stringify(this.state));
    } catch (e) {
      // Private mode or full: the conversation still works, it just won't survive a reload.
    }
  };

  function ChatWidget(config) {
    this.config = config;
    this.store = new Store("clinic-chat:" + config.server);
    this.ready = false;
    this.outbox = [];
    this.replyTimer = null;
    this.socket = null;
    // The first message of the reply being received: kept in view, however long the reply.
    this.replyStart = null;
    this.build();
    this.restore();
  }

  ChatWidget.prototype.build = function () {
    var self = this;
    var config = this.config;
    var host = el("div");
    host.id = "clinic-chat";
    // Hidden until its stylesheet is in, so the page never shows it unstyled.
    host.style.display = "none";
    host.style.setProperty("--cc-accent", config.accent);
    host.style.setProperty("--cc-on-accent", textOn(config.accent));
    var root = host.attachShadow({ mode: "open" });
    var css = el("link");
    css.rel = "stylesheet";
    css.href = new URL("clinic-chat.css", base).href;
    css.addEventListener("load", function () {
      host.style.display = "";
    });
    root.appendChild(css);

    var panel = root.appendChild(el("section", "cc-panel"));
    panel.id = "cc-panel";
    panel.setAttribute("aria-labelledby", "cc-title");
    panel.hidden = true;

    var header = panel.appendChild(el("header", "cc-header"));
    var heading = header.appendChild(el("div", "cc-heading"));
    heading.appendChild(el("h2", "cc-title", config.title)).id = "cc-title";
    if (config.subtitle) heading.appendChild(el("p", "cc-subtitle", config.subtitle));
    var close = header.appendChild(el("button", "cc-close"));
    close.type = "button";
    close.setAttribute("aria-label", "Close chat");
    close.appendChild(svgIcon("M6 6l12 12M18 6L6 18"));
    close.addEventListener("click", function () {
      self.setOpen(false, true);
    });

    this.log = panel.appendChild(el("ol", "cc-log"));
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-live", "polite");
    this.log.setAttribute("aria-label", "Conversation");
    // Focusable, so keyboard users can scroll back through the conversation.
    this.log.tabIndex = 0;

    this.typing = panel.appendChild(el("div", "cc-typing"));
    this.typing.hidden = true;
    var dots = this.typing.appendChild(el("span", "cc-dots"));
    dots.setAttribute("aria-hidden", "true");
    for (var i = 0; i < 3; i++) dots.appendChild(el("span"));
    this.typing.appendChild(srOnly("The assistant is typing"));

    this.status = panel.appendChild(el("p", "cc-status"));
    this.status.setAttribute("role", "status");

    var form = panel.appendChild(el("form", "cc-form"));
    var label = form.appendChild(el("label", "cc-sr", "Your message"));
    label.htmlFor = "cc-input";
    this.input = form.appendChild(el("textarea", "cc-input"));
    this.input.id = "cc-input";
    this.input.rows = 1;
    this.input.maxLength = MAX_CHARS;
    this.input.placeholder = "Type your question";
    this.input.autocomplete = "off";
    var send = form.appendChild(el("button", "cc-send", "Send"));
    send.type = "submit";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.sendFromInput();
    });
    this.input.addEventListener("keydown", function (event) {
      // Enter sends; Shift+Enter starts a new line.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.sendFromInput();
      }
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") self.setOpen(false, true);
    });

    this.launcher = root.appendChild(el("button", "cc-launcher"));
    this.launcher.type = "button";
    this.launcher.setAttribute("aria-controls", "cc-panel");
    this.launcher.appendChild(svgIcon("M4 5h16v11H8l-4 4z"));
    this.launcher.appendChild(el("span", "cc-launcher-label", config.launcherLabel));
    this.launcher.addEventListener("click", function () {
      self.setOpen(self.panel.hidden, true);
    });

    this.panel = panel;
    document.body.appendChild(host);
  };

  ChatWidget.prototype.setOpen = function (open, byUser) {
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", String(open));
    this.launcher.classList.toggle("cc-is-open", open);
    this.store.state.open = open;
    this.store.save();
    if (!byUser) return;
    if (open) {
      this.input.focus();
      this.scrollDown();
    } else {
      this.launcher.focus();
    }
  };

  ChatWidget.prototype.restore = function () {
    var state = this.store.state;
    if (!state.messages.length && this.config.greeting) {
      var topics = this.config.topics.map(function (t) {
        return { title: t, payload: t };
      });
      state.messages.push({ from: "bot", text: this.config.greeting, buttons: topics });
      this.store.save();
    }
    var lastIndex = state.messages.length - 1;
    var self = this;
    state.messages.forEach(function (message, index) {
      self.render(message, index === lastIndex);
    });
    this.setOpen(state.open === null ? this.config.open : state.open, false);
    this.scrollDown();
  };

  ChatWidget.prototype.scrollDown = function () {
    var bottom = this.log.scrollHeight - this.log.clientHeight;
    var start = this.replyStart ? this.replyStart.offsetTop - 8 : bottom;
    this.log.scrollTop = Math.min(bottom, start);
  };

  ChatWidget.prototype.render = function (message, withButtons) {
    var self = this;
    var from = message.from === "user" ? "user" : "bot";
    var item = el("li", "cc-msg cc-" + from);
    item.appendChild(srOnly(from === "user" ? "You said: " : "Assistant: "));
    var bubble = item.appendChild(el("div", "cc-bubble"));
    if (message.urgent) {
      item.classList.add("cc-urgent");
      var label = message.urgent === "emergency" ? "Medical emergency" : "Help is available now";
      bubble.appendChild(el("p", "cc-urgent-label", label));
    }
    var text = String(message.text || "");
    if (from === "user") {
      // What people type is never interpreted, not even as a link.
      bubble.appendChild(el("p", "", text));
    } else {
      appendText(bubble, text);
    }
    if (!text) bubble.hidden = true;

    var buttons = Array.isArray(message.buttons) ? message.buttons : [];
    if (withButtons && buttons.length) {
      var group = item.appendChild(el("div", "cc-suggestions"));
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Suggested questions");
      buttons.forEach(function (b) {
        var button = group.appendChild(el("button", "cc-suggestion", String(b.title)));
        button.type = "button";
        button.addEventListener("click", function () {
          self.send(String(b.payload || b.title), String(b.title));
          self.input.focus();
        });
      });
    }
    this.log.appendChild(item);
    if (from === "bot" && !this.replyStart) this.replyStart = item;
    this.scrollDown();
  };

  ChatWidget.prototype.add = function (message) {
    // Suggestions belong to the latest message only; older ones are stale.
    var stale = this.log.querySelectorAll(".cc-suggestions");
    for (var i = 0; i < stale.length; i++) stale[i].remove();
    this.store.state.messages.push(message);
    this.store.save();
    this.render(message, true);
  };

  ChatWidget.prototype.sendFromInput = function () {
    var text = this.input.value;
    if (!text.trim()) {
      this.input.focus();
      return;
    }
    this.input.value = "";
    this.send(text, text);
  };

  ChatWidget.prototype.send = function (payload, shown) {
    this.replyStart = null;
    this.add({ from: "user", text: shown });
    this.outbox.push(payload);
    this.flush();
    this.typing.hidden = false;
    var connected = this.socket && this.socket.connected;
    this.waitForReply(connected ? REPLY_TIMEOUT_MS : OFFLINE_TIMEOUT_MS);
  };

  ChatWidget.prototype.flush = function () {
    while (this.ready && this.outbox.length) {
      this.socket.emit("user_uttered", {
        message: this.outbox.shift(),
        session_id: this.store.state.sessionId,
      });
    }
  };

  ChatWidget.prototype.waitForReply = function (ms) {
    var self = this;
    clearTimeout(this.replyTimer);
    this.replyTimer = setTimeout(function () {
      self.typing.hidden = true;
      self.add({
        from: "bot",
        text: "Sorry, the assistant is not answering right now. Please try again later.",
      });
      var notice = self.config.offlineNotice;
      var messages = self.store.state.messages;
      var shown = messages.slice(-3).some(function (m) {
        return m.text === notice;
      });
      if (notice && !shown) self.add({ from: "bot", text: notice, urgent: "crisis" });
    }, ms);
  };

  ChatWidget.prototype.receive = function (data) {
    if (!data || typeof data !== "object") return;
    clearTimeout(this.replyTimer);
    this.typing.hidden = true;
    var buttons = (data.quick_replies || data.buttons || []).filter(function (b) {
      return b && b.title;
    });
    var urgent = data.urgent === "crisis" || data.urgent === "emergency" ? data.urgent : null;
    if (!data.text && !buttons.length) return;
    this.add({ from: "bot", text: String(data.text || ""), urgent: urgent, buttons: buttons });
  };

  ChatWidget.prototype.connect = function (io) {
    var self = this;
    var socket = io(this.config.server, {
      path: this.config.socketPath,
      // WebSocket first: no CORS preflight; long polling if a proxy blocks WebSockets.
      transports: ["websocket", "polling"],
      reconnectionDelayMax: 10000,
    });
    this.socket = socket;
    socket.on("connect", function () {
      self.status.textContent = "";
      socket.emit("session_request", { session_id: self.store.state.sessionId });
    });
    socket.on("session_confirm", function (confirmed) {
      var id = confirmed && typeof confirmed === "object" ? confirmed.session_id : confirmed;
      if (typeof id !== "string") return;
      self.store.state.sessionId = id;
      self.store.save();
      self.ready = true;
      self.flush();
    });
    socket.on("bot_uttered", function (data) {
      self.receive(data);
    });
    socket.on("disconnect", function () {
      self.ready = false;
      self.status.textContent = "Connection lost. Reconnecting…";
    });
    socket.on("connect_error", function () {
      self.ready = false;
      self.status.textContent = "Can't reach the assistant. Trying again…";
    });
  };

  // Pages may require Trusted Types (the demo's CSP does): the one script this widget
  // ever loads is its socket.io build, so its policy allows exactly that URL.
  function trustedScriptUrl(url) {
    if (!window.trustedTypes) return url;
    var policy = window.trustedTypes.createPolicy("clinic-chat", {
      createScriptURL: function (value) {
        if (value !== url) throw new TypeError("clinic-chat: unexpected script " + value);
        return value;
      },
    });
    return policy.createScriptURL(url);
  }

  function start() {
    var config = readConfig();
    if (!config) return;
    // The window first: if the socket cannot load, a message still gets the offline notice.
    var widget = new ChatWidget(config);
    // Our own socket.io-client build, next to this file: its protocol matches the server's.
    var loader = document.createElement("script");
    loader.src = trustedScriptUrl(new URL("vendor/socket.io.min.js", base).href);
    loader.addEventListener("load", function () {
      widget.connect(window.io);
    });
    loader.addEventListener("error", function () {
      widget.status.textContent = "Can't reach the assistant.";
    });
    document.head.appendChild(loader);
  }

  start();
})();
