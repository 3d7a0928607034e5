"""What the release's formats are made of: the release as pyoxigraph triples in sorted N-Triples
order, bound prefixes, the dataset description.

Blank nodes exist only in the ontology (OWL lists); `Ontology` relabels them canonically when it
loads, so N-Triples lines, and therefore their sorted order, never change between runs.

The serialisers are pyoxigraph's (tens of times faster than rdflib's at a million triples); the
triples are converted from rdflib terms once, and every format is written from that one list.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from typing import Any, NamedTuple

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD
from rdflib.term import Node

from .namespaces import BASE, HK, ONTOLOGY_IRI, PREFIXES, bind_prefixes
from .schema import KIND_PREFIXES

DATASET = URIRef(BASE + "dataset")
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace predates it
DATASET_TITLE = "her2kg knowledge graph: resistance to anti-HER2 therapy in HER2-positive breast cancer"
DATASET_DESCRIPTION = (
    "Curated statements about resistance to anti-HER2 therapy in HER2-positive breast cancer: drugs, "
    "genes, variants, pathways, resistance mechanisms, strategies against them, clinical trials and their "
    "outcomes. Each statement is a claim node with its source publication, section, verbatim quote, "
    "evidence kind and polarity. The classes and properties are those of the her2kg ontology, which "
    "this release includes."
)


OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
XSD_STRING = str(XSD.string)


def bound(graph: Graph) -> Graph:
    """`graph` with our prefixes, including one per kind of record (`drug:`, `trial:` …)."""
    return bind_prefixes(graph, KIND_PREFIXES)


def prefixes() -> dict[str, str]:
    """Our prefixes, one per kind of record included, sorted by name (as Turtle declares them)."""
    return dict(sorted((name, str(ns)) for name, ns in {**PREFIXES, **KIND_PREFIXES}.items()))


def to_oxigraph(term: object) -> OxTerm:
    """The pyoxigraph term for an rdflib term (blank-node labels kept, so canonical labels stay)."""
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=_datatype(term.datatype or XSD_STRING))
    raise TypeError(f"not an RDF term: {term!r}")


@functools.cache
def _datatype(iri: str) -> ox.NamedNode:  # a few datatypes, for hundreds of thousands of literals
    return ox.NamedNode(iri)


def to_rdflib(term: OxTerm | ox.Triple) -> URIRef | BNode | Literal:
    """The rdflib term for a pyoxigraph term; an xsd:string literal stays plain, as rdflib reads N-Triples."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Triple):
        raise TypeError(f"an RDF-star triple term has no place in a release: {term}")
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype))


