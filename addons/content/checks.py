"""Checks on the content clinic staff edit, one plain-words line per problem.

`make check` runs check_project (content/ against data/ and domain.yml); the response
generator runs check_content and refuses content with any problem, so a bad edit never
reaches a patient. `rasa data validate` cannot see these: the answers are not training data.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from addons.content.loader import (
    ANSWERS_FILE,
    CLINIC_FIELDS,
    CLINIC_FILE,
    CRISIS_FILE,
    DAYS,
    HOURS_FIELD,
    MAX_CRISIS_RESOURCES,
    parse_hours,
)
from addons.content.validators import (
    EMAIL,
    HTTPS,
    LINK_LIKE,
    MARKDOWN_LINK,
    PHONE_LIKE,
    PLACEHOLDER,
    TRIM,
    count_sentences,
    fill,
    link_target,
    phone_problem,
)
from addons.content.yaml_index import Problem, YamlFile, read_yaml

MAX_ANSWER_CHARS = 700
# Who may have the treatment is never the bot's call (DEVELOPERS.md, safety principles).
ELIGIBILITY_TOPIC = "eligibility"
ELIGIBILITY_ENDING = "our clinicians decide with you."
MAX_ANSWER_SENTENCES = 5
ANSWER_FIELDS = ("question", "answer")
CLINIC_PHONE_FIELDS = ("clinic_phone", "clinic_after_hours_phone")
KNOWN_PLACEHOLDERS = frozenset(
    (
        *CLINIC_FIELDS,
        "crisis_resources",
        "crisis_resources_es",
        "emergency_number",
        "crisis_reminder",
        "clinic_week_hours",
        "clinic_open_now",
    )
)
# The US lines the clinic committed to: (scheme, number, sms body, how staff know it).
US_REQUIRED_LINES = (
    ("tel", "988", "", "call or text 988"),
    ("tel", "911", "", "call 911"),
    ("sms", "741741", "HOME", "text HOME to 741741"),
)
LINK_EXAMPLES = "tel:988, sms:741741?&body=HOME or https://..."


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
    yield from _check_hours(clinic)
    for name in data:
        if str(name) not in CLINIC_FIELDS and str(name) != HOURS_FIELD:
            yield clinic.problem(
                clinic.line(name),
                str(name),
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
        elif name == "clinic_email" and not EMAIL.fullmatch(text):
            yield clinic.problem(line, name, f"'{text}' is not an email address")
        elif name == "clinic_booking_url" and not HTTPS.fullmatch(text):
            yield clinic.problem(
                line,
                name,
                f"'{text}' is not a web link (it must look like https://example.org/book)",
            )
        elif name == "clinic_timezone":
            try:
                ZoneInfo(text)
            except (ValueError, ZoneInfoNotFoundError):
                yield clinic.problem(
                    line, name, f"'{text}' is not a time zone (use one like America/Los_Angeles)"
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


def _check_hours(clinic: YamlFile) -> Iterator[Problem]:
    days = clinic.data.get(HOURS_FIELD)
    line = clinic.line(HOURS_FIELD)
    if not isinstance(days, dict):
        yield clinic.problem(
            line, HOURS_FIELD, 'is missing: list every day, like monday: "08:00-18:00" or "closed"'
        )
        return
    for day in days:
        if str(day) not in DAYS:
            yield clinic.problem(
                clinic.line(HOURS_FIELD, day), HOURS_FIELD, f"'{day}' is not a day of the week"
            )
    for day in DAYS:
        if day not in days:
            yield clinic.problem(line, HOURS_FIELD, f'{day} is missing (write "closed" if so)')
            continue
        try:
            parse_hours(str(days[day]))
        except ValueError as e:
            yield clinic.problem(clinic.line(HOURS_FIELD, day), HOURS_FIELD, f"{day}: {e}")


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
                crisis.line(region, "emergency_number"),
                region,
                'the emergency_number is missing or not a number (like "911")',
            )
        resources = entry.get("resources")
        count = len(resources) if isinstance(resources, list) else 0
        if not 1 <= count <= MAX_CRISIS_RESOURCES:
            yield crisis.problem(
                crisis.line(region, "resources"),
                region,
                f"lists {count} crisis lines; it must list 1 to {MAX_CRISIS_RESOURCES}, "
                "most important first",
            )
        for i, item in enumerate(resources if isinstance(resources, list) else []):
            yield from _check_resource(crisis, region, i, item)
        spanish = entry.get("resources_es")
        if spanish is not None:
            if not isinstance(spanish, list) or not 1 <= len(spanish) <= MAX_CRISIS_RESOURCES:
                yield crisis.problem(
                    crisis.line(region, "resources_es"),
                    region,
                    f"resources_es must list 1 to {MAX_CRISIS_RESOURCES} crisis lines",
                )
            else:
                for i, item in enumerate(spanish):
                    yield from _check_resource(crisis, region, i, item, "resources_es")
    us = data.get("US")
    if isinstance(us, dict) and isinstance(us.get("resources"), list):
        links = [_text(r.get("link")) for r in us["resources"] if isinstance(r, dict)]
        for scheme, number, body, label in US_REQUIRED_LINES:
            if not any(link_target(link) == (scheme, number, body) for link in links):
                yield crisis.problem(
                    crisis.line("US", "resources"),
                    "US",
                    f"the crisis line '{label}' was removed or changed; the US lines must "
                    "include call or text 988, call 911 and text HOME to 741741",
                )


def _check_resource(
    crisis: YamlFile, region: str, i: int, item: Any, key: str = "resources"
) -> Iterator[Problem]:
    line = crisis.line(region, key, i)
    fields = item if isinstance(item, dict) else {}
    text, link = _text(fields.get("text")), _text(fields.get("link"))
    if not text:
        yield crisis.problem(line, region, f"crisis line {i + 1} has no text")
    target = link_target(link)
    if target is None:
        yield crisis.problem(
            crisis.line(region, key, i, "link"),
            region,
            f"crisis line {i + 1} has a missing or broken link '{link}' (use {LINK_EXAMPLES})",
        )
    elif target[0] in ("tel", "sms") and target[1].lstrip("+") not in re.sub(r"\D", "", text):
        yield crisis.problem(
            crisis.line(region, key, i, "link"),
            region,
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
                    answers.line(topic, name),
                    topic,
                    f"'{name}' is not a field here; a topic has only 'question:' and 'answer:'",
                )
        question, answer = _text(entry.get("question")), _text(entry.get("answer"))
        if not question:
            yield answers.problem(
                answers.line(topic, "question"), topic, "the button question is missing or empty"
            )
        elif "{" in question or "}" in question:
            yield answers.problem(
                answers.line(topic, "question"),
                topic,
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
                answers.line(topic, "answer"),
                topic,
                f'the eligibility answer must end with "{ELIGIBILITY_ENDING}": the bot never '
                "decides for a patient",
            )


def check_placeholders(
    file: YamlFile, text: str, path: tuple[str, ...], subject: str, what: str
) -> Iterator[Problem]:
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name in KNOWN_PLACEHOLDERS:
            continue
        close = difflib.get_close_matches(name.strip(), sorted(KNOWN_PLACEHOLDERS), n=1)
        hint = (
            f"; did you mean {{{close[0]}}}?"
            if close
            else f"; the names you can use are the ones in content/{CLINIC_FILE}"
        )
        yield file.problem(
            file.line_of(match.group(0), *path),
            subject,
            f"{what} contains {match.group(0)}, which is not a known clinic detail{hint}",
        )
    leftover = PLACEHOLDER.sub("", text)
    for brace in "{}":
        if brace in leftover:
            yield file.problem(
                file.line_of(brace, *path),
                subject,
                f"{what} has a '{brace}' that is not part of a name like {{clinic_phone}}; "
                "complete the name or remove it",
            )
            return


def _check_links(
    file: YamlFile, text: str, path: tuple[str, ...], subject: str, what: str
) -> Iterator[Problem]:
    tokens = MARKDOWN_LINK.findall(text) + MARKDOWN_LINK.sub(" ", text).split()
    for token in (t.strip(TRIM) for t in tokens):
        if LINK_LIKE.match(token):
            if token.lower().startswith("http://"):
                yield file.problem(
                    file.line_of(token, *path),
                    subject,
                    f"{what} has the link '{token}': use https:// (secure) links only",
                )
            elif link_target(token) is None:
                yield file.problem(
                    file.line_of(token, *path),
                    subject,
                    f"{what} has a link in a broken format: '{token}' (use {LINK_EXAMPLES})",
                )
        elif "@" in token and not EMAIL.fullmatch(token):
            yield file.problem(
                file.line_of(token, *path),
                subject,
                f"{what} has '{token}', which is not a valid email address",
            )
    for match in PHONE_LIKE.finditer(PLACEHOLDER.sub(" ", text)):
        number = match.group(0).strip()
        reason = phone_problem(number)
        if reason:
            yield file.problem(
                file.line_of(number, *path),
                subject,
                f"{what} has the phone number '{number}', which is not usable: {reason}",
            )


def _check_length(answers: YamlFile, filled: str, topic: str) -> Iterator[Problem]:
    line = answers.line(topic, "answer")
    if len(filled) > MAX_ANSWER_CHARS:
        yield answers.problem(
            line,
            topic,
            f"the answer is {len(filled)} characters long with the clinic details filled in; "
            f"the limit is {MAX_ANSWER_CHARS}. Shorten it",
        )
    sentences = count_sentences(filled)
    if sentences > MAX_ANSWER_SENTENCES:
        yield answers.problem(
            line,
            topic,
            f"the answer has {sentences} sentences; the limit is {MAX_ANSWER_SENTENCES}. "
            "Shorten it",
        )


def _repeated(file: YamlFile, words: str) -> Iterator[Problem]:
    for path, line in file.repeated:
        yield file.problem(line, path[-1], words)
