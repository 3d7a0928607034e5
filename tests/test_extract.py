"""`her2kg extract`: sentences, mentions and draft claims (one case per file in tests/extract/), the
drafts file (written once, accepted drafts kept), the loader's reading of drafts, and the measured
recall and precision on the shipped texts against fixed floors (docs/benchmarks.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from her2kg.cli import cli
from her2kg.errors import FactsError, UsageError
from her2kg.extract import (
    MAX_QUOTE,
    Matcher,
    entity_facts,
    extract,
    measure,
    sentences,
    source_text,
    write_drafts,
)
from her2kg.facts import load_facts
from her2kg.sources import Library, Source, Text, check_quotes, normalise

ROOT = Path(__file__).parent.parent
CASES = sorted((Path(__file__).parent / "extract").glob("*.yaml"))


@pytest.fixture(scope="module")
def facts():
    return load_facts(ROOT / "facts")


@pytest.fixture(scope="module")
def entities(facts):
    return entity_facts(facts)


# -- one case per file -----------------------------------------------------------------------------


def _drafted(case: dict, entities):
    extraction = extract(case["sentence"], "test-source", entities)
    claims = [d for d in extraction.drafts if d.kind == "claim"]
    outcomes = [d for d in extraction.drafts if d.kind == "outcome"]
    return extraction, claims, outcomes


def _fits(expected: dict, fields: dict) -> bool:
    return all(str(fields.get(key, "stated" if key == "hedge" else None)) == str(v) for key, v in expected.items())


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path, entities):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    extraction, claims, outcomes = _drafted(case, entities)
    mentions = Matcher(entities).mentions(case["sentence"])
    found = {(m.text, ref) for m in mentions for ref in m.refs}
    for text, ref in case.get("mentions", []):
        assert (text, ref) in found, f"{text!r} should name {ref}; found {sorted(found)}"
    for text in case.get("absent-mentions", []):
        assert text not in {m.text for m in mentions}
    if "drafts" in case:
        for expected in case["drafts"]:
            assert any(_fits(expected, d.fields) for d in claims), (
                f"no draft {expected}; drafted {[d.triple for d in claims]}"
            )
        if not case["drafts"]:
            assert claims == []
    for unexpected in case.get("absent", []):
        assert not any(_fits(unexpected, d.fields) for d in claims), f"drafted {unexpected}"
    for expected in case.get("outcomes", []):
        assert any(_fits(expected, d.fields) for d in outcomes), (
            f"no outcome {expected}; {[d.fields for d in outcomes]}"
        )
    terms = {c.term: c.suggested_kind for c in extraction.candidates}
    for expected in case.get("candidates", []):
        assert terms.get(expected["term"]) == expected["suggested-kind"], terms
    for term in case.get("absent-candidates", []):
        assert term not in terms
    for draft in extraction.drafts:  # every quote is the sentence's own words, within the loader's limit
        assert draft.fields["quote"] in case["sentence"]
        assert len(str(draft.fields["quote"])) <= MAX_QUOTE


# -- sentences and quotes --------------------------------------------------------------------------


def test_headings_name_the_sections_and_offsets_point_into_the_text():
    text = "Abstract\n\nLapatinib inhibits HER2. It is a TKI.\n\n3.2. HER2 Mutations\n\nL755S is common.\n"
    found = sentences(text)
    assert [(s.section, s.text) for s in found] == [
        ("Abstract", "Lapatinib inhibits HER2."),
        ("Abstract", "It is a TKI."),
        ("3.2. HER2 Mutations", "L755S is common."),
    ]
    assert all(text[s.start : s.end] == s.text for s in found)


def test_a_heading_right_above_its_paragraph_names_the_section():
    text = "Example statements\nNeratinib binds HER2.\nIt is a TKI.\n"
    assert [(s.section, s.text) for s in sentences(text)] == [
        ("Example statements", "Neratinib binds HER2."),
        ("Example statements", "It is a TKI."),
    ]


@pytest.mark.slow
def test_every_quote_of_a_real_text_is_verbatim_and_short_enough(entities):
    text = (ROOT / "sources/rygiel-2020/rygiel-2020.txt").read_text(encoding="utf-8")
    words = normalise(text)
    extraction = extract(text, "rygiel-2020", entities)
    assert extraction.drafts
    for draft in extraction.drafts:
        assert normalise(str(draft.fields["quote"])) in words
        assert len(str(draft.fields["quote"])) <= MAX_QUOTE
        assert text[draft.start : draft.end] == draft.fields["quote"]


@pytest.mark.slow
def test_extraction_uses_no_claims(facts, entities):
    """The answer key stays out: the entity facts hold no statement, and drafting from them or
    from the whole facts gives the same drafts."""
    assert not entities.of_kind("claim") and not entities.of_kind("outcome")
    text = (ROOT / "sources/driver-pathway-switch-2021/driver-pathway-switch-2021.txt").read_text(encoding="utf-8")
    assert [d.fields for d in extract(text, "x", entities).drafts] == [
        d.fields for d in extract(text, "x", entity_facts(facts)).drafts
    ]


# -- the drafts file and the loader (a small graph: tests/data/drafts-facts) -----------------------

TEXT = """Abstract

