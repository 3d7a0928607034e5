"""Shared fixtures: the shipped facts built once per test session."""

from pathlib import Path

import pytest
import rdflib

from her2kg.build import build_release
from her2kg.release import Release

# Whole modules that need a system tool or a fresh environment; each of these marks implies `slow`,
# so `pytest -m "not slow"` is the fast loop.
MODULE_MARKS = {
    "test_owlapi": "java",
    "test_reason": "java",
    "test_jena": "java",
    "test_virtuoso": "virtuoso",
    "test_install": "install",
    "test_browser": "browser",
}
IMPLY_SLOW = {"java", "virtuoso", "install", "browser"}


def pytest_collection_modifyitems(items):
    for item in items:
        module_mark = MODULE_MARKS.get(item.module.__name__.rpartition(".")[2]) if item.module else None
        if module_mark:
            item.add_marker(module_mark)
        if IMPLY_SLOW & {mark.name for mark in item.iter_markers()}:
            item.add_marker("slow")


def pytest_addoption(parser):
    parser.addoption(
        "--update-expected",
        action="store_true",
        help="rewrite tests/queries/expected/ from the shipped facts (after a deliberate facts change)",
    )


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


@pytest.fixture(scope="session")
def rdflib_graph(shipped_release) -> rdflib.Graph:
    """The same release in rdflib, whose SPARQL engine checks the embedded store's answers."""
    graph = rdflib.Graph()
    graph.parse(Release(shipped_release).graph_nt, format="nt")
    return graph
