"""The data as JSON-LD, compacted with a published @context so that keys read as words.

her2kg-context.jsonld is the context: our ontology's terms by their local names (`targets`, `statedIn`, with
IRI values as plain strings), `label`, `altLabel`, `definition` and `xref`, and the IRIs of our records as
CURIEs (`her2kg:drug/neratinib`). her2kg.jsonld names the context by its address in the release
and holds one object per node, sorted by id, with the values of each key sorted.

The document is written straight from the data triples, one node per subject, with the compaction rules of
rdflib's JSON-LD serialiser (which key a predicate gets, how a value is written) asked of rdflib's own
`Context` once per predicate and kind of value: the same document rdflib's serialiser writes, without
building an rdflib Graph of the data and walking it (minutes at a million triples).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.shared.jsonld.context import UNDEF, Context
from rdflib.plugins.shared.jsonld.keys import ID, VOCAB

from .namespaces import BASE, HK, PREFIXES

CONTEXT_FILE = "her2kg-context.jsonld"
COMMON = {
    "id": "@id",
    "type": "@type",
    "label": "rdfs:label",
    "altLabel": "skos:altLabel",
    "definition": "skos:definition",
    "comment": "rdfs:comment",
    "xref": "oboInOwl:hasDbXref",
    "exactMatch": {"@id": "skos:exactMatch", "@type": "@id"},
    "citesAsEvidence": {"@id": "cito:citesAsEvidence", "@type": "@id"},
}
OBJECT_PROPERTIES = "SELECT ?p WHERE { ?p a <http://www.w3.org/2002/07/owl#ObjectProperty> }"
XSD_STRING, LANG_STRING = str(XSD.string), str(RDF.langString)
NATIVE = {str(XSD.boolean), str(XSD.integer), str(XSD.double)}  # written as JSON values (rdflib's native types)


def object_properties(release: pyoxigraph.Store) -> list[str]:
    """The IRIs of the object properties the release declares."""
    solutions = release.query(OBJECT_PROPERTIES)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return [row[0].value for row in solutions if isinstance(row[0], pyoxigraph.NamedNode)]


def context(properties: Iterable[str]) -> dict[str, Any]:
    """The @context: the project's prefixes, our terms by local name, object properties (`properties`, the
    release's owl:ObjectProperty IRIs) with IRI values."""
    terms: dict[str, Any] = {"@vocab": str(HK), "her2kg": BASE, **{p: str(ns) for p, ns in PREFIXES.items()}}
    terms.update(COMMON)
    for prop in sorted(set(properties)):
        if prop.startswith(str(HK)):
            terms[prop[len(str(HK)) :]] = {"@id": f"hk:{prop[len(str(HK)) :]}", "@type": "@id"}
    return {"@context": terms}


