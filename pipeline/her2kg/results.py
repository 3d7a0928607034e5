"""Writing query results: a terminal table, the W3C result formats, RDF for graphs, negotiation.

Solutions are written while they arrive (CSV, TSV, JSON, XML), so a large answer is never held in
memory; only the table, which must know its column widths, reads them all (at most the row cap).
"""

from __future__ import annotations

import csv
import json
import shutil
import textwrap
from collections.abc import Iterable
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph

from .errors import UsageError
from .namespaces import BASE
from .sparql import QUERY_PREFIXES, Results, Row, Term

SOLUTION_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")
FORMATS = SOLUTION_FORMATS + GRAPH_FORMATS
RDF_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "rdfxml": pyoxigraph.RdfFormat.RDF_XML,
}
# A graph asked for as a table or JSON is written as the graph format closest to the wish.
GRAPH_EQUIVALENT = {"table": "turtle", "json": "jsonld", "xml": "rdfxml"}
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "table": "text/plain",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
MEDIA_ALIASES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/x-turtle": "turtle",
    "text/plain": "table",
}
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
MIN_TEXT_WIDTH = 12  # a text column is never wrapped narrower than this
MAX_WORD = 20  # a longer word may be split to fit


# --- how a term is shown -------------------------------------------------------------------------

# Longest namespace first, so `hk:` (…/her2kg/ontology#) wins over the bare base.
_NAMESPACES = sorted(((ns, p) for p, ns in QUERY_PREFIXES.items()), key=lambda item: -len(item[0]))
_KIND_NAMESPACES = {ns for ns in QUERY_PREFIXES.values() if ns.startswith(BASE) and ns.endswith("/")}


