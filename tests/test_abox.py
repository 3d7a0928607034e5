"""The ABox is built into `TripleSet`, an append-then-read rdflib store: whatever reads it (both
validators, the reports, the release writers) must see exactly what rdflib's own store would show."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from her2kg.abox import TripleSet, build_graph, labels_in_order
from her2kg.facts import load_facts
from her2kg.namespaces import HK
from her2kg.ontology import Ontology
from her2kg.resources import project_path
from her2kg.validate import load_shapes, validate_graph

SLICE = Path(__file__).parent / "data" / "slice"
sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from generate import generate  # noqa: E402


@pytest.fixture(scope="module")
def built():
    ontology = Ontology()
    data, locations = build_graph(load_facts(SLICE, ontology), ontology)
    return ontology, data, locations


def memory_copy(graph: Graph) -> Graph:
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def test_the_abox_is_held_in_a_triple_set(built):
    _ontology, data, _locations = built
    assert isinstance(data.store, TripleSet) and len(data) == len(set(data)) > 0


@pytest.mark.parametrize("pattern", ["s", "p", "o", "sp", "po", "so", "spo", ""])
def test_every_pattern_matches_as_in_rdflibs_store(built, pattern):
    _ontology, data, _locations = built
    copy = memory_copy(data)
    for triple in list(data)[::97]:
        asked = tuple(term if "spo"[i] in pattern else None for i, term in enumerate(triple))
        assert sorted(data.triples(asked)) == sorted(copy.triples(asked)), asked


def test_a_triple_removed_or_added_after_reading_is_seen(built):
    _ontology, data, _locations = built
    graph = Graph(store=TripleSet())
    for triple in data:
        graph.add(triple)
    drug = next(graph.subjects(RDF.type, HK.Drug))  # reading builds the indexes
    graph.remove((drug, RDFS.label, None))
    graph.add((drug, HK.inClass, URIRef("https://example.org/x")))
    assert graph.value(drug, RDFS.label) is None and URIRef("https://example.org/x") in set(graph.objects(drug))


@pytest.mark.parametrize("engine", ["pyshacl", "fast"])
def test_both_validators_see_the_same_findings_as_on_rdflibs_store(built, engine):
    ontology, data, locations = built
    broken = Graph(store=TripleSet())
    for triple in data:
        broken.add(triple)
    drug = next(broken.subjects(RDF.type, HK.Drug))
    broken.remove((drug, RDFS.label, None))
    broken.add((drug, HK.inClass, Literal("not a class")))
    shapes = load_shapes()
    ours = validate_graph(broken, ontology.graph, shapes, locations, validator=engine)
    reference = validate_graph(memory_copy(broken), ontology.graph, shapes, locations, validator=engine)
    assert ours.violations and ours.findings == reference.findings


NON_PLAIN_OVERCOMES = """
PREFIX hk: <https://w3id.org/her2kg/ontology#>
PREFIX hedge: <https://w3id.org/her2kg/vocab/hedge/>
PREFIX polarity: <https://w3id.org/her2kg/vocab/polarity/>
SELECT ?strategy ?mechanism WHERE {
  ?strategy hk:overcomes ?mechanism .
  FILTER EXISTS { ?claim hk:claimSubject ?strategy ; hk:claimRelation hk:overcomes ; hk:claimObject ?mechanism }
  FILTER NOT EXISTS {
    ?plain hk:claimSubject ?strategy ; hk:claimRelation hk:overcomes ; hk:claimObject ?mechanism ;
           hk:hedge hedge:stated ; hk:polarity polarity:supports .
  }
}
"""


def test_a_strategy_only_held_possible_does_not_plainly_overcome(shipped_store):
    """A strategy's `against` field becomes a plain hk:overcomes triple only where a plain claim (or no
    claim) is about that triple: a hedged or negative claim keeps the graph from saying more than the text."""
    assert list(shipped_store.query(NON_PLAIN_OVERCOMES)) == []
    pyrotinib = "<https://w3id.org/her2kg/strategy/new-generation-pan-her-tki-pyrotinib>"
    assert not shipped_store.query(f"ASK {{ {pyrotinib} <https://w3id.org/her2kg/ontology#overcomes> ?m }}")
    assert shipped_store.query(f"ASK {{ {pyrotinib} <https://w3id.org/her2kg/ontology#proposedAgainst> ?m }}")


@pytest.mark.parametrize("facts", ["shipped", "generated"])
def test_labels_named_beside_the_build_give_the_graph_named_inline(facts, tmp_path):
    """A build names its nodes in a process beside it (`labels_in_order`) and adds the labels at the end: the
    graph and the locations are those of a build that names each node as it makes it."""
    ontology = Ontology()
    if facts == "generated":  # claims, outcomes with arm results, evidence passages of every kind
        generate(300, tmp_path, seed=11)
    loaded = load_facts(tmp_path / "facts" if facts == "generated" else project_path("facts"), ontology)
    inline, inline_locations = build_graph(loaded, ontology)
    beside, beside_locations = build_graph(loaded, ontology, labels=lambda: labels_in_order(loaded, ontology))
    assert set(beside) == set(inline)
    assert len(set(inline.triples((None, RDFS.label, None)))) > len(loaded.records)  # passages and arms named
    assert (beside_locations.nodes, beside_locations.fields) == (inline_locations.nodes, inline_locations.fields)


def test_labels_that_do_not_fit_the_nodes_fail_the_build():
    ontology = Ontology()
    loaded = load_facts(SLICE, ontology)
    with pytest.raises(ValueError, match="zip"):
        build_graph(loaded, ontology, labels=lambda: labels_in_order(loaded, ontology)[:-1])
