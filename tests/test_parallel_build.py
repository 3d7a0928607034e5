"""A build on two cores: the graph is validated while a second process writes part of the release.

A small graph is validated in a forked process; a large one in the main process while a fresh one writes
from the saved N-Triples. The release must be the same as one written after validating (every file but the
report's timings), a validation failure must leave the previous release as it was, and whatever way the
build ends — a result, a failure, Ctrl-C, the parent killed — no child process is left behind.
With one CPU the build runs as before, one stage after the other.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from her2kg import build, parallel, release
from her2kg.build import build_release
from her2kg.errors import FactsError, UsageError, ValidationError
from her2kg.release import MARKER, Release

SLICE = Path(__file__).parent / "data" / "slice"
ON_ONE_CPU = pytest.mark.skipif(not parallel.available(), reason="needs more than one CPU and fork")


def files(release: Path) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted(release.rglob("*")) if p.is_file()}


def children() -> set[int]:
    """The live child processes of this process (Linux)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found |= {int(pid) for pid in (task / "children").read_text().split()}
    return found


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}-"))


@pytest.fixture(
    params=[
        "two processes",
        pytest.param("one CPU", marks=pytest.mark.slow),
        pytest.param("a large graph", marks=pytest.mark.slow),
    ]
)
def mode(request, monkeypatch) -> str:
    """How the build runs: validating beside the writers (in a forked process; or, for a graph of more than
    FORKED_UP_TO triples, here, with a fresh process writing beside), or first (one CPU)."""
    if request.param != "one CPU" and not parallel.available():
        pytest.skip("needs more than one CPU and fork")
    if request.param == "one CPU":
        monkeypatch.setattr(parallel, "available", lambda: False)
        monkeypatch.setattr(parallel, "beside", None)  # a build that started a process would fail
    if request.param == "a large graph":
        monkeypatch.setattr(release, "FORKED_UP_TO", 10)
    return str(request.param)


@pytest.fixture(scope="module")
def sequential(tmp_path_factory) -> Path:
    """The slice released after validating, in one process."""
    out = tmp_path_factory.mktemp("sequential") / "dist"
    build_release(out_dir=out, checked=build.check_facts(SLICE))
    return out


def with_violation(tmp_path: Path) -> Path:
    facts = tmp_path / "facts"
    shutil.copytree(SLICE, facts)
    trials = facts / "trials.yaml"
    trials.write_text(trials.read_text().replace("p-value: 0.001", "p-value: 1.5"))
    return facts


@pytest.mark.parametrize("validator", ["pyshacl", "fast"])
def test_the_release_and_its_findings_are_those_of_a_build_that_validates_first(mode, validator, sequential, tmp_path):
    out = tmp_path / "dist"
    report = build_release(SLICE, out, validator=validator)

    written, expected = files(out), files(sequential)
    assert written.keys() == expected.keys()
    assert {name for name in written if written[name] != expected[name]} == {"build-report.json"}
    ours, theirs = (json.loads(x["build-report.json"]) for x in (written, expected))
    assert ours["validation"] == theirs["validation"] == report.validation.as_dict()
    assert set(ours["timings_seconds"]) == set(theirs["timings_seconds"])
    assert report.checked is not None and report.checked.validation is report.validation
    assert children() == set()


def test_a_violation_fails_the_build_and_keeps_the_previous_release(mode, sequential, tmp_path):
    out = tmp_path / "dist"
    shutil.copytree(sequential, out)
    before = files(out)

    with pytest.raises(ValidationError) as failed:
        build_release(with_violation(tmp_path), out)

    assert "trials.yaml:" in str(failed.value) and "violation: " in str(failed.value)
    assert files(out) == before
    assert leftovers(out) == []
    assert children() == set()


def test_a_wrong_quote_found_beside_the_build_fails_it_at_its_line(mode, tmp_path):
    """The quotes are checked in a forked process while the graph is built (with one CPU, first)."""
    facts = shutil.copytree(Path(__file__).parents[1] / "facts", tmp_path / "facts")
    drugs = facts / "drugs.yaml"
    text = drugs.read_text(encoding="utf-8")
    wrong = "Trastuzumab is an IgG1 kappa light-chain recombinant humanized mAB that targets HER3 [11]."
    drugs.write_text(text.replace("that targets the extracellular domain IV of HER2 [11].", "that targets HER3 [11]."))
    line = next(n for n, content in enumerate(drugs.read_text(encoding="utf-8").splitlines(), 1) if wrong in content)

    with pytest.raises(FactsError) as failed:
        build_release(facts, tmp_path / "dist")

    assert f"drugs.yaml:{line}:" in str(failed.value) and "her2-resistance-review" in str(failed.value)
    assert not (tmp_path / "dist").exists()
    assert children() == set()


# her2kg.owl is written by the main process, claims.tsv by the second one (WRITTEN_BESIDE_VALIDATION), the
# nanopublications by the second one of a large build (WRITTEN_FROM_SAVED).
@pytest.mark.parametrize("failing", ["owl", "claims-tsv", "nanopubs"])
def test_a_failing_writer_stops_the_build_and_keeps_the_previous_release(
    mode, failing, sequential, tmp_path, monkeypatch
):
    from her2kg import formats

    out = tmp_path / "dist"
    shutil.copytree(sequential, out)
    before = files(out)

    def disk_full(_content):
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(formats.FORMATS, failing, dataclasses.replace(formats.FORMATS[failing], write=disk_full))
    if mode == "a large graph" and failing in release.WRITTEN_FROM_SAVED:  # a fresh process imports its writers
        monkeypatch.setattr(release, "write_from_saved", writes_on_a_full_disk)
    with pytest.raises(Exception, match="disk is full"):
        build_release(SLICE, out)

    assert files(out) == before
    assert leftovers(out) == []
    assert children() == set()


