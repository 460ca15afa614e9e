"""Button questions for FAQ topics, from the staff's answers file (content/faq.yml).

Read again whenever the file changes, so a publish needs no action server restart. Read
here rather than through addons/, so the action server needs nothing of the Rasa server.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml

CONTENT_DIR_ENV = "CLINIC_CONTENT_DIR"
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
ANSWERS_FILE = "faq.yml"


def topic_titles() -> dict[str, str]:
    path = Path(os.environ.get(CONTENT_DIR_ENV) or DEFAULT_CONTENT_DIR) / ANSWERS_FILE
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
