"""scripts/serving/action_server.py: on 127.0.0.1 only, every request but GET /health needs the
token; Rasa's endpoints file carries it (mode 600); no token, no start."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

from scripts.serving.action_server import NO_TOKEN, TOKEN_ENV, authorized, write_endpoints
from tests.servers import PYTHON, ROOT, free_port, stop_process, wait_until

TOKEN = secrets.token_hex(16)


@pytest.mark.unit
@pytest.mark.parametrize(
    "method, path, header, allowed",
    [
        ("GET", "/health", None, True),
        ("GET", "/health", "Bearer wrong", True),
        ("POST", "/health", None, False),
        ("POST", "/webhook", None, False),
        ("POST", "/webhook", "", False),
        ("POST", "/webhook", "Bearer wrong", False),
        ("POST", "/webhook", f"Bearer {TOKEN}x", False),
        ("POST", "/webhook", f"Basic {TOKEN}", False),
        ("POST", "/webhook", TOKEN, False),
        ("POST", "/webhook", f"Bearer {TOKEN}", True),
        ("POST", "/webhook", f"bearer {TOKEN}", True),
        ("GET", "/actions", f"Bearer {TOKEN}", True),
        ("GET", "/anything", None, False),
    ],
)
def test_only_the_token_opens_anything_but_health(
    method: str, path: str, header: str | None, allowed: bool
) -> None:
    assert authorized(method, path, header, TOKEN) is allowed


@pytest.mark.unit
def test_no_token_configured_opens_nothing() -> None:
    assert not authorized("POST", "/webhook", "Bearer ", "")


@pytest.mark.unit
def test_rasas_endpoints_get_the_header_and_stay_private(tmp_path: Path) -> None:
    dest = tmp_path / "run" / "endpoints.yml"
    dest.parent.mkdir()
    dest.write_text("old")
    dest.chmod(0o644)
    write_endpoints(
        ROOT / "endpoints.yml", dest, "http://127.0.0.1:6055/webhook", TOKEN, db="/tmp/x.db"
    )
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    config = yaml.safe_load(dest.read_text())
    assert config["action_endpoint"] == {
        "url": "http://127.0.0.1:6055/webhook",
        "headers": {"Authorization": f"Bearer {TOKEN}"},
    }
    assert config["tracker_store"]["db"] == "/tmp/x.db"
    # Everything else as in the repository's file, which holds no secret.
    source = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    assert config["nlg"] == source["nlg"]
    assert "headers" not in source["action_endpoint"]
    assert "Authorization" not in (ROOT / "endpoints.yml").read_text()


@dataclass
class ActionServer:
    url: str
    port: int
    proc: subprocess.Popen


@pytest.fixture(scope="module")
def action_server() -> Iterator[ActionServer]:
    port = free_port()
    proc = subprocess.Popen(
        [str(PYTHON), "-m", "scripts.serving.action_server", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, TOKEN_ENV: TOKEN},
    )
    try:
        wait_until(f"http://127.0.0.1:{port}/health", 60, proc)
        yield ActionServer(f"http://127.0.0.1:{port}", port, proc)
    finally:
        stop_process(proc)


CALL = {
    "next_action": "action_suggest_topics",
    "sender_id": "t",
    "version": "3.6.21",
    "tracker": {
        "sender_id": "t",
        "slots": {},
        "latest_message": {"text": "blorp", "intent": {"name": "nlu_fallback"}, "entities": []},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    },
    "domain": {},
}


@pytest.mark.servers
def test_health_needs_no_token(action_server: ActionServer) -> None:
    assert requests.get(f"{action_server.url}/health", timeout=10).json() == {"status": "ok"}


@pytest.mark.servers
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"X-Token": TOKEN},
    ],
    ids=["none", "wrong", "basic", "truncated", "other-header"],
)
def test_without_the_right_token_nothing_runs(
    action_server: ActionServer, headers: dict[str, str]
) -> None:
    for method, path in (("POST", "/webhook"), ("GET", "/actions"), ("GET", "/nowhere")):
        reply = requests.request(
            method, f"{action_server.url}{path}", json=CALL, headers=headers, timeout=10
        )
        assert reply.status_code == 401, (method, path)
        assert reply.json()["error"] == "unauthorized"
        # Neither the body sent nor anything about the token comes back.
        assert "blorp" not in reply.text and TOKEN not in reply.text
    # Nor in the query string.
    assert (
        requests.get(
            f"{action_server.url}/actions", params={"token": TOKEN}, timeout=10
        ).status_code
        == 401
    )


@pytest.mark.servers
def test_the_right_token_runs_the_action(action_server: ActionServer) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    actions = requests.get(f"{action_server.url}/actions", headers=auth, timeout=10)
    assert actions.status_code == 200 and {"name": "action_suggest_topics"} in actions.json()
    reply = requests.post(f"{action_server.url}/webhook", json=CALL, headers=auth, timeout=10)
    assert reply.status_code == 200 and "responses" in reply.json()


@pytest.mark.servers
def test_it_listens_on_loopback_only(action_server: ActionServer) -> None:
    listening = subprocess.run(
        ["ss", "-Hltn", f"sport = :{action_server.port}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert f"127.0.0.1:{action_server.port}" in listening
    assert not [
        a
        for a in listening
        if a.endswith(f":{action_server.port}") and not a.startswith("127.0.0.1:")
    ]


@pytest.mark.unit
def test_it_refuses_to_start_without_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    result = subprocess.run(
        [str(PYTHON), "-m", "scripts.serving.action_server", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert NO_TOKEN in result.stderr
