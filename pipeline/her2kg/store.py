"""The embedded store: a released graph loaded into pyoxigraph for fast SPARQL."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from .release import Release


def open_release(release_dir: Path) -> pyoxigraph.Store:
    """An in-memory store holding the release in `release_dir` (built by `her2kg build`).

    ReleaseError if there is no release there, or it is incomplete or corrupt.
    """
    return Release(release_dir).open_store()
