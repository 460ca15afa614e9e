import pytest
from rasa.shared.nlu.training_data.message import Message

from addons.nlu.selector_gate import ResponseSelectorConfidenceGate
from tests.conftest import selector_ranking

pytestmark = pytest.mark.unit


def gated(intent: str, selector_confidence: float) -> Message:
    top = {"name": intent, "confidence": 0.95}
    message = Message(
        data={
            "text": "x",
            "intent": top,
            "intent_ranking": [top],
            "response_selector": selector_ranking(
                ("session_length", selector_confidence), ("onset", 0.1)
            ),
        }
    )
    gate = ResponseSelectorConfidenceGate({"retrieval_intent": "faq", "threshold": 0.5})
    return gate.process([message])[0]


def test_unsure_selector_turns_faq_into_fallback() -> None:
    message = gated("faq", 0.3)
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 0.3}
    assert [r["name"] for r in message.get("intent_ranking")] == ["nlu_fallback", "faq"]
    # The ranking stays, so the fallback can offer the closest topics.
    assert message.get("response_selector")["faq"]["ranking"][0]["confidence"] == 0.3


def test_sure_selector_keeps_faq() -> None:
    assert gated("faq", 0.8).get("intent") == {"name": "faq", "confidence": 0.95}


def test_other_intents_are_untouched() -> None:
    assert gated("greet", 0.1).get("intent") == {"name": "greet", "confidence": 0.95}


def test_faq_without_selector_output_falls_back() -> None:
    top = {"name": "faq", "confidence": 0.9}
    message = Message(data={"text": "x", "intent": top, "intent_ranking": [top]})
    gate = ResponseSelectorConfidenceGate(ResponseSelectorConfidenceGate.get_default_config())
    assert gate.process([message])[0].get("intent")["name"] == "nlu_fallback"
