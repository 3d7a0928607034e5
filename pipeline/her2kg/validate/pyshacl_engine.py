"""The reference engine: pySHACL, with the ontology merged in as `ont_graph`.

The merged TBox lets sh:class follow rdfs:subClassOf (a ClinicalTrial is a Study). No RDFS
inference on top: domain and range entailments would type every value as the expected class
and hide exactly the errors sh:class is there to catch.
"""

from __future__ import annotations

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from .results import Result, distinct, shape_name


def run(data: Graph, ontology: Graph, shapes: Graph) -> list[Result]:
    _conforms, report, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
        meta_shacl=False,
    )
    results = []
    for result in report.subjects(SH.resultSeverity, None):
        severity = report.value(result, SH.resultSeverity)
        path = report.value(result, SH.resultPath)
        component = report.value(result, SH.sourceConstraintComponent)
        results.append(
            Result(
                focus=report.value(result, SH.focusNode),  # type: ignore[arg-type]
                path=path if isinstance(path, URIRef) else None,
                value=report.value(result, SH.value),
                severity=severity if isinstance(severity, URIRef) else SH.Violation,
                messages=tuple(sorted(str(m) for m in report.objects(result, SH.resultMessage))),
                shape=shape_name(shapes, report.value(result, SH.sourceShape)),
                component=component if isinstance(component, URIRef) else URIRef(""),
            )
        )
    return distinct(results)
