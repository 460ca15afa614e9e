import numpy as np
import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from addons.crisis import risk
from addons.nlu.crisis_detector import CRISIS_CHECK_KEY, CrisisDetector, sentences

# Crisis safety: make publish runs these before any new version goes live.
pytestmark = pytest.mark.unit


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


def test_a_crisis_guess_of_the_classifier_is_never_dropped() -> None:
    # No other intent to fall back on: the guess stands, and the verdict asks at least.
    message = detect(classified("everything feels grey and pointless", intent="crisis"))
    assert message.get("intent")["name"] == "crisis"
    assert message.get(CRISIS_CHECK_KEY) == {"verdict": "possible", "category": "classifier"}


def test_reads_the_full_text_of_a_truncated_message() -> None:
    message = classified("tell me about infusions " * 10)
    message.set("full_text", "tell me about infusions " * 1000 + "I want to die")
    assert detect(message).get("intent")["name"] == "crisis"


# The scored decision, with a model whose scores are fixed per text: the thresholds
# and the order of decisions are what is tested here; the trained score is measured on
# the held-out sets (tests/nlu/test_blind_sets.py).
class FixedScores:
    thresholds = risk.Thresholds(check_in_at=0.3, crisis_at=0.8, emergency_at=0.5)

    def __init__(self, scores: dict[str, tuple[float, float]]) -> None:
        self.scores = scores

    def probabilities(self, texts, vectors):
        rows = []
        for text in texts:
            crisis, emergency = self.scores.get(text, (0.01, 0.01))
            rows.append([1 - crisis - emergency, crisis, emergency])
        return np.array(rows)


SCORES = {
    "honestly my family would manage fine without me around": (0.9, 0.0),
    "Also I have stopped wanting to be alive.": (0.95, 0.0),
    "everything feels heavy lately, when can I start?": (0.5, 0.0),
    "his lips look kind of blue": (0.1, 0.8),
    "my son took a whole bottle of my pills and he's barely breathing": (0.05, 0.9),
    "my son said he wants to kill himself and now he's barely breathing": (0.05, 0.9),
    "I had a heart attack years ago, is ketamine safe for me?": (0.01, 0.9),
    "my husband is pale and sweating and says his jaw aches": (0.01, 0.9),
    "I want to kill myself, how much is a consult": (0.9, 0.0),
}


@pytest.fixture(scope="module")
def scored_detector():
    config = CrisisDetector.get_default_config()
    return CrisisDetector(config, model=FixedScores(SCORES))


def test_a_high_score_escalates_what_the_rules_miss(scored_detector) -> None:
    text = "honestly my family would manage fine without me around"
    assert assess_rules(text) == "none"
    message = scored_detector.process([classified(text)])[0]
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert message.get(CRISIS_CHECK_KEY) == {"verdict": "crisis", "category": "score", "score": 0.9}


def test_a_sentence_inside_a_question_is_scored_on_its_own(scored_detector) -> None:
    text = "How long is the infusion? Also I have stopped wanting to be alive."
    assert scored_detector.process([classified(text)])[0].get("intent")["name"] == "crisis"


def test_a_score_in_the_band_keeps_the_answer_and_asks(scored_detector) -> None:
    message = scored_detector.process(
        [classified("everything feels heavy lately, when can I start?")]
    )[0]
    assert message.get("intent") == {"name": "faq", "confidence": 0.97}
    assert message.get(CRISIS_CHECK_KEY) == {
        "verdict": "possible",
        "category": "score",
        "score": 0.5,
    }
    assert entity_values(message) == {"risk_level": "possible"}


def test_a_low_score_leaves_ordinary_questions_alone(scored_detector) -> None:
    for text in ["how long will the session take", "can my partner drive me home"]:
        message = scored_detector.process([classified(text)])[0]
        assert message.get("intent") == {"name": "faq", "confidence": 0.97}
        assert message.get(CRISIS_CHECK_KEY) == {"verdict": "none", "category": None, "score": 0.01}
        assert entity_values(message) == {}


def test_the_score_never_overrides_a_safe_frame(scored_detector) -> None:
    message = scored_detector.process([classified("I'm not suicidal, what does it cost?")])[0]
    assert message.get(CRISIS_CHECK_KEY)["verdict"] == "mention"
    assert message.get("intent")["name"] == "faq"


