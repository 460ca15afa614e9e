"""Button questions for FAQ topics, from the staff's answers file (content/faq.yml).

Read again whenever the file changes, so a publish needs no action server restart.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from addons.content.loader import ANSWERS_FILE, content_dir


def topic_titles() -> dict[str, str]:
    path = content_dir() / ANSWERS_FILE
    # A publish replaces the file (new inode) or rewrites it (new mtime): either reloads.
    stat = path.stat()
    return _read_titles(path, stat.st_mtime_ns, stat.st_ino)


@lru_cache(maxsize=1)
def _read_titles(path: Path, mtime_ns: int, inode: int) -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    return {
        str(topic): str(entry["question"]).strip()
        for topic, entry in data.items()
        if isinstance(entry, dict) and entry.get("question")
    }
