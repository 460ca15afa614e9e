"""The release store (published/current and previous): switching, switching back, pruning,
and undo (no servers)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts.publishing import publish
from scripts.publishing.releases import CONTENT_FILES, ReleaseStore

pytestmark = pytest.mark.unit


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "published"
    monkeypatch.setattr(publish, "ROOT", tmp_path)
    monkeypatch.setattr(publish, "STORE", ReleaseStore(root))
    (root / "releases").mkdir(parents=True)
    return root


def version(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A model file and a content folder whose files say `name`."""
    folder = tmp_path / "sources" / name
    (folder / "content").mkdir(parents=True)
    for file in CONTENT_FILES:
        (folder / "content" / file).write_text(f"{name}: {file}\n")
    (folder / "model.tar.gz").write_text(f"model {name}\n")
    return folder / "model.tar.gz", folder / "content"


def test_a_release_becomes_current_and_the_old_one_previous(published: Path) -> None:
    first = publish.STORE.make(*version(published.parent, "one"))
    publish.STORE.switch_to(first)
    second = publish.STORE.make(*version(published.parent, "two"))
    publish.STORE.switch_to(second)
    assert os.readlink(published / "current") == f"releases/{second.name}"
    assert os.readlink(published / "previous") == f"releases/{first.name}"
    assert (published / "current" / "clinic.tar.gz").read_text() == "model two\n"
    assert (published / "current" / "content" / "faq.yml").read_text() == "two: faq.yml\n"


def test_switching_back_restores_both_links_and_drops_the_release(published: Path) -> None:
    first = publish.STORE.make(*version(published.parent, "one"))
    publish.STORE.switch_to(first)
    second = publish.STORE.make(*version(published.parent, "two"))
    before = publish.STORE.switch_to(second)
    publish.STORE.switch_back(second, before)
    assert os.readlink(published / "current") == f"releases/{first.name}"
    assert not (published / "previous").exists()
    assert not second.exists()


def test_prune_keeps_current_and_previous_only(published: Path) -> None:
    releases = []
    for name in ("one", "two", "three"):
        releases.append(publish.STORE.make(*version(published.parent, name)))
        publish.STORE.switch_to(releases[-1])
    publish.STORE.prune()
    assert sorted(p.name for p in (published / "releases").iterdir()) == sorted(
        r.name for r in releases[1:]
    )


def test_same_release_compares_the_model_and_every_content_file(published: Path) -> None:
    model, content = version(published.parent, "one")
    release = publish.STORE.make(model, content)
    assert publish.STORE.same(model, content, release)
    (content / "clinic.yml").write_text("changed\n")
    assert not publish.STORE.same(model, content, release)
    assert not publish.STORE.same(model, content, None)


def test_undo_puts_the_previous_content_back_and_publishes_it(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("one", "two"):
        publish.STORE.switch_to(publish.STORE.make(*version(published.parent, name)))
    (published.parent / "content").mkdir()
    published_again = []
    monkeypatch.setattr(publish, "publish", lambda url, log: published_again.append(url))
    publish.undo("http://bot", log=None)  # type: ignore[arg-type]
    assert (published.parent / "content" / "faq.yml").read_text() == "one: faq.yml\n"
    assert published_again == ["http://bot"]


def test_undo_without_an_earlier_version_stops(published: Path) -> None:
    with pytest.raises(publish.Stop, match="no earlier published version"):
        publish.undo("http://bot", log=None)  # type: ignore[arg-type]
