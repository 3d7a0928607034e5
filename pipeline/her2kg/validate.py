"""SHACL validation with pySHACL: the report as data first (`Finding`s), text second.

Each result is placed at the facts file and line of the record its focus node came from, so a
curator sees `facts/trials.yaml:57: …` rather than an IRI.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDFS, SH

from .errors import Location
from .namespaces import bind_prefixes
from .resources import files, project_path

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@dataclass(frozen=True, order=True)
class Finding:
    location: Location | None
    severity: str
    message: str
    focus: str
    path: str | None
    value: str | None
    shape: str
    component: str = ""  # the SHACL constraint component (sh:MinCountConstraintComponent …)

    def __str__(self) -> str:
        where = str(self.location) if self.location else self.focus
        return f"{where}: {self.severity}: {self.message}"

    def as_dict(self) -> dict:
        return {"location": str(self.location) if self.location else None, "severity": self.severity,
                "message": self.message, "focus": self.focus, "path": self.path, "value": self.value,
                "shape": self.shape, "component": self.component}


def load_shapes(folder: Path | None = None) -> Graph:
    shapes = bind_prefixes(Graph())
    for path in files(folder or project_path("shapes"), "*.ttl"):
        shapes.parse(path, format="turtle")
    return shapes


def _locate(focus: URIRef, locations: dict) -> Location | None:
    """The record a node came from; nested nodes (…/evidence/…, …/arm/…) fall back to their parent."""
    text = str(focus)
    while text:
        if URIRef(text) in locations:
            return locations[URIRef(text)]
        text = text.rpartition("/")[0] if "/" in text[len("https://"):] else ""
    return None


def _shape_name(shapes: Graph, shape) -> str:
    """A shape's IRI; a property shape (a blank node, whose id changes every run) is named by its
    node shape and path instead, so the build report is the same on every build."""
    if not isinstance(shape, BNode):
        return str(shape)
    parent, path = shapes.value(None, SH.property, shape), shapes.value(shape, SH.path)
    where = f"{parent} sh:property" if parent is not None else "property shape"
    return f"{where} [ sh:path {path.n3() if path is not None else '?'} ]"


def validate_graph(data: Graph, ontology: Graph, shapes: Graph, locations: dict | None = None) -> list[Finding]:
    """Validate `data` with the ontology merged in; return every result, sorted.

    The merged TBox lets sh:class follow rdfs:subClassOf (a ClinicalTrial is a Study). No RDFS
    inference on top: domain and range entailments would type every value as the expected class
    and hide exactly the errors sh:class is there to catch.
    """
    _conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True,
        allow_warnings=True, abort_on_first=False, meta_shacl=False,
    )
    findings = []
    for result in report.subjects(SH.resultSeverity, None):
        severity = SEVERITIES.get(report.value(result, SH.resultSeverity), "violation")
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        shape = report.value(result, SH.sourceShape)
        component = report.value(result, SH.sourceConstraintComponent)
        message = messages[0] if messages else f"does not conform to {shape}"
        if value is not None and str(value) not in message and len(str(value)) < 120:
            message += f" (value: {value})"
        label = data.value(focus, RDFS.label) if isinstance(focus, URIRef) else None
        if label is not None:
            message = f"{label}: {message}"
        findings.append(Finding(_locate(focus, locations or {}), severity, message, str(focus),
                                str(path) if path is not None else None,
                                str(value) if value is not None else None, _shape_name(shapes, shape),
                                str(component) if component is not None else ""))
    return sorted(set(findings), key=lambda f: (str(f.location), f.severity, f.message))
