"""The release files a triple store takes: N-Quads with named graphs, gzip copies, SHA256SUMS, and
void.ttl describing each of them."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, VOID, XSD

from her2kg.build import check_facts as check
from her2kg.formats import FORMATS, SD, SUMS_FILE, release_graph
from her2kg.release import Release, write_release

SLICE = Path(__file__).parent / "data" / "slice"
VERSION = "0.2.0"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Release:
    out = tmp_path_factory.mktemp("store-files") / "dist"
    write_release(check(SLICE), out, with_inferences=True)
    return Release(out)


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_sha256sums_checks_every_file_the_registry_wrote(built):
    listed = {line.split("  ")[1] for line in lines(built.folder / SUMS_FILE)}
    assert listed == {f.file_name for f in FORMATS.values()} - {SUMS_FILE}
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--quiet", "-c", SUMS_FILE], cwd=built.folder, check=True)
    for line in lines(built.folder / SUMS_FILE):
        digest, name = line.split("  ")
        assert hashlib.sha256((built.folder / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("name", ["her2kg.nt", "her2kg.nq"])
def test_a_gzip_copy_has_no_time_and_the_plain_file_name(built, name):
    packed = (built.folder / f"{name}.gz").read_bytes()
    assert packed[4:8] == b"\0\0\0\0"  # MTIME: none, so every build gives the same bytes
    assert packed[3] & 0x08 and packed[10:].startswith(name.encode() + b"\0")  # FNAME, not the staging path
    assert gzip.decompress(packed) == (built.folder / name).read_bytes()


def test_the_nquads_hold_ontology_data_and_inferences_in_versioned_graphs(built):
    by_graph: dict[str, set[str]] = {}
    for line in lines(built.folder / "her2kg.nq"):
        triple, _, graph = line.removesuffix(" .").rpartition(" ")
        by_graph.setdefault(graph, set()).add(triple + " .")
    graphs = {part: f"<{release_graph(VERSION, part)}>" for part in ("ontology", "data", "inferred")}
    assert set(by_graph) == set(graphs.values())
    assert by_graph[graphs["ontology"]] | by_graph[graphs["data"]] == set(lines(built.graph_nt))
    assert not by_graph[graphs["ontology"]] & by_graph[graphs["data"]]
    assert any("<https://w3id.org/her2kg/ontology>" in t for t in by_graph[graphs["ontology"]])
    assert by_graph[graphs["inferred"]] == set(lines(built.inferred_nt))


def test_void_describes_every_file_with_format_size_triples_and_graph(built):
    void = Graph().parse(built.void)
    files = [f for f in FORMATS.values() if f.name != "void"]
    counts = {"application/n-triples": None, "application/n-quads": None}
    for fmt in files:
        file = URIRef(f"https://w3id.org/her2kg/release/{VERSION}/{fmt.file_name}")
        size = (built.folder / fmt.file_name).stat().st_size
        assert void.value(file, DCAT.byteSize) == Literal(size, datatype=XSD.nonNegativeInteger), fmt.file_name
        media = void.value(file, DCAT.mediaType)
        assert media == URIRef(f"https://www.iana.org/assignments/media-types/{fmt.media_type}"), fmt.file_name
        holder = void.value(None, DCAT.distribution, file)
        assert holder is not None, f"{fmt.file_name}: no dataset or named graph distributes it"
        if fmt.media_type in counts and not fmt.file_name.endswith(".gz"):
            triples = len(lines(built.folder / fmt.file_name))
            assert void.value(file, VOID.triples) == Literal(triples, datatype=XSD.integer), fmt.file_name
    release = URIRef(release_graph(VERSION))
    assert void.value(release, SD.name) == release
    assert (release, DCAT.distribution, URIRef(f"https://w3id.org/her2kg/release/{VERSION}/her2kg.nt")) in void
