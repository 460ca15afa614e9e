import pytest
from rasa.shared.nlu.training_data.message import Message

from addons.nlu.message_length import FULL_TEXT_KEY, TruncateLongMessages, full_text

pytestmark = pytest.mark.unit


def truncate(text: str, max_chars: int = 10) -> Message:
    component = TruncateLongMessages({"max_chars": max_chars})
    return component.process([Message(data={"text": text})])[0]


def test_long_text_is_cut_for_the_classifiers_and_kept_whole() -> None:
    message = truncate("a" * 25)
    assert message.get("text") == "a" * 10
    assert message.get(FULL_TEXT_KEY) == "a" * 25
    assert full_text(message) == "a" * 25


def test_short_text_is_untouched() -> None:
    message = truncate("hello")
    assert message.get("text") == "hello"
    assert message.get(FULL_TEXT_KEY) is None
    assert full_text(message) == "hello"


def test_empty_message_is_untouched() -> None:
    assert full_text(truncate("")) == ""
