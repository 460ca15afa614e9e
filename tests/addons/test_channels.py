import json

import pytest

from addons.channels import MAX_MESSAGE_CHARS, RequestError, crisis_lines, parse_body


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_parses_a_normal_message() -> None:
    assert parse_body(body(sender="a", message="hi")) == ("a", "hi", None)


def test_control_characters_become_spaces() -> None:
    assert parse_body(body(sender="a", message="hi\x00\x1b[31m\tthere\n"))[1] == "hi  [31m\tthere\n"


def test_empty_message_is_passed_on() -> None:
    assert parse_body(body(sender="a", message=""))[1] == ""


@pytest.mark.parametrize(
    "raw,problem",
    [
        (b"{not json", "must be JSON"),
        (b"\xff\xfe", "must be JSON"),
        (b"[]", "JSON object"),
        (body(message="hi"), "'sender'"),
        (body(sender="", message="hi"), "'sender'"),
        (body(sender="x" * 129, message="hi"), "'sender'"),
        (body(sender="a"), "'message' must be a string"),
        (body(sender="a", message=["a"]), "'message' must be a string"),
        (body(sender="a", message="x" * (MAX_MESSAGE_CHARS + 1)), "longer than"),
        (body(sender="a", message="hi", metadata=[1]), "'metadata'"),
    ],
)
def test_malformed_bodies_are_rejected_with_a_reason(raw: bytes, problem: str) -> None:
    with pytest.raises(RequestError, match=problem):
        parse_body(raw)


def test_crisis_lines_come_from_content() -> None:
    lines = crisis_lines().splitlines()
    assert lines[0].startswith("Call or text 988")
    assert len(lines) == 4
