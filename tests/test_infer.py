"""Materialised entailments: a store without a reasoner answers what the ontology entails.

Each query in tests/ontology/entailments/*.rq is an ASK over a small world
(tests/ontology/entailments/facts/). With `needs-inference: true` in its header it must be false on
her2kg.nt alone and true once her2kg-inferred.nt is loaded too; otherwise it must be true either way.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from her2kg.build import check_facts
from her2kg.infer import write_inferred
from her2kg.reason import load_release
from her2kg.release import Release, write_release

ENTAILMENTS = Path(__file__).parent / "ontology" / "entailments"
QUERIES = sorted(ENTAILMENTS.glob("*.rq"))


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Release:
    out = tmp_path_factory.mktemp("entailments") / "dist"
    write_release(check_facts(ENTAILMENTS / "facts"), out, with_inferences=True)
    return Release(out)


def store(*files: Path) -> pyoxigraph.Store:
    loaded = pyoxigraph.Store()
    for path in files:
        loaded.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return loaded


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_query_answer_needs_the_inferred_file(query, release):
    text = query.read_text()
    assert bool(store(release.graph_nt, release.inferred_nt).query(text)) is True
    if "#+ needs-inference: true" in text:
        assert bool(store(release.graph_nt).query(text)) is False


def test_inferred_triples_are_new_and_the_files_agree(release):
    stated = set(store(release.graph_nt).quads_for_pattern(None, None, None))
    inferred = list(store(release.inferred_nt).quads_for_pattern(None, None, None))
    assert inferred and not stated.intersection(inferred)
    ttl = pyoxigraph.Store()
    ttl.bulk_load(path=str(release.inferred_ttl), format=pyoxigraph.RdfFormat.TURTLE)
    assert set(ttl.quads_for_pattern(None, None, None)) == set(inferred)


def test_same_release_same_bytes(release, tmp_path):
    """The release's inferred formats are what `write_inferred` writes from the same release."""
    write_inferred(load_release(release.folder), tmp_path)
    for path in (release.inferred_nt, release.inferred_ttl):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
