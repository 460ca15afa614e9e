"""Serves the demo clinic page and the chat widget (web/) with strict security headers.

    .venv/bin/python -m scripts.serving.serve_demo --port 8080 --bot-url http://localhost:5005

The page is filled from content/ (clinic details, and the crisis lines the widget shows
if the assistant cannot be reached). The assistant is on another origin than the page,
as it would be on a clinic's own website, so that origin is allowed in connect-src.
Standard library only: a demo needs no web framework.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import string
import urllib.parse
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from addons.content.loader import load_content

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
PAGE = WEB_ROOT / "demo" / "index.html"
# The widget's files and the demo's stylesheet and icon; nothing else under web/ is served.
STATIC_SUFFIXES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
ACCENT = "#0b5f5a"
TOPICS = [
    "What happens during an infusion?",
    "What are the side effects?",
    "How do I book a consultation?",
]


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not an http(s) URL")
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(bot_url: str) -> dict[str, str]:
    bot = origin(bot_url)
    socket = "ws" + bot[len("http") :]
    policy = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        f"connect-src {bot} {socket}",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        # Any string-to-HTML or string-to-script assignment throws: the widget only
        # builds DOM nodes, and loads socket.io through its own Trusted Types policy.
        "require-trusted-types-for 'script'",
        "trusted-types clinic-chat",
    ]
    return {
        "Content-Security-Policy": "; ".join(policy),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cache-Control": "no-cache",
    }


def _json(value: Any) -> str:
    # Safe inside <script type="application/json">: no "</script>" can close it early.
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(bot_url: str) -> bytes:
    content = load_content()
    clinic = content.clinic
    first = content.resources[0]
    offline = (
        "If you need help now:\n" + content.template_values(with_links=True)["crisis_resources"]
    )
    values = {key: html.escape(value) for key, value in clinic.items()}
    values.update(
        clinic_phone_link=html.escape("tel:" + re.sub(r"[^\d+]", "", clinic["clinic_phone"])),
        crisis_reminder=html.escape(content.reminder),
        crisis_link=html.escape(first.link),
        config_server=_json(bot_url),
        config_title=_json(clinic["clinic_name"]),
        config_greeting=_json(
            f"Hello! I can answer general questions about ketamine infusion therapy at "
            f"{clinic['clinic_name']}. {content.reminder}"
        ),
        config_topics=_json(TOPICS),
        config_offline=_json(offline),
        config_accent=_json(ACCENT),
    )
    return string.Template(PAGE.read_text(encoding="utf-8")).substitute(values).encode()


class DemoHandler(SimpleHTTPRequestHandler):
    bot_url = ""

    def end_headers(self) -> None:
        for name, value in security_headers(self.bot_url).items():
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _respond(self, with_body: bool) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path in ("/", "/index.html"):
            body, kind = render_page(self.bot_url), "text/html; charset=utf-8"
        else:
            file = (WEB_ROOT / urllib.parse.unquote(path).lstrip("/")).resolve()
            kind = STATIC_SUFFIXES.get(file.suffix, "")
            if not kind or not file.is_relative_to(WEB_ROOT) or not file.is_file():
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            body = file.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)


def make_server(port: int, bot_url: str, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    origin(bot_url)
    handler = type("Handler", (DemoHandler,), {"bot_url": bot_url})
    return ThreadingHTTPServer((host, port), partial(handler, directory=str(WEB_ROOT)))


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the demo clinic page and the widget.")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--bot-url",
        default="http://localhost:5005",
        help="where the assistant's socket.io channel is",
    )
    args = parser.parse_args()
    server = make_server(args.port, args.bot_url, args.host)
    print(
        f"Demo page served on http://{args.host}:{args.port}  (assistant: {args.bot_url})",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
