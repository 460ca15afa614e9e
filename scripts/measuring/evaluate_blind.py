"""Measure the assistant on a blind test set, next to two baselines, without tuning anything.

    .venv/bin/python -m scripts.measuring.evaluate_blind [--model PATH] [--sets DIR] [--out FILE]

Reads `<name>_questions.yml` (sections faq [topic, text], clinic_info [need, text],
unanswerable [text], off_topic [text]) and `<name>_safety.yml` (crisis [kind, text],
emergency [text], safe [kind, text]) from --sets (default tests/nlu/blind, name set6) and
runs every message through three systems:

- **project**: the real assistant in-process, `Agent.load(--model, generator=<this
  project's NLG>)`, in-memory tracker store, no action server (custom actions fail, Rasa
  carries on). Every message is the first turn of a fresh conversation (a new sender id).
- **rasa_default**: Rasa's default configuration (DEFAULT_CONFIG in
  scripts/measuring/bench.py: empty pipeline and policies) trained on the same data/ and
  domain.yml, loaded the same way and with the same NLG, but with none of the project's
  NLU components (no crisis detector, no selector gate). It is trained into
  build/bench/default.tar.gz if that file is missing.
- **tfidf_nn**: a TF-IDF nearest neighbour over the training examples in data/nlu/*.yml
  (word 1-2 grams plus char_wb 2-4 grams, cosine), predicting the intent of the closest
  example; no threshold, nothing tuned.

How an outcome is read (Rasa systems). After the message, the conversation's tracker is
retrieved from the agent's tracker store and the events after the user's message are the
turn. The user sees BotUttered events, so those decide: each carries the response name it
was generated from in its metadata, `utter_action`. For a retrieval answer, Rasa runs the
action `utter_faq` (ActionExecuted "utter_faq"), which takes the topic the ResponseSelector
put in the parse data (`response_selector.faq.response.utter_action`, e.g.
"utter_faq/booking"; under `default` instead of `faq` for a selector trained without a
retrieval intent, as in Rasa's default config) and utters that response, so its BotUttered
metadata is `{"utter_action": "utter_faq/booking"}`. The script checks that the two agree
for every FAQ answer (`systems.<name>.timing.consistency` in the JSON). In order of
precedence:

- `crisis`: a BotUttered from `utter_crisis` (the crisis lines);
- `emergency`: a BotUttered from `utter_emergency` (the emergency number);
- `faq:<topic>`: a BotUttered from `utter_faq/<topic>`;
- `no_answer:<name>`: anything else, named by the first response uttered
  (`utter_ask_rephrase` is the fallback, followed by the `action_suggest_topics` buttons,
  which fail here without an action server; `utter_handoff` the contact details;
  `utter_out_of_scope`, `utter_greet`, ...), or, if nothing was uttered, by the first
  action run (e.g. `action_default_fallback`), or `nothing`.

Separately, for the text of every BotUttered of the turn: `crisis_line` is whether the
crisis line's digits 988 appear in it (as a number of their own: the crisis reply lists
988, and after a crisis word the project's NLG adds a one-line 988 reminder to any answer),
and `emergency_line` whether the region's emergency number (911, from content/) does.

The TF-IDF baseline has no replies: its predicted intent maps to the same outcomes (crisis
-> crisis, medical_emergency -> emergency, faq/<t> -> faq:<t>, any other intent ->
no_answer:<the response its rule in data/rules/ utters>), and its lines follow from the
outcome (the crisis reply carries 988 and 911, the emergency reply 911, nothing else
carries either: no FAQ answer in content/ names them and it has no reminder).

Writes the JSON (every message's outcome, the measures, timings and provenance) to --out
and a markdown report beside it (same name, .md); --docs-copy also writes the markdown
there (refusing to overwrite an existing file), for a copy kept in the repository.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import hashlib
import json
import logging
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SETS = ROOT / "tests" / "nlu" / "blind"
DEFAULT_MODEL = ROOT / "models" / "clinic.tar.gz"
DEFAULT_BASELINE_MODEL = ROOT / "build" / "bench" / "default.tar.gz"
BENCH_SCRIPT = Path(__file__).with_name("bench.py")
NLG_CLASS = "addons.nlg.ClinicNaturalLanguageGenerator"

QUESTION_SECTIONS = {
    "faq": "topic",
    "clinic_info": "need",
    "unanswerable": None,
    "off_topic": None,
    "spanish_faq": "topic",
}
# Sections a set may leave out (set 6 has no Spanish FAQ questions).
OPTIONAL_SECTIONS = {"spanish_faq"}
SAFETY_SECTIONS = {"crisis": "kind", "emergency": None, "safe": "kind"}
NON_FAQ_QUESTIONS = ("clinic_info", "unanswerable", "off_topic")

CRISIS = "crisis"
EMERGENCY = "emergency"
FAQ_PREFIX = "faq:"
NO_ANSWER_PREFIX = "no_answer:"
FULL_REPLY = (CRISIS, EMERGENCY)
CRISIS_LINE = "988"
SPANISH = "spanish"

SYSTEMS = ("project", "tfidf_nn", "rasa_default")
SYSTEM_TITLES = {
    "project": "project today",
    "tfidf_nn": "TF-IDF NN",
    "rasa_default": "Rasa default config",
}


@dataclass(frozen=True)
class Item:
    section: str
    label: str  # topic, need or kind; "" where the section has none
    text: str


@dataclass
class Row:
    section: str
    label: str
    text: str
    outcome: str
    crisis_line: bool
    emergency_line: bool
    intent: str | None = None
    selector_topic: str | None = None
    responses: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


# --- the blind sets -----------------------------------------------------------------


def load_sets(directory: Path, name: str) -> list[Item]:
    items: list[Item] = []
    for suffix, sections in (("questions", QUESTION_SECTIONS), ("safety", SAFETY_SECTIONS)):
        path = directory / f"{name}_{suffix}.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        unknown = set(data) - set(sections)
        if unknown:
            raise SystemExit(f"{path}: unknown sections {sorted(unknown)}")
        for section, label_key in sections.items():
            entries = data.get(section) or []
            if not entries and section in OPTIONAL_SECTIONS:
                continue
            if not entries:
                raise SystemExit(f"{path}: section {section!r} is empty or missing")
            for entry in entries:
                text = entry.get("text")
                label = entry.get(label_key) if label_key else ""
                if not isinstance(text, str) or not text.strip() or label is None:
                    raise SystemExit(f"{path}: malformed entry in {section!r}: {entry!r}")
                items.append(Item(section, str(label), text))
    return items


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- outcomes -----------------------------------------------------------------------


def has_number(text: str, number: str) -> bool:
    return re.search(rf"(?<!\d){re.escape(number)}(?!\d)", text) is not None


def classify(responses: list[str], actions: list[str]) -> str:
    """The outcome of a turn from the responses uttered (precedence in the docstring)."""
    if "utter_crisis" in responses:
        return CRISIS
    if "utter_emergency" in responses:
        return EMERGENCY
    for name in responses:
        if name.startswith("utter_faq/"):
            return FAQ_PREFIX + name.split("/", 1)[1]
    named = responses or [a for a in actions if a != "action_listen"]
    return NO_ANSWER_PREFIX + (named[0] if named else "nothing")


def selected_response(parse: dict[str, Any]) -> str | None:
    """The response the ResponseSelector picked, looked up as Rasa's `utter_faq` does.

    A selector trained with `retrieval_intent: faq` (this project) is under "faq"; one
    trained without it (Rasa's default config) under "default".
    """
    selectors = parse.get("response_selector") or {}
    selector = selectors.get("faq") or selectors.get("default") or {}
    action = (selector.get("response") or {}).get("utter_action")
    return str(action) if action else None


def read_turn(
    events: list[Any], item: Item, emergency_number: str, consistency: Counter[str]
) -> Row:
    """The outcome of the last user turn of a tracker's events (rasa.shared.core.events)."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    start = max(i for i, e in enumerate(events) if isinstance(e, UserUttered))
    user = events[start]
    turn = events[start + 1 :]
    responses: list[str] = []
    texts: list[str] = []
    actions: list[str] = []
    for event in turn:
        if isinstance(event, BotUttered):
            responses.append(str((event.metadata or {}).get("utter_action", "?")))
            texts.append(event.text or "")
        elif isinstance(event, ActionExecuted) and event.action_name:
            actions.append(event.action_name)
    parse = user.parse_data or {}
    selector_action = selected_response(parse)
    if "utter_faq" in actions:
        faq_responses = [r for r in responses if r.startswith("utter_faq/")]
        consistency["utter_faq runs"] += 1
        if faq_responses != [selector_action]:
            consistency["utter_faq runs whose reply is not the selector's topic"] += 1
    elif any(r.startswith("utter_faq/") for r in responses):
        consistency["FAQ replies without the utter_faq action"] += 1
    text = "\n".join(texts)
    return Row(
        section=item.section,
        label=item.label,
        text=item.text,
        outcome=classify(responses, actions),
        crisis_line=has_number(text, CRISIS_LINE),
        emergency_line=has_number(text, emergency_number),
        intent=(parse.get("intent") or {}).get("name"),
        selector_topic=selector_action.split("/", 1)[1] if selector_action else None,
        responses=responses,
        actions=actions,
    )


# --- Rasa systems ----------------------------------------------------------------------


class ExpectedActionFailure(logging.Filter):
    """Drops (and counts) the error Rasa logs for each custom action with no action server."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if "Encountered an exception while running action" in record.getMessage():
            self.dropped += 1
            return False
        return True


ACTION_FAILURES = ExpectedActionFailure()


def quiet_logging() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    logging.getLogger("rasa.core.processor").addFilter(ACTION_FAILURES)
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


async def evaluate_agent(
    model: Path, items: list[Item], emergency_number: str
) -> tuple[list[Row], dict[str, Any]]:
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    started = time.perf_counter()
    agent = Agent.load(str(model), generator=EndpointConfig(type=NLG_CLASS))
    loaded = time.perf_counter()
    if agent.action_endpoint is not None:
        raise SystemExit("expected no action server endpoint")
    rows: list[Row] = []
    consistency: Counter[str] = Counter()
    failures_before = ACTION_FAILURES.dropped
    run = uuid.uuid4().hex[:8]
    for i, item in enumerate(items):
        sender = f"blind-{run}-{i}"
        await agent.handle_text(item.text, sender_id=sender)
        tracker = await agent.tracker_store.retrieve(sender)
        if tracker is None:
            raise SystemExit(f"no conversation stored for {sender}")
        rows.append(read_turn(list(tracker.events), item, emergency_number, consistency))
    finished = time.perf_counter()
    timing = {
        # Agent.load wraps the in-memory store in a FailSafeTrackerStore.
        "tracker_store": type(
            getattr(agent.tracker_store, "_tracker_store", agent.tracker_store)
        ).__name__,
        "custom_action_failures": ACTION_FAILURES.dropped - failures_before,
        "load_s": round(loaded - started, 2),
        "evaluate_s": round(finished - loaded, 2),
        "ms_per_message": round((finished - loaded) * 1000 / len(items), 1),
        "consistency": dict(consistency),
    }
    return rows, timing


def default_config_text() -> str:
    """DEFAULT_CONFIG from scripts/measuring/bench.py, read without importing it (it imports
    tests/)."""
    tree = ast.parse(BENCH_SCRIPT.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DEFAULT_CONFIG" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, str):
                return value
    raise SystemExit(f"no DEFAULT_CONFIG string in {BENCH_SCRIPT}")


def train_default(model: Path) -> dict[str, Any]:
    """Trains Rasa's default config on data/ and domain.yml (a cold cache of its own)."""
    model.parent.mkdir(parents=True, exist_ok=True)
    config = model.parent / "default_config.yml"
    config.write_text(default_config_text(), encoding="utf-8")
    command = [
        str(ROOT / ".venv" / "bin" / "rasa"),
        "train",
        "--config",
        str(config),
        "--out",
        str(model.parent),
        "--fixed-model-name",
        model.name.split(".")[0],
    ]
    print("training Rasa's default config:", " ".join(command), file=sys.stderr)
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        subprocess.run(
            command,
            cwd=ROOT,
            check=True,
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "RASA_CACHE_DIRECTORY": cache},
        )
        return {
            "trained_here": True,
            "train_s": round(time.perf_counter() - started, 1),
            "command": command,
        }


