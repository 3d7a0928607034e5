"""benchmarks/pipeline.py's baseline is the straightforward pipeline: the facts read by PyYAML's
pure-Python composer and the data graph built into rdflib's Memory store, by the same loader and
builder as her2kg's path, giving the same triples; and if the library stops offering the seam it
swaps, the baseline stops rather than measure the fast path under its name."""

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
from pipeline import straightforward


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
