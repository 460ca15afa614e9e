"""The input contract at the edge, shared by the REST and socket.io channels.

Everything a stranger sends passes through here before Rasa sees it: JSON parsed with
limits on size, depth and number length (Python's own parser raises RecursionError or a
ValueError on those, which became HTTP 500s); ids checked against one documented pattern;
text normalised (lone UTF-16 surrogates, which SQLite cannot encode, and NUL removed, NFC);
and text starting with "/" kept away from Rasa's `/intent{...}` parser unless it is a
payload the assistant itself sends on a button. Violations raise RequestError with a
short message for the person or integration that sent it. Pure: no Rasa, no I/O.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

MAX_BODY_BYTES = 1_000_000
MAX_MESSAGE_CHARS = 100_000
MAX_DEPTH = 20
MAX_NUMBER_CHARS = 40
MAX_METADATA_BYTES = 16_000
# REST senders (chosen by an integration): letters, digits and . _ : @ + = -, no spaces or
# slashes (they end up in API paths), 1 to 128 characters.
SENDER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}")
SENDER_RULE = (
    "1 to 128 characters: letters, digits and . _ : @ + = -, starting with a letter or digit"
)

# Control characters other than tab and newline carry no meaning in a chat message; NUL
# and lone surrogates (which no UTF-8 store can encode) are dropped.
_CONTROL = re.compile(r"[\x01-\x08\x0b-\x1f\x7f]")
_DROPPED = re.compile(r"[\x00\ud800-\udfff]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
# Rasa reads a message starting with "/" as an intent with entities (`/greet{...}`).
INTENT_PREFIX = "/"


class RequestError(ValueError):
    """What was wrong with a request, in words fit to send back."""


def _bounded_number(kind: type) -> Any:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_CHARS:
            raise RequestError(f"Numbers may have at most {MAX_NUMBER_CHARS} characters.")
        return kind(text)

    return parse


def _no_constant(name: str) -> Any:
    raise RequestError(f"{name} is not valid JSON.")


def check_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Raises RequestError if arrays and objects nest deeper than `max_depth`."""
    depth = 0
    # Brackets inside strings do not nest; a string left open is the parser's to report.
    for bracket in _BRACKET.finditer(_JSON_STRING.sub('""', text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > max_depth:
            raise RequestError(f"The JSON nests deeper than {max_depth} levels.")


def loads(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads with limits on depth and number length, raising only RequestError."""
    check_depth(text, max_depth)
    try:
        return json.loads(
            text,
            parse_int=_bounded_number(int),
            parse_float=_bounded_number(float),
            parse_constant=_no_constant,
        )
    except RequestError:
        raise
    except (ValueError, RecursionError) as e:
        raise RequestError("The body must be valid JSON.") from e


def parse_json(raw: bytes, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """A request body as JSON, or RequestError (too big, not UTF-8, not JSON, too deep)."""
    if len(raw) > max_bytes:
        raise RequestError(f"The body is larger than {max_bytes:,} bytes.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RequestError("The body must be JSON (UTF-8).") from e
    return loads(text)


def clean_text(text: str) -> str:
    """Lone surrogates and NUL removed, other control characters as spaces, NFC."""
    return unicodedata.normalize("NFC", _CONTROL.sub(" ", _DROPPED.sub("", text)))


def check_sender(sender: Any) -> str:
    if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender):
        raise RequestError(f"'sender' must be a string of {SENDER_RULE}.")
    return sender


def check_text(text: Any, allowed_commands: Iterable[str] = ()) -> str:
    """The message text, cleaned, and never an intent unless it is an allowed payload."""
    if not isinstance(text, str):
        raise RequestError("'message' must be a string.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise RequestError(f"'message' is longer than {MAX_MESSAGE_CHARS:,} characters.")
    return neutralise_commands(clean_text(text), allowed_commands)


def neutralise_commands(text: str, allowed_commands: Iterable[str] = ()) -> str:
    """Text starting with "/" loses its slashes unless it is an allowed payload exactly.

    `/greet{"note": "i want to kill myself"}` becomes `greet{"note": ...}`, which the NLU
    and the crisis check read like any other text.
    """
    stripped = text.strip()
    if not stripped.startswith(INTENT_PREFIX) or stripped in allowed_commands:
        return text
    return stripped.lstrip(INTENT_PREFIX + " \t\n")


def clean_metadata(metadata: Any, max_depth: int = 5) -> dict[str, Any] | None:
    """Metadata as a JSON object of bounded size and depth, its strings cleaned."""
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise RequestError("'metadata' must be a JSON object.")

    def clean(value: Any, depth: int) -> Any:
        if depth > max_depth:
            raise RequestError(f"'metadata' nests deeper than {max_depth} levels.")
        if isinstance(value, str):
            return clean_text(value)
        if isinstance(value, dict):
            return {clean_text(str(k)): clean(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v, depth + 1) for v in value]
        return value

    cleaned = clean(metadata, 1)
    if len(json.dumps(cleaned, ensure_ascii=False).encode("utf-8")) > MAX_METADATA_BYTES:
        raise RequestError(f"'metadata' is larger than {MAX_METADATA_BYTES:,} bytes.")
    return cleaned


def command_payloads(buttons: Iterable[dict[str, Any]]) -> frozenset[str]:
    """The button payloads that are Rasa commands ("/intent"): the only ones let through."""
    return frozenset(
        payload.strip()
        for button in buttons
        if isinstance(payload := button.get("payload"), str)
        and payload.strip().startswith(INTENT_PREFIX)
    )
