"""End to end: the real servers over the socket.io channel the web chat widget uses.

With `session_persistence: true`, python-socketio newer than 5.9.0 made Rasa 3.6 drop
every reply (Rasa issue 13027); these tests fail if replies stop arriving.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
import socketio

from addons.channels import session_ids
from addons.channels.edge import MAX_MESSAGE_CHARS
from addons.channels.web_chat import NOT_TEXT, TOO_LONG
from addons.content.loader import load_content
from tests.servers import Servers

pytestmark = [pytest.mark.servers, pytest.mark.model]

CONTENT = load_content()
PAGE = "http://localhost:8080"
QUESTION = "how long does an infusion take?"
SIGNED = re.compile(r"[0-9a-f]{32}\.[0-9a-f]{64}")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory):
    running = Servers(
        workdir=tmp_path_factory.mktemp("socket-servers"), allowed_origins=PAGE
    ).start()
    yield running
    running.stop()


class Client:
    """A socket.io client speaking the widget's events."""

    def __init__(self, http: aiohttp.ClientSession | None = None) -> None:
        self.sio = socketio.AsyncClient(reconnection=False, http_session=http)
        self.replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.sio.on("bot_uttered", self.replies.put_nowait)
        self.sio.on("session_confirm", self.confirmed.put_nowait)
        self.session_id = ""

    async def connect(
        self, servers: Servers, session_id: str | None = None, origin: str = PAGE
    ) -> Client:
        await self.sio.connect(servers.url, headers={"Origin": origin}, transports=["websocket"])
        await self.sio.emit("session_request", {"session_id": session_id})
        self.session_id = await asyncio.wait_for(self.confirmed.get(), 10)
        return self

    async def send(self, data: Any, timeout: float = 30) -> list[dict[str, Any]]:
        """Emits a user message; returns the replies once none came for 0.7 s."""
        await self.sio.emit("user_uttered", data)
        replies = [await asyncio.wait_for(self.replies.get(), timeout)]
        while True:
            try:
                replies.append(await asyncio.wait_for(self.replies.get(), 0.7))
            except asyncio.TimeoutError:
                return replies

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.send({"message": text, "session_id": self.session_id})

    async def close(self) -> None:
        await self.sio.disconnect()


@asynccontextmanager
async def connected(servers: Servers, session_id: Any = None) -> AsyncIterator[Client]:
    """A client with a session, disconnected afterwards whatever the test did."""
    client = await Client().connect(servers, session_id)
    try:
        yield client
    finally:
        await client.close()


def texts(replies: list[dict[str, Any]]) -> list[str]:
    return [r.get("text") or "" for r in replies]


async def test_replies_arrive_with_session_persistence(servers: Servers) -> None:
    async with connected(servers) as client:
        assert SIGNED.fullmatch(client.session_id)
        assert any("minutes" in t for t in texts(await client.say(QUESTION)))


async def test_a_new_socket_continues_the_session(servers: Servers) -> None:
    first = await Client().connect(servers)
    crisis = await first.say("I want to kill myself")
    await first.close()
    [card] = [r for r in crisis if r.get("urgent") == "crisis"]
    assert f"]({CONTENT.resources[0].link})" in card["text"]

    # As after a page reload: a new socket asking for the same session.
    async with connected(servers, first.session_id) as second:
        assert second.session_id == first.session_id
        assert CONTENT.reminder in texts(await second.say(QUESTION))


async def test_emergency_reply_is_marked(servers: Servers) -> None:
    async with connected(servers) as client:
        replies = await client.say("my chest hurts really bad after the infusion")
        assert [r.get("urgent") for r in replies] == ["emergency"] * len(replies)


@pytest.mark.parametrize(
    "session_id",
    [
        "default",
        "me",
        "x" * 500,
        42,
        "0123456789abcdef0123456789abcdef",
        session_ids.issue(b"another server's secret"),
    ],
    ids=["default", "me", "500-chars", "number", "unsigned", "signed-elsewhere"],
)
async def test_an_id_the_server_did_not_issue_gets_a_new_session(
    servers: Servers, session_id: Any
) -> None:
    async with connected(servers, session_id) as client:
        assert client.session_id != session_id
        assert SIGNED.fullmatch(client.session_id)


async def test_a_made_up_session_id_does_not_receive_that_conversations_replies(
    servers: Servers,
) -> None:
    # Finding 4: a client could claim any id and get that conversation's replies.
    async with connected(servers) as victim:
        conversation = victim.session_id.split(".")[0]
        async with connected(servers, conversation) as intruder:
            assert intruder.session_id.split(".")[0] != conversation
            await intruder.send({"message": "hello", "session_id": conversation})
            await victim.say("I want to kill myself")
            await asyncio.sleep(1)
            assert all(r.get("urgent") != "crisis" for r in _drain(intruder))


