import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.publishing.check_content import report
from tests.servers import ROOT

pytestmark = pytest.mark.servers


def test_the_real_content_passes() -> None:
    assert report(ROOT) == (
        True,
        "All good: the answers, clinic details and crisis lines passed the check.",
    )


def test_problems_are_listed_one_per_line_with_a_summary(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path, dirs_exist_ok=True)
    answers = tmp_path / "faq.yml"
    text = answers.read_text()
    answers.write_text(text.replace("at {clinic_booking_url}", "at {clinic_booking_link}"))
    lines = answers.read_text().splitlines()
    link = next(n for n, line in enumerate(lines, 1) if "{clinic_booking_link}" in line)
    ok, output = report(ROOT, tmp_path)
    assert not ok
    assert output.splitlines() == [
        f"content/faq.yml:{link}: booking: the answer contains {{clinic_booking_link}}, which is "
        "not a known clinic detail; did you mean {clinic_booking_url}?",
        "Found 1 problem (file:line: topic: what is wrong). Fix them and check again.",
    ]


def test_make_check_passes_on_the_real_data() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout) == (
        0,
        "All good: the answers, clinic details and crisis lines passed the check.\n",
    )
