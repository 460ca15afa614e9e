"""A calibrated crisis-risk score: safe, crisis or emergency, from meaning and wording.

Pure (NumPy and scikit-learn, no Rasa): a multinomial logistic regression over a message's
sentence embedding (its meaning) beside TF-IDF word and character n-grams of its
normalised text (its wording: "cost", "visits" and "booking" are safe whatever the mood
around them). The probabilities are the score. Two thresholds split the crisis
probability into three outcomes, and a third gives emergencies:

- crisis: p(crisis) >= `crisis_at`;
- possible risk (the check-in): `check_in_at` <= p(crisis) < `crisis_at`;
- emergency: p(emergency) >= `emergency_at` (when not a crisis).

The thresholds are not picked by hand: `choose_thresholds` reads them off out-of-fold
predictions on the training examples (each scored by a model that did not see it), so that
96% of held-out crisis examples reach at least the check-in and 1% of held-out safe
examples reach the full crisis reply. The explicit rules (lexicon.py) decide first; this
score is for what they do not know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from addons.crisis.lexicon import normalise

SAFE, CRISIS, EMERGENCY = 0, 1, 2
# Share of held-out crisis examples allowed to score below the check-in (4%: at 5%, a
# plan message of red-team set 5 got no crisis line once the fourth round of data came in).
CRISIS_MISS_RATE = 0.04
# Share of held-out safe examples allowed to get the full crisis reply. The tail is thin:
# at 1%, a few more safe sentences in training (2026-12-07) moved the bar from 0.70 to
# 0.74 and set 13's crisis messages lost the full reply for three check-ins; 1.2% gives 0.68.
SAFE_ALARM_RATE = 0.012
# Share of held-out emergencies allowed to score below the emergency threshold.
EMERGENCY_MISS_RATE = 0.05
# Chosen with cross-validation and the development set (docs/measurements/).
INVERSE_REGULARISATION = 4.0
LEXICAL_WEIGHT = 2.0


@dataclass(frozen=True)
class Thresholds:
    check_in_at: float
    crisis_at: float
    emergency_at: float


class Features:
    """Embedding and weighted TF-IDF n-grams side by side, fitted on the training texts."""

    # Pickles from before the weight was a parameter lack the attribute.
    lexical_weight = LEXICAL_WEIGHT

    def __init__(self, lexical_weight: float = LEXICAL_WEIGHT) -> None:
        self.lexical_weight = lexical_weight
        self.words = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, preprocessor=normalise
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            min_df=2,
            sublinear_tf=True,
            preprocessor=normalise,
        )

    def fit(self, texts: list[str]) -> Features:
        self.words.fit(texts)
        self.chars.fit(texts)
        return self

    def transform(self, texts: list[str], vectors: np.ndarray) -> sparse.csr_matrix:
        vectors = np.atleast_2d(vectors)
        if len(texts) == 1:
            return self._transform_one(texts[0], vectors[0])
        return sparse.hstack(
            [
                sparse.csr_matrix(vectors),
                self.lexical_weight * self.words.transform(texts),
                self.lexical_weight * self.chars.transform(texts),
            ]
        ).tocsr()

    def _transform_one(self, text: str, vector: np.ndarray) -> sparse.csr_matrix:
        """The same row as the batch path, built directly: a turn transforms one message
        three times (intent, FAQ topic, crisis score), and scikit-learn's general path
        spent over a millisecond on each."""
        columns, values = [np.arange(vector.shape[0])], [vector.astype(np.float64)]
        offset = vector.shape[0]
        for vectorizer in (self.words, self.chars):
            index, weight = _tfidf_row(vectorizer, *self._prepared(vectorizer), text)
            columns.append(index + offset)
            values.append(self.lexical_weight * weight)
            offset += len(vectorizer.vocabulary_)
        data, indices = np.concatenate(values), np.concatenate(columns)
        return sparse.csr_matrix(
            (data, indices, np.array([0, len(data)])), shape=(1, offset), copy=False
        )

    def _prepared(
        self, vectorizer: TfidfVectorizer
    ) -> tuple[Callable[[str], list[str]], np.ndarray]:
        # Once per process, not pickled with the model (older pickles lack it); sklearn
        # recomputes idf_ from a sparse matrix on every access.
        cache = self.__dict__.setdefault("_prepared_cache", {})
        if id(vectorizer) not in cache:
            cache[id(vectorizer)] = (vectorizer.build_analyzer(), np.array(vectorizer.idf_))
        return cache[id(vectorizer)]

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_prepared_cache"}


def _tfidf_row(
    vectorizer: TfidfVectorizer, analyzer: Callable[[str], list[str]], idf: np.ndarray, text: str
) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and weights of TfidfVectorizer.transform([text]) for this setup
    (sublinear tf, idf, l2 norm)."""
    vocabulary = vectorizer.vocabulary_
    counts: dict[int, int] = {}
    for feature in analyzer(text):
        column = vocabulary.get(feature)
        if column is not None:
            counts[column] = counts.get(column, 0) + 1
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    index = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
    weight = np.log(np.fromiter((counts[i] for i in index), np.float64, len(index))) + 1.0
    weight *= idf[index]
    norm = np.sqrt(weight @ weight)
    return index, weight / norm if norm > 0 else weight


