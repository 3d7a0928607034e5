"""The source texts: shipped only where their licence allows, verified by checksum, and every quote
of the facts found word for word (whitespace aside) in the text of the publication it names.

Scenarios with a curator's own copy use the CC BY review in place of a text that is not shipped
(tests/sources/review-not-shipped/sources.yaml lists only its checksum).
"""

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from her2kg.cli import cli
from her2kg.errors import FactsError, UsageError
from her2kg.facts import load_facts
from her2kg.sources import check_quotes, closest_passage, load_library, normalise, occurring

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "sources"
FIXTURES = Path(__file__).parent / "sources"
REVIEW = SOURCES / "her2-resistance-review" / "her2-resistance-review.txt"
MANIFEST = yaml.safe_load((SOURCES / "sources.yaml").read_text(encoding="utf-8"))["sources"]
SHIPPED = [entry for entry in MANIFEST if "file" in entry]


@pytest.mark.parametrize("entry", SHIPPED, ids=lambda e: e["publication"])
def test_a_shipped_text_is_the_exact_text_its_checksum_names(entry):
    assert hashlib.sha256((SOURCES / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]


@pytest.mark.parametrize("entry", SHIPPED, ids=lambda e: e["publication"])
def test_a_shipped_text_has_its_licence_and_attribution_beside_it(entry):
    notice = (SOURCES / entry["file"]).parent / "LICENSE"
    assert entry["licence-url"] in notice.read_text(encoding="utf-8")


def test_only_openly_licensed_texts_are_shipped():
    shipped = {e["publication"]: e["licence"] for e in SHIPPED}
    assert shipped == {
        "driver-pathway-switch-2021": "CC BY 4.0",
        "her2-resistance-review": "CC BY 4.0",
        "rygiel-2020": "CC BY-NC 4.0 (non-commercial use only)",
    }
    texts = sorted(p.relative_to(SOURCES).as_posix() for p in SOURCES.rglob("*.txt"))
    assert texts == sorted(e["file"] for e in SHIPPED)


def test_every_publication_of_the_facts_has_a_manifest_entry():
    publications = yaml.safe_load((REPO / "facts" / "publications.yaml").read_text(encoding="utf-8"))
    assert sorted(p["id"] for p in publications["publications"]) == sorted(e["publication"] for e in MANIFEST)


def test_the_shipped_facts_quote_the_shipped_texts_exactly():
    report = check_quotes(load_facts(REPO / "facts"), load_library(SOURCES))

    assert report.problems == []
    assert sorted(report.checked) == ["driver-pathway-switch-2021", "her2-resistance-review", "rygiel-2020"]
    assert sorted(report.unchecked) == ["acquired-her2-mutations-2018", "her2-resistance-treatment-options"]
    assert "text not shipped: acquired-her2-mutations-2018, her2-resistance-treatment-options" in report.summary()


def test_an_edited_shipped_text_fails_its_checksum(tmp_path):
    folder = shutil.copytree(SOURCES, tmp_path / "sources")
    text = folder / "rygiel-2020" / "rygiel-2020.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("mini-review", "review"), encoding="utf-8")

    with pytest.raises(FactsError) as err:
        load_library(folder)

    [problem] = err.value.problems
    assert str(problem).startswith("sources/rygiel-2020/rygiel-2020.txt: SHA-256 ")
    assert "differs from sources.yaml" in problem.message


def test_without_a_copy_the_quotes_of_a_text_not_shipped_are_counted_not_checked():
    report = check_quotes(load_facts(FIXTURES / "small-facts"), load_library(FIXTURES / "review-not-shipped"))

    assert (report.checked, report.unchecked) == ({}, {"her2-resistance-review": 2, "unlisted-paper": 1})
    assert report.summary() == (
        "quotes checked: 0 in 0 sources; 3 in 2 sources not checked (text not shipped: her2-resistance-review; "
        "not listed in sources/sources.yaml: unlisted-paper) — pass --sources DIR with your copies"
    )


def test_a_copy_is_recognised_by_its_checksum_whatever_its_name(tmp_path):
    copies = tmp_path / "my-downloads"
    copies.mkdir()
    shutil.copy(REVIEW, copies / "schlam-2022.txt")

    library = load_library(FIXTURES / "review-not-shipped", copies)
    report = check_quotes(load_facts(FIXTURES / "small-facts"), library)

    assert report.problems == []
    assert (report.checked, report.unchecked) == ({"her2-resistance-review": 2}, {"unlisted-paper": 1})
    assert report.copies == {"her2-resistance-review": str(copies / "schlam-2022.txt")}


def test_a_copy_with_another_checksum_is_refused(tmp_path):
    copies = tmp_path / "copies"
    copies.mkdir()
    # Saved from a browser: the same words, but lines re-wrapped — no longer the text the facts quote.
    (copies / "her2-resistance-review.txt").write_text(normalise(REVIEW.read_text(encoding="utf-8")), encoding="utf-8")

    with pytest.raises(UsageError) as err:
        load_library(FIXTURES / "review-not-shipped", copies)

    assert f"{copies / 'her2-resistance-review.txt'} is not the exact text of 'her2-resistance-review'" in str(
        err.value
    )
    assert "expected SHA-256: her2-resistance-review 0334c2eb238b…" in str(err.value)


def test_the_closest_passage_points_at_the_words_a_paraphrase_came_from():
    text = normalise(REVIEW.read_text(encoding="utf-8"))

    assert closest_passage("three TKIs are approved by the FDA for HER2+ breast cancer", text) == (
        "There are three TKIs currently approved by the US FDA for"
    )


@pytest.fixture
def curator_checkout(tmp_path, monkeypatch) -> Path:
    """A curator's project: facts/ and a sources/ folder whose manifest lists the review without its text."""
    shutil.copytree(FIXTURES / "small-facts", tmp_path / "facts")
    shutil.copytree(FIXTURES / "review-not-shipped", tmp_path / "sources")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_validate_with_sources_checks_the_quotes_against_the_copy(curator_checkout):
    copies = curator_checkout / "copies"
    copies.mkdir()
    shutil.copy(REVIEW, copies / "review.txt")

    result = CliRunner().invoke(cli, ["validate", "--sources", "copies"])

    assert result.exit_code == 0, result.output
    assert (
        "quotes checked: 2 in 1 source (your copies: her2-resistance-review = copies/review.txt); "
        "1 in 1 source not checked (not listed in sources/sources.yaml: unlisted-paper)"
    ) in result.stdout


def test_build_refuses_a_sources_option_that_is_not_a_folder(curator_checkout):
    result = CliRunner().invoke(cli, ["build", "--sources", "missing", "--out", "dist"])

    assert result.exit_code == 2
    assert "--sources missing: not a folder" in result.output
    assert not (curator_checkout / "dist").exists()


def test_build_report_counts_the_quotes_per_source(shipped_release):
    report = json.loads((shipped_release / "build-report.json").read_text(encoding="utf-8"))

    assert sorted(report["quotes"]["checked"]) == [
        "driver-pathway-switch-2021",
        "her2-resistance-review",
        "rygiel-2020",
    ]
    assert sorted(report["quotes"]["not_checked"]) == [
        "acquired-her2-mutations-2018",
        "her2-resistance-treatment-options",
    ]


SENTENCE = "HER2 amplification drives resistance to trastuzumab in HER2-positive breast cancer"


@pytest.mark.parametrize(
    ("quote", "occurs"),
    [
        ("HER2 amplification drives resistance", True),  # at the start of the text
        ("drives resistance to trastuzumab in HER2-positive breast cancer", True),  # up to its end
        ("plification drives resistance to trastuzumab", True),  # from inside a word
        ("2 amplification drives resistance to trastuzumab", True),  # from the last letter of a word
        ("trastuzumab", True),  # one word: no space to index it by
        ("to trastuzumab", True),  # too little after its space to index it by
        ("HER2 amplification drives resistance to lapatinib", False),  # the indexed words occur, the rest not
        ("in HER2 amplification drives resistance", False),  # words of the text, not in its order
        ("cancer in HER2-positive breast cancer and beyond", False),  # runs past the end
    ],
)
def test_a_quote_occurs_where_its_exact_words_are(quote, occurs):
    assert occurring({quote}, SENTENCE) == ({quote} if occurs else set())


def test_the_one_pass_search_finds_exactly_what_searching_each_quote_finds():
    text = normalise(REVIEW.read_text(encoding="utf-8"))
    stretches = {text[start : start + length] for start in range(0, len(text), 997) for length in (7, 30, 64, 200)}
    altered = {stretch[:-1] + ("x" if stretch[-1] != "x" else "y") for stretch in stretches}
    quotes = {normalise(q) for q in stretches | altered} - {""}

    assert occurring(quotes, text) == {q for q in quotes if q in text}
