"""The evidence tables: one row per claim, per arm result (or outcome without arm results) and per trial, each
file with a header row, read back by the csv module (and pandas, where installed) with the counts SPARQL gives."""

import csv

import pyoxigraph
import pytest

from her2kg.namespaces import sparql_prologue

COUNTS = {  # the file, its key column, and the SPARQL that counts its rows on the release
    "claims.tsv": ("claim", "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a hk:Claim }"),
    "trials.tsv": ("trial", "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a hk:ClinicalTrial }"),
    "outcomes.tsv": (
        "outcome",
        """SELECT (COUNT(*) AS ?n) WHERE {
        { ?x a hk:Outcome ; hk:hasArmResult ?r }
        UNION { ?x a hk:Outcome FILTER NOT EXISTS { ?x hk:hasArmResult ?r } } }""",
    ),
}


@pytest.fixture(scope="module")
def graph(shipped_release):
    store = pyoxigraph.Store()
    store.bulk_load(path=str(shipped_release / "her2kg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def count(graph, query: str) -> int:
    return int(next(iter(graph.query(sparql_prologue() + query)))[0].value)


def read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_a_table_has_one_row_per_node_sparql_counts(shipped_release, graph, name):
    key, query = COUNTS[name]
    rows = read(shipped_release / name)
    assert len(rows) == count(graph, query) > 0
    assert all(row[key] for row in rows)
    assert all(None not in row and None not in row.values() for row in rows), "every row has the header's columns"


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_rows_are_sorted_and_cells_are_single_lines(shipped_release, name):
    lines = (shipped_release / name).read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    rows = [line.split("\t") for line in lines[1:-1]]
    assert rows == sorted(rows)


def test_a_relation_claim_row_names_subject_relation_object_and_provenance(shipped_release, graph):
    rows = {row["claim"]: row for row in read(shipped_release / "claims.tsv")}
    relation_claims = count(graph, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a hk:RelationClaim }")
    assert sum(1 for row in rows.values() if row["relation"]) == relation_claims
    row = rows["claim/ahm-acquired-her2-mutations-mechanism-of-resistance-endocrine"]
    assert row["kind"] == "RelationClaim"
    assert row["relation"] == "ontology#mechanismOfResistanceTo"
    assert row["object"] == "drug-class/endocrine-therapy"
    assert row["hedge"] == "vocab/hedge/suggested"
    assert row["source"] == "publication/acquired-her2-mutations-2018"
    assert len(row["quote"].split(" | ")) == 2


def test_outcome_figures_are_numbers_pandas_reads(shipped_release):
    pandas = pytest.importorskip("pandas")
    outcomes = pandas.read_csv(shipped_release / "outcomes.tsv", sep="\t")
    assert outcomes["hazard_ratio"].dropna().between(0, 10).all()
    assert len(pandas.read_csv(shipped_release / "claims.tsv", sep="\t")) == len(read(shipped_release / "claims.tsv"))
