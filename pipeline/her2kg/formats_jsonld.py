"""The data as JSON-LD, compacted with a published @context so that keys read as words.

her2kg-context.jsonld is the context: our ontology's terms by their local names (`targets`, `statedIn`, with
IRI values as plain strings), `label`, `altLabel`, `definition` and `xref`, and the IRIs of our records as
CURIEs (`her2kg:drug/neratinib`). her2kg.jsonld names the context by its address in the release
and holds one object per node, sorted by id, with the values of each key sorted.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph
from rdflib.namespace import OWL, RDF

from .namespaces import BASE, HK, PREFIXES, bind_prefixes

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


def context(ontology: Graph) -> dict[str, Any]:
    """The @context: the project's prefixes, our terms by local name, object properties with IRI values."""
    terms: dict[str, Any] = {"@vocab": str(HK), "her2kg": BASE, **{p: str(ns) for p, ns in PREFIXES.items()}}
    terms.update(COMMON)
    for prop in sorted(set(ontology.subjects(RDF.type, OWL.ObjectProperty)), key=str):
        if str(prop).startswith(str(HK)):
            terms[str(prop)[len(str(HK)) :]] = {"@id": f"hk:{str(prop)[len(str(HK)) :]}", "@type": "@id"}
    return {"@context": terms}


def _sorted(value: Any) -> Any:
    """JSON-LD values are sets (we write no @list): sort them, so the bytes are the same on every build."""
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return sorted((_sorted(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def context_json(ontology: Graph) -> bytes:
    return (json.dumps(context(ontology), indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def data_jsonld(data: Graph, ontology: Graph, version: str) -> bytes:
    """The data graph compacted with the context; `@context` is the context file's address in the release."""
    ctx = context(ontology)["@context"]
    written = json.loads(bind_prefixes(Graph() + data).serialize(format="json-ld", context=ctx))
    nodes = written.get("@graph", [written])
    body = {
        "@context": f"{BASE}release/{version}/{CONTEXT_FILE}",
        "@graph": sorted(
            (_sorted({k: v for k, v in n.items() if k != "@context"}) for n in nodes),
            key=lambda n: str(n.get("id", "")),
        ),
    }
    return (json.dumps(body, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
