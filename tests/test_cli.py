"""The command line as a user meets it: help, exit codes, stats and validate."""

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from her2kg.cli import cli
from her2kg.release import Release

SLICE = Path(__file__).parent / "data" / "slice"


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "dist"
    assert run("build", "--facts", str(SLICE), "--out", str(out)).exit_code == 0
    return out


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_explains_itself_and_its_exit_codes(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert f"Usage: her2kg {command}" in result.output or f"Usage: cli {command}" in result.output
    assert "Exit codes: 0 ok; 1 the data is wrong" in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_a_usage_error_shows_the_commands_own_usage_line(command):
    result = run(command, "--no-such-option")
    assert result.exit_code == 2
    assert f" {command} [OPTIONS]" in result.stderr.splitlines()[0]


def test_a_usage_error_raised_by_the_library_shows_the_commands_usage(tmp_path):
    result = run("stats", "--release", str(tmp_path))
    assert result.exit_code == 2
    assert " stats [OPTIONS]" in result.stderr.splitlines()[0]


def test_a_facts_folder_that_does_not_exist_is_an_invocation_error(tmp_path):
    result = run("build", "--facts", str(tmp_path / "nonexistent"), "--out", str(tmp_path / "dist"))
    assert result.exit_code == 2
    assert "no such facts folder" in result.stderr
    assert "fact error" not in result.stderr


def test_an_unknown_option_is_a_usage_error():
    result = run("build", "--fats", "facts")
    assert result.exit_code == 2
    assert "No such option '--fats'. Did you mean '--facts'?" in result.stderr


def test_stats_counts_entities_per_class_and_statements_per_source(release):
    result = run("stats", "--release", str(release))
    assert result.exit_code == 0, result.output
    assert "  Drug                   3" in result.output
    assert "  her2-resistance-treatment-options    9" in result.output


def test_stats_without_a_release_says_how_to_make_one(tmp_path):
    result = run("stats", "--release", str(tmp_path))
    assert result.exit_code == 2
    assert "run 'her2kg build' first" in result.stderr


def test_validate_checks_the_facts_without_writing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("validate", "--facts", str(SLICE))
    assert result.exit_code == 0, result.output
    assert "valid: 15 records" in result.output
    assert list(tmp_path.iterdir()) == []


def test_validate_a_released_file(release):
    result = run("validate", str(Release(release).graph_ttl))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("valid: ")
    assert "info: HER2: has no verified standard identifier" in result.stderr


def test_validate_reports_violations_in_an_rdf_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("""
        @prefix hk: <https://w3id.org/her2kg/ontology#> .
        <https://w3id.org/her2kg/variant/erbb2-l755s> a hk:Variant ;
            <http://www.w3.org/2000/01/rdf-schema#label> "ERBB2 L755S" .
    """)
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert "a variant must name the gene it alters" in result.stderr
    violations = [line for line in result.stderr.splitlines() if ": violation: " in line]
    assert len(violations) >= 1
    assert (
        result.stderr.splitlines()[-1]
        == f"{bad}: {len(violations)} SHACL violation{'s' if len(violations) > 1 else ''}"
    )


@pytest.mark.parametrize("validator", ["pyshacl", "fast"])
def test_both_validators_report_a_violation_in_an_rdf_file(tmp_path, validator):
    bad = tmp_path / "bad.ttl"
    bad.write_text("""
        @prefix hk: <https://w3id.org/her2kg/ontology#> .
        <https://w3id.org/her2kg/variant/erbb2-l755s> a hk:Variant ;
            <http://www.w3.org/2000/01/rdf-schema#label> "ERBB2 L755S" .
    """)
    result = run("validate", "--validator", validator, str(bad))
    assert result.exit_code == 1
    assert "ERBB2 L755S: a variant must name the gene it alters (gene:)" in result.stderr


@pytest.mark.slow
def test_build_with_the_fast_validator_reports_as_pyshacl_does(tmp_path):
    """The same warnings and infos, each at the same facts file and line."""
    reference = run("build", "--facts", str(SLICE), "--out", str(tmp_path / "a"), "-v", "--validator", "pyshacl")
    fast = run("build", "--facts", str(SLICE), "--out", str(tmp_path / "b"), "-v", "--validator", "fast")
    assert reference.exit_code == fast.exit_code == 0
    assert fast.stderr == reference.stderr and ": info: " in fast.stderr


def test_validate_refuses_a_file_that_is_not_rdf(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is { not turtle")
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert "cannot parse as RDF" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_lists_infos_only_when_asked(tmp_path):
    quiet = run("build", "--facts", str(SLICE), "--out", str(tmp_path / "a"))
    loud = run("build", "--facts", str(SLICE), "--out", str(tmp_path / "b"), "--verbose")
    assert "info:" not in quiet.stderr and "5 infos: -v lists them" in quiet.stdout
    assert loud.stderr.count("info: ") == 5


@pytest.mark.parametrize("into", ["a pipe", "a file"])
def test_a_build_from_the_command_line_says_everything_before_it_ends(into, tmp_path):
    """A build that succeeded leaves without freeing its heap (entry_point): what it wrote must all be out."""
    out = tmp_path / "out.txt"
    command = [sys.executable, "-m", "her2kg", "build", "--facts", str(SLICE), "--out", str(tmp_path / "dist"), "-v"]
    if into == "a pipe":
        ended = subprocess.run(command, capture_output=True, text=True)
        said = ended.stdout
    else:
        with out.open("w") as stdout:
            ended = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True)
        said = out.read_text()

    assert ended.returncode == 0, ended.stderr
    assert said.splitlines()[-1].startswith("built ") and said.endswith(f"→ {tmp_path / 'dist'}/\n")
    assert Release(tmp_path / "dist").verify()


def test_a_failed_build_from_the_command_line_exits_with_its_code(tmp_path):
    command = [sys.executable, "-m", "her2kg", "build", "--facts", str(tmp_path / "none"), "--out", str(tmp_path / "d")]
    ended = subprocess.run(command, capture_output=True, text=True)

    assert ended.returncode == 2 and "no such facts folder" in ended.stderr
