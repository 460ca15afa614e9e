"""The REST channel in-process (real Sanic server, scripted assistant), and the shared gate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage

from addons.channels.edge import MAX_MESSAGE_CHARS, RequestError
from addons.channels.fallback import crisis_lines
from addons.channels.gate import (
    CRISIS_DEADLINE_ENV,
    MAX_IN_FLIGHT_ENV,
    TURN_TIMEOUT_ENV,
    turn_gate,
)
from addons.channels.rest import (
    BUSY,
    FAILED,
    NO_TOKEN,
    REST_OFF,
    REST_TOKENS_ENV,
    CheckedRestInput,
    integration_of,
    parse_body,
    rest_integrations,
)
from addons.content.loader import CONTENT_DIR_ENV
from addons.tracker_store import StorageError
from tests.inprocess import ScriptedAgent, serve

pytestmark = pytest.mark.unit

TOKEN = "t" * 40
OTHER_TOKEN = "o" * 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CRISIS = "I want to kill myself"


def body(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


def test_parses_a_normal_message() -> None:
    assert parse_body(body(sender="a", message="hi")) == ("a", "hi", None)


def test_control_characters_become_spaces_and_nul_goes() -> None:
    assert parse_body(body(sender="a", message="hi\x00\x1b[31m\tthere\n"))[1] == "hi [31m\tthere\n"


def test_empty_message_is_passed_on() -> None:
    assert parse_body(body(sender="a", message=""))[1] == ""


@pytest.mark.parametrize(
    "raw,problem",
    [
        (b"{not json", "valid JSON"),
        (b"\xff\xfe", "UTF-8"),
        (b"[]", "JSON object"),
        (body(message="hi"), "'sender'"),
        (body(sender="", message="hi"), "'sender'"),
        (body(sender="x" * 129, message="hi"), "'sender'"),
        (body(sender="\ud800", message="hi"), "'sender'"),
        (body(sender="a"), "'message' must be a string"),
        (body(sender="a", message=["a"]), "'message' must be a string"),
        (body(sender="a", message="x" * (MAX_MESSAGE_CHARS + 1)), "longer than"),
        (body(sender="a", message="hi", metadata=[1]), "'metadata'"),
    ],
)
def test_malformed_bodies_are_rejected_with_a_reason(raw: bytes, problem: str) -> None:
    with pytest.raises(RequestError, match=problem):
        parse_body(raw)


def test_crisis_lines_come_from_content() -> None:
    lines = crisis_lines().splitlines()
    assert lines[0].startswith("Call or text 988")
    assert len(lines) == 4


def test_integrations_are_name_token_pairs() -> None:
    assert rest_integrations(f"sms:{TOKEN} portal:{OTHER_TOKEN}") == {
        TOKEN: "sms",
        OTHER_TOKEN: "portal",
    }
    assert rest_integrations("") == {}
    for bad in ("sms", f"SMS:{TOKEN}", "sms:short", f"a b:{TOKEN}"):
        with pytest.raises(ValueError, match=REST_TOKENS_ENV):
            rest_integrations(bad)


@pytest.mark.parametrize(
    "header,expected",
    [
        (f"Bearer {TOKEN}", "sms"),
        (f"bearer {TOKEN}", "sms"),
        (f"Bearer {OTHER_TOKEN}", None),
        (TOKEN, None),
        ("", None),
        (None, None),
        ("Basic abc", None),
    ],
)
def test_integration_of_a_bearer_token(header: str | None, expected: str | None) -> None:
    assert integration_of(header, {TOKEN: "sms"}) == expected


class Assistant:
    """A scripted assistant with Rasa's per-conversation lock; can fail or hang on cue."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []
        self.fail: BaseException | None = None
        self.hang = asyncio.Event()
        self.hanging = False
        self.locks: dict[str, asyncio.Lock] = {}

    async def __call__(self, message: UserMessage) -> None:
        async with self.locks.setdefault(message.sender_id, asyncio.Lock()):
            self.received.append(message)
            if self.fail is not None:
                raise self.fail
            if self.hanging and message.text != CRISIS:
                await self.hang.wait()
            await message.output_channel.send_text_message(message.sender_id, f"re: {message.text}")


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(CRISIS_DEADLINE_ENV, "0.3")
    monkeypatch.setenv(TURN_TIMEOUT_ENV, "1")
    monkeypatch.setenv(MAX_IN_FLIGHT_ENV, "2")
    turn_gate.cache_clear()
    yield turn_gate
    turn_gate.cache_clear()


@pytest.fixture
async def rest(monkeypatch: pytest.MonkeyPatch, gate: Any) -> AsyncIterator[Any]:
    monkeypatch.setenv(REST_TOKENS_ENV, f"tests:{TOKEN}")
    assistant = Assistant()
    async with serve([CheckedRestInput()], ScriptedAgent(assistant)) as url:
        async with aiohttp.ClientSession() as http:

            async def post(data: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
                raw = data if isinstance(data, bytes) else json.dumps(data).encode()
                async with http.post(
                    f"{url}/webhooks/rest/webhook",
                    data=raw,
                    headers=AUTH if headers is None else headers,
                ) as r:
                    return r.status, (await r.json(), r.headers.get("Retry-After"))

            post.assistant = assistant  # type: ignore[attr-defined]
            yield post
        assistant.hang.set()


async def test_a_message_reaches_the_assistant_in_its_integrations_namespace(rest: Any) -> None:
    status, (replies, _) = await rest({"sender": "alice", "message": "how long?"})
    assert status == 200
    assert replies == [{"recipient_id": "alice", "text": "re: how long?"}]
    [message] = rest.assistant.received
    assert (message.sender_id, message.input_channel) == ("rest:tests:alice", "rest")


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": f"Bearer {OTHER_TOKEN}"}, {"Authorization": TOKEN}]
)
async def test_without_the_integration_token_nothing_is_passed_on(
    rest: Any, headers: dict[str, str]
) -> None:
    status, (answer, _) = await rest({"sender": "alice", "message": "hi"}, headers)
    assert (status, answer) == (401, {"error": NO_TOKEN})
    assert rest.assistant.received == []


