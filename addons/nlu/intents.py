"""Changing an NLU prediction: the one way components override the classifier's intent."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def force_intent(message: Message, name: str, confidence: float) -> None:
    """Makes `name` the predicted intent and puts it on top of the ranking."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    top = {"name": name, "confidence": confidence}
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
