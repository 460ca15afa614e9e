"""scripts/install_services.sh asks apt-get only for what is missing (with stand-in
apt-get and apt-cache that only record what they were asked)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.servers import ROOT

pytestmark = pytest.mark.servers

SCRIPT = ROOT / "scripts" / "install_services.sh"


def run(tmp_path: Path, tools: list[str]) -> tuple[subprocess.CompletedProcess, list[str]]:
    """The script with only `tools` (and the stand-ins) on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ["bash", "awk", "id", "cat", *tools]:
        found = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    calls = tmp_path / "calls"
    for fake, body in {
        "apt-get": f'echo "apt-get $*" >> {calls}',
        "apt-cache": 'echo "$2:"; echo "  Candidate: 1.0"',
        "sudo": '"$@"',
    }.items():
        (bin_dir / fake).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / fake).chmod(0o755)
    result = subprocess.run(
        [shutil.which("bash") or "bash", str(SCRIPT)],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result, (calls.read_text().splitlines() if calls.exists() else [])


def test_nothing_is_installed_when_both_are_there(tmp_path: Path) -> None:
    assert shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"), "run `make install`"
    assert shutil.which("systemd-analyze"), "run `make install`"
    result, calls = run(tmp_path, ["systemd-analyze"])
    assert result.returncode == 0, result.stderr
    assert calls == []


def test_only_the_missing_one_is_asked_for(tmp_path: Path) -> None:
    assert os.path.exists("/usr/sbin/nginx"), "Debian's nginx is missing: run `make install`"
    # No systemd-analyze on PATH; nginx is found in /usr/sbin even off PATH.
    result, calls = run(tmp_path, [])
    assert result.returncode == 0, result.stderr
    assert calls == ["apt-get install -y --no-install-recommends systemd"]