def _sorted(value: Any) -> Any:
    """JSON-LD values are sets (we write no @list): sort them, so the bytes are the same on every build."""
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return sorted((_sorted(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def context_json(properties: Iterable[str]) -> bytes:
    return (json.dumps(context(properties), indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal
Writer = Callable[[Term], Any]  # an object → its compacted JSON value


class Compactor:
    """The key and value rdflib's JSON-LD serialiser gives each (predicate, object), decided once per predicate
    and kind of object (IRI, or literal of a datatype or language) with rdflib's `Context`."""

    def __init__(self, terms: dict[str, Any]):
        self.context = Context(terms)
        self.shrink = cache(self.context.shrink_iri)
        self.symbol = cache(self.context.to_symbol)
        # decided once per predicate, and per predicate and kind of literal
        self.for_iri = cache(self._for_iri)
        self.for_literal = cache(self._for_literal)

    def node_id(self, term: Term) -> str:
        return f"_:{term.value}" if isinstance(term, pyoxigraph.BlankNode) else self.shrink(term.value)

    def _reference(self, term: Term) -> dict[str, str]:
        return {self.context.id_key: self.node_id(term)}

    def _plain_key(self, predicate: str) -> str:
        """The key of a predicate no term of the context matches the values of."""
        key = self.symbol(predicate) or predicate
        defined = self.context.terms.get(key)
        return predicate if defined is not None and (defined.type or defined.container) else key

    def _for_iri(self, predicate: str) -> tuple[str, Writer]:
        ctx = self.context
        for coercion in (ID, VOCAB, UNDEF):
            term = ctx.find_term(predicate, coercion, UNDEF)  # no container: we write no @list
            if term:
                if term.type == ID:
                    return term.name, self.node_id
                if term.type == VOCAB:
                    return term.name, lambda o: self.symbol(o.value)
                return term.name, self._reference
        if predicate == str(RDF.type):
            return (
                ctx.type_key,
                lambda o: self.symbol(o.value) if isinstance(o, pyoxigraph.NamedNode) else self._reference(o),
            )
        return self._plain_key(predicate), self._reference

    def _for_literal(self, predicate: str, datatype: str, language: str | None) -> tuple[str, Writer]:
        ctx = self.context
        given = None if datatype in (XSD_STRING, LANG_STRING) else datatype  # as rdflib reads such a literal
        term = ctx.find_term(predicate, given, language=language)
        if term and (term.type in (ID, given) if term.type else term.language and language == term.language):
            return term.name, lambda o: o.value  # a term typed for it (rdflib writes even a literal of an @id term so)
        key = term.name if term else ctx.type_key if predicate == str(RDF.type) else self._plain_key(predicate)
        if language and language != ctx.language:
            return key, lambda o: {ctx.lang_key: language, ctx.value_key: o.value}
        if given is None:
            return key, lambda o: o.value
        if given in NATIVE:
            return key, lambda o: Literal(o.value, datatype=URIRef(given)).toPython()
        kind = self.symbol(given)
        return key, lambda o: {ctx.type_key: kind, ctx.value_key: o.value}

    def nodes(self, triples: Iterable[pyoxigraph.Triple]) -> list[dict[str, Any]]:
        """One object per subject, a key holding one value or a list of them."""
        found: dict[str, dict[str, Any]] = {}
        id_key = self.context.id_key
        for t in triples:
            subject = self.node_id(t.subject)  # type: ignore[arg-type]
            node = found.get(subject)
            if node is None:
                node = found[subject] = {id_key: subject}
            o = t.object
            if isinstance(o, pyoxigraph.Literal):
                key, write = self.for_literal(t.predicate.value, o.datatype.value, o.language)
            else:
                key, write = self.for_iri(t.predicate.value)
            value = write(o)  # type: ignore[arg-type]
            held = node.get(key)
            if held is None:
                node[key] = value
            elif isinstance(held, list):
                held.append(value)
            else:
                node[key] = [held, value]
        return list(found.values())


def data_jsonld(data: Iterable[pyoxigraph.Triple], properties: Iterable[str], version: str) -> bytes:
    """The data triples compacted with the context; `@context` is the context file's address in the release."""
    return b"".join(data_jsonld_pieces(data, properties, version))


def data_jsonld_pieces(data: Iterable[pyoxigraph.Triple], properties: Iterable[str], version: str) -> Iterator[bytes]:
    """`data_jsonld`'s bytes, one node at a time: the JSON of `json.dumps(document, indent=1)`, written node by
    node so that a large release's document is never held whole as text."""
    nodes = sorted(
        map(_sorted, Compactor(context(properties)["@context"]).nodes(data)), key=lambda n: str(n.get("id", ""))
    )
    head = {"@context": f"{BASE}release/{version}/{CONTEXT_FILE}"}
    yield (json.dumps(head, indent=1, ensure_ascii=False)[:-2] + ',\n "@graph": ').encode("utf-8")
    if not nodes:
        yield b"[]\n}\n"
        return
    nodes.reverse()  # popped from the end, in order, each let go of once written
    opening = b"[\n  "
    while nodes:
        yield opening + indented(nodes.pop(), "  ").encode("utf-8")  # nested one level deeper
        opening = b",\n  "
    yield b"\n ]\n}\n"


def indented(value: Any, indent: str) -> str:
    """`value` as `json.dumps(value, indent=1, ensure_ascii=False)` writes it, each line after the first starting
    with `indent`. json.dumps encodes with an indent in pure Python (seconds at a million triples); here only the
    layout is Python, each scalar is encoded by json's C encoder."""
    inner = indent + " "
    if isinstance(value, dict) and value:
        keys = ",\n".join(f"{inner}{_scalar(k)}: {indented(v, inner)}" for k, v in value.items())
        return f"{{\n{keys}\n{indent}}}"
    if isinstance(value, list) and value:
        items = ",\n".join(f"{inner}{indented(v, inner)}" for v in value)
        return f"[\n{items}\n{indent}]"
    return _scalar(value)  # a string, number, boolean or null, or an empty object or array


_scalar = json.JSONEncoder(ensure_ascii=False).encode


def rdflib_jsonld(data: Graph, properties: Iterable[str], version: str) -> bytes:
    """her2kg.jsonld as rdflib's own serialiser writes it, over the data in an rdflib Graph: the reference that
    `data_jsonld` gives byte for byte (tests/test_formats_jsonld.py), and the benchmark's straightforward way."""
    written = json.loads(data.serialize(format="json-ld", context=context(properties)["@context"]))
    nodes = written.get("@graph", [written])
    body = {
        "@context": f"{BASE}release/{version}/{CONTEXT_FILE}",
        "@graph": sorted(
            (_sorted({k: v for k, v in n.items() if k != "@context"}) for n in nodes),
            key=lambda n: str(n.get("id", "")),
        ),
    }
    return (json.dumps(body, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
