"""Checks on the content clinic staff edit, one plain-words line per problem.

`make check` runs check_project (content/ against data/ and domain.yml); the response
generator runs check_content and refuses content with any problem, so a bad edit never
reaches a patient. `rasa data validate` cannot see these: the answers are not training data.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from addons.content import (
    ANSWERS_FILE,
    CLINIC_FIELDS,
    CLINIC_FILE,
    CRISIS_FILE,
    MAX_CRISIS_RESOURCES,
)

MAX_ANSWER_CHARS = 700
# Who may have the treatment is never the bot's call (DEVELOPERS.md, safety principles).
ELIGIBILITY_TOPIC = "eligibility"
ELIGIBILITY_ENDING = "our clinicians decide with you."
MAX_ANSWER_SENTENCES = 5
FAQ_INTENT_PREFIX = "faq/"
FAQ_RESPONSE_PREFIX = "utter_faq/"
ANSWER_FIELDS = ("question", "answer")
CLINIC_PHONE_FIELDS = ("clinic_phone", "clinic_after_hours_phone")
KNOWN_PLACEHOLDERS = frozenset(
    (*CLINIC_FIELDS, "crisis_resources", "emergency_number", "crisis_reminder")
)
# The US lines the clinic committed to: (scheme, number, sms body, how staff know it).
US_REQUIRED_LINES = (
    ("tel", "988", "", "call or text 988"),
    ("tel", "911", "", "call 911"),
    ("sms", "741741", "HOME", "text HOME to 741741"),
)
LINK_EXAMPLES = "tel:988, sms:741741?&body=HOME or https://..."

_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")
_TEL = re.compile(r"tel:(\+?\d{3,15})")
_SMS = re.compile(r"sms:(\+?\d{3,15})(?:\?&?body=([A-Za-z0-9]+))?")
_HTTPS = re.compile(r"https://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#][^\s<>\"]*)?")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MAILTO = re.compile(r"mailto:" + _EMAIL.pattern)
# Anything that starts like a link: http, htps:, www., tel:, sms:, mailto:, xyz://
_LINK_LIKE = re.compile(r"(?i)^(?:h\w{0,4}p\w?:|h\w{0,4}p\w?//|www\.|tel:|sms:|mailto:|\w+://)")
_MARKDOWN_LINK = re.compile(r"\]\(([^)\s]*)\)")
_PHONE_LIKE = re.compile(r"\+?\(?\d[\d ().-]{5,}\d\)?")
_PHONE_CHARS = re.compile(r"\+?[\d ().-]+")
_NORTH_AMERICAN = re.compile(r"(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?(\d+)")
_SENTENCE_END = re.compile(r"(\S*?)[.!?]+[\"')\]]*(?=\s|$)")
# "e.g." and "8 a.m." do not end a sentence.
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "a.m", "p.m", "approx"}
_TRIM = "()[]<>\"'.,;:!?"
# What PyYAML's messages usually mean in a file staff edit.
_YAML_HINTS = (
    ("'\\t'", "there is a tab; indent with spaces only"),
    ("mapping values are not allowed", "a text with a colon (:) needs \"double quotes\" around it"),
    ("could not find expected ':'",
     "a line is indented differently from its neighbours, or a name lacks its colon"),
    ("expected <block end>", "a quote is not closed, or a text in quotes contains a quote"),
    ("end of stream", "a quote is not closed"),
)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    subject: str
    words: str

    def __str__(self) -> str:
        subject = f" {self.subject}:" if self.subject else ""
        return f"{self.file}:{self.line}:{subject} {self.words}"


@dataclass
class YamlFile:
    """A YAML file's data, and the line of every key, to point staff at the right line."""

    shown: str
    data: Any = None
    lines: list[str] = field(default_factory=list)
    key_lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    spans: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)
    repeated: list[tuple[tuple[str, ...], int]] = field(default_factory=list)

    def line(self, *path: object) -> int:
        """Line of the deepest key of `path` that exists, or 1."""
        keys = tuple(str(p) for p in path)
        while keys and keys not in self.key_lines:
            keys = keys[:-1]
        return self.key_lines.get(keys, 1)

    def line_of(self, text: str, *path: object) -> int:
        """First line of the value at `path` that contains `text`."""
        keys = tuple(str(p) for p in path)
        start, end = self.spans.get(keys, (self.line(*path), self.line(*path)))
        for number in range(start, min(end, len(self.lines)) + 1):
            if text in self.lines[number - 1]:
                return number
        return start

    def problem(self, line: int, subject: str, words: str) -> Problem:
        return Problem(self.shown, line, subject, words)


