"""The SHACL shapes, one case per file.

`tests/shapes/<ShapeName>/` holds, for the node shape `hks:<ShapeName>`:
- `conforming.ttl`: data on which that shape reports nothing;
- `violating-<constraint>.ttl`, one per constraint of the shape: data on which that shape reports
  exactly the results its header lines state, e.g.
  `# expect: Warning "the hazard ratio lies outside its confidence interval"`
  (severity and a substring of the message; a property constraint's file is named
  `violating-<path>-<parameter>.ttl`, as `violating-p-value-max-inclusive.ttl`).
A case that cannot isolate one constraint states one `# expect:` line per result. In no case may
another shape report more than Info, so every case is otherwise valid data.

Validation takes the build's own path: `validate_graph` with the ontology and the shapes, once with
each engine (pySHACL, the reference, and the fast SPARQL engine), which must give the same results
on every case; a third, independent engine (rudof, where installed) must find the same severities.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SH

from her2kg.ontology import Ontology, kebab
from her2kg.resources import files, project_path
from her2kg.validate import Finding, load_shapes, run_engine, validate_graph
from her2kg.validate.sparql_engine import COMPONENTS, unsupported

CASES = Path(__file__).parent / "shapes"
HKS = Namespace("https://w3id.org/her2kg/shapes#")
EXPECT = re.compile(r'^# expect: (Violation|Warning|Info) "(.+)"$')
# The first line of a violating case names the constraint it breaks:
#   `# hks:VariantShape — violates hk:variantOf sh:minCount 1.`, `… violates its SPARQL check …`,
#   `… violates sh:or (…)`.
VIOLATES = re.compile(
    r"^# hks:\w+ — violates (?:(?P<sparql>its SPARQL check)|(?:(?P<path>\S+:\S+) )?sh:(?P<param>\w+))"
)
# Predicates of a property shape that are not constraint parameters.
NOT_PARAMETERS = {
    RDF.type,
    SH.path,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.deactivated,
}


@cache
def shapes() -> Graph:
    return load_shapes()


@cache
def ontology() -> Graph:
    return Ontology().graph


@cache
def node_shapes() -> tuple[URIRef, ...]:
    return tuple(sorted(s for s in shapes().subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)))


def node_shape_of(source_shape: str) -> URIRef:
    """The node shape a result comes from: a result names its shape as the node shape's IRI,
    followed by the path for a property shape."""
    owner = URIRef(source_shape.split(" ", 1)[0])
    assert owner in set(node_shapes()), f"no node shape owns the source shape {source_shape}"
    return owner


# pySHACL's runs are slow: in the fast loop the fast engine checks every case against its
# expectations; the full suite also runs the reference on every case and holds the two equal.
ENGINES = (pytest.param("pyshacl", marks=pytest.mark.slow), "fast")


@cache  # each case is validated once per engine, whichever tests read it
def findings(case: Path, engine: str) -> tuple[Finding, ...]:
    return tuple(validate_graph(Graph().parse(case, format="turtle"), ontology(), shapes(), validator=engine).findings)


def expectations(case: Path) -> list[tuple[str, str]]:
    lines = case.read_text(encoding="utf-8").splitlines()
    return [(m[1].lower(), m[2]) for m in map(EXPECT.match, lines) if m]


def split(case: Path, engine: str) -> tuple[list[Finding], list[Finding]]:
    """The findings of the case's own shape, and those of other shapes above Info."""
    shape = HKS[case.parent.name]
    found = findings(case, engine)
    own = [f for f in found if node_shape_of(f.shape) == shape]
    others = [f for f in found if node_shape_of(f.shape) != shape and f.severity != "info"]
    return own, others


def report(found: list[Finding]) -> str:
    return "\n".join(f"  {f.severity}: {f.message} [{f.focus}]" for f in found) or "  (none)"


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


CONFORMING = sorted(CASES.glob("*/conforming.ttl"))
VIOLATING = sorted(CASES.glob("*/violating*.ttl"))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CONFORMING, ids=case_id)
def test_conforming_data_gives_no_result_of_its_shape(case: Path, engine: str):
    own, others = split(case, engine)
    assert not own, f"{case_id(case)} should conform to its shape, but:\n{report(own)}"
    assert not others, f"other shapes report on {case_id(case)}:\n{report(others)}"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", VIOLATING, ids=case_id)
def test_violating_data_gives_exactly_the_expected_results(case: Path, engine: str):
    expected = expectations(case)
    assert expected, f'{case_id(case)} states no `# expect: <Severity> "<message>"` line'
    own, others = split(case, engine)
    unmatched = list(own)
    for severity, text in expected:
        match = next((f for f in unmatched if f.severity == severity and text in f.message), None)
        assert match, f"{case_id(case)}: no {severity} containing {text!r}; its shape reported:\n{report(own)}"
        unmatched.remove(match)
    assert not unmatched, f"{case_id(case)}: results beyond those expected:\n{report(unmatched)}"
    assert not others, f"other shapes report on {case_id(case)}:\n{report(others)}"


