"""Web chat session ids: issued and signed by the server, so only their holder can use them.

A session id is `<conversation>.<signature>`: 32 random hex characters, and an HMAC-SHA256
of them under the server's secret (CLINIC_SESSION_SECRET, shared by every server of a
cluster). The conversation part alone is the tracker's id, so the signature is never
stored with the conversation. An id the server did not sign is worth nothing: its
presenter gets a new session.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets

logger = logging.getLogger(__name__)

SECRET_ENV = "CLINIC_SESSION_SECRET"
_SIGNED = re.compile(r"([0-9a-f]{32})\.([0-9a-f]{64})")


def _signature(conversation: str, secret: bytes) -> str:
    return hmac.new(secret, conversation.encode("ascii"), hashlib.sha256).hexdigest()


def issue(secret: bytes) -> str:
    conversation = secrets.token_hex(16)
    return f"{conversation}.{_signature(conversation, secret)}"


def conversation_of(session_id: object, secret: bytes) -> str | None:
    """The conversation a session id names, if this server signed it; else None."""
    if not isinstance(session_id, str):
        return None
    match = _SIGNED.fullmatch(session_id)
    if not match:
        return None
    conversation, signature = match.groups()
    if not hmac.compare_digest(signature, _signature(conversation, secret)):
        return None
    return conversation


def session_secret() -> bytes:
    """The signing secret from the environment, or a random one for this process only."""
    secret = os.environ.get(SECRET_ENV, "")
    if len(secret) >= 32:
        return secret.encode("utf-8")
    if secret:
        raise ValueError(f"{SECRET_ENV} must have at least 32 characters.")
    logger.warning(
        "%s is not set: web chat sessions will not survive a restart of this server.",
        SECRET_ENV,
    )
    return secrets.token_bytes(32)
