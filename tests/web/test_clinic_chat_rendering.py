"""The widget in Chromium against a scripted socket server: what it does with any content.

The real assistant is covered in test_clinic_chat.py; here the server sends what the
assistant never would (markup, unsafe links, unknown fields), and the widget must still
show text as text.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from addons.content.loader import load_content
from scripts.serving.serve_demo import make_server
from tests.servers import free_port
from tests.web.browser import CONTRAST, DESKTOP, Chat, chromium
from tests.web.fake_bot import FakeBot

pytestmark = pytest.mark.browser

CONTENT = load_content()
MARKUP = "<img src=x onerror=alert(1)><script>alert(2)</script><b>bold</b>"


class Site:
    """The demo page server in a thread, pointing the widget at `bot_url`."""

    def __init__(self, bot_url: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.server = make_server(self.port, bot_url)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def site_and_bot() -> Iterator[tuple[Site, FakeBot]]:
    page_port = free_port()
    # Like the real channel, the bot accepts the page's origin only.
    bot = FakeBot(f"http://localhost:{page_port}").start()
    site = Site(bot.url, page_port)
    yield site, bot
    site.stop()
    bot.stop()


@pytest.fixture
def bot(site_and_bot: tuple[Site, FakeBot]) -> FakeBot:
    fake = site_and_bot[1]
    fake.replies.clear()
    fake.delay = 0.0
    return fake


@pytest.fixture
def chat(browser: Browser, site_and_bot: tuple[Site, FakeBot]) -> Iterator[Chat]:
    context = browser.new_context(viewport=DESKTOP)
    chat = Chat(context.new_page()).open(site_and_bot[0].url)
    yield chat
    context.close()


def bubble_html_elements(chat: Chat) -> list[str]:
    """Tags of every element inside the message bubbles."""
    return chat.page.locator(".cc-bubble *").evaluate_all("els => els.map(e => e.tagName)")


def test_markup_from_the_bot_is_shown_as_text(bot: FakeBot, chat: Chat) -> None:
    bot.replies["hi"] = [{"text": MARKUP}]
    assert chat.ask("hi") == [MARKUP]
    assert set(bubble_html_elements(chat)) <= {"P"}
    assert chat.dialogs == [] and chat.problems == []


def test_markup_from_the_user_is_shown_as_text(bot: FakeBot, chat: Chat) -> None:
    bot.replies[MARKUP] = [{"text": "ok"}]
    chat.ask(MARKUP)
    assert chat.user.last.locator(".cc-bubble").inner_text() == MARKUP
    assert bot.received[-1]["message"] == MARKUP
    assert set(bubble_html_elements(chat)) <= {"P"}
    assert chat.dialogs == [] and chat.problems == []


def test_only_markdown_links_to_safe_targets_become_links(bot: FakeBot, chat: Chat) -> None:
    safe = {
        "[Call 988](tel:988)": "tel:988",
        "[Text HOME](sms:741741?&body=HOME)": "sms:741741?&body=HOME",
        "[Email us](mailto:care@example.org)": "mailto:care@example.org",
        "[Book online](https://example.org/book)": "https://example.org/book",
    }
    unsafe = [
        "[bad](javascript:alert(1))",
        "[js](javascript:alert`1`)",
        "[plain http](http://example.org)",
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        "[relative](/admin)",
        '<a href="https://example.org">raw html</a>',
        "[unclosed](tel:988",
        "https://example.org/bare",
    ]
    bot.replies["links"] = [{"text": "\n".join([*safe, *unsafe])}]
    [shown] = chat.ask("links")
    links = chat.page.locator(".cc-bubble a")
    hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs == list(safe.values())
    assert links.all_inner_texts() == ["Call 988", "Text HOME", "Email us", "Book online"]
    for line in unsafe:
        assert line in shown
    web = chat.page.locator(".cc-bubble a[href^='https:']")
    assert web.get_attribute("target") == "_blank"
    assert web.get_attribute("rel") == "noopener noreferrer"


def test_user_text_never_becomes_a_link(bot: FakeBot, chat: Chat) -> None:
    bot.replies["[call](tel:988)"] = [{"text": "ok"}]
    chat.ask("[call](tel:988)")
    assert chat.user.last.locator("a").count() == 0


def test_an_urgent_reply_is_a_card_of_large_links(bot: FakeBot, chat: Chat) -> None:
    lines = CONTENT.template_values(with_links=True)["crisis_resources"]
    bot.replies["help"] = [{"text": f"Please reach out now:\n{lines}", "urgent": "crisis"}]
    chat.ask("help")
    card = chat.page.locator(".cc-msg.cc-urgent")
    assert card.count() == 1
    assert "Help is available now" in card.inner_text()
    links = card.locator("a")
    assert links.evaluate_all("as => as.map(a => a.getAttribute('href'))") == [
        r.link for r in CONTENT.resources
    ]
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 200


def test_an_emergency_reply_is_labelled(bot: FakeBot, chat: Chat) -> None:
    bot.replies["chest pain"] = [{"text": "Call 911 now.", "urgent": "emergency"}]
    chat.ask("chest pain")
    assert "Medical emergency" in chat.page.locator(".cc-msg.cc-urgent").inner_text()


def test_only_known_urgent_kinds_make_a_card(bot: FakeBot, chat: Chat) -> None:
    bot.replies["x"] = [{"text": "plain", "urgent": "<b>anything</b>"}]
    chat.ask("x")
    assert chat.page.locator(".cc-urgent").count() == 0


def test_unknown_fields_do_not_hide_a_reply(bot: FakeBot, chat: Chat) -> None:
    bot.replies["x"] = [{"text": "still shown", "recipient_id": "r", "custom": {"a": 1}}]
    assert chat.ask("x") == ["still shown"]


def test_suggestions_are_buttons_that_send_their_payload(bot: FakeBot, chat: Chat) -> None:
    bot.replies["unsure"] = [
        {"text": "Did you mean:"},
        {
            "text": "",
            "quick_replies": [
                {"content_type": "text", "title": "<b>How long?</b>", "payload": "How long is it?"},
                {"content_type": "text", "title": "Side effects", "payload": "Side effects?"},
            ],
        },
    ]
    bot.replies["How long is it?"] = [{"text": "About an hour."}]
    chat.ask("unsure")
    buttons = chat.page.locator(".cc-suggestions button")
    assert buttons.all_inner_texts() == ["<b>How long?</b>", "Side effects"]
    before = chat.bot.count()
    buttons.first.click()
    assert chat.wait_for_reply(before) == ["About an hour."]
    assert bot.received[-1]["message"] == "How long is it?"
    assert chat.user.last.locator(".cc-bubble").inner_text() == "<b>How long?</b>"
    # Answered suggestions are gone, so an old one cannot be pressed by mistake.
    assert chat.page.locator(".cc-suggestions").count() == 0


def test_typing_indicator_shows_until_the_reply(bot: FakeBot, chat: Chat) -> None:
    bot.delay = 1.5
    bot.replies["slow"] = [{"text": "done"}]
    assert chat.typing.is_hidden()
    chat.input.fill("slow")
    chat.input.press("Enter")
    chat.typing.wait_for(state="visible", timeout=1000)
    assert "typing" in chat.typing.inner_text()
    chat.wait_for_reply(1)
    assert chat.typing.is_hidden()


def test_text_meets_wcag_aa_contrast(bot: FakeBot, chat: Chat) -> None:
    lines = CONTENT.template_values(with_links=True)["crisis_resources"]
    bot.replies["all"] = [
        {"text": "Plain answer with a [link](https://example.org)."},
        {"text": f"Reach out:\n{lines}", "urgent": "crisis"},
        {"text": "", "quick_replies": [{"title": "A suggestion", "payload": "s"}]},
    ]
    chat.ask("all")
    result = chat.page.evaluate(CONTRAST)
    assert result["checked"] >= 10
    assert result["failures"] == []


def test_offline_notice_when_the_assistant_cannot_be_reached(browser: Browser) -> None:
    nobody = Site(f"http://localhost:{free_port()}")
    context = browser.new_context(viewport=DESKTOP)
    try:
        chat = Chat(context.new_page()).open(nobody.url)
        chat.page.locator(".cc-status").filter(has_text="reach").wait_for(timeout=10_000)
        chat.input.fill("is anyone there?")
        chat.input.press("Enter")
        card = chat.page.locator(".cc-msg.cc-urgent")
        card.wait_for(timeout=15_000)
        first = CONTENT.resources[0]
        assert card.locator("a").first.get_attribute("href") == first.link
        assert first.text in card.inner_text()
    finally:
        context.close()
        nobody.stop()
