"""Each folder in bad_facts/ is one kind of curator mistake: its facts/ and the exact report.

`expected.txt` is everything the build prints on stderr, summary line included: the errors that
stop a file or record from loading first, each distinct message once, and nothing that follows
only from an earlier error. The build must exit 1 and leave the previous release in place.
"""

from pathlib import Path

import pytest
from click.testing import CliRunner

from her2kg import facts, parallel
from her2kg.cli import cli
from her2kg.release import MARKER

CASES = sorted(p for p in (Path(__file__).parent / "bad_facts").iterdir() if p.is_dir())


def build_case(case: Path, out: Path):
    return CliRunner().invoke(cli, ["build", "--facts", "facts", "--out", str(out)])


@pytest.mark.parametrize("loading", ["in one process", "in two processes"])
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_facts_are_reported_at_their_line(case, loading, tmp_path, monkeypatch):
    """Whether the facts files are read in one process or (a large folder's) in two, the report is the same."""
    if loading == "in two processes":
        if not parallel.available():
            pytest.skip("needs more than one CPU and fork")
        monkeypatch.setattr(facts, "LOADED_BESIDE_FROM", 0)
    monkeypatch.chdir(case)
    previous = tmp_path / "dist"
    previous.mkdir()
    (previous / "her2kg.nt").write_text("<urn:previous> <urn:release> <urn:kept> .\n")
    (previous / MARKER).write_text('{"her2kg": "release", "files": ["her2kg.nt"]}\n')

    result = build_case(case, previous)

    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert result.exit_code == 1, result.output
    assert result.stderr == expected
    assert sorted(p.name for p in previous.iterdir()) == sorted([MARKER, "her2kg.nt"])
    assert (previous / "her2kg.nt").read_text() == "<urn:previous> <urn:release> <urn:kept> .\n"
