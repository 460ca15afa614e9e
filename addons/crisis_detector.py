"""NLU component that forces the crisis and emergency intents from fixed rules.

It runs last in the pipeline, so whatever the classifiers (or the fallback) decided,
crisis language ends as the `crisis` intent and the crisis rule answers it. The
classifier can still escalate messages the rules do not recognise at all.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.crisis_lexicon import CRISIS, EMERGENCY, MENTION, assess
from addons.message_length import full_text

logger = logging.getLogger(__name__)

CRISIS_CHECK_KEY = "crisis_check"


def force_intent(message: Message, name: str, confidence: float) -> None:
    """Makes `name` the predicted intent and puts it on top of the ranking."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    top = {"name": name, "confidence": confidence}
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CrisisDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"crisis_intent": "crisis", "emergency_intent": "medical_emergency"}

    def __init__(self, config: dict[str, Any]) -> None:
        self._intents = {
            CRISIS: config["crisis_intent"],
            EMERGENCY: config["emergency_intent"],
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisDetector:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            result = assess(full_text(message))
            message.set(
                CRISIS_CHECK_KEY,
                {"verdict": result.verdict, "category": result.category},
                add_to_output=True,
            )
            forced = self._intents.get(result.verdict)
            if forced:
                # The category only, never the text: conversations are health data.
                logger.info("Crisis detector forced intent %s (%s).", forced, result.category)
                force_intent(message, forced, 1.0)
            elif result.verdict == MENTION:
                self._answer_normally(message)
        return messages

    def _answer_normally(self, message: Message) -> None:
        """An idiom, negation or question about treatment gets its normal answer.

        The classifier learnt "suicidal" from crisis examples, so it would escalate
        "can ketamine help suicidal thoughts?". The rules recognised a safe frame here;
        the reply still carries the crisis reminder.
        """
        safety_intents = set(self._intents.values())
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != self._intents[CRISIS]:
            return
        for candidate in message.get(INTENT_RANKING_KEY) or []:
            if candidate.get("name") not in safety_intents:
                force_intent(message, candidate["name"], candidate["confidence"])
                return

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
