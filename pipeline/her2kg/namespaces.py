"""The one place where IRIs and prefixes are declared."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

BASE = "https://w3id.org/her2kg/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")
HK = Namespace(BASE + "ontology#")
VOCAB = Namespace(BASE + "vocab/")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
OBO = Namespace("http://purl.obolibrary.org/obo/")
CITO = Namespace("http://purl.org/spar/cito/")

PREFIXES = {
    "hk": HK,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "void": VOID,
    "dcat": DCAT,
    "oboInOwl": OBOINOWL,
    "obo": OBO,
    "cito": CITO,
}

# Standard identifiers (HGNC, ChEBI, …) become CURIEs and IRIs in identifiers.py, after their
# registry's pattern is checked.


def entity_iri(kind: str, slug: str) -> URIRef:
    """`https://w3id.org/her2kg/<kind>/<slug>`, the IRI of a curated record."""
    return URIRef(f"{BASE}{kind}/{slug}")


def vocab_iri(scheme: str, slug: str) -> URIRef:
    """`https://w3id.org/her2kg/vocab/<scheme>/<slug>`, a value of a controlled vocabulary."""
    return URIRef(f"{VOCAB}{scheme}/{slug}")


def bind_prefixes(graph: Graph, extra: Mapping[str, str] | None = None) -> Graph:
    """`graph` with the project's prefixes bound (and `extra`, e.g. one per kind of record)."""
    for prefix, namespace in {**PREFIXES, **(extra or {})}.items():
        graph.bind(prefix, Namespace(str(namespace)), override=True)
    return graph


def sparql_prologue(extra: Mapping[str, str] | None = None) -> str:
    """`PREFIX p: <ns>` lines for the project's prefixes, so queries copied from the docs run."""
    return "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in {**PREFIXES, **(extra or {})}.items())