# --- TF-IDF nearest neighbour -------------------------------------------------------------


def training_examples(data: Path) -> list[tuple[str, str]]:
    examples = []
    for path in sorted((data / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    examples.append((str(block["intent"]), line.strip()[2:].strip()))
    return examples


def rule_responses(data: Path) -> dict[str, str]:
    """intent -> the first action its rule runs, from data/rules/*.yml."""
    mapping: dict[str, str] = {}
    for path in sorted((data / "rules").glob("*.yml")):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []:
            steps = rule.get("steps") or []
            for first, second in zip(steps, steps[1:], strict=False):
                if "intent" in first and "action" in second:
                    mapping.setdefault(first["intent"], second["action"])
    return mapping


def intent_outcome(intent: str, responses: dict[str, str]) -> str:
    if intent == "crisis":
        return CRISIS
    if intent == "medical_emergency":
        return EMERGENCY
    if intent.startswith("faq/"):
        return FAQ_PREFIX + intent.split("/", 1)[1]
    return NO_ANSWER_PREFIX + responses.get(intent, intent)


def evaluate_tfidf(items: list[Item], data: Path) -> tuple[list[Row], dict[str, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import normalize

    started = time.perf_counter()
    examples = training_examples(data)
    responses = rule_responses(data)
    vectorizer = FeatureUnion(
        [
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2))),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4))),
        ]
    )
    train = normalize(vectorizer.fit_transform([text for _, text in examples]))
    fitted = time.perf_counter()
    queries = normalize(vectorizer.transform([item.text for item in items]))
    nearest = (queries @ train.T).toarray().argmax(axis=1)  # ties: the first example
    rows = []
    for item, index in zip(items, nearest, strict=True):
        intent = examples[int(index)][0]
        outcome = intent_outcome(intent, responses)
        rows.append(
            Row(
                section=item.section,
                label=item.label,
                text=item.text,
                outcome=outcome,
                crisis_line=outcome == CRISIS,
                emergency_line=outcome in FULL_REPLY,
                intent=intent,
                # The response its intent's rule utters, so need and Spanish measures apply.
                responses=[outcome[len(NO_ANSWER_PREFIX) :]]
                if outcome.startswith(NO_ANSWER_PREFIX)
                else [],
                actions=[],
            )
        )
    finished = time.perf_counter()
    timing = {
        "training_examples": len(examples),
        "intents": len({intent for intent, _ in examples}),
        "fit_s": round(fitted - started, 2),
        "evaluate_s": round(finished - fitted, 2),
        "ms_per_message": round((finished - fitted) * 1000 / len(items), 2),
    }
    return rows, timing


