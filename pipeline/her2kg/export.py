"""What the release's formats are made of: canonical N-Triples, bound prefixes, the dataset description.

Blank nodes exist only in the ontology (OWL lists); `Ontology` relabels them canonically when it
loads, so N-Triples lines, and therefore their sorted order, never change between runs.
"""
from __future__ import annotations

from collections import Counter

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, VOID, XSD

from .namespaces import BASE, HK, ONTOLOGY_IRI, bind_prefixes
from .schema import KIND_PREFIXES

DATASET = URIRef(BASE + "dataset")
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace predates it
DATASET_TITLE = "her2kg knowledge graph: resistance to anti-HER2 therapy in HER2-positive breast cancer"
DATASET_DESCRIPTION = (
    "Curated statements about resistance to anti-HER2 therapy in HER2-positive breast cancer: drugs, "
    "genes, variants, pathways, resistance mechanisms, strategies against them, clinical trials and their "
    "outcomes. Each statement is a claim node with its source publication, section, verbatim quote, "
    "evidence kind and polarity. The classes and properties are those of the her2kg ontology, which "
    "this release includes.")


def bound(graph: Graph) -> Graph:
    """`graph` with our prefixes, including one per kind of record (`drug:`, `trial:` …)."""
    return bind_prefixes(graph, KIND_PREFIXES)


def sorted_ntriples(graph: Graph) -> str:
    lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return "\n".join(sorted(line for line in lines if line.strip())) + "\n"


def class_counts(graph: Graph) -> dict[str, int]:
    counts = Counter(str(c) for _s, c in graph.subject_objects(RDF.type)
                     if isinstance(c, URIRef) and str(c).startswith(str(HK)))
    return {c[len(str(HK)):]: n for c, n in sorted(counts.items())}


def void_description(data: Graph, release: Graph, version: str, dumps: list[str],
                     issued: Literal | None = None) -> Graph:
    """VoID and DCAT description of the dataset: what it is, how big, where it came from.

    It describes the data, not the ontology: the ontology's own header (title, description,
    version IRI) is in the release itself, and the dataset points at it with `void:vocabulary`
    and `dcterms:conformsTo`.
    """
    void = bound(Graph())
    d = DATASET
    void.add((d, RDF.type, VOID.Dataset))
    void.add((d, RDF.type, DCAT.Dataset))
    void.add((d, DCTERMS.title, Literal(DATASET_TITLE, lang="en")))
    void.add((d, DCTERMS.description, Literal(DATASET_DESCRIPTION, lang="en")))
    for predicate in (DCTERMS.license, DCTERMS.creator):
        for value in release.objects(ONTOLOGY_IRI, predicate):
            void.add((d, predicate, value))
    void.add((d, DCAT_VERSION, Literal(version)))
    if issued is not None:
        void.add((d, DCTERMS.issued, issued))
    void.add((d, DCTERMS.conformsTo, ONTOLOGY_IRI))
    void.add((d, VOID.uriSpace, Literal(BASE)))
    void.add((d, VOID.vocabulary, URIRef(str(HK))))
    void.add((d, VOID.triples, Literal(len(release), datatype=XSD.integer)))
    entities = {s for s in data.subjects(RDF.type, OWL.NamedIndividual) if isinstance(s, URIRef)}
    void.add((d, VOID.entities, Literal(len(entities), datatype=XSD.integer)))
    void.add((d, VOID.classes, Literal(len(class_counts(data)), datatype=XSD.integer)))
    for name in dumps:
        void.add((d, VOID.dataDump, URIRef(f"{BASE}release/{version}/{name}")))
    for name, count in class_counts(data).items():
        partition = URIRef(f"{BASE}dataset/class/{name}")
        void.add((d, VOID.classPartition, partition))
        void.add((partition, RDF.type, VOID.Dataset))
        void.add((partition, VOID["class"], HK[name]))
        void.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for publication in sorted({s for s in data.subjects(RDF.type, HK.Publication) if isinstance(s, URIRef)}):
        void.add((d, DCTERMS.source, publication))
        title = data.value(publication, HK.title) or data.value(publication, RDFS.label)
        if title is not None:
            void.add((publication, DCTERMS.title, title))
    return void
