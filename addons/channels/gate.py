"""The turn gate: admission and deadlines for every turn of a server process.

Shared by the REST and socket.io channels. Past CLINIC_MAX_TURNS_IN_FLIGHT turns a new one
is refused at once (503); a turn that fails, or is not answered within the crisis deadline
while its text is crisis language, is reported so that the channel sends the crisis lines.
Turns are never cancelled: no acknowledged message is lost from its conversation.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from addons.channels.fallback import is_urgent

logger = logging.getLogger(__name__)

MAX_IN_FLIGHT_ENV = "CLINIC_MAX_TURNS_IN_FLIGHT"


CRISIS_DEADLINE_ENV = "CLINIC_CRISIS_DEADLINE_S"


TURN_TIMEOUT_ENV = "CLINIC_TURN_TIMEOUT_S"


class Outcome(enum.Enum):
    ANSWERED = "answered"
    # The rules call the text crisis language and the assistant did not answer in time,
    # failed or was too busy: the channel sends the crisis lines itself.
    URGENT = "urgent"
    BUSY = "busy"
    FAILED = "failed"


@dataclass
class TurnGate:
    """Admission and deadlines for the turns of one server process, both channels.

    A turn runs as its own task and is never cancelled by a client going away or a
    deadline passing, so no acknowledged message is lost from its conversation.
    """

    max_in_flight: int = 16
    crisis_deadline: float = 2.0
    turn_timeout: float = 30.0
    in_flight: int = 0
    _tasks: set[asyncio.Future[Any]] = field(default_factory=set)

    @classmethod
    def from_environment(cls) -> TurnGate:
        return cls(
            max_in_flight=int(os.environ.get(MAX_IN_FLIGHT_ENV, "16")),
            crisis_deadline=float(os.environ.get(CRISIS_DEADLINE_ENV, "2")),
            turn_timeout=float(os.environ.get(TURN_TIMEOUT_ENV, "30")),
        )

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self.in_flight -= 1
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The type only: a traceback's locals would contain the message.
            logger.error("A turn failed with %s.", type(task.exception()).__name__)

    async def run(self, turn: Callable[[], Awaitable[Any]], text: str) -> Outcome:
        if self.in_flight >= self.max_in_flight:
            return Outcome.URGENT if is_urgent(text) else Outcome.BUSY
        self.in_flight += 1
        task = asyncio.ensure_future(_no_exit(turn))
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        urgent: bool | None = None
        deadline = self.crisis_deadline
        try:
            await asyncio.wait_for(asyncio.shield(task), deadline)
            return Outcome.ANSWERED
        except asyncio.TimeoutError:
            urgent = is_urgent(text)
            if urgent:
                return Outcome.URGENT
        except Exception:
            return Outcome.URGENT if is_urgent(text) else Outcome.FAILED
        try:
            await asyncio.wait_for(asyncio.shield(task), max(self.turn_timeout - deadline, 0))
            return Outcome.ANSWERED
        except asyncio.TimeoutError:
            logger.error(
                "A turn took over %.0f s; it goes on in the background.", self.turn_timeout
            )
            return Outcome.FAILED
        except Exception:
            return Outcome.FAILED


class TurnFailed(RuntimeError):
    """Something in the turn asked the process to exit; the turn fails instead."""


async def _no_exit(turn: Callable[[], Awaitable[Any]]) -> Any:
    # A SystemExit reaching the event loop stops the server for everyone.
    try:
        return await turn()
    except SystemExit as e:
        raise TurnFailed("exit requested during a turn") from e


@lru_cache(maxsize=1)
def turn_gate() -> TurnGate:
    """The process's one gate, shared by the REST and socket.io channels."""
    return TurnGate.from_environment()
