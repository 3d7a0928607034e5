"""`her2kg add-source`: a new text gets what the shipped ones have, and nothing is overwritten.

Each test works on a copy of the checkout's facts/ and sources/ in a temporary folder. The refusals
are data: tests/curation/refusals.yaml.
"""

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from her2kg.cli import cli
from her2kg.curation import NewSource, add_source, next_steps
from her2kg.errors import EXIT_USAGE, UsageError
from her2kg.sources import load_library

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).parent / "curation"
EXAMPLE = HERE / "example-note.txt"
REFUSALS = yaml.safe_load((HERE / "refusals.yaml").read_text(encoding="utf-8"))
URL = "https://example.org/an-example-note"


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A curator's project: the checkout's facts/ and sources/ (the ontology is read from the repository)."""
    for name in ("facts", "sources"):
        shutil.copytree(REPO / name, tmp_path / name)
    return tmp_path


def _add(checkout: Path, text: Path, **options) -> object:
    options.setdefault("published_at", URL)
    return add_source(
        NewSource(text, **options), checkout / "facts", checkout / "sources", ontology_dir=REPO / "ontology"
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", REFUSALS, ids=[c["case"] for c in REFUSALS])
def test_add_source_refuses_and_writes_nothing(case, checkout, tmp_path):
    if "file" in case:
        text = (
            EXAMPLE if case["file"] == "example" else REPO / "sources/her2-resistance-review/her2-resistance-review.txt"
        )
    else:
        text = tmp_path / "given.txt"
        text.write_bytes(bytes(case["bytes"]) if "bytes" in case else case["text"].encode("utf-8"))
    before = _snapshot(checkout)
    options = dict(case["options"])
    options.setdefault("published_at", None)
    with pytest.raises(UsageError) as refused:
        add_source(NewSource(text, **options), checkout / "facts", checkout / "sources", ontology_dir=REPO / "ontology")
    assert case["error"] in str(refused.value)
    assert _snapshot(checkout) == before


def test_an_openly_licensed_text_is_shipped_with_its_licence_and_attribution(checkout):
    publications = (checkout / "facts/publications.yaml").read_bytes()
    manifest = (checkout / "sources/sources.yaml").read_bytes()
    added = _add(checkout, EXAMPLE, slug="example-note", year=2026, licence="CC-BY-4.0")

    shipped = checkout / "sources/example-note/example-note.txt"
    assert shipped.read_bytes() == EXAMPLE.read_bytes()
    notice = (shipped.parent / "LICENSE").read_text(encoding="utf-8")
    assert "https://creativecommons.org/licenses/by/4.0/" in notice and URL in notice
    # Appended, never rewritten: the files begin with what they held, comments and order included.
    assert (checkout / "facts/publications.yaml").read_bytes().startswith(publications)
    assert (checkout / "sources/sources.yaml").read_bytes().startswith(manifest)
    library = load_library(checkout / "sources")  # verifies the new text against its checksum
    entry = library.sources["example-note"]
    assert entry.sha256 == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest() == added.sha256
    assert (entry.file, entry.licence, entry.published) == ("example-note/example-note.txt", "CC BY 4.0", URL)
    assert "example-note" in library.texts


def test_the_publication_record_and_the_empty_claims_file_have_the_right_defaults(checkout):
    _add(checkout, EXAMPLE, slug="example-note", year=2026, venue="Examples", doi="DOI:10.1038/s41467-021-27093-y")
    records = yaml.safe_load((checkout / "facts/publications.yaml").read_text(encoding="utf-8"))["publications"]
    record = records[-1]
    title = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    # The DOI (that of a shipped publication, used here only for its syntax) is written in the registry's form.
    assert record == {
        "id": "example-note",
        "label": title,
        "title": title,
        "year": 2026,
        "venue": "Examples",
        "kind": "journal-article",
        "identifiers": {"doi": "10.1038/s41467-021-27093-y"},
        "evidence": [{"source": "example-note", "section": "Title", "quote": title}],
    }
    claims = yaml.safe_load((checkout / "facts/claims/example-note.yaml").read_text(encoding="utf-8"))
    assert claims == {"source": "example-note", "claims": []}


def test_a_text_without_an_open_licence_is_recorded_by_its_checksum_only(checkout):
    added = _add(checkout, EXAMPLE, slug="example-note", licence="LicenseRef-all-rights-reserved")
    assert not (checkout / "sources/example-note").exists()
    entry = load_library(checkout / "sources").sources["example-note"]
    assert entry.file is None and entry.published == URL
    assert entry.licence == "LicenseRef-all-rights-reserved (not an open licence); the text is not shipped"
    assert any("--sources DIR" in step for step in next_steps(added))


def test_nothing_is_overwritten_when_the_same_text_or_slug_comes_again(checkout):
    _add(checkout, EXAMPLE, slug="example-note", licence="CC-BY-4.0")
    after_first = _snapshot(checkout)
    with pytest.raises(UsageError, match="registered already as 'example-note'"):
        _add(checkout, EXAMPLE, slug="example-note-again")
    with pytest.raises(UsageError, match="lists this publication already"):
        _add(checkout, REPO / "sources/rygiel-2020/LICENSE", slug="example-note")
    assert _snapshot(checkout) == after_first


def test_a_claims_file_of_that_name_is_never_replaced(checkout):
    (checkout / "facts/claims/example-note.yaml").write_text("# mine\n", encoding="utf-8")
    with pytest.raises(UsageError, match="already exists — add-source never overwrites"):
        _add(checkout, EXAMPLE, slug="example-note")
    assert (checkout / "facts/claims/example-note.yaml").read_text(encoding="utf-8") == "# mine\n"


def test_the_command_acts_on_the_checkout_it_runs_in_and_says_what_comes_next(checkout, monkeypatch):
    monkeypatch.chdir(checkout)
    shutil.copytree(REPO / "ontology", checkout / "ontology")
    result = CliRunner().invoke(
        cli, ["add-source", str(EXAMPLE), "--id", "example-note", "--licence", "CC-BY-4.0", "--published-at", URL]
    )
    assert result.exit_code == 0, result.output
    assert "created  sources/example-note/example-note.txt" in result.output
    assert "appended facts/publications.yaml" in result.output
    assert "her2kg extract example-note" in result.output
    again = CliRunner().invoke(cli, ["add-source", str(EXAMPLE), "--id", "example-note-2"])
    assert again.exit_code == EXIT_USAGE
    assert "registered already as 'example-note'" in again.output


@pytest.mark.slow
def test_the_facts_still_build_after_add_source(checkout, monkeypatch):
    from her2kg.build import check_facts

    for name in ("ontology", "shapes"):
        shutil.copytree(REPO / name, checkout / name)
    monkeypatch.chdir(checkout)
    _add(checkout, EXAMPLE, slug="example-note", licence="CC-BY-4.0", year=2026)
    checked = check_facts(checkout / "facts", sources_dir=checkout / "sources")
    assert checked.quotes is not None and checked.quotes.checked["example-note"] == 1  # the title's evidence
    assert any(r.ref == "publication/example-note" for r in checked.facts.records)


def test_outside_a_checkout_the_copy_installed_with_the_package_is_never_edited(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no facts/ here or above: the facts would be the packaged ones
    with pytest.raises(UsageError, match="run add-source inside your her2kg checkout"):
        add_source(NewSource(EXAMPLE, "example-note", published_at=URL))
