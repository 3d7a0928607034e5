"""The embedded store: a released graph loaded into pyoxigraph for fast SPARQL."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph

from .errors import UsageError

RELEASE_NT = "her2kg.nt"


def open_release(release_dir: Path) -> pyoxigraph.Store:
    """An in-memory store holding the release in `release_dir` (built by `her2kg build`)."""
    path = Path(release_dir) / RELEASE_NT
    if not path.is_file():
        raise UsageError(f"{path}: no release here — run 'her2kg build' first, or pass --release DIR")
    store = pyoxigraph.Store()
    store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store
