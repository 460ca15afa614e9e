"""Socket.IO channel for the web chat widget: origin check, input checks, no text in logs.

Rasa's own SocketIOInput creates its server with `cors_allowed_origins=[]`, which turns
the origin check off, so any website could open a chat socket; it also crashes on a
message that is not an object, drops a message without a session id silently, and
offers no way to tell a crisis reply from the others, and lets a client name any
conversation as its session. Here:

- session ids are issued and signed by the server (addons/session_ids.py); a client
  presenting one the server did not sign gets a new session;
- payloads pass the edge's contract (addons/channels/edge.py), the JSON of every packet included:
  a violation is answered with a short message, never a crash;
- turns go through the process's TurnGate (addons/channels/gate.py), so a busy, failing or
  stuck assistant still sends crisis language the crisis lines;
- crisis replies carry `"urgent": "crisis"` (or `"emergency"`) so the widget can make them
  stand out without guessing from the wording.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

import engineio
import socketio.packet
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from addons.channels import edge, session_ids
from addons.channels.commands import allowed_commands
from addons.channels.edge import MAX_BODY_BYTES, MAX_MESSAGE_CHARS, RequestError
from addons.channels.fallback import CrisisFallback, is_urgent
from addons.channels.gate import Outcome, turn_gate
from addons.channels.hardening import harden_rasa, stop_exits_after_start
from addons.channels.log_privacy import redact_exception_text

logger = logging.getLogger(__name__)

ALLOWED_ORIGINS_ENV = "CLINIC_ALLOWED_ORIGINS"
DEFAULT_ALLOWED_ORIGINS = ("http://localhost:8080",)
# Replies whose text is the crisis or emergency information (responses in domain.yml).
URGENT_REPLIES = {"utter_crisis": "crisis", "utter_emergency": "emergency"}
# Room for an over-long message to be answered "too long" rather than dropped.
SOCKET_MAX_BYTES = 2 * MAX_BODY_BYTES
# What a packet whose JSON breaks the edge's limits becomes: an event of its own.
BAD_PACKET_EVENT = "bad_packet"

UNREADABLE = "Sorry, the chat window sent something I could not read. Please reload the page."
NOT_TEXT = "Sorry, I can only read text messages. Please type your question."
TOO_LONG = (
    f"Sorry, that message is too long for me (over {MAX_MESSAGE_CHARS:,} characters). "
    "Please send a shorter one."
)
FAILED = (
    "Sorry, something went wrong on my side and I could not answer that. Please try "
    "again in a moment."
)
BUSY = "Sorry, I am answering a lot of people right now. Please try again in a moment."


def allowed_origins() -> list[str]:
    """Pages allowed to open the socket: the same setting as the server's --cors."""
    origins = os.environ.get(ALLOWED_ORIGINS_ENV, "").split() or DEFAULT_ALLOWED_ORIGINS
    # Browsers send an Origin without a trailing slash.
    return [origin.rstrip("/") for origin in origins]


def check_message(
    data: Any, metadata_key: str, allowed: frozenset[str] = frozenset()
) -> tuple[str, dict[str, Any] | None]:
    """Cleaned text and metadata of a user_uttered payload, or raises RequestError.

    The edge's contract, as for REST: text only, at most MAX_MESSAGE_CHARS, cleaned, "/"
    commands only if allowed; an empty message goes on to the assistant, which answers it.
    """
    text = data.get("message") if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise RequestError(NOT_TEXT)
    if len(text) > MAX_MESSAGE_CHARS:
        raise RequestError(TOO_LONG)
    metadata = data.get(metadata_key)
    try:
        # Rasa's channel accepts metadata as an object or as JSON text.
        metadata = edge.loads(metadata) if isinstance(metadata, str) else metadata
        metadata = edge.clean_metadata(metadata)
    except RequestError as e:
        raise RequestError(UNREADABLE) from e
    return edge.check_text(text, allowed), metadata


class PacketJson:
    """The json module python-socketio decodes packets with: the edge's limits.

    A packet that breaks them (too deep, a huge number) becomes a BAD_PACKET_EVENT, which
    the channel answers, instead of an exception python-socketio only logs.
    """

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        return json.dumps(obj, **kwargs)

    @staticmethod
    def loads(text: str | bytes, **kwargs: Any) -> Any:
        try:
            return edge.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
        except (RequestError, UnicodeDecodeError):
            return [BAD_PACKET_EVENT]


async def join(sio: AsyncServer, sid: str, room: str, namespace: str | None) -> None:
    joined = sio.enter_room(sid, room, namespace=namespace)
    # python-socketio 5.10+ made enter_room a coroutine (Rasa issue 13027).
    if inspect.isawaitable(joined):
        await joined


