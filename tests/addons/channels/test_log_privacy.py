import logging

import pytest

from addons.channels.log_privacy import RedactExceptionText, redact_exception_text

pytestmark = pytest.mark.unit


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def capture():
    handler = Capture()
    handler.addFilter(RedactExceptionText())
    logger = logging.getLogger("rasa.test_log_privacy")
    logger.addHandler(handler)
    logger.propagate = False
    rasa_level = logging.getLogger("rasa").level
    logging.getLogger("rasa").setLevel(logging.INFO)
    yield logger, handler
    logger.removeHandler(handler)
    logging.getLogger("rasa").setLevel(rasa_level)


def fail_with_text() -> None:
    try:
        raise ValueError("body='I want to end my life'")
    except ValueError as e:
        raise RuntimeError("Failed to execute custom action") from e


def test_an_exception_keeps_its_message_and_types_not_its_text(capture) -> None:
    logger, handler = capture
    try:
        fail_with_text()
    except RuntimeError:
        logger.exception("Encountered an exception while running action '%s'.", "x")
    assert handler.lines == [
        "Encountered an exception while running action 'x'. "
        "[RuntimeError <- ValueError; details at LOG_LEVEL=DEBUG]"
    ]


def test_debug_level_keeps_the_traceback(capture) -> None:
    logger, handler = capture
    logging.getLogger("rasa").setLevel(logging.DEBUG)
    try:
        fail_with_text()
    except RuntimeError:
        logger.exception("failed")
    assert "I want to end my life" in handler.lines[0]


def test_records_without_exceptions_pass_unchanged(capture) -> None:
    logger, handler = capture
    logger.warning("plain %s", "message")
    assert handler.lines == ["plain message"]


def test_installs_once_on_every_root_handler() -> None:
    handler = logging.StreamHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        redact_exception_text()
        redact_exception_text()
        assert sum(isinstance(f, RedactExceptionText) for f in handler.filters) == 1
    finally:
        root.removeHandler(handler)
