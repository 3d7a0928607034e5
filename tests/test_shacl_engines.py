"""Two SHACL engines agree on the shipped release.

pySHACL validates every build; rudof (`pyrudof`, an independent engine in Rust) must find the same
results on the shipped release — the same focus nodes, constraint components and severities — or
the difference must be a known defect of rudof, listed below with its reason and shown on a small
graph of its own. Agreement on the shape fixtures (tests/test_shapes.py) is not proof on real data:
the release holds quotes, numbers and IRIs the fixtures do not.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from her2kg.build import validate_file
from her2kg.namespaces import HK
from her2kg.ontology import Ontology
from her2kg.validate import load_shapes, validate_graph

pyrudof = pytest.importorskip("pyrudof")

Result = tuple[str, str, str]  # focus node, constraint component, severity


def byte_counted_max_length(result: Result, data: Graph, shapes: Graph) -> bool:
    """rudof counts sh:maxLength in UTF-8 bytes; SHACL counts characters. A value within the limit in
    characters but over it in bytes (a quote with ’ or –) is reported by rudof alone."""
    focus, component, _ = result
    if component != str(SH.MaxLengthConstraintComponent):
        return False
    for shape in shapes.subjects(SH.maxLength, None):
        limit, path = int(shapes.value(shape, SH.maxLength)), shapes.value(shape, SH.path)
        for value in data.objects(URIRef(focus), path):
            if len(str(value)) <= limit < len(str(value).encode("utf-8")):
                return True
    return False


# Known defects of rudof: a result only rudof reports is excused when one of these explains it.
KNOWN_RUDOF_DEFECTS: dict[str, Callable[[Result, Graph, Graph], bool]] = {
    "sh:maxLength counted in bytes": byte_counted_max_length,
}


def rudof_results(data_files: list[Path], shapes: Graph) -> set[Result]:
    engine = pyrudof.Rudof(pyrudof.RudofConfig())
    for path in data_files:
        engine.read_data(str(path), merge=True)
    engine.read_shacl(shapes.serialize(format="turtle"))
    return {
        (str(r.focus_node), str(r.constraint_component), str(r.severity).lower())
        for r in engine.validate_shacl().violations
    }


@pytest.mark.slow
def test_rudof_finds_what_pyshacl_finds_on_the_shipped_release(shipped_release: Path):
    release = shipped_release / "her2kg.nt"  # the ontology and the data, as shipped
    data, shapes = Graph().parse(release, format="nt"), load_shapes()
    by_pyshacl = {(f.focus, f.component, str(f.severity)) for f in validate_file(release).findings}
    by_rudof = rudof_results([release], shapes)
    assert by_pyshacl, "the shipped release has no SHACL result at all: the comparison would prove nothing"

    only_rudof = sorted(
        r for r in by_rudof - by_pyshacl if not any(excuse(r, data, shapes) for excuse in KNOWN_RUDOF_DEFECTS.values())
    )
    only_pyshacl = sorted(by_pyshacl - by_rudof)
    assert (only_rudof, only_pyshacl) == ([], [])


def test_each_known_rudof_defect_still_occurs(tmp_path: Path):
    """The list stays minimal: once rudof counts characters, this fails and the entry goes."""
    quote = "HER2’s " * 42 + "x"  # 295 characters, 379 bytes in UTF-8
    claim = URIRef("https://w3id.org/her2kg/claim/example")
    data = Graph()
    data.add((claim, RDF.type, HK.Claim))
    data.add((claim, HK.quote, Literal(quote)))
    path = tmp_path / "claim.ttl"
    data.serialize(path, format="turtle")
    shapes = load_shapes()
    result = (str(claim), str(SH.MaxLengthConstraintComponent), "violation")

    assert len(quote) <= 300 < len(quote.encode("utf-8"))
    assert result in rudof_results([path], shapes)
    by_pyshacl = validate_graph(data, Ontology().graph, shapes).findings
    assert result not in {(f.focus, f.component, str(f.severity)) for f in by_pyshacl}
    assert byte_counted_max_length(result, data, shapes)
