"""NLU components: the intent classifier and the FAQ selector on sentence meaning and wording.

Both are a multinomial logistic regression over the same inputs as the crisis score
(addons/crisis/risk.py `Features`): the message's sentence embedding (from
SentenceEmbeddingFeaturizer, all-MiniLM-L6-v2) beside TF-IDF word and character n-grams.
On the development set they measured far above DIET and the ResponseSelector fed the
same embeddings (docs/measurements/), and they train in seconds on this small FAQ.

- `EmbeddingIntentClassifier` sets `intent` and `intent_ranking`, as DIET does.
- `EmbeddingResponseSelector` sets `response_selector.<retrieval intent>` in the
  ResponseSelector's format, so `utter_faq`, the selector gate and the topic suggestions
  read it unchanged.
"""

from __future__ import annotations

import json
import pickle
import sys
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from addons.crisis import risk
from addons.crisis.encoder import shared_encoder
from addons.crisis.risk import Features
from addons.nlu import training_cache
from addons.nlu.sentence_features import stored_vector

RESPONSE_SELECTOR_KEY = "response_selector"
FAQ_UTTER_PREFIX = "utter_"


class _LinearModel:
    """Features plus a logistic regression; pickled into the model's own storage."""

    def __init__(self, c: float, lexical_weight: float) -> None:
        self.features = Features(lexical_weight)
        self.classifier = LogisticRegression(C=c, max_iter=5000, random_state=1)

    def fit(self, texts: list[str], vectors: np.ndarray, labels: list[str]) -> _LinearModel:
        self.features.fit(texts)
        self.classifier.fit(self.features.transform(texts, vectors), labels)
        return self

    def rank(self, text: str, vector: np.ndarray) -> list[tuple[str, float]]:
        rows = self.features.transform([text], vector[None, :])
        proba = risk.predict_proba(self.classifier, rows)[0]
        order = np.argsort(-proba)
        return [(str(self.classifier.classes_[i]), float(proba[i])) for i in order]


def _vector(message: Message, layers: int) -> np.ndarray:
    stored = stored_vector(message, layers)
    return stored if stored is not None else shared_encoder(layers).encode(message.get(TEXT) or "")


class _EmbeddingComponent(GraphComponent):
    MODEL_FILE = "model.pkl"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # C chosen with cross-validation on the training examples (docs/measurements/);
        # the n-grams' weight beside the embedding is the crisis score's unless set.
        return {
            "C": 10.0,
            "lexical_weight": risk.LEXICAL_WEIGHT,
            "encoder_layers": 6,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: _LinearModel | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._model = model
        self._extra = extra or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> _EmbeddingComponent:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> _EmbeddingComponent:
        with model_storage.read_from(resource) as directory:
            # Written by train() below into this model's own storage.
            with (directory / cls.MODEL_FILE).open("rb") as f:
                model = pickle.load(f)  # noqa: S301
            extra = json.loads((directory / "extra.json").read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, model, extra)

    def _persist(self, model: _LinearModel, extra: dict[str, Any]) -> Resource:
        with self._storage.write_to(self._resource) as directory:
            with (directory / self.MODEL_FILE).open("wb") as f:
                pickle.dump(model, f)
            (directory / "extra.json").write_text(json.dumps(extra), encoding="utf-8")
        self._model, self._extra = model, extra
        return self._resource

    def _fit(self, examples: list[Message], labels: list[str]) -> _LinearModel:
        layers = int(self._config["encoder_layers"])
        texts = [m.get(TEXT) for m in examples]
        vectors = np.stack([_vector(m, layers) for m in examples])
        c, weight = float(self._config["C"]), float(self._config["lexical_weight"])
        key = training_cache.digest(
            training_cache.code_digest(sys.modules[__name__], risk),
            (c, weight),
            texts,
            labels,
            vectors,
        )
        return training_cache.remember(
            type(self).__name__,
            key,
            lambda: _LinearModel(c, weight).fit(texts, vectors, labels),
        )

    def _rank(self, message: Message) -> list[tuple[str, float]]:
        assert self._model is not None
        text = message.get(TEXT) or ""
        return self._model.rank(text, _vector(message, int(self._config["encoder_layers"])))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EmbeddingIntentClassifier(_EmbeddingComponent):
    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        model = self._fit(examples, [m.get(INTENT) for m in examples])
        return self._persist(model, {})

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if not (message.get(TEXT) or "").strip() or self._model is None:
                # As DIET does: no intent, so the fallback takes an empty message.
                message.set(INTENT, {INTENT_NAME_KEY: None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            ranking = self._rank(message)[: int(self._config["ranking_length"])]
            top, confidence = ranking[0]
            message.set(
                INTENT, {INTENT_NAME_KEY: top, "confidence": confidence}, add_to_output=True
            )
            message.set(
                INTENT_RANKING_KEY,
                [{INTENT_NAME_KEY: name, "confidence": c} for name, c in ranking],
                add_to_output=True,
            )
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EmbeddingResponseSelector(_EmbeddingComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**_EmbeddingComponent.get_default_config(), "retrieval_intent": "faq"}

    def train(self, training_data: TrainingData) -> Resource:
        intent = self._config["retrieval_intent"]
        examples = [
            m
            for m in training_data.intent_examples
            if m.get(TEXT) and m.get(INTENT) == intent and m.get(INTENT_RESPONSE_KEY)
        ]
        keys = [m.get(INTENT_RESPONSE_KEY) for m in examples]
        responses = {
            key: training_data.responses.get(FAQ_UTTER_PREFIX + key) or [{TEXT: key}]
            for key in sorted(set(keys))
        }
        return self._persist(self._fit(examples, keys), {"responses": responses})

    def process(self, messages: list[Message]) -> list[Message]:
        intent = self._config["retrieval_intent"]
        for message in messages:
            if not (message.get(TEXT) or "").strip() or self._model is None:
                continue
            ranking = self._rank(message)[: int(self._config["ranking_length"])]
            key, confidence = ranking[0]
            selectors = dict(message.get(RESPONSE_SELECTOR_KEY) or {})
            selectors.setdefault("all_retrieval_intents", [])
            if intent not in selectors["all_retrieval_intents"]:
                selectors["all_retrieval_intents"].append(intent)
            selectors[intent] = {
                "response": {
                    "responses": self._extra["responses"].get(key, [{TEXT: key}]),
                    "confidence": confidence,
                    INTENT_RESPONSE_KEY: key,
                    "utter_action": FAQ_UTTER_PREFIX + key,
                },
                "ranking": [
                    {"id": i, "confidence": c, INTENT_RESPONSE_KEY: k}
                    for i, (k, c) in enumerate(ranking)
                ],
            }
            message.set(RESPONSE_SELECTOR_KEY, selectors, add_to_output=True)
        return messages
