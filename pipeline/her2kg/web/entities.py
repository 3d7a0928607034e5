"""Dereferenceable IRIs: a page (HTML) or a description (RDF) for every IRI under https://w3id.org/her2kg/,
and the search behind the box on every page.

    GET /<kind>/<slug>            303 See Other to /<kind>/<slug>.html, or .ttl/.nt/.jsonld/.rdf, by the
                                  Accept header or ?format= (a slash IRI names a thing, not a document)
    GET /<kind>/<slug>.<ext>      the document: HTML page, or the triples about the IRI (out and in)
    GET /vocab/<scheme>/<slug>    the same for a controlled-vocabulary value
    GET /ontology[.<ext>]         the ontology (a hash namespace: answered directly, 200, Vary: Accept);
    GET /ontology/<version>       its version IRI answers the same
    GET /ontology/<Term>[.<ext>]  a class or property page (the term is https://w3id.org/her2kg/ontology#Term)
    GET /search?q=                search results as a page
    GET /api/search?q=            the same as JSON: label, synonym, identifier; ranked

Every query runs through the server's backend (the worker pool of /sparql) with the IRI or the search
text bound as a term (`substitutions`), never pasted into the query text. Every string from the data
is escaped with html.escape before it reaches a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote, urlencode

import bioregistry
import pyoxigraph
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import NotAcceptableError, NotFoundError, UsageError
from ..namespaces import BASE, HK, ONTOLOGY_IRI, sparql_prologue
from ..results import MEDIA_TYPES, accepted, negotiate
from ..schema import KIND_PREFIXES
from . import pictures
from .app import State
from .links import SERVER, Links
from .pages import SECURITY_HEADERS

TEMPLATE = Template((Path(__file__).parent / "templates" / "entity.html").read_text(encoding="utf-8"))
# File extension ↔ format (a key of results.MEDIA_TYPES, or html).
EXTENSIONS = {"html": "html", "ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld", "rdf": "rdfxml"}
FORMAT_NAMES = {
    **{ext: fmt for ext, fmt in EXTENSIONS.items()},
    **{fmt: fmt for fmt in EXTENSIONS.values()},
    "json-ld": "jsonld",
    "n-triples": "ntriples",
    "xml": "rdfxml",
    "rdf-xml": "rdfxml",
    "owl": "rdfxml",
}
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
VERSION = re.compile(r"\d+(\.\d+)*")
SEARCH_LIMIT = 25
INSTANCE_LIMIT = 500
VALUES_SHOWN = 100  # values listed per property on a page
CLAIMS_SHOWN = 300  # claims listed on a vocabulary value's page ('supports' has thousands); others list all
PROLOGUE = sparql_prologue()
THIS = pyoxigraph.Variable("this")

# --- the queries: ?this (or ?q) is bound as a term, never written into the text (a bound variable
# must be projected: pyoxigraph substitutes only variables of the projection) --------------------

EXISTS = "ASK { { ?this ?p ?o } UNION { ?s ?p ?this } }"
DESCRIBE = "CONSTRUCT { ?this ?p ?o . ?s ?q ?this } WHERE { { ?this ?p ?o } UNION { ?s ?q ?this } }"
OUTGOING = """SELECT ?this ?p ?plabel ?o ?olabel WHERE {
  ?this ?p ?o .
  OPTIONAL { ?p rdfs:label ?plabel } OPTIONAL { ?o rdfs:label ?olabel }
}"""
INCOMING = """SELECT ?this ?s ?slabel ?p ?plabel WHERE {
  ?s ?p ?this .
  FILTER NOT EXISTS { ?s a hk:Claim }
  OPTIONAL { ?p rdfs:label ?plabel } OPTIONAL { ?s rdfs:label ?slabel }
}"""
CLAIMS = """SELECT ?this ?claim ?role ?rolelabel ?quote ?hedge ?polarity ?evidence ?source ?sourcelabel ?section WHERE {
  ?claim a hk:Claim ; ?role ?this .
  OPTIONAL { ?role rdfs:label ?rolelabel }
  OPTIONAL { ?claim hk:quote ?quote }
  OPTIONAL { ?claim hk:hedge ?hedge }
  OPTIONAL { ?claim hk:polarity ?polarity }
  OPTIONAL { ?claim hk:evidenceKind ?evidence }
  OPTIONAL { ?claim hk:statedIn ?source OPTIONAL { ?source rdfs:label ?sourcelabel } }
  OPTIONAL { ?claim hk:section ?section }
}"""
ARMS = """SELECT ?this ?arm ?label ?drug ?druglabel WHERE {
  ?arm hk:armOf ?this . OPTIONAL { ?arm rdfs:label ?label }
  OPTIONAL { ?arm hk:armIntervention ?drug OPTIONAL { ?drug rdfs:label ?druglabel } }
}"""
OUTCOMES = """SELECT ?this ?outcome ?endpoint ?subgroup ?analysis ?hr ?low ?high ?p ?polarity ?source WHERE {
  ?outcome hk:ofStudy ?this .
  OPTIONAL { ?outcome hk:endpoint/rdfs:label ?endpoint }
  OPTIONAL { ?outcome hk:inSubgroup/rdfs:label ?subgroup }
  OPTIONAL { ?outcome hk:analysis ?analysis }
  OPTIONAL { ?outcome hk:hazardRatio ?hr } OPTIONAL { ?outcome hk:ciLower ?low } OPTIONAL { ?outcome hk:ciUpper ?high }
  OPTIONAL { ?outcome hk:pValue ?p } OPTIONAL { ?outcome hk:polarity ?polarity }
  OPTIONAL { ?outcome hk:statedIn ?source }
}"""
STRATEGY_TRIALS = """SELECT ?this ?strategy ?slabel ?trial ?tlabel WHERE {
  ?strategy hk:overcomes|hk:proposedAgainst ?this ; hk:testedIn ?trial .
  OPTIONAL { ?strategy rdfs:label ?slabel } OPTIONAL { ?trial rdfs:label ?tlabel }
}"""
DRUG_MECHANISMS = """SELECT ?this ?mechanism ?label ?via ?vialabel WHERE {
  { ?mechanism hk:confersResistanceTo ?this }
  UNION { ?this hk:inClass/hk:broaderClass* ?via . ?mechanism hk:confersResistanceTo ?via OPTIONAL { ?via rdfs:label ?vialabel } }
  ?mechanism a hk:ResistanceMechanism .
  FILTER NOT EXISTS { ?mechanism hk:spares ?this }
  OPTIONAL { ?mechanism rdfs:label ?label }
}"""
LABEL = "SELECT ?this ?label WHERE { ?this rdfs:label ?label }"
INSTANCES = """SELECT ?this ?s ?label WHERE { ?s a ?this . OPTIONAL { ?s rdfs:label ?label } }"""
USES = """SELECT ?this (COUNT(*) AS ?n) WHERE { ?s ?this ?o } GROUP BY ?this"""
# Search: each text a record is known by, with what kind of name it is.
NAMED_BY = """VALUES (?name ?how) { (rdfs:label "label") (skos:prefLabel "label") (skos:altLabel "synonym")
                        (oboInOwl:hasExactSynonym "synonym") (oboInOwl:hasRelatedSynonym "synonym")
                        (oboInOwl:hasDbXref "identifier") (dcterms:identifier "identifier") }
  ?s ?name ?v ."""
SEARCH = f"""SELECT ?q ?s ?v ?how ?label WHERE {{
  {NAMED_BY}
  FILTER(isIRI(?s) && CONTAINS(LCASE(STR(?v)), ?q))
  OPTIONAL {{ ?s rdfs:label ?label }}
}}"""


# --- IRIs and links ------------------------------------------------------------------------------


def href(iri: str) -> str:
    """Where a page links to an IRI: our own IRIs to their path on this server, others as they are."""
    if not iri.startswith(BASE):
        return iri
    local = iri[len(BASE) :]
    if local.startswith("ontology#"):
        return "/ontology/" + quote(local[len("ontology#") :])
    return "/" + quote(local, safe="/")


def curie_link(xref: str) -> str | None:
    """A registry's page for a CURIE (oboInOwl:hasDbXref "CHEBI:61397"), resolved by bioregistry."""
    prefix, _, local = xref.partition(":")
    return bioregistry.get_iri(prefix, local) if local else None


