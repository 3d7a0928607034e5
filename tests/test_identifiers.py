"""Standard identifiers are checked against their registry's pattern before any IRI is made.

tests/data/identifiers.tsv lists, per registry, identifiers as a curator writes them and what
becomes of each: the CURIE and the IRI of a valid one, or the hint that ends the error message.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from her2kg import identifiers
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


# --- the registry snapshot (registries.json) ------------------------------------------------------


def test_the_registry_snapshot_is_what_the_installed_bioregistry_says():
    shipped = identifiers.SNAPSHOT.read_text(encoding="utf-8")
    assert shipped == identifiers.snapshot_text(), (
        "registries.json differs from the installed Bioregistry — regenerate it with 'python -m her2kg.identifiers'"
    )


def test_the_snapshot_holds_every_registry_the_facts_may_name():
    assert sorted(json.loads(identifiers.SNAPSHOT.read_text(encoding="utf-8"))) == sorted(
        r.prefix for r in REGISTRIES.values()
    )


def _outcome(registry: str, written: str) -> tuple[str, str]:
    try:
        identifier = parse_identifier(registry, written)
    except IdentifierError as refused:
        return ("error", str(refused))
    return (identifier.curie, identifier.iri)


@pytest.mark.parametrize(("registry", "written"), [(r[0], r[1]) for r in ROWS], ids=lambda v: v)
def test_the_snapshot_checks_an_identifier_as_the_bioregistry_does(registry, written, monkeypatch):
    from_snapshot = _outcome(registry, written)
    # Every identifier through the Bioregistry's own standardisation, none through the shortcut.
    monkeypatch.setattr(identifiers, "_in_standard_form", lambda _registry, _local: False)
    assert _outcome(registry, written) == from_snapshot


def test_a_registry_missing_from_the_snapshot_is_read_from_the_bioregistry(monkeypatch):
    monkeypatch.setattr(identifiers, "_snapshot", lambda: {})
    identifiers._record.cache_clear()
    try:
        assert _outcome("hgnc", "HGNC:3430") == ("HGNC:3430", "https://identifiers.org/hgnc:3430")
    finally:
        identifiers._record.cache_clear()


@pytest.mark.slow
def test_checking_the_shipped_facts_imports_no_bioregistry_and_no_pyshacl():
    # A new process: this one has imported both long ago.
    script = (
        "import sys; from her2kg.build import check_facts; check_facts(validator='fast'); "
        "print(' '.join(m for m in ('bioregistry', 'pyshacl', 'owlready2', 'pydantic', 'requests') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
