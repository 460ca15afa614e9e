import numpy as np
import pytest
import scipy.sparse as sparse
from sklearn.linear_model import LogisticRegression

from addons.crisis import risk
from addons.crisis.risk import LEXICAL_WEIGHT, Features, predict_proba

pytestmark = pytest.mark.unit

TEXTS = [
    "how long does an infusion take",
    "how long do the effects last",
    "what are the side effects of ketamine",
    "is ketamine safe for me",
    "I want to end my life",
    "I don't want to wake up tomorrow",
    "my chest hurts after the infusion",
    "can I drive home after the infusion",
    "what does it cost and does insurance pay",
    "I can't breathe and my chest is tight",
]
LABELS = np.array([0, 0, 0, 0, 1, 1, 2, 0, 0, 2])


@pytest.fixture(scope="module")
def fitted() -> tuple[Features, np.ndarray]:
    vectors = np.random.default_rng(0).normal(size=(len(TEXTS), 384)).astype(np.float32)
    return Features().fit(TEXTS), vectors


def test_one_message_gets_the_same_row_as_the_batch_path(fitted) -> None:
    features, vectors = fitted
    for text, vector in zip(
        [*TEXTS, "", "zzz qqq", "¿Qué es?"], [*vectors, *vectors[:3]], strict=True
    ):
        expected = sparse.hstack(
            [
                sparse.csr_matrix(vector[None, :]),
                LEXICAL_WEIGHT * features.words.transform([text]),
                LEXICAL_WEIGHT * features.chars.transform([text]),
            ]
        ).toarray()
        got = features.transform([text], vector[None, :])
        assert got.shape == expected.shape
        np.testing.assert_allclose(got.toarray(), expected, atol=1e-12)


def test_the_lexical_weight_scales_only_the_n_grams(fitted) -> None:
    features, vectors = fitted
    lighter = Features(lexical_weight=1.0).fit(TEXTS)
    heavy = features.transform([TEXTS[0]], vectors[0]).toarray()[0]
    light = lighter.transform([TEXTS[0]], vectors[0]).toarray()[0]
    width = vectors.shape[1]
    np.testing.assert_allclose(light[:width], heavy[:width])
    np.testing.assert_allclose(light[width:] * LEXICAL_WEIGHT, heavy[width:])


def test_a_pickle_from_before_the_weight_was_a_parameter_keeps_the_old_weight(fitted) -> None:
    import pickle

    features, vectors = fitted
    old = pickle.loads(pickle.dumps(features))
    del old.__dict__["lexical_weight"]
    np.testing.assert_allclose(
        old.transform([TEXTS[0]], vectors[0]).toarray(),
        features.transform([TEXTS[0]], vectors[0]).toarray(),
    )


def test_probabilities_equal_scikit_learns(fitted) -> None:
    features, vectors = fitted
    rows = features.transform(TEXTS, vectors)
    multinomial = LogisticRegression(max_iter=1000).fit(rows, LABELS)
    binary = LogisticRegression(max_iter=1000).fit(rows, LABELS > 0)
    for model in (multinomial, binary):
        np.testing.assert_allclose(
            predict_proba(model, rows), model.predict_proba(rows), atol=1e-12
        )


def test_the_per_process_cache_is_not_pickled(fitted) -> None:
    import pickle

    features, vectors = fitted
    features.transform([TEXTS[0]], vectors[0])
    restored = pickle.loads(pickle.dumps(features))
    assert "_prepared_cache" not in restored.__dict__
    np.testing.assert_allclose(
        restored.transform([TEXTS[0]], vectors[0]).toarray(),
        features.transform([TEXTS[0]], vectors[0]).toarray(),
    )


def test_thresholds_come_from_held_out_scores() -> None:
    # Rows are (safe, crisis, emergency) probabilities; 100 of each label.
    grid = np.linspace(0.0, 1.0, 100)
    safe = np.column_stack([1 - grid, grid * 0.3, grid * 0.6])
    crisis = np.column_stack([1 - grid, grid, np.zeros(100)])
    emergency = np.column_stack([1 - grid, np.zeros(100), grid])
    held_out = np.vstack([safe, crisis, emergency])
    labels = np.repeat([risk.SAFE, risk.CRISIS, risk.EMERGENCY], 100)
    t = risk.choose_thresholds(held_out, labels)
    assert t.check_in_at == pytest.approx(np.quantile(grid, risk.CRISIS_MISS_RATE))
    assert t.crisis_at == pytest.approx(np.quantile(grid * 0.3, 1 - risk.SAFE_ALARM_RATE))
    # 95% of emergencies reach 0.05, but 1% of safe rows reach 0.594: the higher bar wins.
    assert t.emergency_at == pytest.approx(np.quantile(grid * 0.6, 1 - risk.SAFE_ALARM_RATE))
