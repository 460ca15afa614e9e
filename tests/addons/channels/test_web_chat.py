from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from addons.channels import gate, session_ids
from addons.channels.edge import MAX_MESSAGE_CHARS, RequestError
from addons.channels.fallback import crisis_lines
from addons.channels.web_chat import (
    ALLOWED_ORIGINS_ENV,
    BAD_PACKET_EVENT,
    BUSY,
    FAILED,
    NOT_TEXT,
    TOO_LONG,
    UNREADABLE,
    CheckedSocketIOInput,
    CheckedSocketIOOutput,
    OriginCheckedEngineIO,
    PacketJson,
    allowed_origins,
    check_message,
)
from addons.content.loader import CONTENT_DIR_ENV, load_content

pytestmark = pytest.mark.unit

CONTENT = load_content()
SECRET = b"k" * 32
SESSION = session_ids.issue(SECRET)
CONVERSATION = SESSION.split(".")[0]
# The old, unsigned form of a session id: anyone could have made it up.
UNSIGNED = "0123456789abcdef0123456789abcdef"


class FakeSio:
    """Records what the channel emits; enter_room is a coroutine as in python-socketio 5.10+."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, Any, str]] = []
        self.rooms: list[tuple[str, str]] = []

    async def emit(self, event: str, data: Any = None, room: str = "", **kwargs: Any) -> None:
        self.emitted.append((event, data, room))

    async def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.rooms.append((sid, room))


class Channel:
    """The channel's socket handlers over a FakeSio, with a scripted assistant."""

    def __init__(self, assistant: Any = None, session_persistence: bool = True) -> None:
        self.received: list[UserMessage] = []
        self.input = CheckedSocketIOInput(
            ["http://localhost:8080"], session_persistence=session_persistence
        )
        self.input.secret = SECRET

        async def on_new_message(message: UserMessage) -> None:
            self.received.append(message)
            if assistant:
                await assistant(message)

        self.input.blueprint(on_new_message)
        server = self.input.sio
        assert server is not None
        self.handlers = server.handlers["/"]
        self.sio = FakeSio()
        # The handlers call the server they were made with; record its output instead.
        server.emit = self.sio.emit  # type: ignore[method-assign]
        server.enter_room = self.sio.enter_room  # type: ignore[method-assign]

    async def say(self, data: Any, sid: str = "sid1") -> list[Any]:
        await self.handlers["user_uttered"](sid, data)
        return [data for event, data, _ in self.sio.emitted if event == "bot_uttered"]


def test_origins_default_to_the_demo_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOWED_ORIGINS_ENV, raising=False)
    assert allowed_origins() == ["http://localhost:8080"]


def test_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOWED_ORIGINS_ENV, " https://clinic.example/  http://localhost:9000 ")
    assert allowed_origins() == ["https://clinic.example", "http://localhost:9000"]


def test_channel_reads_origins_and_refuses_jwt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOWED_ORIGINS_ENV, "https://clinic.example")
    channel = CheckedSocketIOInput.from_credentials({"session_persistence": True})
    assert channel.origins == ["https://clinic.example"] and channel.session_persistence
    with pytest.raises(ValueError, match="jwt_key"):
        CheckedSocketIOInput.from_credentials({"jwt_key": "secret"})


def test_engineio_checks_origins_and_leaves_the_headers_to_cors() -> None:
    channel = CheckedSocketIOInput(["https://clinic.example"])
    channel.blueprint(lambda message: None)  # type: ignore[arg-type, return-value]
    assert channel.sio is not None
    eio = channel.sio.eio
    assert isinstance(eio, OriginCheckedEngineIO)
    assert eio.cors_allowed_origins == ["https://clinic.example"]
    environ = {"HTTP_ORIGIN": "https://clinic.example", "REQUEST_METHOD": "GET"}
    assert eio._cors_headers(environ) == []


@pytest.mark.parametrize(
    "data,text",
    [
        ({"message": "hi"}, "hi"),
        ({"message": ""}, ""),
        ({"message": "hi\x00\x1b[31m\tthere\n"}, "hi [31m\tthere\n"),
        ({"message": "x" * MAX_MESSAGE_CHARS}, "x" * MAX_MESSAGE_CHARS),
    ],
)
def test_checks_pass_text_on_cleaned(data: dict[str, Any], text: str) -> None:
    assert check_message(data, "metadata") == (text, None)


def test_metadata_may_be_an_object_or_json_text() -> None:
    assert check_message({"message": "hi", "metadata": {"a": 1}}, "metadata")[1] == {"a": 1}
    assert check_message({"message": "hi", "metadata": '{"a": 1}'}, "metadata")[1] == {"a": 1}


