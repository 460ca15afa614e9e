import os
from pathlib import Path

import pytest

from actions.topic_titles import topic_titles

pytestmark = pytest.mark.unit


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLINIC_CONTENT_DIR", str(tmp_path))
    return tmp_path


def write_answers(directory: Path, question: str, mtime_ns: int) -> None:
    path = directory / "faq.yml"
    path.write_text(f'booking:\n  question: "{question}"\n  answer: >\n    Call us.\n')
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_reads_the_button_question_of_each_topic() -> None:
    titles = topic_titles()
    assert titles["booking"] == "How do I book a consultation?"
    assert len(titles) == 24


def test_a_changed_file_is_read_again_without_a_restart(content: Path) -> None:
    write_answers(content, "How do I book?", 1_000_000_000)
    assert topic_titles() == {"booking": "How do I book?"}
    write_answers(content, "How can I book a visit?", 2_000_000_000)
    assert topic_titles() == {"booking": "How can I book a visit?"}


def test_a_replaced_file_is_read_again(content: Path) -> None:
    write_answers(content, "How do I book?", 1_000_000_000)
    assert topic_titles() == {"booking": "How do I book?"}
    replacement = content / "new.yml"
    replacement.write_text('booking:\n  question: "Book now?"\n  answer: >\n    Call us.\n')
    os.utime(replacement, ns=(1_000_000_000, 1_000_000_000))
    replacement.replace(content / "faq.yml")
    assert topic_titles() == {"booking": "Book now?"}
