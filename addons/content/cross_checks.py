"""`make check`: content/ checked on its own and against the topics and examples in data/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from addons.content.checks import (
    check_content,
    check_placeholders,
)
from addons.content.loader import (
    ANSWERS_FILE,
    FAQ_INTENT_PREFIX,
    FAQ_RESPONSE_PREFIX,
)
from addons.content.validators import normalise
from addons.content.yaml_index import Problem, YamlFile, read_yaml


def check_project(root: Path, content: Path | None = None) -> list[Problem]:
    """check_content, plus the topics and example questions in data/ and domain.yml."""
    problems = check_content(content or root / "content", shown="content")
    answers = read_yaml((content or root / "content") / ANSWERS_FILE, f"content/{ANSWERS_FILE}")
    topics: dict[str, Any] = {}
    if isinstance(answers, YamlFile) and isinstance(answers.data, dict):
        topics = {str(t): e for t, e in answers.data.items()}

    nlu_files = _read_all(root, sorted((root / "data").glob("nlu/*.yml")), problems)
    response_files = _read_all(
        root, [root / "domain.yml", *sorted((root / "data").glob("responses/*.yml"))], problems
    )
    examples = list(_examples(nlu_files))
    responses = list(_responses(response_files))

    example_topics: dict[str, tuple[YamlFile, int]] = {}
    with_examples: set[str] = set()
    for file, block_line, _, label, text in examples:
        if label.startswith(FAQ_INTENT_PREFIX):
            topic = label[len(FAQ_INTENT_PREFIX) :]
            example_topics.setdefault(topic, (file, block_line))
            if text:
                with_examples.add(topic)
    response_topics = {
        name[len(FAQ_RESPONSE_PREFIX) :]: (file, line)
        for file, line, name, _ in responses
        if name.startswith(FAQ_RESPONSE_PREFIX)
    }
    if isinstance(answers, Problem):
        # Already reported; every topic would look unanswered.
        topics = {t: None for t in {**response_topics, **example_topics}}
    for topic, (file, line) in {**response_topics, **example_topics}.items():
        if topic not in topics:
            problems.append(
                file.problem(
                    line, topic, f"this topic has no answer in content/{ANSWERS_FILE}: add one"
                )
            )
    for topic in topics:
        if topic not in example_topics and isinstance(answers, YamlFile):
            problems.append(
                Problem(
                    f"content/{ANSWERS_FILE}",
                    _line(answers, topic),
                    topic,
                    "this is not a topic the assistant knows (no example questions in "
                    "data/nlu/faq.yml). Check the spelling; new topics need a developer",
                )
            )
    for topic, (file, line) in example_topics.items():
        if topic not in with_examples:
            problems.append(file.problem(line, topic, "this topic has no example questions"))
        if topic not in response_topics:
            problems.append(
                file.problem(
                    line,
                    topic,
                    f"this topic has no response {FAQ_RESPONSE_PREFIX}{topic} in data/responses/",
                )
            )
    problems += _duplicate_examples(examples, topics, answers)
    for file, _, name, text in responses:
        problems += check_placeholders(file, text, ("responses", name), name, "the response")
    return problems


def _line(file: YamlFile | Problem, *path: str) -> int:
    return file.line(*path) if isinstance(file, YamlFile) else 1


def _read_all(root: Path, paths: list[Path], problems: list[Problem]) -> list[YamlFile]:
    files = []
    for path in paths:
        parsed = read_yaml(path, str(path.relative_to(root)))
        if isinstance(parsed, Problem):
            problems.append(parsed)
        else:
            files.append(parsed)
    return files


def _examples(files: list[YamlFile]) -> Iterator[tuple[YamlFile, int, int, str, str]]:
    """(file, intent's line, example's line, intent, example); "" for an intent without any."""
    for file in files:
        blocks = (file.data or {}).get("nlu") if isinstance(file.data, dict) else None
        for i, block in enumerate(blocks if isinstance(blocks, list) else []):
            if not isinstance(block, dict) or "intent" not in block:
                continue
            label, block_line = str(block["intent"]), file.line("nlu", i)
            start = file.spans.get(("nlu", str(i), "examples"), (block_line,))[0]
            lines = str(block.get("examples") or "").split("\n")
            found = False
            for offset, raw in enumerate(lines):
                if raw.strip().startswith("- "):
                    found = True
                    yield file, block_line, start + 1 + offset, label, raw.strip()[2:].strip()
            if not found:
                yield file, block_line, block_line, label, ""


def _responses(files: list[YamlFile]) -> Iterator[tuple[YamlFile, int, str, str]]:
    for file in files:
        responses = (file.data or {}).get("responses") if isinstance(file.data, dict) else None
        for name, variants in (responses if isinstance(responses, dict) else {}).items():
            for variant in variants if isinstance(variants, list) else []:
                if isinstance(variant, dict) and isinstance(variant.get("text"), str):
                    yield file, file.line("responses", name), str(name), variant["text"]


def _duplicate_examples(
    examples: list[tuple[YamlFile, int, int, str, str]],
    topics: dict[str, Any],
    answers: YamlFile | Problem,
) -> Iterator[Problem]:
    first: dict[str, tuple[str, str]] = {}
    for file, _, line, label, text in examples:
        key, name = normalise(text), label.removeprefix(FAQ_INTENT_PREFIX)
        if not key:
            continue
        if key in first and first[key][0] != name:
            other, where = first[key]
            yield file.problem(
                line,
                name,
                f"the example '{text}' is also under '{other}' ({where}); keep it under one "
                "topic only",
            )
        first.setdefault(key, (name, f"{file.shown}:{line}"))
    for topic, entry in topics.items():
        question = entry.get("question") if isinstance(entry, dict) else None
        match = first.get(normalise(question)) if isinstance(question, str) else None
        if match and match[0] != topic:
            yield Problem(
                f"content/{ANSWERS_FILE}",
                _line(answers, topic, "question"),
                topic,
                f"the button question is an example question of '{match[0]}' ({match[1]}), "
                "so the button could give that topic's answer",
            )