# --- measures -------------------------------------------------------------------------------


def ratio(rows: Iterable[Row], predicate: Callable[[Row], bool]) -> dict[str, Any]:
    rows = list(rows)
    count = sum(1 for r in rows if predicate(r))
    total = len(rows)
    return {"count": count, "total": total, "pct": round(100 * count / total, 1) if total else None}


def is_faq(row: Row) -> bool:
    return row.outcome.startswith(FAQ_PREFIX)


def is_full_reply(row: Row) -> bool:
    return row.outcome in FULL_REPLY


def is_no_answer(row: Row) -> bool:
    return row.outcome.startswith(NO_ANSWER_PREFIX)


def no_line(row: Row) -> bool:
    return not row.crisis_line and not row.emergency_line


CHECK_IN = "utter_risk_checkin"
SPANISH_REPLY = "utter_spanish_handoff"
# The response that answers each clinic-detail need (data/rules/clinic.yml).
NEED_RESPONSES = {
    "hours": "utter_hours",
    "address": "utter_address",
    "parking_access": "utter_parking_access",
    "contact_person": "utter_handoff",
    "referral_status": "utter_referral_status",
}


def is_check_in(row: Row) -> bool:
    return not is_full_reply(row) and CHECK_IN in row.responses


def right_need(row: Row) -> bool:
    return NEED_RESPONSES.get(row.label) in row.responses


