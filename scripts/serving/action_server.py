"""The action server (rasa-sdk 3.6) for this project: on 127.0.0.1, behind a shared secret.

    CLINIC_ACTION_TOKEN=... .venv/bin/python -m scripts.serving.action_server \
        [--host H] [--port 5055]

rasa-sdk's own server (`rasa run actions`) listens on every interface and runs any action
for anyone who asks. This one listens on 127.0.0.1 unless told otherwise, and answers only
requests that carry `Authorization: Bearer <CLINIC_ACTION_TOKEN>`; the one exception is
`GET /health`, for the supervisor. Rasa sends the header on every call: it is in the
endpoints file scripts/run.sh writes (`write_endpoints`, mode 600). The token comes from
the environment only: any local user can read a command line (`ps`).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
from pathlib import Path
from typing import Any

TOKEN_ENV = "CLINIC_ACTION_TOKEN"
NO_TOKEN = (
    f"The action server needs a shared secret in {TOKEN_ENV} (scripts/run.sh makes one in "
    ".secrets/action-token); Rasa sends it as 'Authorization: Bearer <token>'."
)
UNAUTHORIZED = {"error": "unauthorized", "reason": "missing or wrong Authorization header"}


def authorized(method: str, path: str, authorization: str | None, token: str) -> bool:
    """Whether a request may go on: GET /health for anyone, the rest with the token."""
    if method == "GET" and path == "/health":
        return True
    if not token or not authorization:
        return False
    scheme, _, given = authorization.partition(" ")
    # Compared in constant time: the answer's timing says nothing about the token.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def create_app(token: str, actions: str = "actions") -> Any:
    """rasa-sdk's app with the check in front of routing: an unauthorized request is
    answered before its body is read, and before any route (or 404) is looked up."""
    if not token:
        raise SystemExit(NO_TOKEN)
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response
    from sanic.exceptions import Unauthorized

    # No CORS: only Rasa calls this server, never a browser.
    app = sdk_app(actions, cors_origins="")

    @app.signal("http.routing.before")
    async def check_token(request: Any) -> None:
        if not authorized(
            request.method, request.path, request.headers.get("authorization"), token
        ):
            raise Unauthorized("unauthorized")

    # More specific than rasa-sdk's handler for every Exception, which would answer 500
    # with the request's body in it.
    @app.exception(Unauthorized)
    async def unauthorized(request: Any, exception: Exception) -> Any:
        return response.json(UNAUTHORIZED, status=401, headers={"WWW-Authenticate": "Bearer"})

    return app


def endpoints_config(
    source: dict[str, Any], url: str, token: str, db: str | None = None
) -> dict[str, Any]:
    """Rasa's endpoints with the action server at `url` and its token in the header Rasa
    sends on every call (rasa.utils.endpoints.EndpointConfig `headers`)."""
    config = dict(source)
    action = dict(config.get("action_endpoint") or {})
    action["url"] = url
    action["headers"] = {**(action.get("headers") or {}), "Authorization": f"Bearer {token}"}
    config["action_endpoint"] = action
    if db is not None:
        config["tracker_store"] = {**config["tracker_store"], "db": db}
    return config


def write_endpoints(source: Path, dest: Path, url: str, token: str, db: str | None = None) -> Path:
    """Writes the endpoints file for Rasa (mode 600: it holds the token). The repository's
    endpoints.yml stays free of secrets."""
    import yaml

    config = endpoints_config(yaml.safe_load(source.read_text()) or {}, url, token, db)
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = os.umask(0o077)
    try:
        # A file left by an older run keeps its mode: make it 600 before writing.
        if dest.exists():
            dest.chmod(0o600)
        with dest.open("w") as file:
            file.write(
                "# Written by scripts/serving/action_server.py from endpoints.yml: holds the "
                "action server's token.\n"
            )
            yaml.safe_dump(config, file, sort_keys=False)
    finally:
        os.umask(old)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description="The action server, behind a shared secret.")
    parser.add_argument("--actions", default="actions", help="package of the actions")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()

    # Out of the environment: the actions, and anything they start, do not need it.
    token = os.environ.pop(TOKEN_ENV, "")
    if not token:
        raise SystemExit(NO_TOKEN)

    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.plugin import plugin_manager

    # As rasa-sdk's own entry point sets up logging (LOG_LEVEL, LOG_LEVEL_LIBRARIES).
    level = os.environ.get("LOG_LEVEL", "INFO")
    utils.configure_colored_logging(level)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), None, level, None)
    utils.update_sanic_log_level()
    app = create_app(token, args.actions)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logging.getLogger(__name__).info(
        f"Action server on http://{args.host}:{args.port}/webhook (requests need the token)"
    )
    app.run(args.host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
