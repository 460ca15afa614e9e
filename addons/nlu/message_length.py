"""NLU component, first in the pipeline: classifiers see at most `max_chars` characters.

A 100 KB message would otherwise take the featurizers and neural classifiers minutes.
FAQ questions are short, so the start of a long message is enough to classify it. The
crisis detector still reads the whole message (kept under FULL_TEXT_KEY).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

FULL_TEXT_KEY = "full_text"


def full_text(message: Message) -> str:
    return message.get(FULL_TEXT_KEY) or message.get(TEXT) or ""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TruncateLongMessages(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"max_chars": 1000}

    def __init__(self, config: dict[str, Any]) -> None:
        self._max_chars = int(config["max_chars"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TruncateLongMessages:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and len(text) > self._max_chars:
                message.set(FULL_TEXT_KEY, text)
                message.set(TEXT, text[: self._max_chars])
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
