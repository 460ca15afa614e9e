import numpy as np
import pytest

from addons.crisis.encoder import SentenceEncoder, WordPieceTokenizer, model_dir, shared_encoder

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder(layers=3)


def test_tokenizer_matches_bert_uncased() -> None:
    tokenizer = WordPieceTokenizer(model_dir() / "vocab.txt")
    # [CLS] hello world [SEP] in the bert-base-uncased vocabulary.
    assert tokenizer.encode("Hello, WORLD") == [101, 7592, 1010, 2088, 102]
    assert list(tokenizer.words("Café can't!")) == ["cafe", "can", "'", "t", "!"]
    assert tokenizer.encode("x " * 1000)[-1] == tokenizer.sep
    assert len(tokenizer.encode("x " * 1000)) == 128


def test_embeddings_are_unit_vectors(encoder: SentenceEncoder) -> None:
    vector = encoder.encode("how long does an infusion take?")
    assert vector.shape == (384,)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_paraphrases_are_closer_than_unrelated_sentences(encoder: SentenceEncoder) -> None:
    a = encoder.encode("I don't want to be alive anymore")
    b = encoder.encode("I wish I could stop existing")
    c = encoder.encode("what time does the clinic open on saturday")
    assert a @ b > a @ c + 0.1


def test_odd_input_still_gives_a_vector(encoder: SentenceEncoder) -> None:
    for text in ["", "😀" * 50, "\x00\x01", "<img src=x onerror=alert(1)>", "a" * 10_000]:
        assert np.isfinite(encoder.encode(text)).all()


def test_encode_many_stacks(encoder: SentenceEncoder) -> None:
    assert encoder.encode_many(["a", "b"]).shape == (2, 384)
    assert encoder.encode_many([]).shape == (0, 384)


def test_batches_give_each_message_its_own_vector_in_order(encoder: SentenceEncoder) -> None:
    # Lengths differ, so rows are padded and reordered inside encode_many.
    texts = ["what are the side effects", "hi", "x " * 300, "how long", "is it safe?"]
    batched = encoder.encode_many(texts, batch_size=2)
    alone = np.stack([encoder.encode(t) for t in texts])
    np.testing.assert_allclose(batched, alone, atol=1e-5)


def test_wrong_weights_are_refused(tmp_path) -> None:
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n")
    (tmp_path / "model.safetensors").write_bytes(b"not the model")
    with pytest.raises(RuntimeError, match="not the expected"):
        SentenceEncoder(layers=3, directory=tmp_path)


def _reference(encoder: SentenceEncoder, text: str) -> np.ndarray:
    """The same forward pass in plain NumPy, straight from the weights file."""
    from addons.crisis.encoder import _read_safetensors

    w = _read_safetensors(model_dir() / "model.safetensors")

    def norm(x: np.ndarray, prefix: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * w[prefix + ".weight"] + w[prefix + ".bias"]

    def dense(x: np.ndarray, prefix: str) -> np.ndarray:
        return x @ w[prefix + ".weight"].T + w[prefix + ".bias"]

    ids = encoder.tokenizer.encode(text)
    x = (
        w["embeddings.word_embeddings.weight"][ids].astype(np.float16).astype(np.float32)
        + w["embeddings.position_embeddings.weight"][: len(ids)]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = norm(x, "embeddings.LayerNorm")
    for i in range(encoder.layers):
        p = f"encoder.layer.{i}."
        q, k, v = (
            dense(x, f"{p}attention.self.{n}").reshape(len(ids), 12, 32).transpose(1, 0, 2)
            for n in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(32)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(1, 0, 2).reshape(len(ids), 384)
        x = norm(dense(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        h = dense(x, p + "intermediate.dense")
        h = 0.5 * h * (1 + np.tanh(np.sqrt(2 / np.pi) * (h + 0.044715 * h**3)))
        x = norm(dense(h, p + "output.dense") + x, p + "output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


@pytest.mark.parametrize("layers", [3, 6])
def test_onnx_graph_matches_a_numpy_reference(layers: int) -> None:
    encoder = shared_encoder(layers)
    for text in ["how long does an infusion take?", "I can't do this anymore. " * 8, "ok"]:
        np.testing.assert_allclose(encoder.encode(text), _reference(encoder, text), atol=2e-5)
