"""Fuzz against the trained model: both channels in-process, the real agent behind them.

The same hostile input as test_channels_fuzz.py, through the real NLU, crisis detector,
NLG and SQLite tracker store (where a lone surrogate once ended the process): every
answer a 2xx or 4xx, and afterwards the same conversation still gets its FAQ answer and
the crisis reply.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from rasa.core.agent import Agent
from rasa.core.lock_store import InMemoryLockStore
from rasa.utils.endpoints import EndpointConfig

from addons.tracker_store import WindowedSQLTrackerStore
from tests.fuzz.strategies import message_objects, raw_bodies
from tests.inprocess import BackgroundServer, both_channels
from tests.servers import MODEL

pytestmark = pytest.mark.model

TOKEN = "m" * 48


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    db = tmp_path_factory.mktemp("model-fuzz") / "conversations.db"
    agent = Agent.load(
        str(MODEL),
        generator=EndpointConfig(type="addons.nlg.ClinicNaturalLanguageGenerator"),
        lock_store=InMemoryLockStore(),
    )
    agent.tracker_store = WindowedSQLTrackerStore(
        domain=agent.domain, dialect="sqlite", db=str(db), max_events=50
    )
    agent.processor.tracker_store = agent.tracker_store  # type: ignore[union-attr]
    with both_channels(agent, TOKEN) as running:
        yield running


def post(server: BackgroundServer, body: bytes) -> requests.Response:
    return requests.post(
        f"{server.url}/webhooks/rest/webhook",
        data=body,
        timeout=60,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )


def say(server: BackgroundServer, sender: str, text: str) -> str:
    response = post(server, json.dumps({"sender": sender, "message": text}).encode())
    assert response.status_code == 200, response.text
    return "\n".join(r.get("text") or "" for r in response.json())


FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(body=raw_bodies)
def test_hostile_bodies_then_the_conversation_goes_on(
    server: BackgroundServer, body: bytes
) -> None:
    response = post(server, body)
    assert 200 <= response.status_code < 500, response.text
    assert "minutes" in say(server, "fuzz-model", "how long does an infusion take?")


@FUZZ
@given(message=message_objects)
def test_hostile_messages_in_one_conversation_never_fail_it(
    server: BackgroundServer, message: dict
) -> None:
    # The same sender every time: a stored event that broke the store would show here.
    body = json.dumps({**message, "sender": "fuzz-same"}).encode()
    response = post(server, body)
    assert response.status_code in (200, 400), response.text
    assert "988" in say(server, "fuzz-same", "I want to end my life")


def test_intent_syntax_goes_through_the_crisis_check(server: BackgroundServer) -> None:
    # Finding 5: this got the greeting, and /restart cleared the crisis flag.
    assert "988" in say(server, "fuzz-slash", '/greet{"note": "i want to kill myself"}')
    say(server, "fuzz-slash", "/restart")
    assert "988" in say(server, "fuzz-slash", "how long does an infusion take?")
