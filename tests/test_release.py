"""The release folder as one object: its files by role, its format registry, reading it back, and
what a reader says when it is missing, incomplete or corrupt (never a traceback)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from her2kg.build import check_facts as check
from her2kg.cli import cli
from her2kg.errors import ReleaseError
from her2kg.formats import FORMATS, Format, formats
from her2kg.namespaces import ONTOLOGY_IRI
from her2kg.reason import load_release
from her2kg.release import MARKER, Release, write_release
from her2kg.store import open_release

SLICE = Path(__file__).parent / "data" / "slice"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Release:
    out = tmp_path_factory.mktemp("release") / "dist"
    write_release(check(SLICE), out)
    return Release(out)


# --- the layout -------------------------------------------------------------------------------


def test_the_release_knows_its_files_by_role(built):
    assert (built.graph_nt.name, built.graph_ttl.name, built.owl.name, built.void.name, built.report.name) == (
        "her2kg.nt",
        "her2kg.ttl",
        "her2kg.owl",
        "void.ttl",
        "build-report.json",
    )
    assert (built.inferred_nt.name, built.inferred_ttl.name) == ("her2kg-inferred.nt", "her2kg-inferred.ttl")
    assert Release.file_names() == [
        "her2kg.ttl",
        "her2kg.nt",
        "her2kg.owl",
        "void.ttl",
        "her2kg.nq",
        "her2kg.nt.gz",
        "her2kg.nq.gz",
        "SHA256SUMS",
        "claims.tsv",
        "outcomes.tsv",
        "trials.tsv",
        "her2kg-kgx/nodes.tsv",
        "her2kg-kgx/edges.tsv",
        "her2kg-kgx/nodes.jsonl",
        "her2kg-kgx/edges.jsonl",
        "her2kg-nanopubs.trig",
        "her2kg-context.jsonld",
        "her2kg.jsonld",
        "build-report.json",
    ]
    assert sorted(p.relative_to(built.folder).as_posix() for p in built.folder.rglob("*") if p.is_file()) == sorted(
        [*Release.file_names(), MARKER]
    )


def test_the_marker_lists_what_the_build_wrote(built):
    marker = json.loads(built.marker.read_text())
    assert marker["her2kg"] == "release"
    assert marker["files"] == sorted(built.verify()["files"])


def test_every_registered_format_is_written_with_its_media_type(built):
    assert {f.name: f.media_type for f in formats()} == {
        "ttl": "text/turtle",
        "nt": "application/n-triples",
        "owl": "application/rdf+xml",
        "void": "text/turtle",
        "nq": "application/n-quads",
        "nt-gz": "application/n-triples",
        "nq-gz": "application/n-quads",
        "sums": "text/plain",
        "claims-tsv": "text/tab-separated-values",
        "outcomes-tsv": "text/tab-separated-values",
        "trials-tsv": "text/tab-separated-values",
        "kgx-nodes-tsv": "text/tab-separated-values",
        "kgx-edges-tsv": "text/tab-separated-values",
        "kgx-nodes-jsonl": "application/jsonl",
        "kgx-edges-jsonl": "application/jsonl",
        "nanopubs": "application/trig",
        "jsonld-context": "application/ld+json",
        "jsonld": "application/ld+json",
    }
    for fmt in formats():
        assert built.path(fmt.name).stat().st_size > 0, fmt.name


def test_a_new_format_is_one_registry_entry(tmp_path, monkeypatch):
    monkeypatch.setitem(
        FORMATS, "nq", Format("nq", "her2kg.nq", "application/n-quads", lambda c: c.ntriples.encode("utf-8"))
    )
    report = write_release(check(SLICE), tmp_path / "dist")
    release = Release(tmp_path / "dist")
    assert "her2kg.nq" in report["files"] and release.path("nq").read_bytes() == release.graph_nt.read_bytes()
    assert URIRef("https://w3id.org/her2kg/release/0.1.0/her2kg.nq") not in set(Graph().parse(release.void).objects())


def test_the_graph_formats_hold_the_same_graph(built):
    ntriples = Graph().parse(built.graph_nt, format="nt")
    assert isomorphic(ntriples, Graph().parse(built.graph_ttl, format="turtle"))
    assert isomorphic(ntriples, Graph().parse(built.owl, format="xml"))


# --- reading it back: the one loader ------------------------------------------------------------


def test_the_store_and_the_graph_are_read_through_the_one_loader(built):
    report = built.verify()
    assert len(open_release(built.folder)) == report["triples"] == len(built.open_store())
    assert isomorphic(load_release(built.folder), Graph().parse(built.graph_nt, format="nt"))


def _truncate_mid_line(release: Release) -> None:
    text = release.graph_nt.read_bytes()
    release.graph_nt.write_bytes(text[: len(text) // 2 + 7])


def _drop_last_lines(release: Release) -> None:
    lines = release.graph_nt.read_text().splitlines(keepends=True)
    release.graph_nt.write_text("".join(lines[:-10]))


# case → (how the release is damaged, what every reader must say)
DAMAGED = {
    "no-folder": (lambda r: shutil.rmtree(r.folder), "no release here (no such folder) — run 'her2kg build' first"),
    "an-empty-folder": (
        lambda r: [shutil.rmtree(p) if p.is_dir() else p.unlink() for p in r.folder.iterdir()],
        "no release here (no build-report.json) — run 'her2kg build' first",
    ),
    "nt-cut-mid-line": (_truncate_mid_line, "her2kg.nt:"),
    "nt-cut-at-a-line-end": (_drop_last_lines, "but build-report.json says"),
    "a-file-deleted": (lambda r: r.owl.unlink(), "her2kg.owl: missing — the release is incomplete"),
    "a-file-emptied": (lambda r: r.void.write_bytes(b""), "void.ttl: empty — the release is incomplete"),
    "garbage-report": (lambda r: r.report.write_text("}{ garbage"), "build-report.json:1: not a build report"),
    "a-report-of-something-else": (lambda r: r.report.write_text("[1, 2]"), "build-report.json: not a build report"),
    "binary-report": (lambda r: r.report.write_bytes(b"\xff\xfe\x00"), "build-report.json: not a build report"),
}
COMMANDS = {
    "stats": ["stats"],
    "query": ["query", "approvals"],
    "sparql": ["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
    "reason": ["reason"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_damaged_release_is_a_clear_error_in_every_reader(case, command, built, tmp_path):
    damaged = Release(tmp_path / "dist")
    shutil.copytree(built.folder, damaged.folder)
    damage, says = DAMAGED[case]
    damage(damaged)

    result = CliRunner().invoke(cli, [*COMMANDS[command], "--release", str(damaged.folder)])

    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    assert says in " ".join(result.stderr.split()), result.stderr
    assert "rebuild it with 'her2kg build'" in result.stderr or "run 'her2kg build' first" in result.stderr


def test_the_mid_line_cut_is_reported_at_its_line(built, tmp_path):
    damaged = Release(tmp_path / "dist")
    shutil.copytree(built.folder, damaged.folder)
    _truncate_mid_line(damaged)
    line = damaged.graph_nt.read_text().count("\n") + 1
    with pytest.raises(ReleaseError, match=rf"her2kg.nt:{line}: not valid N-Triples"):
        damaged.open_store()


# --- release hygiene --------------------------------------------------------------------------


def test_the_ontology_header_comes_first_in_the_turtle_and_the_rdfxml(built):
    turtle = [line for line in built.graph_ttl.read_text().splitlines() if line and not line.startswith("@prefix")]
    assert turtle[0] == f"<{ONTOLOGY_IRI}> a owl:Ontology ;"
    rdfxml = built.owl.read_text().splitlines()
    assert rdfxml[2].strip() == f'<owl:Ontology rdf:about="{ONTOLOGY_IRI}">'


def test_the_header_carries_title_version_licence_and_release_date(built):
    graph = Graph().parse(built.graph_nt, format="nt")
    for predicate in (DCTERMS.title, OWL.versionIRI, OWL.versionInfo, DCTERMS.license):
        assert graph.value(ONTOLOGY_IRI, predicate) is not None, predicate
    issued = graph.value(ONTOLOGY_IRI, DCTERMS.issued)
    assert isinstance(issued, Literal) and issued.datatype == XSD.dateTime  # xsd:date is not OWL 2


def test_source_date_epoch_sets_the_release_date_and_keeps_builds_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    checked = check(SLICE)
    write_release(checked, tmp_path / "a")
    write_release(checked, tmp_path / "b")
    a, b = Release(tmp_path / "a"), Release(tmp_path / "b")
    issued = Graph().parse(a.graph_nt, format="nt").value(ONTOLOGY_IRI, DCTERMS.issued)
    assert issued == Literal("2026-01-01T00:00:00Z", datatype=XSD.dateTime)
    for fmt in formats():
        assert a.path(fmt.name).read_bytes() == b.path(fmt.name).read_bytes(), fmt.name


def test_void_describes_the_dataset_not_the_ontology_again(built):
    void = Graph().parse(built.void)
    release = Graph().parse(built.graph_nt, format="nt")
    dataset = next(void.subjects(RDF.type, URIRef("http://rdfs.org/ns/void#Dataset")))
    assert (ONTOLOGY_IRI, None, None) not in void
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert void.value(dataset, predicate) != release.value(ONTOLOGY_IRI, predicate)
    assert void.value(dataset, DCTERMS.conformsTo) == ONTOLOGY_IRI
    assert void.value(dataset, DCTERMS.issued) == release.value(ONTOLOGY_IRI, DCTERMS.issued)


def test_the_build_report_names_every_shape_without_blank_node_ids(built, tmp_path):
    write_release(check(SLICE), tmp_path / "again")
    first = built.verify()["validation"]
    again = Release(tmp_path / "again").verify()["validation"]
    assert first == again
    assert first["results"] and all(r["shape"].startswith("https://w3id.org/her2kg/shapes#") for r in first["results"])
    assert "https://w3id.org/her2kg/shapes#IdentifierShape skos:exactMatch" in {r["shape"] for r in first["results"]}


def test_the_turtle_declares_our_prefixes_sorted_by_name(built):
    """pyoxigraph writes the Turtle; its prefix declarations are ours, in a fixed order, so the
    same graph gives the same bytes."""
    declared = [
        line.split()[1].rstrip(":") for line in built.graph_ttl.read_text().splitlines() if line.startswith("@prefix")
    ]
    assert declared == sorted(declared) and {"hk", "drug", "trial", "owl"} <= set(declared)
