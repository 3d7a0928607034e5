"""The release files, written deterministically: same graph, same bytes.

Blank nodes exist only in the ontology (OWL lists); `Ontology` relabels them canonically when it
loads, so N-Triples lines, and therefore their sorted order, never change between runs.
"""
from __future__ import annotations

import json

import pyoxigraph
from collections import Counter
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, VOID, XSD

from .namespaces import BASE, HK, ONTOLOGY_IRI, bind_prefixes
from .schema import KIND_PREFIXES

# Namespaces whose terms appear as RDF/XML element names (predicates and types).
USED_IN_RDFXML = {str(n) for n in (HK, OWL, RDF, RDFS, DCTERMS)} | {
    "http://www.w3.org/2004/02/skos/core#", "http://www.geneontology.org/formats/oboInOwl#",
    "http://www.w3.org/ns/prov#", "http://www.w3.org/2001/XMLSchema#"}
RELEASE_FILES = ("her2kg.ttl", "her2kg.nt", "her2kg.owl", "void.ttl", "build-report.json")
DATASET = URIRef(BASE + "dataset")


def bound(graph: Graph) -> Graph:
    """`graph` with our prefixes, including one per kind of record (`drug:`, `trial:` …)."""
    return bind_prefixes(graph, KIND_PREFIXES)


def sorted_ntriples(graph: Graph) -> str:
    lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return "\n".join(sorted(line for line in lines if line.strip())) + "\n"


def write_graph_files(graph: Graph, folder: Path) -> None:
    """Turtle, sorted N-Triples and RDF/XML of `graph`, whose blank nodes must be canonical already."""
    release = bound(graph)
    (folder / "her2kg.ttl").write_bytes(release.serialize(format="turtle", encoding="utf-8"))
    ntriples = sorted_ntriples(release)
    (folder / "her2kg.nt").write_text(ntriples, encoding="utf-8")
    (folder / "her2kg.owl").write_bytes(rdfxml_from_ntriples(ntriples, release))


def rdfxml_from_ntriples(ntriples: str, graph: Graph) -> bytes:
    """RDF/XML in the order of the sorted N-Triples (rdflib's writers follow set order)."""
    prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces()
                if prefix and str(namespace) in USED_IN_RDFXML}
    quads = pyoxigraph.parse(ntriples.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.RDF_XML, prefixes=prefixes)


def class_counts(graph: Graph) -> dict[str, int]:
    counts = Counter(str(c) for _s, c in graph.subject_objects(RDF.type)
                     if isinstance(c, URIRef) and str(c).startswith(str(HK)))
    return {c[len(str(HK)):]: n for c, n in sorted(counts.items())}


def void_description(data: Graph, release: Graph, ontology: Graph, version: str) -> Graph:
    """VoID and DCAT description of the release: what it is, how big, where it came from."""
    void = bound(Graph())
    d = DATASET
    void.add((d, RDF.type, VOID.Dataset))
    void.add((d, RDF.type, DCAT.Dataset))
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator):
        for value in ontology.objects(ONTOLOGY_IRI, predicate):
            void.add((d, predicate, value))
    void.add((d, OWL.versionInfo, Literal(version)))
    void.add((d, DCTERMS.hasVersion, Literal(version)))
    void.add((d, VOID.uriSpace, Literal(BASE)))
    void.add((d, VOID.vocabulary, URIRef(str(HK))))
    void.add((d, VOID.triples, Literal(len(release), datatype=XSD.integer)))
    entities = {s for s in data.subjects(RDF.type, OWL.NamedIndividual) if isinstance(s, URIRef)}
    void.add((d, VOID.entities, Literal(len(entities), datatype=XSD.integer)))
    void.add((d, VOID.classes, Literal(len(class_counts(data)), datatype=XSD.integer)))
    for name in ("her2kg.nt", "her2kg.ttl", "her2kg.owl"):
        void.add((d, VOID.dataDump, URIRef(f"{BASE}release/{version}/{name}")))
    for name, count in class_counts(data).items():
        partition = URIRef(f"{BASE}dataset/class/{name}")
        void.add((d, VOID.classPartition, partition))
        void.add((partition, RDF.type, VOID.Dataset))
        void.add((partition, VOID["class"], HK[name]))
        void.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for publication in sorted(set(data.subjects(RDF.type, HK.Publication))):
        void.add((d, DCTERMS.source, publication))
        title = data.value(publication, HK.title) or data.value(publication, RDFS.label)
        if title is not None:
            void.add((publication, DCTERMS.title, title))
    return void


def write_report(report: dict, folder: Path) -> None:
    (folder / "build-report.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
