"""NLU component that turns an unsure FAQ answer into a fallback.

Rasa's FallbackClassifier only sees the intent confidence: "faq" can be certain while
the ResponseSelector is torn between two topics. Then it is better to offer the
closest topics than to answer the wrong question confidently.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.nlu.intents import force_intent

RESPONSE_SELECTOR_KEY = "response_selector"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ResponseSelectorConfidenceGate(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"retrieval_intent": "faq", "threshold": 0.5}

    def __init__(self, config: dict[str, Any]) -> None:
        self._retrieval_intent = config["retrieval_intent"]
        self._threshold = float(config["threshold"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ResponseSelectorConfidenceGate:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if intent != self._retrieval_intent:
                continue
            selected = (message.get(RESPONSE_SELECTOR_KEY) or {}).get(self._retrieval_intent)
            confidence = ((selected or {}).get("response") or {}).get("confidence", 0.0)
            if confidence < self._threshold:
                force_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, float(confidence))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
