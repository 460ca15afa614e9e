"""Button questions for FAQ topics, read from content/faq_topics.yml on first use."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml

CONTENT_DIR_ENV = "CLINIC_CONTENT_DIR"
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


@lru_cache(maxsize=1)
def topic_titles() -> dict[str, str]:
    directory = Path(os.environ.get(CONTENT_DIR_ENV) or DEFAULT_CONTENT_DIR)
    with (directory / "faq_topics.yml").open(encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    return {str(topic): str(title) for topic, title in data.items()}