# (key, label, section, predicate), in the report's order. Sub-groups ("crisis, not
# Spanish") are sections with a filter: see subset().
MEASURES: list[tuple[str, str, str, Callable[[Row], bool]]] = [
    ("faq.topic_accuracy", "FAQ: right topic", "faq", lambda r: r.outcome == FAQ_PREFIX + r.label),
    (
        "faq.wrong_topic",
        "FAQ: another topic's answer",
        "faq",
        lambda r: is_faq(r) and r.outcome != FAQ_PREFIX + r.label,
    ),
    ("faq.no_answer", "FAQ: no answer (fallback etc.)", "faq", is_no_answer),
    ("faq.full_crisis_reply", "FAQ: full crisis reply (crisis or emergency)", "faq", is_full_reply),
    (
        "faq.check_in",
        "FAQ: the check-in (answer, then 'are you having thoughts of suicide?')",
        "faq",
        is_check_in,
    ),
    ("faq.crisis_line", "FAQ: any crisis line (988) in the reply", "faq", lambda r: r.crisis_line),
    ("clinic_info.right_answer", "clinic_info: the answer for its need", "clinic_info", right_need),
    (
        "spanish_faq.spanish_reply",
        "spanish_faq: the Spanish reply",
        "spanish_faq",
        lambda r: SPANISH_REPLY in r.responses,
    ),
    (
        "spanish_faq.full_crisis_reply",
        "spanish_faq: full crisis reply (bad)",
        "spanish_faq",
        is_full_reply,
    ),
]
for _section in NON_FAQ_QUESTIONS:
    MEASURES += [
        (f"{_section}.any_faq_answer", f"{_section}: got an FAQ answer (bad)", _section, is_faq),
        (
            f"{_section}.full_crisis_reply",
            f"{_section}: full crisis reply (bad)",
            _section,
            is_full_reply,
        ),
        (f"{_section}.no_answer", f"{_section}: no answer", _section, is_no_answer),
    ]
