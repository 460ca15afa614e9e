"""The content check on a small copy of the project, broken one way at a time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from addons.content.checks import check_content
from addons.content.cross_checks import check_project
from addons.content.validators import count_sentences, phone_problem

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
ANSWERS = """\
# Answers.
booking:
  question: "How do I book a consultation?"
  answer: >
    The first step is a consultation. Call {clinic_phone}.

onset:
  question: "How soon does it work?"
  answer: >
    Many people notice a change within days.
    For others it takes a few sessions.
"""
EXAMPLES = """\
version: "3.1"
nlu:
- intent: faq/booking
  examples: |
    - how do i book
    - can i schedule a consultation
- intent: faq/onset
  examples: |
    - when will i feel better
    - how fast does it work
"""
RESPONSES = """\
version: "3.1"
responses:
  utter_faq/booking:
  - text: "Please call {clinic_phone}."
  utter_faq/onset:
  - text: "Please call {clinic_phone}."
"""
DOMAIN = """\
version: "3.1"
intents:
  - faq
responses:
  utter_crisis:
  - text: "Please reach out:\\n{crisis_resources}"
"""
LINK_HELP = "(use tel:988, sms:741741?&body=HOME or https://...)"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    for name in ("clinic.yml", "crisis_resources.yml"):
        shutil.copy(ROOT / "content" / name, tmp_path / "content" / name)
    (tmp_path / "content" / "faq.yml").write_text(ANSWERS)
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "responses").mkdir()
    (tmp_path / "data" / "nlu" / "faq.yml").write_text(EXAMPLES)
    (tmp_path / "data" / "responses" / "faq.yml").write_text(RESPONSES)
    (tmp_path / "domain.yml").write_text(DOMAIN)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def problems(project: Path) -> list[str]:
    return [str(p) for p in check_project(project)]


def test_the_real_project_passes() -> None:
    assert problems(ROOT) == []


def test_the_small_copy_passes(project: Path) -> None:
    assert problems(project) == []


# Topics


def test_a_topic_with_no_answer(project: Path) -> None:
    edit(project / "content" / "faq.yml", ANSWERS[ANSWERS.index("\nonset:") :], "\n")
    assert problems(project) == [
        "data/nlu/faq.yml:7: onset: this topic has no answer in content/faq.yml: add one"
    ]


def test_a_topic_with_no_examples(project: Path) -> None:
    edit(
        project / "data" / "nlu" / "faq.yml",
        "  examples: |\n    - when will i feel better\n    - how fast does it work\n",
        '  examples: ""\n',
    )
    assert problems(project) == ["data/nlu/faq.yml:7: onset: this topic has no example questions"]


def test_an_unknown_topic(project: Path) -> None:
    edit(project / "content" / "faq.yml", "onset:", "onsett:")
    assert problems(project) == [
        "data/nlu/faq.yml:7: onset: this topic has no answer in content/faq.yml: add one",
        "content/faq.yml:7: onsett: this is not a topic the assistant knows (no example "
        "questions in data/nlu/faq.yml). Check the spelling; new topics need a developer",
    ]


def test_a_topic_twice(project: Path) -> None:
    (project / "content" / "faq.yml").write_text(ANSWERS + ANSWERS[ANSWERS.index("onset:") :])
    assert problems(project) == [
        "content/faq.yml:12: onset: this topic appears twice; keep one (the bot would use the last)"
    ]


@pytest.mark.parametrize(
    "old,new,line,words",
    [
        (
            '  question: "How do I book a consultation?"\n',
            "",
            2,
            "the button question is missing or empty",
        ),
        (
            "    The first step is a consultation. Call {clinic_phone}.\n",
            "",
            4,
            "the answer is missing or empty",
        ),
        (
            "  answer: >",
            "  anwser: >",
            4,
            "'anwser' is not a field here; a topic has only 'question:' and 'answer:'",
        ),
        (
            "How do I book a consultation?",
            "How do I book {clinic_name}?",
            3,
            "the button question cannot use { or } (buttons show the text as it is)",
        ),
    ],
    ids=["no-question", "empty-answer", "misspelt-field", "placeholder-in-question"],
)
def test_an_incomplete_entry(project: Path, old: str, new: str, line: int, words: str) -> None:
    edit(project / "content" / "faq.yml", old, new)
    assert f"content/faq.yml:{line}: booking: {words}" in problems(project)


# Placeholders, links and numbers in answers


@pytest.mark.parametrize(
    "new,words",
    [
        (
            "Call {clinic_phne}.",
            "the answer contains {clinic_phne}, which is not a known clinic detail; "
            "did you mean {clinic_phone}?",
        ),
        (
            "Call {phone number}.",
            "the answer contains {phone number}, which is not a known clinic detail; "
            "the names you can use are the ones in content/clinic.yml",
        ),
        (
            "Call {clinic_phone.",
            "the answer has a '{' that is not part of a name like {clinic_phone}; "
            "complete the name or remove it",
        ),
        (
            "Book at htps://example.org/book.",
            f"the answer has a link in a broken format: 'htps://example.org/book' {LINK_HELP}",
        ),
        (
            "Book at https//example.org/book.",
            f"the answer has a link in a broken format: 'https//example.org/book' {LINK_HELP}",
        ),
        (
            "Book [online](https:/example.org).",
            f"the answer has a link in a broken format: 'https:/example.org' {LINK_HELP}",
        ),
        (
            "Book at http://example.org/book.",
            "the answer has the link 'http://example.org/book': use https:// (secure) links only",
        ),
        (
            "Email care@example.",
            "the answer has 'care@example', which is not a valid email address",
        ),
        (
            "Call (503) 555-014.",
            "the answer has the phone number '(503) 555-014', which is not usable: "
            "a number like (503) 555-0142 has 4 digits after the dash",
        ),
        (
            "Call 503-555-0142-9999-99999.",
            "the answer has the phone number '503-555-0142-9999-99999', which is not usable: "
            "it has 19 digits; a phone number has 7 to 15",
        ),
    ],
    ids=[
        "misspelt",
        "unknown",
        "unclosed",
        "htps",
        "no-colon",
        "markdown",
        "http",
        "email",
        "phone-short",
        "phone-long",
    ],
)
def test_a_broken_answer(project: Path, new: str, words: str) -> None:
    edit(project / "content" / "faq.yml", "Call {clinic_phone}.", new)
    assert problems(project) == [f"content/faq.yml:5: booking: {words}"]


def test_good_links_numbers_and_addresses_pass(project: Path) -> None:
    edit(
        project / "content" / "faq.yml",
        "Call {clinic_phone}.",
        "Call (503) 555-0142 or +44 20 7946 0958, see https://example.org/a?b=1 or "
        "[book](https://example.org/book), text [988](sms:988), email care@example.org.",
    )
    assert problems(project) == []


def test_the_problem_points_at_the_line_inside_the_answer(project: Path) -> None:
    edit(project / "content" / "faq.yml", "For others", "For {clinic_nme}")
    assert problems(project)[0].startswith("content/faq.yml:11: onset: the answer contains")


def test_an_answer_over_the_length_limit(project: Path) -> None:
    long = "This sentence is part of a long answer, so it is repeated many many times here"
    edit(project / "content" / "faq.yml", "Call {clinic_phone}.", f"{long}, and {long}" * 5)
    # {clinic_phone} is counted filled in: (503) 555-0142 is 14 characters.
    length = len("The first step is a consultation. ") + len(f"{long}, and {long}") * 5
    assert problems(project) == [
        f"content/faq.yml:4: booking: the answer is {length} characters long with the clinic "
        "details filled in; the limit is 700. Shorten it"
    ]


def test_an_answer_over_the_sentence_limit(project: Path) -> None:
    edit(project / "content" / "faq.yml", "Call {clinic_phone}.", "One. Two. Three. Four. Five.")
    assert problems(project) == [
        "content/faq.yml:4: booking: the answer has 6 sentences; the limit is 5. Shorten it"
    ]


# Example questions


def test_the_eligibility_answer_must_leave_the_decision_to_the_clinicians(project: Path) -> None:
    answers = project / "content" / "faq.yml"
    entry = 'eligibility:\n  question: "Am I a candidate?"\n  answer: >\n'
    answer = "    It depends. Our clinicians decide with you.\n"
    answers.write_text(answers.read_text() + entry + answer)
    before = problems(project)
    edit(answers, "Our clinicians decide with you.", "You are probably a good candidate.")
    assert [p for p in problems(project) if p not in before] == [
        f"content/faq.yml:{line_of(answers, 'eligibility:') + 2}: eligibility: the eligibility "
        'answer must end with "our clinicians decide with you.": the bot never decides for a '
        "patient"
    ]


def test_the_same_example_under_two_topics(project: Path) -> None:
    edit(
        project / "data" / "nlu" / "faq.yml",
        "    - how fast does it work\n",
        "    - how fast does it work\n    - How do I  book?\n",
    )
    assert problems(project) == [
        "data/nlu/faq.yml:11: onset: the example 'How do I  book?' is also under 'booking' "
        "(data/nlu/faq.yml:5); keep it under one topic only"
    ]


def test_a_button_question_that_is_another_topics_example(project: Path) -> None:
    edit(project / "content" / "faq.yml", "How soon does it work?", "How do I book?")
    assert problems(project) == [
        "content/faq.yml:8: onset: the button question is an example question of 'booking' "
        "(data/nlu/faq.yml:5), so the button could give that topic's answer"
    ]


# Clinic details


@pytest.mark.parametrize(
    "field,old,new,words",
    [
        (
            "clinic_phone",
            '"(503) 555-0142"',
            '"(503) 555-01420"',
            "'(503) 555-01420' is not a usable phone number: a number like (503) 555-0142 has "
            "4 digits after the dash",
        ),
        (
            "clinic_after_hours_phone",
            '"(503) 555-0199"',
            '"call 555 0199"',
            "'call 555 0199' is not a usable phone number: use only digits, spaces, brackets, "
            "dashes and a leading +",
        ),
        (
            "clinic_email",
            '"care@example.org"',
            '"care(at)example.org"',
            "'care(at)example.org' is not an email address",
        ),
        (
            "clinic_booking_url",
            '"https://example.org/book"',
            '"example.org/book"',
            "'example.org/book' is not a web link (it must look like https://example.org/book)",
        ),
        ("clinic_hours", '"Monday to Friday, 8 am to 6 pm"', '""', "is missing or empty"),
        (
            "crisis_region",
            "crisis_region: US",
            "crisis_region: FR",
            "'FR' is not a region in crisis_resources.yml (there: US, UK, CA, AU)",
        ),
    ],
)
def test_broken_clinic_details(project: Path, field: str, old: str, new: str, words: str) -> None:
    path = project / "content" / "clinic.yml"
    edit(path, old, new)
    line = line_of(path, field + ":")
    assert problems(project) == [f"content/clinic.yml:{line}: {field}: {words}"]


def test_an_unknown_clinic_detail(project: Path) -> None:
    path = project / "content" / "clinic.yml"
    path.write_text(path.read_text() + 'clinic_adress: "1 Main St"\n')
    assert problems(project) == [
        f"content/clinic.yml:{line_of(path, 'clinic_adress')}: clinic_adress: is not a clinic "
        "detail the assistant uses (check the spelling)"
    ]


@pytest.mark.parametrize(
    "field", ["clinic_address", "clinic_directions", "clinic_parking", "clinic_access"]
)
def test_a_missing_clinic_detail_fails_the_check(project: Path, field: str) -> None:
    path = project / "content" / "clinic.yml"
    kept = [line for line in path.read_text().splitlines() if not line.startswith(field + ":")]
    path.write_text("\n".join(kept) + "\n")
    assert problems(project) == [f"content/clinic.yml:1: {field}: is missing or empty"]


@pytest.mark.parametrize(
    "old,new,words",
    [
        (
            'saturday: "closed"',
            'saturday: "9-1"',
            "saturday: '9-1' is not like 08:00-18:00 or closed",
        ),
        (
            'monday: "08:00-18:00"',
            'monday: "18:00-08:00"',
            "monday: '18:00-08:00' closes before it opens",
        ),
        ('  sunday: "closed"\n', "", 'sunday is missing (write "closed" if so)'),
        ('  sunday: "closed"\n', '  sundy: "closed"\n', "'sundy' is not a day of the week"),
    ],
)
def test_broken_opening_hours(project: Path, old: str, new: str, words: str) -> None:
    path = project / "content" / "clinic.yml"
    edit(path, old, new)
    found = problems(project)
    assert len(found) in (1, 2)
    assert any(p.endswith(f"clinic_hours_by_day: {words}") for p in found), found


def test_a_wrong_time_zone(project: Path) -> None:
    path = project / "content" / "clinic.yml"
    edit(path, '"America/Los_Angeles"', '"Pacific time"')
    assert problems(project) == [
        f"content/clinic.yml:{line_of(path, 'clinic_timezone')}: clinic_timezone: 'Pacific time' "
        "is not a time zone (use one like America/Los_Angeles)"
    ]


def test_spanish_crisis_lines_are_checked_like_the_others(project: Path) -> None:
    path = project / "content" / "crisis_resources.yml"
    edit(path, 'link: "sms:988?&body=AYUDA"', 'link: "sms:989?&body=AYUDA"')
    assert problems(project) == [
        f"content/crisis_resources.yml:{line_of(path, 'sms:989')}: US: crisis line 2: the link "
        "goes to 989 but the text does not show that number; make them the same"
    ]


# Crisis lines


def test_a_broken_crisis_link(project: Path) -> None:
    path = project / "content" / "crisis_resources.yml"
    edit(path, '"tel:988"', '"tel:98 8"')
    line = line_of(path, "tel:98 8")
    assert problems(project) == [
        f"content/crisis_resources.yml:{line}: US: crisis line 1 has a missing or broken link "
        f"'tel:98 8' {LINK_HELP}",
        f"content/crisis_resources.yml:{line_of(path, 'resources:')}: US: the crisis line "
        "'call or text 988' was removed or changed; the US lines must include call or text 988, "
        "call 911 and text HOME to 741741",
    ]


def test_a_crisis_line_whose_text_and_link_differ(project: Path) -> None:
    path = project / "content" / "crisis_resources.yml"
    edit(path, "Call Samaritans free on 116 123", "Call Samaritans free on 116 132")
    assert problems(project) == [
        f"content/crisis_resources.yml:{line_of(path, 'tel:116123')}: UK: crisis line 1: the "
        "link goes to 116123 but the text does not show that number; make them the same"
    ]


def test_a_us_default_removed(project: Path) -> None:
    path = project / "content" / "crisis_resources.yml"
    edit(
        path,
        '    - text: "Text HOME to 741741 (Crisis Text Line)."\n'
        '      link: "sms:741741?&body=HOME"\n',
        "",
    )
    assert problems(project) == [
        f"content/crisis_resources.yml:{line_of(path, 'resources:')}: US: the crisis line "
        "'text HOME to 741741' was removed or changed; the US lines must include call or text "
        "988, call 911 and text HOME to 741741"
    ]


def test_more_than_three_crisis_lines(project: Path) -> None:
    path = project / "content" / "crisis_resources.yml"
    edit(
        path,
        '      link: "tel:1300659467"\n',
        '      link: "tel:1300659467"\n    - text: "Call 112."\n      link: "tel:112"\n',
    )
    assert problems(project) == [
        f"content/crisis_resources.yml:{line_of(path, 'AU:') + 3}: AU: lists 4 crisis "
        "lines; it must list 1 to 3, most important first"
    ]


def test_the_configured_region_removed(project: Path) -> None:
    path = project / "content" / "crisis_resources.yml"
    text = path.read_text()
    path.write_text(text[: text.index("UK:")].replace("US:", "XX:") + text[text.index("UK:") :])
    clinic = project / "content" / "clinic.yml"
    assert problems(project) == [
        f"content/clinic.yml:{line_of(clinic, 'crisis_region:')}: crisis_region: 'US' is not a "
        "region in crisis_resources.yml (there: XX, UK, CA, AU)",
        "content/crisis_resources.yml:1: US: the US crisis lines were removed; they must stay",
    ]


# Files that cannot be read, and other responses


@pytest.mark.parametrize(
    "old,new,line,hint",
    [
        ('"How soon does it work?"', '"How soon does it work?', 8, "a quote is not closed"),
        (
            '"How soon does it work?"',
            "How soon: does it work?",
            8,
            'a text with a colon (:) needs "double quotes" around it',
        ),
        (
            '  question: "How soon',
            '\tquestion: "How soon',
            8,
            "there is a tab; indent with spaces only",
        ),
        (
            "    For others",
            "  For others",
            11,
            "a line is indented differently from its neighbours, or a name lacks its colon",
        ),
    ],
    ids=["unclosed-quote", "colon", "tab", "indent"],
)
def test_a_yaml_mistake_is_one_plain_line(
    project: Path, old: str, new: str, line: int, hint: str
) -> None:
    edit(project / "content" / "faq.yml", old, new)
    assert problems(project) == [
        f"content/faq.yml:{line}: the file cannot be read here: {hint}. Look at this line and "
        "the ones just above it"
    ]


def test_a_missing_file(project: Path) -> None:
    (project / "content" / "faq.yml").unlink()
    assert problems(project)[0] == "content/faq.yml:1: this file is missing"


def test_a_domain_response_with_an_unknown_placeholder(project: Path) -> None:
    edit(project / "domain.yml", "{crisis_resources}", "{crisis_resource}")
    assert problems(project) == [
        "domain.yml:6: utter_crisis: the response contains {crisis_resource}, which is not a "
        "known clinic detail; did you mean {crisis_resources}?"
    ]


def test_check_content_names_files_as_asked(project: Path) -> None:
    edit(project / "content" / "faq.yml", "{clinic_phone}", "{clinic_phne}")
    assert [str(p) for p in check_content(project / "content", shown="published")] == [
        "published/faq.yml:5: booking: the answer contains {clinic_phne}, which is not a known "
        "clinic detail; did you mean {clinic_phone}?"
    ]


# Helpers


@pytest.mark.parametrize(
    "text,count",
    [
        ("One. Two? Three!", 3),
        ("No full stop at the end", 1),
        ("Call at 8 a.m. or later, e.g. on Monday. Then rest.", 2),
        ("Visit https://example.org/book. It is quick.", 2),
        ("", 0),
    ],
)
def test_count_sentences(text: str, count: int) -> None:
    assert count_sentences(text) == count


@pytest.mark.parametrize(
    "number,problem",
    [
        ("(503) 555-0142", ""),
        ("+1 503 555 0142", ""),
        ("+44 20 7946 0958", ""),
        ("1300 659 467", ""),
        ("555-0142", ""),
        ("988", "it has 3 digits; a phone number has 7 to 15"),
        ("(503 555-0142", "the brackets do not match"),
        ("(503) 555-014", "a number like (503) 555-0142 has 4 digits after the dash"),
        ("503 555 O142", "use only digits, spaces, brackets, dashes and a leading +"),
    ],
)
def test_phone_problem(number: str, problem: str) -> None:
    assert phone_problem(number) == problem