@pytest.mark.parametrize(
    "data,problem",
    [
        (None, NOT_TEXT),
        ("hi", NOT_TEXT),
        ([1, 2], NOT_TEXT),
        ({}, NOT_TEXT),
        ({"message": ["a"]}, NOT_TEXT),
        ({"message": b"\xff\xfe binary"}, NOT_TEXT),
        ({"message": 42}, NOT_TEXT),
        ({"message": "x" * (MAX_MESSAGE_CHARS + 1)}, TOO_LONG),
        ({"message": "hi", "metadata": "{not json"}, "could not read"),
        ({"message": "hi", "metadata": [1]}, "could not read"),
    ],
)
def test_bad_payloads_are_refused_with_a_reason(data: Any, problem: str) -> None:
    with pytest.raises(RequestError) as refused:
        check_message(data, "metadata")
    assert problem in str(refused.value)


def test_crisis_lines_link_every_resource_on_the_web_chat() -> None:
    reply = crisis_lines(with_links=True)
    for resource in CONTENT.resources:
        assert f"[{resource.text}]({resource.link})" in reply
    assert CONTENT.clinic["clinic_phone"] in reply


async def test_output_marks_crisis_and_emergency_replies() -> None:
    sio = FakeSio()
    output = CheckedSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    await output.send_text_message("room", "help now\n\nmore", utter_action="utter_crisis")
    await output.send_text_message("room", "call 911", utter_action="utter_emergency")
    await output.send_text_message("room", "an answer", utter_action="utter_faq/safety")
    assert [data for _, data, _ in sio.emitted] == [
        {"text": "help now", "urgent": "crisis"},
        {"text": "more", "urgent": "crisis"},
        {"text": "call 911", "urgent": "emergency"},
        {"text": "an answer"},
    ]


async def test_buttons_without_text_are_sent() -> None:
    sio = FakeSio()
    output = CheckedSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    button = {"title": "What are the side effects?", "payload": "What are the side effects?"}
    await output.send_response("room", {"text": None, "buttons": [button]})
    assert [data for _, data, _ in sio.emitted] == [
        {"text": "", "quick_replies": [{"content_type": "text", **button}]}
    ]


async def test_session_request_keeps_an_issued_id_and_joins_its_room() -> None:
    channel = Channel()
    await channel.handlers["session_request"]("sid1", {"session_id": SESSION})
    assert channel.sio.emitted == [("session_confirm", SESSION, "sid1")]
    assert channel.sio.rooms == [("sid1", CONVERSATION)]


@pytest.mark.parametrize(
    "data",
    [
        None,
        "x",
        {},
        {"session_id": None},
        {"session_id": "default"},
        {"session_id": SESSION.upper()},
        {"session_id": SESSION + "0"},
        {"session_id": UNSIGNED},
        {"session_id": CONVERSATION},
        {"session_id": session_ids.issue(b"another server's key")},
    ],
)
async def test_session_request_issues_a_new_signed_id_for_anything_else(data: Any) -> None:
    channel = Channel()
    await channel.handlers["session_request"]("sid1", data)
    [(event, session_id, room)] = channel.sio.emitted
    assert event == "session_confirm" and room == "sid1"
    conversation = session_ids.conversation_of(session_id, SECRET)
    assert conversation is not None and session_id != SESSION
    assert channel.sio.rooms == [("sid1", conversation)]


async def test_session_request_without_data_gets_a_session() -> None:
    channel = Channel()
    await channel.handlers["session_request"]("sid1")
    assert [event for event, _, _ in channel.sio.emitted] == ["session_confirm"]


async def test_message_goes_to_the_session_conversation() -> None:
    channel = Channel()
    await channel.say({"message": "how long is an infusion?", "session_id": SESSION})
    [message] = channel.received
    assert (message.text, message.sender_id, message.input_channel) == (
        "how long is an infusion?",
        CONVERSATION,
        "socketio",
    )
    assert isinstance(message.output_channel, CheckedSocketIOOutput)
    # A socket that reconnected without a new session_request still gets the replies.
    assert channel.sio.rooms == [("sid1", CONVERSATION)]


@pytest.mark.parametrize(
    "session_id",
    ["not-issued-here", UNSIGNED, CONVERSATION, session_ids.issue(b"another server's key")],
    ids=["made-up", "unsigned", "conversation-part-only", "signed-elsewhere"],
)
async def test_message_without_a_signed_session_is_answered_on_its_socket_only(
    session_id: str,
) -> None:
    channel = Channel()
    await channel.say({"message": "hello", "session_id": session_id})
    assert [m.sender_id for m in channel.received] == ["sid1"]
    assert channel.sio.rooms == []


async def test_a_message_event_without_data_gets_a_clear_answer() -> None:
    channel = Channel()
    await channel.handlers["user_uttered"]("sid1")
    assert [d for e, d, _ in channel.sio.emitted if e == "bot_uttered"] == [{"text": NOT_TEXT}]


