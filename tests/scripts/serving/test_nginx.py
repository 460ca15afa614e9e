"""nginx with the config make run writes (scripts/serving/nginx_config.py), in front of stand-in
servers: malformed requests stop at nginx, the rest reach the right server unchanged.

Run as root (as CI is), nginx's workers switch to `nobody`; the same config also runs
without root (the second parameter, when the tests have root to drop)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from scripts.serving.nginx_config import (
    HEALTH_PATH,
    Ports,
    render,
    worker_user,
)
from tests.proxy import NGINX, Edge, healthy, nginx, some_ports

pytestmark = pytest.mark.servers


@pytest.fixture(autouse=True)
def nginx_installed() -> None:
    # No test is skipped for a missing service: make install puts Debian's nginx there.
    assert NGINX, "nginx is missing: run `make install` (scripts/install_services.sh)"


class Upstream(BaseHTTPRequestHandler):
    """Answers with what it received, and one CORS header, as Rasa's --cors would."""

    protocol_version = "HTTP/1.1"
    seen: list[dict]

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self.seen.append({"path": self.path, "headers": dict(self.headers)})
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.end_headers()
            self.wfile.flush()
            data = self.connection.recv(100)
            self.connection.sendall(b"echo:" + data)
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = {
            "method": self.command,
            "path": self.path,
            "headers": dict(self.headers),
            "body": body.decode(errors="replace"),
        }
        self.seen.append(seen)
        payload = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "http://localhost:8080")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_OPTIONS = _answer


