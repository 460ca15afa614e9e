"""The REST channel, and what both channels share: the turn gate and the crisis fallback.

Rasa's own RestInput answers a body without a message with a 500, lets any caller pick
any conversation by its sender id, parses `/intent{...}` text from anyone, and logs the
raw message when handling fails. Here:

- input passes the edge's contract (addons/edge.py) or gets a 400 with the reason;
- only integrations holding a token (`Authorization: Bearer`, CLINIC_REST_TOKENS as
  space-separated `name:token` pairs) may post, and their conversations are
  `rest:<name>:<sender>`, so they can never address a web chat conversation or another
  integration's; with no token configured the REST webhook is off;
- every turn goes through one TurnGate per process: past CLINIC_MAX_TURNS_IN_FLIGHT turns
  the answer is 503 with Retry-After at once, and a failed, stuck or refused turn whose
  text is crisis language by the rules gets the crisis lines from the channel itself.

Imports: addons.edge, addons.content, addons.crisis_lexicon, addons.log_privacy,
addons.hardening; never a pipeline component.
"""

from __future__ import annotations

import asyncio
import enum
import hmac
import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from addons import edge
from addons.content import load_content
from addons.crisis_lexicon import CRISIS, EMERGENCY, assess
from addons.edge import MAX_MESSAGE_CHARS, RequestError, clean_text
from addons.hardening import harden_rasa, stop_exits_after_start
from addons.log_privacy import redact_exception_text

__all__ = ["MAX_MESSAGE_CHARS", "RequestError", "clean_text"]

logger = logging.getLogger(__name__)

REST_TOKENS_ENV = "CLINIC_REST_TOKENS"
MAX_IN_FLIGHT_ENV = "CLINIC_MAX_TURNS_IN_FLIGHT"
CRISIS_DEADLINE_ENV = "CLINIC_CRISIS_DEADLINE_S"
TURN_TIMEOUT_ENV = "CLINIC_TURN_TIMEOUT_S"
_INTEGRATION = re.compile(r"[a-z0-9_-]{1,32}")
MIN_TOKEN_CHARS = 32
RETRY_AFTER_S = 2

NO_TOKEN = "This webhook needs an integration token: 'Authorization: Bearer <token>'."
REST_OFF = f"The REST webhook is off on this server (no integration tokens in {REST_TOKENS_ENV})."
BUSY = "The assistant is busy. Please try again in a moment."
FAILED = "The assistant could not handle this message. Please try again in a moment."


def is_urgent(text: str) -> bool:
    """Crisis or emergency language by the rules alone: for when the assistant fails."""
    return assess(text).verdict in (CRISIS, EMERGENCY)


def crisis_lines(with_links: bool = False) -> str:
    """The crisis lines and the clinic's phone, as content/ has them now.

    With links (web chat), each line is a Markdown link the widget makes tappable.
    """
    content = load_content()
    if with_links:
        lines = content.template_values(with_links=True)["crisis_resources"]
    else:
        lines = "\n".join(r.text for r in content.resources)
    return f"{lines}\n{content.clinic['clinic_name']}: {content.clinic['clinic_phone']}"


class CrisisFallback:
    """The crisis lines a channel sends itself, from the last content that loaded.

    Read when the channel starts, so a failure reply still has them if content/ broke
    since (a bad edit, a disk error): the fallback path itself must never fail.
    """

    def __init__(self) -> None:
        self._last = {links: crisis_lines(with_links=links) for links in (False, True)}

    def text(self, with_links: bool = False) -> str:
        try:
            self._last[with_links] = crisis_lines(with_links=with_links)
        except Exception as e:
            logger.error("Crisis lines not reloaded (%s); sending the last ones.", type(e).__name__)
        return self._last[with_links]


class Outcome(enum.Enum):
    ANSWERED = "answered"
    # The rules call the text crisis language and the assistant did not answer in time,
    # failed or was too busy: the channel sends the crisis lines itself.
    URGENT = "urgent"
    BUSY = "busy"
    FAILED = "failed"


@dataclass
class TurnGate:
    """Admission and deadlines for the turns of one server process, both channels.

    A turn runs as its own task and is never cancelled by a client going away or a
    deadline passing, so no acknowledged message is lost from its conversation.
    """

    max_in_flight: int = 16
    crisis_deadline: float = 2.0
    turn_timeout: float = 30.0
    in_flight: int = 0
    _tasks: set[asyncio.Future[Any]] = field(default_factory=set)

    @classmethod
    def from_environment(cls) -> TurnGate:
        return cls(
            max_in_flight=int(os.environ.get(MAX_IN_FLIGHT_ENV, "16")),
            crisis_deadline=float(os.environ.get(CRISIS_DEADLINE_ENV, "2")),
            turn_timeout=float(os.environ.get(TURN_TIMEOUT_ENV, "30")),
        )

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self.in_flight -= 1
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The type only: a traceback's locals would contain the message.
            logger.error("A turn failed with %s.", type(task.exception()).__name__)

    async def run(self, turn: Callable[[], Awaitable[Any]], text: str) -> Outcome:
        if self.in_flight >= self.max_in_flight:
            return Outcome.URGENT if is_urgent(text) else Outcome.BUSY
        self.in_flight += 1
        task = asyncio.ensure_future(_no_exit(turn))
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        urgent: bool | None = None
        deadline = self.crisis_deadline
        try:
            await asyncio.wait_for(asyncio.shield(task), deadline)
            return Outcome.ANSWERED
        except asyncio.TimeoutError:
            urgent = is_urgent(text)
            if urgent:
                return Outcome.URGENT
        except Exception:
            return Outcome.URGENT if is_urgent(text) else Outcome.FAILED
        try:
            await asyncio.wait_for(asyncio.shield(task), max(self.turn_timeout - deadline, 0))
            return Outcome.ANSWERED
        except asyncio.TimeoutError:
            logger.error("A turn took over %.0f s; it goes on in the background.",
                         self.turn_timeout)
            return Outcome.FAILED
        except Exception:
            return Outcome.FAILED