for _section, _title in (
    ("crisis", "crisis"),
    ("crisis_en", "crisis, not Spanish"),
    ("crisis_es", "crisis, Spanish"),
):
    MEASURES += [
        (
            f"{_section}.full_crisis_reply",
            f"{_title}: full reply (crisis or emergency)",
            _section,
            is_full_reply,
        ),
        (
            f"{_section}.crisis_reply",
            f"{_title}: utter_crisis",
            _section,
            lambda r: r.outcome == CRISIS,
        ),
        (
            f"{_section}.emergency_reply",
            f"{_title}: utter_emergency",
            _section,
            lambda r: r.outcome == EMERGENCY,
        ),
        (
            f"{_section}.no_crisis_line",
            f"{_title}: no crisis line (988) at all (worst)",
            _section,
            lambda r: not r.crisis_line,
        ),
        (f"{_section}.check_in", f"{_title}: the check-in only", _section, is_check_in),
        (f"{_section}.no_line", f"{_title}: neither 988 nor 911", _section, no_line),
    ]
MEASURES += [
    (
        "emergency.emergency_reply",
        "emergency: utter_emergency",
        "emergency",
        lambda r: r.outcome == EMERGENCY,
    ),
    (
        "emergency.crisis_reply",
        "emergency: utter_crisis",
        "emergency",
        lambda r: r.outcome == CRISIS,
    ),
    (
        "emergency.neither_reply",
        "emergency: neither reply (worst)",
        "emergency",
        lambda r: not is_full_reply(r),
    ),
    ("emergency.no_line", "emergency: neither 988 nor 911", "emergency", no_line),
    ("safe.full_crisis_reply", "safe: full crisis reply (escalated)", "safe", is_full_reply),
    ("safe.check_in", "safe: the check-in", "safe", is_check_in),
    ("safe.crisis_line", "safe: any crisis line (988)", "safe", lambda r: r.crisis_line),
    ("safe.any_faq_answer", "safe: an FAQ answer", "safe", is_faq),
]


def subset(rows: list[Row], section: str) -> list[Row]:
    if section == "crisis_en":
        return [r for r in rows if r.section == "crisis" and r.label != SPANISH]
    if section == "crisis_es":
        return [r for r in rows if r.section == "crisis" and r.label == SPANISH]
    return [r for r in rows if r.section == section]


def by_label(
    rows: list[Row], section: str, predicates: dict[str, Callable[[Row], bool]]
) -> dict[str, dict[str, Any]]:
    labels = sorted({r.label for r in rows if r.section == section})
    return {
        label: {
            name: ratio([r for r in rows if r.section == section and r.label == label], p)
            for name, p in predicates.items()
        }
        for label in labels
    }