def oxigraph_triples(*graphs: Iterable[tuple[Any, Any, Any]] | Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples of `graphs` (rdflib graphs or triple iterables), without duplicates, sorted as
    their N-Triples lines sort. A term met twice is converted once."""
    term = functools.cache(to_oxigraph)
    # A triple's text is its N-Triples line without " .", and no line is a prefix of another
    # except where the next character ('@', '^') sorts after " ": the same order as the lines.
    ordered = sorted((ox.Triple(term(s), term(p), term(o)) for graph in graphs for s, p, o in graph), key=str)  # type: ignore[arg-type]
    # Duplicates (a triple of two graphs, or two rdflib terms for one RDF term) are now neighbours:
    # dropping them costs a comparison each, where a set would hash every triple.
    return [t for t, before in zip(ordered, [None, *ordered], strict=False) if t != before]


def sorted_ntriples(*graphs: Iterable[tuple[Any, Any, Any]]) -> bytes:
    """The N-Triples of `graphs` (rdflib graphs or triple iterables), sorted, without duplicates: the bytes
    `ntriples_bytes(oxigraph_triples(*graphs))` gives, made without a pyoxigraph triple (whose making is
    most of the cost at a million triples). Each term is written by pyoxigraph, once per term object:
    a large graph shares one object per IRI among all the triples naming it."""
    texts: dict[int, bytes] = {}  # id(term) → its N-Triples text
    kept: list[object] = []  # the terms written: alive, so that no other term takes their id

    def text(term: object) -> bytes:
        kept.append(term)
        written = texts[id(term)] = str(to_oxigraph(term)).encode("utf-8")
        return written

    known = texts.get
    lines = [
        b"%s %s %s .\n" % (known(id(s)) or text(s), known(id(p)) or text(p), known(id(o)) or text(o))
        for graph in graphs
        for s, p, o in _each(graph)
    ]
    # UTF-8 bytes sort as their characters do, and a line sorts as oxigraph_triples sorts its triple (see there):
    # " ." sorts before any longer term. A list keeps the order the graph was built in, whose runs the sort takes
    # as they are (a set's order sorts 4x slower); lines of bytes are joined without a text of the whole file.
    lines.sort()
    return b"".join(line for line, before in zip(lines, [b"", *lines], strict=False) if line != before)


def _each(graph: Iterable[tuple[Any, Any, Any]]) -> Iterable[tuple[Any, Any, Any]]:
    """The triples of `graph`; of a graph whose store iterates them itself (the ABox's), read from the store:
    rdflib's own iteration costs a second per million triples."""
    store = getattr(graph, "store", None)
    return store if isinstance(store, Iterable) else graph


def ntriples_bytes(triples: list[ox.Triple]) -> bytes:
    """N-Triples in the order given (sorted triples give the sorted file)."""
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def header_first(triples: list[ox.Triple], header: str) -> list[ox.Triple]:
    """`triples` (sorted) with those about the IRI `header` first, its rdf:type first of all, so
    Turtle and RDF/XML writers start with the ontology header (and RDF/XML writes it as an
    <owl:Ontology> element)."""
    node = ox.NamedNode(header)
    own = sorted((t for t in triples if t.subject == node), key=lambda t: t.predicate.value != str(RDF.type))
    return own + [t for t in triples if t.subject != node]


def turtle_bytes(triples: list[ox.Triple]) -> bytes:
    """Turtle in the order given, with every prefix of `prefixes()` declared, sorted by name.

    pyoxigraph declares the prefixes it is given in an order that varies from run to run: its
    declarations are replaced by ours, so the same triples always give the same bytes.
    """
    declared = prefixes()
    written = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=declared) or b""
    # The body starts at the first line that is not a declaration; the bytes after it are kept as they are
    # (not decoded and split into lines: a large release's Turtle is held once, not several times).
    start = 0
    while written.startswith(b"@prefix ", start):
        end = written.find(b"\n", start)
        start = len(written) if end < 0 else end + 1
    head = "".join(f"@prefix {name}: <{namespace}> .\n" for name, namespace in declared.items())
    return b"".join([head.encode("utf-8"), b"\n", memoryview(written)[start:]])


def ours(counts: Counter[str]) -> dict[str, int]:
    """How many times each of our classes is given, by local name, sorted."""
    return {c[len(str(HK)) :]: n for c, n in sorted(counts.items()) if c.startswith(str(HK))}


class DataFigures(NamedTuple):
    """What the dataset description and the build report say of the data: how often each class is given (full
    IRIs), how many named individuals it has, each publication (IRI) with its title, if it has one, and how many
    statements each source (IRI) states."""

    classes: Counter[str]
    entities: int
    titles: dict[str, Node | None]
    statements: Counter[str]


def void_description(
    data: DataFigures,
    ontology: Graph,
    triples: int,
    version: str,
    dumps: list[str],
    issued: Literal | None = None,
) -> Graph:
    """VoID and DCAT description of the dataset: what it is, how big, where it came from.

    It describes the data (`data`: figures of the data alone), not the ontology: the ontology's own
    header (title, description, version IRI) is in the release itself, and the dataset points at it
    with `void:vocabulary` and `dcterms:conformsTo`. `triples` is the size of the whole release.
    """
    void = bound(Graph())
    d = DATASET
    void.add((d, RDF.type, VOID.Dataset))
    void.add((d, RDF.type, DCAT.Dataset))
    void.add((d, DCTERMS.title, Literal(DATASET_TITLE, lang="en")))
    void.add((d, DCTERMS.description, Literal(DATASET_DESCRIPTION, lang="en")))
    for predicate in (DCTERMS.license, DCTERMS.creator):
        for value in ontology.objects(ONTOLOGY_IRI, predicate):
            void.add((d, predicate, value))
    void.add((d, DCAT_VERSION, Literal(version)))
    if issued is not None:
        void.add((d, DCTERMS.issued, issued))
    void.add((d, DCTERMS.conformsTo, ONTOLOGY_IRI))
    void.add((d, VOID.uriSpace, Literal(BASE)))
    void.add((d, VOID.vocabulary, URIRef(str(HK))))
    void.add((d, VOID.triples, Literal(triples, datatype=XSD.integer)))
    counts = ours(data.classes)
    void.add((d, VOID.entities, Literal(data.entities, datatype=XSD.integer)))
    void.add((d, VOID.classes, Literal(len(counts), datatype=XSD.integer)))
    for name in dumps:
        void.add((d, VOID.dataDump, URIRef(f"{BASE}release/{version}/{name}")))
    for name, count in counts.items():
        partition = URIRef(f"{BASE}dataset/class/{name}")
        void.add((d, VOID.classPartition, partition))
        void.add((partition, RDF.type, VOID.Dataset))
        void.add((partition, VOID["class"], HK[name]))
        void.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for publication in sorted(data.titles):
        void.add((d, DCTERMS.source, URIRef(publication)))
        title = data.titles[publication]
        if title is not None:
            void.add((URIRef(publication), DCTERMS.title, title))
    return void
