"""`rasa run` for this project: the API token from the environment, no telemetry.

    RASA_AUTH_TOKEN=... .venv/bin/python -m scripts.serving.rasa_server --enable-api \
        [rasa run options]

Rasa takes its API token only as `--auth-token`, and any local user can read a process's
command line (`ps`); its environment only its owner can. So the token travels in
RASA_AUTH_TOKEN and is handed to Rasa inside this process. The HTTP API exposes
conversations: with `--enable-api` and no token this refuses to start. Clients send the
token as `Authorization: Bearer <token>`, never in the URL (addons/hardening.py).
"""

from __future__ import annotations

import os
import sys

TOKEN_ENV = "RASA_AUTH_TOKEN"
NO_TOKEN = (
    f"--enable-api needs a token in {TOKEN_ENV}: the HTTP API exposes conversations. "
    "(scripts/run.sh makes one in .secrets/api-token.)"
)
TOKEN_ON_COMMAND_LINE = f"Pass the API token in {TOKEN_ENV}, not on the command line (ps shows it)."


def rasa_argv(args: list[str], token: str) -> list[str]:
    """The argv `rasa run` gets, or raises SystemExit with a message."""
    if any(a == "--auth-token" or a.startswith("--auth-token=") or a == "-t" for a in args):
        raise SystemExit(TOKEN_ON_COMMAND_LINE)
    if "--enable-api" in args and not token:
        raise SystemExit(NO_TOKEN)
    # One word: a token starting with "-" would otherwise be taken for an option.
    return ["rasa", "run", *args, *([f"--auth-token={token}"] if token else [])]


def main() -> None:
    argv = rasa_argv(sys.argv[1:], os.environ.pop(TOKEN_ENV, ""))
    # Rasa sends usage data and error reports to its own servers unless told not to;
    # this is a health service.
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    from rasa.__main__ import main as rasa_main

    from addons.channels.hardening import api_token_in_header

    api_token_in_header()

    sys.argv = argv
    rasa_main()


if __name__ == "__main__":
    main()