def test_an_emergency_score_gives_the_emergency_intent(scored_detector) -> None:
    message = scored_detector.process([classified("his lips look kind of blue")])[0]
    assert message.get("intent")["name"] == "medical_emergency"


def test_a_crisis_word_the_score_finds_safe_gets_the_check_in(scored_detector) -> None:
    text = "I lost my brother to suicide two years ago, do you have grief groups?"
    assert assess_rules(text) == "crisis"
    message = scored_detector.process([classified(text)])[0]
    assert message.get("intent") == {"name": "faq", "confidence": 0.97}
    assert message.get(CRISIS_CHECK_KEY) == {
        "verdict": "possible",
        "category": "topic+score",
        "score": 0.01,
    }
    assert entity_values(message) == {"risk_level": "possible"}


def test_a_crisis_phrase_the_score_agrees_with_is_crisis(scored_detector) -> None:
    message = scored_detector.process([classified("I want to kill myself, how much is a consult")])[
        0
    ]
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert message.get(CRISIS_CHECK_KEY) == {
        "verdict": "crisis",
        "category": "phrase",
        "score": 0.9,
    }


def test_an_overdose_taken_is_an_emergency_by_the_rules(scored_detector) -> None:
    text = "my son took a whole bottle of my pills and he's barely breathing"
    assert assess_rules(text) == "emergency"
    message = scored_detector.process([classified(text)])[0]
    assert message.get("intent") == {"name": "medical_emergency", "confidence": 1.0}
    assert message.get(CRISIS_CHECK_KEY) == {
        "verdict": "emergency",
        "category": "act",
        "score": 0.05,
    }


def test_a_crisis_phrase_the_score_reads_as_an_emergency_gets_the_emergency_reply(
    scored_detector,
) -> None:
    text = "my son said he wants to kill himself and now he's barely breathing"
    assert assess_rules(text) == "crisis"
    message = scored_detector.process([classified(text)])[0]
    assert message.get("intent") == {"name": "medical_emergency", "confidence": 1.0}
    assert message.get(CRISIS_CHECK_KEY)["category"] == "phrase+score"


def test_an_emergency_score_on_medical_history_is_not_an_emergency(scored_detector) -> None:
    text = "I had a heart attack years ago, is ketamine safe for me?"
    assert assess_rules(text) == "none"
    message = scored_detector.process([classified(text)])[0]
    assert message.get("intent") == {"name": "faq", "confidence": 0.97}
    assert message.get(CRISIS_CHECK_KEY) == {"verdict": "none", "category": None, "score": 0.01}


def test_an_emergency_score_without_history_is_an_emergency(scored_detector) -> None:
    text = "my husband is pale and sweating and says his jaw aches"
    assert assess_rules(text) == "none"
    message = scored_detector.process([classified(text)])[0]
    assert message.get("intent") == {"name": "medical_emergency", "confidence": 1.0}
    assert message.get(CRISIS_CHECK_KEY)["category"] == "score"


def test_method_questions_are_crisis_whatever_the_score(scored_detector) -> None:
    for text in ["what's a lethal dose of tylenol", "is overdosing on sleeping pills painful"]:
        message = scored_detector.process([classified(text)])[0]
        assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
        assert message.get(CRISIS_CHECK_KEY) == {
            "verdict": "crisis",
            "category": "method",
            "score": 0.01,
        }


def test_a_crisis_guess_of_the_classifier_below_the_bar_gets_the_check_in(scored_detector) -> None:
    message = Message(
        data={
            "text": "everything is grey",
            "intent": {"name": "crisis", "confidence": 0.6},
            "intent_ranking": [
                {"name": "crisis", "confidence": 0.6},
                {"name": "greet", "confidence": 0.3},
            ],
        }
    )
    message = scored_detector.process([message])[0]
    assert message.get("intent") == {"name": "greet", "confidence": 0.3}
    assert message.get(CRISIS_CHECK_KEY)["verdict"] == "possible"


