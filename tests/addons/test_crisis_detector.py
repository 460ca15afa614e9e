from rasa.shared.nlu.training_data.message import Message

from addons.crisis_detector import CRISIS_CHECK_KEY, CrisisDetector


def classified(text: str, intent: str = "faq", confidence: float = 0.97) -> Message:
    top = {"name": intent, "confidence": confidence}
    return Message(data={"text": text, "intent": top, "intent_ranking": [top]})


def detect(message: Message) -> Message:
    detector = CrisisDetector(CrisisDetector.get_default_config())
    return detector.process([message])[0]


def test_crisis_overrides_a_confident_classifier() -> None:
    message = detect(classified("what are the side effects, I want to die"))
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert message.get("intent_ranking")[0] == {"name": "crisis", "confidence": 1.0}
    assert message.get("intent_ranking")[1]["name"] == "faq"
    assert message.get(CRISIS_CHECK_KEY) == {"verdict": "crisis", "category": "phrase"}


def test_crisis_overrides_the_fallback() -> None:
    message = detect(classified("sewer slide tonight", intent="nlu_fallback", confidence=0.4))
    assert message.get("intent")["name"] == "crisis"


def test_emergency_forces_the_emergency_intent() -> None:
    message = detect(classified("I can't breathe after the infusion"))
    assert message.get("intent") == {"name": "medical_emergency", "confidence": 1.0}


def test_a_mention_keeps_the_classifier_intent_and_is_flagged() -> None:
    message = detect(classified("can ketamine help suicidal thoughts?"))
    assert message.get("intent") == {"name": "faq", "confidence": 0.97}
    assert message.get(CRISIS_CHECK_KEY)["verdict"] == "mention"


def test_result_is_part_of_the_parse_output() -> None:
    message = detect(classified("hello"))
    assert CRISIS_CHECK_KEY in message.as_dict(only_output_properties=True)


def test_ranking_lists_the_forced_intent_once() -> None:
    message = classified("I want to kill myself", intent="crisis", confidence=0.6)
    ranking = detect(message).get("intent_ranking")
    assert [r["name"] for r in ranking] == ["crisis"]


def test_a_mention_the_classifier_escalated_gets_its_normal_answer() -> None:
    message = Message(
        data={
            "text": "can ketamine help with suicidal thoughts?",
            "intent": {"name": "crisis", "confidence": 0.7},
            "intent_ranking": [
                {"name": "crisis", "confidence": 0.7},
                {"name": "faq", "confidence": 0.25},
            ],
        }
    )
    message = detect(message)
    assert message.get("intent") == {"name": "faq", "confidence": 0.25}
    assert message.get(CRISIS_CHECK_KEY)["verdict"] == "mention"


def test_the_classifier_still_escalates_what_the_rules_do_not_know() -> None:
    message = detect(classified("everything feels grey and pointless", intent="crisis"))
    assert message.get("intent")["name"] == "crisis"


def test_reads_the_full_text_of_a_truncated_message() -> None:
    message = classified("tell me about infusions " * 10)
    message.set("full_text", "tell me about infusions " * 1000 + "I want to die")
    assert detect(message).get("intent")["name"] == "crisis"