Lapatinib (a TKI) inhibits HER2. Lapatinib may be given in combination with capecitabine.

Results

HER2 amplification is common, and FOO1 is not known.
"""


@pytest.fixture
def small(tmp_path) -> Path:
    folder = tmp_path / "facts"
    shutil.copytree(Path(__file__).parent / "data" / "drafts-facts", folder)
    return folder


def _library(folder: Path) -> Library:
    source = Source("paper", "0" * 64, "CC BY 4.0", "a test text", "here")
    return Library(folder, {"paper": source}, {"paper": Text(source, "paper.txt", normalise(TEXT))})


def _write(folder: Path, force: bool = False) -> Path:
    extraction = extract(TEXT, "paper", entity_facts(load_facts(folder)))
    return write_drafts(extraction, folder / "drafts" / "paper.yaml", force=force).path


def _accept(path: Path, count: int, extra: str = "") -> None:
    text = path.read_text(encoding="utf-8")
    for _ in range(count):
        text = text.replace("review: draft", "review: accepted" + extra, 1)
    path.write_text(text, encoding="utf-8")


def test_drafts_file_says_what_it_found(small):
    document = yaml.safe_load(_write(small).read_text(encoding="utf-8"))
    assert document["source"] == "paper"
    triples = {(d["subject"], d["relation"], d["object"]) for d in document["drafts"]}
    assert {
        ("drug/lapatinib", "in-class", "drug-class/tki"),
        ("drug/lapatinib", "inhibits", "gene/erbb2"),
        ("drug/lapatinib", "combined-with", "drug/capecitabine"),
    } <= triples
    combined = next(d for d in document["drafts"] if d["relation"] == "combined-with")
    assert (combined["hedge"], combined["section"], combined["review"]) == ("possible", "Abstract", "draft")
    assert [c["term"] for c in document["candidates"]] == ["FOO1"]


def test_drafts_file_is_deterministic_and_never_overwritten_without_force(small):
    path = _write(small)
    first = path.read_bytes()
    with pytest.raises(UsageError, match="--force"):
        _write(small)
    assert path.read_bytes() == first
    _write(small, force=True)
    assert path.read_bytes() == first


def test_pending_drafts_are_counted_not_loaded(small):
    path = _write(small)
    loaded = load_facts(small)
    assert [r.ref for r in loaded.records] == [
        r.ref for r in load_facts(Path(__file__).parent / "data" / "drafts-facts").records
    ]
    drafts = yaml.safe_load(path.read_text(encoding="utf-8"))["drafts"]
    assert loaded.pending == len(drafts) > 0
    assert f"{len(drafts)} drafts await review" in (loaded.drafts_summary() or "")


def test_accepted_drafts_load_as_claims_and_are_kept_on_force(small):
    path = _write(small)
    _accept(path, 2, '\n    note: "checked against the text"')
    loaded = load_facts(small)
    accepted = [r for r in loaded.records if r.location.file.endswith("drafts/paper.yaml")]
    assert len(accepted) == 2 and all(r.kind.name == "claim" for r in accepted)
    assert all(r.values["note"] == "checked against the text" for r in accepted)
    assert not check_quotes(loaded, _library(small)).problems
    _write(small, force=True)
    again = load_facts(small)
    kept = [r for r in again.records if r.location.file.endswith("drafts/paper.yaml")]
    assert [(r.id, r.values["note"]) for r in kept] == [(r.id, r.values["note"]) for r in accepted]
    assert again.pending == loaded.pending


def test_an_accepted_draft_gets_every_usual_check_at_its_own_line(small):
    path = _write(small)
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if "review: draft" in line)
    lines[first] = "    review: accepted"
    object_line = next(i for i in range(first, len(lines)) if lines[i].startswith("    object:"))
    quote_line = next(i for i in range(first, len(lines)) if lines[i].startswith("    quote:"))
    good_object = lines[object_line]
    lines[object_line] = "    object: gene/no-such-gene"
    lines[quote_line] = '    quote: "words the text never printed"'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FactsError) as err:
        load_facts(small)
    assert [(p.location.line, "gene/no-such-gene" in p.message) for p in err.value.problems] == [
        (object_line + 1, True)
    ]
    lines[object_line] = good_object
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_quotes(load_facts(small), _library(small))
    assert [(p.location.file.endswith("paper.yaml"), p.location.line) for p in report.problems] == [
        (True, quote_line + 1)
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("review: maybe", "a draft needs 'review: draft' or 'review: accepted'"),
        ("kind: claimz", "an accepted draft needs 'kind:'"),
    ],
)
def test_a_draft_without_a_known_status_or_kind_is_an_error_at_its_line(small, change, message):
    path = _write(small)
    text = path.read_text(encoding="utf-8")
    if change.startswith("kind"):
        text = text.replace("review: draft", "review: accepted", 1).replace("kind: claim", change, 1)
    else:
        text = text.replace("review: draft", change, 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, one in enumerate(text.splitlines(), 1) if one.strip() == change)
    with pytest.raises(FactsError) as err:
        load_facts(small)
    assert [(p.location.line, message in p.message) for p in err.value.problems] == [(line, True)]


@pytest.mark.slow
def test_cli_drafts_a_shipped_text_and_refuses_to_overwrite(tmp_path):
    runner = CliRunner()
    out = tmp_path / "drafts.yaml"
    first = runner.invoke(cli, ["extract", "driver-pathway-switch-2021", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "drafts" in first.output and out.is_file()
    again = runner.invoke(cli, ["extract", "driver-pathway-switch-2021", "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    unknown = runner.invoke(cli, ["extract", "no-such-text", "--out", str(out)])
    assert unknown.exit_code == 2 and "add-source" in unknown.output
    unshipped = runner.invoke(cli, ["extract", "acquired-her2-mutations-2018", "--out", str(out)])
    assert unshipped.exit_code == 2 and "--sources" in unshipped.output


# -- measured against the curated claims -----------------------------------------------------------

# Floors a little under the figures measured in docs/benchmarks.md ("Draft extraction"): recall of
# the curated relation claims of each shipped text, and the share of drafts that match a curated
# statement or an entity record.
FLOORS = {
    "driver-pathway-switch-2021": (0.83, 0.89),
    "her2-resistance-review": (0.70, 0.61),
    "rygiel-2020": (0.75, 0.53),
}


@pytest.mark.slow
@pytest.mark.parametrize("publication", sorted(FLOORS))
def test_recall_and_precision_stay_above_their_floors(publication, facts):
    text, _, _ = source_text(publication)
    score = measure(text, publication, facts)
    recall_floor, precision_floor = FLOORS[publication]
    assert score.recall >= recall_floor, score
    assert score.precision >= precision_floor, score
