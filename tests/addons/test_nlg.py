import shutil
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from addons.content.loader import ContentError, load_answers, load_content
from addons.content.validators import fill
from addons.nlg import CRISIS_SLOT, ClinicNaturalLanguageGenerator

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet", "crisis", "faq", "request_human"],
        "slots": {CRISIS_SLOT: {"type": "bool", "influence_conversation": False, "mappings": []}},
        "responses": {
            "utter_greet": [{"text": "Hello from {clinic_name}."}],
            "utter_handoff": [{"text": "Call {clinic_phone}."}],
            "utter_crisis": [{"text": "Please reach out:\n{crisis_resources}"}],
            "utter_emergency": [{"text": "Call {emergency_number} now."}],
            "utter_faq/booking": [{"text": "Please call {clinic_phone}."}],
            "utter_faq/not_in_the_content": [{"text": "Please call {clinic_phone}."}],
        },
    }
)
CONTENT = load_content()
REMINDER = CONTENT.reminder
VALUES = CONTENT.template_values(with_links=False)
BOOKING = fill(load_answers()["booking"].answer, VALUES)


def tracker_with(*intents_and_checks) -> DialogueStateTracker:
    events = [SessionStarted(), ActionExecuted("action_listen")]
    for intent, verdict in intents_and_checks:
        parse = {"intent": {"name": intent, "confidence": 1.0}, "entities": []}
        if verdict:
            parse["crisis_check"] = {"verdict": verdict, "category": "x"}
        events.append(UserUttered("...", parse["intent"], [], parse))
        if intent in ("crisis", "medical_emergency"):
            # What the slot mapping in domain.yml does after such a message.
            events.append(SlotSet(CRISIS_SLOT, True))
        events.append(BotUttered("reply"))
    return DialogueStateTracker.from_events("user", events, slots=DOMAIN.slots)


async def generate(action: str, tracker: DialogueStateTracker, channel: str = "rest"):
    nlg = ClinicNaturalLanguageGenerator(domain=DOMAIN)
    return await nlg.generate(action, tracker, channel)


@pytest.mark.unit
async def test_fills_clinic_details() -> None:
    message = await generate("utter_greet", tracker_with(("greet", None)))
    assert message["text"] == f"Hello from {CONTENT.clinic['clinic_name']}."


@pytest.mark.unit
async def test_faq_answers_come_from_the_content_with_details_filled() -> None:
    message = await generate("utter_faq/booking", tracker_with(("faq", None)))
    assert message["text"] == BOOKING
    assert CONTENT.clinic["clinic_booking_url"] in BOOKING


@pytest.mark.unit
async def test_a_topic_without_an_answer_keeps_the_domain_text() -> None:
    message = await generate("utter_faq/not_in_the_content", tracker_with(("faq", None)))
    assert message["text"] == f"Please call {CONTENT.clinic['clinic_phone']}."


@pytest.mark.unit
async def test_a_new_generator_reads_the_edited_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree("content", tmp_path, dirs_exist_ok=True)
    monkeypatch.setenv("CLINIC_CONTENT_DIR", str(tmp_path))
    answers = tmp_path / "faq.yml"
    answers.write_text(
        answers.read_text().replace(
            "The first step is a consultation.", "Booking starts with a short call."
        )
    )
    message = await generate("utter_faq/booking", tracker_with(("faq", None)))
    assert message["text"].startswith("Booking starts with a short call. You can book one at")


@pytest.mark.unit
def test_refuses_content_with_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree("content", tmp_path, dirs_exist_ok=True)
    monkeypatch.setenv("CLINIC_CONTENT_DIR", str(tmp_path))
    answers = tmp_path / "faq.yml"
    answers.write_text(answers.read_text().replace("{clinic_booking_url}", "{clinic_bookng_url}"))
    with pytest.raises(
        ContentError,
        match=r"faq.yml:\d+: booking: the answer contains "
        r"\{clinic_bookng_url\}",
    ):
        ClinicNaturalLanguageGenerator(domain=DOMAIN)


@pytest.mark.unit
async def test_crisis_reply_lists_resources_plain_on_text_channels() -> None:
    message = await generate("utter_crisis", tracker_with(("crisis", "crisis")))
    lines = message["text"].splitlines()
    assert lines[1] == "- Call or text 988 (Suicide & Crisis Lifeline), any time, day or night."
    assert len(lines) == 1 + len(CONTENT.resources)
    assert REMINDER not in message["text"]


