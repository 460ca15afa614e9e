"""SQL tracker store that hands the dialogue engine only the recent part of a session.

Rasa rebuilds the whole session on every message, and its policies walk all of it several
times per turn, so a reply takes longer the longer the conversation: about 3x by turn
140 (`make bench`). Our rules look at the last few turns only, and what must outlive
them (the crisis flag) is a slot. So a tracker holds the last `max_events` events of the
session plus every event that carries state (slots, session start, restarts, pauses).
Everything is still stored; `retrieve_full_tracker` (the HTTP API, exports) reads it all.

Rasa's store also reads any ValueError in a session (SQLite's UnicodeEncodeError on a lone
surrogate, for one) as "PostgreSQL schema not found" and exits the process; here it is a
StorageError that fails that one turn.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import (
    ActiveLoop,
    AllSlotsReset,
    ConversationPaused,
    ConversationResumed,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
)
from rasa.shared.core.trackers import DialogueStateTracker

# Events whose effect lasts beyond the turn they happen in.
STATE_EVENTS = tuple(
    cls.type_name
    for cls in (
        SlotSet,
        SessionStarted,
        Restarted,
        AllSlotsReset,
        ActiveLoop,
        ConversationPaused,
        ConversationResumed,
    )
)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # Write-ahead log, still synced on every commit (FULL): as durable as SQLite's
    # default, a few ms faster per turn, and readers no longer block the writer.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


class StorageError(RuntimeError):
    """The tracker store could not read or write a conversation."""


class WindowedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, max_events: int = 50, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_events = int(max_events)
        engine: sa.engine.Engine = self.engine  # type: ignore[has-type]  # untyped in Rasa
        url = engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            # SQLAlchemy 1.4 opens and closes a file database's connection per session; with
            # a write-ahead log each close also checkpoints it. Keep connections open instead.
            engine.dispose()
            # The pool hands a connection to one thread at a time, so sharing is safe.
            self.engine = sa.create_engine(
                url,
                poolclass=sa.pool.QueuePool,
                pool_size=2,
                connect_args={"check_same_thread": False},
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Any]:
        session = self.sessionmaker()
        try:
            ensure_schema_exists(session)
            yield session
        except (ValueError, sa.exc.SQLAlchemyError) as e:
            with contextlib.suppress(Exception):
                session.rollback()
            # The type only: the error's text can hold the conversation.
            raise StorageError(f"tracker store failed ({type(e).__name__})") from e
        finally:
            session.close()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            recent = (
                query.order_by(None).order_by(self.SQLEvent.id.desc()).limit(self.max_events).all()
            )
            if not recent:
                return None
            earlier_state = query.filter(
                self.SQLEvent.id < recent[-1].id, self.SQLEvent.type_name.in_(STATE_EVENTS)
            ).all()
            events = [json.loads(row.data) for row in [*earlier_state, *reversed(recent)]]
        if not self.domain:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Any:
        """The tracker's events after the last one stored.

        Rasa counts the stored events and skips that many, which only works when the
        tracker holds the whole session.
        """
        last = (
            session.query(self.SQLEvent.type_name, self.SQLEvent.timestamp)
            .filter(self.SQLEvent.sender_id == tracker.sender_id)
            .order_by(self.SQLEvent.id.desc())
            .first()
        )
        if last is None:
            return iter(tracker.events)
        events: list[Event] = list(tracker.events)
        for index in range(len(events) - 1, -1, -1):
            event = events[index]
            if event.type_name == last.type_name and event.timestamp == last.timestamp:
                return iter(events[index + 1 :])
        return super()._additional_events(session, tracker)
