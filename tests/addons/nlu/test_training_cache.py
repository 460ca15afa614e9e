"""addons/nlu/training_cache.py: vectors and fitted models reused by content, never stale."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from addons.nlu import training_cache

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path))
    return tmp_path / training_cache.FOLDER


class CountingEncoder:
    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.seen.append(list(texts))
        return np.array([[len(t), ord(t[0])] for t in texts], dtype=np.float32)


def test_only_texts_not_seen_before_are_encoded() -> None:
    encode = CountingEncoder()
    first = training_cache.vectors("enc", ["ab", "c", "ab"], encode)
    second = training_cache.vectors("enc", ["c", "def", "ab"], encode)

    assert [sorted(batch) for batch in encode.seen] == [["ab", "c"], ["def"]]
    np.testing.assert_array_equal(first, [[2, 97], [1, 99], [2, 97]])
    np.testing.assert_array_equal(second, [[1, 99], [3, 100], [2, 97]])


def test_another_encoder_does_not_reuse_the_vectors() -> None:
    encode = CountingEncoder()
    training_cache.vectors("enc-a", ["ab"], encode)
    training_cache.vectors("enc-b", ["ab"], encode)

    assert encode.seen == [["ab"], ["ab"]]


def test_the_store_keeps_this_trainings_texts_within_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(training_cache, "VECTORS_KEPT", 2)
    encode = CountingEncoder()
    training_cache.vectors("enc", ["a", "b"], encode)
    training_cache.vectors("enc", ["c"], encode)
    training_cache.vectors("enc", ["c", "b", "a"], encode)

    # The second training kept its "c", then the newest stored, "a"; "b" was dropped.
    assert encode.seen[-1] == ["b"]


def test_a_damaged_vector_file_is_encoded_again(cache_dir: Path) -> None:
    encode = CountingEncoder()
    training_cache.vectors("enc", ["ab"], encode)
    (cache_dir / "vectors-enc.npz").write_bytes(b"not a zip file")

    again = training_cache.vectors("enc", ["ab"], encode)

    assert encode.seen == [["ab"], ["ab"]]
    np.testing.assert_array_equal(again, [[2, 97]])


def test_a_fitted_model_is_reused_only_for_the_same_key() -> None:
    calls: list[str] = []

    def fit(name: str) -> dict[str, str]:
        calls.append(name)
        return {"model": name}

    assert training_cache.remember("clf", "k1", lambda: fit("one")) == {"model": "one"}
    assert training_cache.remember("clf", "k1", lambda: fit("two")) == {"model": "one"}
    assert training_cache.remember("clf", "k2", lambda: fit("three")) == {"model": "three"}
    assert calls == ["one", "three"]


def test_a_damaged_model_entry_is_computed_again(cache_dir: Path) -> None:
    training_cache.remember("clf", "k1", lambda: 1)
    (cache_dir / "clf-k1.pkl").write_bytes(b"\x80garbage")

    assert training_cache.remember("clf", "k1", lambda: 2) == 2
    assert training_cache.remember("clf", "k1", lambda: 3) == 2


def test_old_models_of_a_kind_are_pruned(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(training_cache, "MODELS_KEPT", 2)
    for i in range(4):
        training_cache.remember("clf", f"k{i}", lambda i=i: i)
        path = cache_dir / f"clf-k{i}.pkl"
        # Distinct modification times, oldest first, whatever the file system's resolution.
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    training_cache.remember("other", "k", lambda: 0)

    assert sorted(p.name for p in cache_dir.glob("clf-*.pkl")) == ["clf-k2.pkl", "clf-k3.pkl"]


def test_the_digest_tells_apart_what_a_model_learnt_from() -> None:
    base = training_cache.digest(["a", "b"], [0, 1], np.zeros((2, 2), np.float32), 10.0)

    assert base == training_cache.digest(["a", "b"], [0, 1], np.zeros((2, 2), np.float32), 10.0)
    assert base != training_cache.digest(["a", "b"], [1, 0], np.zeros((2, 2), np.float32), 10.0)
    assert base != training_cache.digest(["ab"], [0, 1], np.zeros((2, 2), np.float32), 10.0)
    assert base != training_cache.digest(["a", "b"], [0, 1], np.ones((2, 2), np.float32), 10.0)
    assert base != training_cache.digest(["a", "b"], [0, 1], np.zeros((2, 2), np.float32), 1.0)
