"""The demo page in Chromium, talking to the real assistant over its socket channel.

One browser and one set of servers (action server, Rasa, demo page) for the module; each
test gets a fresh browser context, so a fresh conversation. Screenshots of the open
widget go to results/screenshots/ for a person to look at.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser

from addons.content.loader import load_content, tel_link
from tests.servers import Servers, page_servers
from tests.web.browser import DESKTOP, PHONE, Chat, chromium

pytestmark = [pytest.mark.browser, pytest.mark.servers, pytest.mark.model]

CONTENT = load_content()
CRISIS_LINE = CONTENT.resources[0]
QUESTION = "how long does an infusion take?"
MARKUP = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    running = page_servers(tmp_path_factory.mktemp("page-servers"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def new_chat(browser: Browser, url: str, viewport: dict = DESKTOP) -> Chat:
    return Chat(browser.new_context(viewport=viewport).new_page()).open(url)


@pytest.fixture
def chat(browser: Browser, servers: Servers) -> Iterator[Chat]:
    chat = new_chat(browser, servers.web_url)
    yield chat
    chat.page.context.close()


def rest_answer(servers: Servers, text: str) -> list[str]:
    """What the assistant answers over REST, in a conversation of its own."""
    replies = servers.say(f"web-{uuid.uuid4().hex[:8]}", text)
    # The socket channel sends each paragraph as its own message.
    return [part for r in replies for part in (r.get("text") or "").split("\n\n") if part]


def test_the_demo_page_opens_with_the_widget_open(chat: Chat) -> None:
    assert chat.page.title().startswith(CONTENT.clinic["clinic_name"])
    assert chat.page.locator(".cc-panel").is_visible()
    assert chat.page.locator(".cc-title").inner_text() == CONTENT.clinic["clinic_name"]
    greeting = chat.texts()[0]
    assert CONTENT.reminder in greeting
    assert chat.problems == []


def test_a_faq_question_gets_its_answer(chat: Chat, servers: Servers) -> None:
    expected = rest_answer(servers, QUESTION)
    assert any("minutes" in part for part in expected)
    assert chat.ask(QUESTION) == expected
    assert chat.problems == []


def test_crisis_message_shows_the_crisis_lines_as_tap_links(chat: Chat) -> None:
    chat.ask("I want to kill myself")
    card = chat.page.locator(".cc-msg.cc-urgent")
    assert card.count() == 1
    first = card.locator(f"a[href='{CRISIS_LINE.link}']")
    assert first.inner_text() == CRISIS_LINE.text and "988" in first.inner_text()
    box = first.bounding_box()
    assert box and box["height"] >= 44
    # The crisis lines, then the clinic's own numbers, all tappable.
    hrefs = [a.get_attribute("href") for a in card.locator("a").all()]
    clinic = [tel_link(CONTENT.clinic[f]) for f in ("clinic_phone", "clinic_after_hours_phone")]
    assert hrefs == [r.link for r in CONTENT.resources] + clinic
    chat.screenshot("widget-crisis-desktop.png")


def test_the_conversation_survives_a_reload(chat: Chat, servers: Servers) -> None:
    chat.ask("I want to kill myself")
    chat.ask(QUESTION)
    before = chat.texts()
    chat.page.reload()
    chat.input.wait_for(state="visible")
    assert chat.texts() == before
    assert chat.page.locator(f".cc-urgent a[href='{CRISIS_LINE.link}']").count() == 1
    # The server kept the session too: after the crisis turn, answers carry the reminder.
    reply = chat.ask("what are the side effects?")
    assert CONTENT.reminder in reply


def test_a_topic_button_asks_its_question(chat: Chat, servers: Servers) -> None:
    button = chat.page.locator(".cc-suggestions button").first
    question = button.inner_text()
    expected = rest_answer(servers, question)
    before = chat.bot.count()
    button.click()
    assert chat.wait_for_reply(before) == expected
    assert chat.user.last.locator(".cc-bubble").inner_text() == question


def test_fallback_suggestions_are_buttons_that_work(chat: Chat) -> None:
    chat.ask("infusion stuff")
    buttons = chat.page.locator(".cc-suggestions button")
    assert buttons.count() >= 1, "the fallback offered no suggestion buttons"
    question = buttons.first.inner_text()
    before = chat.bot.count()
    buttons.first.click()
    assert chat.wait_for_reply(before)
    assert chat.user.last.locator(".cc-bubble").inner_text() == question
    assert chat.problems == []


def test_markup_is_shown_as_text(chat: Chat) -> None:
    chat.ask(MARKUP)
    assert chat.user.last.locator(".cc-bubble").inner_text() == MARKUP
    assert chat.page.locator("#clinic-chat img, img[src=x]").count() == 0
    assert chat.dialogs == []
    assert chat.problems == []


def test_keyboard_only(chat: Chat) -> None:
    page = chat.page
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focus = chat.deep_focus()
        if "cc-" in focus["cls"] or focus["id"].startswith("cc-"):
            reached.append(focus)
            # A focus ring a person can see: at least 2 px, not 'none'.
            assert focus["outline"] != "none" and focus["width"] >= 2, focus
        if "cc-suggestion" in focus["cls"]:
            break
    else:
        pytest.fail(f"Tab never reached a suggestion button; reached {reached}")

    before = chat.bot.count()
    page.keyboard.press("Enter")
    assert chat.wait_for_reply(before)
    assert chat.deep_focus()["id"] == "cc-input"

    page.keyboard.type(QUESTION)
    before = chat.bot.count()
    page.keyboard.press("Enter")
    assert any("minutes" in part for part in chat.wait_for_reply(before))

    page.keyboard.press("Escape")
    assert page.locator(".cc-panel").is_hidden()
    assert "cc-launcher" in chat.deep_focus()["cls"]
    assert page.locator(".cc-launcher").get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert page.locator(".cc-panel").is_visible()
    assert chat.deep_focus()["id"] == "cc-input"


def test_screen_reader_semantics(chat: Chat) -> None:
    log = chat.page.locator(".cc-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    label = chat.page.locator("label[for='cc-input']")
    assert label.inner_text() == "Your message"
    assert chat.page.locator(".cc-close").get_attribute("aria-label") == "Close chat"
    reply = chat.ask(QUESTION)
    # New messages are added inside the live log, each said to be from the assistant.
    last = log.locator(".cc-msg.cc-bot").last
    assert last.locator(".cc-sr").inner_text().strip() == "Assistant:"
    assert last.locator(".cc-bubble").inner_text().strip() == reply[-1]


def test_phone_width(browser: Browser, servers: Servers) -> None:
    chat = new_chat(browser, servers.web_url, PHONE)
    try:
        chat.ask(QUESTION)
        chat.ask("I want to kill myself")
        page = chat.page
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        for part in (".cc-panel", ".cc-input", ".cc-send", ".cc-close"):
            box = page.locator(part).bounding_box()
            assert box, part
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], part
            assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], part
        chat.screenshot("widget-phone.png")
        assert chat.problems == []
    finally:
        chat.page.context.close()


def test_desktop_screenshot(chat: Chat) -> None:
    chat.ask(QUESTION)
    path = chat.screenshot("widget-desktop.png")
    assert path.stat().st_size > 10_000


def test_a_page_on_another_origin_cannot_open_the_socket(
    browser: Browser, servers: Servers
) -> None:
    # Same page, but at 127.0.0.1 instead of localhost: an origin the server does not allow.
    chat = new_chat(browser, f"http://127.0.0.1:{servers.web_port}/")
    try:
        chat.input.fill(QUESTION)
        chat.input.press("Enter")
        chat.page.locator(".cc-urgent").wait_for(timeout=15_000)
        assert not any("minutes" in text for text in chat.texts())
        response = requests.get(
            f"{servers.url}/socket.io/?EIO=4&transport=polling",
            headers={"Origin": f"http://127.0.0.1:{servers.web_port}"},
            timeout=10,
        )
        assert response.status_code == 400
    finally:
        chat.page.context.close()
