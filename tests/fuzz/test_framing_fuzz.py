"""Fuzz the HTTP framing itself: raw requests to nginx, with the channels behind it.

Sanic 21.12 spins forever on some framing (`Content-Length: -1`); nginx (the config `make
run` writes) must stop every malformed request. Invariant after each example: no 5xx, nginx
and the server behind still healthy, and a normal message and a crisis message answered.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.test_channels_fuzz import CRISIS_TEXT, TOKEN, scripted
from tests.inprocess import ScriptedAgent, both_channels
from tests.proxy import Edge, healthy, nginx, some_ports

pytestmark = pytest.mark.servers

FUZZ = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def edge() -> Iterator[Edge]:
    ports = some_ports()
    with both_channels(ScriptedAgent(scripted), TOKEN, port=ports.rasa_internal_port):
        with nginx(ports) as running:
            yield running


token_chars = st.sampled_from(list("abcXYZ019-_/.?=&%:; \t\r\n\x00\x7f\xff"))
methods = st.one_of(
    st.sampled_from(
        [
            "GET",
            "POST",
            "PUT",
            "OPTIONS",
            "HEAD",
            "DELETE",
            "CONNECT",
            "TRACE",
            "PRI",
            "post",
            "GE T",
            "",
        ]
    ),
    st.text(token_chars, max_size=10),
)
paths = st.one_of(
    st.sampled_from(
        [
            "/webhooks/rest/webhook",
            "/",
            "/socket.io/",
            "/socket.io/?EIO=4&transport=polling",
            "*",
            "//",
            "/%00",
            "/../etc/passwd",
            "http://evil.example/",
            "",
        ]
    ),
    st.text(token_chars, max_size=40),
)
versions = st.sampled_from(
    ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1.1x", "", "http/1.1", "HTTP/9.9"]
)
content_lengths = st.one_of(
    st.sampled_from(
        ["-1", "-0", "0", "+5", " 5", "5 5", "0x10", "99999999999999999999", "1e3", "", "abc"]
    ),
    st.integers(min_value=0, max_value=64).map(str),
)
headers = st.lists(
    st.one_of(
        content_lengths.map(lambda v: f"Content-Length: {v}"),
        st.sampled_from(
            [
                "Transfer-Encoding: chunked",
                "Transfer-Encoding: gzip, chunked",
                "Transfer-Encoding: chunked\r\nContent-Length: 4",
                "Transfer-Encoding: xchunked",
                "Connection: Upgrade",
                "Upgrade: websocket",
                "Expect: 100-continue",
                "Host:",
                "Host: a\x00b",
                " folded: header",
                "NoColon",
                "X-Long: " + "a" * 9000,
                "Content-Type: application/json",
                "Authorization: Bearer " + TOKEN,
            ]
        ),
        st.tuples(
            st.text(token_chars, min_size=1, max_size=12), st.text(token_chars, max_size=30)
        ).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    ),
    max_size=6,
)
bodies = st.one_of(
    st.binary(max_size=80),
    st.sampled_from(
        [
            b"",
            b"{}",
            b"0\r\n\r\n",
            b"5\r\nhello\r\n0\r\n\r\n",
            b"zz\r\nxx\r\n",
            json.dumps({"sender": "a", "message": "hi"}).encode(),
        ]
    ),
)


def exchange(port: int, request: bytes) -> bytes:
    """nginx's answer; the write side is closed, so nginx never waits for a promised body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def say(edge: Edge, text: str) -> str:
    response = requests.post(
        f"{edge.rasa}/webhooks/rest/webhook",
        timeout=10,
        json={"sender": "framing", "message": text},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 200
    return "\n".join(r["text"] for r in response.json())


@FUZZ
@given(
    method=methods,
    path=paths,
    version=versions,
    header_lines=headers,
    body=bodies,
    host=st.booleans(),
)
def test_malformed_framing_never_gets_a_5xx_or_stops_anything(
    edge: Edge,
    method: str,
    path: str,
    version: str,
    header_lines: list[str],
    body: bytes,
    host: bool,
) -> None:
    lines = [f"{method} {path} {version}".encode("latin-1", "replace")]
    if host:
        lines.append(b"Host: localhost")
    lines += [h.encode("latin-1", "replace") for h in header_lines]
    answer = exchange(edge.ports.rasa_port, b"\r\n".join(lines) + b"\r\n\r\n" + body)
    status_line = answer.split(b"\r\n", 1)[0]
    if status_line.startswith(b"HTTP/"):
        code = int(status_line.split()[1])
        assert code < 500, answer[:300]
    assert healthy(edge)
    assert say(edge, "how long does an infusion take?").startswith("An answer.")
    assert "988" in say(edge, CRISIS_TEXT)
