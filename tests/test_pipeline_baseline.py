"""benchmarks/pipeline.py's baseline is the straightforward pipeline: the facts read by PyYAML's
pure-Python composer and the data graph built into rdflib's Memory store, by the same loader and
builder as her2kg's path, giving the same triples; and if the library stops offering the seam it
swaps, the baseline stops rather than measure the fast path under its name. It makes the same release:
the same entailments, and every file her2kg writes (VoID and SHA256SUMS aside) with the same content."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from rdflib import Graph
from rdflib.plugins.stores.memory import Memory

from her2kg import abox, facts
from her2kg.abox import TripleSet, build_graph
from her2kg.facts import load_facts
from her2kg.ontology import Ontology

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from generate import generate
from pipeline import run_path, straightforward


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(10, out, seed=3)
    return out


SEAMS = ((facts, "_FactsYAMLLoader"), (abox, "TripleSet"), (facts, "gc_paused"), (abox, "gc_paused"))


@pytest.fixture
def restored(monkeypatch):
    """The swaps undone after each test: monkeypatch puts back what it saw first."""
    for module, name in SEAMS:
        monkeypatch.setattr(module, name, getattr(module, name))
    return monkeypatch


@pytest.mark.slow  # loads and builds the facts twice, seconds
def test_the_baseline_builds_the_same_triples_the_straightforward_way(project: Path, restored):
    ontology = Ontology()
    fast, _ = build_graph(load_facts(project / "facts", ontology, display_root=project), ontology)
    check = straightforward()
    assert issubclass(facts._FactsYAMLLoader, yaml.SafeLoader)
    assert not issubclass(facts._FactsYAMLLoader, getattr(yaml, "CSafeLoader", ()))
    slow, _ = build_graph(load_facts(project / "facts", ontology, display_root=project), ontology)
    check(slow)  # would stop the run if either swap had not been taken
    assert type(slow.store) is Memory and type(fast.store) is TripleSet
    assert set(slow) == set(fast) and len(slow) > 0


@pytest.mark.parametrize("seam", SEAMS, ids=["loader", "store", "facts-collector", "abox-collector"])
def test_a_seam_gone_stops_the_baseline(restored, seam):
    restored.delattr(*seam)
    with pytest.raises(SystemExit, match=f"{seam[1]} is gone"):
        straightforward()


def test_a_swap_not_taken_stops_the_baseline(restored):
    check = straightforward()
    with pytest.raises(SystemExit, match="not taken"):
        check(Graph())  # no facts file was read with the pure-Python loader
    yaml.compose("claims: []", Loader=facts._FactsYAMLLoader)  # as the facts loader reads a file
    with pytest.raises(SystemExit, match="not taken"):
        check(Graph(store=TripleSet()))  # the fast path's store
    check(Graph())


NOT_WRITTEN = {"void.ttl", "SHA256SUMS"}  # by the baseline
OTHER_BYTES = {  # the same content in other bytes
    "her2kg-base.owl": "the ontology's header as it is (her2kg's base module has a header of its own)",
    "her2kg.nt.gz": "the gzip header names no file",
    "her2kg.nq.gz": "the N-Quads in another order (by line, not graph by graph); the gzip header names no file",
}
SAME_GRAPH = {"her2kg.ttl": "turtle", "her2kg.owl": "xml", "her2kg-inferred.ttl": "turtle", "her2kg.nq": "nquads"}


@pytest.mark.slow  # both paths over ten generated claims: seconds
def test_the_baseline_makes_the_same_release(project: Path, restored, tmp_path):
    from rdflib.compare import isomorphic

    fast = run_path("her2kg", project, tmp_path / "her2kg", queries=False)
    slow = run_path("baseline", project, tmp_path / "baseline", queries=False)
    assert fast["entailments"] == slow["entailments"] and fast["entailments"]["triples"] > 0
    assert fast["findings_list"] == slow["findings_list"]
    written = files(tmp_path / "baseline")
    assert written == files(tmp_path / "her2kg") - NOT_WRITTEN
    for name in sorted(written - set(SAME_GRAPH) - set(OTHER_BYTES)):
        assert (tmp_path / "her2kg" / name).read_bytes() == (tmp_path / "baseline" / name).read_bytes(), name
    for name, syntax in SAME_GRAPH.items():
        fast_graphs, slow_graphs = (graphs(tmp_path / p / name, syntax) for p in ("her2kg", "baseline"))
        assert fast_graphs.keys() == slow_graphs.keys(), name
        assert all(isomorphic(fast_graphs[g], slow_graphs[g]) for g in fast_graphs), name


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def graphs(path: Path, syntax: str) -> dict[str, Graph]:
    """The graphs of an RDF file by name (one, unnamed, for a triples format)."""
    from rdflib import Dataset

    if syntax != "nquads":
        return {"": Graph().parse(path, format=syntax)}
    dataset = Dataset().parse(path, format=syntax)
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}
