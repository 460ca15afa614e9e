"""REST channel that checks its input and never logs what people write.

Rasa's own RestInput answers a body without a message, or a message that is not text,
with a 500, lets requests without a sender share one conversation ("default"), and
logs the raw message text when handling fails. Conversations are health data.
"""

from __future__ import annotations

import json
import logging
import re
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from addons.content import load_content
from addons.crisis_lexicon import CRISIS, EMERGENCY, assess
from addons.log_privacy import redact_exception_text

logger = logging.getLogger(__name__)

MAX_SENDER_LENGTH = 128
MAX_MESSAGE_CHARS = 100_000
# Control characters other than tab and newline carry no meaning in a chat message.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class RequestError(ValueError):
    pass


def parse_body(raw: bytes) -> tuple[str, str, dict[str, Any] | None]:
    """Returns sender, cleaned message text and metadata, or raises RequestError."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RequestError("The body must be JSON (UTF-8).") from e
    if not isinstance(body, dict):
        raise RequestError('The body must be a JSON object: {"sender": ..., "message": ...}.')
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_LENGTH:
        raise RequestError(f"'sender' must be a string of 1 to {MAX_SENDER_LENGTH} characters.")
    if not isinstance(message, str):
        raise RequestError("'message' must be a string.")
    if len(message) > MAX_MESSAGE_CHARS:
        raise RequestError(f"'message' is longer than {MAX_MESSAGE_CHARS} characters.")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise RequestError("'metadata' must be a JSON object.")
    return sender, clean_text(message), metadata


def clean_text(text: str) -> str:
    return _CONTROL.sub(" ", text)


def is_urgent(text: str) -> bool:
    """Crisis or emergency language by the rules alone: for when the assistant fails."""
    return assess(text).verdict in (CRISIS, EMERGENCY)


def crisis_lines(with_links: bool = False) -> str:
    """The crisis lines and the clinic's phone, sent if handling a message fails.

    With links (web chat), each line is a Markdown link the widget makes tappable.
    """
    content = load_content()
    if with_links:
        lines = content.template_values(with_links=True)["crisis_resources"]
    else:
        lines = "\n".join(r.text for r in content.resources)
    return f"{lines}\n{content.clinic['clinic_name']}: {content.clinic['clinic_phone']}"


class CheckedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        # Same URL as Rasa's REST channel: /webhooks/rest/webhook
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        # Every server has this channel: from here on, errors anywhere lose their text.
        redact_exception_text()
        webhook = Blueprint("checked_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text, metadata = parse_body(request.body or b"")
            except RequestError as e:
                return response.json({"error": str(e)}, status=400)

            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text, collector, sender, input_channel=self.name(), metadata=metadata
                    )
                )
            except CancelledError:
                logger.error("REST message timed out (%d characters).", len(text))
            except Exception as e:
                # The type only: a traceback's locals would contain the message.
                logger.error("REST message failed with %s.", type(e).__name__)
                if is_urgent(text):
                    # Even with the assistant broken, crisis language gets the resources.
                    return response.json([{"recipient_id": sender, "text": crisis_lines()}])
                return response.json(
                    {"error": "The assistant could not handle this message."}, status=500
                )
            return response.json(collector.messages)

        return webhook
