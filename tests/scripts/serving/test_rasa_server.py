from __future__ import annotations

import os
import sys

import pytest

from scripts.serving import rasa_server
from scripts.serving.rasa_server import NO_TOKEN, TOKEN_ON_COMMAND_LINE, rasa_argv

pytestmark = pytest.mark.unit


def test_the_token_is_handed_over_as_one_word() -> None:
    # A token starting with "-" would otherwise be read as an option.
    assert rasa_argv(["--enable-api", "--port", "5005"], "-abc") == [
        "rasa",
        "run",
        "--enable-api",
        "--port",
        "5005",
        "--auth-token=-abc",
    ]


def test_no_api_needs_no_token() -> None:
    assert rasa_argv(["--port", "5005"], "") == ["rasa", "run", "--port", "5005"]


def test_the_api_without_a_token_is_refused() -> None:
    with pytest.raises(SystemExit, match="needs a token"):
        rasa_argv(["--enable-api"], "")
    assert "RASA_AUTH_TOKEN" in NO_TOKEN


@pytest.mark.parametrize("args", [["--auth-token", "x"], ["--auth-token=x"], ["-t", "x"]])
def test_a_token_on_the_command_line_is_refused(args: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        rasa_argv(["--enable-api", *args], "")
    assert stopped.value.code == TOKEN_ON_COMMAND_LINE


def test_main_runs_rasa_with_the_token_and_without_telemetry(monkeypatch) -> None:
    seen = {}

    def fake_rasa_main() -> None:
        seen["argv"] = list(sys.argv)
        seen["telemetry"] = os.environ.get("RASA_TELEMETRY_ENABLED")
        seen["token_env"] = os.environ.get("RASA_AUTH_TOKEN")

    monkeypatch.setattr("rasa.__main__.main", fake_rasa_main)
    monkeypatch.setattr(sys, "argv", ["rasa_server.py", "--enable-api"])
    monkeypatch.setenv("RASA_AUTH_TOKEN", "secret")
    monkeypatch.delenv("RASA_TELEMETRY_ENABLED", raising=False)
    rasa_server.main()
    assert seen == {
        "argv": ["rasa", "run", "--enable-api", "--auth-token=secret"],
        "telemetry": "false",
        # Not passed on to anything Rasa starts.
        "token_env": None,
    }
