"""End to end: the real Rasa and action servers, over the REST webhook."""

from __future__ import annotations

import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from addons.content.loader import load_content
from tests.servers import Servers, texts

pytestmark = [pytest.mark.servers, pytest.mark.model]

CONTENT = load_content()
PHONE = CONTENT.clinic["clinic_phone"]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory):
    running = Servers(workdir=tmp_path_factory.mktemp("servers")).start()
    yield running
    running.stop()


def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def post_raw(servers: Servers, body: bytes, content_type: str = "application/json"):
    return servers.post(body, headers={"Content-Type": content_type}, timeout=60)


def test_faq_question_gets_its_answer(servers: Servers) -> None:
    reply = texts(servers.say(sender(), "how long does an infusion take?"))
    assert "40 to 60 minutes" in reply


def test_fallback_asks_to_rephrase(servers: Servers) -> None:
    replies = servers.say(sender(), "blorp fizzwick qua")
    assert "say it another way" in texts(replies)


def test_fallback_offers_the_closest_topics_as_buttons(servers: Servers) -> None:
    replies = servers.say(sender(), "infusion stuff")
    assert "say it another way" in texts(replies)
    buttons = [b for r in replies for b in r.get("buttons") or []]
    assert 0 < len(buttons) <= 3
    # A button asks its topic's question, as if typed.
    assert all(b["title"] and b["payload"] == b["title"] for b in buttons)


def test_crisis_reply_with_the_action_server_stopped(servers: Servers) -> None:
    servers.stop_actions()
    try:
        user = sender()
        reply = texts(servers.say(user, "I don't want to be alive anymore"))
        assert "988" in reply and "911" in reply and "741741" in reply
        assert PHONE in reply
        # Later answers keep a reminder; a request for a person gets the contact at once.
        handoff = texts(servers.say(user, "can I talk to a real person"))
        assert PHONE in handoff and CONTENT.reminder in handoff
    finally:
        servers.start_actions()


def test_emergency_reply(servers: Servers) -> None:
    reply = texts(servers.say(sender(), "my chest hurts really bad after the infusion"))
    assert "Call 911 now" in reply
    assert CONTENT.clinic["clinic_after_hours_phone"] in reply


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "x" * 100_000,
        "how long " * 11_000,
        "\x00\x01\x02\x1b[31m",
        "<script>alert(1)</script><img src=x onerror=alert(1)>",
        "😀" * 500,
    ],
    ids=["empty", "blank", "100kb", "100kb-words", "control", "html", "emoji"],
)
def test_bad_input_is_answered_without_a_crash(servers: Servers, message: str) -> None:
    response = servers.post(json={"sender": sender(), "message": message}, timeout=120)
    assert response.status_code == 200
    assert isinstance(response.json(), list)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe\x00binary",
        b'{"sender": "x"}',
        b'{"sender": "x", "message": ["a", "b"]}',
        b'{"message": "no sender"}',
        b"[]",
        ('{"sender": "x", "message": "%s"}' % ("x" * 200_000)).encode(),
    ],
    ids=[
        "invalid-json",
        "binary",
        "no-message",
        "list-message",
        "no-sender",
        "not-an-object",
        "over-limit",
    ],
)
def test_malformed_requests_get_a_client_error(servers: Servers, body: bytes) -> None:
    response = post_raw(servers, body)
    assert 400 <= response.status_code < 500


def test_conversation_state_survives_bad_input(servers: Servers) -> None:
    user = sender()
    servers.say(user, "I want to kill myself")
    post_raw(servers, b"{not json")
    servers.say(user, "\x00" * 10)
    # The crisis turn is still remembered: the next answer keeps the reminder.
    reply = texts(servers.say(user, "how long does an infusion take?"))
    assert CONTENT.reminder in reply


def test_a_conversation_longer_than_the_window_keeps_its_state_and_answers(
    servers: Servers,
) -> None:
    user = sender()
    servers.say(user, "I want to kill myself")
    # About five events a turn: well past the tracker store's window of recent events.
    for turn in range(25):
        servers.say(user, "hello" if turn % 2 else "what are the side effects")
    reply = texts(servers.say(user, "how long does an infusion take?"))
    assert "40 to 60 minutes" in reply
    assert CONTENT.reminder in reply
    tracker = servers.api("GET", f"/conversations/{servers.conversation(user)}/tracker").json()
    # The API still gives the whole conversation.
    assert sum(e["event"] == "user" for e in tracker["events"]) == 27


def test_conversations_survive_a_restart(servers: Servers) -> None:
    user = sender()
    servers.say(user, "I want to kill myself")
    servers.stop_rasa()
    servers.start_rasa()
    reply = texts(servers.say(user, "how long does an infusion take?"))
    assert CONTENT.reminder in reply


