"""Keeps conversation text out of the server's error logs.

When a custom action fails, Rasa logs the traceback of the action server's answer, and
rasa-sdk puts the whole tracker (every message of the conversation) into that answer.
Other exceptions can carry a message's text too. Conversations are health data, so at
the default log level an error keeps its message and the names of the exceptions, not
their text; LOG_LEVEL=DEBUG (a developer's machine) keeps full tracebacks.
"""

from __future__ import annotations

import logging


class RedactExceptionText(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not logging.getLogger("rasa").isEnabledFor(logging.DEBUG):
            names: list[str] = []
            error = record.exc_info[1]
            while error is not None and len(names) < 5:
                names.append(type(error).__name__)
                error = error.__cause__ or error.__context__
            record.msg = f"{record.getMessage()} [{' <- '.join(names)}; details at LOG_LEVEL=DEBUG]"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def redact_exception_text() -> None:
    """Adds the filter to every handler of the root logger, once."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactExceptionText) for f in handler.filters):
            handler.addFilter(RedactExceptionText())