def show(term: Term | None) -> str:
    """A term as a reader wants it and as parameters accept it: our records as KIND/SLUG
    (`drug/neratinib`, `vocab/phase/phase-3`), other terms with a known prefix as CURIEs
    (`hk:inhibits`, `rdfs:label`), other IRIs in full, literals as their text."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        iri = term.value
        if iri.startswith(BASE) and (
            any(iri.startswith(ns) for ns in _KIND_NAMESPACES) or iri.startswith(BASE + "vocab/")
        ):
            return iri.removeprefix(BASE)
        for namespace, prefix in _NAMESPACES:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and all(c.isalnum() or c in "_-." for c in local):
                return f"{prefix}:{local}"
        return iri
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.Triple):
        return f"<< {show(term.subject)} {show(term.predicate)} {show(term.object)} >>"
    return term.value


def is_identifier(term: Term | None) -> bool:
    return isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.BlankNode))


# --- the terminal table --------------------------------------------------------------------------


def table(header: Iterable[str], rows: Iterable[Row], width: int | None = None, max_width: int | None = None) -> str:
    """Rows as an aligned table at most `width` columns wide (default: the terminal's). Identifiers
    (IRIs, CURIEs) are never cut; text columns are wrapped, the widest first, until the table fits
    (never narrower than MIN_TEXT_WIDTH). `max_width` caps every text column."""
    header = list(header)
    rows = list(rows)
    cells = [[" ".join(show(term).split()) for term in row] for row in rows]
    ids = [any(is_identifier(row[i]) for row in rows) for i in range(len(header))]
    widths = [max([len(header[i])] + [len(row[i]) for row in cells]) for i in range(len(header))]
    for i, is_id in enumerate(ids):
        if max_width and not is_id:
            widths[i] = max(min(widths[i], max_width), len(header[i]), 1)
    room = (width or shutil.get_terminal_size().columns) - 2 * (len(header) - 1)
    # A text column shrinks no narrower than its header and its longest word (up to MAX_WORD), so
    # words are not split.
    floors = [
        max(
            len(header[i]),
            MIN_TEXT_WIDTH,
            min(MAX_WORD, max((len(w) for row in cells for w in row[i].split()), default=0)),
        )
        for i in range(len(header))
    ]
    while sum(widths) > room:
        text = [i for i, is_id in enumerate(ids) if not is_id and widths[i] > floors[i]]
        if not text:
            break  # only identifiers left to cut, and those stay whole: the table overflows
        widest = max(text, key=lambda i: widths[i])
        widths[widest] = max(widths[widest] - (sum(widths) - room), floors[widest])
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for row in cells:
        wrapped = [
            [c] if ids[i] or len(c) <= widths[i] else textwrap.wrap(c, widths[i], break_on_hyphens=False)
            for i, c in enumerate(row)
        ]
        for n in range(max((len(w) for w in wrapped), default=1)):
            lines.append(
                "  ".join((w[n] if n < len(w) else "").ljust(widths[i]) for i, w in enumerate(wrapped)).rstrip()
            )
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


# --- W3C result formats, streamed -----------------------------------------------------------------


def _json_term(term: Term) -> dict:
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    literal: dict = {"type": "literal", "value": term.value}
    if term.language:
        literal["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        literal["datatype"] = term.datatype.value
    return literal


def _xml_term(term: Term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, pyoxigraph.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>"
        )
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv_cell(term: Term | None) -> str:
    """W3C CSV: IRIs and literals as their plain text, blank nodes as _:label."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.Triple):
        return str(term)
    return term.value


def write_solutions(variables: tuple[str, ...], rows: Iterable[Row], fmt: str, out: TextIO) -> int:
    """Write solutions as W3C CSV, TSV, JSON or XML while they arrive; returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(variables)
        for count, row in enumerate(rows, 1):  # noqa: B007 - the count is returned
            writer.writerow([_csv_cell(t) for t in row])
    elif fmt == "tsv":
        out.write("\t".join("?" + v for v in variables) + "\n")
        for count, row in enumerate(rows, 1):  # noqa: B007 - the count is returned
            out.write("\t".join("" if t is None else str(t) for t in row) + "\n")
    elif fmt == "json":
        out.write(
            json.dumps({"head": {"vars": list(variables)}}, separators=(",", ":"))[:-1] + ',"results":{"bindings":['
        )
        for count, row in enumerate(rows, 1):
            binding = {v: _json_term(t) for v, t in zip(variables, row, strict=False) if t is not None}
            out.write(("," if count > 1 else "") + json.dumps(binding, ensure_ascii=False, separators=(",", ":")))
        out.write("]}}\n")
    elif fmt == "xml":
        out.write(
            f'<?xml version="1.0"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}"><head>'
            + "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
            + "</head><results>"
        )
        for count, row in enumerate(rows, 1):  # noqa: B007 - the count is returned
            out.write(
                "<result>"
                + "".join(
                    f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                    for v, t in zip(variables, row, strict=False)
                    if t is not None
                )
                + "</result>\n"
            )
        out.write("</results></sparql>\n")
    else:
        raise UsageError(f"solutions cannot be written as {fmt!r}: use one of {', '.join(SOLUTION_FORMATS)}")
    return count


def write_boolean(value: bool, fmt: str, out: TextIO) -> None:
    """An ASK answer: W3C JSON or XML, else the bare word."""
    if fmt == "json":
        out.write(json.dumps({"head": {}, "boolean": value}, separators=(",", ":")) + "\n")
    elif fmt == "xml":
        out.write(
            f'<?xml version="1.0"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}"><head/>'
            f"<boolean>{str(value).lower()}</boolean></sparql>\n"
        )
    else:
        out.write(f"{str(value).lower()}\n")


def write_graph(rows: Iterable[Row], fmt: str, out: TextIO) -> int:
    """CONSTRUCT/DESCRIBE triples in an RDF format (table → Turtle, json → JSON-LD, xml → RDF/XML)."""
    fmt = GRAPH_EQUIVALENT.get(fmt, fmt)
    if fmt not in RDF_FORMATS:
        raise UsageError(
            f"a CONSTRUCT or DESCRIBE answer is a graph: use --format {', '.join(GRAPH_FORMATS)} (not {fmt})"
        )
    triples = [pyoxigraph.Triple(*row) for row in rows]  # type: ignore[arg-type]  # worker rows of a graph are triples
    prefixes = QUERY_PREFIXES if fmt in ("turtle", "jsonld") else None
    data = pyoxigraph.serialize(triples, format=RDF_FORMATS[fmt], prefixes=prefixes)
    out.write(data.decode("utf-8") if data else "")
    return len(triples)


def write(results: Results, fmt: str, out: TextIO, *, width: int | None = None, max_width: int | None = None) -> int:
    """Write any answer in `fmt`; returns the number of rows (or triples) written."""
    if results.kind == "boolean":
        write_boolean(bool(results.boolean), fmt, out)
        return 0
    if results.kind == "graph":
        return write_graph(results, fmt, out)
    if fmt == "table":
        rows = list(results)
        out.write(table(results.variables, rows, width, max_width))
        return len(rows)
    if fmt in GRAPH_FORMATS:
        raise UsageError(f"a SELECT answer is a table of solutions: use --format {', '.join(SOLUTION_FORMATS)}")
    return write_solutions(results.variables, results, fmt, out)


def truncation_notice(results: Results) -> str | None:
    """What to tell a reader when the row cap left rows out, or None."""
    if not results.truncated:
        return None
    return f"showing the first {results.max_rows:,} rows; --max-rows to change"


# --- content negotiation -------------------------------------------------------------------------


def accepted(accept: str | None) -> list[tuple[str, float]]:
    """(media type in lower case, quality) for each entry of an HTTP Accept header, in order."""
    entries = []
    for part in (accept or "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        entries.append((media.lower(), quality))
    return entries


def negotiate(accept: str | None, kind: str, strict: bool = False) -> str | None:
    """The format (a key of MEDIA_TYPES) best matching an HTTP Accept header for an answer of
    `kind` (solutions, boolean, graph): by quality, then by the order given; W3C JSON for results
    and Turtle for graphs when nothing is asked, or when nothing matches — then None if `strict`
    (an endpoint answers 406)."""
    offered = GRAPH_FORMATS if kind == "graph" else ("json", "xml", "csv", "tsv")
    fallback = "turtle" if kind == "graph" else "json"
    choices: list[tuple[float, int, str]] = []
    for position, (media, quality) in enumerate(accepted(accept)):
        if quality <= 0 or not media:
            continue
        if media in ("*/*", "application/*", "text/*"):
            choices.append((quality, position, fallback))
            continue
        fmt = next((f for f, m in MEDIA_TYPES.items() if m == media), MEDIA_ALIASES.get(media))
        if fmt in offered or (fmt == "json" and kind == "graph"):
            choices.append((quality, position, "jsonld" if fmt == "json" and kind == "graph" else fmt))
    if not choices:
        return None if strict and (accept or "").strip() else fallback
    return min(choices, key=lambda c: (-c[0], c[1]))[2]


__all__ = [
    "FORMATS",
    "GRAPH_FORMATS",
    "MEDIA_TYPES",
    "SOLUTION_FORMATS",
    "accepted",
    "is_identifier",
    "negotiate",
    "show",
    "table",
    "truncation_notice",
    "write",
    "write_boolean",
    "write_graph",
    "write_solutions",
]
