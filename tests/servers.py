"""Starts the real action server and Rasa server for end-to-end and browser tests."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from scripts.serving.action_server import TOKEN_ENV as ACTION_TOKEN_ENV
from scripts.serving.action_server import write_endpoints

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv" / "bin" / "rasa"
PYTHON = ROOT / ".venv" / "bin" / "python"
# make publish runs the model tests against its candidate model.
MODEL = Path(os.environ.get("CLINIC_MODEL") or ROOT / "models" / "clinic.tar.gz")


_handed_out: set[int] = set()


def free_port() -> int:
    """A port free now and not handed out before in this run: several servers get theirs
    before any of them binds."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def wait_until(url: str, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not come up in {timeout} s")


@dataclass
class Servers:
    workdir: Path
    model: Path = MODEL
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    allowed_origins: str = "http://localhost:8080"
    extra_args: list[str] = field(default_factory=list)
    # A copy of the project to run (publish tests), and extra environment for both servers.
    root: Path = ROOT
    env: dict[str, str] = field(default_factory=dict)
    # The HTTP API is always on with a token, as in scripts/run.sh.
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    # The action server answers only with it; Rasa sends it (the endpoints file's header).
    action_token: str = field(default_factory=lambda: secrets.token_hex(16))
    # The REST webhook's integration token (CLINIC_REST_TOKENS="tests:<token>").
    rest_token: str = field(default_factory=lambda: secrets.token_hex(32))
    session_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    rasa: subprocess.Popen | None = None
    actions: subprocess.Popen | None = None
    # The demo page with the chat widget (scripts/serving/serve_demo.py), for browser tests.
    web_port: int = field(default_factory=free_port)
    web: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def bot_url(self) -> str:
        """The assistant as the widget's configuration names it (another origin than the page)."""
        return f"http://localhost:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://localhost:{self.web_port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "rasa.log"

    def _endpoints(self) -> Path:
        # As scripts/serving/supervise.py writes it for make run: the token in the header
        # (mode 600).
        return write_endpoints(
            self.root / "endpoints.yml",
            self.workdir / "endpoints.yml",
            f"http://127.0.0.1:{self.actions_port}/webhook",
            self.action_token,
            db=str(self.workdir / "conversations.db"),
        )

    def start_actions(self) -> None:
        # scripts/serving/action_server.py as make run starts it: on 127.0.0.1, behind the token.
        self.actions = subprocess.Popen(
            [
                str(PYTHON),
                "-m",
                "scripts.serving.action_server",
                "--actions",
                "actions",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.actions_port),
            ],
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **self.env, ACTION_TOKEN_ENV: self.action_token},
        )
        wait_until(f"http://127.0.0.1:{self.actions_port}/health", 60, self.actions)

    def stop_actions(self) -> None:
        stop_process(self.actions)
        self.actions = None

    def start_rasa(self) -> None:
        log = self.log_path.open("ab")
        # As scripts/run.sh starts it: the token in the environment, not on the command line.
        self.rasa = subprocess.Popen(
            [
                str(PYTHON),
                "-m",
                "scripts.serving.rasa_server",
                "--model",
                str(self.model),
                "--endpoints",
                str(self._endpoints()),
                "--credentials",
                str(self.root / "credentials.yml"),
                "-i",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
                "--cors",
                *self.allowed_origins.split(),
                "--enable-api",
                *self.extra_args,
            ],
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # The socket channel reads the allowed origins from here, as with scripts/run.sh.
            env={
                **os.environ,
                "PYTHONUNBUFFERED": "1",
                "RASA_AUTH_TOKEN": self.token,
                "CLINIC_ALLOWED_ORIGINS": self.allowed_origins,
                "CLINIC_REST_TOKENS": f"{REST_INTEGRATION}:{self.rest_token}",
                "CLINIC_SESSION_SECRET": self.session_secret,
                **self.env,
            },
        )
        wait_until(f"{self.url}/", 180, self.rasa)

    def stop_rasa(self) -> None:
        stop_process(self.rasa)
        self.rasa = None

    def start(self) -> Servers:
        try:
            self.start_actions()
            self.start_rasa()
        except BaseException:
            # The caller never gets the object to stop: leave no server behind.
            self.stop()
            raise
        return self

    def start_web(self) -> None:
        self.web = subprocess.Popen(
            [
                str(PYTHON),
                "-m",
                "scripts.serving.serve_demo",
                "--port",
                str(self.web_port),
                "--bot-url",
                self.bot_url,
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **self.env},
        )
        wait_until(f"http://127.0.0.1:{self.web_port}/", 30, self.web)

    def stop(self) -> None:
        stop_process(self.web)
        self.web = None
        self.stop_rasa()
        self.stop_actions()

    def say(self, sender: str, text: str, timeout: float = 30) -> list:
        return say(self.url, sender, text, timeout, self.rest_token)

    def post(self, body: bytes | None = None, **kwargs: Any) -> requests.Response:
        """A raw POST to the REST webhook, with the integration token unless told otherwise."""
        headers = {"Authorization": f"Bearer {self.rest_token}", **kwargs.pop("headers", {})}
        return requests.post(
            f"{self.url}/webhooks/rest/webhook",
            data=body,
            headers=headers,
            timeout=kwargs.pop("timeout", 30),
            **kwargs,
        )

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call to Rasa's HTTP API with the API token in the header."""
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return requests.request(
            method,
            f"{self.url}{path}",
            headers=headers,
            timeout=kwargs.pop("timeout", 30),
            **kwargs,
        )

    def conversation(self, sender: str) -> str:
        """The tracker id of a REST sender of these tests."""
        return f"rest:{REST_INTEGRATION}:{sender}"


REST_INTEGRATION = "tests"


def say(url: str, sender: str, text: str, timeout: float = 30, token: str = "") -> list:
    """The replies of the assistant at `url` to one message over the REST webhook."""
    response = requests.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers={"Authorization": f"Bearer {token}"} if token else {},
        timeout=timeout,
    )
    response.raise_for_status()
    return response.json()


def texts(replies: list) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def page_servers(workdir: Path) -> Servers:
    """All three servers, the socket accepting only the demo page's origin, as in make run."""
    web_port = free_port()
    servers = Servers(
        workdir=workdir, web_port=web_port, allowed_origins=f"http://localhost:{web_port}"
    ).start()
    try:
        servers.start_web()
    except BaseException:
        servers.stop()
        raise
    return servers


# A copy of the project has every top-level file (Makefile, locks, configs): the Makefile
# needs them.
COPIED_DIRS = ["data", "content", "addons", "actions", "scripts", "tests", "web"]


def copy_project(dest: Path, with_model: bool = True) -> Path:
    """A copy of the project to change freely, sharing .venv (and the trained model)."""
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache")
    for source in ROOT.iterdir():
        if source.is_file():
            shutil.copy2(source, dest / source.name)
    for name in COPIED_DIRS:
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    (dest / "models").mkdir()
    if with_model:
        shutil.copy2(MODEL, dest / "models" / "clinic.tar.gz")
    return dest


def stop_process(proc: subprocess.Popen | None, timeout: float = 20) -> None:
    """Stops a server started in a session of its own, with everything it started."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def require_model() -> None:
    if not MODEL.exists():
        sys.exit(f"{MODEL} is missing: run 'make train' first")
    if shutil.which(str(RASA)) is None:
        sys.exit(f"{RASA} is missing: run 'make install' first")
