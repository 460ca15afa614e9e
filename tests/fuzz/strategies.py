"""Hypothesis strategies for what strangers send: every JSON shape, ids, texts, metadata."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Text as people and broken clients send it: any code point, lone surrogates included.
any_text = st.text(alphabet=st.characters(codec=None), max_size=300)
hostile_text = st.one_of(
    any_text,
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\ud800",
            "\udfff",
            "/restart",
            '/greet{"note": "i want to die"}',
            "/faq",
            "/",
            "//",
            "<script>alert(1)</script>",
            "\u202e",
            "a" * 5000,
            "😀" * 200,
            "${jndi:ldap://x}",
            "'; DROP TABLE events; --",
            "\r\n\r\nHTTP/1.1 200 OK",
        ]
    ),
    any_text.map(lambda t: "/" + t),
)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(hostile_text, children, max_size=5)
    ),
    max_leaves=30,
)
ids = st.one_of(
    hostile_text,
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}", fullmatch=True),
    st.integers(),
    st.none(),
    st.lists(st.text(max_size=3), max_size=2),
)
message_objects = st.fixed_dictionaries(
    {},
    optional={
        "sender": ids,
        "message": st.one_of(hostile_text, json_values),
        "metadata": json_values,
        "session_id": ids,
        "extra": json_values,
    },
)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


raw_bodies = st.one_of(
    message_objects.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=500),
    st.integers(min_value=1, max_value=3000).map(lambda d: nested(d).encode()),
    st.integers(min_value=1, max_value=6000).map(
        lambda n: b'{"sender": "a", "message": "hi", "n": ' + b"7" * n + b"}"
    ),
    st.integers(min_value=1, max_value=800).map(
        lambda d: (
            b'{"sender": "a", "message": "hi", "metadata": ' + b'{"a": ' * d + b"1" + b"}" * (d + 1)
        )
    ),
    st.sampled_from(
        [
            b"",
            b"null",
            b"NaN",
            b'{"sender": "a", "message": "hi", "n": NaN}',
            b'{"sender": "a", "message": "hi"',
            b"\xef\xbb\xbf{}",
            b'"\\ud800"',
        ]
    ),
)


def deep_object(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def socket_payloads() -> Any:
    # The client encodes these with Python's json, so depth stays under its recursion limit.
    return st.one_of(
        message_objects,
        json_values,
        st.integers(min_value=1, max_value=400).map(
            lambda d: {"message": "hi", "metadata": deep_object(d)}
        ),
        st.integers(min_value=1, max_value=400).map(lambda d: [deep_object(d)]),
        st.integers(min_value=41, max_value=4000).map(
            lambda n: {"message": "hi", "n": int("7" * n)}
        ),
    )
