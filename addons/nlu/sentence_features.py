"""NLU component: one sentence embedding per message, as dense features for the classifiers.

The embedding is all-MiniLM-L6-v2's mean-pooled sentence vector (addons/crisis/encoder.py,
ONNX Runtime in-process, weights from a hash-pinned package), given to DIET and the ResponseSelector
beside the sparse n-gram features. Only sentence-level features: the classifiers need the
meaning of the whole question, and token-level vectors would not line up with the
whitespace tokens the sparse featurizers count. The crisis detector reuses the same
vectors (the encoder caches the latest ones), so a message is encoded once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.crisis import encoder as encoder_module
from addons.crisis.encoder import shared_encoder
from addons.nlu import training_cache

# The message's vector, kept on the message (not in the parse output) for the crisis
# detector: {"layers": 6, "vector": ndarray}.
SENTENCE_VECTOR_KEY = "sentence_embedding"


def stored_vector(message: Message, layers: int) -> np.ndarray | None:
    """The featurizer's vector of the message's text, if it used an encoder of `layers`."""
    stored = message.get(SENTENCE_VECTOR_KEY)
    if stored and stored.get("layers") == layers:
        return np.asarray(stored["vector"])
    return None


def encode_for_training(layers: int, texts: list[str]) -> np.ndarray:
    """Rows of the encoder's vectors, reusing those of earlier trainings (training_cache)."""
    key = training_cache.code_digest(encoder_module) + f"-{layers}"
    return training_cache.vectors(
        training_cache.digest(key), texts, shared_encoder(layers).encode_many
    )


def _has_text(message: Message) -> bool:
    text = message.get(TEXT)
    return isinstance(text, str) and bool(text.strip())


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "encoder_layers": 6}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # Rasa caches this component's output and does not see code: retrain on a change.
        digest = hashlib.sha256()
        for path in (Path(__file__), Path(encoder_module.__file__)):
            digest.update(path.read_bytes())
        return digest.hexdigest()

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config.get("encoder_layers", 6)) not in range(1, 7):
            raise ValueError("encoder_layers must be between 1 and 6 (MiniLM has 6 layers)")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._layers = int(self._config["encoder_layers"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        shared_encoder(int(config["encoder_layers"]))  # a missing package fails here, early
        return cls(config, execution_context.node_name)

    def process(self, messages: list[Message]) -> list[Message]:
        encoder = shared_encoder(self._layers)
        for message in messages:
            if _has_text(message):
                self._attach(message, encoder.encode(message.get(TEXT)))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        messages = [m for m in training_data.training_examples if _has_text(m)]
        vectors = encode_for_training(self._layers, [m.get(TEXT) for m in messages])
        for message, vector in zip(messages, vectors, strict=True):
            self._attach(message, vector)
        return training_data

    def _attach(self, message: Message, vector: np.ndarray) -> None:
        message.set(SENTENCE_VECTOR_KEY, {"layers": self._layers, "vector": vector})
        message.add_features(
            Features(
                vector[None, :], FEATURE_TYPE_SENTENCE, TEXT, self._config[FEATURIZER_CLASS_ALIAS]
            )
        )
