"""The release's N-Triples are made line by line from the graph's terms (export.sorted_ntriples): they must be the
bytes pyoxigraph writes for the same triples, sorted and without duplicates (export.oxigraph_triples)."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from her2kg.abox import GraphBuilder
from her2kg.export import ntriples_bytes, oxigraph_triples, sorted_ntriples
from her2kg.formats import FORMATS
from her2kg.ontology import Ontology
from her2kg.release import release_content
from her2kg.resources import resolve

S, P = URIRef("https://w3id.org/her2kg/drug/x"), URIRef("https://w3id.org/her2kg/ontology#p")
CASES = {
    "a language tag sorts after the plain literal": [(S, P, Literal("a", lang="en")), (S, P, Literal("a"))],
    "a longer language tag after a shorter one": [(S, P, Literal("a", lang="en-gb")), (S, P, Literal("a", lang="en"))],
    "a datatype after the plain literal": [(S, P, Literal("1", datatype=XSD.integer)), (S, P, Literal("1"))],
    "one RDF term written two ways is one triple": [
        (S, P, Literal("x")),
        (S, P, Literal("x", datatype=XSD.string)),
    ],
    "escapes and characters outside ASCII": [
        (S, RDFS.comment, Literal('a "quote"\nand a tab\t, a backslash \\')),
        (S, RDFS.comment, Literal("≥ 50 % – HER2 · é")),
        (S, RDFS.comment, Literal("emoji 🧬")),
    ],
    "a blank node": [(BNode("b0"), P, S), (S, P, BNode("b1"))],
    "IRIs that share a beginning": [(URIRef(f"{S}1"), P, S), (S, P, URIRef(f"{S}10")), (S, P, URIRef(f"{S}1"))],
}


@pytest.mark.parametrize("triples", CASES.values(), ids=CASES.keys())
def test_the_lines_are_the_sorted_ntriples_of_the_triples(triples):
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    plain = [*reversed(triples), *triples]  # a triple iterable with duplicates, in no order

    assert sorted_ntriples(graph) == sorted_ntriples(plain) == ntriples_bytes(oxigraph_triples(graph))


def test_the_ontology_and_a_builder_s_graph_read_from_its_own_store():
    ontology = Ontology(resolve("ontology", None).path)
    builder = GraphBuilder(ontology)
    builder.add(S, P, Literal("one"))
    builder.add(S, P, Literal("one"))  # added twice, written once
    builder.add(S, RDFS.label, Literal("x", lang="en"))

    written = sorted_ntriples(ontology.graph, builder.graph)
    assert written == ntriples_bytes(oxigraph_triples(ontology.graph, builder.graph))
    assert written.count(b"\n") == len(ontology.graph) + 2


def test_a_release_saved_and_let_go_of_is_counted_and_parsed_from_its_file(tmp_path):
    ontology = Ontology(resolve("ontology", None).path)
    data = GraphBuilder(ontology).graph
    data.add((S, P, Literal("one")))
    content = release_content(ontology.graph, data)
    held = content.nt
    content.save(FORMATS["nt"], tmp_path / "her2kg.nt")

    assert "nt" not in content.__dict__  # let go of once saved
    assert content.size == held.count(b"\n") == len(ontology.graph) + 1
    assert "nt" not in content.__dict__  # counted from the file, not read back whole
    assert ntriples_bytes(content.triples) == held
    assert (tmp_path / "her2kg.nt").read_bytes() == held
