"""The release: its files, the same triples in every format, the same bytes on every build."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from her2kg.cli import cli
from her2kg.formats import formats
from her2kg.release import MARKER, Release

SLICE = Path(__file__).parent / "data" / "slice"
GRAPH_FILES = tuple(f.file_name for f in formats())


def build(facts: Path, out: Path):
    return CliRunner().invoke(cli, ["build", "--facts", str(facts), "--out", str(out)])


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("slice") / "dist"
    result = build(SLICE, out)
    assert result.exit_code == 0, result.output
    return out


def test_build_writes_the_release_files_and_its_marker(release):
    assert sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()) == sorted(
        [*Release.file_names(), MARKER]
    )


def test_every_format_holds_the_same_triples(release):
    files = Release(release)
    turtle = Graph().parse(files.graph_ttl, format="turtle")
    ntriples = Graph().parse(files.graph_nt, format="nt")
    rdfxml = Graph().parse(files.owl, format="xml")
    lines = files.graph_nt.read_text().splitlines()
    assert len(turtle) == len(ntriples) == len(rdfxml) == len(lines)
    assert lines == sorted(lines)


def test_two_builds_give_identical_bytes(release, tmp_path):
    """Every registered file, the gzip copies and SHA256SUMS included; the second build writes into a folder
    of another name, at another time."""
    again = tmp_path / "again"
    assert build(SLICE, again).exit_code == 0
    for name in GRAPH_FILES:
        assert (release / name).read_bytes() == (again / name).read_bytes(), name


def test_the_report_counts_classes_validation_and_timings(release):
    report = json.loads(Release(release).report.read_text())
    assert report["classes"]["ClinicalTrial"] == 1
    assert report["classes"]["Drug"] == 3
    assert report["validation"]["conforms"] is True
    assert report["validation"]["infos"] == len(report["validation"]["results"]) == 5
    assert set(report["timings_seconds"]) == {
        "load-ontology",
        "load-facts",
        "check-quotes",
        "build",
        "validate",
        "export",
    }
    assert report["triples"] == len(Release(release).graph_nt.read_text().splitlines())


def test_void_describes_the_dataset(release):
    void = Graph().parse(Release(release).void)
    rows = list(
        void.query("""
        PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?triples ?title WHERE { ?d a void:Dataset ; void:triples ?triples ; dcterms:title ?title ;
                                          dcterms:license ?license ; void:entities ?entities ; dcterms:source ?pub }""")
    )
    assert rows and int(rows[0].triples) == len(Release(release).graph_nt.read_text().splitlines())


def test_a_claim_gives_a_plain_triple_and_a_claim_node_with_provenance(release):
    graph = Graph().parse(Release(release).graph_nt, format="nt")
    rows = list(
        graph.query("""
        PREFIX hk: <https://w3id.org/her2kg/ontology#>
        PREFIX drug: <https://w3id.org/her2kg/drug/>
        PREFIX protein-form: <https://w3id.org/her2kg/protein-form/>
        SELECT ?quote ?site WHERE {
          drug:lapatinib hk:targets protein-form:p95her2 .
          ?claim hk:claimSubject drug:lapatinib ; hk:claimRelation hk:targets ; hk:claimObject protein-form:p95her2 ;
                 hk:quote ?quote ; hk:bindingSite ?site ; hk:statedIn ?source ; hk:evidenceKind ?kind . }""")
    )
    assert [(str(r.site)) for r in rows] == ["intracellular domain of HER2"]


def test_a_shacl_violation_fails_the_build_at_the_field_line_and_keeps_the_release(release, tmp_path):
    facts = tmp_path / "facts"
    shutil.copytree(SLICE, facts)
    trials = facts / "trials.yaml"
    trials.write_text(trials.read_text().replace("p-value: 0.001", "p-value: 1.5"))
    before = {name: (release / name).read_bytes() for name in GRAPH_FILES}

    result = build(facts, release)

    assert result.exit_code == 1
    line = next(i for i, text in enumerate(trials.read_text().splitlines(), 1) if "p-value: 1.5" in text)
    assert f"trials.yaml:{line}: violation: " in result.stderr
    assert "a p-value is one number between 0 and 1" in result.stderr
    assert {name: (release / name).read_bytes() for name in GRAPH_FILES} == before


RAPPER_SYNTAX = {"ttl": "turtle", "nt": "ntriples", "owl": "rdfxml"}  # format name → rapper's syntax


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("rapper") is None, reason="raptor2-utils (rapper) is not installed")
@pytest.mark.parametrize("which", ["slice", "shipped"])
@pytest.mark.parametrize("name", sorted(RAPPER_SYNTAX))
def test_an_independent_parser_reads_every_format_with_the_same_count(release, shipped_release, which, name):
    import subprocess

    folder = release if which == "slice" else shipped_release
    result = subprocess.run(
        ["rapper", "--count", "-i", RAPPER_SYNTAX[name], str(Release(folder).path(name))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = len(Release(folder).graph_nt.read_text().splitlines())
    assert f"Parsing returned {lines} triples" in result.stderr
    assert "Warning" not in result.stderr and "Error" not in result.stderr
