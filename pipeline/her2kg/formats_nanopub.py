"""Every claim as a nanopublication, all of them in one TriG file.

A nanopublication (https://nanopub.net/guidelines/working_draft/) is four named graphs: the head, linking the
assertion, the provenance and the publication info. Here the assertion is the plain triple of a relation claim
that supports it, and otherwise the claim's own statement (its node and the result nodes it holds); the provenance
is where the claim was read (source, section, quote, evidence kind, hedge); the publication info names the
licence, the creator, the release and its date.

A nanopublication's IRI is a hash of its assertion and provenance, so a release mints a new IRI only for a
claim whose content changed; the publication info (release, date) is not part of the hash. The nanopublications
are unsigned.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import pyoxigraph

from .formats_tables import Source, store
from .namespaces import BASE, HK

NP = "http://www.nanopub.org/nschema#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NP_BASE = f"{BASE}np/"
# The claim's provenance: said of the assertion in the provenance graph, not part of the assertion.
PROVENANCE = {f"{HK}{p}": f"{HK}{p}" for p in ("section", "quote", "evidenceKind", "hedge")}
PROVENANCE[f"{HK}statedIn"] = f"{PROV}wasDerivedFrom"
PROVENANCE["http://purl.org/spar/cito/citesAsEvidence"] = "http://purl.org/spar/cito/citesAsEvidence"
HOLDS = {f"{HK}hasArmResult"}  # nodes a claim holds, whose triples belong to its statement
SUPPORTS = f"{BASE}vocab/polarity/supports"


def nt(term: object) -> str:
    return str(term)  # pyoxigraph terms print as N-Triples


def triple(s: object, p: object, o: object) -> str:
    return f"{nt(s)} {nt(p)} {nt(o)} ."


def claim_triples(graph: pyoxigraph.Store, claim: pyoxigraph.NamedNode) -> tuple[list[str], list[str]]:
    """The assertion's and the provenance's triples of `claim` (the provenance about the placeholder <>)."""
    quads = list(graph.quads_for_pattern(claim, None, None))
    values: dict[str, list[object]] = {}
    for q in quads:
        values.setdefault(q.predicate.value, []).append(q.object)
    polarity = [o.value for o in values.get(f"{HK}polarity", []) if isinstance(o, pyoxigraph.NamedNode)]
    relation = values.get(f"{HK}claimRelation", [])
    if relation and polarity == [SUPPORTS]:  # the plain triple says it all
        (subject,), (object_,) = values[f"{HK}claimSubject"], values[f"{HK}claimObject"]
        assertion = [triple(subject, pyoxigraph.NamedNode(relation[0].value), object_)]  # type: ignore[attr-defined]
    else:
        assertion = [triple(q.subject, q.predicate, q.object) for q in quads if q.predicate.value not in PROVENANCE]
        for q in quads:
            if q.predicate.value in HOLDS:
                held = q.object
                assert not isinstance(held, pyoxigraph.Literal)  # a claim holds nodes, not literals
                assertion += [
                    triple(i.subject, i.predicate, i.object) for i in graph.quads_for_pattern(held, None, None)
                ]
    provenance = [
        triple("<assertion>", pyoxigraph.NamedNode(PROVENANCE[q.predicate.value]), q.object)
        for q in quads
        if q.predicate.value in PROVENANCE
    ]
    return sorted(set(assertion)), sorted(set(provenance))


def nanopub_iri(claim: str, assertion: list[str], provenance: list[str]) -> str:
    """The claim's IRI is hashed too: two claims of the same content (one sentence read twice) stay two."""
    parts = ["claim", claim, "assertion", *assertion, "provenance", *provenance]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8"))
    return NP_BASE + base64.urlsafe_b64encode(digest.digest()).decode("ascii").rstrip("=")


def header_value(graph: pyoxigraph.Store, predicate: str) -> list[object]:
    return [
        q.object
        for q in graph.quads_for_pattern(pyoxigraph.NamedNode(f"{BASE}ontology"), pyoxigraph.NamedNode(predicate), None)
    ]


def nanopubs_trig(release: Source, version: str, issued: str | None) -> bytes:
    """All claims as nanopublications in TriG, sorted by IRI; each graph's triples sorted. `issued` is the
    release date as an N-Triples literal (the ontology header's dcterms:issued without one)."""
    return b"".join(nanopubs_pieces(release, version, issued))


def nanopubs_pieces(release: Source, version: str, issued: str | None) -> Iterator[bytes]:
    """`nanopubs_trig`'s bytes, one nanopublication at a time: a release's file is written as they come, each
    let go of once given (the IRIs are hashes, so every one is made before the first in order is known)."""
    graph = store(release)
    licence = header_value(graph, f"{DCTERMS}license")
    creators = header_value(graph, f"{DCTERMS}creator")
    created = issued or next((nt(o) for o in header_value(graph, f"{DCTERMS}issued")), None)
    typed = graph.quads_for_pattern(None, pyoxigraph.NamedNode(RDF_TYPE), pyoxigraph.NamedNode(f"{HK}Claim"))
    claims = sorted({q.subject.value for q in typed if isinstance(q.subject, pyoxigraph.NamedNode)})
    blocks: dict[str, bytes] = {}  # as UTF-8: a million claims' text is held once, compactly
    for iri in claims:
        assertion, provenance = claim_triples(graph, pyoxigraph.NamedNode(iri))
        this = nanopub_iri(iri, assertion, provenance)
        names = {part: f"<{this}#{part}>" for part in ("Head", "assertion", "provenance", "pubinfo")}
        head = [
            f"<{this}> <{RDF_TYPE}> <{NP}Nanopublication> .",
            f"<{this}> <{NP}hasAssertion> {names['assertion']} .",
            f"<{this}> <{NP}hasProvenance> {names['provenance']} .",
            f"<{this}> <{NP}hasPublicationInfo> {names['pubinfo']} .",
        ]
        pubinfo = [f"<{this}> <{DCTERMS}license> {nt(o)} ." for o in licence]
        pubinfo += [f"<{this}> <{DCTERMS}creator> {nt(o)} ." for o in creators]
        pubinfo += [
            f"<{this}> <{DCTERMS}isPartOf> <{BASE}release/{version}> .",
            f"<{this}> <{PROV}wasDerivedFrom> <{iri}> .",
        ]
        if created:
            pubinfo.append(f"<{this}> <{DCTERMS}created> {created} .")
        provenance = [line.replace("<assertion>", names["assertion"], 1) for line in provenance]
        graphs = {"Head": head, "assertion": assertion, "provenance": provenance, "pubinfo": pubinfo}
        blocks[this] = "".join(
            f"{names[part]} {{\n" + "".join(f"  {line}\n" for line in sorted(lines)) + "}\n"
            for part, lines in graphs.items()
        ).encode("utf-8")
    for number, this in enumerate(sorted(blocks)):
        yield b"\n" + blocks.pop(this) if number else blocks.pop(this)
