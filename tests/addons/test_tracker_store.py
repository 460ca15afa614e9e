import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from addons.tracker_store import StorageError, WindowedSQLTrackerStore

pytestmark = pytest.mark.unit

DOMAIN = Domain.from_dict(
    {"slots": {"flag": {"type": "bool", "influence_conversation": False, "mappings": []}}}
)


@pytest.fixture
def store(tmp_path) -> WindowedSQLTrackerStore:
    return WindowedSQLTrackerStore(
        domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"), max_events=10
    )


def turn(i: int) -> list:
    return [
        UserUttered(f"message {i}", {"name": "greet", "confidence": 1.0}, [], timestamp=i + 0.1),
        BotUttered(f"reply {i}", timestamp=i + 0.2),
        ActionExecuted("action_listen", timestamp=i + 0.3),
    ]


def tracker(events: list) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("someone", events, slots=DOMAIN.slots)


async def test_a_long_session_comes_back_as_its_recent_events_and_its_state(store) -> None:
    events = [
        SessionStarted(timestamp=0.5),
        ActionExecuted("action_listen", timestamp=0.6),
        SlotSet("flag", True, timestamp=0.7),
    ]
    for i in range(1, 30):
        events += turn(i)
    await store.save(tracker(events))

    recent = await store.retrieve("someone")

    assert [e.type_name for e in recent.events][:2] == ["session_started", "slot"]
    assert [e.text for e in recent.events if isinstance(e, UserUttered)][-1] == "message 29"
    assert len(recent.events) == 2 + 10
    assert recent.get_slot("flag") is True
    assert len((await store.retrieve_full_tracker("someone")).events) == len(events)


async def test_saving_a_recent_tracker_stores_only_the_new_events(store) -> None:
    events = [SessionStarted(timestamp=0.5)]
    for i in range(1, 30):
        events += turn(i)
    await store.save(tracker(events))

    recent = await store.retrieve("someone")
    for event in turn(30):
        recent.update(event)
    await store.save(recent)
    await store.save(recent)  # Rasa saves more than once per message

    full = await store.retrieve_full_tracker("someone")
    assert len(full.events) == len(events) + 3
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == [
        f"message {i}" for i in range(1, 31)
    ]


async def test_a_new_conversation_is_stored_whole(store) -> None:
    events = [SessionStarted(timestamp=0.5), *turn(1)]
    await store.save(tracker(events))
    assert len((await store.retrieve("someone")).events) == 4


async def test_only_the_latest_session_is_handed_over(store) -> None:
    events = [SessionStarted(timestamp=0.5), *turn(1), SessionStarted(timestamp=5.0), *turn(6)]
    await store.save(tracker(events))
    texts = [e.text for e in (await store.retrieve("someone")).events if isinstance(e, UserUttered)]
    assert texts == ["message 6"]


async def test_unknown_conversation(store) -> None:
    assert await store.retrieve("nobody") is None


async def test_a_sqlite_file_keeps_a_synced_write_ahead_log_and_its_connections(store) -> None:
    await store.save(tracker([SessionStarted(timestamp=0.5), *turn(1)]))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    assert store.engine.pool.checkedin() >= 1


async def test_a_second_store_on_the_same_file_reads_what_was_saved(store, tmp_path) -> None:
    await store.save(tracker([SessionStarted(timestamp=0.5), *turn(1)]))
    other = WindowedSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    assert len((await other.retrieve("someone")).events) == 4


async def test_a_value_sqlite_cannot_store_fails_that_save_and_not_the_process(store) -> None:
    # A lone surrogate made Rasa's store call sys.exit ("PostgreSQL schema not found").
    with pytest.raises(StorageError, match="UnicodeEncodeError"):
        await store.save(
            DialogueStateTracker.from_events(
                "\ud800", [ActionExecuted("action_listen")], slots=DOMAIN.slots
            )
        )
    with pytest.raises(StorageError):
        await store.retrieve("\ud800")
    # The store still works for everyone else.
    await store.save(tracker(turn(1)))
    assert (await store.retrieve("someone")).latest_message.text == "message 1"
