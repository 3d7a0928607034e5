"""Canned SPARQL queries (queries/*.rq): their headers, their parameters, and binding them.

A query file starts with grlc-style `#+` decorator lines, which together are one YAML document:

    #+ summary: Drugs in a class            (the title)
    #+ description: …
    #+ tags: [drugs]
    #+ params:
    #+   - {name: class, type: drug-class, default: tki, example: adc, description: …}

Parameters are bound as typed RDF terms through pyoxigraph's `substitutions` (SEP-0007), never
pasted into the query text, so no value can change what the query says. A parameter left out and
without a default stays unbound: the query then answers for every value.

A value may be written as the tables print it (`drug/neratinib`), as a CURIE (`drug:neratinib`,
`hk:Drug`), as a full IRI, as a bare slug of the declared kind, or as a name the graph knows
(`T-DXd`: a label, synonym or code name, matched exactly but for case).

Queries under queries/internal/ are the library's own (used by `stats`): same header, not listed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph
import yaml

from .errors import QueryError, UnknownQueryError, UsageError
from .namespaces import BASE, HK
from .resources import project_path
from .schema import KINDS
from .sparql import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, QUERY_PREFIXES, Results, execute

HEADER_KEYS = ("summary", "description", "tags", "params")
PARAMETER_KEYS = ("name", "type", "description", "default", "example")
INTERNAL = "internal"  # the sub-folder of queries the library runs itself
LITERAL_TYPES = {
    "string": None,
    "integer": "http://www.w3.org/2001/XMLSchema#integer",
    "decimal": "http://www.w3.org/2001/XMLSchema#decimal",
}
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
ENTITY_REF = re.compile(r"([a-z-]+)/([a-z0-9][a-z0-9-]*)")
CURIE = re.compile(r"([A-Za-z][\w.-]*):(\S*)")
RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
NAME_PROPERTIES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    f"{HK}codeName",
)
FIND_ENTITY = "her2kg query find-entity -p text=…"


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
        if self.type == "entity":
            return BASE
        return None

    def term(self, value: str) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
        """The RDF term `value` stands for, per the declared type (the graph is not consulted)."""
        if self.type in LITERAL_TYPES:
            return self._literal(value)
        iri = self._iri(value.strip().removeprefix("<").removesuffix(">") if value.startswith("<") else value)
        namespace = self.namespace
        if namespace and not (iri.startswith(namespace) and _is_local(iri[len(namespace) :], self.type)):
            raise UsageError(f"parameter {self.name}: {value!r} is not {self._forms()}")
        try:
            return pyoxigraph.NamedNode(iri)
        except ValueError as err:
            raise UsageError(f"parameter {self.name}: {value!r} is not a valid IRI: {err}") from err

    def _iri(self, value: str) -> str:
        """The IRI a written value names, before checking it is of the declared kind."""
        if value.startswith(("http://", "https://")):
            return value
        curie = CURIE.fullmatch(value)
        if curie and curie[1] in QUERY_PREFIXES:
            return QUERY_PREFIXES[curie[1]] + curie[2]
        if self.type == "relation" and SLUG.fullmatch(value):
            return str(HK) + re.sub(r"-([a-z0-9])", lambda m: m[1].upper(), value)
        if self.type in {"iri", "relation"}:
            raise UsageError(f"parameter {self.name}: {value!r} is not {self._forms()}")
        reference = ENTITY_REF.fullmatch(value) or re.fullmatch(r"(vocab/[a-z-]+)/([a-z0-9][a-z0-9-]*)", value)
        if reference and (reference[1] in KINDS or reference[1].startswith("vocab/")):
            return BASE + value
        if self.type != "entity" and SLUG.fullmatch(value):
            return f"{self.namespace}{value}"
        raise UsageError(f"parameter {self.name}: {value!r} is not {self._forms()}")

    def _forms(self) -> str:
        """What this parameter accepts, as the end of `… is not <forms>`."""
        if self.type == "iri":
            return "a full IRI (https://…) nor a CURIE (hk:Drug)"
        if self.type == "relation":
            return "a relation name (confers-resistance-to, hk:inhibits) nor a full IRI"
        if self.type == "entity":
            return "a reference KIND/SLUG (drug/tucatinib, gene/erbb2), a CURIE (drug:tucatinib) nor a full IRI"
        slug = self.example or self.default or "SLUG"
        kind = self.type.removeprefix("vocab/")
        curie = f", {kind}:{slug}" if kind in QUERY_PREFIXES else ""
        return f"a {self.type}: a slug ({slug}), {self.type}/{slug}{curie} or a full {self.namespace}{slug} IRI"

    def _literal(self, value: str) -> pyoxigraph.Literal:
        datatype = LITERAL_TYPES[self.type]
        if datatype is None:
            return pyoxigraph.Literal(value)
        try:
            number = str(int(value)) if self.type == "integer" else str(_finite(Decimal(value)))
        except (ValueError, InvalidOperation):
            raise UsageError(f"parameter {self.name}: {value!r} is not an {self.type}") from None
        return pyoxigraph.Literal(number, datatype=pyoxigraph.NamedNode(datatype))


def _finite(number: Decimal) -> Decimal:
    if not number.is_finite():
        raise ValueError(f"{number} is not a finite number")
    return number


def _is_local(rest: str, type_: str) -> bool:
    if type_ == "entity":
        match = ENTITY_REF.fullmatch(rest)
        return bool(match and match[1] in KINDS)
    return bool(SLUG.fullmatch(rest))


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
        raise UsageError(
            f"{path}: header "
            + "; ".join(
                ([f"lacks {', '.join(missing)}"] if missing else [])
                + ([f"has unknown keys {', '.join(unknown)}"] if unknown else [])
            )
        )
    parameters = []
    for entry in header.get("params") or []:
        if (
            not isinstance(entry, dict)
            or not {"name", "type", "description"} <= set(entry)
            or set(entry) - set(PARAMETER_KEYS)
        ):
            raise UsageError(
                f"{path}: a parameter needs name, type and description (and may have default, example): {entry!r}"
            )
        if not is_known_type(str(entry["type"])):
            raise UsageError(f"{path}: parameter {entry['name']} has unknown type {entry['type']!r}")
        optional = {key: None if entry.get(key) is None else str(entry[key]) for key in ("default", "example")}
        parameters.append(Parameter(str(entry["name"]), str(entry["type"]), str(entry["description"]), **optional))
    return CannedQuery(
        name=path.stem,
        title=str(header["summary"]).strip(),
        description=" ".join(str(header["description"]).split()),
        tags=tuple(str(t) for t in header["tags"]),
        parameters=tuple(parameters),
        text=text,
        path=path,
    )


def load_queries(folder: Path | None = None) -> dict[str, CannedQuery]:
    """Every canned query in `folder` (default: the queries shipped with her2kg), by name. Only the
    folder's own files: the internal queries in its sub-folder are not part of the catalogue."""
    return {q.name: q for q in map(load_query, sorted((folder or project_path("queries")).glob("*.rq")))}


