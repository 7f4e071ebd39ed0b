"""Secrets the embedded parts make once and keep beside their data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def kept(path: Path, make: Callable[[], str]) -> str:
    """A secret made once by `make` and kept at `path`, readable by its owner only, so that a later run on the same
    data directory finds it again (what it signed still verifies, what it wrapped still opens)."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(make() + "\n")
    return path.read_text().strip()
