"""Rasa's own checks: data validation and the story tests in tests/stories/."""

from __future__ import annotations

import subprocess

import pytest

from tests.servers import MODEL, RASA, ROOT


def run_rasa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RASA), *args], cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.mark.servers
def test_data_validates_without_warnings() -> None:
    result = run_rasa("data", "validate", "--fail-on-warning")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.model
@pytest.mark.servers
def test_stories_predict_every_action() -> None:
    result = run_rasa(
        "test",
        "core",
        "--model",
        str(MODEL),
        "--stories",
        "tests/stories",
        "--e2e",
        "--fail-on-prediction-errors",
        "--out",
        "results/stories",
    )
    failed = ROOT / "results" / "stories" / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, details
