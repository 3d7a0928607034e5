"""The fast validation engine gives the same results as pySHACL, the reference, beyond the shape
fixtures (test_shapes.py): on the shipped facts, and on synthetic facts from
`benchmarks/generate.py` with planted defects, each of which both engines must find.

Engines are compared on every result: focus node, path, value, severity, constraint component,
source shape and message, and on the file:line each finding is reported at.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from her2kg.abox import Locations, build_graph
from her2kg.errors import UsageError
from her2kg.facts import load_facts
from her2kg.ontology import Ontology
from her2kg.release import release_content
from her2kg.resources import project_path
from her2kg.sources import check_quotes, load_library
from her2kg.validate import AUTO_FAST_FROM, ValidationReport, choose_engine, load_shapes, validate_graph
from her2kg.validate.sparql_engine import store_of

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from generate import generate


@cache
def ontology() -> Ontology:
    return Ontology()


@cache
def shapes() -> Graph:
    return load_shapes()


def both(data: Graph, locations: Locations | None = None) -> tuple[ValidationReport, ValidationReport]:
    return tuple(
        validate_graph(data, ontology().graph, shapes(), locations, validator=engine)  # type: ignore[return-value]
        for engine in ("pyshacl", "fast")
    )


def generated(tmp_path: Path, claims: int, seed: int, defects: int) -> tuple[Graph, Locations, list[dict]]:
    """A synthetic project built as a build does (quotes checked), with the graph-level defects applied."""
    generate(claims, tmp_path, seed=seed, defects=defects)
    facts = load_facts(tmp_path / "facts", ontology(), display_root=tmp_path)
    assert check_quotes(facts, load_library(tmp_path / "sources")).problems == []
    data, locations = build_graph(facts, ontology())
    data.update((tmp_path / "defects.ru").read_text(encoding="utf-8"))
    return data, locations, json.loads((tmp_path / "defects.json").read_text(encoding="utf-8"))


def check_planted(tmp_path: Path, claims: int, seed: int, defects: int) -> None:
    data, locations, planted = generated(tmp_path, claims, seed, defects)
    reference, fast = both(data, locations)
    assert fast.findings == reference.findings
    expected = {(e["focus"], e["path"], e["component"], e["severity"]) for d in planted for e in d["expected"]}
    found = {(f.focus, f.path, f.component, str(f.severity)) for f in fast.findings}
    assert expected - found == set(), "planted defects not found"
    unplanted = [f for f in fast.violations if (f.focus, f.path, f.component, "violation") not in expected]
    assert unplanted == [], "violations nobody planted"
    assert all(f.location is not None and f.location.line > 0 for f in fast.findings if "/defect-" in f.focus)


@pytest.mark.slow
def test_the_engines_agree_on_the_shipped_facts():
    facts = load_facts(project_path("facts"), ontology())
    data, locations = build_graph(facts, ontology())
    reference, fast = both(data, locations)
    assert reference.findings  # the shipped facts have warnings and infos: something is compared
    assert fast.findings == reference.findings


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_planted_defect_is_found_by_both_engines(tmp_path: Path, seed: int):
    check_planted(tmp_path, claims=200, seed=seed, defects=1)


@pytest.mark.slow
def test_every_planted_defect_is_found_at_2k_claims(tmp_path: Path):
    check_planted(tmp_path, claims=2_000, seed=7, defects=3)


@pytest.mark.slow
def test_a_store_is_validated_as_its_graph_is(tmp_path: Path):
    """A store (what the data path builds) gives the same findings with either engine, and the
    graph's findings but for the lexical form of numbers: a store keeps "5.0"^^xsd:decimal as 5."""
    data, locations, _planted = generated(tmp_path, claims=200, seed=4, defects=1)
    store = store_of(data)
    reference, fast = (
        validate_graph(store, ontology().graph, shapes(), locations, validator=engine) for engine in ("pyshacl", "fast")
    )
    assert fast.findings == reference.findings
    assert len(store) == len(data), "the ontology added for validation is removed from the caller's store"
    from_graph = validate_graph(data, ontology().graph, shapes(), locations, validator="fast")
    assert sorted((f.location, f.focus, f.path, f.component) for f in fast.findings) == sorted(
        (f.location, f.focus, f.path, f.component) for f in from_graph.findings
    )


class Unread(Graph):
    """A data graph that fails if anything but its size is read."""

    def triples(self, *args, **kwargs):  # type: ignore[override]
        raise AssertionError("the data graph was read")


