"""make publish against real servers, in a copy of the project (the real one is not touched).

The copy shares .venv and Rasa's training cache, so training an answer-only edit is a
cache hit, as it is for staff.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.servers import ROOT, Servers, copy_project, texts

# One xdist worker for the two files that train in a copy of the project: one Rasa cache.
pytestmark = [
    pytest.mark.servers,
    pytest.mark.model,
    pytest.mark.xdist_group("rasa_training_cache"),
]

QUESTION = "how long does an infusion take?"
OLD = "The infusion itself usually runs about 40 to 60 minutes."
NEW = "An infusion takes about an hour, published a moment ago."


def run(project: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        list(args),
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "RASA_CACHE_DIRECTORY": str(ROOT / ".rasa" / "cache"), **(env or {})},
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("project"))
    result = run(project, ".venv/bin/python", "-m", "scripts.publishing.publish", "--for-run")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="module")
def servers(project: Path, tmp_path_factory: pytest.TempPathFactory):
    current = project / "published" / "current"
    running = Servers(
        workdir=tmp_path_factory.mktemp("servers"),
        root=project,
        model=current / "clinic.tar.gz",
        env={"CLINIC_CONTENT_DIR": str(current / "content")},
    ).start()
    yield running
    running.stop()


def publish(project: Path, servers: Servers):
    started = time.monotonic()
    result = run(
        project,
        "make",
        "--no-print-directory",
        "-o",
        ".venv/.installed",
        "publish",
        env={"RASA_URL": servers.url, "RASA_AUTH_TOKEN": servers.token},
    )
    print(f"make publish: {time.monotonic() - started:.1f} s, exit code {result.returncode}")
    return result


def test_an_edited_answer_goes_live_and_open_conversations_continue(
    project: Path, servers: Servers
) -> None:
    assert OLD in texts(servers.say(f"new-{uuid.uuid4().hex[:8]}", QUESTION))
    # A conversation open before the swap: its crisis turn must still count afterwards.
    open_conversation = f"open-{uuid.uuid4().hex[:8]}"
    assert "988" in texts(servers.say(open_conversation, "I want to kill myself"))

    edit(project / "content" / "faq.yml", OLD, NEW)
    result = publish(project, servers)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Published in" in result.stdout

    assert NEW in texts(servers.say(f"new-{uuid.uuid4().hex[:8]}", QUESTION))
    reply = texts(servers.say(open_conversation, QUESTION))
    assert NEW in reply and "call or text 988" in reply
    tracker = servers.api(
        "GET", f"/conversations/{servers.conversation(open_conversation)}/tracker"
    ).json()
    intents = [e["parse_data"]["intent"]["name"] for e in tracker["events"] if e["event"] == "user"]
    assert intents == ["crisis", "faq"]
    assert (project / "build" / "catalogue.html").read_text().count(NEW) == 1


def test_a_broken_answer_file_leaves_the_old_version_serving(
    project: Path, servers: Servers
) -> None:
    answers = project / "content" / "faq.yml"
    edit(answers, NEW, "Call {clinic_phne} to ask.")
    line = next(
        n for n, text in enumerate(answers.read_text().splitlines(), 1) if "{clinic_phne}" in text
    )
    try:
        result = publish(project, servers)
    finally:
        edit(answers, "Call {clinic_phne} to ask.", NEW)
    assert result.returncode == 2  # make's code for a failed step
    assert result.stdout.splitlines()[-4:] == [
        f"content/faq.yml:{line}: session_length: the answer contains {{clinic_phne}}, which "
        "is not a known clinic detail; did you mean {clinic_phone}?",
        "Found 1 problem (file:line: topic: what is wrong). Fix them and check again.",
        "Publishing stopped: fix the problems above, then run make publish again. The bot is "
        "still serving the previous version.",
        "Details for a developer: build/publish/publish.log",
    ]
    assert "Traceback" not in result.stdout + result.stderr
    assert NEW in texts(servers.say(f"new-{uuid.uuid4().hex[:8]}", QUESTION))


def test_a_failing_crisis_test_leaves_the_old_version_serving(
    project: Path, servers: Servers
) -> None:
    sabotage = project / "tests" / "addons" / "test_sabotage.py"
    sabotage.write_text(
        "import pytest\n\n\n@pytest.mark.publish\n"
        "def test_a_crisis_check_fails() -> None:\n    assert False\n"
    )
    edit(project / "content" / "faq.yml", NEW, "This answer must never go live.")
    try:
        result = publish(project, servers)
    finally:
        sabotage.unlink()
        edit(project / "content" / "faq.yml", "This answer must never go live.", NEW)
    assert result.returncode == 2
    assert result.stdout.splitlines()[-2:] == [
        "Publishing stopped: the crisis safety and answer tests failed on the new version. The "
        "bot is still serving the previous version.",
        "Details for a developer: build/publish/publish.log",
    ]
    log = project / "build" / "publish" / "publish.log"
    assert "test_a_crisis_check_fails" in log.read_text()
    assert NEW in texts(servers.say(f"new-{uuid.uuid4().hex[:8]}", QUESTION))


def test_the_server_refuses_broken_content_and_keeps_its_agent(
    project: Path, servers: Servers
) -> None:
    answers = project / "published" / "current" / "content" / "faq.yml"
    good = answers.read_text()
    answers.write_text(good.replace(NEW, "Call {clinic_phne}."))
    try:
        response = servers.api(
            "PUT",
            "/model",
            json={"model_file": str(project / "published" / "current" / "clinic.tar.gz")},
            timeout=300,
        )
    finally:
        answers.write_text(good)
    assert response.status_code == 500
    assert NEW in texts(servers.say(f"new-{uuid.uuid4().hex[:8]}", QUESTION))


def test_a_restart_with_a_broken_edit_serves_the_published_version(project: Path) -> None:
    current = os.readlink(project / "published" / "current")
    edit(project / "content" / "faq.yml", NEW, "Call {clinic_phne}.")
    try:
        result = run(project, ".venv/bin/python", "-m", "scripts.publishing.publish", "--for-run")
    finally:
        edit(project / "content" / "faq.yml", "Call {clinic_phne}.", NEW)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == (
        "WARNING: content/ or data/ has problems (see above), so the bot starts with the last "
        "published version. Fix the problems, then run make publish."
    )
    assert os.readlink(project / "published" / "current") == current


def test_a_broken_edit_and_nothing_published_stops_the_start(tmp_path: Path) -> None:
    project = copy_project(tmp_path, with_model=False)
    edit(project / "content" / "faq.yml", OLD, "Call {clinic_phne}.")
    result = run(project, ".venv/bin/python", "-m", "scripts.publishing.publish", "--for-run")
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == (
        "Cannot start: content/ or data/ has problems (see above), and there is no published "
        "version to fall back to. Fix the problems and run make run again."
    )
