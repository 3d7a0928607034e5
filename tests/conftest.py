"""Shared fixtures: the shipped facts built once per test session."""
from pathlib import Path

import pytest

from her2kg.build import build_release


def pytest_addoption(parser):
    parser.addoption("--update-expected", action="store_true",
                     help="rewrite tests/queries/expected/ from the shipped facts (after a deliberate facts change)")


@pytest.fixture(scope="session")
def shipped_release(tmp_path_factory) -> Path:
    """The release built from the facts that ship with her2kg (the folder holding her2kg.nt …)."""
    out = tmp_path_factory.mktemp("shipped") / "dist"
    build_release(out_dir=out)
    return out


@pytest.fixture(scope="session")
def shipped_store(shipped_release):
    """The shipped release loaded into the embedded store (pyoxigraph)."""
    from her2kg.store import open_release

    return open_release(shipped_release)
