"""The REST channel (credentials.yml: addons.channels.rest.CheckedRestInput).

Rasa's own RestInput answers a body without a message with a 500, lets any caller pick
any conversation by its sender id, parses `/intent{...}` text from anyone, and logs the
raw message when handling fails. Here:

- input passes the edge's contract (addons/channels/edge.py) or gets a 400 with the reason;
- only integrations holding a token (`Authorization: Bearer`, CLINIC_REST_TOKENS as
  space-separated `name:token` pairs) may post, and their conversations are
  `rest:<name>:<sender>`, so they can never address a web chat conversation or another
  integration's; with no token configured the REST webhook is off;
- every turn goes through the process's turn gate (gate.py): past
  CLINIC_MAX_TURNS_IN_FLIGHT turns the answer is 503 with Retry-After at once, and a
  failed, stuck or refused turn whose text is crisis language by the rules gets the crisis
  lines from the channel itself (fallback.py).
"""

from __future__ import annotations

import hmac
import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from addons.channels import edge
from addons.channels.commands import allowed_commands
from addons.channels.edge import MAX_MESSAGE_CHARS, RequestError, clean_text
from addons.channels.fallback import CrisisFallback
from addons.channels.gate import Outcome, turn_gate
from addons.channels.hardening import harden_rasa, stop_exits_after_start
from addons.channels.log_privacy import redact_exception_text

__all__ = ["MAX_MESSAGE_CHARS", "RequestError", "clean_text"]

logger = logging.getLogger(__name__)

REST_TOKENS_ENV = "CLINIC_REST_TOKENS"
_INTEGRATION = re.compile(r"[a-z0-9_-]{1,32}")
MIN_TOKEN_CHARS = 32
RETRY_AFTER_S = 2

NO_TOKEN = "This webhook needs an integration token: 'Authorization: Bearer <token>'."
REST_OFF = f"The REST webhook is off on this server (no integration tokens in {REST_TOKENS_ENV})."
BUSY = "The assistant is busy. Please try again in a moment."
FAILED = "The assistant could not handle this message. Please try again in a moment."


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

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
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
                text,
                collector,
                conversation_id(integration, sender),
                input_channel=self.name(),
                metadata=metadata,
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
