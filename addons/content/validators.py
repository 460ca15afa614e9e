"""Format checks on single values: phone numbers, links, placeholders, sentences."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")


_TEL = re.compile(r"tel:(\+?\d{3,15})")


_SMS = re.compile(r"sms:(\+?\d{3,15})(?:\?&?body=([A-Za-z0-9]+))?")


HTTPS = re.compile(r"https://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#][^\s<>\"]*)?")


EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


_MAILTO = re.compile(r"mailto:" + EMAIL.pattern)


# Anything that starts like a link: http, htps:, www., tel:, sms:, mailto:, xyz://
LINK_LIKE = re.compile(r"(?i)^(?:h\w{0,4}p\w?:|h\w{0,4}p\w?//|www\.|tel:|sms:|mailto:|\w+://)")


MARKDOWN_LINK = re.compile(r"\]\(([^)\s]*)\)")


PHONE_LIKE = re.compile(r"\+?\(?\d[\d ().-]{5,}\d\)?")


_PHONE_CHARS = re.compile(r"\+?[\d ().-]+")


_NORTH_AMERICAN = re.compile(r"(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?(\d+)")


_SENTENCE_END = re.compile(r"(\S*?)[.!?]+[\"')\]]*(?=\s|$)")


# "e.g." and "8 a.m." do not end a sentence.
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "a.m", "p.m", "approx"}


TRIM = "()[]<>\"'.,;:!?"


def link_target(link: str) -> tuple[str, str, str] | None:
    """(scheme, number or address, sms body) of a well-formed link, else None."""
    if match := _TEL.fullmatch(link):
        return "tel", match.group(1), ""
    if match := _SMS.fullmatch(link):
        return "sms", match.group(1), match.group(2) or ""
    if HTTPS.fullmatch(link):
        return "https", link, ""
    if _MAILTO.fullmatch(link):
        return "mailto", link[len("mailto:") :], ""
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
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or m.group(0), text)


def count_sentences(text: str) -> int:
    ends = [
        m
        for m in _SENTENCE_END.finditer(text)
        if m.group(1).lower().rstrip(".") not in _ABBREVIATIONS
    ]
    tail = text[ends[-1].end() :] if ends else text
    return len(ends) + (1 if tail.strip() else 0)


def normalise(example: str) -> str:
    """Case, punctuation and spacing do not make two example questions different."""
    return " ".join(re.sub(r"[^\w\s]", "", example.lower()).split())
