from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from addons.content import load_content
from addons.nlg import ClinicNaturalLanguageGenerator

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet", "crisis", "faq", "request_human"],
        "responses": {
            "utter_greet": [{"text": "Hello from {clinic_name}."}],
            "utter_handoff": [{"text": "Call {clinic_phone}."}],
            "utter_crisis": [{"text": "Please reach out:\n{crisis_resources}"}],
            "utter_emergency": [{"text": "Call {emergency_number} now."}],
            "utter_faq/booking": [{"text": "Book at {clinic_booking_url}."}],
        },
    }
)
CONTENT = load_content()
REMINDER = CONTENT.reminder


def tracker_with(*intents_and_checks) -> DialogueStateTracker:
    events = [SessionStarted(), ActionExecuted("action_listen")]
    for intent, verdict in intents_and_checks:
        parse = {"intent": {"name": intent, "confidence": 1.0}, "entities": []}
        if verdict:
            parse["crisis_check"] = {"verdict": verdict, "category": "x"}
        events += [UserUttered("...", parse["intent"], [], parse), BotUttered("reply")]
    return DialogueStateTracker.from_events("user", events)


async def generate(action: str, tracker: DialogueStateTracker, channel: str = "rest"):
    nlg = ClinicNaturalLanguageGenerator(domain=DOMAIN)
    return await nlg.generate(action, tracker, channel)


async def test_fills_clinic_details() -> None:
    message = await generate("utter_greet", tracker_with(("greet", None)))
    assert message["text"] == f"Hello from {CONTENT.clinic['clinic_name']}."


async def test_fills_retrieval_answers() -> None:
    message = await generate("utter_faq/booking", tracker_with(("faq", None)))
    assert message["text"] == f"Book at {CONTENT.clinic['clinic_booking_url']}."


async def test_crisis_reply_lists_resources_plain_on_text_channels() -> None:
    message = await generate("utter_crisis", tracker_with(("crisis", "crisis")))
    lines = message["text"].splitlines()
    assert lines[1] == "- Call or text 988 (Suicide & Crisis Lifeline), any time, day or night."
    assert len(lines) == 1 + len(CONTENT.resources)
    assert REMINDER not in message["text"]


async def test_crisis_reply_links_numbers_in_the_web_chat() -> None:
    message = await generate("utter_crisis", tracker_with(("crisis", "crisis")), "socketio")
    assert message["text"].splitlines()[1].endswith("(tel:988)")


async def test_answers_after_a_crisis_keep_a_reminder() -> None:
    tracker = tracker_with(("crisis", "crisis"), ("request_human", None))
    message = await generate("utter_handoff", tracker)
    assert message["text"] == f"Call {CONTENT.clinic['clinic_phone']}.\n\n{REMINDER}"


async def test_a_new_session_starts_without_the_reminder() -> None:
    tracker = tracker_with(("crisis", "crisis"))
    tracker.update(SessionStarted())
    tracker.update(UserUttered("hi", {"name": "greet", "confidence": 1.0}, []))
    message = await generate("utter_greet", tracker)
    assert REMINDER not in message["text"]


async def test_a_mention_gets_the_normal_answer_plus_the_reminder() -> None:
    message = await generate("utter_faq/booking", tracker_with(("faq", "mention")))
    assert message["text"].endswith(f"\n\n{REMINDER}")


async def test_no_reminder_in_an_ordinary_conversation() -> None:
    message = await generate("utter_greet", tracker_with(("faq", "none"), ("greet", None)))
    assert REMINDER not in message["text"]


async def test_emergency_reply_uses_the_region_number() -> None:
    message = await generate("utter_emergency", tracker_with(("crisis", "emergency")))
    assert message["text"] == "Call 911 now."


async def test_unknown_response_gives_nothing() -> None:
    assert await generate("utter_nothing", tracker_with(("greet", None))) is None
