"""Clinic details, crisis resources and FAQ answers from content/, checked when loaded.

The server refuses to start on broken content rather than send a crisis reply with a
hole in it, so every problem raises ContentError with a plain-words message.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

CONTENT_DIR_ENV = "CLINIC_CONTENT_DIR"
CLINIC_FILE = "clinic.yml"
CRISIS_FILE = "crisis_resources.yml"
ANSWERS_FILE = "faq.yml"
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
MAX_CRISIS_RESOURCES = 3
# The FAQ is Rasa's retrieval intent `faq/<topic>`, answered by `utter_faq/<topic>`.
FAQ_INTENT_PREFIX = "faq/"
FAQ_RESPONSE_PREFIX = "utter_faq/"

CLINIC_FIELDS = (
    "clinic_name",
    "clinic_phone",
    "clinic_after_hours_phone",
    "clinic_hours",
    "clinic_email",
    "clinic_booking_url",
    "clinic_payment_note",
    "clinic_insurance_note",
    "crisis_region",
    "clinic_timezone",
    "clinic_address",
    "clinic_directions",
    "clinic_parking",
    "clinic_access",
)
# Opening hours per day: "08:00-18:00" or "closed".
HOURS_FIELD = "clinic_hours_by_day"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CLOSED = "closed"
HOURS_PATTERN = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)")


# Clinic details that are phone numbers: tappable on the web chat.
TAPPABLE_PHONES = ("clinic_phone", "clinic_after_hours_phone", "emergency_number")


class ContentError(ValueError):
    pass


@dataclass(frozen=True)
class CrisisResource:
    text: str
    link: str


@dataclass(frozen=True)
class FaqEntry:
    question: str
    answer: str


def parse_hours(text: str) -> tuple[time, time] | None:
    """(opens, closes) from "08:00-18:00"; None for "closed". Raises ValueError otherwise."""
    text = text.strip().lower()
    if text == CLOSED:
        return None
    match = HOURS_PATTERN.fullmatch(text)
    if not match:
        raise ValueError(f"'{text}' is not like 08:00-18:00 or closed")
    opens, closes = (time(int(match[i]), int(match[i + 1])) for i in (1, 3))
    if closes <= opens:
        raise ValueError(f"'{text}' closes before it opens")
    return opens, closes


def spoken_time(t: time) -> str:
    """8 am, 6:30 pm, noon."""
    if (t.hour, t.minute) == (12, 0):
        return "noon"
    hour = t.hour % 12 or 12
    minutes = f":{t.minute:02d}" if t.minute else ""
    return f"{hour}{minutes} {'am' if t.hour < 12 else 'pm'}"


@dataclass(frozen=True)
class ClinicContent:
    clinic: dict[str, str]
    region: str
    emergency_number: str
    reminder: str
    resources: list[CrisisResource]
    resources_es: list[CrisisResource] = dataclass_field(default_factory=list)
    hours: dict[str, tuple[time, time] | None] = dataclass_field(default_factory=dict)

    def week_hours(self) -> str:
        """One line per run of days with the same hours: "Monday to Friday: 8 am to 6 pm"."""
        lines: list[str] = []
        run: list[str] = []
        for day in (*DAYS, None):
            if run and (day is None or self.hours.get(day) != self.hours.get(run[0])):
                joiner = " and " if len(run) == 2 else " to "
                first, last = run[0].title(), run[-1].title()
                span = first if len(run) == 1 else f"{first}{joiner}{last}"
                hours = self.hours.get(run[0])
                said = (
                    "closed"
                    if hours is None
                    else f"{spoken_time(hours[0])} to {spoken_time(hours[1])}"
                )
                lines.append(f"- {span}: {said}")
                run = []
            if day is not None:
                run.append(day)
        return "\n".join(lines)

    def open_now(self, now: datetime | None = None) -> str:
        """Whether the clinic is open at this moment in its time zone, and until or from when."""
        now = now or datetime.now(ZoneInfo(self.clinic["clinic_timezone"]))
        today = DAYS[now.weekday()]
        hours = self.hours.get(today)
        if hours and hours[0] <= now.time() < hours[1]:
            return f"We're open now, until {spoken_time(hours[1])}."
        if hours and now.time() < hours[0]:
            return f"We're closed right now; we open today at {spoken_time(hours[0])}."
        for ahead in range(1, 8):
            day = DAYS[(now.weekday() + ahead) % 7]
            later = self.hours.get(day)
            if later:
                when = "tomorrow" if ahead == 1 else day.title()
                return f"We're closed right now; we open again {when} at {spoken_time(later[0])}."
        return "We're closed right now."

    def template_values(self, with_links: bool) -> dict[str, str]:
        """Values for the {placeholders} in responses.

        With links (web chat), each crisis line, phone number, email and web address is a
        Markdown link so the widget can make it tappable; text channels get plain text.
        """

        def listed(resources: list[CrisisResource]) -> str:
            return "\n".join(
                f"- [{r.text}]({r.link})" if with_links else f"- {r.text}" for r in resources
            )

        values = {
            **self.clinic,
            "crisis_resources": listed(self.resources),
            "crisis_resources_es": listed(self.resources_es or self.resources),
            "clinic_week_hours": self.week_hours(),
            "clinic_open_now": self.open_now(),
            "emergency_number": self.emergency_number,
            "crisis_reminder": self.reminder,
        }
        if with_links:
            for field in TAPPABLE_PHONES:
                values[field] = f"[{values[field]}]({tel_link(values[field])})"
            values["clinic_email"] = f"[{values['clinic_email']}](mailto:{values['clinic_email']})"
            url = values["clinic_booking_url"]
            values["clinic_booking_url"] = f"[{url}]({url})"
        return values


def tel_link(number: str) -> str:
    """tel:+15035550142 from "(503) 555-0142" style numbers; a leading + is kept."""
    digits = "".join(c for c in number if c.isdigit())
    return f"tel:{'+' if number.strip().startswith('+') else ''}{digits}"


def content_dir() -> Path:
    return Path(os.environ.get(CONTENT_DIR_ENV) or DEFAULT_CONTENT_DIR)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.safe_load(f)
    except FileNotFoundError as e:
        raise ContentError(f"{path}: file is missing") from e
    except yaml.YAMLError as e:
        raise ContentError(f"{path}: not valid YAML ({e})") from e


def load_content(directory: Path | None = None) -> ClinicContent:
    directory = directory or content_dir()
    clinic_path = directory / CLINIC_FILE
    clinic = _read_yaml(clinic_path)
    if not isinstance(clinic, dict):
        raise ContentError(f"{clinic_path}: expected 'name: value' lines")
    for field in CLINIC_FIELDS:
        value = clinic.get(field)
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"{clinic_path}: '{field}' is missing or empty")

    resources_path = directory / CRISIS_FILE
    regions = _read_yaml(resources_path)
    region = clinic["crisis_region"].strip()
    if not isinstance(regions, dict) or region not in regions:
        raise ContentError(
            f"{clinic_path}: crisis_region '{region}' is not a region in {resources_path}"
        )
    entry = regions[region] or {}
    emergency = str(entry.get("emergency_number", "")).strip()
    reminder = str(entry.get("reminder", "")).strip()
    raw = entry.get("resources") or []
    if not emergency or not reminder:
        raise ContentError(
            f"{resources_path}: region {region} needs an emergency_number and a reminder"
        )
    if not 1 <= len(raw) <= MAX_CRISIS_RESOURCES:
        raise ContentError(
            f"{resources_path}: region {region} must list 1 to {MAX_CRISIS_RESOURCES} resources"
        )
    resources = _resources(raw, resources_path, region)
    resources_es = _resources(entry.get("resources_es") or [], resources_path, region) or resources

    values = {field: str(clinic[field]).strip() for field in CLINIC_FIELDS}
    try:
        ZoneInfo(values["clinic_timezone"])
        days = clinic.get(HOURS_FIELD) or {}
        hours = {day: parse_hours(str(days[day])) for day in DAYS}
    except (KeyError, TypeError, ValueError) as e:
        raise ContentError(
            f"{clinic_path}: {HOURS_FIELD} or clinic_timezone is not usable ({e})"
        ) from e
    return ClinicContent(values, region, emergency, reminder, resources, resources_es, hours)


def _resources(raw: list[Any], resources_path: Path, region: str) -> list[CrisisResource]:
    resources = []
    for item in raw:
        text, link = str(item.get("text", "")).strip(), str(item.get("link", "")).strip()
        if not text or not link.startswith(("tel:", "sms:", "https:")):
            raise ContentError(
                f"{resources_path}: region {region}: each resource needs text and a "
                "tel:, sms: or https: link"
            )
        resources.append(CrisisResource(text, link))
    return resources


def load_answers(directory: Path | None = None) -> dict[str, FaqEntry]:
    """The button question and answer text of every FAQ topic in faq.yml."""
    path = (directory or content_dir()) / ANSWERS_FILE
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected one entry per topic")
    answers = {}
    for topic, entry in data.items():
        fields = entry if isinstance(entry, dict) else {}
        question, answer = fields.get("question"), fields.get("answer")
        if not isinstance(question, str) or not isinstance(answer, str):
            raise ContentError(f"{path}: topic '{topic}' needs a question and an answer")
        answers[str(topic)] = FaqEntry(question.strip(), answer.strip())
    return answers
