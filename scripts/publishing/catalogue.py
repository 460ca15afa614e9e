"""make catalogue: a read-only page of every FAQ answer, for clinicians to review.

    .venv/bin/python -m scripts.publishing.catalogue      # writes build/catalogue.html

For each topic: the button question, the answer as patients see it (clinic details filled
in), the example questions the assistant learnt from, and when the answer last changed
(git history of its lines). Static HTML, everything escaped, no scripts.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from html import escape
from pathlib import Path

import yaml

from addons.content.loader import ANSWERS_FILE, load_answers, load_content
from addons.content.validators import fill
from addons.content.yaml_index import YamlFile, read_yaml

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "catalogue.html"
NOT_COMMITTED = "0" * 40
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1d1d1d; }
section { border-top: 1px solid #ccc; padding: 0.5rem 0 1rem; }
.answer { white-space: pre-line; background: #f4f7fb; padding: 0.75rem 1rem; border-radius: 6px; }
.meta { color: #555; font-size: 0.9rem; }
.pending { color: #8a4b00; font-weight: bold; }
"""


def answer_lines(faq: YamlFile) -> dict[str, range]:
    """The lines of each topic's entry, without the notes and blank lines after it."""
    starts = sorted((line, key[0]) for key, line in faq.key_lines.items() if len(key) == 1)
    ranges = {}
    for i, (start, topic) in enumerate(starts):
        end = starts[i + 1][0] - 1 if i + 1 < len(starts) else len(faq.lines)
        while end > start and _is_note(faq.lines[end - 1]):
            end -= 1
        ranges[topic] = range(start, end + 1)
    return ranges


def _is_note(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def blame_dates(root: Path, contents: Path) -> dict[int, datetime | None] | None:
    """Commit time of each line of `contents` as content/faq.yml; None if not committed.

    None overall when there is no git history to ask.
    """
    try:
        result = subprocess.run(
            [
                "git",
                "blame",
                "--porcelain",
                "--contents",
                str(contents),
                "--",
                f"content/{ANSWERS_FILE}",
            ],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    times: dict[str, datetime] = {}
    line_commits: dict[int, str] = {}
    commit = ""
    for row in result.stdout.splitlines():
        parts = row.split()
        if row.startswith("\t") or not parts:
            continue
        if len(parts[0]) == 40 and len(parts) >= 3:
            commit = parts[0]
            line_commits[int(parts[2])] = commit
        elif parts[0] == "committer-time":
            times[commit] = datetime.fromtimestamp(int(parts[1]), tz=timezone.utc)
    return {n: None if c == NOT_COMMITTED else times.get(c) for n, c in line_commits.items()}


def last_changed(dates: dict[int, datetime | None] | None, lines: range) -> str:
    if dates is None:
        return "unknown (no git history)"
    changed = [dates.get(n) for n in lines]
    if any(d is None for d in changed):
        return "not yet committed"
    return max(d for d in changed if d is not None).strftime("%Y-%m-%d")


def example_questions(root: Path) -> dict[str, list[str]]:
    data = yaml.safe_load((root / "data" / "nlu" / "faq.yml").read_text(encoding="utf-8"))
    examples: dict[str, list[str]] = {}
    for block in data.get("nlu") or []:
        intent = str(block.get("intent", ""))
        if intent.startswith("faq/"):
            examples[intent[4:]] = [
                line.strip()[2:]
                for line in str(block.get("examples") or "").splitlines()
                if line.strip().startswith("- ")
            ]
    return examples


def render(root: Path, content: Path) -> str:
    clinic = load_content(content)
    values = clinic.template_values(with_links=False)
    answers = load_answers(content)
    faq = read_yaml(content / ANSWERS_FILE, f"content/{ANSWERS_FILE}")
    ranges = answer_lines(faq) if isinstance(faq, YamlFile) else {}
    dates = blame_dates(root, content / ANSWERS_FILE)
    examples = example_questions(root)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>FAQ answers: {escape(clinic.clinic['clinic_name'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>FAQ answers of {escape(clinic.clinic['clinic_name'])}</h1>",
        f'<p class="meta">Generated {generated}. Read-only: answers are edited in '
        f"content/{ANSWERS_FILE} (docs/staff-guide.md). {len(answers)} topics.</p>",
        "<h2>Crisis lines</h2>",
        f"<p>Region {escape(clinic.region)}, in the order the assistant gives them:</p><ol>",
        *(
            f'<li>{escape(r.text)} <span class="meta">({escape(r.link)})</span></li>'
            for r in clinic.resources
        ),
        "</ol>",
        f"<p>Reminder after a crisis: {escape(clinic.reminder)}</p>",
        "<h2>Topics</h2><ol>",
        *(f'<li><a href="#{escape(t)}">{escape(e.question)}</a></li>' for t, e in answers.items()),
        "</ol>",
    ]
    for topic, entry in answers.items():
        changed = last_changed(dates, ranges.get(topic, range(0)))
        changed_class = ' class="pending"' if changed == "not yet committed" else ""
        questions = examples.get(topic, [])
        parts += [
            f'<section id="{escape(topic)}">',
            f"<h3>{escape(entry.question)}</h3>",
            f'<p class="meta">Topic <code>{escape(topic)}</code>. Answer last changed: '
            f"<span{changed_class}>{escape(changed)}</span></p>",
            f'<p class="answer">{escape(fill(entry.answer, values))}</p>',
            f"<details><summary>{len(questions)} example questions</summary><ul>",
            *(f"<li>{escape(q)}</li>" for q in questions),
            "</ul></details></section>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_catalogue(root: Path, content: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(root, content), encoding="utf-8")
    return out


def main() -> int:
    path = write_catalogue(ROOT, ROOT / "content", OUT)
    print(f"Answers catalogue written: {path.relative_to(ROOT)} (open it in a web browser)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
