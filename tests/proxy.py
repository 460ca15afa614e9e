"""nginx with the config `make run` writes, started for tests on spare ports (a temp dir)."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scripts.serving.nginx_config import (
    Ports,
    command,
    health_url,
    worker_user,
    write,
)
from scripts.serving.supervise import check_health
from tests.servers import free_port

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


@dataclass
class Edge:
    ports: Ports
    proc: subprocess.Popen
    directory: Path
    stderr: Path
    rasa_seen: list[dict] = field(default_factory=list)
    web_seen: list[dict] = field(default_factory=list)

    @property
    def rasa(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa_port}"

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.ports.web_port}"


@contextmanager
def nginx(ports: Ports, unprivileged: bool = False) -> Iterator[Edge]:
    # Not under pytest's tmp_path (mode 700 under root's): nobody must reach it.
    directory = Path(tempfile.mkdtemp(prefix="clinic-nginx-"))
    directory.chmod(0o755)
    conf = write(directory, ports, None if unprivileged else worker_user())
    kwargs: dict = {}
    if unprivileged:
        nobody = pwd.getpwnam("nobody")
        for path in [directory, *directory.rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        kwargs = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
    stderr = directory / "stderr.log"
    with stderr.open("wb") as err:
        proc = subprocess.Popen(
            command(conf), stdout=subprocess.DEVNULL, stderr=err, start_new_session=True, **kwargs
        )
    try:
        deadline = time.monotonic() + 10
        while check_health(health_url(ports), 1) is not None:
            assert proc.poll() is None, stderr.read_text()
            assert time.monotonic() < deadline, "nginx did not come up"
            time.sleep(0.05)
        yield Edge(ports, proc, directory, stderr)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


def some_ports() -> Ports:
    return Ports("127.0.0.1", free_port(), free_port(), free_port(), free_port())


def healthy(edge: Edge) -> bool:
    return edge.proc.poll() is None and check_health(health_url(edge.ports), 2) is None
