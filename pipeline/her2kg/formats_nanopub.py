"""Every claim as a nanopublication, all of them in one TriG file.

A nanopublication (https://nanopub.net/guidelines/working_draft/) is four named graphs: the head, linking the
assertion, the provenance and the publication info. Here the assertion is the plain triple of a relation claim
that supports it without a hedge (the triple the release states for it), and otherwise the claim's own
statement (its node and the result nodes it holds); the provenance is where the claim was read (source,
section, quote, evidence kind, hedge); the publication info names the licence, the creator, the release and
its date.

A nanopublication's IRI is a hash of its assertion and provenance, so a release mints a new IRI only for a
claim whose content changed; the publication info (release, date) is not part of the hash. The nanopublications
are unsigned. Every triple is written as the release writes it (her2kg.nt's "0.50", not a store's 0.5), so an
assertion's triples are the release's, term for term.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import pyoxigraph

from .export import oxigraph_triples
from .namespaces import BASE, HK
from .triple_index import TripleIndex

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
SUPPORTS, STATED = f"{BASE}vocab/polarity/supports", f"{BASE}vocab/hedge/stated"


def nt(term: object) -> str:
    return str(term)  # pyoxigraph terms print as N-Triples


def triple(s: object, p: object, o: object) -> str:
    return f"{nt(s)} {nt(p)} {nt(o)} ."


def _named(values: dict[str, list[object]], field: str) -> list[str]:
    return [o.value for o in values.get(f"{HK}{field}", []) if isinstance(o, pyoxigraph.NamedNode)]


def release_index(release: str | TripleIndex) -> TripleIndex:
    """The release's triples indexed: as given, or parsed from N-Triples (in any order)."""
    if isinstance(release, TripleIndex):
        return release
    parsed = pyoxigraph.parse(release.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return TripleIndex(oxigraph_triples(q.triple for q in parsed))


def claim_triples(graph: TripleIndex, claim: pyoxigraph.NamedNode) -> tuple[list[str], list[str]]:
    """The assertion's and the provenance's triples of `claim` (the provenance about the placeholder <>)."""
    quads = graph.about(claim)
    values: dict[str, list[object]] = {}
    for q in quads:
        values.setdefault(q.predicate.value, []).append(q.object)
    relation = values.get(f"{HK}claimRelation", [])
    plain = None
    if relation and _named(values, "polarity") == [SUPPORTS] and _named(values, "hedge") == [STATED]:
        (subject,), (object_,) = values[f"{HK}claimSubject"], values[f"{HK}claimObject"]
        plain = pyoxigraph.Triple(subject, pyoxigraph.NamedNode(relation[0].value), object_)  # type: ignore[arg-type,attr-defined]
    if plain is not None and plain in graph:  # a supporting, unhedged claim: the release's plain triple says it all
        assertion = [triple(plain.subject, plain.predicate, plain.object)]
    else:
        assertion = [triple(q.subject, q.predicate, q.object) for q in quads if q.predicate.value not in PROVENANCE]
        for q in quads:
            if q.predicate.value in HOLDS:
                held = q.object
                assert not isinstance(held, pyoxigraph.Literal)  # a claim holds nodes, not literals
                assertion += [triple(i.subject, i.predicate, i.object) for i in graph.about(held)]
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


def header_value(graph: TripleIndex, predicate: str) -> list[object]:
    return [
        q.object
        for q in graph.quads_for_pattern(pyoxigraph.NamedNode(f"{BASE}ontology"), pyoxigraph.NamedNode(predicate), None)
    ]


def nanopubs_trig(release: str | TripleIndex, version: str, issued: str | None) -> bytes:
    """All claims as nanopublications in TriG, sorted by IRI; each graph's triples sorted. `issued` is the
    release date as an N-Triples literal (the ontology header's dcterms:issued without one)."""
    return b"".join(nanopubs_pieces(release, version, issued))


def nanopubs_pieces(release: str | TripleIndex, version: str, issued: str | None) -> Iterator[bytes]:
    """`nanopubs_trig`'s bytes, one nanopublication at a time: a release's file is written as they come, each
    let go of once given (the IRIs are hashes, so every one is made before the first in order is known)."""
    graph = release_index(release)
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