class TurnFailed(RuntimeError):
    """Something in the turn asked the process to exit; the turn fails instead."""


async def _no_exit(turn: Callable[[], Awaitable[Any]]) -> Any:
    # A SystemExit reaching the event loop stops the server for everyone.
    try:
        return await turn()
    except SystemExit as e:
        raise TurnFailed("exit requested during a turn") from e


@lru_cache(maxsize=1)
def turn_gate() -> TurnGate:
    """The process's one gate, shared by the REST and socket.io channels."""
    return TurnGate.from_environment()


def rest_integrations(spec: str) -> dict[str, str]:
    """Token -> integration name, from `name:token name2:token2`."""
    integrations: dict[str, str] = {}
    for item in spec.split():
        name, _, token = item.partition(":")
        if not _INTEGRATION.fullmatch(name) or len(token) < MIN_TOKEN_CHARS:
            raise ValueError(
                f"{REST_TOKENS_ENV}: each item is name:token, the name of lower-case letters, "
                f"digits, _ and - (at most 32), the token of at least {MIN_TOKEN_CHARS} characters."
            )
        integrations[token] = name
    return integrations


def integration_of(authorization: str | None, integrations: dict[str, str]) -> str | None:
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not presented:
        return None
    found = None
    for token, name in integrations.items():
        # Every token compared, in constant time: no timing tells which one nearly matched.
        if hmac.compare_digest(presented.strip().encode(), token.encode()):
            found = name
    return found


def conversation_id(integration: str, sender: str) -> str:
    return f"rest:{integration}:{sender}"


def parse_body(
    raw: bytes, allowed_commands: Iterable[str] = ()
) -> tuple[str, str, dict[str, Any] | None]:
    """Returns sender, cleaned message text and metadata, or raises RequestError."""
    body = edge.parse_json(raw)
    if not isinstance(body, dict):
        raise RequestError('The body must be a JSON object: {"sender": ..., "message": ...}.')
    sender = edge.check_sender(body.get("sender"))
    text = edge.check_text(body.get("message"), allowed_commands)
    return sender, text, edge.clean_metadata(body.get("metadata"))


def allowed_commands(app: Sanic | None) -> frozenset[str]:
    """The `/intent` payloads of the buttons in the loaded model's responses."""
    agent = getattr(getattr(app, "ctx", None), "agent", None) if app else None
    domain = getattr(agent, "domain", None)
    if domain is None:
        return frozenset()
    # Keyed by identity: a Domain's own hash is its fingerprint, far too slow per message.
    cached = _COMMANDS.get(id(domain))
    if cached is None or cached[0] is not domain:
        buttons = [
            button
            for variations in domain.responses.values()
            for variation in variations
            for button in variation.get("buttons") or []
        ]
        _COMMANDS.clear()
        cached = _COMMANDS[id(domain)] = (domain, edge.command_payloads(buttons))
    return cached[1]


_COMMANDS: dict[int, tuple[Any, frozenset[str]]] = {}


def error(message: str, status: int, retry_after: int | None = None) -> HTTPResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return response.json({"error": message}, status=status, headers=headers)


class CheckedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        # Same URL as Rasa's REST channel: /webhooks/rest/webhook
        return "rest"

    def __init__(self) -> None:
        self.integrations = rest_integrations(os.environ.get(REST_TOKENS_ENV, ""))
        if not self.integrations:
            logger.warning("The REST webhook is off: %s names no integration.", REST_TOKENS_ENV)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        # Every server has this channel: from here on, errors anywhere lose their text.
        redact_exception_text()
        harden_rasa()
        fallback = CrisisFallback()
        gate = turn_gate()
        webhook = Blueprint("checked_rest_webhook", __name__)
        webhook.listener("after_server_start")(stop_exits_after_start)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.integrations:
                return error(REST_OFF, 403)
            integration = integration_of(request.headers.get("authorization"), self.integrations)
            if integration is None:
                return error(NO_TOKEN, 401)
            try:
                sender, text, metadata = parse_body(
                    request.body or b"", allowed_commands(request.app)
                )
            except RequestError as e:
                return error(str(e), 400)

            collector = CollectingOutputChannel()
            message = UserMessage(
                text, collector, conversation_id(integration, sender),
                input_channel=self.name(), metadata=metadata,
            )
            outcome = await gate.run(lambda: on_new_message(message), text)
            if outcome is Outcome.ANSWERED:
                # The caller's own sender id, not the namespaced conversation id.
                return response.json([{**m, "recipient_id": sender} for m in collector.messages])
            if outcome is Outcome.URGENT:
                # Even with the assistant broken or stuck, crisis language gets the lines.
                return response.json([{"recipient_id": sender, "text": fallback.text()}])
            if outcome is Outcome.BUSY:
                return error(BUSY, 503, RETRY_AFTER_S)
            return error(FAILED, 503, RETRY_AFTER_S)

        return webhook
