"""make run (scripts/run.sh) in a copy of the project, on ports of its own: the README's
first command brings up nginx in front of the assistant and the demo page, Rasa and the
action server on 127.0.0.1 only, all under scripts/serving/supervise.py."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import stat
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.servers import ROOT, copy_project, free_port, say, stop_process, texts, wait_until

# One xdist worker for the two files that train in a copy of the project: one Rasa cache.
pytestmark = [
    pytest.mark.servers,
    pytest.mark.model,
    pytest.mark.xdist_group("rasa_training_cache"),
]

PORTS = ("RASA_PORT", "RASA_INTERNAL_PORT", "ACTIONS_PORT", "WEB_PORT", "WEB_INTERNAL_PORT")
# Made by run.sh into .secrets/ when not in the environment.
GENERATED = {
    "CLINIC_ACTION_TOKEN": "action-token",
    "CLINIC_SESSION_SECRET": "session-secret",
    "CLINIC_REST_TOKENS": "rest-token",
}


@dataclass
class Running:
    ports: dict[str, int]
    token: str
    project: Path
    output: Path

    def url(self, port: str) -> str:
        return f"http://127.0.0.1:{self.ports[port]}"

    @property
    def rasa(self) -> str:
        """The public address: nginx."""
        return self.url("RASA_PORT")

    @property
    def rest_token(self) -> str:
        return self.secret("rest-token")

    def secret(self, name: str) -> str:
        return (self.project / ".secrets" / name).read_text().strip()

    def say(self, text: str, timeout: float = 30) -> str:
        return texts(say(self.rasa, sender(), text, timeout, self.rest_token))


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    project = copy_project(tmp_path_factory.mktemp("project"))
    ports = {name: free_port() for name in PORTS}
    # A token starting with "-" once made `rasa run` take it for an option and exit.
    token = "-" + secrets.token_urlsafe(16)
    output = project / "run.log"
    env = {k: v for k, v in os.environ.items() if k not in GENERATED and k != "LISTEN_HOST"}
    with output.open("wb") as log:
        proc = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={
                **env,
                **{k: str(v) for k, v in ports.items()},
                "RASA_AUTH_TOKEN": token,
                "PYTHONUNBUFFERED": "1",
                "RASA_CACHE_DIRECTORY": str(ROOT / ".rasa" / "cache"),
            },
        )
    run = Running(ports, token, project, output)
    try:
        # Through nginx: a 502 until Rasa has loaded its model.
        wait_until(f"{run.rasa}/", 300, proc)
        wait_until(f"{run.url('ACTIONS_PORT')}/health", 60, proc)
        wait_until(f"{run.url('WEB_PORT')}/", 60, proc)
        yield run
    finally:
        stop_process(proc, timeout=30)
        # Every process it started is gone with it.
        assert not [p for name, p in ports.items() if listeners(p)], output.read_text()[-3000:]


def sender() -> str:
    return f"run-{uuid.uuid4().hex[:8]}"


def listeners(port: int) -> list[tuple[str, int]]:
    """(local address, pid) of every socket listening on TCP `port`."""
    lines = subprocess.run(
        ["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    found = []
    for line in lines:
        address = line.split()[3]
        for pid in re.findall(r"pid=(\d+)", line) or ["0"]:
            found.append((address, int(pid)))
    return found


def pids(port: int) -> set[int]:
    return {pid for _, pid in listeners(port)}


def non_loopback_address() -> str | None:
    if not shutil.which("ip"):
        return None
    out = subprocess.run(
        ["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True
    ).stdout
    found = re.search(r"inet (\d+\.\d+\.\d+\.\d+)/", out)
    return found.group(1) if found else None


def test_it_prints_where_it_listens(running: Running) -> None:
    printed = running.output.read_text()
    for port in ("RASA_PORT", "WEB_PORT"):
        assert f"http://localhost:{running.ports[port]}" in printed
    for port in ("RASA_INTERNAL_PORT", "ACTIONS_PORT"):
        assert f"http://127.0.0.1:{running.ports[port]}" in printed


def test_it_answers_a_question_and_a_crisis(running: Running) -> None:
    assert "minutes" in running.say("how long does an infusion take?")
    assert "988" in running.say("I want to end my life")


def test_the_rest_webhook_wants_the_generated_token(running: Running) -> None:
    # Rasa got CLINIC_REST_TOKENS="local:<.secrets/rest-token>" from run.sh.
    url = f"{running.rasa}/webhooks/rest/webhook"
    body = {"sender": sender(), "message": "hello"}
    assert requests.post(url, json=body, timeout=30).status_code == 401
    wrong = {"Authorization": "Bearer wrong"}
    assert requests.post(url, json=body, headers=wrong, timeout=30).status_code == 401
    right = {"Authorization": f"Bearer {running.rest_token}"}
    assert requests.post(url, json=body, headers=right, timeout=30).status_code == 200


def test_the_action_server_on_its_own_port_is_the_one_used(running: Running) -> None:
    # Topic suggestions come from a custom action: they arrive only if Rasa found the
    # server and sent it the token (the action server answers nothing else).
    replies = say(running.rasa, sender(), "infusion stuff", 30, running.rest_token)
    buttons = [b for r in replies for b in r.get("buttons") or []]
    assert buttons and all(b["title"] and b["payload"] for b in buttons)


def test_the_action_server_wants_its_token(running: Running) -> None:
    url = f"{running.url('ACTIONS_PORT')}/actions"
    assert requests.get(url, timeout=10).status_code == 401
    auth = {"Authorization": f"Bearer {running.secret('action-token')}"}
    assert requests.get(url, headers=auth, timeout=10).status_code == 200


def test_conversations_need_the_token(running: Running) -> None:
    url = f"{running.rasa}/conversations/{sender()}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer wrong"}
    assert requests.get(url, headers=wrong, timeout=10).status_code == 401
    right = {"Authorization": f"Bearer {running.token}"}
    assert requests.get(url, headers=right, timeout=10).status_code == 200


def test_secrets_are_made_once_and_private(running: Running) -> None:
    for name in GENERATED.values():
        path = running.project / ".secrets" / name
        assert re.fullmatch(r"[0-9a-f]{64}", path.read_text().strip()), name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    # Given in the environment: not made.
    assert not (running.project / ".secrets" / "api-token").exists()
    endpoints = running.project / "build" / "run" / "endpoints.yml"
    assert stat.S_IMODE(endpoints.stat().st_mode) == 0o600
    assert f"Bearer {running.secret('action-token')}" in endpoints.read_text()
    assert "Authorization" not in (running.project / "endpoints.yml").read_text()


def test_no_command_line_shows_a_secret(running: Running) -> None:
    # Any local user can read every process's command line.
    shown = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            shown.append(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            pass  # a process that ended meanwhile
    assert any("scripts.serving.rasa_server" in line for line in shown)
    assert any("scripts.serving.supervise" in line for line in shown)
    for value in [running.token, *(running.secret(n) for n in GENERATED.values())]:
        assert not [line for line in shown if value in line]
    assert running.token not in running.output.read_text()


def test_the_demo_page_names_the_assistant_it_serves(running: Running) -> None:
    page = requests.get(running.url("WEB_PORT"), timeout=10)
    assert page.status_code == 200
    assert f"http://localhost:{running.ports['RASA_PORT']}" in page.text
    assert "Content-Security-Policy" in page.headers


def test_cors_headers_come_once_through_nginx(running: Running) -> None:
    origin = f"http://localhost:{running.ports['WEB_PORT']}"
    reply = requests.options(
        f"{running.rasa}/webhooks/rest/webhook",
        timeout=10,
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    assert reply.raw.headers.getlist("Access-Control-Allow-Origin") == [origin]


def test_rasa_and_the_action_server_listen_on_loopback_only(running: Running) -> None:
    for port in ("RASA_INTERNAL_PORT", "ACTIONS_PORT", "WEB_INTERNAL_PORT"):
        addresses = {address for address, _ in listeners(running.ports[port])}
        assert addresses == {f"127.0.0.1:{running.ports[port]}"}, (port, addresses)
    # nginx, the edge, on LISTEN_HOST (by default every interface).
    assert {a for a, _ in listeners(running.ports["RASA_PORT"])} == {
        f"0.0.0.0:{running.ports['RASA_PORT']}"
    }
    address = non_loopback_address()
    if address is None:
        return
    for port in ("RASA_INTERNAL_PORT", "ACTIONS_PORT"):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((address, running.ports[port]), timeout=5).close()
    socket.create_connection((address, running.ports["RASA_PORT"]), timeout=5).close()


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/", "/socket.io/"])
def test_a_negative_content_length_stops_at_nginx(running: Running, path: str) -> None:
    # Sanic 21.12 (Rasa's server) spins at 100% CPU on this, answering nothing.
    with socket.create_connection(("127.0.0.1", running.ports["RASA_PORT"]), timeout=10) as s:
        s.sendall(
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
            "\r\nContent-Length: -1\r\n\r\n{}".encode()
        )
        assert s.recv(100).startswith(b"HTTP/1.1 400 ")
    assert "988" in running.say("I want to end my life", timeout=10)
    assert requests.get(f"{running.url('RASA_INTERNAL_PORT')}/", timeout=5).ok


def test_a_killed_action_server_is_restarted_alone_and_crises_are_answered(
    running: Running,
) -> None:
    actions = pids(running.ports["ACTIONS_PORT"])
    rasa = pids(running.ports["RASA_INTERNAL_PORT"])
    edge = pids(running.ports["RASA_PORT"])
    assert len(actions) == 1 and rasa and edge
    os.kill(actions.pop(), 9)
    started = time.monotonic()
    # Crisis replies need no action server; nginx and Rasa were not touched.
    assert "988" in running.say("I want to end my life", timeout=10)
    assert time.monotonic() - started < 10
    deadline = started + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{running.url('ACTIONS_PORT')}/health", timeout=2).ok:
                break
        except requests.RequestException:
            pass
        time.sleep(0.5)
    else:
        pytest.fail("the action server was not back within 30 s")
    assert pids(running.ports["RASA_INTERNAL_PORT"]) == rasa
    assert pids(running.ports["RASA_PORT"]) == edge
    log = running.output.read_text()
    assert "actions: killed by SIGKILL; restarting in 1 s" in log
    # And it works again, token and all.
    replies = say(running.rasa, sender(), "infusion stuff", 30, running.rest_token)
    assert [b for r in replies for b in r.get("buttons") or []]
