"""Every release file is described in void.ttl and checked by SHA256SUMS."""

import hashlib

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS

from her2kg.formats import formats

# Every file the registry writes, but void.ttl (it does not describe itself) and SHA256SUMS (listed by size only).
LISTED = [f.file_name for f in formats() if f.name not in ("void", "sums")]


@pytest.mark.parametrize("name", LISTED)
def test_the_file_is_a_distribution_in_void_and_its_sum_is_right(shipped_release, name):
    void = Graph().parse(shipped_release / "void.ttl")
    titles = {str(t) for d in void.objects(None, DCAT.distribution) for t in void.objects(d, DCTERMS.title)}
    assert name in titles
    sums = dict(line.split("  ")[::-1] for line in (shipped_release / "SHA256SUMS").read_text().splitlines())
    assert sums[name] == hashlib.sha256((shipped_release / name).read_bytes()).hexdigest()
