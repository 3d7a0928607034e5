"""The release's sorted triples answer the writers' patterns as a pyoxigraph store would, with the terms as
written (a store gives numbers in canonical form)."""

import pyoxigraph as ox
import pytest

from her2kg.export import oxigraph_triples
from her2kg.triple_index import TripleIndex

EX = "https://example.org/"
A, B, C = (ox.NamedNode(f"{EX}{n}") for n in "abc")
LABEL, VALUE = ox.NamedNode(f"{EX}label"), ox.NamedNode(f"{EX}value")
DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
TRIPLES = oxigraph_triples(
    [
        ox.Triple(B, LABEL, ox.Literal("bee")),
        ox.Triple(A, VALUE, ox.Literal("0.50", datatype=DECIMAL)),
        ox.Triple(A, LABEL, ox.Literal("ay")),
        ox.Triple(C, VALUE, A),
        ox.Triple(A, VALUE, B),
    ]
)


@pytest.fixture
def index():
    return TripleIndex(TRIPLES)


def in_store(pattern):
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in TRIPLES)
    return sorted(str(q.triple) for q in store.quads_for_pattern(*pattern))


@pytest.mark.parametrize(
    "pattern",
    [(A, None, None), (A, VALUE, None), (None, LABEL, None), (None, VALUE, A), (A, VALUE, B), (C, LABEL, None)],
    ids=["subject", "subject-predicate", "predicate", "predicate-object", "whole-triple", "nothing"],
)
def test_a_pattern_finds_what_a_store_finds(index, pattern):
    found = sorted(str(t) for t in index.quads_for_pattern(*pattern))
    assert [line.replace('"0.50"', '"0.5"') for line in found] == in_store(pattern)


def test_a_number_reads_as_the_release_writes_it(index):
    (value,) = [t.object for t in index.quads_for_pattern(A, VALUE, None) if isinstance(t.object, ox.Literal)]
    assert value.value == "0.50"


def test_membership_is_exact(index):
    assert ox.Triple(A, VALUE, B) in index
    assert ox.Triple(A, VALUE, ox.Literal("0.50", datatype=DECIMAL)) in index
    assert ox.Triple(A, VALUE, ox.Literal("0.5", datatype=DECIMAL)) not in index
    assert ox.Triple(B, VALUE, A) not in index


def test_a_pattern_without_subject_or_predicate_is_refused(index):
    with pytest.raises(ValueError, match="subject or its predicate"):
        list(index.quads_for_pattern(None, None, A))