async def test_intent_syntax_from_a_person_is_plain_text() -> None:
    channel = Channel()
    await channel.say({"message": '/greet{"note": "i want to kill myself"}', "session_id": SESSION})
    assert [m.text for m in channel.received] == ['greet{"note": "i want to kill myself"}']


@pytest.mark.parametrize(
    "packet",
    [
        '["user_uttered", ' + "[" * 1000 + "]" * 1000 + "]",
        '["user_uttered", {"message": "hi", "n": ' + "1" * 4300 + "}]",
        '["user_uttered", {"message": "hi", "n": NaN}]',
    ],
    ids=["1000-deep", "int-4300-digits", "nan"],
)
def test_packets_over_the_limits_become_a_bad_packet_event(packet: str) -> None:
    assert PacketJson.loads(packet) == [BAD_PACKET_EVENT]
    assert PacketJson.loads('["user_uttered", {"message": "hi"}]') == [
        "user_uttered",
        {"message": "hi"},
    ]


async def test_a_bad_packet_gets_a_clear_answer() -> None:
    channel = Channel()
    await channel.handlers[BAD_PACKET_EVENT]("sid1")
    assert [d for e, d, _ in channel.sio.emitted if e == "bot_uttered"] == [{"text": UNREADABLE}]


async def test_metadata_too_deep_is_refused() -> None:
    channel = Channel()
    deep: Any = 1
    for _ in range(10):
        deep = {"a": deep}
    replies = await channel.say({"message": "hi", "session_id": SESSION, "metadata": deep})
    assert replies == [{"text": UNREADABLE}] and channel.received == []


async def test_past_the_queue_depth_a_message_is_refused_at_once_but_crisis_gets_the_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(gate.MAX_IN_FLIGHT_ENV, "1")
    gate.turn_gate.cache_clear()
    release = asyncio.Event()

    async def slow(message: UserMessage) -> None:
        await release.wait()

    try:
        channel = Channel(slow)
        first = asyncio.ensure_future(channel.say({"message": "hi", "session_id": SESSION}))
        await asyncio.sleep(0.05)
        assert await channel.say({"message": "hello", "session_id": SESSION}, "sid2") == [
            {"text": BUSY}
        ]
        replies = await channel.say(
            {"message": "I want to kill myself", "session_id": SESSION}, "sid3"
        )
        assert replies[-1] == {"text": crisis_lines(with_links=True), "urgent": "crisis"}
        release.set()
        await first
    finally:
        gate.turn_gate.cache_clear()


async def test_without_persistence_the_socket_is_the_conversation() -> None:
    channel = Channel(session_persistence=False)
    await channel.say({"message": "hello", "session_id": SESSION})
    assert [m.sender_id for m in channel.received] == ["sid1"] and channel.sio.rooms == []


async def test_bad_payload_gets_a_clear_answer_and_is_not_passed_on() -> None:
    channel = Channel()
    assert await channel.say(["not", "an", "object"]) == [{"text": NOT_TEXT}]
    assert channel.received == []


async def test_over_long_crisis_message_is_refused_but_gets_the_crisis_lines() -> None:
    channel = Channel()
    text = "I want to kill myself. " + "x" * MAX_MESSAGE_CHARS
    replies = await channel.say({"message": text, "session_id": SESSION})
    crisis = {"text": crisis_lines(with_links=True), "urgent": "crisis"}
    assert replies == [{"text": TOO_LONG}, crisis]
    assert channel.received == []


async def failing_assistant(message: UserMessage) -> None:
    raise RuntimeError(f"boom while handling {message.text}")


async def test_failure_on_crisis_language_still_sends_the_crisis_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel = Channel(failing_assistant)
    secret = "I want to end my life, private words 7f3a"
    replies = await channel.say({"message": secret, "session_id": SESSION})
    assert replies == [{"text": crisis_lines(with_links=True), "urgent": "crisis"}]
    assert "RuntimeError" in caplog.text and "7f3a" not in caplog.text


async def test_crisis_lines_still_go_out_if_content_broke_since_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    channel = Channel(failing_assistant)
    lines = crisis_lines(with_links=True)
    monkeypatch.setenv(CONTENT_DIR_ENV, str(tmp_path))  # no content files at all now
    replies = await channel.say({"message": "I want to kill myself", "session_id": SESSION})
    assert replies == [{"text": lines, "urgent": "crisis"}]


async def test_failure_on_other_messages_says_so() -> None:
    channel = Channel(failing_assistant)
    replies = await channel.say({"message": "how long is an infusion?", "session_id": SESSION})
    assert replies == [{"text": FAILED}]