@pytest.mark.unit
async def test_crisis_reply_links_numbers_in_the_web_chat() -> None:
    message = await generate("utter_crisis", tracker_with(("crisis", "crisis")), "socketio")
    assert message["text"].splitlines()[1].endswith("(tel:988)")


@pytest.mark.unit
async def test_answers_after_a_crisis_keep_a_reminder() -> None:
    tracker = tracker_with(("crisis", "crisis"), ("request_human", None))
    message = await generate("utter_handoff", tracker)
    assert message["text"] == f"Call {CONTENT.clinic['clinic_phone']}.\n\n{REMINDER}"


@pytest.mark.unit
async def test_the_reminder_outlives_the_recent_events() -> None:
    tracker = tracker_with(("crisis", "crisis"), *[("faq", None)] * 50)
    recent = DialogueStateTracker.from_events(
        "user", [SlotSet(CRISIS_SLOT, True), *list(tracker.events)[-6:]], slots=DOMAIN.slots
    )
    message = await generate("utter_faq/booking", recent)
    assert message["text"].endswith(f"\n\n{REMINDER}")


@pytest.mark.unit
async def test_a_mention_gets_the_normal_answer_plus_the_reminder() -> None:
    message = await generate("utter_faq/booking", tracker_with(("faq", "mention")))
    assert message["text"].endswith(f"\n\n{REMINDER}")


@pytest.mark.unit
async def test_no_reminder_in_an_ordinary_conversation() -> None:
    message = await generate("utter_greet", tracker_with(("faq", "none"), ("greet", None)))
    assert REMINDER not in message["text"]


@pytest.mark.unit
async def test_emergency_reply_uses_the_region_number() -> None:
    message = await generate("utter_emergency", tracker_with(("crisis", "emergency")))
    assert message["text"] == "Call 911 now."


@pytest.mark.unit
async def test_the_emergency_reply_also_names_the_crisis_line() -> None:
    # An overdose taken or a self-inflicted wound is an emergency and a crisis at once.
    domain = Domain.load(Path(__file__).parents[2] / "domain.yml")
    nlg = ClinicNaturalLanguageGenerator(domain=domain)
    tracker = DialogueStateTracker.from_events(
        "user", [SessionStarted(), ActionExecuted("action_listen")], slots=domain.slots
    )
    message = await nlg.generate("utter_emergency", tracker, "rest")
    text = message["text"]
    assert text.startswith("This could be a medical emergency. Call 911 now,")
    assert text.endswith("\n" + REMINDER) and "988" in REMINDER
    assert text.count(REMINDER) == 1


@pytest.mark.unit
async def test_unknown_response_gives_nothing() -> None:
    assert await generate("utter_nothing", tracker_with(("greet", None))) is None


@pytest.fixture(scope="module")
def model_domain(model_agent) -> Domain:
    return model_agent.domain


@pytest.mark.model
@pytest.mark.publish
async def test_every_faq_topic_of_the_model_gets_its_answer(model_domain: Domain) -> None:
    nlg = ClinicNaturalLanguageGenerator(domain=model_domain)
    answers = load_answers()
    topics = [
        name.split("/", 1)[1] for name in model_domain.responses if name.startswith("utter_faq/")
    ]
    assert sorted(topics) == sorted(answers)
    for topic in topics:
        message = await nlg.generate(f"utter_faq/{topic}", tracker_with(("faq", None)), "rest")
        assert message["text"] == fill(answers[topic].answer, VALUES)


@pytest.mark.model
@pytest.mark.publish
async def test_the_models_crisis_reply_lists_the_lines_and_the_clinic(model_domain) -> None:
    nlg = ClinicNaturalLanguageGenerator(domain=model_domain)
    message = await nlg.generate("utter_crisis", tracker_with(("crisis", "crisis")), "rest")
    lines = [line for line in message["text"].splitlines() if line.startswith("- ")]
    assert lines == [f"- {r.text}" for r in CONTENT.resources]
    assert 1 <= len(lines) <= 3
    assert CONTENT.clinic["clinic_phone"] in message["text"]
    assert "{" not in message["text"]
