"""`her2kg diff`: what changed between two releases, as statements, entities and identifiers.

Each case of tests/diff/ is one curation change to the facts of tests/data/slice; both releases are
built, and the report must list exactly what the case's expected.yaml says (see tests/diff/README.md).
"""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from her2kg.build import build_release
from her2kg.cli import cli
from her2kg.diff import diff_releases, render
from her2kg.errors import EXIT_USAGE

HERE = Path(__file__).parent
BASE_FACTS = HERE / "data" / "slice"
CASES = sorted(p.name for p in (HERE / "diff").iterdir() if (p / "expected.yaml").is_file())


@pytest.fixture(scope="module")
def base_release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("diff-base") / "dist"
    build_release(BASE_FACTS, out)
    return out


def _case_release(case: str, tmp: Path) -> Path:
    facts = tmp / case / "facts"
    shutil.copytree(BASE_FACTS, facts)
    shutil.copytree(HERE / "diff" / case / "facts", facts, dirs_exist_ok=True)
    build_release(facts, tmp / case / "dist")
    return tmp / case / "dist"


def _reported(report: dict) -> dict:
    """The report as expected.yaml writes it: the record, its change and, for a change, its fields."""

    def record(item: dict) -> dict:
        found = {"change": item["change"], "record": item["record"]}
        if "source" in item:
            found["source"] = item["source"]
        if item["change"] == "changed":
            found["fields"] = {f["field"]: {"old": f["old"], "new": f["new"]} for f in item["fields"]}
        return found

    def identifier(item: dict) -> dict:
        keys = ("change", "record", "registry", "old", "new")
        return {k: item[k] for k in keys if item[k] is not None}

    return {
        "statements": [record(i) for i in report["statements"]],
        "entities": [record(i) for i in report["entities"]],
        "identifiers": [identifier(i) for i in report["identifiers"]],
    }


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_the_diff_lists_exactly_the_changes_of_the_case(case, base_release, tmp_path):
    new = _case_release(case, tmp_path)
    expected = yaml.safe_load((HERE / "diff" / case / "expected.yaml").read_text(encoding="utf-8"))
    assert _reported(diff_releases(base_release, new).as_dict()) == expected


@pytest.mark.slow
def test_a_release_diffed_against_itself_reports_nothing(base_release):
    diff = diff_releases(base_release, base_release)
    assert diff.empty
    assert all(count == 0 for group in diff.counts().values() for count in group.values())


@pytest.mark.slow
def test_the_reports_are_deterministic_and_name_the_change_in_every_format(base_release, tmp_path):
    new = _case_release("change-hedge", tmp_path)
    outputs = {}
    for fmt in ("text", "json", "markdown"):
        first = CliRunner().invoke(cli, ["diff", str(base_release), str(new), "--format", fmt])
        second = CliRunner().invoke(cli, ["diff", str(base_release), str(new), "--format", fmt])
        assert first.exit_code == 0, first.output
        assert first.output == second.output
        outputs[fmt] = first.output
    assert "hedge: stated → possible" in outputs["text"]
    assert "  - hedge: stated → possible" in outputs["markdown"]
    report = json.loads(outputs["json"])
    assert report["summary"]["statements"] == {"added": 0, "removed": 0, "changed": 1}
    assert report["sources"] == {"her2-resistance-treatment-options": "Resistance to HER2-targeted Therapies"}


@pytest.mark.slow
def test_differences_are_not_an_error(base_release, tmp_path):
    new = _case_release("add-claim", tmp_path)
    result = CliRunner().invoke(cli, ["diff", str(base_release), str(new)])
    assert result.exit_code == 0
    assert "+ claim/t-dm1-in-class-adc" in result.output


def _tiny_release(folder: Path, lines: list[str], triples: int) -> Path:
    """A release folder as a build leaves it, holding only the graph and its report."""
    folder.mkdir()
    (folder / "her2kg.nt").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    report = {"version": "0", "triples": triples, "files": ["her2kg.nt", "build-report.json"]}
    (folder / "build-report.json").write_text(json.dumps(report), encoding="utf-8")
    return folder


LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
DRUG = "<https://w3id.org/her2kg/drug/neratinib>"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing", "no such folder — give two release folders written by 'her2kg build'"),
        (lambda tmp: tmp, "not a release (no build-report.json)"),
        (
            lambda tmp: _tiny_release(tmp / "cut", [f'{DRUG} {LABEL} "neratinib" .'], 2),
            "holds 1 triples, but build-report.json says 2",
        ),
        (lambda tmp: _tiny_release(tmp / "bad", ["not n-triples"], 1), "not valid N-Triples"),
    ],
    ids=["no-folder", "no-report", "truncated", "not-n-triples"],
)
def test_a_folder_that_is_not_a_whole_release_is_a_usage_error(make, message, tmp_path):
    good = _tiny_release(tmp_path / "good", [f"{DRUG} {TYPE} <https://w3id.org/her2kg/ontology#Drug> ."], 1)
    result = CliRunner().invoke(cli, ["diff", str(good), str(make(tmp_path))])
    assert result.exit_code == EXIT_USAGE
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_record_is_compared_by_its_own_fields_only(tmp_path):
    """A label change is the drug's; a plain triple the build derives from a claim is not."""
    old = _tiny_release(
        tmp_path / "old",
        [f"{DRUG} {TYPE} <https://w3id.org/her2kg/ontology#Drug> .", f'{DRUG} {LABEL} "neratinib" .'],
        2,
    )
    new = _tiny_release(
        tmp_path / "new",
        [
            f"{DRUG} {TYPE} <https://w3id.org/her2kg/ontology#Drug> .",
            f'{DRUG} {LABEL} "Neratinib" .',
            f"{DRUG} <https://w3id.org/her2kg/ontology#targets> <https://w3id.org/her2kg/gene/erbb2> .",
        ],
        3,
    )
    report = diff_releases(old, new).as_dict()
    assert report["entities"] == [
        {
            "change": "changed",
            "record": "drug/neratinib",
            "kind": "drug",
            "label": "Neratinib",
            "fields": [{"field": "label", "old": ["neratinib"], "new": ["Neratinib"]}],
        }
    ]
    assert report["statements"] == report["identifiers"] == []


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_the_reports_show_every_value_of_an_added_or_removed_record(case, base_release, tmp_path):
    """An added outcome shows its CI level and bounds, p-value, arms … not just its hazard ratio."""
    diff = diff_releases(base_release, _case_release(case, tmp_path))
    text, markdown = render(diff, "text"), render(diff, "markdown")
    for change in (*diff.statements, *diff.entities):
        if change.change == "changed":
            continue
        assert change.fields, change
        for item in change.fields:
            line = f"{item.field}: {' | '.join(item.new if change.change == 'added' else item.old)}"
            assert f"    {line}\n" in text, f"{change.record}: no '{line}' in\n{text}"
            assert f"  - {line}\n" in markdown, f"{change.record}: no '{line}' in\n{markdown}"
