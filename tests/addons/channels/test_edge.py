"""The input contract at the edge: limits, ids, text normalisation, "/" commands."""

from __future__ import annotations

import json

import pytest

from addons.channels import edge
from addons.channels.edge import MAX_MESSAGE_CHARS, RequestError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "raw,problem",
    [
        (b"[" * 1000 + b"]" * 1000, "nests deeper"),
        (b'{"a": ' * 30 + b"1" + b"}" * 30, "nests deeper"),
        (b'{"sender": "a", "message": "hi", "n": ' + b"9" * 4300 + b"}", "Numbers"),
        (b'{"n": 1.' + b"5" * 100 + b"}", "Numbers"),
        (b'{"n": NaN}', "NaN"),
        (b'{"n": Infinity}', "Infinity"),
        (b"\xff\xfe", "UTF-8"),
        (b"{not json", "valid JSON"),
        (b"x" * (edge.MAX_BODY_BYTES + 1), "larger than"),
    ],
)
def test_bodies_over_the_limits_are_refused_with_a_reason(raw: bytes, problem: str) -> None:
    with pytest.raises(RequestError, match=problem):
        edge.parse_json(raw)


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    text = json.dumps({"message": "[[[[" * 100 + '\\"{{{{' * 100})
    assert edge.loads(text)["message"].startswith("[[[[")


def test_json_within_the_limits_parses() -> None:
    nested: object = 1
    for _ in range(edge.MAX_DEPTH - 1):
        nested = [nested]
    assert edge.loads(json.dumps({"a": nested, "b": 12345678901234567890}))["b"] > 0


@pytest.mark.parametrize("sender", ["a", "user-1", "a.b_c:d@e+f=g", "x" * 128, "0abc"])
def test_sender_ids_of_the_documented_pattern_pass(sender: str) -> None:
    assert edge.check_sender(sender) == sender


@pytest.mark.parametrize(
    "sender", [None, "", "x" * 129, "\ud800", "a b", "a/b", "-a", "é", 42, ["a"], "a\x00"]
)
def test_other_sender_ids_are_refused(sender: object) -> None:
    with pytest.raises(RequestError, match="'sender'"):
        edge.check_sender(sender)


@pytest.mark.parametrize(
    "text,cleaned",
    [
        ("hi\ud800 there", "hi there"),
        ("a\x00b", "ab"),
        ("hi\x1b[31m\tthere\n", "hi [31m\tthere\n"),
        ("cafe\u0301", "caf\u00e9"),
        ("", ""),
    ],
)
def test_text_is_normalised(text: str, cleaned: str) -> None:
    assert edge.check_text(text) == cleaned


def test_text_over_the_limit_is_refused() -> None:
    with pytest.raises(RequestError, match="longer than"):
        edge.check_text("x" * (MAX_MESSAGE_CHARS + 1))


@pytest.mark.parametrize(
    "text,passed_on",
    [
        ('/greet{"note": "i want to kill myself"}', 'greet{"note": "i want to kill myself"}'),
        ("/restart", "restart"),
        ("  //faq", "faq"),
        ("/", ""),
        ("how do I book?", "how do I book?"),
        ("and/or", "and/or"),
    ],
)
def test_slash_commands_become_plain_text(text: str, passed_on: str) -> None:
    assert edge.check_text(text) == passed_on


def test_only_the_assistants_own_button_payloads_stay_commands() -> None:
    allowed = edge.command_payloads(
        [{"title": "Yes", "payload": "/affirm"}, {"title": "Q", "payload": "What is it?"}]
    )
    assert allowed == frozenset({"/affirm"})
    assert edge.check_text("/affirm", allowed) == "/affirm"
    assert edge.check_text('/affirm{"x": 1}', allowed) == 'affirm{"x": 1}'


def test_metadata_is_bounded_and_cleaned() -> None:
    assert edge.clean_metadata({"k\ud800": ["v\x00", {"n": 1}]}) == {"k": ["v", {"n": 1}]}
    assert edge.clean_metadata(None) is None
    with pytest.raises(RequestError, match="nests deeper"):
        edge.clean_metadata({"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}})
    with pytest.raises(RequestError, match="larger than"):
        edge.clean_metadata({"a": "x" * (edge.MAX_METADATA_BYTES + 1)})
    with pytest.raises(RequestError, match="JSON object"):
        edge.clean_metadata([1])
