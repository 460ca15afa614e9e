"""Changes to Rasa's own behaviour that no request may get around, applied by the channels.

- Rasa ends the process (`print_error_and_exit`, i.e. sys.exit) on some errors it meets
  while serving: the SQL tracker store on any ValueError, training through the API. Once
  the server is up, those become an exception that fails one turn or one request.
- The HTTP API takes its token from a header, never the URL (`api_token_in_header`).
- Custom actions get a short timeout (CLINIC_ACTION_TIMEOUT_S, default 5 s) instead of
  Rasa's 5 minutes: a frozen action server must not hold a conversation's lock for long.
Imports nothing of this project.
"""

from __future__ import annotations

import functools
import hmac
import inspect
import logging
import os
from typing import Any, NoReturn

import rasa.core.actions.action
import rasa.shared.utils.cli
import sanic.response

logger = logging.getLogger(__name__)

ACTION_TIMEOUT_ENV = "CLINIC_ACTION_TIMEOUT_S"
DEFAULT_ACTION_TIMEOUT_S = 5.0


class ExitRefused(RuntimeError):
    """Rasa asked to end the process while serving; this request fails instead."""


def _raise_instead_of_exit(message: str, exit_code: int = 1) -> NoReturn:
    raise ExitRefused(f"exit {exit_code} refused while serving")


def harden_rasa() -> None:
    """Idempotent; safe before the server starts."""
    timeout = float(os.environ.get(ACTION_TIMEOUT_ENV, DEFAULT_ACTION_TIMEOUT_S))
    # RemoteAction.run reads this module-level name on every call.
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = timeout


async def stop_exits_after_start(*_: Any) -> None:
    """A server listener: from now on Rasa's exits raise ExitRefused.

    Only after start-up: a bad model or configuration should still stop the server then,
    with Rasa's own message.
    """
    rasa.shared.utils.cli.print_error_and_exit = _raise_instead_of_exit


def header_auth(requires_auth: Any) -> Any:
    """Rasa's `requires_auth`, taking the API token from a header instead of the URL.

    Rasa reads the token only from `?token=`, so it lands in every access log on the way.
    Here it is `Authorization: Bearer <token>` (or `X-Api-Token`), compared in constant
    time; a token in the URL is refused. JWT, if configured, works as in Rasa.
    """

    def requires_header_auth(app: Any, token: str | None = None) -> Any:
        rasa_decorator = requires_auth(app, None)

        def decorator(view: Any) -> Any:
            jwt_or_open = rasa_decorator(view)

            @functools.wraps(view)
            async def decorated(request: Any, *args: Any, **kwargs: Any) -> Any:
                if token is None:
                    return await jwt_or_open(request, *args, **kwargs)
                if "token" in request.args:
                    return sanic.response.json(
                        {"error": "Send the API token in the Authorization header, not the URL."},
                        status=401,
                    )
                if hmac.compare_digest(_presented_token(request).encode(), token.encode()):
                    result = view(request, *args, **kwargs)
                    return await result if inspect.isawaitable(result) else result
                if app.config.get("USE_JWT"):
                    return await jwt_or_open(request, *args, **kwargs)
                return sanic.response.json({"error": "Not authenticated."}, status=401)

            return decorated

        return decorator

    return requires_header_auth


def _presented_token(request: Any) -> str:
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return (request.headers.get("x-api-token") or "").strip()


def api_token_in_header() -> None:
    """Before `rasa run` builds its app: the API's routes take the token from a header."""
    import rasa.server

    if not getattr(rasa.server.requires_auth, "_clinic_header_auth", False):
        patched = header_auth(rasa.server.requires_auth)
        patched._clinic_header_auth = True
        rasa.server.requires_auth = patched