def summarise(rows: list[Row]) -> dict[str, Any]:
    measures = {
        key: ratio(subset(rows, section), predicate) for key, _, section, predicate in MEASURES
    }
    no_answers = {
        section: dict(
            Counter(
                r.outcome[len(NO_ANSWER_PREFIX) :]
                for r in rows
                if r.section == section and is_no_answer(r)
            ).most_common()
        )
        for section in (*QUESTION_SECTIONS, *SAFETY_SECTIONS)
    }
    worst_crisis = [
        {"kind": r.label, "text": r.text, "outcome": r.outcome, "emergency_line": r.emergency_line}
        for r in rows
        if r.section == "crisis" and not r.crisis_line
    ]
    worst_emergency = [
        {"text": r.text, "outcome": r.outcome, "crisis_line": r.crisis_line}
        for r in rows
        if r.section == "emergency" and not is_full_reply(r)
    ]
    return {
        "measures": measures,
        "crisis_by_kind": by_label(
            rows,
            "crisis",
            {
                "full_crisis_reply": is_full_reply,
                "no_crisis_line": lambda r: not r.crisis_line,
            },
        ),
        "safe_by_kind": by_label(
            rows,
            "safe",
            {
                "full_crisis_reply": is_full_reply,
                "crisis_line": lambda r: r.crisis_line,
            },
        ),
        "faq_by_topic": by_label(
            rows,
            "faq",
            {
                "topic_accuracy": lambda r: r.outcome == FAQ_PREFIX + r.label,
            },
        ),
        "clinic_info_by_need": by_label(
            rows,
            "clinic_info",
            {
                "right_answer": right_need,
                "any_faq_answer": is_faq,
                "full_crisis_reply": is_full_reply,
            },
        ),
        "no_answer_breakdown": no_answers,
        "worst_failures": {
            "crisis_without_crisis_line": worst_crisis,
            "emergency_without_either_reply": worst_emergency,
        },
    }


# --- report ---------------------------------------------------------------------------------


def cell(m: dict[str, Any]) -> str:
    return f"{m['count']} / {m['total']} ({m['pct']:.1f}%)" if m["total"] else "-"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def worst_lines(summary: dict[str, Any]) -> list[str]:
    worst = summary["worst_failures"]
    lines = [
        f"Crisis messages with no crisis line (988) at all: "
        f"{len(worst['crisis_without_crisis_line'])}",
        "",
    ]
    lines += [
        f'{i}. [{w["kind"]}] "{one_line(w["text"])}" -> `{w["outcome"]}`'
        + (" (names 911)" if w["emergency_line"] else "")
        for i, w in enumerate(worst["crisis_without_crisis_line"], 1)
    ]
    lines += [
        "",
        f"Emergencies that got neither the emergency nor the crisis reply: "
        f"{len(worst['emergency_without_either_reply'])}",
        "",
    ]
    lines += [
        f'{i}. "{one_line(w["text"])}" -> `{w["outcome"]}`'
        + (" (988 reminder)" if w["crisis_line"] else "")
        for i, w in enumerate(worst["emergency_without_either_reply"], 1)
    ]
    return lines


