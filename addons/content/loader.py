"""Clinic details, crisis resources and FAQ answers from content/, checked when loaded.

The server refuses to start on broken content rather than send a crisis reply with a
hole in it, so every problem raises ContentError with a plain-words message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
)


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


@dataclass(frozen=True)
class ClinicContent:
    clinic: dict[str, str]
    region: str
    emergency_number: str
    reminder: str
    resources: list[CrisisResource]

    def template_values(self, with_links: bool) -> dict[str, str]:
        """Values for the {placeholders} in responses.

        With links (web chat), each crisis line, phone number, email and web address is a
        Markdown link so the widget can make it tappable; text channels get plain text.
        """
        lines = [f"- [{r.text}]({r.link})" if with_links else f"- {r.text}" for r in self.resources]
        values = {
            **self.clinic,
            "crisis_resources": "\n".join(lines),
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
    resources = []
    for item in raw:
        text, link = str(item.get("text", "")).strip(), str(item.get("link", "")).strip()
        if not text or not link.startswith(("tel:", "sms:", "https:")):
            raise ContentError(
                f"{resources_path}: region {region}: each resource needs text and a "
                "tel:, sms: or https: link"
            )
        resources.append(CrisisResource(text, link))

    values = {field: str(clinic[field]).strip() for field in CLINIC_FIELDS}
    return ClinicContent(values, region, emergency, reminder, resources)


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