def broken_constraint(case: Path) -> tuple[str, str | None]:
    """The constraint component and the path (None for node-level constraints) the case breaks."""
    match = VIOLATES.match(case.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{case_id(case)}: its first line must say which constraint it violates"
    if match["sparql"]:
        return str(SH.SPARQLConstraintComponent), None
    param = match["param"]
    component = str(SH[f"{param[0].upper()}{param[1:]}ConstraintComponent"])
    path = match["path"]
    return component, str(shapes().namespace_manager.expand_curie(path)) if path else None


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", VIOLATING, ids=case_id)
def test_a_violating_case_is_reported_by_the_constraint_it_names_on_its_path(case: Path, engine: str):
    component, path = broken_constraint(case)
    own, _others = split(case, engine)
    assert own, f"{case_id(case)}: its shape reported nothing"
    for finding in own:
        assert finding.component == component, f"{case_id(case)}: reported by {finding.component}, not {component}"
    if path is not None:  # a case may have to break the constraint on a sibling path too (both CI bounds)
        assert path in {f.path for f in own}, f"{case_id(case)}: nothing reported on {path}:\n{report(own)}"


@pytest.mark.slow
@pytest.mark.parametrize("case", [*CONFORMING, *VIOLATING], ids=case_id)
def test_both_engines_give_the_same_results(case: Path):
    """Every result of every shape (not only the case's own), compared on focus node, path, value,
    severity, constraint component, source shape and messages."""
    data = Graph().parse(case, format="turtle")
    reference, fast = (run_engine(engine, data, ontology(), shapes()) for engine in ENGINES)
    assert [(r.key(), r.messages) for r in fast] == [(r.key(), r.messages) for r in reference]


def test_the_fast_engine_compiles_everything_the_shapes_use():
    """A shape using a constraint component the fast engine does not implement fails here, so a
    new shape cannot make the engines silently diverge: implement it in sparql_engine.py first."""
    assert unsupported(shapes()) == []


def test_a_component_the_fast_engine_lacks_is_named():
    extended = shapes() + Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix hk: <https://w3id.org/her2kg/ontology#> .
        <urn:x:S> a sh:NodeShape ; sh:targetClass hk:Drug ;
            sh:property [ sh:path hk:inClass ; sh:qualifiedMinCount 1 ; sh:qualifiedValueShape [ sh:class hk:DrugClass ] ] .
        """,
        format="turtle",
    )
    assert SH.qualifiedMinCount not in COMPONENTS
    assert [p for p in unsupported(extended) if "qualifiedMinCount" in p]


@pytest.mark.parametrize("shape", node_shapes(), ids=lambda s: s.fragment)
def test_every_node_shape_has_a_conforming_and_a_violating_case(shape: URIRef):
    folder = CASES / shape.fragment
    assert (folder / "conforming.ttl").is_file(), f"add {folder.name}/conforming.ttl"
    assert list(folder.glob("violating*.ttl")), f"add {folder.name}/violating-<constraint>.ttl"


def test_every_case_folder_names_a_node_shape():
    names = {shape.fragment for shape in node_shapes()}
    assert sorted(p.name for p in CASES.iterdir() if p.is_dir() and p.name not in names) == []


def constraint_parameters(property_shape) -> list[URIRef]:
    return sorted(p for p in set(shapes().predicates(property_shape, None)) if p not in NOT_PARAMETERS)


@pytest.mark.parametrize("shape", node_shapes(), ids=lambda s: s.fragment)
def test_every_property_constraint_has_its_violating_case(shape: URIRef):
    graph, missing = shapes(), []
    for property_shape in graph.objects(shape, SH.property):
        path = graph.value(property_shape, SH.path)
        for parameter in constraint_parameters(property_shape):
            name = f"violating-{kebab(re.split('[#/]', path)[-1])}-{kebab(parameter.fragment)}.ttl"
            if not (CASES / shape.fragment / name).is_file():
                missing.append(name)
    assert missing == [], f"{shape.fragment} has constraints without a case"


@pytest.mark.parametrize("shape", node_shapes(), ids=lambda s: s.fragment)
def test_every_constraint_says_in_words_what_is_wrong(shape: URIRef):
    graph = shapes()
    constraints = [*graph.objects(shape, SH.property), *graph.objects(shape, SH.sparql)]
    silent = [c for c in constraints if graph.value(c, SH.message) is None]
    assert silent == [], f"{shape.fragment}: add an sh:message to every constraint"


def test_a_second_shacl_engine_finds_the_same_on_every_case():
    """rudof, an independent SHACL engine in Rust, validates each case with the TBox merged into the
    data (no inference) and must report the severities the case expects: the shapes are portable
    SHACL, not pySHACL's dialect. Messages are not compared: rudof replaces the sh:message of
    sh:lessThanOrEquals and sh:or results with its own words."""
    pyrudof = pytest.importorskip("pyrudof")
    engine = pyrudof.Rudof(pyrudof.RudofConfig())
    for path in files(project_path("ontology"), "*.ttl"):
        engine.read_data(str(path), merge=True)
    engine.read_shacl(shapes().serialize(format="turtle"))
    disagreements = []
    for case in [*CONFORMING, *VIOLATING]:
        engine.begin_staging()  # the case's triples are rolled back after each validation
        try:
            engine.read_data(str(case), merge=True)
            found = sorted(str(r.severity).lower() for r in engine.validate_shacl().violations)
        finally:
            engine.rollback_staging()
        expected = sorted(severity for severity, _ in expectations(case))
        if [s for s in found if s != "info"] != [s for s in expected if s != "info"]:
            disagreements.append(f"{case_id(case)}: rudof found {found}, the case expects {expected}")
    assert disagreements == []
