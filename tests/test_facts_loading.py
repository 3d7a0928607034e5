"""A large facts folder is read in two processes: the second reads the later files and sends back what it found.
What is loaded (records, their order, lines and values) must not depend on it; the reports of bad facts are
compared in test_bad_facts.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from her2kg import facts, parallel
from her2kg.facts import Entry, Record, load_facts
from her2kg.ontology import Ontology
from her2kg.resources import resolve

FACTS = Path(__file__).parents[1] / "facts"


def plain(value: object) -> object:
    """A record as comparable data (a record's parent and children refer to each other)."""
    if isinstance(value, Record):
        return (value.ref, plain(value.values), value.lines, value.location, value.parent and value.parent.ref)
    if isinstance(value, Entry):
        return (plain(value.values), value.lines, value.location)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


@pytest.mark.skipif(not parallel.available(), reason="needs more than one CPU and fork")
def test_the_shipped_facts_load_the_same_in_two_processes(monkeypatch):
    ontology = Ontology(resolve("ontology", None).path)
    alone = load_facts(FACTS, ontology)
    monkeypatch.setattr(facts, "LOADED_BESIDE_FROM", 0)
    started = []
    beside = parallel.beside
    monkeypatch.setattr(parallel, "beside", lambda call, **how: started.append(call) or beside(call, **how))

    shared = load_facts(FACTS, ontology)

    assert len(started) == 1
    assert [plain(r) for r in shared.records] == [plain(r) for r in alone.records]
    assert [r.kind for r in shared.records] == [r.kind for r in alone.records]  # the same kind objects
    assert shared.drafts_pending == alone.drafts_pending


SIZES = {
    "small files stay in one process": ([100, 200, 300], 1),
    "the later files go beside, about half the bytes": ([3_000_000, 1_000_000, 1_000_000, 1_000_000], 3),
    "each process reads at least one file": ([9_000_000, 10], 1),
}


@pytest.mark.parametrize(("sizes", "beside"), SIZES.values(), ids=SIZES.keys())
def test_the_files_are_split_in_two_runs_in_their_order(sizes, beside, tmp_path):
    paths = []
    for number, size in enumerate(sizes):
        path = tmp_path / f"{number}.yaml"
        with path.open("wb") as out:
            out.truncate(size)
        paths.append(path)

    here, there = facts._halves(paths)

    assert here + there == paths
    assert len(there) == (beside if sum(sizes) >= facts.LOADED_BESIDE_FROM else 0)


def test_loading_leaves_nothing_frozen_and_what_it_made_collectable():
    """Loading pauses the collector and then moves what it made to the oldest generation, where it is still
    collected (a record and its children refer to each other); it freezes nothing a caller did not."""
    import gc

    ontology = Ontology(resolve("ontology", None).path)
    assert gc.get_freeze_count() == 0
    loaded = load_facts(FACTS, ontology)
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    assert any(record.children for record in loaded.records)  # cycles, left to the collector
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        load_facts(FACTS, ontology)
        assert gc.get_freeze_count() > frozen  # under a caller's freeze, what it made stays frozen with it
    finally:
        gc.unfreeze()
