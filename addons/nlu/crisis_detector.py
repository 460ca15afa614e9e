"""NLU component that forces the crisis and emergency intents.

It runs last in the pipeline, so whatever the classifiers (or the fallback) decided,
crisis language ends as the `crisis` intent and the crisis rule answers it. Two checks:

1. Fixed rules (addons/crisis/lexicon.py): explicit phrases, safe frames (idioms,
   negations, questions about treatment). They need no model and decide first.
2. A semantic check for what the rules do not know: each sentence is embedded
   (addons/crisis/encoder.py) and compared with the crisis, emergency and other
   training examples plus addons/crisis/exemplars.yml; if the closest example is a crisis
   (or emergency) example, the message escalates. Blind red-team phrasings are caught
   far more often this way than by rules alone (README, "How crisis handling works").

The classifier can still escalate messages neither check recognises.
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.crisis import encoder as sentence_encoder
from addons.crisis.encoder import SentenceEncoder
from addons.crisis.lexicon import CRISIS, EMERGENCY, MENTION, NONE, assess
from addons.nlu.intents import force_intent
from addons.nlu.message_length import full_text

logger = logging.getLogger(__name__)

CRISIS_CHECK_KEY = "crisis_check"
DEFAULT_EXEMPLARS = Path(sentence_encoder.__file__).parent / "exemplars.yml"
ENCODER_SOURCE = Path(sentence_encoder.__file__)
SAFE = "safe"
LABELS = (SAFE, CRISIS, EMERGENCY)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def exemplars_path(config: dict[str, Any]) -> Path:
    return Path(config.get("exemplars") or DEFAULT_EXEMPLARS)


def sentences(text: str, limit: int) -> list[str]:
    """The sentences of a message, so one buried in a long question is seen on its own."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    return parts[:limit]


def read_exemplars(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        label: [
            item["text"] if isinstance(item, dict) else str(item) for item in data.get(label) or []
        ]
        for label in LABELS
    }


@lru_cache(maxsize=2)
def shared_encoder(layers: int) -> SentenceEncoder:
    # One copy of the weights per process, however many models are loaded (model swaps).
    return SentenceEncoder(layers=layers)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "crisis_intent": "crisis",
            "emergency_intent": "medical_emergency",
            "semantic_check": True,
            "encoder_layers": 3,
            "exemplars": None,
            # Bounds the work on a huge message; the rules still read all of it.
            "max_sentences": 12,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        bank: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self._config = config
        self._intents = {
            CRISIS: config["crisis_intent"],
            EMERGENCY: config["emergency_intent"],
        }
        self._storage = model_storage
        self._resource = resource
        self._bank = bank

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisDetector:
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # Rasa's cache sees neither the exemplars file nor the encoder's code, and the
        # stored bank depends on both: retrain when either changes.
        digest = hashlib.sha256()
        for path in (exemplars_path(config), ENCODER_SOURCE):
            digest.update(path.read_bytes() if path.exists() else b"missing")
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        if self._storage is None or self._resource is None:
            raise ValueError("CrisisDetector.train needs its model storage")
        if self._config["semantic_check"]:
            texts, labels = self._examples(training_data)
            encoder = shared_encoder(self._config["encoder_layers"])
            vectors = encoder.encode_many(texts)
            with self._storage.write_to(self._resource) as directory:
                np.savez(directory / "bank.npz", vectors=vectors, labels=np.array(labels, np.int8))
        return self._resource

    def _examples(self, training_data: TrainingData) -> tuple[list[str], list[int]]:
        label_of_intent = {self._intents[CRISIS]: CRISIS, self._intents[EMERGENCY]: EMERGENCY}
        texts, labels = [], []
        for example in training_data.intent_examples:
            text = example.get(TEXT)
            if text:
                texts.append(text)
                labels.append(LABELS.index(label_of_intent.get(example.get(INTENT), SAFE)))
        extra = read_exemplars(exemplars_path(self._config))
        for label in LABELS:
            texts.extend(extra[label])
            labels.extend([LABELS.index(label)] * len(extra[label]))
        return texts, labels

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CrisisDetector:
        bank = None
        if config["semantic_check"]:
            try:
                with model_storage.read_from(resource) as directory:
                    stored = np.load(directory / "bank.npz")
                    bank = (stored["vectors"], stored["labels"])
                shared_encoder(config["encoder_layers"])
            except Exception as e:
                # The rules and the classifier still work; say loudly what is missing.
                logger.error("Semantic crisis check disabled: %s", e)
                bank = None
        return cls(config, model_storage, resource, bank)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = full_text(message)
            result = assess(text)
            verdict, category = result.verdict, result.category
            if verdict in (NONE, MENTION) and self._bank is not None:
                semantic = self._closest_label(text, safe_framed=verdict == MENTION)
                if semantic != SAFE:
                    verdict, category = semantic, "semantic"
            message.set(
                CRISIS_CHECK_KEY, {"verdict": verdict, "category": category}, add_to_output=True
            )
            forced = self._intents.get(verdict)
            if forced:
                # The category only, never the text: conversations are health data.
                logger.info("Crisis detector forced intent %s (%s).", forced, category)
                force_intent(message, forced, 1.0)
            elif verdict == MENTION:
                self._answer_normally(message)
        return messages

    def _closest_label(self, text: str, safe_framed: bool) -> str:
        """Crisis if any sentence's closest example is a crisis one; else emergency; else safe.

        In a message the rules found safely framed ("can ketamine help suicidal
        thoughts?"), only the other sentences are compared: "... Mine are getting worse
        and I have a plan now" still escalates.
        """
        assert self._bank is not None
        vectors, labels = self._bank
        encoder = shared_encoder(self._config["encoder_layers"])
        found = SAFE
        for sentence in sentences(text, self._config["max_sentences"]):
            if safe_framed and assess(sentence).verdict != NONE:
                continue
            label = LABELS[labels[int(np.argmax(vectors @ encoder.encode(sentence)))]]
            if label == CRISIS:
                return CRISIS  # nothing later can outrank it: spare the other encodings
            if label == EMERGENCY:
                found = EMERGENCY
        return found

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