def _value(term: Any) -> str:
    return "" if term is None else str(term.value)


def _short(iri: str) -> str:
    """A readable name for an IRI that has no label: its last segment."""
    return re.split(r"[#/]", iri.rstrip("/"))[-1] or iri


def link(iri: str, label: str | None, links: Links) -> str:
    return f'<a href="{escape(links(href(iri)))}">{escape(label or _short(iri))}</a>'


def show(term: Any, label: Any, links: Links) -> str:
    """A term in a page: an IRI as a link (with its label when it has one), a literal as text."""
    if isinstance(term, pyoxigraph.NamedNode):
        return link(term.value, _value(label) or None, links)
    if isinstance(term, pyoxigraph.BlankNode):
        return '<span class="bnode">(anonymous)</span>'
    return escape(_value(term))


# --- running queries -----------------------------------------------------------------------------


def _rows(state: State, text: str, bindings: dict) -> list[dict[str, Any]]:
    config = state.config
    with state.backend.execute(PROLOGUE + text, substitutions=bindings, timeout=config.timeout, max_rows=0) as results:
        if results.kind == "boolean":
            return [{"answer": results.boolean}]
        if results.kind == "graph":
            return [{"triple": pyoxigraph.Triple(*row)} for row in results]  # type: ignore[arg-type]
        return list(results.mappings())


async def rows(state: State, text: str, this: str | None = None, **bindings: Any) -> list[dict[str, Any]]:
    """A query's answer as rows, run off the event loop through the server's backend."""
    terms = {pyoxigraph.Variable(name): value for name, value in bindings.items()}
    if this is not None:
        terms[THIS] = pyoxigraph.NamedNode(this)
    return await run_in_threadpool(_rows, state, text, terms)


# --- formats -------------------------------------------------------------------------------------