@pytest.mark.parametrize("seed", [5, pytest.param(6, marks=pytest.mark.slow)])
def test_a_build_validates_on_its_release_store_as_pyshacl_does_on_the_data_graph(tmp_path: Path, seed: int):
    """A build validates on its release store (the release triples converted once: the data and the ontology)
    and reads the values and labels of findings from the sorted release triples: the findings are pySHACL's
    on the data graph, field by field, the rdflib graph is not read (so a forked process leaves its memory
    shared), and the store is left as it was, for the writers."""
    data, locations, _planted = generated(tmp_path, claims=200, seed=seed, defects=1)
    content = release_content(ontology().graph, data)
    reference = validate_graph(data, ontology().graph, shapes(), locations, validator="pyshacl")
    on_store = on_release_store(Unread(store=data.store), content, locations)
    assert reference.violations  # planted defects: something is compared
    assert on_store.findings == reference.findings
    assert list(content.store.named_graphs()) == []
    assert len(content.store) == len(content.triples)
    # A build that has let go of the data graph gives its size alone: the same report.
    assert on_release_store(None, content, locations, triples=len(data)) == on_store


def on_release_store(data: Graph | None, content, locations: Locations, **given) -> ValidationReport:
    """The fast engine's validation on a release's store, its values read from the release triples."""
    return validate_graph(
        data,
        ontology().graph,
        shapes(),
        locations,
        validator="fast",
        store=content.store,
        written=content.data_objects,
        **given,
    )


def test_without_the_data_graph_only_the_fast_engine_validates_and_only_on_a_store(tmp_path: Path):
    data, locations, _planted = generated(tmp_path, claims=20, seed=5, defects=1)
    content = release_content(ontology().graph, data)
    given = {"store": content.store, "written": content.data_objects, "triples": len(data)}
    with pytest.raises(ValueError, match="only the fast engine"):
        validate_graph(None, ontology().graph, shapes(), locations, validator="pyshacl", **given)
    with pytest.raises(ValueError, match="only the fast engine"):
        validate_graph(None, ontology().graph, shapes(), locations, validator="fast", written=content.data_objects)


def test_auto_takes_the_fast_engine_from_the_threshold_on():
    assert choose_engine("auto", AUTO_FAST_FROM - 1, shapes()) == "pyshacl"
    assert choose_engine("auto", AUTO_FAST_FROM, shapes()) == "fast"
    assert choose_engine("pyshacl", 10**7, shapes()) == "pyshacl"


def test_auto_falls_back_to_pyshacl_and_fast_refuses_shapes_it_cannot_compile():
    extended = shapes() + Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix hk: <https://w3id.org/her2kg/ontology#> .
        <urn:x:S> a sh:NodeShape ; sh:targetClass hk:Drug ; sh:xone ( [ sh:path hk:inClass ; sh:minCount 1 ] ) .
        """,
        format="turtle",
    )
    assert choose_engine("auto", 10**7, extended) == "pyshacl"
    with pytest.raises(UsageError, match="--validator pyshacl"):
        choose_engine("fast", 10, extended)
    with pytest.raises(UsageError, match="unknown validator"):
        choose_engine("quick", 10, shapes())


def test_the_store_holds_numbers_canonically_but_results_show_them_as_written():
    data = Graph().parse(
        data="""
        @prefix hk: <https://w3id.org/her2kg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/her2kg/outcome/o> a hk:Outcome ; hk:pValue 5.0 .""",
        format="turtle",
    )
    reference, fast = both(data)
    assert [f.value for f in fast.findings if f.path and f.path.endswith("pValue")] == ["5.0"]
    assert fast.findings == reference.findings
    assert isinstance(store_of(data), pyoxigraph.Store)


@pytest.mark.parametrize("where", ["the default graph", "a named graph"])
def test_focus_nodes_are_found_in_every_graph_of_the_store(where):
    """The fast engine sees the union of the store's graphs (the ontology's triples a store lacks are added in a
    graph of their own): a node typed in a named graph is a focus node as one typed in the default graph is."""
    from her2kg.validate import sparql_engine

    shapes_graph = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        """,
        format="turtle",
    )
    store = pyoxigraph.Store()
    graph = pyoxigraph.DefaultGraph() if where == "the default graph" else pyoxigraph.NamedNode("urn:elsewhere")
    thing, a = pyoxigraph.NamedNode("https://example.org/thing"), pyoxigraph.NamedNode(str(RDF.type))
    store.add(pyoxigraph.Quad(thing, a, pyoxigraph.NamedNode("https://example.org/Thing"), graph))

    results = sparql_engine.run(store, shapes_graph)

    assert [(str(r.focus), str(r.component)) for r in results] == [
        ("https://example.org/thing", str(SH.MinCountConstraintComponent))
    ]