@dataclass
class RiskModel:
    features: Features
    classifier: LogisticRegression
    thresholds: Thresholds

    def probabilities(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        """Rows of (p_safe, p_crisis, p_emergency), one per text (with its embedding)."""
        proba = predict_proba(self.classifier, self.features.transform(texts, vectors))
        order = list(self.classifier.classes_)
        return proba[:, [order.index(c) for c in (SAFE, CRISIS, EMERGENCY)]]


def predict_proba(classifier: LogisticRegression, rows: sparse.csr_matrix) -> np.ndarray:
    """classifier.predict_proba(rows) for a multinomial model, without scikit-learn's
    input checks (a third of a turn's classifier time); anything else goes to sklearn."""
    multinomial = (
        classifier.classes_.size > 2
        and classifier.multi_class in ("auto", "multinomial")
        and classifier.solver != "liblinear"
    )
    if not multinomial:
        return classifier.predict_proba(rows)
    decision = np.asarray(rows @ classifier.coef_.T) + classifier.intercept_
    decision -= decision.max(axis=1, keepdims=True)
    np.exp(decision, out=decision)
    decision /= decision.sum(axis=1, keepdims=True)
    return decision


def _regression() -> LogisticRegression:
    # Balanced: a few hundred crisis examples against thousands of safe ones.
    return LogisticRegression(
        C=INVERSE_REGULARISATION, max_iter=5000, class_weight="balanced", random_state=1
    )


def out_of_fold(
    texts: list[str], vectors: np.ndarray, labels: np.ndarray, groups: np.ndarray
) -> np.ndarray:
    """Every example's probabilities from a model (features included) trained without it.

    Examples of one group (a message and its sentences) are held out together, so no
    message is scored by a model that saw a part of it.
    """
    result = np.zeros((len(labels), 3))
    splits = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=1)
    for train_idx, held in splits.split(vectors, labels, groups):
        fold_texts = [texts[i] for i in train_idx]
        features = Features().fit(fold_texts)
        model = _regression().fit(
            features.transform(fold_texts, vectors[train_idx]), labels[train_idx]
        )
        fitted = RiskModel(features, model, Thresholds(0, 0, 0))
        result[held] = fitted.probabilities([texts[i] for i in held], vectors[held])
    return result


def choose_thresholds(held_out: np.ndarray, labels: np.ndarray) -> Thresholds:
    check_in_at = float(np.quantile(held_out[labels == CRISIS, CRISIS], CRISIS_MISS_RATE))
    crisis_at = float(np.quantile(held_out[labels == SAFE, CRISIS], 1 - SAFE_ALARM_RATE))
    # Never a band upside down: a crisis threshold below the check-in leaves no band.
    crisis_at = max(crisis_at, check_in_at)
    emergency_at = float(np.quantile(held_out[labels == EMERGENCY, EMERGENCY], EMERGENCY_MISS_RATE))
    # Not below the level that only 1% of safe examples reach either: the rules know the
    # clear warning signs, and a question about a past heart attack is not an emergency.
    safe_emergency_at = float(np.quantile(held_out[labels == SAFE, EMERGENCY], 1 - SAFE_ALARM_RATE))
    return Thresholds(check_in_at, crisis_at, max(emergency_at, safe_emergency_at, 0.2))


def train(
    texts: list[str], vectors: np.ndarray, labels: np.ndarray, groups: np.ndarray | None = None
) -> tuple[RiskModel, np.ndarray]:
    """The model on all examples, and the out-of-fold probabilities its thresholds came from.

    `groups` ties examples made from one message together (default: each its own).
    """
    labels = np.asarray(labels)
    groups = np.arange(len(labels)) if groups is None else np.asarray(groups)
    held_out = out_of_fold(texts, vectors, labels, groups)
    features = Features().fit(texts)
    classifier = _regression().fit(features.transform(texts, vectors), labels)
    return RiskModel(features, classifier, choose_thresholds(held_out, labels)), held_out