def wanted_format(request: Request) -> str:
    """html or an RDF format (a key of MEDIA_TYPES): ?format= first, then the Accept header; a browser
    (text/html) gets the page."""
    given = request.query_params.get("format")
    if given is not None:
        if given.lower() not in FORMAT_NAMES:
            raise UsageError(f"unknown format {given!r}: use one of {', '.join(EXTENSIONS)}")
        return FORMAT_NAMES[given.lower()]
    accept = request.headers.get("accept") or ""
    html_quality = _quality(accept, "text/html")
    rdf = negotiate(accept, "graph", strict=True)
    if rdf is not None and _quality(accept, MEDIA_TYPES[rdf]) > html_quality:
        return rdf
    if html_quality > 0 or not accept.strip() or "*/*" in accept:
        return "html"
    if rdf is None:
        raise NotAcceptableError(
            f"this IRI is described in HTML or RDF: accept text/html or one of "
            f"{', '.join(MEDIA_TYPES[f] for f in EXTENSIONS.values() if f != 'html')}"
        )
    return rdf


def _quality(accept: str, media: str) -> float:
    """The best quality the Accept header gives `media` (XHTML counts as HTML)."""
    aliases = {media, "application/xhtml+xml"} if media == "text/html" else {media}
    return max((quality for name, quality in accepted(accept) if name in aliases), default=0.0)


def _extension(fmt: str) -> str:
    return next(ext for ext, f in EXTENSIONS.items() if f == fmt)


def rdf_bytes(triples: Iterable[pyoxigraph.Triple], fmt: str) -> bytes:
    from ..sparql import QUERY_PREFIXES

    prefixes = QUERY_PREFIXES if fmt in ("turtle", "jsonld") else None
    return pyoxigraph.serialize(list(triples), format=_pyox_format(fmt), prefixes=prefixes) or b""


def _data_response(body: bytes, fmt: str) -> Response:
    return Response(body, media_type=MEDIA_TYPES[fmt] + "; charset=utf-8", headers={"Vary": "Accept"})


def _pyox_format(fmt: str) -> pyoxigraph.RdfFormat:
    from ..results import RDF_FORMATS

    return RDF_FORMATS[fmt]


def render_page(title: str, body: str, links: Links, *, query: str = "", data: str = "") -> str:
    """A whole page around `body`: header with the search box, footer with the page's data versions
    (the documents of the site path `data`, when it has them). Every link goes through `links`."""
    alternates = _alternates(data, links) if data else []
    if alternates:
        formats = "This page as data: " + " · ".join(f'<a href="{href_}">{ext}</a>' for ext, href_, _ in alternates)
    elif links.offers("/sparql"):
        formats = f'Also as <a href="{escape(links("/sparql"))}">SPARQL</a>.'
    else:
        formats = ""
    return TEMPLATE.substitute(
        title=escape(title),
        body=body,
        query=escape(query),
        alternates="\n".join(f'<link rel="alternate" type="{media}" href="{href_}">' for _, href_, media in alternates),
        formats=formats,
        css=escape(links("/static/her2kg.css")),
        home=escape(links("/")),
        ontology=escape(links("/ontology")),
        search=escape(links("/search")),
        search_script=(
            f'<script src="{escape(links("/search-index.js"))}" defer></script>'
            f'<script src="{escape(links("/static/search.js"))}" defer></script>'
            if links.static
            else ""
        ),
    )


def html_response(page: str, status: int = 200) -> Response:
    return HTMLResponse(page, status_code=status, headers={**SECURITY_HEADERS, "Vary": "Accept"})


def _alternates(path: str, links: Links) -> list[tuple[str, str, str]]:
    """The data versions of the page at `path`: (extension, escaped link, media type)."""
    return [(ext, escape(links(f"{path}.{ext}")), MEDIA_TYPES[fmt]) for ext, fmt in EXTENSIONS.items() if fmt != "html"]


# --- entity pages --------------------------------------------------------------------------------

POLARITY_CLASS = {"supports": "supports", "no-effect": "negative", "contradicts": "negative"}
HEDGED = {"possible", "suggested", "hypothesised"}


@dataclass
class Entity:
    iri: str
    outgoing: list[dict[str, Any]]
    incoming: list[dict[str, Any]]
    claims: list[dict[str, Any]]

    def values(self, predicate: str) -> list[Any]:
        return [row["o"] for row in self.outgoing if _value(row["p"]) == predicate]

    @property
    def label(self) -> str:
        labels = sorted(_value(v) for v in self.values(str(RDFS.label)))
        return labels[0] if labels else _short(self.iri)

    @property
    def types(self) -> list[dict[str, Any]]:
        return [
            row
            for row in self.outgoing
            if _value(row["p"]) == str(RDF.type) and _value(row["o"]) != str(OWL.NamedIndividual)
        ]


async def entity(state: State, iri: str) -> Entity:
    if not (await rows(state, EXISTS, iri))[0]["answer"]:
        kind = iri[len(BASE) :].split("/", maxsplit=1)[0]
        raise NotFoundError(
            f"nothing is known about {iri} — search for it at /search?q=, or list the {kind} records at /sparql"
        )
    return Entity(
        iri, await rows(state, OUTGOING, iri), await rows(state, INCOMING, iri), await rows(state, CLAIMS, iri)
    )