def start_upstream(port: int, seen: list[dict]) -> ThreadingHTTPServer:
    handler = type("Handler", (Upstream,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


MODES = ["as started", "unprivileged"]


@pytest.fixture(scope="module", params=MODES)
def edge(request: pytest.FixtureRequest) -> Iterator[Edge]:
    unprivileged = request.param == "unprivileged"
    if unprivileged and os.geteuid() != 0:
        pytest.skip("already unprivileged: the other parameter is this case")
    ports = some_ports()
    rasa_seen: list[dict] = []
    web_seen: list[dict] = []
    servers = [
        start_upstream(ports.rasa_internal_port, rasa_seen),
        start_upstream(ports.web_internal_port, web_seen),
    ]
    try:
        with nginx(ports, unprivileged) as running:
            running.rasa_seen, running.web_seen = rasa_seen, web_seen
            yield running
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def raw(port: int, request: bytes, timeout: float = 5) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks)


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/", "/socket.io/"])
def test_content_length_minus_one_gets_400_and_the_next_request_is_answered(
    edge: Edge, path: str
) -> None:
    before = len(edge.rasa_seen)
    answer = raw(
        edge.ports.rasa_port,
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: -1\r\n\r\n{}".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    # It never reached the server behind (Sanic would spin on it).
    assert len(edge.rasa_seen) == before
    reply = requests.post(f"{edge.rasa}/webhooks/rest/webhook", json={"message": "hi"}, timeout=5)
    assert reply.status_code == 200 and reply.json()["body"] == '{"message": "hi"}'
    assert healthy(edge)


def test_the_demo_port_refuses_it_too(edge: Edge) -> None:
    answer = raw(
        edge.ports.web_port, b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert requests.get(edge.web, timeout=5).status_code == 200 and healthy(edge)


def test_requests_reach_rasa_unchanged_with_the_forwarding_headers(edge: Edge) -> None:
    reply = requests.post(
        f"{edge.rasa}/webhooks/rest/webhook?x=1&y=%20z",
        data=b'{"sender": "a"}',
        headers={
            "Origin": "http://localhost:8080",
            "Authorization": "Bearer t",
            "Host": "assistant.example:5005",
            "Content-Type": "application/json",
        },
        timeout=5,
    ).json()
    assert reply["method"] == "POST" and reply["path"] == "/webhooks/rest/webhook?x=1&y=%20z"
    assert reply["body"] == '{"sender": "a"}'
    headers = reply["headers"]
    assert headers["Host"] == "assistant.example:5005"
    assert headers["Origin"] == "http://localhost:8080"
    assert headers["Authorization"] == "Bearer t"
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    page = requests.get(f"{edge.web}/clinic-chat.js?v=1", timeout=5).json()
    assert page["path"] == "/clinic-chat.js?v=1"


def test_cors_headers_come_from_rasa_only_once(edge: Edge) -> None:
    reply = requests.options(
        f"{edge.rasa}/webhooks/rest/webhook", headers={"Origin": "http://localhost:8080"}, timeout=5
    )
    assert reply.raw.headers.getlist("Access-Control-Allow-Origin") == ["http://localhost:8080"]


def test_a_body_over_1_mb_stops_at_nginx(edge: Edge) -> None:
    before = len(edge.rasa_seen)
    reply = requests.post(
        f"{edge.rasa}/webhooks/rest/webhook", data=b"x" * (1024 * 1024 + 1), timeout=10
    )
    assert reply.status_code == 413
    assert len(edge.rasa_seen) == before
    small = requests.post(f"{edge.rasa}/webhooks/rest/webhook", data=b"x" * 900_000, timeout=10)
    assert small.status_code == 200 and len(small.json()["body"]) == 900_000


def test_the_socket_path_upgrades_to_a_websocket(edge: Edge) -> None:
    with socket.create_connection(("127.0.0.1", edge.ports.rasa_port), timeout=5) as s:
        s.sendall(
            b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            b"Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Origin: http://localhost:8080\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(1024)
        assert head.startswith(b"HTTP/1.1 101 ")
        s.sendall(b"ping")
        assert s.recv(100) == b"echo:ping"
    seen = edge.rasa_seen[-1]
    assert seen["path"] == "/socket.io/?EIO=4&transport=websocket"
    assert seen["headers"]["Origin"] == "http://localhost:8080"


def test_nginx_answers_its_health_check_itself(edge: Edge) -> None:
    before = len(edge.rasa_seen)
    assert requests.get(f"{edge.rasa}{HEALTH_PATH}", timeout=5).text == "ok\n"
    assert len(edge.rasa_seen) == before


def test_nothing_is_logged_with_a_url_or_a_body() -> None:
    secret = "token-" + os.urandom(8).hex()
    # Nothing behind it (Rasa restarting): nginx's error line would quote the request line.
    with nginx(some_ports()) as edge:
        reply = requests.get(f"{edge.rasa}/conversations/x/tracker?token={secret}", timeout=5)
        assert reply.status_code == 502
        assert (
            requests.post(
                f"{edge.rasa}/webhooks/rest/webhook?token={secret}", data=secret, timeout=5
            ).status_code
            == 502
        )
        raw(
            edge.ports.rasa_port,
            f"POST /?token={secret} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".encode(),
        )
        time.sleep(0.2)
        files = [p for p in edge.directory.rglob("*") if p.is_file()]
        for path in files:
            assert secret not in path.read_text(errors="replace"), path
        # No access log, no body spooled to a file.
        assert {p.name for p in files} <= {"nginx.conf", "nginx.pid", "stderr.log"}


def test_workers_run_unprivileged(edge: Edge) -> None:
    workers = [
        int(p)
        for p in Path(f"/proc/{edge.proc.pid}/task/{edge.proc.pid}/children").read_text().split()
    ]
    assert workers
    for pid in workers:
        uid = int(Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[0])
        assert uid != 0


def test_the_config_switches_user_only_under_root(tmp_path: Path) -> None:
    ports = Ports()
    assert "\nuser nobody " in render(tmp_path, ports, "nobody nogroup")
    assert "\nuser " not in render(tmp_path, ports, None)
    text = render(tmp_path, ports, worker_user())
    assert ("\nuser " in text) == (os.geteuid() == 0)
    assert "access_log off;" in text and "$request" not in text and "$args" not in text
    assert "listen 0.0.0.0:5005;" in text and "listen 0.0.0.0:8080;" in text
    assert "proxy_pass http://127.0.0.1:5105;" in text
    assert "proxy_pass http://127.0.0.1:8180;" in text
    assert "add_header" not in text  # CORS is Rasa's alone
    v6 = render(tmp_path, Ports(listen_host="::"), None)
    assert "listen [::]:5005;" in v6