class OriginCheckedEngineIO(engineio.AsyncServer):
    """Refuses requests from other origins, polling and websocket alike.

    The CORS headers come from Rasa's --cors (Sanic-CORS), which covers this route too;
    Engine.IO's own would repeat them, and browsers refuse a repeated header.
    """

    def _cors_headers(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        return []

    async def handle_request(self, *args: Any, **kwargs: Any) -> Any:
        return await super().handle_request(*args, **kwargs)

    # A websocket ends with no HTTP response; Sanic logs that as an error with a traceback
    # on every disconnect, unless the handler is marked as a websocket one.
    handle_request.is_websocket = True  # type: ignore[attr-defined]


class OriginCheckedSocketServer(AsyncServer):
    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return OriginCheckedEngineIO


class CheckedSocketBlueprint(SocketBlueprint):
    """Rasa's socket blueprint, also raising Sanic's websocket frame cap to the channel's."""

    def register(self, app: Sanic, options: Any) -> None:
        # Past Sanic's 1 MB a websocket closes, and the message is lost without a reply.
        app.config.WEBSOCKET_MAX_SIZE = max(app.config.WEBSOCKET_MAX_SIZE, SOCKET_MAX_BYTES)
        super().register(app, options)


class CheckedSocketIOOutput(SocketIOOutput):
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        urgent = URGENT_REPLIES.get(kwargs.get("utter_action") or "")
        for part in text.strip().split("\n\n"):
            message: dict[str, Any] = {"text": part}
            if urgent:
                message["urgent"] = urgent
            await self._send_message(recipient_id, message)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str | None, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        # The fallback's topic suggestions are buttons without text, on which Rasa's
        # channel fails (None.strip()) and the suggestions are lost.
        await super().send_text_with_buttons(recipient_id, text or "", buttons, **kwargs)


class CheckedSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        # Same name as Rasa's channel: the NLG sends Markdown links to "socketio".
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> CheckedSocketIOInput:
        credentials = credentials or {}
        if credentials.get("jwt_key"):
            raise ValueError("addons.channels.web_chat does not support jwt_key.")
        return cls(
            allowed_origins(),
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("metadata_key", "metadata"),
        )

    def __init__(
        self,
        origins: list[str],
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        namespace: str | None = None,
        session_persistence: bool = False,
        socketio_path: str = "/socket.io",
        metadata_key: str = "metadata",
    ) -> None:
        super().__init__(
            user_message_evt,
            bot_message_evt,
            namespace,
            session_persistence,
            socketio_path,
            metadata_key=metadata_key,
        )
        self.origins = origins
        self.fallback = CrisisFallback()
        self.secret = session_ids.session_secret()
        self.app: Sanic | None = None
        if "*" in origins:
            logger.warning("The chat socket accepts pages from any website (origin '*').")

    def crisis_lines(self) -> str:
        """The current crisis lines (a publish may change them), else the last good ones."""
        return self.fallback.text(with_links=True)

    def get_output_channel(self) -> CheckedSocketIOOutput | None:
        if self.sio is None:
            return None
        return CheckedSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        redact_exception_text()
        harden_rasa()
        gate = turn_gate()
        origins: str | list[str] = "*" if "*" in self.origins else self.origins
        # Class-wide in python-socketio: every packet this process decodes gets the limits.
        socketio.packet.Packet.json = PacketJson
        sio = OriginCheckedSocketServer(
            async_mode="sanic",
            cors_allowed_origins=origins,
            max_http_buffer_size=SOCKET_MAX_BYTES,
        )
        self.sio = sio
        webhook = CheckedSocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)

        @webhook.listener("after_server_start")
        async def remember_app(app: Sanic, _: Any) -> None:
            self.app = app
            await stop_exits_after_start()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def reply(sid: str, text: str, urgent: str | None = None) -> None:
            message = {"text": text, **({"urgent": urgent} if urgent else {})}
            await sio.emit(self.bot_message_evt, message, room=sid, namespace=self.namespace)

        @sio.on(BAD_PACKET_EVENT, namespace=self.namespace)
        async def bad_packet(sid: str, *_: Any) -> None:
            await reply(sid, UNREADABLE)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if session_ids.conversation_of(session_id, self.secret) is None:
                session_id = session_ids.issue(self.secret)
            conversation = session_ids.conversation_of(session_id, self.secret)
            if self.session_persistence and conversation:
                await join(sio, sid, conversation, self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            try:
                text, metadata = check_message(data, self.metadata_key, allowed_commands(self.app))
            except RequestError as e:
                # Refused, but a crisis in an over-long message still gets the lines.
                raw = data.get("message") if isinstance(data, dict) else None
                await reply(sid, str(e))
                if isinstance(raw, str) and is_urgent(edge.clean_text(raw)):
                    await reply(sid, self.crisis_lines(), "crisis")
                return

            sender = sid
            if self.session_persistence:
                session_id = data.get("session_id")
                conversation = session_ids.conversation_of(session_id, self.secret)
                if conversation:
                    sender = conversation
                    # Replies go to the session's room: after a reconnect without a new
                    # session_request, this socket would otherwise miss them.
                    await join(sio, sid, conversation, self.namespace)
                else:
                    # Not an id this server signed: answered on this socket only.
                    logger.warning("Socket message without a valid session id.")
            output = CheckedSocketIOOutput(sio, self.bot_message_evt)
            message = UserMessage(
                text, output, sender, input_channel=self.name(), metadata=metadata
            )
            outcome = await gate.run(lambda: on_new_message(message), text)
            if outcome is Outcome.URGENT:
                await reply(sid, self.crisis_lines(), "crisis")
            elif outcome is Outcome.BUSY:
                await reply(sid, BUSY)
            elif outcome is Outcome.FAILED:
                await reply(sid, FAILED)

        return webhook
