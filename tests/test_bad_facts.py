"""Each folder in bad_facts/ is one kind of curator mistake: its facts/ and the exact report.

The build must exit 1, print every expected `file:line: message` (all errors at once), and leave
the previous release (a folder the build may replace: it carries the release marker) in place.
"""
from pathlib import Path

import pytest
from click.testing import CliRunner

from her2kg.cli import cli
from her2kg.release import MARKER

CASES = sorted(p for p in (Path(__file__).parent / "bad_facts").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_facts_are_reported_at_their_line(case, tmp_path, monkeypatch):
    monkeypatch.chdir(case)
    previous = tmp_path / "dist"
    previous.mkdir()
    (previous / "her2kg.nt").write_text("<urn:previous> <urn:release> <urn:kept> .\n")
    (previous / MARKER).write_text('{"her2kg": "release", "files": ["her2kg.nt"]}\n')

    result = CliRunner().invoke(cli, ["build", "--facts", "facts", "--out", str(previous)])

    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    reported = result.stderr.splitlines()
    assert result.exit_code == 1, result.output
    assert reported[:-1] == expected
    assert reported[-1] == (f"build failed: {len(expected)} fact error{'s' if len(expected) > 1 else ''}; "
                            "nothing was written")
    assert sorted(p.name for p in previous.iterdir()) == sorted([MARKER, "her2kg.nt"])
    assert (previous / "her2kg.nt").read_text() == "<urn:previous> <urn:release> <urn:kept> .\n"