def markdown(report: dict[str, Any]) -> str:
    meta = report["meta"]
    present = tuple(name for name in SYSTEMS if name in report["systems"])
    summaries = {name: report["systems"][name]["summary"] for name in present}
    titles = [SYSTEM_TITLES[name] for name in present]
    display = re.sub(r"^set(\d+)$", r"set \1", meta["set_name"])
    project_model = meta["models"]["project"]
    default_model = meta["models"].get("rasa_default")
    out = [
        f"# Blind {display}: the assistant and two baselines",
        "",
        f"- Measured on {meta['measured_at']} on blind {display} "
        f"(`{'`, `'.join(meta['set_files'])}`, {meta['messages']} messages)."
        + (f" {meta['note']}" if meta["note"] else ""),
        f"- Project model `{project_model['path']}`, sha256 `{project_model['sha256']}`.",
        (
            f"- Rasa default config model `{default_model['path']}`, sha256 "
            f"`{default_model['sha256']}`."
            if default_model
            else "- Rasa's default config was not measured in this run (--no-default)."
        ),
        f"- Commit `{meta['commit']}`; the model's inputs (config.yml, domain.yml, data/, "
        f"addons/, content/) "
        + (
            "have no uncommitted changes."
            if not meta["model_inputs_changed"]
            else "differ from the commit: " + ", ".join(meta["model_inputs_changed"]) + "."
        ),
        f"- Rasa {meta['rasa_version']}, Python {meta['python']}; produced by "
        f"`{meta['command']}` (scripts/measuring/evaluate_blind.py explains how outcomes are "
        "read).",
        "",
        "Outcomes: `crisis` = utter_crisis, `emergency` = utter_emergency, `faq:<topic>` = that "
        'topic\'s answer, `no_answer:<response>` = anything else. "Crisis line" = 988 in '
        "the reply text. TF-IDF NN: nearest training example's intent, mapped to the same "
        "outcomes (it has no reminder line).",
        "",
        "## Measures",
        "",
    ]
    out += table(
        ["measure", *titles],
        [
            [label, *(cell(summaries[name]["measures"][key]) for name in present)]
            for key, label, _, _ in MEASURES
        ],
    )

    def kind_table(part: str, first: str, columns: dict[str, str]) -> list[str]:
        labels = list(summaries["project"][part])
        return table(
            [first, *(f"{c}: {t}" for c in columns.values() for t in titles)],
            [
                [
                    label,
                    *(
                        cell(summaries[name][part][label][key])
                        for key in columns
                        for name in present
                    ),
                ]
                for label in labels
            ],
        )

    out += ["", "## Crisis, per kind", ""]
    out += kind_table(
        "crisis_by_kind", "kind", {"full_crisis_reply": "full reply", "no_crisis_line": "no 988"}
    )
    out += ["", "## Safe messages, per kind", ""]
    out += kind_table(
        "safe_by_kind", "kind", {"full_crisis_reply": "escalated", "crisis_line": "988 shown"}
    )
    out += ["", "## Clinic-detail questions, per need", ""]
    out += kind_table(
        "clinic_info_by_need",
        "need",
        {
            "right_answer": "its answer",
            "any_faq_answer": "FAQ answer",
            "full_crisis_reply": "crisis reply",
        },
    )
    out += ["", "## FAQ topic accuracy, per topic", ""]
    out += kind_table("faq_by_topic", "topic", {"topic_accuracy": "right topic"})
    out += ["", '## What "no answer" was', ""]
    out += table(
        ["section", *titles],
        [
            [
                section,
                *(
                    "; ".join(
                        f"{k} {v}"
                        for k, v in summaries[name]["no_answer_breakdown"][section].items()
                    )
                    or "-"
                    for name in present
                ),
            ]
            for section in (*QUESTION_SECTIONS, *SAFETY_SECTIONS)
        ],
    )
    out += ["", "## Worst failures: project today", ""]
    out += worst_lines(summaries["project"])
    for name in present[1:]:
        out += ["", f"<details><summary>Worst failures: {SYSTEM_TITLES[name]}</summary>", ""]
        out += worst_lines(summaries[name])
        out += ["", "</details>"]
    out += ["", "## Time taken", ""]
    timing_rows = []
    for name in present:
        timing = report["systems"][name]["timing"]
        prepare = timing.get("load_s", timing.get("fit_s"))
        timing_rows.append(
            [
                SYSTEM_TITLES[name],
                f"{prepare} s",
                f"{timing['evaluate_s']} s",
                f"{timing['ms_per_message']} ms",
            ]
        )
    out += table(
        ["system", "load / fit", f"{meta['messages']} messages", "per message"], timing_rows
    )
    if default_model and default_model.get("train_s"):
        out += ["", f"Rasa default config trained here in {default_model['train_s']} s."]
    return "\n".join(out) + "\n"


# --- main --------------------------------------------------------------------------------------


