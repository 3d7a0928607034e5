"""benchmarks/generate.py: synthetic facts that a build accepts, in the real facts' shape, the same
for the same seed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from her2kg.build import check_facts
from her2kg.schema import FieldType

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from generate import generate


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(300, out, seed=5)
    return out


def test_the_same_seed_gives_the_same_files(project: Path, tmp_path: Path):
    generate(300, tmp_path / "again", seed=5)
    generate(300, tmp_path / "other", seed=6)
    assert tree(tmp_path / "again") == tree(project)
    assert tree(tmp_path / "other") != tree(project)


def test_generated_facts_build_with_every_quote_checked(project: Path):
    checked = check_facts(project / "facts", sources_dir=project / "sources")
    assert checked.violations == []
    assert checked.quotes is not None and checked.quotes.unchecked == {}
    assert sum(checked.quotes.checked.values()) > 300
    claims = [r for r in checked.facts.records if r.kind.name == "claim"]
    assert len(claims) == 300


def test_every_field_type_of_the_schema_appears(project: Path):
    checked = check_facts(project / "facts", sources_dir=project / "sources")
    used = {
        field.type
        for record in checked.facts.records
        for key in record.values
        if (field := record.kind.field(key)) is not None
    }
    assert set(FieldType) - used == set()


@pytest.mark.slow
def test_kinds_keep_the_real_proportions_at_scale(tmp_path: Path):
    """Every kind of record is generated, other kinds at a fixed share of their real ratio to claims."""
    counts = generate(5_000, tmp_path, seed=1)
    assert counts["claims"] == 5_000
    assert counts["outcomes"] > counts["trials"] > counts["publications"] >= 3
    assert all(count >= 1 for count in counts.values())  # kinds with one real record (an event) may stay at one
