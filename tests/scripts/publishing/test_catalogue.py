import shutil
import subprocess
from pathlib import Path

import pytest

from addons.content.loader import load_answers, load_content
from scripts.publishing.catalogue import blame_dates, last_changed, render
from tests.servers import ROOT

pytestmark = pytest.mark.servers


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_lists_every_topic_with_its_question_filled_answer_and_examples() -> None:
    page = render(ROOT, ROOT / "content")
    answers = load_answers(ROOT / "content")
    assert page.count("<section ") == len(answers) == 24
    booking_url = load_content(ROOT / "content").clinic["clinic_booking_url"]
    assert f"You can book one at {booking_url} or by" in page
    assert "How do I book a consultation?" in page
    assert "<li>how do i book an appointment</li>" in page
    assert "Answer last changed: <span" in page
    assert "<script" not in page


def test_everything_is_escaped(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path, dirs_exist_ok=True)
    answers = tmp_path / "faq.yml"
    answers.write_text(
        answers.read_text().replace(
            "The first step is a consultation.", "The first <script>alert(1)</script> step & more."
        )
    )
    page = render(ROOT, tmp_path)
    assert "The first &lt;script&gt;alert(1)&lt;/script&gt; step &amp; more." in page
    assert "<script>" not in page


def test_last_changed_comes_from_git_and_flags_edits_not_yet_committed(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    answers = tmp_path / "content" / "faq.yml"
    answers.write_text(
        'a:\n  question: "A?"\n  answer: >\n    One.\n\n'
        'b:\n  question: "B?"\n  answer: >\n    Two.\n'
    )
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "answers", "--date", "2024-03-01T12:00:00Z")
    answers.write_text(answers.read_text().replace("Two.", "Two, edited."))
    dates = blame_dates(tmp_path, answers)
    today = subprocess.run(
        ["git", "log", "-1", "--format=%cs"], cwd=tmp_path, capture_output=True, text=True
    ).stdout.strip()
    assert last_changed(dates, range(1, 5)) == today
    assert last_changed(dates, range(6, 10)) == "not yet committed"


def test_without_git_history_the_date_is_unknown(tmp_path: Path) -> None:
    assert blame_dates(tmp_path, tmp_path / "faq.yml") is None
    assert last_changed(None, range(1, 3)) == "unknown (no git history)"