def _drain(client: Client) -> list[dict[str, Any]]:
    replies = []
    while not client.replies.empty():
        replies.append(client.replies.get_nowait())
    return replies


async def test_rest_senders_cannot_address_a_socket_conversation(servers: Servers) -> None:
    async with connected(servers) as client:
        await client.say("I want to kill myself")
        conversation = client.session_id.split(".")[0]
    # The same id over REST is another conversation: no crisis reminder leaks from it.
    reply = "\n".join(r.get("text") or "" for r in servers.say(conversation, QUESTION))
    assert "minutes" in reply and CONTENT.reminder not in reply


async def test_bad_input_gets_a_clear_answer_and_the_session_goes_on(servers: Servers) -> None:
    async with connected(servers) as client:
        await client.say("I want to kill myself")
        session = client.session_id
        assert texts(await client.send("just a string")) == [NOT_TEXT]
        assert texts(await client.send({"message": ["a"], "session_id": session})) == [NOT_TEXT]
        assert texts(await client.send({"message": b"\xff\xfe", "session_id": session})) == [
            NOT_TEXT
        ]
        too_long = await client.say("I want to die " + "x" * 100_000)
        assert texts(too_long)[0] == TOO_LONG
        assert too_long[1]["urgent"] == "crisis"
        assert await client.say("")
        assert await client.say("\x00\x01\x02\x1b[31m")
        # The crisis turn is still remembered: the next answer keeps the reminder.
        assert CONTENT.reminder in texts(await client.say(QUESTION))


async def test_fallback_suggestions_arrive_as_buttons(servers: Servers) -> None:
    async with connected(servers) as client:
        replies = await client.say("infusion stuff")
        buttons = [b for r in replies for b in r.get("quick_replies") or []]
        assert buttons and all(b["title"] and b["payload"] for b in buttons)
    assert "Socket message failed" not in Path(servers.log_path).read_text(errors="replace")


async def test_another_origin_cannot_open_the_socket(servers: Servers) -> None:
    # Our own HTTP session: the refused client would leave its own open.
    async with aiohttp.ClientSession() as http:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await Client(http).connect(servers, origin="https://evil.example")


def test_polling_sends_one_cors_header_for_the_page_only(servers: Servers) -> None:
    url = f"{servers.url}/socket.io/?EIO=4&transport=polling"
    allowed = requests.get(url, headers={"Origin": PAGE}, timeout=10)
    assert allowed.status_code == 200
    # Two headers would be joined with a comma, and browsers refuse that.
    assert allowed.headers["Access-Control-Allow-Origin"] == PAGE
    other = requests.get(url, headers={"Origin": "https://evil.example"}, timeout=10)
    assert other.status_code == 400
    assert "Access-Control-Allow-Origin" not in other.headers


async def test_socket_messages_are_not_logged(servers: Servers) -> None:
    secret = f"my-private-words-{uuid.uuid4().hex}"
    async with connected(servers) as client:
        await client.say(f"I want to kill myself {secret}")
        # Over the channel's limit (refused with an answer), under Engine.IO's 1 MB frame cap.
        over_limit = f"{secret} " * (MAX_MESSAGE_CHARS // len(secret) + 1)
        assert texts(
            await client.send({"message": over_limit, "session_id": client.session_id})
        ) == [TOO_LONG]
    assert secret not in Path(servers.log_path).read_text(errors="replace")


async def test_a_message_over_a_megabyte_is_answered_not_dropped(servers: Servers) -> None:
    # Finding 6: Engine.IO's 1 MB frame cap dropped it without a reply.
    async with connected(servers) as client:
        replies = await client.say("I want to die " + "x" * 1_100_000)
        assert texts(replies)[0] == TOO_LONG
        assert replies[1]["urgent"] == "crisis"
        assert any("minutes" in t for t in texts(await client.say(QUESTION)))


async def test_a_websocket_closing_logs_no_error(servers: Servers) -> None:
    # Finding 6: every close logged "Invalid response type None" with a traceback.
    before = Path(servers.log_path).read_text(errors="replace").count("Invalid response type")
    async with connected(servers) as client:
        await client.say("hello")
    await asyncio.sleep(1)
    after = Path(servers.log_path).read_text(errors="replace").count("Invalid response type")
    assert after == before
