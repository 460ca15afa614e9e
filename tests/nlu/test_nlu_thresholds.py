"""The trained model on the held-out phrasings in this folder (never training data).

Thresholds: crisis and emergency recall 100%, FAQ topic accuracy at least 90%, and every
idiom / negation / informational question answered with the crisis reminder (or, at
worst, escalated: never silently).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from addons.content.loader import load_answers
from tests.servers import ROOT

pytestmark = pytest.mark.model

HERE = Path(__file__).parent
REPORT = ROOT / "results" / "nlu_report.json"
TOPIC_ACCURACY_MIN = 0.90
BOUNDARY_NORMAL_ANSWER_MIN = 0.80


def examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (block["intent"], line[2:].strip())
        for block in data["nlu"]
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def answered_label(parse: dict[str, Any]) -> str:
    """What the bot acts on: the intent, or faq/<topic> for an FAQ answer."""
    intent = parse["intent"]["name"]
    if intent == "faq":
        key = parse["response_selector"]["faq"]["response"]["intent_response_key"]
        return f"faq/{key.split('/', 1)[1]}"
    return intent


@pytest.fixture(scope="module")
def parse(model_agent):
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(model_agent.parse_message(text))
    loop.close()


@pytest.fixture(scope="module")
def results(parse) -> dict[str, Any]:
    rows = [(gold, text, parse(text)) for gold, text in examples(HERE / "nlu_test.yml")]
    boundaries = yaml.safe_load((HERE / "crisis_boundaries.yml").read_text())["cases"]
    boundary_rows = [(case, parse(case["text"])) for case in boundaries]

    def recall(label: str) -> tuple[int, int]:
        subset = [answered_label(p) == label for gold, _, p in rows if gold == label]
        return sum(subset), len(subset)

    topics = [(gold, answered_label(p)) for gold, _, p in rows if gold.startswith("faq/")]
    others = [
        (gold, answered_label(p))
        for gold, _, p in rows
        if not gold.startswith("faq/") and gold not in ("crisis", "medical_emergency")
    ]
    summary = {
        "crisis_recall": recall("crisis"),
        "emergency_recall": recall("medical_emergency"),
        "topic_accuracy": (sum(g == a for g, a in topics), len(topics)),
        "topic_fallbacks": sum(a == "nlu_fallback" for _, a in topics),
        "other_intent_accuracy": (sum(g == a for g, a in others), len(others)),
        "boundary_normal_answer": (
            sum(
                p["intent"]["name"] not in ("crisis", "medical_emergency") for _, p in boundary_rows
            ),
            len(boundary_rows),
        ),
        "boundary_by_kind": dict(Counter(c["kind"] for c, _ in boundary_rows)),
        "missed_crisis": [t for g, t, p in rows if g == "crisis" and answered_label(p) != "crisis"],
        "topic_errors": [(g, a) for g, a in topics if g != a],
    }
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(summary, indent=2))
    summary["boundary_rows"] = boundary_rows
    return summary


@pytest.mark.publish
def test_every_crisis_phrasing_is_caught(results) -> None:
    caught, total = results["crisis_recall"]
    assert total == 40
    assert caught == total, results["missed_crisis"]


@pytest.mark.publish
def test_every_emergency_phrasing_is_caught(results) -> None:
    caught, total = results["emergency_recall"]
    assert total >= 8 and caught == total


def test_topic_accuracy(results) -> None:
    correct, total = results["topic_accuracy"]
    assert total >= 5 * 24
    assert correct / total >= TOPIC_ACCURACY_MIN, results["topic_errors"]


@pytest.mark.publish
def test_idioms_negations_and_questions_get_the_reminder_or_escalate(results) -> None:
    rows = results["boundary_rows"]
    assert len(rows) >= 20
    for case, parse in rows:
        escalated = parse["intent"]["name"] == "crisis"
        reminded = parse["crisis_check"]["verdict"] == "mention"
        assert escalated or reminded, case["text"]


def test_idioms_negations_and_questions_mostly_get_their_normal_answer(results) -> None:
    normal, total = results["boundary_normal_answer"]
    assert normal / total >= BOUNDARY_NORMAL_ANSWER_MIN


@pytest.mark.publish
def test_every_button_question_lands_on_its_topic(parse) -> None:
    """A suggestion button sends its question: it must get that topic's answer."""
    landed = {f"faq/{t}": answered_label(parse(e.question)) for t, e in load_answers().items()}
    assert {gold: label for gold, label in landed.items() if gold != label} == {}
