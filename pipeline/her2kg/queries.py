"""Canned SPARQL queries (queries/*.rq): their headers, their parameters, running and printing them.

A query file starts with grlc-style `#+` decorator lines, which together are one YAML document:

    #+ summary: Drugs in a class            (the title)
    #+ description: …
    #+ tags: [drugs]
    #+ params:
    #+   - {name: class, type: drug-class, default: tki, example: adc, description: …}

Parameters are bound as typed RDF terms through pyoxigraph's `substitutions` (SEP-0007), never
pasted into the query text, so no value can change what the query says. A parameter left out and
without a default stays unbound: the query then answers for every value.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph
import yaml

from .errors import UsageError
from .namespaces import BASE, HK
from .resources import files, project_path
from .schema import KINDS

HEADER_KEYS = ("summary", "description", "tags", "params")
PARAMETER_KEYS = ("name", "type", "description", "default", "example")
LITERAL_TYPES = {
    "string": None,
    "integer": "http://www.w3.org/2001/XMLSchema#integer",
    "decimal": "http://www.w3.org/2001/XMLSchema#decimal",
}
# IRI types besides the record kinds: any curated entity, a vocabulary value, a claim relation.
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
ENTITY_REF = re.compile(r"([a-z-]+)/([a-z0-9][a-z0-9-]*)")
RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RESULT_FORMATS = {"csv": pyoxigraph.QueryResultsFormat.CSV, "tsv": pyoxigraph.QueryResultsFormat.TSV,
                  "json": pyoxigraph.QueryResultsFormat.JSON}


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # a record kind (drug, trial …), `entity`, `vocab/<scheme>`, `relation`, `iri`, or a literal type
    description: str
    default: str | None = None
    example: str | None = None

    @property
    def namespace(self) -> str | None:
        """The IRI prefix of a slug of this type (`drug` → https://w3id.org/her2kg/drug/)."""
        if self.type in KINDS or self.type.startswith("vocab/"):
            return f"{BASE}{self.type}/"
        return None

    def term(self, value: str) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
        """The RDF term `value` stands for, per the declared type (the graph is not consulted)."""
        if self.type in LITERAL_TYPES:
            return self._literal(value)
        if value.startswith(("http://", "https://")):
            iri = value
            if self.namespace and not (iri.startswith(self.namespace) and SLUG.fullmatch(iri[len(self.namespace):])):
                raise UsageError(f"parameter {self.name}: {value!r} is not a {self.type} IRI "
                                 f"({self.namespace}<slug>)")
        elif self.type == "iri":
            raise UsageError(f"parameter {self.name}: {value!r} is not a full IRI (http://… or https://…)")
        elif self.namespace:
            if not SLUG.fullmatch(value):
                raise UsageError(f"parameter {self.name}: {value!r} is not a {self.type} slug "
                                 f"(lower-case letters, digits and hyphens) nor a full IRI")
            iri = self.namespace + value
        elif self.type == "entity":
            match = ENTITY_REF.fullmatch(value)
            if not match or match[1] not in KINDS:
                raise UsageError(f"parameter {self.name}: {value!r} is not a reference KIND/SLUG "
                                 f"(drug/tucatinib, trial/emilia …) nor a full IRI")
            iri = BASE + value
        else:  # relation
            if not SLUG.fullmatch(value):
                raise UsageError(f"parameter {self.name}: {value!r} is not a relation name "
                                 f"(confers-resistance-to, targets …) nor a full IRI")
            iri = str(HK) + re.sub(r"-([a-z0-9])", lambda m: m[1].upper(), value)
        try:
            return pyoxigraph.NamedNode(iri)
        except ValueError as err:
            raise UsageError(f"parameter {self.name}: {value!r} is not a valid IRI: {err}") from err

    def _literal(self, value: str) -> pyoxigraph.Literal:
        datatype = LITERAL_TYPES[self.type]
        if datatype is None:
            return pyoxigraph.Literal(value)
        try:
            number = int(value) if self.type == "integer" else Decimal(value)
        except (ValueError, InvalidOperation):
            raise UsageError(f"parameter {self.name}: {value!r} is not an {self.type}") from None
        if self.type == "decimal" and not number.is_finite():
            raise UsageError(f"parameter {self.name}: {value!r} is not a decimal")
        return pyoxigraph.Literal(str(number), datatype=pyoxigraph.NamedNode(datatype))


@dataclass(frozen=True)
class CannedQuery:
    name: str  # the file name without .rq
    title: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str
    path: Path

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        declared = ", ".join(p.name for p in self.parameters) or "none"
        raise UsageError(f"query {self.name} has no parameter {name!r} (its parameters: {declared})")


def is_known_type(type_: str) -> bool:
    if type_ in KINDS or type_ in LITERAL_TYPES or type_ in ("entity", "relation", "iri"):
        return True
    scheme = type_.removeprefix("vocab/")
    return type_.startswith("vocab/") and bool(SLUG.fullmatch(scheme))


def read_header(text: str) -> dict:
    """The YAML document made of the `#+` lines at the top of a query."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and not line.startswith("#"):
            break
    header = yaml.safe_load("\n".join(lines)) if lines else None
    return header if isinstance(header, dict) else {}


def load_query(path: Path) -> CannedQuery:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        header = read_header(text)
    except yaml.YAMLError as err:
        raise UsageError(f"{path}: the #+ header is not valid YAML: {err}") from err
    missing = [key for key in ("summary", "description", "tags") if not header.get(key)]
    unknown = sorted(set(header) - set(HEADER_KEYS))
    if missing or unknown:
        raise UsageError(f"{path}: header " + "; ".join(
            ([f"lacks {', '.join(missing)}"] if missing else []) + ([f"has unknown keys {', '.join(unknown)}"] if unknown else [])))
    parameters = []
    for entry in header.get("params") or []:
        if not isinstance(entry, dict) or not {"name", "type", "description"} <= set(entry) \
                or set(entry) - set(PARAMETER_KEYS):
            raise UsageError(f"{path}: a parameter needs name, type and description (and may have default, "
                             f"example): {entry!r}")
        if not is_known_type(str(entry["type"])):
            raise UsageError(f"{path}: parameter {entry['name']} has unknown type {entry['type']!r}")
        parameters.append(Parameter(**{key: str(value) if value is not None else None
                                       for key, value in entry.items()}))
    return CannedQuery(name=path.stem, title=str(header["summary"]).strip(),
                       description=" ".join(str(header["description"]).split()),
                       tags=tuple(str(t) for t in header["tags"]), parameters=tuple(parameters),
                       text=text, path=path)


def load_queries(folder: Path | None = None) -> dict[str, CannedQuery]:
    """Every canned query in `folder` (default: the queries shipped with her2kg), by name."""
    return {q.name: q for q in map(load_query, files(folder or project_path("queries"), "*.rq"))}


def find_query(name: str, folder: Path | None = None) -> CannedQuery:
    queries = load_queries(folder)
    if name not in queries:
        raise UsageError(f"no canned query {name!r}; 'her2kg queries' lists them")
    return queries[name]


def bind(query: CannedQuery, arguments: dict[str, str], store: pyoxigraph.Store) -> dict:
    """Variable → RDF term for the given arguments and the defaults; every IRI must be in the graph."""
    values = {p.name: p.default for p in query.parameters if p.default is not None}
    for name, value in arguments.items():
        query.parameter(name)  # raises on an unknown name
        values[name] = value
    substitutions = {}
    for name, value in values.items():
        parameter = query.parameter(name)
        term = parameter.term(value)
        if isinstance(term, pyoxigraph.NamedNode) and not _in_graph(store, term):
            raise UsageError(f"parameter {name}: {value!r} is not in the graph{_suggestion(store, parameter, value)}")
        substitutions[pyoxigraph.Variable(name)] = term
    return substitutions


def _in_graph(store: pyoxigraph.Store, iri: pyoxigraph.NamedNode) -> bool:
    return next(iter(store.quads_for_pattern(iri, None, None)), None) is not None


def _suggestion(store: pyoxigraph.Store, parameter: Parameter, value: str) -> str:
    """' — did you mean …?' with the closest slugs of the parameter's kind, or nothing."""
    namespace = parameter.namespace
    if namespace is None:
        return ""
    slugs = {q.subject.value[len(namespace):] for q in store.quads_for_pattern(None, RDF_TYPE, None)
             if isinstance(q.subject, pyoxigraph.NamedNode) and q.subject.value.startswith(namespace)
             and "/" not in q.subject.value[len(namespace):]}
    close = difflib.get_close_matches(value.rpartition("/")[2], sorted(slugs), n=3)
    return f" — did you mean {', '.join(close)}?" if close else ""


def run(query: CannedQuery, arguments: dict[str, str], store: pyoxigraph.Store):
    """The solutions of a canned query with its parameters bound."""
    return store.query(query.text, substitutions=bind(query, arguments, store))


def portable_text(text: str, substitutions: dict) -> str:
    """A SELECT query with its bindings (as from `bind`) written in, for engines that take only
    text (a SPARQL endpoint, Jena, Virtuoso): a VALUES block of the terms in N-Triples form opens
    the WHERE group, so its FILTERs see the values as they see substitutions. A WHERE group that
    is a bare sub-SELECT is not supported. rdflib's grammar finds the group's `{`."""
    if not substitutions:
        return text
    import pyparsing
    from rdflib.plugins.sparql import parser

    comment = pyparsing.Suppress("#" + pyparsing.rest_of_line)
    where = pyparsing.Optional(pyparsing.Keyword("WHERE", caseless=True).ignore(comment))
    opening = pyparsing.Literal("{").ignore(comment).set_parse_action(lambda _text, location, _tokens: location)
    head = parser.Prologue + parser.SelectClause + pyparsing.ZeroOrMore(parser.DatasetClause) + where + opening("at")
    try:
        at = head.parse_string(text)["at"] + 1
    except pyparsing.ParseException as err:
        raise UsageError(f"not a SELECT query with a WHERE group: {err}") from err
    variables = " ".join(str(variable) for variable in substitutions)
    row = " ".join(str(term) for term in substitutions.values())
    return f"{text[:at]}\n  VALUES ({variables}) {{ ({row}) }}{text[at:]}"


# --- ad-hoc queries -------------------------------------------------------------------------

def check_read_only(text: str) -> None:
    """Refuse what a read-only endpoint must not run: updates, SERVICE, and FROM / FROM NAMED
    (which some engines resolve by fetching the IRI). rdflib's parser reads the query."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(text)
    except ParseException as err:
        try:
            parseUpdate(text)
        except ParseException:
            raise UsageError(f"not a SPARQL query: {err}") from err
        raise UsageError("updates (INSERT, DELETE, LOAD, CLEAR …) are refused: the store is read-only") from err
    body = parsed[1]
    if "datasetClause" in body:
        raise UsageError("FROM and FROM NAMED are refused: the query runs on the her2kg graph only")
    if _contains(body, "ServiceGraphPattern"):
        raise UsageError("SERVICE is refused: queries never reach out to other endpoints")


def _contains(node, name: str) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        return node.name == name or any(_contains(value, name) for value in node.values())
    if isinstance(node, (list, tuple)):
        return any(_contains(item, name) for item in node)
    if hasattr(node, "asList"):  # pyparsing ParseResults
        return any(_contains(item, name) for item in node)
    return False


def run_sparql(text: str, store: pyoxigraph.Store):
    check_read_only(text)
    try:
        return store.query(text)
    except SyntaxError as err:
        raise UsageError(f"not a SPARQL query: {err}") from err


# --- printing results -------------------------------------------------------------------------

def render(results, format_: str, max_width: int = 40) -> str:
    """Solutions as a terminal table or a W3C SPARQL results document (CSV, TSV, JSON)."""
    if isinstance(results, pyoxigraph.QueryBoolean):
        return str(bool(results)).lower() + "\n"
    if isinstance(results, pyoxigraph.QueryTriples):
        return results.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8")
    if format_ != "table":
        return results.serialize(format=RESULT_FORMATS[format_]).decode("utf-8")
    header = [v.value for v in results.variables]
    rows = [[_cell(solution[v]) for v in results.variables] for solution in results]
    return table(header, rows, max_width)


def _cell(term) -> str:
    """A term as a reader wants it: our IRIs as KIND/SLUG, literals as their text."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value.removeprefix(BASE) if term.value.startswith(BASE) else term.value
    return term.value


def table(header: list[str], rows: list[list[str]], max_width: int) -> str:
    def clip(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= max_width else text[: max(max_width - 1, 0)] + "…"

    cells = [[clip(c) for c in row] for row in [header] + rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


__all__ = ["CannedQuery", "Parameter", "load_queries", "find_query", "bind", "run", "portable_text", "run_sparql",
           "check_read_only", "render"]