async def test_with_no_integration_configured_the_webhook_is_off(
    monkeypatch: pytest.MonkeyPatch, gate: Any
) -> None:
    monkeypatch.delenv(REST_TOKENS_ENV, raising=False)
    async with serve([CheckedRestInput()], ScriptedAgent(Assistant())) as url:
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{url}/webhooks/rest/webhook", headers=AUTH, json={"sender": "a", "message": "hi"}
            ) as r:
                assert (r.status, await r.json()) == (403, {"error": REST_OFF})


async def test_intent_syntax_from_a_person_is_plain_text(rest: Any) -> None:
    await rest({"sender": "alice", "message": '/greet{"note": "i want to kill myself"}'})
    await rest({"sender": "alice", "message": "/restart"})
    assert [m.text for m in rest.assistant.received] == [
        'greet{"note": "i want to kill myself"}',
        "restart",
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 1000 + b"]" * 1000,
        b'{"sender": "a", "message": "hi", "n": ' + b"1" * 4300 + b"}",
        json.dumps(
            {
                "sender": "a",
                "message": "hi",
                "metadata": json.loads('{"a": ' * 500 + "1" + "}" * 500),
            }
        ).encode()
        if False
        else b'{"sender": "a", "message": "hi", "metadata": ' + b'{"a": ' * 500 + b"1" + b"}" * 501,
        b'{"sender": "\\ud800", "message": "hi"}',
    ],
    ids=["array-1000-deep", "int-4300-digits", "metadata-500-deep", "lone-surrogate-sender"],
)
async def test_hostile_bodies_get_a_400_and_reach_nobody(rest: Any, raw: bytes) -> None:
    status, (answer, _) = await rest(raw)
    assert status == 400 and set(answer) == {"error"}
    assert rest.assistant.received == []


async def test_a_storage_error_fails_the_turn_with_503(rest: Any) -> None:
    rest.assistant.fail = StorageError("tracker store failed (UnicodeEncodeError)")
    status, (answer, retry) = await rest({"sender": "alice", "message": "hello"})
    assert (status, answer, retry) == (503, {"error": FAILED}, "2")


async def test_a_failing_assistant_still_gives_crisis_language_the_crisis_lines(
    rest: Any,
) -> None:
    rest.assistant.fail = StorageError("tracker store failed")
    status, (replies, _) = await rest({"sender": "alice", "message": CRISIS})
    assert (status, replies) == (200, [{"recipient_id": "alice", "text": crisis_lines()}])


async def test_an_exit_inside_a_turn_fails_that_turn_only(rest: Any) -> None:
    rest.assistant.fail = SystemExit(1)
    status, _ = await rest({"sender": "alice", "message": "hello"})
    assert status == 503
    rest.assistant.fail = None
    status, (replies, _) = await rest({"sender": "alice", "message": "hello again"})
    assert (status, replies) == (200, [{"recipient_id": "alice", "text": "re: hello again"}])


async def test_crisis_is_answered_while_an_earlier_turn_of_the_conversation_is_stuck(
    rest: Any,
) -> None:
    rest.assistant.hanging = True
    stuck = asyncio.ensure_future(rest({"sender": "alice", "message": "hello"}))
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()
    status, (replies, _) = await rest({"sender": "alice", "message": CRISIS})
    assert (status, replies) == (200, [{"recipient_id": "alice", "text": crisis_lines()}])
    assert asyncio.get_running_loop().time() - started < 1
    # The stuck turn gives up waiting, not its message: it is still handled afterwards.
    assert (await stuck)[0] == 503
    rest.assistant.hang.set()
    await asyncio.sleep(0.05)
    assert [m.text for m in rest.assistant.received] == ["hello", CRISIS]


async def test_past_the_queue_depth_the_answer_is_503_at_once_but_crisis_gets_the_lines(
    rest: Any,
) -> None:
    rest.assistant.hanging = True
    queued = [asyncio.ensure_future(rest({"sender": f"u{i}", "message": "hi"})) for i in (1, 2)]
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()
    status, (answer, retry) = await rest({"sender": "u3", "message": "hello"})
    assert (status, answer, retry) == (503, {"error": BUSY}, "2")
    status, (replies, _) = await rest({"sender": "u4", "message": CRISIS})
    assert (status, replies) == (200, [{"recipient_id": "u4", "text": crisis_lines()}])
    assert asyncio.get_running_loop().time() - started < 0.3
    rest.assistant.hang.set()
    assert [(await q)[0] for q in queued] == [200, 200]


async def test_crisis_lines_still_go_out_if_content_broke_since_start(
    rest: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    lines = crisis_lines()
    monkeypatch.setenv(CONTENT_DIR_ENV, str(tmp_path))  # no content files at all now
    rest.assistant.fail = RuntimeError("boom")
    status, (replies, _) = await rest({"sender": "alice", "message": CRISIS})
    assert (status, replies) == (200, [{"recipient_id": "alice", "text": lines}])


async def test_failures_log_no_message_text(rest: Any, caplog: pytest.LogCaptureFixture) -> None:
    rest.assistant.fail = RuntimeError("boom while handling private words 7f3a")
    await rest({"sender": "alice", "message": "private words 7f3a"})
    assert "RuntimeError" in caplog.text and "7f3a" not in caplog.text
