import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.suggest_topics import ActionSuggestTopics, closest_topics
from actions.topic_titles import topic_titles
from tests.conftest import make_tracker, selector_ranking

pytestmark = pytest.mark.unit


async def run_action(tracker):
    dispatcher = CollectingDispatcher()
    events = await ActionSuggestTopics().run(dispatcher, tracker, domain={})
    return dispatcher, events


async def test_offers_the_three_closest_topics_as_buttons() -> None:
    tracker = make_tracker(
        intent="nlu_fallback",
        response_selector=selector_ranking(
            ("session_length", 0.35), ("treatment_course", 0.3), ("onset", 0.2), ("safety", 0.1)
        ),
    )
    dispatcher, events = await run_action(tracker)

    assert events == []
    assert len(dispatcher.messages) == 1
    titles = topic_titles()
    assert dispatcher.messages[0]["buttons"] == [
        {"title": titles[t], "payload": titles[t]}
        for t in ("session_length", "treatment_course", "onset")
    ]
    # The text comes from the rule's utter_ask_rephrase, never from Python.
    assert dispatcher.messages[0]["text"] is None
    assert dispatcher.messages[0]["response"] is None


async def test_noise_is_not_offered() -> None:
    tracker = make_tracker(
        intent="nlu_fallback",
        response_selector=selector_ranking(("booking", 0.6), ("safety", 0.01)),
    )
    dispatcher, _ = await run_action(tracker)
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == [topic_titles()["booking"]]


async def test_sends_nothing_when_no_topic_is_close() -> None:
    tracker = make_tracker(intent="nlu_fallback", response_selector={})
    dispatcher, events = await run_action(tracker)
    assert dispatcher.messages == []
    assert events == []


def test_closest_topics_ignores_unknown_keys() -> None:
    block = selector_ranking(("booking", 0.5))
    block["faq"]["ranking"].append({"confidence": 0.4, "intent_response_key": "chitchat/x"})
    assert closest_topics(make_tracker(response_selector=block)) == ["booking"]


def test_every_topic_the_bot_can_answer_has_a_button_question() -> None:
    import yaml

    with open("data/responses/faq.yml", encoding="utf-8") as f:
        responses = yaml.safe_load(f)["responses"]
    topics = {name.split("/", 1)[1] for name in responses}
    assert topics == set(topic_titles())
