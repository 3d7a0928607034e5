"""The library face: what `import her2kg` offers, used as a program would use it."""

from pathlib import Path

import pytest

import her2kg
from her2kg.validate import Severity

SLICE = Path(__file__).parent / "data" / "slice"


@pytest.mark.parametrize("name", her2kg.__all__)
def test_every_public_name_resolves(name):
    assert getattr(her2kg, name) is not None


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        her2kg.no_such_thing  # noqa: B018


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return her2kg.build_release(SLICE, tmp_path_factory.mktemp("lib") / "dist")


def test_build_release_returns_a_typed_report(built):
    assert isinstance(built, her2kg.BuildReport)
    assert built.records == 15 and built.triples > 0
    assert isinstance(built.validation, her2kg.ValidationReport) and built.validation.conforms
    assert {str(f.severity) for f in built.validation.findings} <= {"warning", "info"}
    assert her2kg.Release(built.out_dir).read_report()["triples"] == built.triples


def test_validate_file_reports_each_result_with_its_constraint(built, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix hk: <https://w3id.org/her2kg/ontology#> .\n<https://w3id.org/her2kg/variant/x> a hk:Variant .\n"
    )
    report = her2kg.validate_file(bad)
    assert not report.conforms
    missing_gene = [f for f in report.violations if f.path == "https://w3id.org/her2kg/ontology#variantOf"]
    assert missing_gene and missing_gene[0].severity is Severity.VIOLATION
    assert missing_gene[0].component == "http://www.w3.org/ns/shacl#MinCountConstraintComponent"
    assert missing_gene[0].focus == "https://w3id.org/her2kg/variant/x"


def test_a_released_graph_answers_canned_and_ad_hoc_queries(built):
    store = her2kg.open_release(built.out_dir)
    with her2kg.run_query(store, "drugs-by-class", {}) as rows:
        assert rows.variables and list(rows)
    with her2kg.execute(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s a hk:Drug }") as rows:
        assert int(next(iter(rows))[0].value) == 3


def test_the_public_names_are_the_library_face():
    assert sorted(her2kg.__all__) == sorted([*her2kg._FACE, "__version__"])