def test_user_text_is_not_logged(servers: Servers) -> None:
    secret = f"my-private-words-{uuid.uuid4().hex}"
    servers.say(sender(), f"I want to kill myself {secret}")
    assert secret not in Path(servers.log_path).read_text(errors="replace")


def test_a_failing_custom_action_does_not_log_the_conversation(
    servers: Servers, tmp_path: Path
) -> None:
    # rasa-sdk answers a failed action with the whole tracker, which Rasa would log.
    servers.stop_actions()
    servers.env = {**servers.env, "CLINIC_CONTENT_DIR": str(tmp_path)}
    try:
        servers.start_actions()
        user, secret = sender(), f"my-private-words-{uuid.uuid4().hex}"
        servers.say(user, f"I feel awful today {secret}")
        servers.say(user, "blorp fizzwick qua")
        log = Path(servers.log_path).read_text(errors="replace")
        assert "Encountered an exception while running action 'action_suggest_topics'" in log
        assert secret not in log
    finally:
        servers.stop_actions()
        servers.env = {k: v for k, v in servers.env.items() if k != "CLINIC_CONTENT_DIR"}
        servers.start_actions()


def test_conversation_api_needs_the_token_in_a_header(servers: Servers) -> None:
    url = f"{servers.url}/conversations/anyone/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer wrong"}
    assert requests.get(url, headers=wrong, timeout=10).status_code == 401
    # A token in the URL lands in access logs: refused even when it is the right one.
    assert requests.get(url, params={"token": servers.token}, timeout=10).status_code == 401
    assert servers.api("GET", "/conversations/anyone/tracker").status_code == 200
    custom = {"Authorization": "", "X-Api-Token": servers.token}
    assert servers.api("GET", "/conversations/anyone/tracker", headers=custom).status_code == 200


def test_cors_allows_only_the_configured_origin(servers: Servers) -> None:
    url = f"{servers.url}/webhooks/rest/webhook"
    allowed = requests.options(
        url,
        headers={"Origin": "http://localhost:8080", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    other = requests.options(
        url,
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert allowed.headers.get("Access-Control-Allow-Origin") == "http://localhost:8080"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_a_frozen_action_server_neither_holds_the_turn_nor_delays_a_crisis(
    servers: Servers,
) -> None:
    # Finding 3: with the action server stopped (SIGSTOP), a fallback turn waited over
    # 110 s and the same person's crisis message 59 s behind it.
    assert servers.actions is not None
    os.killpg(servers.actions.pid, signal.SIGSTOP)
    try:
        user = sender()
        with ThreadPoolExecutor(1) as pool:
            started = time.monotonic()
            fallback = pool.submit(servers.post, json={"sender": user, "message": "blorp fizz"})
            time.sleep(0.5)
            crisis = texts(servers.say(user, "I want to kill myself"))
            crisis_after = time.monotonic() - started
            fallback_status = fallback.result(timeout=60).status_code
            fallback_after = time.monotonic() - started
    finally:
        os.killpg(servers.actions.pid, signal.SIGCONT)
    assert "988" in crisis and crisis_after < 5
    # The custom action times out after 5 s; Rasa carries on with the turn.
    assert fallback_status == 200 and fallback_after < 15


def test_intent_syntax_is_not_logged_or_obeyed(servers: Servers) -> None:
    secret = f"private-{uuid.uuid4().hex}"
    user = sender()
    reply = texts(servers.say(user, f'/greet{{"note": "i want to kill myself {secret}"}}'))
    assert "988" in reply
    servers.say(user, "/restart")
    # /restart was text, not a command: the crisis flag (and its reminder) stays.
    assert CONTENT.reminder in texts(servers.say(user, "how long does an infusion take?"))
    assert secret not in Path(servers.log_path).read_text(errors="replace")


def test_the_webhook_needs_an_integration_token(servers: Servers) -> None:
    body = {"sender": sender(), "message": "hello"}
    assert servers.post(json=body, headers={"Authorization": ""}).status_code == 401
    assert servers.post(json=body, headers={"Authorization": "Bearer x" * 5}).status_code == 401
    assert servers.post(json=body).status_code == 200


def test_a_lone_surrogate_sender_is_refused_and_the_server_goes_on(servers: Servers) -> None:
    # Finding 1: this ended the process (SQLite's UnicodeEncodeError read as a missing
    # PostgreSQL schema, then sys.exit), and every later message was refused.
    response = servers.post(b'{"sender": "\\ud800", "message": "hi"}')
    assert response.status_code == 400
    response = servers.post(b'{"sender": "a", "message": "hi \\ud800 there"}')
    assert response.status_code == 200
    assert "988" in texts(servers.say(sender(), "I want to kill myself"))
