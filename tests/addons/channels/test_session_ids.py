"""Signed web chat session ids."""

from __future__ import annotations

import pytest

from addons.channels import session_ids

pytestmark = pytest.mark.unit

SECRET = b"s" * 32


def test_an_issued_id_names_its_conversation() -> None:
    session_id = session_ids.issue(SECRET)
    conversation = session_ids.conversation_of(session_id, SECRET)
    assert conversation is not None and len(conversation) == 32
    assert session_id.startswith(conversation + ".")


def test_ids_are_unique() -> None:
    assert len({session_ids.issue(SECRET) for _ in range(100)}) == 100


@pytest.mark.parametrize(
    "forged",
    [
        None,
        42,
        "",
        "0123456789abcdef0123456789abcdef",
        "default",
        "0123456789abcdef0123456789abcdef." + "0" * 64,
    ],
)
def test_unsigned_or_forged_ids_name_nothing(forged: object) -> None:
    assert session_ids.conversation_of(forged, SECRET) is None


def test_another_servers_secret_does_not_verify() -> None:
    session_id = session_ids.issue(SECRET)
    assert session_ids.conversation_of(session_id, b"t" * 32) is None
    tampered = session_id[:-1] + ("0" if session_id[-1] != "0" else "1")
    assert session_ids.conversation_of(tampered, SECRET) is None


def test_the_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(session_ids.SECRET_ENV, "k" * 40)
    assert session_ids.session_secret() == b"k" * 40
    monkeypatch.setenv(session_ids.SECRET_ENV, "short")
    with pytest.raises(ValueError, match="at least 32"):
        session_ids.session_secret()
    monkeypatch.delenv(session_ids.SECRET_ENV)
    assert len(session_ids.session_secret()) == 32
