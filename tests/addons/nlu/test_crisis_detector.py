import pytest
from rasa.shared.nlu.training_data.message import Message

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


def test_the_classifier_still_escalates_what_the_rules_do_not_know() -> None:
    message = detect(classified("everything feels grey and pointless", intent="crisis"))
    assert message.get("intent")["name"] == "crisis"


def test_reads_the_full_text_of_a_truncated_message() -> None:
    message = classified("tell me about infusions " * 10)
    message.set("full_text", "tell me about infusions " * 1000 + "I want to die")
    assert detect(message).get("intent")["name"] == "crisis"


# The semantic check, trained on a tiny bank through Rasa's own storage.
@pytest.fixture(scope="module")
def semantic_detector(tmp_path_factory):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    tmp = tmp_path_factory.mktemp("semantic")
    exemplars = tmp / "exemplars.yml"
    exemplars.write_text(
        'crisis:\n  - text: "i keep thinking everyone would be fine if i was gone"\n'
        'emergency:\n  - text: "my lips are turning blue"\n'
        'safe:\n  - text: "this paperwork is killing me lol"\n'
    )
    examples = [
        Message(data={"text": t, "intent": i})
        for t, i in [
            ("I don't want to live anymore", "crisis"),
            ("I want to end my life", "crisis"),
            ("I can't breathe", "medical_emergency"),
            ("how long does an infusion take", "faq"),
            ("what are the side effects", "faq"),
            ("can I drive home after my session", "faq"),
            ("hello there", "greet"),
        ]
    ]
    config = {**CrisisDetector.get_default_config(), "exemplars": str(exemplars)}
    (tmp / "storage").mkdir()
    storage = LocalModelStorage(tmp / "storage")
    resource = Resource("crisis_detector")
    context = ExecutionContext(GraphSchema({}), "test")
    CrisisDetector.create(config, storage, resource, context).train(TrainingData(examples))
    return CrisisDetector.load(config, storage, resource, context)


def test_semantic_check_escalates_what_the_rules_miss(semantic_detector) -> None:
    text = "honestly my family would manage fine without me around"
    assert assess_rules(text) == "none"
    message = semantic_detector.process([classified(text)])[0]
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert message.get(CRISIS_CHECK_KEY) == {"verdict": "crisis", "category": "semantic"}


def test_semantic_check_finds_a_sentence_inside_a_question(semantic_detector) -> None:
    text = "How long is the infusion? Also I have stopped wanting to be alive."
    assert semantic_detector.process([classified(text)])[0].get("intent")["name"] == "crisis"


def test_semantic_check_leaves_ordinary_questions_alone(semantic_detector) -> None:
    for text in ["how long will the session take", "can my partner drive me home"]:
        message = semantic_detector.process([classified(text)])[0]
        assert message.get("intent") == {"name": "faq", "confidence": 0.97}
        assert message.get(CRISIS_CHECK_KEY) == {"verdict": "none", "category": None}


def test_semantic_check_never_overrides_a_safe_frame(semantic_detector) -> None:
    message = semantic_detector.process([classified("I'm not suicidal, what does it cost?")])[0]
    assert message.get(CRISIS_CHECK_KEY)["verdict"] == "mention"
    assert message.get("intent")["name"] == "faq"


def test_semantic_emergency(semantic_detector) -> None:
    message = semantic_detector.process([classified("his lips look kind of blue")])[0]
    assert message.get("intent")["name"] == "medical_emergency"


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
    monkeypatch.setattr(crisis_detector, "ENCODER_SOURCE", source)
    before = CrisisDetector.fingerprint_addon({})
    source.write_text("# another version\n")
    assert CrisisDetector.fingerprint_addon({}) != before


def assess_rules(text: str) -> str:
    from addons.crisis.lexicon import assess

    return assess(text).verdict
