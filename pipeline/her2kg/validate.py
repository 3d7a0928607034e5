"""SHACL validation with pySHACL: the report as data first (`ValidationReport`), text second.

Each result is placed at the facts file and line of the field it is about (or of its record), so a
curator sees `facts/trials.yaml:57: …` rather than an IRI.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDFS, SH
from rdflib.term import Node

from .errors import Location, Problem
from .namespaces import bind_prefixes
from .resources import files, project_path

if TYPE_CHECKING:
    from .abox import Locations


class Severity(str, Enum):
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
        return {"location": str(self.location) if self.location else None, "severity": str(self.severity),
                "message": self.message, "focus": self.focus, "path": self.path, "value": self.value,
                "shape": self.shape, "component": self.component}


@dataclass(frozen=True)
class ValidationReport:
    """Every SHACL result for `subject` (the facts of a build, or an RDF file), sorted by place."""

    subject: str
    findings: tuple[Finding, ...]
    triples: int = 0

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
        return {"conforms": self.conforms, "violations": counts["violation"], "warnings": counts["warning"],
                "infos": counts["info"], "results": [f.as_dict() for f in self.findings]}


def load_shapes(folder: Path | None = None) -> Graph:
    shapes = bind_prefixes(Graph())
    for path in files(folder or project_path("shapes"), "*.ttl"):
        shapes.parse(path, format="turtle")
    return shapes


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """A stable name for a shape: its IRI, or for an anonymous property shape its node shape and path
    (blank-node ids change from run to run and say nothing to a reader)."""
    if not isinstance(shape, BNode):
        return str(shape)
    owner = next(iter(shapes.subjects(SH.property, shape)), None)
    path = shapes.value(shape, SH.path)
    return f"{owner if owner is not None else 'shape'} {path.n3(shapes.namespace_manager) if path else ''}".strip()


def validate_graph(data: Graph, ontology: Graph, shapes: Graph, locations: Locations | None = None,
                   subject: str = "the facts") -> ValidationReport:
    """Validate `data` with the ontology merged in; return every result, sorted.

    The merged TBox lets sh:class follow rdfs:subClassOf (a ClinicalTrial is a Study). No RDFS
    inference on top: domain and range entailments would type every value as the expected class
    and hide exactly the errors sh:class is there to catch.
    """
    _conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True,
        allow_warnings=True, abort_on_first=False, meta_shacl=False,
    )
    findings = set()
    for result in report.subjects(SH.resultSeverity, None):
        severity = SEVERITIES.get(report.value(result, SH.resultSeverity), Severity.VIOLATION)  # type: ignore[arg-type]
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        shape = _shape_name(shapes, report.value(result, SH.sourceShape))
        component = report.value(result, SH.sourceConstraintComponent)
        message = messages[0] if messages else f"does not conform to {shape}"
        if value is not None and str(value) not in message and len(str(value)) < 120:
            message += f" (value: {value})"
        label = data.value(focus, RDFS.label) if isinstance(focus, URIRef) else None
        if label is not None:
            message = f"{label}: {message}"
        where = locations.of(focus, path if isinstance(path, URIRef) else None) \
            if locations is not None and isinstance(focus, URIRef) else None
        findings.add(Finding(where, severity, message, str(focus), str(path) if path is not None else None,
                             str(value) if value is not None else None, shape,
                             str(component) if component is not None else ""))
    ordered = sorted(findings, key=lambda f: (f.location is None, f.location or Location("", 0), f.severity.value,
                                             f.message, f.focus))
    return ValidationReport(subject, tuple(ordered), len(data))
