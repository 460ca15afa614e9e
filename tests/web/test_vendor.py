"""The vendored socket.io-client build is the one recorded, and speaks the server's protocol."""

from __future__ import annotations

import hashlib
import re
from importlib.metadata import version

import pytest

from scripts.serving.serve_demo import WEB_ROOT

pytestmark = pytest.mark.unit

VENDOR = WEB_ROOT / "vendor"


def recorded() -> dict[str, tuple[str, str]]:
    """File name -> (package@version, sha256) from web/vendor/VERSIONS."""
    rows = {}
    for line in (VENDOR / "VERSIONS").read_text().splitlines():
        if line and not line.startswith("#"):
            name, package, sha256, _integrity = line.split("\t")
            rows[name] = (package, sha256)
    return rows


def test_every_vendored_file_is_recorded_with_its_sha256() -> None:
    rows = recorded()
    assert set(rows) == {p.name for p in VENDOR.glob("*.js")}
    for name, (_package, sha256) in rows.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == sha256, name


def test_socket_io_client_matches_the_server_protocol() -> None:
    package, _ = recorded()["socket.io.min.js"]
    banner = (VENDOR / "socket.io.min.js").read_text()[:200]
    client = re.search(r"Socket\.IO v(\d+)\.(\d+)\.(\d+)", banner)
    assert client and package == f"socket.io-client@{'.'.join(client.groups())}"
    # socket.io-client 3.x/4.x and python-socketio 5.x both speak Socket.IO protocol 5.
    assert client.group(1) == "4"
    assert version("python-socketio").startswith("5.")