def test_spanish_crisis_language_is_crisis_and_marked_spanish(scored_detector) -> None:
    message = scored_detector.process([classified("ya no quiero vivir")])[0]
    assert message.get("intent")["name"] == "crisis"
    assert entity_values(message) == {"language": "es"}


def test_an_ordinary_spanish_question_gets_the_spanish_intent(scored_detector) -> None:
    message = scored_detector.process([classified("cuanto cuesta la infusion")])[0]
    assert message.get("intent") == {"name": "ask_in_spanish", "confidence": 1.0}


def test_a_trained_model_round_trips_through_rasa_storage(tmp_path) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    def lines(stem: str, n: int) -> list[str]:
        return [f"{stem} {i}" for i in range(n)]

    examples_file = tmp_path / "risk.yml"
    examples_file.write_text(
        yaml.safe_dump(
            {
                "crisis": lines("I want to end my life", 6),
                "emergency": lines("I can't breathe and my chest hurts", 6),
                "safe": lines("how long does an infusion take", 6),
            }
        )
    )
    empty = tmp_path / "exemplars.yml"
    empty.write_text("crisis: []\n")
    config = {
        **CrisisDetector.get_default_config(),
        "exemplars": str(empty),
        "risk_examples": str(examples_file),
    }
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("crisis_detector")
    context = ExecutionContext(GraphSchema({}), "test")
    CrisisDetector.create(config, storage, resource, context).train(TrainingData([]))
    loaded = CrisisDetector.load(config, storage, resource, context)
    message = loaded.process([classified("what does an infusion cost")])[0]
    assert 0.0 <= message.get(CRISIS_CHECK_KEY)["score"] <= 1.0


def entity_values(message: Message) -> dict[str, str]:
    return {e["entity"]: e["value"] for e in message.get("entities")}


def test_sentences_are_bounded() -> None:
    assert sentences("one. two! three? four", limit=3) == ["one.", "two!", "three?"]
    assert sentences("  \n ", limit=3) == []


def test_exemplar_changes_change_the_fingerprint(tmp_path) -> None:
    path = tmp_path / "e.yml"
    path.write_text("crisis: []\n")
    before = CrisisDetector.fingerprint_addon({"exemplars": str(path)})
    path.write_text("crisis: [x]\n")
    assert CrisisDetector.fingerprint_addon({"exemplars": str(path)}) != before


def test_encoder_code_changes_change_the_fingerprint(tmp_path, monkeypatch) -> None:
    from addons.nlu import crisis_detector

    source = tmp_path / "sentence_encoder.py"
    source.write_text("# one version\n")
    monkeypatch.setattr(crisis_detector, "MODEL_SOURCES", (source,))
    before = CrisisDetector.fingerprint_addon({})
    source.write_text("# another version\n")
    assert CrisisDetector.fingerprint_addon({}) != before


def assess_rules(text: str) -> str:
    from addons.crisis.lexicon import assess

    return assess(text).verdict


class LowerCrisisBar(FixedScores):
    thresholds = risk.Thresholds(check_in_at=0.3, crisis_at=0.7, emergency_at=0.9)


def test_a_spanish_question_needs_a_higher_score_for_the_full_reply() -> None:
    faq_question = "¿Qué pasa durante la infusión? ¿Cuánto tiempo dura?"
    crisis = "ya no aguanto más, esta semana todo se termina para mí"
    detector = CrisisDetector(
        CrisisDetector.get_default_config(),
        model=LowerCrisisBar(
            {faq_question: (0.75, 0.0), crisis: (0.9, 0.0), "nothing helps, ever": (0.75, 0.0)}
        ),
    )
    assert assess_rules(faq_question) == assess_rules(crisis) == "none"
    asked = detector.process([classified(faq_question)])[0]
    assert asked.get(CRISIS_CHECK_KEY) == {
        "verdict": "possible",
        "category": "score",
        "score": 0.75,
    }
    assert entity_values(asked) == {"risk_level": "possible", "language": "es"}
    told = detector.process([classified(crisis)])[0]
    assert told.get("intent") == {"name": "crisis", "confidence": 1.0}
    english = detector.process([classified("nothing helps, ever")])[0]
    assert english.get(CRISIS_CHECK_KEY)["verdict"] == "crisis"
