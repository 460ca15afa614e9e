"""The `/intent` payloads the assistant's own buttons send: the only "/" text let through."""

from __future__ import annotations

from typing import Any

from sanic import Sanic

from addons.channels import edge


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
