"""A release built from 1,000 generated claims: every file agrees with the release graph in a store — the same
triples in each RDF serialisation, one row or record per claim, trial, outcome and arm result in the tables and
nanopublications, and JSON-LD that expands to the data triples."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import VOID

from her2kg.build import build_release, check_facts
from her2kg.formats import FORMATS, formats, release_graph
from her2kg.formats_kgx import PREDICATES
from her2kg.namespaces import BASE, HK

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from generate import generate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("generated")
    generate(1_000, project, seed=3)
    checked = check_facts(project / "facts", sources_dir=project / "sources")
    out = project / "dist"
    build_release(out_dir=out, checked=checked)
    return out


@pytest.fixture(scope="module")
def store(release: Path) -> pyoxigraph.Store:
    found = pyoxigraph.Store()
    found.bulk_load(path=str(release / "her2kg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return found


def count(store: pyoxigraph.Store, where: str) -> int:
    rows = list(store.query(f"PREFIX hk: <{HK}> SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))  # type: ignore[union-attr]
    return int(rows[0]["n"].value)


def triples(release: Path, name: str) -> set[pyoxigraph.Triple]:
    fmt = FORMATS[name]
    syntax = pyoxigraph.RdfFormat.from_media_type(fmt.media_type)
    return {q.triple for q in pyoxigraph.parse(path=str(release / fmt.file_name), format=syntax)}


def tsv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def version(release: Path) -> str:
    return json.loads((release / "build-report.json").read_text())["version"]


def test_the_build_wrote_every_registered_file(release: Path):
    assert all((release / f.file_name).is_file() for f in formats())


def test_every_rdf_serialisation_holds_the_release_triples(release: Path):
    nt = triples(release, "nt")
    assert triples(release, "ttl") == nt
    assert triples(release, "owl") == nt


def test_the_nquads_graphs_split_the_release(release: Path):
    nt = triples(release, "nt")
    graphs: dict[str, set[pyoxigraph.Triple]] = {}
    for quad in pyoxigraph.parse(path=str(release / "her2kg.nq")):
        graphs.setdefault(quad.graph_name.value, set()).add(quad.triple)  # type: ignore[union-attr]
    ontology, data = (
        graphs[release_graph(version(release), "ontology")],
        graphs[release_graph(version(release), "data")],
    )
    assert ontology | data == nt and not ontology & data
    assert data and graphs[release_graph(version(release), "inferred")].isdisjoint(nt)


def test_void_counts_the_release(release: Path, store: pyoxigraph.Store):
    void = Graph().parse(release / "void.ttl")
    assert void.value(URIRef(BASE + "dataset"), VOID.triples) == Literal(len(store))


def test_sha256sums_checks_every_file(release: Path):
    for line in (release / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest


def test_one_row_per_claim_and_per_trial(release: Path, store: pyoxigraph.Store):
    claims = tsv_rows(release / "claims.tsv")
    assert len(claims) == len({r["claim"] for r in claims}) == count(store, "?c a hk:Claim")
    assert len(tsv_rows(release / "trials.tsv")) == count(store, "?t a hk:ClinicalTrial")
    kinds = Counter(r["kind"] for r in claims)
    assert kinds["RelationClaim"] == count(store, "?c a hk:RelationClaim")


def test_one_outcome_row_per_arm_result_or_outcome_without_any(release: Path, store: pyoxigraph.Store):
    rows = tsv_rows(release / "outcomes.tsv")
    with_arms = count(store, "?o a hk:Outcome ; hk:hasArmResult ?a")
    without = count(store, "?o a hk:Outcome FILTER NOT EXISTS { ?o hk:hasArmResult ?a }")
    assert len(rows) == with_arms + without
    assert len({r["outcome"] for r in rows}) == count(store, "?o a hk:Outcome")


def test_one_nanopublication_per_claim(release: Path, store: pyoxigraph.Store):
    dataset = pyoxigraph.Store()
    dataset.bulk_load(path=str(release / "her2kg-nanopubs.trig"), format=pyoxigraph.RdfFormat.TRIG)
    nanopubs = count(dataset, "GRAPH ?g { ?np a <http://www.nanopub.org/nschema#Nanopublication> }")
    assert nanopubs == count(store, "?c a hk:Claim")


def test_kgx_tsv_and_jsonl_hold_the_same_nodes_and_edges(release: Path, store: pyoxigraph.Store):
    folder = release / "her2kg-kgx"
    nodes = [json.loads(line) for line in (folder / "nodes.jsonl").read_text().splitlines()]
    edges = [json.loads(line) for line in (folder / "edges.jsonl").read_text().splitlines()]
    assert [n["id"] for n in nodes] == [r["id"] for r in tsv_rows(folder / "nodes.tsv")]
    assert [e["id"] for e in edges] == [r["id"] for r in tsv_rows(folder / "edges.tsv")]
    ids = {n["id"] for n in nodes}
    assert edges and all(e["subject"] in ids and e["object"] in ids for e in edges)
    relations = " ".join(f"hk:{r}" for r in PREDICATES)
    assert len(edges) <= count(store, f"?c a hk:RelationClaim ; hk:claimRelation ?r VALUES ?r {{ {relations} }}")


def test_the_jsonld_expands_to_the_data_triples(release: Path):
    """With its context, her2kg.jsonld reads back as exactly the data graph of her2kg.nq (literals compared by
    value: JSON numbers and booleans come back in their canonical lexical form)."""
    document = json.loads((release / "her2kg.jsonld").read_text(encoding="utf-8"))
    context = json.loads((release / "her2kg-context.jsonld").read_text(encoding="utf-8"))
    read = Graph().parse(data=json.dumps({**document, "@context": context["@context"]}), format="json-ld")
    quads = Dataset().parse(release / "her2kg.nq", format="nquads")
    data = quads.graph(URIRef(release_graph(version(release), "data")))

    def normal(graph: Graph) -> set[tuple[object, ...]]:
        return {(s, p, (o.datatype, o.language, o.toPython()) if isinstance(o, Literal) else o) for s, p, o in graph}

    assert len(read) == len(data)
    assert normal(read) == normal(data)


def test_formats_listed_are_the_ones_tested():
    """A new registered format gets a check here too."""
    checked = {"ttl", "nt", "owl", "owl-base", "void", "nq", "nt-gz", "nq-gz", "sums", "claims-tsv", "outcomes-tsv"}
    checked |= {"trials-tsv", "kgx-nodes-tsv", "kgx-edges-tsv", "kgx-nodes-jsonl", "kgx-edges-jsonl", "nanopubs"}
    checked |= {"jsonld-context", "jsonld", "inferred-ttl", "inferred-nt"}
    assert set(FORMATS) == checked
