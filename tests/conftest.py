"""Shared test helpers: a tracker factory over rasa_sdk's Tracker.from_dict, the model."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker


def make_tracker(
    intent: str = "faq",
    text: str = "a question",
    response_selector: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [],
        "response_selector": response_selector or {},
    }
    return Tracker.from_dict(
        {
            "sender_id": "test-user",
            "slots": slots or {},
            "latest_message": latest,
            "events": events or [{"event": "user", "text": text, "parse_data": latest}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def selector_ranking(*topics_and_confidences: tuple[str, float]) -> dict[str, Any]:
    """A response_selector block as Rasa puts it in the parse data."""
    ranking = [
        {"id": i, "confidence": c, "intent_response_key": f"faq/{t}"}
        for i, (t, c) in enumerate(topics_and_confidences)
    ]
    top = ranking[0] if ranking else {"confidence": 0.0, "intent_response_key": None}
    return {
        "faq": {
            "response": {
                "confidence": top["confidence"],
                "intent_response_key": top["intent_response_key"],
                "utter_action": f"utter_{top['intent_response_key']}",
            },
            "ranking": ranking,
        }
    }


@pytest.fixture
def tracker_factory():
    return make_tracker


@pytest.fixture(scope="session")
def model_agent():
    """The trained model (tests.servers.MODEL), loaded once for all the tests that need it."""
    from rasa.core.agent import Agent

    from tests.servers import MODEL

    return Agent.load(str(MODEL))


LAYERS = ("unit", "model", "servers", "browser")


# First, so pytest-xdist's loadgroup (which reads the groups in this same hook) sees them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test names its layer (pyproject.toml's markers), so `make test-unit` and the
    other layers select exactly what they should."""
    unmarked = [i.nodeid for i in items if not any(i.get_closest_marker(m) for m in LAYERS)]
    for item in items:
        # Under pytest-xdist's loadgroup (scripts/test.sh), a file's tests share a worker and
        # its module fixtures; files that train in a copy of the project (one Rasa cache)
        # name a shared group instead.
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    if unmarked:
        raise pytest.UsageError(
            f"tests without a layer marker ({', '.join(LAYERS)}): {', '.join(unmarked[:10])}"
        )
