"""make check: the content check for clinic staff, one plain-words line per problem.

.venv/bin/python -m scripts.publishing.check_content
"""

from __future__ import annotations

import sys
from pathlib import Path

from addons.content.cross_checks import check_project

ROOT = Path(__file__).resolve().parents[2]


def report(root: Path, content: Path | None = None) -> tuple[bool, str]:
    problems = check_project(root, content)
    if not problems:
        return True, "All good: the answers, clinic details and crisis lines passed the check."
    count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
    lines = [str(p) for p in problems]
    lines.append(f"Found {count} (file:line: topic: what is wrong). Fix them and check again.")
    return False, "\n".join(lines)


def main() -> int:
    ok, text = report(ROOT)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
