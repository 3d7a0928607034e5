"""The registry of release formats: each output is one entry, and a build writes every entry.

An entry names its role (`name`), its file in the release folder, its media type and a writer
from the release `Content` to bytes. A new output (N-Quads, JSON-LD, KGX, nanopublications, TSV)
is one `register(Format(...))` call; the release folder, its report, its marker and the VoID
dump list all follow the registry.

Every writer is deterministic: same graph, same bytes.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS
from rdflib.plugins.serializers.turtle import TurtleSerializer

from .export import bound, sorted_ntriples, void_description
from .namespaces import HK, ONTOLOGY_IRI

# Namespaces whose terms appear as RDF/XML element names (predicates and types).
USED_IN_RDFXML = {str(n) for n in (HK, OWL, RDF, RDFS, DCTERMS)} | {
    "http://www.w3.org/2004/02/skos/core#", "http://www.geneontology.org/formats/oboInOwl#",
    "http://www.w3.org/ns/prov#", "http://www.w3.org/2001/XMLSchema#"}


@dataclass
class Content:
    """What every format is written from: the release graph (ontology and data, with the release
    header) and what the build knows about it."""

    graph: Graph
    data: Graph
    version: str
    issued: Literal | None = None

    @cached_property
    def ntriples(self) -> str:
        """The release graph as sorted N-Triples (blank nodes must be canonical already)."""
        return sorted_ntriples(bound(self.graph))

    @cached_property
    def inferred(self) -> Graph:
        from .infer import entailments

        return entailments(self.graph)


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


class _HeaderFirstTurtle(TurtleSerializer):
    """rdflib's Turtle, with the owl:Ontology header as the first subject of the file."""

    topClasses = [OWL.Ontology, RDFS.Class]  # noqa: RUF012 (rdflib declares it per instance)


def turtle(graph: Graph) -> bytes:
    out = io.BytesIO()
    _HeaderFirstTurtle(bound(graph)).serialize(out, encoding="utf-8")
    return out.getvalue()


def rdfxml(content: Content) -> bytes:
    """RDF/XML: the ontology header first, then the sorted N-Triples order (rdflib's writer follows set order)."""
    header_start = f"<{ONTOLOGY_IRI}> "
    lines = content.ntriples.splitlines(keepends=True)
    # rdf:type first, so the header is written as an <owl:Ontology> element
    typed = f"{header_start}<{RDF.type}> "
    ordered = sorted((line for line in lines if line.startswith(header_start)),
                     key=lambda line: not line.startswith(typed))
    ordered += [line for line in lines if not line.startswith(header_start)]
    prefixes = {prefix: str(namespace) for prefix, namespace in bound(Graph()).namespaces()
                if prefix and str(namespace) in USED_IN_RDFXML}
    quads = pyoxigraph.parse("".join(ordered).encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    written = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.RDF_XML, prefixes=prefixes)
    assert written is not None  # without an output file, serialize returns the bytes
    return written


def void(content: Content) -> bytes:
    dumps = [f.file_name for f in FORMATS.values() if f.dump]
    description = void_description(content.data, content.graph, content.version, dumps, content.issued)
    return description.serialize(format="turtle", encoding="utf-8")


register(Format("ttl", "her2kg.ttl", "text/turtle", lambda c: turtle(c.graph), dump=True))
register(Format("nt", "her2kg.nt", "application/n-triples", lambda c: c.ntriples.encode("utf-8"), dump=True))
register(Format("owl", "her2kg.owl", "application/rdf+xml", rdfxml, dump=True))
register(Format("void", "void.ttl", "text/turtle", void))
register(Format("inferred-ttl", "her2kg-inferred.ttl", "text/turtle", lambda c: turtle(c.inferred), inferred=True))
register(Format("inferred-nt", "her2kg-inferred.nt", "application/n-triples",
                lambda c: sorted_ntriples(c.inferred).encode("utf-8"), inferred=True))
