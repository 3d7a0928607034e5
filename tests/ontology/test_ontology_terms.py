"""Quality checks of the ontology, one SPARQL query per file in tests/ontology/qa/: each must
return no rows on the shipped TBox and vocabularies (after the Ontology Development Kit's QC
queries). Each check is also shown to find the defect it is for."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from her2kg.ontology import Ontology

QA = sorted((Path(__file__).parent / "qa").glob("*.rq"))
HK = "https://w3id.org/her2kg/ontology#"


def rows(graph, query: Path) -> list:
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return [tuple(str(v) for v in solution) for solution in store.query(query.read_text())]


@pytest.mark.parametrize("query", QA, ids=lambda p: p.stem)
def test_the_ontology_passes(query):
    assert rows(Ontology().graph, query) == []


# A defect that each check must report.
DEFECTS = {
    "unlabelled-terms": [(URIRef(HK + "Unlabelled"), RDF.type, OWL.Class)],
    "untyped-vocabulary-values": [
        (URIRef("https://w3id.org/her2kg/vocab/unit/days"), RDFS.label, Literal("days", lang="en"))
    ],
    "undeclared-terms": [(URIRef(HK + "Study"), RDFS.subClassOf, URIRef(HK + "Investigaton"))],
}


@pytest.mark.parametrize("query", QA, ids=lambda p: p.stem)
def test_the_check_finds_its_defect(query):
    graph = Ontology().graph
    for triple in DEFECTS[query.stem]:
        graph.add(triple)
    assert rows(graph, query), f"{query.name} missed {DEFECTS[query.stem]}"