SHOWN_APART = {
    str(RDFS.label),
    str(RDF.type),
    str(SKOS.altLabel),
    "http://www.geneontology.org/formats/oboInOwl#hasDbXref",
    str(SKOS.definition),
}


def render_entity(item: Entity, links: Links, extra: str = "", claims_shown: int | None = None) -> str:
    parts = [f"<h1>{escape(item.label)}</h1>", f'<p class="iri"><code>{escape(item.iri)}</code></p>']
    if item.types:
        parts.append(
            '<p class="types">' + ", ".join(show(r["o"], r["olabel"], links) for r in _unique(item.types, "o")) + "</p>"
        )
    for definition in item.values(str(SKOS.definition)):
        parts.append(f'<p class="definition">{escape(_value(definition))}</p>')
    synonyms = sorted({_value(v) for v in item.values(str(SKOS.altLabel))} - {item.label})
    if synonyms:
        parts.append('<p class="synonyms">Also called: ' + ", ".join(escape(s) for s in synonyms) + "</p>")
    xrefs = sorted({_value(v) for v in item.values("http://www.geneontology.org/formats/oboInOwl#hasDbXref")})
    if xrefs:
        items = []
        for xref in xrefs:
            target = curie_link(xref)
            items.append(
                f'<li><a href="{escape(target)}" rel="external">{escape(xref)}</a></li>'
                if target
                else f"<li>{escape(xref)}</li>"
            )
        parts.append('<section class="identifiers"><h2>Identifiers</h2><ul>' + "".join(items) + "</ul></section>")
    parts.append(extra)
    outgoing = [r for r in item.outgoing if _value(r["p"]) not in SHOWN_APART]
    if outgoing:
        parts.append("<section><h2>Relations</h2>" + _grouped(outgoing, "o", "olabel", links) + "</section>")
    if item.incoming:
        parts.append("<section><h2>Referred to by</h2>" + _grouped(item.incoming, "s", "slabel", links) + "</section>")
    if item.claims:
        parts.append(render_claims(item.claims, links, claims_shown))
    return "\n".join(parts)


