"""Training results kept by content between `rasa train` runs, where Rasa's cache retrains.

Rasa keys every NLU component on the whole training data, the answers included, so one
edited answer (`make publish`) re-encodes every example and refits both classifiers and the
crisis score: minutes of work whose inputs did not change. Here sentence vectors are kept
per text and encoder, and fitted models per hash of exactly what they learnt from (texts,
labels, settings, code), in a folder beside Rasa's own cache (RASA_CACHE_DIRECTORY, by
default .rasa/cache, as Rasa). A miss or an unreadable entry computes as before; writes go
through a temporary file and a rename, so trainings running side by side (the test suite)
never read half a file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from rasa.engine.caching import CACHE_LOCATION_ENV, DEFAULT_CACHE_LOCATION

logger = logging.getLogger(__name__)

T = TypeVar("T")
FOLDER = "clinic-addons"
# Fitted models of each kind kept (newest first): a publish and its undo both hit.
MODELS_KEPT = 4
# Vectors kept per encoder: every training text several times over, still a few tens of MB.
VECTORS_KEPT = 40_000


def directory() -> Path:
    return Path(os.environ.get(CACHE_LOCATION_ENV) or DEFAULT_CACHE_LOCATION) / FOLDER


def digest(*parts: Any) -> str:
    """A hash of strings, bytes, numbers, arrays and (nested) lists of them."""
    h = hashlib.sha256()

    def add(part: Any) -> None:
        if isinstance(part, bytes):
            h.update(b"b%d:" % len(part) + part)
        elif isinstance(part, str):
            add(part.encode("utf-8"))
        elif isinstance(part, np.ndarray):
            add(repr((part.dtype.str, part.shape)))
            add(np.ascontiguousarray(part).tobytes())
        elif isinstance(part, (list, tuple)):
            h.update(b"l%d:" % len(part))
            for item in part:
                add(item)
        else:
            add(repr(part))

    for part in parts:
        add(part)
    return h.hexdigest()


def _write_atomically(path: Path, write: Callable[[Any], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as f:
            write(f)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def code_digest(*modules: Any) -> str:
    """The source of the modules that define a fitted model, and the libraries it pickles."""
    import sklearn

    sources = [Path(m.__file__).read_bytes() for m in modules]
    return digest(sources, sklearn.__version__, np.__version__)


def remember(kind: str, key: str, compute: Callable[[], T]) -> T:
    """compute(), or what it returned for the same key before (pickled in this folder)."""
    path = directory() / f"{kind}-{key}.pkl"
    try:
        with path.open("rb") as f:
            # Written by this function only, like Rasa's own cache beside it.
            value: T = pickle.load(f)  # noqa: S301
        os.utime(path)
        logger.debug("Reused %s from the training cache.", kind)
        return value
    except FileNotFoundError:
        pass
    except Exception as e:  # a damaged entry is a miss
        logger.warning("Training cache entry %s unreadable (%s): computing it again.", path, e)
    value = compute()
    try:
        _write_atomically(path, lambda f: pickle.dump(value, f))
        _prune(f"{kind}-*.pkl", MODELS_KEPT)
    except OSError as e:
        logger.warning("Training cache not written (%s): the next training computes it again.", e)
    return value


def _prune(pattern: str, keep: int) -> None:
    entries = sorted(directory().glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[keep:]:
        stale.unlink(missing_ok=True)


def vectors(
    encoder_key: str, texts: list[str], encode: Callable[[list[str]], np.ndarray]
) -> np.ndarray:
    """Rows of encode(texts), computing only the texts this encoder has not seen before."""
    path = directory() / f"vectors-{encoder_key}.npz"
    known: dict[str, np.ndarray] = {}
    try:
        with np.load(path, allow_pickle=False) as stored:
            known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    except FileNotFoundError:
        pass
    except Exception as e:
        logger.warning("Training cache entry %s unreadable (%s): encoding again.", path, e)
    keys = [digest(t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if missing:
        fresh = encode([t for _, t in missing])
        known.update(zip([k for k, _ in missing], fresh, strict=True))
    result = np.stack([known[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
    if missing:
        _store_vectors(path, keys, known)
    return result


def _store_vectors(path: Path, first: Iterable[str], known: dict[str, np.ndarray]) -> None:
    # This training's texts first, then the rest as stored (newest first), up to the bound.
    order = list(dict.fromkeys([*first, *known]))[:VECTORS_KEPT]
    try:
        _write_atomically(
            path,
            lambda f: np.savez(
                f, keys=np.array(order), vectors=np.stack([known[k] for k in order])
            ),
        )
    except OSError as e:
        logger.warning("Training cache not written (%s): the next training encodes again.", e)
