"""Plot how the NLU's confidence trades coverage for accuracy, and the crisis score's PR curve.

    .venv/bin/python -m scripts.measuring.curves [--model PATH] [--name set6] [--out results]

Runs the trained model's NLU (no dialogue) over a held-out set that is not the final blind
set (default: set 6, the development set) and writes two PNG files:

- `accuracy_coverage.png`: for every confidence threshold on the answer (the lower of the
  intent's and the ResponseSelector's confidence), the share of FAQ questions answered
  (coverage) against the share of those answered right (accuracy), and the share of
  unanswerable and off-topic messages that would still get an FAQ answer. The thresholds
  in config.yml (FallbackClassifier, the selector gate) are marked, and the script prints
  the threshold it recommends: the one with the most FAQ questions answered right minus
  out-of-scope messages given an FAQ answer.
- `crisis_precision_recall.png`: precision and recall of the crisis score (crisis messages
  against safe messages and FAQ questions). The rules decide before the score, so this is
  the score alone; its thresholds come from held-out folds of the training examples
  (addons/crisis/risk.py), and training logs them.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
OUT_OF_SCOPE_SECTIONS = ("unanswerable", "off_topic", "clinic_info")


def load(path: Path) -> dict[str, list[dict[str, str]]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def answer_confidence(parse: dict[str, Any]) -> tuple[str | None, float]:
    """(topic, confidence) the assistant would answer with, before any threshold."""
    intent = parse.get("intent") or {}
    ranking = parse.get("intent_ranking") or []
    # Before the fallback: the first real intent of the ranking.
    top = next((r for r in ranking if r.get("name") != "nlu_fallback"), intent)
    if top.get("name") != "faq":
        return None, float(top.get("confidence") or 0.0)
    selector = (parse.get("response_selector") or {}).get("faq") or {}
    response = selector.get("response") or {}
    key = str(response.get("intent_response_key") or "")
    topic = key.split("/", 1)[1] if "/" in key else None
    return topic, min(float(top.get("confidence") or 0.0), float(response.get("confidence") or 0.0))


async def parse_all(model: Path, texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models/clinic.tar.gz")
    parser.add_argument("--sets", type=Path, default=ROOT / "tests/nlu/blind")
    parser.add_argument("--name", default="set6")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args()

    import logging

    import matplotlib
    import structlog

    # Rasa logs parsed text at debug level: health data stays out of the output.
    logging.disable(logging.INFO)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    questions = load(args.sets / f"{args.name}_questions.yml")
    safety = load(args.sets / f"{args.name}_safety.yml")
    faq = questions["faq"]
    outside = [item for section in OUT_OF_SCOPE_SECTIONS for item in questions.get(section) or []]
    crisis = safety["crisis"]
    texts = [i["text"] for i in (*faq, *outside, *crisis, *safety["safe"])]
    parses = asyncio.run(parse_all(args.model, texts))
    faq_parses = parses[: len(faq)]
    outside_parses = parses[len(faq) : len(faq) + len(outside)]
    crisis_parses = parses[len(faq) + len(outside) : len(faq) + len(outside) + len(crisis)]
    safe_parses = parses[len(faq) + len(outside) + len(crisis) :] + faq_parses

    config = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    marks = {
        c["name"].rsplit(".", 1)[-1]: float(c["threshold"]) for c in config if "threshold" in c
    }

    answered = [answer_confidence(p) for p in faq_parses]
    right = np.array(
        [topic == item["topic"] for (topic, _), item in zip(answered, faq, strict=True)]
    )
    conf = np.array([c for _, c in answered])
    outside_answers = [answer_confidence(p) for p in outside_parses]
    outside_conf = np.array([c if t is not None else -1.0 for t, c in outside_answers])
    thresholds = np.linspace(0, 0.99, 100)
    coverage = np.array([(conf >= t).mean() for t in thresholds])
    accuracy = np.array([right[conf >= t].mean() if (conf >= t).any() else 1.0 for t in thresholds])
    leaked = np.array([(outside_conf >= t).mean() for t in thresholds])
    # Both errors cost a person an answer: a right answer withheld, or a wrong one given.
    gain = coverage * accuracy - leaked
    best = int(np.argmax(gain))
    print(
        f"recommended answer threshold {thresholds[best]:.2f} (most FAQ questions answered "
        f"right minus out-of-scope answered): coverage {coverage[best]:.1%}, accuracy "
        f"{accuracy[best]:.1%}, out-of-scope answered {leaked[best]:.1%}"
    )
    for t in (0.2, 0.3, 0.4, 0.5):
        i = int(np.argmin(abs(thresholds - t)))
        print(
            f"  at {t:.2f}: coverage {coverage[i]:.1%}, accuracy {accuracy[i]:.1%}, "
            f"out-of-scope answered {leaked[i]:.1%}"
        )

    args.out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(coverage, accuracy, label="FAQ: accuracy of answered (y) vs coverage (x)")
    ax.plot(coverage, 1 - leaked, label="out-of-scope not given an FAQ answer")
    for name, value in marks.items():
        i = int(np.argmin(abs(thresholds - value)))
        ax.scatter([coverage[i]], [accuracy[i]], zorder=3)
        ax.annotate(f"{name} {value}", (coverage[i], accuracy[i]), fontsize=8)
    ax.set_xlabel("coverage: share of FAQ questions answered")
    ax.set_ylabel("share")
    ax.set_title(f"Accuracy vs coverage ({args.name}, {len(faq)} FAQ, {len(outside)} out of scope)")
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(args.out / "accuracy_coverage.png", dpi=110)

    def score(p: dict[str, Any]) -> float:
        return float((p.get("crisis_check") or {}).get("score") or 0.0)

    scores = np.array([score(p) for p in (*crisis_parses, *safe_parses)])
    labels = np.array([1] * len(crisis_parses) + [0] * len(safe_parses))
    rule_decided = np.array(
        [
            (p.get("crisis_check") or {}).get("category") not in (None, "score")
            for p in crisis_parses
        ]
        + [False] * len(safe_parses)
    )
    cut = np.linspace(0.01, 0.99, 99)
    precision = [labels[scores >= c].mean() if (scores >= c).any() else 1.0 for c in cut]
    recall = [(scores[labels == 1] >= c).mean() for c in cut]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(recall, precision, label="crisis score alone")
    ax.set_xlabel("recall (crisis messages at or above the threshold)")
    ax.set_ylabel("precision")
    ax.set_title(
        f"Crisis score ({args.name}: {len(crisis_parses)} crisis, {len(safe_parses)} safe or FAQ; "
        f"{int(rule_decided.sum())} crisis decided by the rules first)",
        fontsize=9,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out / "crisis_precision_recall.png", dpi=110)
    print(
        f"wrote {args.out / 'accuracy_coverage.png'} and {args.out / 'crisis_precision_recall.png'}"
    )


if __name__ == "__main__":
    main()
