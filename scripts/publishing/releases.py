"""The release store: published/, what the running bot serves and what it served before.

    published/releases/<time>/      a model and the content it was checked with, together
    published/current -> releases/… what the bot serves (make run, PUT /model)
    published/previous -> …         the version before, for make undo

Links are switched atomically (a new symlink renamed over the old one), so a reader never
sees a half-made state. Nothing here talks to the bot or runs tests.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from addons.content.loader import ANSWERS_FILE, CLINIC_FILE, CRISIS_FILE

MODEL_FILE = "clinic.tar.gz"
CONTENT_FILES = (ANSWERS_FILE, CLINIC_FILE, CRISIS_FILE)


def copy_content(source: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for name in CONTENT_FILES:
        shutil.copy(source / name, dest / name)


@dataclass(frozen=True)
class ReleaseStore:
    root: Path

    @property
    def current_link(self) -> Path:
        return self.root / "current"

    @property
    def previous_link(self) -> Path:
        return self.root / "previous"

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    def current(self) -> Path | None:
        return self._target(self.current_link)

    def previous(self) -> Path | None:
        return self._target(self.previous_link)

    def make(self, model: Path, content: Path) -> Path:
        release = self.releases / datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        copy_content(content, release / "content")
        shutil.copy(model, release / MODEL_FILE)
        return release

    def switch_to(self, release: Path) -> tuple[Path | None, Path | None]:
        """Makes `release` current; returns (current, previous) before, to switch back."""
        before = self.current(), self.previous()
        if before[0] is not None:
            self._point(self.previous_link, before[0])
        self._point(self.current_link, release)
        return before

    def switch_back(self, release: Path, before: tuple[Path | None, Path | None]) -> None:
        self._point(self.current_link, before[0])
        self._point(self.previous_link, before[1])
        shutil.rmtree(release, ignore_errors=True)

    def prune(self) -> None:
        keep = {self.current(), self.previous()}
        for release in self.releases.iterdir():
            if release not in keep:
                shutil.rmtree(release, ignore_errors=True)

    @staticmethod
    def same(model: Path, content: Path, release: Path | None) -> bool:
        """Whether `release` holds exactly this model and content."""
        if release is None:
            return False
        pairs = [(model, release / MODEL_FILE)] + [
            (content / name, release / "content" / name) for name in CONTENT_FILES
        ]
        return all(b.exists() and a.read_bytes() == b.read_bytes() for a, b in pairs)

    def _target(self, link: Path) -> Path | None:
        return self.root / os.readlink(link) if link.is_symlink() else None

    def _point(self, link: Path, release: Path | None) -> None:
        """Atomically points `link` at `release` (or removes it)."""
        if release is None:
            link.unlink(missing_ok=True)
            return
        temporary = link.with_name(f".{link.name}.new")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(release.relative_to(self.root))
        os.replace(temporary, link)