def read_yaml(path: Path, shown: str) -> YamlFile | Problem:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Problem(shown, 1, "", "this file is missing")
    except UnicodeDecodeError:
        return Problem(shown, 1, "", "this file is not plain text (save it as UTF-8 text)")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        return Problem(shown, _yaml_error_line(e), "", f"the file cannot be read here: "
                       f"{_yaml_error_hint(e)}. Look at this line and the ones just above it")
    except yaml.YAMLError as e:
        return Problem(shown, 1, "", f"the file cannot be read ({e})")
    parsed = YamlFile(shown, data, text.splitlines())
    if node is not None:
        _index(node, (), parsed)
    return parsed


def _yaml_error_line(error: yaml.MarkedYAMLError) -> int:
    # Where an unclosed quote or a broken line starts, rather than where the parser gave up.
    starts_here = error.context in ("while scanning a quoted scalar", "while scanning a simple key")
    mark = error.context_mark if starts_here else error.problem_mark
    return mark.line + 1 if mark else 1


def _yaml_error_hint(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or ""
    for pattern, hint in _YAML_HINTS:
        if pattern in problem:
            return hint
    return f"the YAML reader says '{problem}'"


def _index(node: yaml.Node, path: tuple[str, ...], out: YamlFile) -> None:
    children: Iterable[tuple[str, yaml.Node, yaml.Node]] = []
    if isinstance(node, yaml.MappingNode):
        children = ((str(k.value), k, v) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        children = ((str(i), v, v) for i, v in enumerate(node.value))
    for key, key_node, value in children:
        here = (*path, key)
        if here in out.key_lines:
            out.repeated.append((here, key_node.start_mark.line + 1))
            continue
        out.key_lines[here] = key_node.start_mark.line + 1
        out.spans[here] = (value.start_mark.line + 1, value.end_mark.line + 1)
        _index(value, here, out)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def check_content(directory: Path, shown: str | None = None) -> list[Problem]:
    """Problems in the three content files on their own."""
    prefix = shown if shown is not None else str(directory)
    clinic = read_yaml(directory / CLINIC_FILE, f"{prefix}/{CLINIC_FILE}")
    crisis = read_yaml(directory / CRISIS_FILE, f"{prefix}/{CRISIS_FILE}")
    answers = read_yaml(directory / ANSWERS_FILE, f"{prefix}/{ANSWERS_FILE}")
    problems = [f for f in (clinic, crisis, answers) if isinstance(f, Problem)]
    regions = crisis.data if isinstance(crisis, YamlFile) else None
    values: dict[str, str] = {}
    if isinstance(clinic, YamlFile):
        problems += _check_clinic(clinic, regions if isinstance(regions, dict) else None)
        if isinstance(clinic.data, dict):
            values = {k: _text(clinic.data.get(k)) for k in CLINIC_FIELDS}
    if isinstance(crisis, YamlFile):
        problems += _check_crisis(crisis)
    if isinstance(answers, YamlFile):
        problems += _check_answers(answers, values)
    return problems


def _check_clinic(clinic: YamlFile, regions: dict[str, Any] | None) -> Iterator[Problem]:
    data = clinic.data
    if not isinstance(data, dict):
        yield clinic.problem(1, "", "expected lines like 'clinic_phone: \"...\"'")
        return
    yield from _repeated(clinic, "this detail appears twice; keep one")
    for name in data:
        if str(name) not in CLINIC_FIELDS:
            yield clinic.problem(
                clinic.line(name), str(name),
                "is not a clinic detail the assistant uses (check the spelling)",
            )
    for name in CLINIC_FIELDS:
        value, line = data.get(name), clinic.line(name)
        if not _text(value):
            yield clinic.problem(line, name, "is missing or empty")
            continue
        text = _text(value)
        if name in CLINIC_PHONE_FIELDS:
            reason = phone_problem(text)
            if reason:
                yield clinic.problem(line, name, f"'{text}' is not a usable phone number: {reason}")
        elif name == "clinic_email" and not _EMAIL.fullmatch(text):
            yield clinic.problem(line, name, f"'{text}' is not an email address")
        elif name == "clinic_booking_url" and not _HTTPS.fullmatch(text):
            yield clinic.problem(
                line, name, f"'{text}' is not a web link (it must look like https://example.org/book)"
            )
        elif name == "crisis_region":
            if regions is not None and text not in regions:
                known = ", ".join(str(r) for r in regions)
                yield clinic.problem(
                    line, name, f"'{text}' is not a region in {CRISIS_FILE} (there: {known})"
                )
        else:
            if "{" in text or "}" in text:
                yield clinic.problem(line, name, "cannot contain { or }")
            yield from _check_links(clinic, text, (name,), name, "the text")


def _check_crisis(crisis: YamlFile) -> Iterator[Problem]:
    data = crisis.data
    if not isinstance(data, dict):
        yield crisis.problem(1, "", "expected one entry per region (US, UK, ...)")
        return
    yield from _repeated(crisis, "this appears twice; keep one")
    if "US" not in data:
        yield crisis.problem(1, "US", "the US crisis lines were removed; they must stay")
    for region, entry in data.items():
        region = str(region)
        line = crisis.line(region)
        if not isinstance(entry, dict):
            yield crisis.problem(line, region, "expected reminder, emergency_number and resources")
            continue
        if not _text(entry.get("reminder")):
            yield crisis.problem(crisis.line(region, "reminder"), region, "the reminder is missing")
        number = _text(str(entry.get("emergency_number") or ""))
        if not re.fullmatch(r"\d{2,6}", number):
            yield crisis.problem(
                crisis.line(region, "emergency_number"), region,
                "the emergency_number is missing or not a number (like \"911\")",
            )
        resources = entry.get("resources")
        count = len(resources) if isinstance(resources, list) else 0
        if not 1 <= count <= MAX_CRISIS_RESOURCES:
            yield crisis.problem(
                crisis.line(region, "resources"), region,
                f"lists {count} crisis lines; it must list 1 to {MAX_CRISIS_RESOURCES}, "
                "most important first",
            )
        for i, item in enumerate(resources if isinstance(resources, list) else []):
            yield from _check_resource(crisis, region, i, item)
    us = data.get("US")
    if isinstance(us, dict) and isinstance(us.get("resources"), list):
        links = [_text(r.get("link")) for r in us["resources"] if isinstance(r, dict)]
        for scheme, number, body, label in US_REQUIRED_LINES:
            if not any(_link_target(link) == (scheme, number, body) for link in links):
                yield crisis.problem(
                    crisis.line("US", "resources"), "US",
                    f"the crisis line '{label}' was removed or changed; the US lines must "
                    "include call or text 988, call 911 and text HOME to 741741",
                )


def _check_resource(crisis: YamlFile, region: str, i: int, item: Any) -> Iterator[Problem]:
    line = crisis.line(region, "resources", i)
    fields = item if isinstance(item, dict) else {}
    text, link = _text(fields.get("text")), _text(fields.get("link"))
    if not text:
        yield crisis.problem(line, region, f"crisis line {i + 1} has no text")
    target = _link_target(link)
    if target is None:
        yield crisis.problem(
            crisis.line(region, "resources", i, "link"), region,
            f"crisis line {i + 1} has a missing or broken link '{link}' (use {LINK_EXAMPLES})",
        )
    elif target[0] in ("tel", "sms") and target[1].lstrip("+") not in re.sub(r"\D", "", text):
        yield crisis.problem(
            crisis.line(region, "resources", i, "link"), region,
            f"crisis line {i + 1}: the link goes to {target[1]} but the text does not show "
            "that number; make them the same",
        )


def _check_answers(answers: YamlFile, values: dict[str, str]) -> Iterator[Problem]:
    data = answers.data
    if not isinstance(data, dict):
        yield answers.problem(1, "", "expected one entry per topic, like 'booking:'")
        return
    yield from _repeated(answers, "this topic appears twice; keep one (the bot would use the last)")
    for topic, entry in data.items():
        topic = str(topic)
        line = answers.line(topic)
        if not isinstance(entry, dict):
            yield answers.problem(
                line, topic, "expected 'question:' and 'answer:' lines indented under the topic"
            )
            continue
        for name in entry:
            if name not in ANSWER_FIELDS:
                yield answers.problem(
                    answers.line(topic, name), topic,
                    f"'{name}' is not a field here; a topic has only 'question:' and 'answer:'",
                )
        question, answer = _text(entry.get("question")), _text(entry.get("answer"))
        if not question:
            yield answers.problem(
                answers.line(topic, "question"), topic, "the button question is missing or empty"
            )
        elif "{" in question or "}" in question:
            yield answers.problem(
                answers.line(topic, "question"), topic,
                "the button question cannot use { or } (buttons show the text as it is)",
            )
        if not answer:
            yield answers.problem(
                answers.line(topic, "answer"), topic, "the answer is missing or empty"
            )
            continue
        yield from check_placeholders(answers, answer, (topic, "answer"), topic, "the answer")
        yield from _check_links(answers, answer, (topic, "answer"), topic, "the answer")
        yield from _check_length(answers, fill(answer, values), topic)
        if topic == ELIGIBILITY_TOPIC and not answer.rstrip(" .").lower().endswith(
            ELIGIBILITY_ENDING.rstrip(".").lower()
        ):
            yield answers.problem(
                answers.line(topic, "answer"), topic,
                f"the eligibility answer must end with \"{ELIGIBILITY_ENDING}\": the bot never "
                "decides for a patient",
            )


def check_placeholders(
    file: YamlFile, text: str, path: tuple[str, ...], subject: str, what: str
) -> Iterator[Problem]:
    for match in _PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name in KNOWN_PLACEHOLDERS:
            continue
        close = difflib.get_close_matches(name.strip(), sorted(KNOWN_PLACEHOLDERS), n=1)
        hint = (f"; did you mean {{{close[0]}}}?" if close
                else f"; the names you can use are the ones in content/{CLINIC_FILE}")
        yield file.problem(
            file.line_of(match.group(0), *path), subject,
            f"{what} contains {match.group(0)}, which is not a known clinic detail{hint}",
        )
    leftover = _PLACEHOLDER.sub("", text)
    for brace in "{}":
        if brace in leftover:
            yield file.problem(
                file.line_of(brace, *path), subject,
                f"{what} has a '{brace}' that is not part of a name like {{clinic_phone}}; "
                "complete the name or remove it",
            )
            return


def _check_links(
    file: YamlFile, text: str, path: tuple[str, ...], subject: str, what: str
) -> Iterator[Problem]:
    tokens = _MARKDOWN_LINK.findall(text) + _MARKDOWN_LINK.sub(" ", text).split()
    for token in (t.strip(_TRIM) for t in tokens):
        if _LINK_LIKE.match(token):
            if token.lower().startswith("http://"):
                yield file.problem(
                    file.line_of(token, *path), subject,
                    f"{what} has the link '{token}': use https:// (secure) links only",
                )
            elif _link_target(token) is None:
                yield file.problem(
                    file.line_of(token, *path), subject,
                    f"{what} has a link in a broken format: '{token}' (use {LINK_EXAMPLES})",
                )
        elif "@" in token and not _EMAIL.fullmatch(token):
            yield file.problem(
                file.line_of(token, *path), subject,
                f"{what} has '{token}', which is not a valid email address",
            )
    for match in _PHONE_LIKE.finditer(_PLACEHOLDER.sub(" ", text)):
        number = match.group(0).strip()
        reason = phone_problem(number)
        if reason:
            yield file.problem(
                file.line_of(number, *path), subject,
                f"{what} has the phone number '{number}', which is not usable: {reason}",
            )


def _check_length(answers: YamlFile, filled: str, topic: str) -> Iterator[Problem]:
    line = answers.line(topic, "answer")
    if len(filled) > MAX_ANSWER_CHARS:
        yield answers.problem(
            line, topic,
            f"the answer is {len(filled)} characters long with the clinic details filled in; "
            f"the limit is {MAX_ANSWER_CHARS}. Shorten it",
        )
    sentences = count_sentences(filled)
    if sentences > MAX_ANSWER_SENTENCES:
        yield answers.problem(
            line, topic,
            f"the answer has {sentences} sentences; the limit is {MAX_ANSWER_SENTENCES}. "
            "Shorten it",
        )


def _repeated(file: YamlFile, words: str) -> Iterator[Problem]:
    for path, line in file.repeated:
        yield file.problem(line, path[-1], words)


def _link_target(link: str) -> tuple[str, str, str] | None:
    """(scheme, number or address, sms body) of a well-formed link, else None."""
    if match := _TEL.fullmatch(link):
        return "tel", match.group(1), ""
    if match := _SMS.fullmatch(link):
        return "sms", match.group(1), match.group(2) or ""
    if _HTTPS.fullmatch(link):
        return "https", link, ""
    if _MAILTO.fullmatch(link):
        return "mailto", link[len("mailto:"):], ""
    return None


def phone_problem(number: str) -> str:
    """Why `number` is not a phone number people can dial, or "" if it is fine."""
    if not _PHONE_CHARS.fullmatch(number):
        return "use only digits, spaces, brackets, dashes and a leading +"
    digits = re.sub(r"\D", "", number)
    if not 7 <= len(digits) <= 15:
        return f"it has {len(digits)} digits; a phone number has 7 to 15"
    if number.count("(") != number.count(")") or re.search(r"\([^)]*\D[^)]*\)", number):
        return "the brackets do not match"
    north_american = _NORTH_AMERICAN.fullmatch(number)
    if north_american and "(" in number and len(north_american.group(1)) != 4:
        return "a number like (503) 555-0142 has 4 digits after the dash"
    return ""


def fill(text: str, values: dict[str, str]) -> str:
    """The text as patients see it, for measuring (unknown names stay as written)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or m.group(0), text)


def count_sentences(text: str) -> int:
    ends = [m for m in _SENTENCE_END.finditer(text)
            if m.group(1).lower().rstrip(".") not in _ABBREVIATIONS]
    tail = text[ends[-1].end():] if ends else text
    return len(ends) + (1 if tail.strip() else 0)


def normalise(example: str) -> str:
    """Case, punctuation and spacing do not make two example questions different."""
    return " ".join(re.sub(r"[^\w\s]", "", example.lower()).split())


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
            topic = label[len(FAQ_INTENT_PREFIX):]
            example_topics.setdefault(topic, (file, block_line))
            if text:
                with_examples.add(topic)
    response_topics = {
        name[len(FAQ_RESPONSE_PREFIX):]: (file, line)
        for file, line, name, _ in responses if name.startswith(FAQ_RESPONSE_PREFIX)
    }
    if isinstance(answers, Problem):
        # Already reported; every topic would look unanswered.
        topics = {t: None for t in {**response_topics, **example_topics}}
    for topic, (file, line) in {**response_topics, **example_topics}.items():
        if topic not in topics:
            problems.append(file.problem(
                line, topic, f"this topic has no answer in content/{ANSWERS_FILE}: add one"
            ))
    for topic in topics:
        if topic not in example_topics and isinstance(answers, YamlFile):
            problems.append(Problem(
                f"content/{ANSWERS_FILE}", _line(answers, topic), topic,
                "this is not a topic the assistant knows (no example questions in "
                "data/nlu/faq.yml). Check the spelling; new topics need a developer",
            ))
    for topic, (file, line) in example_topics.items():
        if topic not in with_examples:
            problems.append(file.problem(line, topic, "this topic has no example questions"))
        if topic not in response_topics:
            problems.append(file.problem(
                line, topic,
                f"this topic has no response {FAQ_RESPONSE_PREFIX}{topic} in data/responses/",
            ))
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
                line, name,
                f"the example '{text}' is also under '{other}' ({where}); keep it under one "
                "topic only",
            )
        first.setdefault(key, (name, f"{file.shown}:{line}"))
    for topic, entry in topics.items():
        question = entry.get("question") if isinstance(entry, dict) else None
        match = first.get(normalise(question)) if isinstance(question, str) else None
        if match and match[0] != topic:
            yield Problem(
                f"content/{ANSWERS_FILE}", _line(answers, topic, "question"), topic,
                f"the button question is an example question of '{match[0]}' ({match[1]}), "
                "so the button could give that topic's answer",
            )
