import shutil
from pathlib import Path

import pytest
import yaml

from addons.content.loader import ContentError, load_answers, load_content, tel_link

pytestmark = pytest.mark.unit

REAL = Path("content")


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    for name in ("clinic.yml", "crisis_resources.yml"):
        shutil.copy(REAL / name, tmp_path / name)
    return tmp_path


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_real_content_loads_with_us_defaults() -> None:
    content = load_content(REAL)
    assert content.region == "US"
    assert content.emergency_number == "911"
    assert [r.link for r in content.resources] == ["tel:988", "tel:911", "sms:741741?&body=HOME"]


@pytest.mark.parametrize(
    "region,first", [("UK", "tel:116123"), ("CA", "tel:988"), ("AU", "tel:131114")]
)
def test_other_regions_are_configuration(content_copy: Path, region: str, first: str) -> None:
    edit(content_copy / "clinic.yml", lambda d: d.update(crisis_region=region))
    content = load_content(content_copy)
    assert content.resources[0].link == first
    assert content.template_values(with_links=False)["crisis_reminder"]


def test_template_values_plain_and_linked() -> None:
    content = load_content(REAL)
    plain = content.template_values(with_links=False)
    linked = content.template_values(with_links=True)
    assert plain["crisis_resources"].splitlines()[0].startswith("- Call or text 988")
    assert "(tel:988)" not in plain["crisis_resources"]
    assert linked["crisis_resources"].splitlines()[0].endswith("(tel:988)")
    assert plain["clinic_phone"] == "(503) 555-0142"
    assert plain["clinic_email"] == "care@example.org"
    assert linked["clinic_phone"] == "[(503) 555-0142](tel:5035550142)"
    assert linked["clinic_after_hours_phone"] == "[(503) 555-0199](tel:5035550199)"
    assert linked["emergency_number"] == "[911](tel:911)"
    assert linked["clinic_email"] == "[care@example.org](mailto:care@example.org)"
    assert linked["clinic_booking_url"] == "[https://example.org/book](https://example.org/book)"


@pytest.mark.parametrize(
    "number, link",
    [
        ("(503) 555-0142", "tel:5035550142"),
        ("+44 20 7946 0958", "tel:+442079460958"),
        ("13 11 14", "tel:131114"),
    ],
)
def test_tel_link(number: str, link: str) -> None:
    assert tel_link(number) == link


def test_missing_field_is_an_error(content_copy: Path) -> None:
    edit(content_copy / "clinic.yml", lambda d: d.pop("clinic_phone"))
    with pytest.raises(ContentError, match="clinic_phone"):
        load_content(content_copy)


def test_unknown_region_is_an_error(content_copy: Path) -> None:
    edit(content_copy / "clinic.yml", lambda d: d.update(crisis_region="FR"))
    with pytest.raises(ContentError, match="FR"):
        load_content(content_copy)


def test_more_than_three_resources_is_an_error(content_copy: Path) -> None:
    extra = {"text": "Another line.", "link": "tel:123"}
    edit(content_copy / "crisis_resources.yml", lambda d: d["US"]["resources"].append(extra))
    with pytest.raises(ContentError, match="1 to 3"):
        load_content(content_copy)


def test_resource_without_a_link_is_an_error(content_copy: Path) -> None:
    edit(content_copy / "crisis_resources.yml", lambda d: d["US"]["resources"][0].pop("link"))
    with pytest.raises(ContentError, match="link"):
        load_content(content_copy)


def test_broken_yaml_is_an_error(content_copy: Path) -> None:
    (content_copy / "clinic.yml").write_text("clinic_name: [unclosed\n")
    with pytest.raises(ContentError, match="not valid YAML"):
        load_content(content_copy)


def test_answers_load_with_their_button_questions() -> None:
    answers = load_answers(REAL)
    assert len(answers) == 24
    assert answers["booking"].question == "How do I book a consultation?"
    assert answers["booking"].answer.startswith("The first step is a consultation.")
    # The lines of an answer join into one paragraph, without the trailing newline.
    assert "\n" not in answers["booking"].answer


def test_an_answer_without_text_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "faq.yml").write_text('booking:\n  question: "How?"\n')
    with pytest.raises(ContentError, match="topic 'booking' needs a question and an answer"):
        load_answers(tmp_path)


# Opening hours, from content/clinic.yml's clinic_hours_by_day in the clinic's time zone.
def clinic_at(moment: str) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    content = load_content(REAL)
    zone = ZoneInfo(content.clinic["clinic_timezone"])
    return content.open_now(datetime.fromisoformat(moment).replace(tzinfo=zone))


def test_the_week_is_listed_in_runs_of_days() -> None:
    assert load_content(REAL).week_hours() == (
        "- Monday to Friday: 8 am to 6 pm\n- Saturday and Sunday: closed"
    )


@pytest.mark.parametrize(
    "moment,said",
    [
        ("2026-12-02 12:00", "We're open now, until 6 pm."),  # a Wednesday
        ("2026-12-02 07:30", "We're closed right now; we open today at 8 am."),
        ("2026-12-02 18:00", "We're closed right now; we open again tomorrow at 8 am."),
        ("2026-12-05 10:00", "We're closed right now; we open again Monday at 8 am."),  # Saturday
    ],
)
def test_open_now_reads_the_hours_of_the_day(moment: str, said: str) -> None:
    assert clinic_at(moment) == said


def test_hours_and_spanish_lines_reach_the_replies() -> None:
    values = load_content(REAL).template_values(with_links=False)
    assert values["clinic_week_hours"].startswith("- Monday to Friday: 8 am to 6 pm")
    assert values["crisis_resources_es"] == (
        "- Llama al 988 y marca 2 para hablar en español (988 Lifeline), a cualquier hora.\n"
        "- Envía AYUDA por mensaje de texto al 988.\n"
        "- Llama al 911 si estás en peligro inmediato."
    )
    assert values["clinic_address"] == "1200 Riverside Avenue, Suite 300, Portland, OR 97201"
