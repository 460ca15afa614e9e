"""Fuzz: both channels in-process, against every JSON shape, id, text and metadata.

Invariant after every example: the answer was a 2xx or a 4xx (an error event on the
socket), never a 5xx or a crash; the server is still up; and the next normal message and
a crisis message are answered as they should be. The assistant here is scripted (it
answers crisis language by the real rules), so these run in the fast layer; the same
invariants against the trained model are in test_model_fuzz.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio
from hypothesis import HealthCheck, given, settings
from rasa.core.channels.channel import UserMessage

from addons.crisis.lexicon import CRISIS, EMERGENCY, assess
from tests.fuzz.strategies import raw_bodies, socket_payloads
from tests.inprocess import DEMO_PAGE as PAGE
from tests.inprocess import BackgroundServer, ScriptedAgent, both_channels

pytestmark = pytest.mark.unit

TOKEN = "f" * 48
CRISIS_TEXT = "I want to end my life"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def scripted(message: UserMessage) -> None:
    urgent = assess(message.text).verdict in (CRISIS, EMERGENCY)
    reply = "Call or text 988 now." if urgent else "An answer."
    await message.output_channel.send_text_message(
        message.sender_id, f"{reply} (re: {message.text[:30]})"
    )


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with both_channels(ScriptedAgent(scripted), TOKEN) as running:
        yield running


def post(server: BackgroundServer, body: bytes) -> requests.Response:
    return requests.post(
        f"{server.url}/webhooks/rest/webhook",
        data=body,
        timeout=10,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )


def say(server: BackgroundServer, text: str) -> str:
    response = post(server, json.dumps({"sender": "fuzz-check", "message": text}).encode())
    assert response.status_code == 200
    return "\n".join(r["text"] for r in response.json())


def assert_still_answers(server: BackgroundServer) -> None:
    assert say(server, "how long does an infusion take?") == (
        "An answer. (re: how long does an infusion take)"
    )
    assert say(server, CRISIS_TEXT) == f"Call or text 988 now. (re: {CRISIS_TEXT})"


@FUZZ
@given(body=raw_bodies)
def test_rest_never_answers_5xx_and_keeps_answering(server: BackgroundServer, body: bytes) -> None:
    response = post(server, body)
    assert 200 <= response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}
    assert_still_answers(server)


class SocketClient:
    """The widget's events over a real socket.io connection to the in-process server."""

    def __init__(self, server: BackgroundServer) -> None:
        self.server = server
        self.replies: asyncio.Queue[Any] = asyncio.Queue()
        self.confirmed: asyncio.Queue[Any] = asyncio.Queue()

    async def connect(self) -> str:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("bot_uttered", self.replies.put_nowait)
        self.sio.on("session_confirm", self.confirmed.put_nowait)
        await self.sio.connect(self.server.url, headers={"Origin": PAGE}, transports=["polling"])
        await self.sio.emit("session_request", {"session_id": None})
        self.session_id = await asyncio.wait_for(self.confirmed.get(), 10)
        return str(self.session_id)

    async def say(self, text: str) -> str:
        """The reply to `text`; replies still arriving for earlier (fuzzed) events are skipped.

        Events are handled concurrently, so those may come before or after it.
        """
        await self.sio.emit("user_uttered", {"message": text, "session_id": self.session_id})
        while True:
            reply = await asyncio.wait_for(self.replies.get(), 10)
            if (reply.get("text") or "").endswith(f"(re: {text[:30]})"):
                return str(reply["text"])


@pytest.fixture(scope="module")
def client(server: BackgroundServer) -> Iterator[SocketClient]:
    socket_client = SocketClient(server)
    server.run(socket_client.connect())
    yield socket_client
    server.run(socket_client.sio.disconnect())


@FUZZ
@given(data=socket_payloads())
def test_socket_messages_never_crash_the_channel(
    server: BackgroundServer, client: SocketClient, data: Any
) -> None:
    server.run(client.sio.emit("user_uttered", data))
    server.run(client.sio.emit("session_request", data))
    assert server.run(client.say("how long does an infusion take?")) == (
        "An answer. (re: how long does an infusion take)"
    )
    assert server.run(client.say(CRISIS_TEXT)) == f"Call or text 988 now. (re: {CRISIS_TEXT})"
    assert client.sio.connected
