"""make run (scripts/run.sh) in a copy of the project, on ports of its own: the README's
first command brings up the assistant, the action server and the demo page."""

from __future__ import annotations

import os
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.servers import ROOT, copy_project, free_port, say, stop_process, texts, wait_until

pytestmark = [pytest.mark.servers, pytest.mark.model]


@dataclass
class Running:
    rasa: str
    actions: str
    web: str
    token: str
    output: Path


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    project = copy_project(tmp_path_factory.mktemp("project"))
    ports = {name: free_port() for name in ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT")}
    # A token starting with "-" once made `rasa run` take it for an option and exit.
    token = "-" + secrets.token_urlsafe(16)
    output = project / "run.log"
    with output.open("wb") as log:
        proc = subprocess.Popen(
            ["bash", "scripts/run.sh"], cwd=project, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **{k: str(v) for k, v in ports.items()},
                 "RASA_AUTH_TOKEN": token, "PYTHONUNBUFFERED": "1",
                 "RASA_CACHE_DIRECTORY": str(ROOT / ".rasa" / "cache")},
        )
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    try:
        wait_until(f"{urls['RASA_PORT']}/", 300, proc)
        wait_until(f"{urls['ACTIONS_PORT']}/health", 60, proc)
        wait_until(f"{urls['WEB_PORT']}/", 60, proc)
        yield Running(urls["RASA_PORT"], urls["ACTIONS_PORT"], urls["WEB_PORT"], token, output)
    finally:
        stop_process(proc, timeout=30)


def sender() -> str:
    return f"run-{uuid.uuid4().hex[:8]}"


def test_it_prints_where_it_listens(running: Running) -> None:
    printed = running.output.read_text()
    for url in (running.rasa, running.actions, running.web):
        port = url.rsplit(":", 1)[1]
        assert f"http://localhost:{port}" in printed


def test_it_answers_a_question_and_a_crisis(running: Running) -> None:
    assert "minutes" in texts(say(running.rasa, sender(), "how long does an infusion take?"))
    assert "988" in texts(say(running.rasa, sender(), "I want to end my life"))


def test_the_action_server_on_its_own_port_is_the_one_used(running: Running) -> None:
    # Topic suggestions come from a custom action: they arrive only if Rasa found the server.
    buttons = [b for r in say(running.rasa, sender(), "ketamine") for b in r.get("buttons") or []]
    assert buttons and all(b["title"] and b["payload"] for b in buttons)


def test_conversations_need_the_token(running: Running) -> None:
    user = sender()
    say(running.rasa, user, "hello")
    url = f"{running.rasa}/conversations/{user}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(url, params={"token": running.token}, timeout=10).status_code == 200


def test_no_command_line_shows_the_token(running: Running) -> None:
    # Any local user can read every process's command line.
    shown = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            shown.append(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            pass  # a process that ended meanwhile
    assert any("scripts.rasa_server" in line for line in shown)
    assert not [line for line in shown if running.token in line]


def test_the_demo_page_names_the_assistant_it_serves(running: Running) -> None:
    page = requests.get(running.web, timeout=10)
    assert page.status_code == 200
    assert running.rasa.rsplit(":", 1)[1] in page.text