def writes_on_a_full_disk(*_given: object) -> None:
    raise OSError(28, "No space left on device")


def test_a_wrong_validator_is_refused_before_any_process_starts(mode, tmp_path):
    with pytest.raises(UsageError, match="unknown validator 'quick'"):
        build_release(SLICE, tmp_path / "dist", validator="quick")
    assert not (tmp_path / "dist").exists()


# --- the process beside: results, errors, and no child left --------------------------------------


def exits_at_once() -> None:
    os._exit(3)


def refuses() -> None:
    raise UsageError("no such folder")


def sleeps() -> None:
    time.sleep(60)


class NeedsTwoArguments(Exception):
    """An error that pickles but cannot be rebuilt: its arguments are not those of its constructor."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def raises_what_cannot_be_rebuilt() -> None:
    raise NeedsTwoArguments("the first", "the second")


def gives_what_cannot_be_pickled() -> object:
    return (n for n in range(3))  # a generator


class BuiltOnlyOnce:
    """A value that pickles but cannot be rebuilt (its reduction calls a function that refuses)."""

    def __reduce__(self):
        return (refuses, ())


def gives_what_cannot_be_rebuilt() -> object:
    return BuiltOnlyOnce()


@pytest.fixture(params=["forked", "fresh"])
def fresh(request) -> bool:
    """The child beside: a forked process, or a fresh interpreter (whose work must pickle)."""
    if request.param == "forked" and not parallel.available():
        pytest.skip("needs more than one CPU and fork")
    return request.param == "fresh"


def test_the_child_gives_back_its_result(fresh):
    with parallel.beside(functools.partial(dict, answer=42), fresh=fresh) as result:
        assert result() == {"answer": 42}
    assert children() == set()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (refuses, UsageError, "no such folder"),
        (exits_at_once, parallel.ChildError, "exit status 3"),
        (raises_what_cannot_be_rebuilt, parallel.ChildError, "NeedsTwoArguments: the first and the second"),
        (gives_what_cannot_be_pickled, parallel.ChildError, "generator object"),
        (gives_what_cannot_be_rebuilt, parallel.ChildError, "could not be read: no such folder"),
    ],
    ids=[
        "an error",
        "an exit",
        "an error that cannot be rebuilt",
        "a result that cannot be pickled",
        "a result that cannot be rebuilt",
    ],
)
def test_the_child_gives_back_its_error_or_how_it_ended(fresh, call, error, message):
    with parallel.beside(call, fresh=fresh) as result, pytest.raises(error, match=message):
        result()
    assert children() == set()


def test_leaving_the_block_early_stops_the_child(fresh):
    with pytest.raises(KeyboardInterrupt), parallel.beside(sleeps, fresh=fresh):
        assert len(children()) == 1
        raise KeyboardInterrupt
    assert children() == set()


@pytest.mark.slow
def test_a_killed_parent_takes_its_child_with_it(fresh, tmp_path):
    script = (
        "import functools, os, sys, time; from her2kg import parallel\n"
        f"with parallel.beside(functools.partial(time.sleep, 60), fresh={fresh}):\n"
        "    time.sleep(2)  # a fresh child asks to die with its parent once it has started\n"
        "    print(open(f'/proc/{os.getpid()}/task/{os.getpid()}/children').read(), flush=True); time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    for _ in range(50):
        if not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the child {child} outlived its parent")


@ON_ONE_CPU
@pytest.mark.slow
def test_a_script_without_a_main_guard_builds_a_large_graph(tmp_path):
    """The fresh process does not run the caller's script again (as multiprocessing's spawn would)."""
    script = tmp_path / "build_it.py"
    script.write_text(
        "from pathlib import Path\n"
        "from her2kg import release\n"
        "from her2kg.build import build_release\n"
        "release.FORKED_UP_TO = 10\n"
        f"build_release(Path({str(SLICE)!r}), Path({str(tmp_path / 'dist')!r}))\n"
        "print('built')\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "built\n"
    assert Release(tmp_path / "dist").verify()


@ON_ONE_CPU
@pytest.mark.slow
def test_ctrl_c_during_a_build_keeps_the_release_and_leaves_no_process(sequential, tmp_path):
    out = tmp_path / "dist"
    shutil.copytree(sequential, out)
    before = files(out)
    command = [sys.executable, "-m", "her2kg", "build", "--facts", str(SLICE), "--out", str(out)]
    build_process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.PIPE, text=True)
    while not leftovers(out) and build_process.poll() is None:  # until it writes into its staging folder
        time.sleep(0.01)
    os.killpg(build_process.pid, signal.SIGINT)  # as a terminal does: to the whole process group
    _, stderr = build_process.communicate(timeout=60)

    assert build_process.returncode == 130, stderr
    with pytest.raises(ProcessLookupError):
        os.killpg(build_process.pid, 0)  # nobody of the build's group is left
    assert files(out) == before and (out / MARKER).is_file()
    assert leftovers(out) == []
    assert Release(out).verify()
