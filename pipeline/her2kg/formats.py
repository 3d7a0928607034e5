"""The registry of release formats: each output is one entry, and a build writes every entry.

An entry names its role (`name`), its file in the release folder, its media type and a writer
from the release `Content` to bytes. A new output (N-Quads, JSON-LD, KGX, nanopublications, TSV)
is one `register(Format(...))` call; the release folder, its report, its marker and the VoID
dump list all follow the registry.

Every writer is deterministic: same graph, same bytes.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from .export import (
    bound,
    header_first,
    ntriples_bytes,
    oxigraph_triples,
    prefixes,
    to_rdflib,
    turtle_bytes,
    void_description,
)
from .namespaces import HK, ONTOLOGY_IRI

# Namespaces whose terms appear as RDF/XML element names (predicates and types).
USED_IN_RDFXML = {str(n) for n in (HK, OWL, RDF, RDFS, DCTERMS)} | {
    "http://www.w3.org/2004/02/skos/core#", "http://www.geneontology.org/formats/oboInOwl#",
    "http://www.w3.org/ns/prov#", "http://www.w3.org/2001/XMLSchema#"}


@dataclass
class Content:
    """What every format is written from: the release graph (ontology and data, with the release
    header) as pyoxigraph triples in sorted N-Triples order, and what the build knows about it.

    There is one copy of the release: `triples`. `graph` (an rdflib copy) is made only for a
    format that asks for it.
    """

    triples: list[pyoxigraph.Triple]
    data: Graph
    ontology: Graph
    version: str
    issued: Literal | None = None

    @cached_property
    def ntriples(self) -> str:
        """The release graph as sorted N-Triples (blank nodes must be canonical already)."""
        return ntriples_bytes(self.triples).decode("utf-8")

    @cached_property
    def ordered(self) -> list[pyoxigraph.Triple]:
        """The release triples with the ontology header first: the order of Turtle and RDF/XML."""
        return header_first(self.triples, str(ONTOLOGY_IRI))

    @cached_property
    def graph(self) -> Graph:
        """The release as an rdflib Graph: a copy, made only when a format needs rdflib."""
        graph = bound(Graph())
        for t in self.triples:
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return graph

    @cached_property
    def inferred(self) -> list[pyoxigraph.Triple]:
        """The entailments of the release that it does not state, sorted (see infer.py)."""
        from .infer import entailed_triples

        return oxigraph_triples(entailed_triples(self.triples))


@dataclass(frozen=True)
class Format:
    name: str  # the role: "nt", "ttl", "owl", "void", "inferred-nt" …
    file_name: str
    media_type: str
    write: Callable[[Content], bytes]
    dump: bool = False  # a serialisation of the whole release graph (a void:dataDump)
    inferred: bool = False  # written only by a build that reasons (`her2kg build --reason`)


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add `fmt` to the formats every release is written in (replacing an entry of the same name)."""
    FORMATS[fmt.name] = fmt
    return fmt


def formats(with_inferences: bool = False) -> list[Format]:
    """The registered formats a build writes, in registration order."""
    return [f for f in FORMATS.values() if with_inferences or not f.inferred]


def turtle(content: Content) -> bytes:
    """Turtle: every prefix declared (sorted), then the ontology header, then the subjects in
    sorted N-Triples order."""
    return turtle_bytes(content.ordered)


def rdfxml(content: Content) -> bytes:
    """RDF/XML: the ontology header first, then the sorted N-Triples order."""
    used = {prefix: namespace for prefix, namespace in prefixes().items() if namespace in USED_IN_RDFXML}
    written = pyoxigraph.serialize(content.ordered, format=pyoxigraph.RdfFormat.RDF_XML, prefixes=used)
    assert written is not None  # without an output file, serialize returns the bytes
    return written


def void(content: Content) -> bytes:
    dumps = [f.file_name for f in FORMATS.values() if f.dump]
    description = void_description(content.data, content.ontology, len(content.triples), content.version, dumps,
                                   content.issued)
    return description.serialize(format="turtle", encoding="utf-8")


register(Format("ttl", "her2kg.ttl", "text/turtle", turtle, dump=True))
register(Format("nt", "her2kg.nt", "application/n-triples", lambda c: c.ntriples.encode("utf-8"), dump=True))
register(Format("owl", "her2kg.owl", "application/rdf+xml", rdfxml, dump=True))
register(Format("void", "void.ttl", "text/turtle", void))
register(Format("inferred-ttl", "her2kg-inferred.ttl", "text/turtle", lambda c: turtle_bytes(c.inferred),
                inferred=True))
register(Format("inferred-nt", "her2kg-inferred.nt", "application/n-triples", lambda c: ntriples_bytes(c.inferred),
                inferred=True))
