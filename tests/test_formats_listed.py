"""The outputs for other tools are release files like the others: described in void.ttl and checked by SHA256SUMS."""

import hashlib

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS

NEW_FILES = [
    "claims.tsv",
    "outcomes.tsv",
    "trials.tsv",
    "her2kg_kgx_nodes.tsv",
    "her2kg_kgx_edges.tsv",
    "her2kg_kgx_nodes.jsonl",
    "her2kg_kgx_edges.jsonl",
    "her2kg-nanopubs.trig",
    "her2kg.jsonld",
    "her2kg-context.jsonld",
]


@pytest.mark.parametrize("name", NEW_FILES)
def test_the_file_is_a_distribution_in_void_and_its_sum_is_right(shipped_release, name):
    void = Graph().parse(shipped_release / "void.ttl")
    titles = {str(t) for d in void.objects(None, DCAT.distribution) for t in void.objects(d, DCTERMS.title)}
    assert name in titles
    sums = dict(line.split("  ")[::-1] for line in (shipped_release / "SHA256SUMS").read_text().splitlines())
    assert sums[name] == hashlib.sha256((shipped_release / name).read_bytes()).hexdigest()
