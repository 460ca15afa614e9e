"""Headless Debian Chromium under Playwright, and a driver for the chat widget on a page.

Playwright's own browser download cannot work here: scripts/install_browser.sh installs
Debian's chromium, and Playwright starts it with the flags below.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from tests.servers import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "results" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}

# The element with focus, looking into shadow roots (the widget lives in one).
DEEP_FOCUS = """() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  return a;
}"""


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_browser.sh (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Chat:
    """The widget on an open page. Playwright's CSS locators pierce its open shadow root."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.problems: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))

    def open(self, url: str) -> Chat:
        self.page.goto(url)
        self.input.wait_for(state="visible", timeout=15_000)
        return self

    @property
    def input(self) -> Locator:
        return self.page.locator("#cc-input")

    @property
    def bot(self) -> Locator:
        return self.page.locator(".cc-msg.cc-bot")

    @property
    def user(self) -> Locator:
        return self.page.locator(".cc-msg.cc-user")

    @property
    def typing(self) -> Locator:
        return self.page.locator(".cc-typing")

    def texts(self) -> list[str]:
        return [t.strip() for t in self.page.locator(".cc-msg .cc-bubble").all_inner_texts()]

    def ask(self, text: str, timeout: float = 30) -> list[str]:
        """Types a message, sends it with Enter, returns the texts of the reply."""
        before = self.bot.count()
        self.input.fill(text)
        self.input.press("Enter")
        return self.wait_for_reply(before, timeout)

    def wait_for_reply(self, before: int, timeout: float = 30) -> list[str]:
        """Bot messages after the first `before`, once no more arrive for half a second."""
        deadline = time.monotonic() + timeout
        count, settled = before, time.monotonic()
        while time.monotonic() < deadline:
            now = self.bot.count()
            if now != count:
                count, settled = now, time.monotonic()
            elif count > before and time.monotonic() - settled > 0.5:
                bubbles = self.bot.locator(".cc-bubble")
                return [bubbles.nth(i).inner_text().strip() for i in range(before, count)]
            time.sleep(0.05)
        raise AssertionError(f"no reply within {timeout} s; the chat shows: {self.texts()}")

    def deep_focus(self) -> dict:
        """Class, tag and focus-ring style of the element with keyboard focus."""
        return self.page.evaluate(
            f"""() => {{
              const a = ({DEEP_FOCUS})();
              const style = getComputedStyle(a);
              return {{tag: a.tagName, id: a.id, cls: a.className || "",
                       text: (a.textContent || "").trim().slice(0, 80),
                       outline: style.outlineStyle, width: parseFloat(style.outlineWidth)}};
            }}"""
        )

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path))
        return path


# WCAG contrast of every piece of text in the widget against its effective background.
CONTRAST = """() => {
  const root = document.querySelector('#clinic-chat').shadowRoot;
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement || (e.getRootNode() && e.getRootNode().host)) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  let checked = 0;
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.checkVisibility() || el.closest('.cc-sr')) continue;
    const style = getComputedStyle(el);
    const l1 = lum(rgb(style.color)), l2 = lum(background(el));
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    checked += 1;
    if (ratio < needed) failures.push(`${el.className || el.tagName}: ${ratio.toFixed(2)}`);
  }
  return {checked, failures};
}"""
