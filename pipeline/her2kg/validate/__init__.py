"""SHACL validation: the report as data first (`ValidationReport`), text second.

Two engines give the same results: pySHACL, the reference (`pyshacl_engine`), and the shapes
compiled to SPARQL on pyoxigraph (`sparql_engine`), tens of times faster on large graphs. `auto`
takes the fast one from `AUTO_FAST_FROM` data triples on, and pySHACL for smaller graphs and for
shapes the fast engine does not compile.

Each result is placed at the facts file and line of the field it is about (or of its record), so a
curator sees `facts/trials.yaml:57: …` rather than an IRI.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rdflib import Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import RDFS, SH, XSD
from rdflib.term import Node

from ..errors import Location, Problem, UsageError
from ..namespaces import bind_prefixes
from ..resources import files, project_path
from .results import LabelOf, Result

if TYPE_CHECKING:
    import pyoxigraph

    from ..abox import Locations


class Severity(StrEnum):
    """sh:Violation fails a build; sh:Warning and sh:Info are reported and counted."""

    VIOLATION = "violation"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


SEVERITIES = {SH.Violation: Severity.VIOLATION, SH.Warning: Severity.WARNING, SH.Info: Severity.INFO}


@dataclass(frozen=True, order=True)
class Finding:
    """One SHACL result: where, how severe, what, and which constraint said so."""

    location: Location | None
    severity: Severity
    message: str
    focus: str
    path: str | None
    value: str | None
    shape: str  # the node shape's IRI, with the property path for a property shape
    component: str = ""  # the SHACL constraint component (sh:MinCountConstraintComponent …)

    def __str__(self) -> str:
        where = str(self.location) if self.location else self.focus
        return f"{where}: {self.severity}: {self.message}"

    def as_problem(self) -> Problem:
        return Problem(self.location or Location(self.focus, 0), f"{self.severity}: {self.message}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "location": str(self.location) if self.location else None,
            "severity": str(self.severity),
            "message": self.message,
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "shape": self.shape,
            "component": self.component,
        }


@dataclass(frozen=True)
class ValidationReport:
    """Every SHACL result for `subject` (the facts of a build, or an RDF file), sorted by place."""

    subject: str
    findings: tuple[Finding, ...]
    triples: int = 0
    engine: str = "pyshacl"  # which engine found them: "pyshacl" or "fast"

    @property
    def conforms(self) -> bool:
        return not self.violations

    def of(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity is severity]

    @property
    def violations(self) -> list[Finding]:
        return self.of(Severity.VIOLATION)

    def counts(self) -> dict[str, int]:
        counted = Counter(str(f.severity) for f in self.findings)
        return {str(s): counted.get(str(s), 0) for s in Severity}

    def as_dict(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "conforms": self.conforms,
            "violations": counts["violation"],
            "warnings": counts["warning"],
            "infos": counts["info"],
            "results": [f.as_dict() for f in self.findings],
        }


VALIDATORS = ("auto", "pyshacl", "fast")
Validator = Literal["auto", "pyshacl", "fast"]
# From this many data triples on, `auto` takes the fast engine. Below it both take well under a
# second and pySHACL, the reference, is used; the shipped release (~27k triples) is above it.
AUTO_FAST_FROM = 2_000


def load_shapes(folder: Path | None = None) -> Graph:
    shapes = bind_prefixes(Graph())
    for path in files(folder or project_path("shapes"), "*.ttl"):
        shapes.parse(path, format="turtle")
    return shapes


def choose_engine(validator: str, triples: int, shapes: Graph) -> str:
    """The engine `validator` stands for: "pyshacl" or "fast"."""
    from .sparql_engine import unsupported

    if validator not in VALIDATORS:
        raise UsageError(f"unknown validator {validator!r} — use one of {', '.join(VALIDATORS)}")
    if validator == "auto":
        return "fast" if triples >= AUTO_FAST_FROM and not unsupported(shapes) else "pyshacl"
    if validator == "fast" and (problems := unsupported(shapes)):
        raise UsageError(f"the fast validator cannot run these shapes: {problems[0]} — use --validator pyshacl")
    return validator


# The objects of a subject's property (of any property for None) as the data writes them (rdflib terms).
WrittenObjects = Callable[[Node, Node | None], Iterable[Node]]


def run_engine(
    engine: str,
    data: Graph | pyoxigraph.Store | None,
    ontology: Graph,
    shapes: Graph,
    store: pyoxigraph.Store | None = None,
    written: WrittenObjects | None = None,
) -> list[Result]:
    """The raw results of one engine: data as an rdflib Graph, or a pyoxigraph Store (whose graphs'
    union is the data; the ontology is merged in either way). The fast engine runs on `store` when
    given: one holding `data` already (a build's release store), so the graph is not copied again.
    Its values are given as `written` (by default `data`) writes them."""
    from . import sparql_engine  # pySHACL is imported only when it runs: it takes a quarter of a second

    if engine == "fast":
        if store is None and isinstance(data, Graph):
            results = sparql_engine.run(sparql_engine.store_of(data, ontology), shapes)
        else:
            results = _with_ontology(store if store is not None else data, ontology, shapes)  # type: ignore[arg-type]
        if written is None:  # the values as the data writes them
            assert data is not None
            written = _objects(data)
        return [_as_written(result, written) for result in results]
    from . import pyshacl_engine

    if data is None:
        raise ValueError("pySHACL validates the data graph: give it")
    if not isinstance(data, Graph):
        data = sparql_engine.graph_of(data)
    return pyshacl_engine.run(data, ontology, shapes)


def _with_ontology(store: pyoxigraph.Store, ontology: Graph, shapes: Graph) -> list[Result]:
    """The fast engine's results on `store` with the ontology's triples it lacks in a graph of their own
    for the run (each triple once: queries see the union of the graphs, duplicates included)."""
    from . import sparql_engine

    ox = sparql_engine.ox
    graph = ox.NamedNode("urn:her2kg:validation:ontology")
    lacking = (q for q in sparql_engine.store_of(ontology) if ox.Quad(q.subject, q.predicate, q.object) not in store)
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in lacking)
    try:
        return sparql_engine.run(store, shapes)
    finally:
        store.remove_graph(graph)


def _as_written(result: Result, written: WrittenObjects) -> Result:
    """The result with its value as the data writes it: the store keeps numbers in canonical form
    ("73.0"^^xsd:decimal comes back as "73"), pySHACL reports the lexical form of the data."""
    value = result.value
    if not isinstance(value, RDFLiteral) or value.datatype in (None, XSD.string):
        return result  # a string is held as written
    values = set(written(result.focus, result.path))
    if value in values:
        return result
    for form in sorted(values, key=str):
        if (
            isinstance(form, RDFLiteral)
            and form.datatype == value.datatype
            and form.value is not None
            and form.value == value.value
        ):
            return replace(result, value=form)
    return result


def validate_graph(
    data: Graph | pyoxigraph.Store | None,
    ontology: Graph,
    shapes: Graph,
    locations: Locations | None = None,
    subject: str = "the facts",
    validator: str = "auto",
    store: pyoxigraph.Store | None = None,
    written: WrittenObjects | None = None,
    triples: int | None = None,
) -> ValidationReport:
    """Validate `data` with the ontology merged in; return every result, sorted. `store`, if given,
    holds `data` (and may hold the ontology) for the fast engine to run on; `written` gives the objects of
    a subject's property as `data` writes them (its values and labels; by default read from `data`). With
    both, the fast engine reads nothing of an rdflib `data` graph but its size, so a forked process shares
    its memory untouched, and a build that has let go of the graph gives None and its size, `triples`.

    The merged TBox lets sh:class follow rdfs:subClassOf (a ClinicalTrial is a Study). No RDFS
    inference on top: domain and range entailments would type every value as the expected class
    and hide exactly the errors sh:class is there to catch.
    """
    triples = len(data) if data is not None else triples or 0
    engine = choose_engine(validator, triples, shapes)
    if data is not None:
        objects = written or _objects(data)
    elif engine == "fast" and store is not None and written is not None:
        objects = written
    else:
        raise ValueError("without the data graph, only the fast engine validates: on the store, with the values")
    results = run_engine(engine, data, ontology, shapes, store, objects)
    return ValidationReport(subject, findings(results, _labels(objects), locations), triples, engine)


def _objects(data: Graph | pyoxigraph.Store) -> WrittenObjects:
    """How `data` gives a subject's objects: an rdflib graph's own lookup, or the union of a store's graphs."""
    if isinstance(data, Graph):
        return data.objects  # type: ignore[return-value]
    from .sparql_engine import ox, to_rdflib

    def objects(subject: Node, predicate: Node | None) -> list[Node]:
        if not isinstance(subject, URIRef) or not isinstance(predicate, URIRef | None):
            return []
        property_ = None if predicate is None else ox.NamedNode(str(predicate))
        quads = data.quads_for_pattern(ox.NamedNode(str(subject)), property_, None)
        return [term for q in quads if (term := to_rdflib(q.object)) is not None]

    return objects


def _labels(objects: WrittenObjects) -> LabelOf:
    """A focus node's label (the first in order, should it have several)."""

    def label(focus: Node) -> str | None:
        return min((str(o) for o in objects(focus, RDFS.label) if isinstance(o, RDFLiteral)), default=None)

    return label


def findings(results: list[Result], label_of: LabelOf, locations: Locations | None = None) -> tuple[Finding, ...]:
    """The report's findings: each result in words, at the facts file and line it is about."""
    found = set()
    for result in results:
        severity = SEVERITIES.get(result.severity, Severity.VIOLATION)
        message = result.messages[0] if result.messages else f"does not conform to {result.shape}"
        value = result.value
        if value is not None and str(value) not in message and len(str(value)) < 120:
            message += f" (value: {value})"
        label = label_of(result.focus) if isinstance(result.focus, URIRef) else None
        if label is not None:
            message = f"{label}: {message}"
        where = (
            locations.of(result.focus, result.path)
            if locations is not None and isinstance(result.focus, URIRef)
            else None
        )
        found.add(
            Finding(
                where,
                severity,
                message,
                str(result.focus),
                str(result.path) if result.path else None,
                str(value) if value is not None else None,
                result.shape,
                str(result.component),
            )
        )
    return tuple(
        sorted(
            found,
            key=lambda f: (f.location is None, f.location or Location("", 0), f.severity.value, f.message, f.focus),
        )
    )