def internal_query(name: str) -> str:
    """The text of one of the library's own queries (queries/internal/NAME.rq)."""
    return load_query(project_path("queries") / INTERNAL / f"{name}.rq").text


def find_query(name: str, folder: Path | None = None, queries: dict[str, CannedQuery] | None = None) -> CannedQuery:
    """The canned query `name`, from `queries` (as loaded once by a server) or from `folder`."""
    queries = load_queries(folder) if queries is None else queries
    if name not in queries:
        close = difflib.get_close_matches(name, sorted(queries), n=3, cutoff=0.5)
        hint = f" — did you mean {', '.join(close)}?" if close else ""
        raise UnknownQueryError(f"no canned query {name!r}{hint} ('her2kg queries' lists them)")
    return queries[name]


def arguments(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Parameter name → value from (name, value) pairs as given (`-p`, a query string); a name
    given twice is an error rather than one value silently winning."""
    values: dict[str, str] = {}
    for given_name, value in pairs:
        name = given_name.strip()
        if name in values:
            raise UsageError(f"parameter {name} is given twice ({values[name]!r} and {value!r}); give it once")
        values[name] = value
    return values


def bind(query: CannedQuery, given: dict[str, str], store: pyoxigraph.Store) -> dict:
    """Variable → RDF term for the given arguments and the defaults; every IRI must be in the graph."""
    values = {p.name: p.default for p in query.parameters if p.default is not None}
    for name, value in given.items():
        query.parameter(name)  # raises on an unknown name
        values[name] = value
    return {
        pyoxigraph.Variable(name): resolve(query.parameter(name), value, store)
        for name, value in values.items()
        if value is not None
    }


def resolve(parameter: Parameter, value: str, store: pyoxigraph.Store) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
    """The term `value` names in the graph: as written, or else by a name the graph knows."""
    try:
        term = parameter.term(value)
    except UsageError as err:
        named = _by_name(parameter, value, store)
        if named is not None:
            return named
        if parameter.type in KINDS or parameter.type == "entity":
            raise UsageError(
                f"{err}; no {parameter.type} has that name either — to search by name: {FIND_ENTITY}"
            ) from None
        raise
    if isinstance(term, pyoxigraph.NamedNode) and not _in_graph(store, term):
        named = _by_name(parameter, value, store)
        if named is not None:
            return named
        raise UsageError(
            f"parameter {parameter.name}: {value!r} is not in the graph{_suggestion(store, parameter, value)}"
        )
    return term


def _by_name(parameter: Parameter, value: str, store: pyoxigraph.Store) -> pyoxigraph.NamedNode | None:
    """The one entity of the parameter's kind whose label, synonym or code name is `value` (any
    case); None if there is none; an error listing them if there are several."""
    namespace = parameter.namespace
    if namespace is None or parameter.type.startswith("vocab/"):
        return None
    wanted = value.strip().casefold()
    found = sorted(
        {
            q.subject.value
            for p in NAME_PROPERTIES
            for q in store.quads_for_pattern(None, pyoxigraph.NamedNode(p), None)
            if isinstance(q.subject, pyoxigraph.NamedNode)
            and q.subject.value.startswith(namespace)
            and _is_local(q.subject.value[len(namespace) :], parameter.type)
            and isinstance(q.object, pyoxigraph.Literal)
            and q.object.value.casefold() == wanted
        }
    )
    if len(found) > 1:
        names = ", ".join(iri.removeprefix(BASE) for iri in found)
        raise UsageError(
            f"parameter {parameter.name}: {value!r} names {len(found)} entities ({names}); give one of them"
        )
    return pyoxigraph.NamedNode(found[0]) if found else None


def _in_graph(store: pyoxigraph.Store, iri: pyoxigraph.NamedNode) -> bool:
    return next(iter(store.quads_for_pattern(iri, None, None)), None) is not None


def _suggestion(store: pyoxigraph.Store, parameter: Parameter, value: str) -> str:
    """' — did you mean …?' with the closest slugs of the parameter's kind, or where to look."""
    namespace = parameter.namespace
    reference = ENTITY_REF.fullmatch(value.removeprefix(BASE))
    if parameter.type == "entity" and reference and reference[1] in KINDS:
        namespace = f"{BASE}{reference[1]}/"  # the kind written in the value: suggest among its slugs
    elif namespace is None or parameter.type == "entity":
        return f"; to search by name: {FIND_ENTITY}" if parameter.type == "entity" else ""
    slugs = {
        q.subject.value[len(namespace) :]
        for q in store.quads_for_pattern(None, RDF_TYPE, None)
        if isinstance(q.subject, pyoxigraph.NamedNode)
        and q.subject.value.startswith(namespace)
        and "/" not in q.subject.value[len(namespace) :]
    }
    close = difflib.get_close_matches(value.rpartition("/")[2].rpartition(":")[2], sorted(slugs), n=3)
    if close:
        shown = [f"{namespace.removeprefix(BASE)}{slug}" if "/" in value else slug for slug in close]
        return f" — did you mean {', '.join(shown)}?"
    return "" if parameter.type.startswith("vocab/") else f"; to search by name: {FIND_ENTITY}"


def run(
    query: CannedQuery,
    given: dict[str, str],
    store: pyoxigraph.Store,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Results:
    """The answer of a canned query with its parameters bound, from a worker (see sparql.execute)."""
    return execute(store, query.text, substitutions=bind(query, given, store), timeout=timeout, max_rows=max_rows)


def run_query(
    store: pyoxigraph.Store,
    name: str,
    parameters: dict[str, str] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Results:
    """The answer of the canned query `name` ('her2kg queries' lists them) with `parameters` bound."""
    return run(find_query(name), dict(parameters or {}), store, timeout=timeout, max_rows=max_rows)


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
        raise QueryError(f"not a SELECT query with a WHERE group: {err}") from err
    variables = " ".join(str(variable) for variable in substitutions)
    row = " ".join(str(term) for term in substitutions.values())
    return f"{text[:at]}\n  VALUES ({variables}) {{ ({row}) }}{text[at:]}"


__all__ = [
    "CannedQuery",
    "Parameter",
    "arguments",
    "bind",
    "find_query",
    "internal_query",
    "load_queries",
    "load_query",
    "portable_text",
    "resolve",
    "run",
    "run_query",
]
