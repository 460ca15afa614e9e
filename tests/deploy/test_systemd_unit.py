"""deploy/clinic-assistant.service: systemd accepts it without a warning, with the project's
real path in place of the placeholder, and it keeps its hardening."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.servers import ROOT

pytestmark = pytest.mark.servers

UNIT = ROOT / "deploy" / "clinic-assistant.service"
PLACEHOLDER = "/opt/clinic-assistant"
ANALYZE = shutil.which("systemd-analyze")


def service() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    return parser["Service"]


def test_systemd_analyze_verify_passes_without_warnings(tmp_path: Path) -> None:
    assert ANALYZE, "systemd-analyze is missing: run `make install` (scripts/install_services.sh)"
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace(PLACEHOLDER, str(ROOT)))
    result = subprocess.run(
        [str(ANALYZE), "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Warnings (an unknown key, a path that is not there) do not fail the command.
    assert UNIT.name not in output and str(unit) not in output, output


def test_it_runs_the_supervisor_through_run_sh_from_the_project() -> None:
    unit = service()
    assert unit["WorkingDirectory"] == PLACEHOLDER
    assert unit["ExecStart"] == f"{PLACEHOLDER}/scripts/run.sh"
    assert os.access(ROOT / "scripts" / "run.sh", os.X_OK)
    assert (
        "exec .venv/bin/python -m scripts.serving.supervise"
        in (ROOT / "scripts/run.sh").read_text()
    )
    assert unit["Restart"] == "on-failure"
    assert unit["KillMode"] == "mixed"
    assert unit["EnvironmentFile"].lstrip("-").startswith("/etc/")


def test_it_is_hardened() -> None:
    unit = service()
    assert unit["User"] and unit["User"] != "root"
    for key, value in [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("PrivateTmp", "yes"),
        ("ProtectHome", "yes"),
        ("CapabilityBoundingSet", ""),
    ]:
        assert unit[key] == value, key
    assert unit["ReadWritePaths"] == PLACEHOLDER