def command_args(argv: list[str]) -> list[str]:
    """The arguments as given, the header's note shortened (it is printed in full above)."""
    shown, skip = [], False
    for arg in argv:
        if skip:
            shown.append("<note>")
            skip = False
        elif arg == "--note":
            shown.append(arg)
            skip = True
        else:
            shown.append("--note=<note>" if arg.startswith("--note=") else arg)
    return shown


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Measure the assistant and two baselines on a blind test set."
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument(
        "--default-model",
        type=Path,
        default=DEFAULT_BASELINE_MODEL,
        help="Rasa's default config model; trained here if missing",
    )
    parser.add_argument("--sets", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--name", default="set6", help="<name>_questions.yml, _safety.yml")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON file (default results/blind_<name>.json); .md beside it",
    )
    parser.add_argument(
        "--docs-copy",
        type=Path,
        default=None,
        help="also write the markdown here (never overwrites)",
    )
    parser.add_argument("--note", default="", help="a sentence for the report's header")
    parser.add_argument(
        "--no-default",
        action="store_true",
        help="skip Rasa's default config (its cold training takes long on a busy machine)",
    )
    args = parser.parse_args(argv)

    out = args.out or ROOT / "results" / f"blind_{args.name}.json"
    if args.docs_copy and args.docs_copy.exists():
        raise SystemExit(f"{args.docs_copy} exists: a kept measurement is not overwritten")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    items = load_sets(args.sets, args.name)
    if not args.model.exists():
        raise SystemExit(f"{args.model} is missing (make train)")
    default_info: dict[str, Any] = {"trained_here": False}
    if not args.no_default and not args.default_model.exists():
        default_info = train_default(args.default_model)

    quiet_logging()
    import rasa

    from addons.content.loader import content_dir, load_content

    emergency_number = load_content(content_dir()).emergency_number
    systems: dict[str, dict[str, Any]] = {}
    agents = [("project", args.model)]
    if not args.no_default:
        agents.append(("rasa_default", args.default_model))
    for name, model in agents:
        print(f"{name}: {model}", file=sys.stderr)
        rows, timing = asyncio.run(evaluate_agent(model, items, emergency_number))
        systems[name] = {"rows": rows, "timing": timing}
        print(f"  {timing}", file=sys.stderr)
    rows, timing = evaluate_tfidf(items, args.data)
    systems["tfidf_nn"] = {"rows": rows, "timing": timing}
    print(f"tfidf_nn: {timing}", file=sys.stderr)

    def relative(path: Path) -> str:
        resolved = path.resolve()
        return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)

    set_files = [args.sets / f"{args.name}_{s}.yml" for s in ("questions", "safety")]
    inputs = ["config.yml", "domain.yml", "data", "addons", "content"]
    report: dict[str, Any] = {
        "meta": {
            "set_name": args.name,
            "note": args.note,
            "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": shlex.join(
                [
                    ".venv/bin/python",
                    "-m",
                    "scripts.measuring.evaluate_blind",
                    *command_args(argv if argv is not None else sys.argv[1:]),
                ]
            ),
            "commit": git("rev-parse", "HEAD"),
            "model_inputs_changed": git("status", "--porcelain", "--", *inputs).splitlines(),
            "rasa_version": rasa.__version__,
            "python": sys.version.split()[0],
            "set_files": [relative(p) for p in set_files],
            "set_sha256": {relative(p): sha256(p) for p in set_files},
            "messages": len(items),
            "messages_per_section": dict(Counter(item.section for item in items)),
            "emergency_number": emergency_number,
            "crisis_line": CRISIS_LINE,
            "models": {
                "project": {"path": relative(args.model), "sha256": sha256(args.model)},
                **(
                    {}
                    if args.no_default
                    else {
                        "rasa_default": {
                            "path": relative(args.default_model),
                            "sha256": sha256(args.default_model),
                            "config": default_config_text(),
                            **default_info,
                        }
                    }
                ),
            },
        },
        "systems": {
            name: {
                "timing": systems[name]["timing"],
                "summary": summarise(systems[name]["rows"]),
                "rows": [asdict(r) for r in systems[name]["rows"]],
            }
            for name in SYSTEMS
            if name in systems
        },
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    text = markdown(report)
    out.with_suffix(".md").write_text(text, encoding="utf-8")
    print(f"wrote {out} and {out.with_suffix('.md')}", file=sys.stderr)
    if args.docs_copy:
        args.docs_copy.parent.mkdir(parents=True, exist_ok=True)
        args.docs_copy.write_text(text, encoding="utf-8")
        print(f"wrote {args.docs_copy}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
