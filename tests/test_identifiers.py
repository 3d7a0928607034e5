"""Standard identifiers are checked against their registry's pattern before any IRI is made.

tests/data/identifiers.tsv lists, per registry, identifiers as a curator writes them and what
becomes of each: the CURIE and the IRI of a valid one, or the hint that ends the error message.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from her2kg.identifiers import REGISTRIES, IdentifierError, parse_identifier

TABLE = Path(__file__).parent / "data" / "identifiers.tsv"
ROWS = [row for row in csv.reader(TABLE.open(encoding="utf-8"), delimiter="\t") if row and not row[0].startswith("#")]


@pytest.mark.parametrize(("registry", "written", "curie", "iri"), [r for r in ROWS if r[2] != "error"], ids=lambda v: v)
def test_a_valid_identifier_gives_its_curie_and_iri(registry, written, curie, iri):
    identifier = parse_identifier(registry, written)
    assert (identifier.curie, identifier.iri) == (curie, iri)


@pytest.mark.parametrize(
    ("registry", "written", "hint"), [(r[0], r[1], r[3]) for r in ROWS if r[2] == "error"], ids=lambda v: v
)
def test_a_malformed_identifier_is_refused_with_the_pattern_and_a_fix(registry, written, hint):
    with pytest.raises(IdentifierError) as refused:
        parse_identifier(registry, written)
    message = str(refused.value)
    assert message.startswith("does not match ") and REGISTRIES[registry].pattern in message
    assert message.endswith(f" — {hint}")


def test_every_registry_has_good_and_bad_cases():
    covered = {(row[0], row[2] == "error") for row in ROWS}
    tested = {"hgnc", "chebi", "chembl", "drugbank", "ncit", "mondo", "nct", "doi", "pmid"}
    assert {(r, bad) for r in tested for bad in (False, True)} <= covered


def test_an_unknown_registry_is_refused_with_a_suggestion():
    with pytest.raises(IdentifierError, match="unknown registry 'hgcn' — did you mean 'hgnc'"):
        parse_identifier("hgcn", "HGNC:3430")
