"""The dialogue rules of data/rules/ with the trained model and no action server.

The agent is loaded without an action endpoint, so every flow here is also the flow
with the action server down. A possible risk is set with Rasa's `/intent{entities}`
syntax (not open to patients: the channels strip it), so the rules are tested apart from
the score that triggers them (tests/addons/nlu/test_crisis_detector.py).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from rasa.shared.core.events import BotUttered

pytestmark = pytest.mark.model

POSSIBLE = '{"risk_level": "possible"}'


def turn(agent: Any, sender: str, text: str) -> list[str]:
    """The responses (names, from the NLG metadata) the bot uttered for one message."""

    async def run() -> list[str]:
        before = len((await agent.tracker_store.get_or_create_tracker(sender)).events)
        await agent.handle_text(text, sender_id=sender)
        tracker = await agent.tracker_store.retrieve(sender)
        return [
            e.metadata.get("utter_action")
            for e in list(tracker.events)[before:]
            if isinstance(e, BotUttered)
        ]

    return asyncio.run(run())


def texts(agent: Any, sender: str) -> list[str]:
    async def run() -> list[str]:
        tracker = await agent.tracker_store.retrieve(sender)
        return [e.text for e in tracker.events if isinstance(e, BotUttered)]

    return asyncio.run(run())


@pytest.fixture(scope="module")
def model_agent():
    """The trained model with this project's NLG (as endpoints.yml names it), no actions."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from tests.servers import MODEL

    return Agent.load(
        str(MODEL), generator=EndpointConfig(type="addons.nlg.ClinicNaturalLanguageGenerator")
    )


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_a_possible_risk_gets_its_answer_then_the_check_in(model_agent, sender) -> None:
    assert turn(model_agent, sender, f"/ask_hours{POSSIBLE}") == [
        "utter_hours",
        "utter_risk_checkin",
    ]
    check_in = texts(model_agent, sender)[-1]
    assert "Are you having thoughts of suicide" in check_in and "988" in check_in


def test_yes_to_the_check_in_gets_the_crisis_reply(model_agent, sender) -> None:
    turn(model_agent, sender, f"/greet{POSSIBLE}")
    assert turn(model_agent, sender, "yes") == ["utter_crisis"]


def test_the_yes_button_gets_the_crisis_reply(model_agent, sender) -> None:
    turn(model_agent, sender, f"/out_of_scope{POSSIBLE}")
    assert turn(model_agent, sender, "/affirm") == ["utter_crisis"]


def test_no_to_the_check_in_carries_on(model_agent, sender) -> None:
    turn(model_agent, sender, f"/ask_address{POSSIBLE}")
    assert turn(model_agent, sender, "no, I'm okay") == ["utter_checkin_declined"]
    assert turn(model_agent, sender, "where do I park?") == ["utter_parking_access"]


def test_crisis_language_instead_of_an_answer_gets_the_crisis_reply(model_agent, sender) -> None:
    turn(model_agent, sender, f"/greet{POSSIBLE}")
    assert turn(model_agent, sender, "I don't want to be here anymore") == ["utter_crisis"]


def test_yes_without_a_check_in_is_not_an_alarm(model_agent, sender) -> None:
    assert turn(model_agent, sender, "yes") == ["utter_acknowledge"]


def test_no_check_in_without_a_possible_risk(model_agent, sender) -> None:
    assert turn(model_agent, sender, "what are your opening hours?") == ["utter_hours"]


@pytest.mark.parametrize(
    "text,response",
    [
        ("are you open on saturday?", "utter_hours"),
        ("what's your address", "utter_address"),
        ("is there parking and a lift?", "utter_parking_access"),
        ("did you get the referral my doctor faxed?", "utter_referral_status"),
        ("can I talk to a real person", "utter_handoff"),
    ],
)
def test_clinic_details_come_from_the_content(model_agent, sender, text, response) -> None:
    from addons.content.loader import load_content

    assert turn(model_agent, sender, text) == [response]
    reply = texts(model_agent, sender)[-1]
    clinic = load_content().clinic
    expected = {
        "utter_hours": "- Monday to Friday: 8 am to 6 pm",
        "utter_address": clinic["clinic_address"],
        "utter_parking_access": clinic["clinic_parking"],
        "utter_referral_status": clinic["clinic_phone"],
        "utter_handoff": clinic["clinic_email"],
    }[response]
    assert expected in reply


def test_spanish_crisis_gets_the_spanish_crisis_lines(model_agent, sender) -> None:
    assert turn(model_agent, sender, "ya no quiero vivir, ayúdame") == ["utter_crisis"]
    reply = texts(model_agent, sender)[-1]
    assert "Llama al 988 y marca 2" in reply and "AYUDA" in reply


def test_a_spanish_question_gets_a_short_spanish_reply(model_agent, sender) -> None:
    assert turn(model_agent, sender, "¿cuánto cuesta una infusión?") == ["utter_spanish_handoff"]
    assert "(503) 555-0142" in texts(model_agent, sender)[-1]


def test_english_after_spanish_gets_english_again(model_agent, sender) -> None:
    turn(model_agent, sender, "hola, ¿hablan español?")
    assert turn(model_agent, sender, "I want to kill myself") == ["utter_crisis"]
    assert "Call or text 988" in texts(model_agent, sender)[-1]