def _unique(found: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    seen, kept = set(), []
    for row in found:
        if row[key] not in seen:
            seen.add(row[key])
            kept.append(row)
    return kept


def _grouped(found: list[dict[str, Any]], key: str, label: str, links: Links) -> str:
    """Relations as a definition list, one entry per property, its values sorted by label."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in found:
        groups.setdefault(row["p"], []).append(row)
    out = ['<dl class="relations">']
    for predicate in sorted(groups, key=lambda p: _short(_value(p)).casefold()):
        values = groups[predicate]
        names: dict[Any, Any] = {}
        for row in values:
            names.setdefault(row[key], row[label])
        plabel = next((_value(r["plabel"]) for r in values if r["plabel"] is not None), None)
        out.append(f"<dt>{link(_value(predicate), plabel, links)}</dt>")
        shown = sorted(names.items(), key=lambda kv: (_value(kv[1]) or _value(kv[0])).casefold())
        out.append("<dd>" + "</dd><dd>".join(show(term, name, links) for term, name in shown[:VALUES_SHOWN]) + "</dd>")
        if len(shown) > VALUES_SHOWN:  # a vocabulary value is used by thousands: the page stays readable
            out.append(f'<dd class="more">… and {len(shown) - VALUES_SHOWN:,} more (ask /sparql for all)</dd>')
    out.append("</dl>")
    return "".join(out)


def render_claims(claims: list[dict[str, Any]], links: Links, limit: int | None = None) -> str:
    """Every claim about the entity: quote, hedge, evidence kind, polarity, source — supporting,
    negative and hedged claims marked apart (a class, a word and a colour, not colour alone)."""
    merged: dict[str, dict[str, Any]] = {}
    for row in claims:
        claim = merged.setdefault(_value(row["claim"]), {**row, "quotes": set(), "roles": set()})
        if row["quote"] is not None:
            claim["quotes"].add(_value(row["quote"]))
        claim["roles"].add(_value(row["rolelabel"]) or _short(_value(row["role"])))
    out = [f'<section class="claims"><h2>Claims ({len(merged)})</h2><ul>']
    for iri, claim in sorted(merged.items())[:limit]:
        polarity = _short(_value(claim["polarity"])) if claim["polarity"] is not None else "unstated"
        hedge = _short(_value(claim["hedge"])) if claim["hedge"] is not None else ""
        kind = POLARITY_CLASS.get(polarity, "unstated")
        classes = f"claim {kind}" + (" hedged" if hedge in HEDGED else "")
        quotes = "".join(f"<blockquote>{escape(q)}</blockquote>" for q in sorted(claim["quotes"]))
        source = show(claim["source"], claim["sourcelabel"], links) if claim["source"] is not None else "no source"
        section = f", {escape(_value(claim['section']))}" if claim["section"] is not None else ""
        out.append(
            f'<li class="{classes}"><p class="verdict"><span class="polarity">{escape(polarity)}</span>'
            f"{f' <span class=hedge>{escape(hedge)}</span>' if hedge else ''} · "
            f"{escape(_short(_value(claim['evidence'])) if claim['evidence'] is not None else '')} · "
            f"as {escape(', '.join(sorted(claim['roles'])))} · {link(iri, _short(iri), links)}</p>"
            f'{quotes}<p class="source">Source: {source}{section}</p></li>'
        )
    out.append("</ul>")
    if limit is not None and len(merged) > limit:
        out.append(f'<p class="more">… and {len(merged) - limit:,} more claims (ask /sparql for all)</p>')
    out.append("</section>")
    return "".join(out)


async def trial_extra(state: State, iri: str, links: Links) -> str:
    """A trial's arms and its outcomes as a table."""
    arms: dict[str, dict[str, Any]] = {}
    for row in await rows(state, ARMS, iri):
        arm = arms.setdefault(_value(row["arm"]), {"label": row["label"], "drugs": {}})
        if row["drug"] is not None:
            arm["drugs"][row["drug"]] = row["druglabel"]
    parts = []
    if arms:
        parts.append(
            "<section><h2>Arms</h2><ul>"
            + "".join(
                f"<li>{link(a, _value(arm['label']) or None, links)}: "
                + ", ".join(show(d, dl, links) for d, dl in arm["drugs"].items())
                + "</li>"
                for a, arm in sorted(arms.items())
            )
            + "</ul></section>"
        )
    outcomes = _unique(await rows(state, OUTCOMES, iri), "outcome")
    if outcomes:
        head = ("Outcome", "Endpoint", "Subgroup", "Analysis", "HR", "95% CI", "p", "Polarity", "Source")
        body = []
        for row in sorted(outcomes, key=lambda r: (_value(r["endpoint"]), _value(r["subgroup"]), _value(r["outcome"]))):
            ci = f"{_value(row['low'])}–{_value(row['high'])}" if row["low"] is not None else ""
            cells = (
                link(_value(row["outcome"]), None, links),
                show(row["endpoint"], None, links),
                show(row["subgroup"], None, links),
                show(row["analysis"], None, links),
                show(row["hr"], None, links),
                escape(ci),
                show(row["p"], None, links),
                escape(_short(_value(row["polarity"]))) if row["polarity"] is not None else "",
                show(row["source"], None, links),
            )
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append(
            '<section><h2>Outcomes</h2><div class="table-wrap"><table class="outcomes"><thead><tr>'
            + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead><tbody>"
            + "".join(body)
            + "</tbody></table></div></section>"
        )
    return "".join(parts)


async def mechanism_extra(state: State, iri: str, links: Links) -> str:
    """The strategies proposed against a mechanism and the trials that tested them: the way from a
    mechanism to clinical evidence."""
    strategies: dict[Any, dict[str, Any]] = {}
    for row in await rows(state, STRATEGY_TRIALS, iri):
        strategy = strategies.setdefault(row["strategy"], {"label": row["slabel"], "trials": {}})
        strategy["trials"][row["trial"]] = row["tlabel"]
    if not strategies:
        return ""
    items = sorted(strategies.items(), key=lambda kv: (_value(kv[1]["label"]) or _value(kv[0])).casefold())
    return (
        "<section><h2>Strategies against it, and their trials</h2><ul>"
        + "".join(
            f"<li>{show(term, strategy['label'], links)} — tested in "
            + ", ".join(
                show(t, tl, links) for t, tl in sorted(strategy["trials"].items(), key=lambda kv: _value(kv[0]))
            )
            + "</li>"
            for term, strategy in items
        )
        + "</ul></section>"
    )


async def drug_extra(state: State, iri: str, links: Links) -> str:
    """The resistance mechanisms that affect a drug: directly, or through a class it belongs to."""
    mechanisms: dict[Any, dict[str, Any]] = {}
    for row in await rows(state, DRUG_MECHANISMS, iri):
        found = mechanisms.setdefault(row["mechanism"], {"label": row["label"], "via": {}})
        if row["via"] is not None:
            found["via"][row["via"]] = row["vialabel"]
    if not mechanisms:
        return ""
    items = sorted(mechanisms.items(), key=lambda kv: (_value(kv[1]["label"]) or _value(kv[0])).casefold())
    return (
        f'<section class="mechanisms"><h2>Resistance mechanisms ({len(items)})</h2><ul class="columns">'
        + "".join(
            f"<li>{show(term, found['label'], links)}"
            + (
                " <small>through "
                + ", ".join(show(c, cl, links) for c, cl in sorted(found["via"].items()))
                + "</small>"
                if found["via"]
                else ""
            )
            + "</li>"
            for term, found in items
        )
        + "</ul></section>"
    )


PICTURE_TITLES = {"forest": "Hazard ratios", "neighbourhood": "Neighbourhood"}


def _run(state: State) -> pictures.Run:
    """The pictures' queries through the server's backend, ?this bound to the record."""
    return lambda text, iri: _rows(state, text, {THIS: pyoxigraph.NamedNode(iri)})


async def pictures_html(state: State, iri: str, path: str, label: str, links: Links) -> str:
    """The record's pictures as <img> (files at /<kind>/<slug>/<name>.svg) with a download link;
    nothing for a picture without data, so a page never shows a broken image."""
    kind = path.split("/")[1]
    parts = []
    for name, kinds in pictures.PICTURES.items():
        if kind not in kinds or not await run_in_threadpool(pictures.has_picture, _run(state), iri, name):
            continue
        source = escape(links(f"{path}/{name}.svg"))
        what = (
            "hazard ratios with 95% confidence intervals"
            if name == "forest"
            else "targets, resistance mechanisms and strategies"
        )
        parts.append(
            f'<section class="picture" id="{name}"><h2>{PICTURE_TITLES[name]}</h2><figure>'
            f'<img src="{source}" alt="{escape(f"{PICTURE_TITLES[name]} of {label}: {what}")}">'
            f'<figcaption><a href="{source}" download>Download the picture (SVG)</a></figcaption></figure></section>'
        )
    return "".join(parts)


async def record_page(state: State, iri: str, path: str, links: Links) -> str:
    """The HTML page of the record `iri` (site path `path`, such as /drug/neratinib)."""
    item = await entity(state, iri)
    extra = ""
    if iri.startswith(BASE + "trial/"):
        extra = await trial_extra(state, iri, links)
    elif iri.startswith(BASE + "mechanism/"):
        extra = await mechanism_extra(state, iri, links)
    elif iri.startswith(BASE + "drug/"):
        extra = await drug_extra(state, iri, links)
    extra = await pictures_html(state, iri, path, item.label, links) + extra
    shown = CLAIMS_SHOWN if iri.startswith(BASE + "vocab/") else None
    return render_page(item.label, render_entity(item, links, extra, shown), links, data=path)


async def record_data(state: State, iri: str, fmt: str) -> bytes:
    """The triples about the record `iri` (out and in) in an RDF format (a key of MEDIA_TYPES)."""
    if not (await rows(state, EXISTS, iri))[0]["answer"]:
        raise NotFoundError(f"nothing is known about {iri}")
    return rdf_bytes((r["triple"] for r in await rows(state, DESCRIBE, iri)), fmt)


async def record_document(request: Request, iri: str, path: str, fmt: str) -> Response:
    state: State = request.app.state.her2kg
    if fmt != "html":
        return _data_response(await record_data(state, iri, fmt), fmt)
    return html_response(await record_page(state, iri, path, SERVER))


def _label(state: State, iri: str) -> str:
    labels = sorted(_value(r["label"]) for r in _rows(state, LABEL, {THIS: pyoxigraph.NamedNode(iri)}))
    return labels[0] if labels else _short(iri)


def picture_svg(state: State, iri: str, name: str) -> str | None:
    """The picture `name` of the record `iri` as SVG text; None when it has nothing to draw."""
    return pictures.picture_svg(_run(state), iri, name, _label(state, iri))


async def picture(request: Request) -> Response:
    """/<kind>/<slug>/<name>.svg: a record's picture."""
    kind, slug, name = (request.path_params[k] for k in ("kind", "slug", "name"))
    if kind not in pictures.PICTURES.get(name, ()):
        raise NotFoundError(
            f"no picture at {request.url.path}: "
            + "; ".join(f"{n}.svg for a {', '.join(kinds)}" for n, kinds in pictures.PICTURES.items())
        )
    state: State = request.app.state.her2kg
    iri = BASE + f"{kind}/{slug}"
    if not (await rows(state, EXISTS, iri))[0]["answer"]:
        raise NotFoundError(f"nothing is known about {iri}")
    svg = await run_in_threadpool(picture_svg, state, iri, name)
    if svg is None:
        raise NotFoundError(f"{iri} has nothing to draw as {name}.svg (no hazard ratios, or no neighbours)")
    return Response(svg, media_type="image/svg+xml", headers=SECURITY_HEADERS)


def _split(name: str) -> tuple[str, str | None]:
    """`slug.ext` → (slug, format); a bare slug → (slug, None). Slugs never hold a dot."""
    stem, dot, ext = name.rpartition(".")
    if dot and ext in EXTENSIONS and "/" not in ext:
        return stem, EXTENSIONS[ext]
    return name, None


async def record(request: Request) -> Response:
    kind, rest = request.path_params["kind"], request.path_params["rest"]
    if kind != "vocab" and kind not in KIND_PREFIXES:
        raise NotFoundError(
            f"no page at {request.url.path}: IRIs here are /<kind>/<slug> with a kind among "
            f"{', '.join(sorted(KIND_PREFIXES))}, vocab, ontology"
        )
    if any(segment in ("", ".", "..") for segment in rest.split("/")):
        # A dot segment would make the redirect below point outside /<kind>/ (path traversal).
        raise NotFoundError(f"no page at {request.url.path}: a record's path has no empty, '.' or '..' segment")
    slug, fmt = _split(rest)
    path = f"/{kind}/{slug}"
    iri = BASE + f"{kind}/{slug}"
    if fmt is None:  # the IRI of a thing: 303 to the document describing it, in the format wanted
        return RedirectResponse(
            f"{quote(path, safe='/')}.{_extension(wanted_format(request))}", status_code=303, headers={"Vary": "Accept"}
        )
    return await record_document(request, iri, path, fmt)


# --- the ontology --------------------------------------------------------------------------------


@cache
def ontology_graph() -> Graph:
    from ..ontology import Ontology

    return Ontology().graph


def _rdflib_response(graph: Graph, fmt: str) -> Response:
    body = graph.serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8")
    return Response(body, media_type=MEDIA_TYPES[fmt] + "; charset=utf-8", headers={"Vary": "Accept"})


def _term_link(term: Any, graph: Graph, links: Links) -> str:
    if isinstance(term, URIRef):
        label = graph.value(term, RDFS.label)
        return link(str(term), str(label) if label is not None else None, links)
    return '<span class="bnode">(an expression)</span>'


async def ontology(request: Request) -> Response:
    """/ontology, /ontology.<ext>, the version IRI /ontology/<version>, and /ontology/<Term>[.<ext>]."""
    name = request.path_params.get("name")
    fmt = EXTENSIONS.get(request.path_params.get("ext", ""))
    if name:
        name, fmt = _split(name)
        if not VERSION.fullmatch(name):
            return await term_page(request, name, fmt)
    elif "ext" in request.path_params and fmt is None:
        raise NotFoundError(f"no {request.url.path}: the ontology is offered as {', '.join(EXTENSIONS)}")
    fmt = fmt or wanted_format(request)
    if fmt != "html":
        return _rdflib_response(ontology_graph(), fmt)
    return html_response(ontology_page(SERVER))


def ontology_page(links: Links) -> str:
    """The ontology's page: its description and every class and property, linked to their pages."""
    graph = ontology_graph()
    kinds = [
        ("Classes", OWL.Class),
        ("Object properties", OWL.ObjectProperty),
        ("Data properties", OWL.DatatypeProperty),
        ("Annotation properties", OWL.AnnotationProperty),
    ]
    parts = [
        f"<h1>{escape(str(graph.value(ONTOLOGY_IRI, RDFS.label) or 'her2kg ontology'))}</h1>",
        f'<p class="iri"><code>{escape(str(ONTOLOGY_IRI))}</code>',
        f" version <code>{escape(str(graph.value(ONTOLOGY_IRI, OWL.versionIRI) or ''))}</code></p>",
    ]
    for description in graph.objects(ONTOLOGY_IRI, SKOS.definition | RDFS.comment):
        parts.append(f"<p>{escape(str(description))}</p>")
    for title, owl_type in kinds:
        terms = sorted(
            (t for t in graph.subjects(RDF.type, owl_type) if str(t).startswith(str(HK))),
            key=lambda t: str(t).casefold(),
        )
        if terms:
            parts.append(
                f'<section><h2>{title} ({len(terms)})</h2><ul class="columns">'
                + "".join(f"<li>{_term_link(t, graph, links)}</li>" for t in terms)
                + "</ul></section>"
            )
    return render_page("ontology", "".join(parts), links, data="/ontology")


async def term_page(request: Request, name: str, fmt: str | None) -> Response:
    """A class or property of the ontology: its definition, alignments, hierarchy, domain and range,
    and its instances (or uses) in the graph with counts."""
    graph = ontology_graph()
    if (HK[name], None, None) not in graph:
        raise NotFoundError(f"the ontology has no term {name!r} — the ontology's terms are listed at /ontology")
    fmt = fmt or wanted_format(request)
    if fmt != "html":
        return _rdflib_response(term_graph(name), fmt)
    return html_response(await term_html(request.app.state.her2kg, name, SERVER))


def term_graph(name: str) -> Graph:
    """The ontology's triples about its term `name`, out and in."""
    graph, term = ontology_graph(), HK[name]
    described = Graph()
    for triple in graph.triples((term, None, None)):
        described.add(triple)
    for triple in graph.triples((None, None, term)):
        described.add(triple)
    return described


async def term_html(state: State, name: str, links: Links) -> str:
    """The page of the ontology's term `name` (a class or a property)."""
    graph = ontology_graph()
    term = HK[name]
    label = str(graph.value(term, RDFS.label) or name)
    types = [t for t in graph.objects(term, RDF.type)]
    parts = [
        f"<h1>{escape(label)}</h1>",
        f'<p class="iri"><code>{escape(str(term))}</code></p>',
        '<p class="types">' + ", ".join(escape(_short(str(t))) for t in types) + "</p>",
    ]
    for predicate in (SKOS.definition, RDFS.comment):
        for text in graph.objects(term, predicate):
            parts.append(f'<p class="definition">{escape(str(text))}</p>')
    sections = [
        ("Superclasses", graph.objects(term, RDFS.subClassOf)),
        ("Subclasses", graph.subjects(RDFS.subClassOf, term)),
        ("Equivalent to", graph.objects(term, OWL.equivalentClass)),
        ("Super-properties", graph.objects(term, RDFS.subPropertyOf)),
        ("Sub-properties", graph.subjects(RDFS.subPropertyOf, term)),
        ("Inverse of", graph.objects(term, OWL.inverseOf)),
        ("Domain", graph.objects(term, RDFS.domain)),
        ("Range", graph.objects(term, RDFS.range)),
        ("Used as domain of", graph.subjects(RDFS.domain, term)),
        ("Used as range of", graph.subjects(RDFS.range, term)),
    ]
    alignments = [
        (SKOS.exactMatch, "exact match"),
        (SKOS.closeMatch, "close match"),
        (SKOS.broadMatch, "broader match"),
        (SKOS.narrowMatch, "narrower match"),
        (SKOS.relatedMatch, "related match"),
    ]
    dl = []
    for title, found in sections:
        terms = sorted(set(found), key=str)
        if terms:
            dl.append(f"<dt>{title}</dt>" + "".join(f"<dd>{_term_link(t, graph, links)}</dd>" for t in terms))
    for predicate, title in alignments:
        for target in sorted(graph.objects(term, predicate), key=str):
            dl.append(
                f'<dt>{title}</dt><dd><a href="{escape(str(target))}" rel="external">{escape(str(target))}</a></dd>'
            )
    if dl:
        parts.append('<dl class="relations">' + "".join(dl) + "</dl>")
    if OWL.Class in types:
        instances = _unique(await rows(state, INSTANCES, str(term)), "s")
        parts.append(
            f'<section><h2>Instances ({len(instances)})</h2><ul class="columns">'
            + "".join(
                f"<li>{show(r['s'], r['label'], links)}</li>"
                for r in sorted(instances, key=lambda r: (_value(r["label"]) or _value(r["s"])).casefold())[
                    :INSTANCE_LIMIT
                ]
            )
            + "</ul></section>"
        )
    else:
        counted = await rows(state, USES, str(term))  # no row when it is used nowhere (GROUP BY of nothing)
        uses = _value(counted[0]["n"]) if counted else "0"
        parts.append(f"<p>Used in {escape(uses)} statements of the graph.</p>")
    return render_page(label, "".join(parts), links, data=f"/ontology/{quote(name)}")


# --- search --------------------------------------------------------------------------------------

HOW_RANK = {"label": 0, "synonym": 1, "identifier": 2}


def rank(query: str, text: str) -> int:
    """How well `text` matches `query` (lower is better): exact, prefix, a word's prefix, substring."""
    text, query = text.casefold(), query.casefold()
    if text == query:
        return 0
    if text.startswith(query):
        return 1
    if re.search(r"(^|[\s\-_:/(])" + re.escape(query), text):
        return 2
    return 3


async def search(state: State, query: str) -> list[dict[str, str]]:
    """Records whose label, synonym or identifier contains `query` (case-insensitive), best first:
    by how the text matches, then label before synonym before identifier, then the shorter name."""
    query = query.strip()
    if not query:
        return []
    best: dict[str, tuple[tuple, dict[str, str]]] = {}
    for row in await rows(state, SEARCH, q=pyoxigraph.Literal(query.casefold())):
        iri, matched, how = _value(row["s"]), _value(row["v"]), _value(row["how"])
        label = _value(row["label"]) or _short(iri)
        key = (rank(query, matched), HOW_RANK[how], len(label), label.casefold(), iri)
        if iri not in best or key < best[iri][0]:
            best[iri] = (key, {"iri": iri, "label": label, "matched": matched, "match": how, "href": href(iri)})
    return [hit for _, hit in sorted(best.values(), key=lambda item: item[0])][:SEARCH_LIMIT]


async def api_search(request: Request) -> Response:
    query = request.query_params.get("q", "")
    return JSONResponse({"query": query, "results": await search(request.app.state.her2kg, query)})


async def search_page(request: Request) -> Response:
    query = request.query_params.get("q", "")
    hits = await search(request.app.state.her2kg, query)
    items = "".join(
        f'<li><a href="{escape(h["href"])}">{escape(h["label"])}</a> '
        f"<small>{escape(h['match'])}: {escape(h['matched'])} · {escape(_short(h['iri']))}</small></li>"
        for h in hits
    )
    body = (
        f"<h1>Search: {escape(query)}</h1>"
        + (f'<ol class="hits">{items}</ol>' if hits else "<p>Nothing found: try a shorter part of a name.</p>")
        + f'<p><a href="/api/search?{escape(urlencode({"q": query}))}">as JSON</a></p>'
    )
    return html_response(render_page(f"search {query}", body, SERVER, query=query))


def entity_routes(state: State) -> list[BaseRoute]:
    """The routes of this module (added after the app's own, so /api/…, /release/… and /static/… win)."""
    return [
        Route("/api/search", api_search),
        Route("/search", search_page),
        Route("/ontology", ontology),
        Route("/ontology.{ext}", ontology),
        Route("/ontology/{name}", ontology),
        Route("/{kind}/{slug}/{name}.svg", picture, methods=["GET", "HEAD"]),
        Route("/{kind}/{rest:path}", record, methods=["GET", "HEAD"]),
    ]
