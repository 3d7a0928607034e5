"""`her2kg build --out DIR` never destroys files it did not write.

A build replaces only a folder that does not exist, is empty, or holds a previous release whose
marker lists every file in it. Each row of REFUSED is one way a user could point --out at their
own files: the build must exit 2 before doing any work, say what it found and what to do, and
leave every file byte-for-byte as it was. An interrupted build leaves no staging folder behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from her2kg.cli import cli
from her2kg.release import MARKER, Release

SLICE = Path(__file__).parent / "data" / "slice"
A_MARKER = json.dumps({"her2kg": "release", "version": "0.1.0", "files": ["build-report.json", "her2kg.nt"]})

# case → (files to create below the project folder, working directory within it, build arguments,
#         what the message must say).  The project folder holds facts/ (a copy of the test slice),
#         so without the check each build would succeed and replace the folder.
REFUSED = {
    "notes-in-a-scratch-folder": (
        {"scratch/notes.txt": "my notes\n"},
        ".",
        ["--out", "scratch"],
        (
            "scratch: refusing to replace this folder: it is not a her2kg release (no .her2kg-release marker) "
            "and holds notes.txt — choose a new or empty folder for --out"
        ),
    ),
    "the-working-directory": (
        {},
        ".",
        ["--out", "."],
        ".: refusing to write the release here: the folder is the working directory",
    ),
    "the-working-directory-by-its-full-path": (
        {},
        ".",
        ["--out", "{project}"],
        "refusing to write the release here: the folder is the working directory",
    ),
    "a-parent-of-the-working-directory": (
        {"sub/keep.txt": "x"},
        "sub",
        ["--facts", "../facts", "--out", ".."],
        "..: refusing to write the release here: the folder contains the working directory",
    ),
    "a-checkout": (
        {"repo/.git/HEAD": "ref: refs/heads/main\n", "repo/README.md": "# mine\n"},
        ".",
        ["--out", "repo"],
        "repo: refusing to write the release here: the folder holds .git (a repository)",
    ),
    "the-facts-folder": (
        {},
        ".",
        ["--facts", "facts", "--out", "facts"],
        "facts: refusing to write the release here: the folder is the input folder facts, which the build reads",
    ),
    "a-folder-inside-the-facts": (
        {"facts/out/keep.txt": "x"},
        ".",
        ["--out", "facts/out"],
        "facts/out: refusing to write the release here: the folder is inside the input folder",
    ),
    "a-folder-holding-the-facts": (
        {"shared/facts/drugs.yaml": "drugs: []\n"},
        ".",
        ["--facts", "shared/facts", "--out", "shared"],
        "shared: refusing to write the release here: the folder contains the input folder shared/facts",
    ),
    "the-ontology-folder": (
        {"ontology/mine.ttl": "# my ontology\n"},
        ".",
        ["--out", "ontology"],
        "ontology: refusing to write the release here: the folder is the input folder",
    ),
    "the-curators-copies-of-the-sources": (
        {"copies/news-item.txt": "the text\n"},
        ".",
        ["--sources", "copies", "--out", "copies"],
        "copies: refusing to write the release here: the folder is the input folder copies",
    ),
    "a-release-with-the-users-notes": (
        {"dist/" + MARKER: A_MARKER, "dist/her2kg.nt": "<urn:a> <urn:b> <urn:c> .\n", "dist/notes.txt": "mine\n"},
        ".",
        ["--out", "dist"],
        ("dist: refusing to replace this release: it also holds notes.txt, which a build did not write — move it away"),
    ),
    "a-release-with-a-folder-of-the-users": (
        {"dist/" + MARKER: A_MARKER, "dist/her2kg.nt": "x\n", "dist/figures/plot.svg": "<svg/>\n"},
        ".",
        ["--out", "dist"],
        "dist: refusing to replace this release: it also holds figures",
    ),
    "a-file-of-the-users-in-a-release-subfolder": (
        {
            "dist/" + MARKER: json.dumps({"her2kg": "release", "files": ["build-report.json", "her2kg-kgx/nodes.tsv"]}),
            "dist/her2kg-kgx/nodes.tsv": "id\tcategory\n",
            "dist/her2kg-kgx/mine.tsv": "mine\n",
        },
        ".",
        ["--out", "dist"],
        "dist: refusing to replace this release: it also holds her2kg-kgx/mine.tsv, which a build did not write",
    ),
    "a-report-that-does-not-list-the-notes": (
        {
            "dist/build-report.json": json.dumps({"version": "0.1.0", "files": ["build-report.json"]}),
            "dist/notes.txt": "mine\n",
        },
        ".",
        ["--out", "dist"],
        "dist: refusing to replace this release: it also holds notes.txt",
    ),
    "a-marker-that-is-not-ours": (
        {"dist/" + MARKER: "not json\n", "dist/her2kg.nt": "x\n"},
        ".",
        ["--out", "dist"],
        "dist: refusing to replace this folder: it is not a her2kg release (no .her2kg-release marker)",
    ),
    "a-file": ({"out.txt": "x\n"}, ".", ["--out", "out.txt"], "is a file"),
}


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path below `folder` with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(SLICE, folder / "facts")
    return folder


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_an_unsafe_out_is_refused_and_every_file_kept(case, project, monkeypatch):
    files, cwd, args, says = REFUSED[case]
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    before = snapshot(project.parent)
    monkeypatch.chdir(project / cwd)

    result = CliRunner().invoke(cli, ["build", *[a.format(project=project) for a in args]])

    assert result.exit_code == 2, result.output
    assert says in " ".join(result.stderr.split()), result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    assert snapshot(project.parent) == before


def test_the_check_comes_before_any_work(project, monkeypatch):
    """Bad facts and an unsafe --out: the folder is what is reported (exit 2), not the facts."""
    (project / "facts" / "drugs.yaml").write_text("drugs: [\n")
    (project / "scratch").mkdir()
    (project / "scratch" / "notes.txt").write_text("mine")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["build", "--out", "scratch"])
    assert result.exit_code == 2 and "not a her2kg release" in result.stderr


@pytest.mark.parametrize("existing", ["absent", "empty", "previous-release", "release-from-before-the-marker"])
def test_a_build_may_replace_an_absent_or_empty_folder_or_its_own_release(existing, project, monkeypatch):
    monkeypatch.chdir(project)
    if existing != "absent":
        (project / "dist").mkdir()
    if existing not in {"absent", "empty"}:
        assert CliRunner().invoke(cli, ["build", "--out", "dist"]).exit_code == 0
    if existing == "release-from-before-the-marker":  # recognised by its build report's file list
        (project / "dist" / MARKER).unlink()
    result = CliRunner().invoke(cli, ["build", "--out", "dist"])
    assert result.exit_code == 0, result.output
    release = Release(project / "dist")
    assert sorted(p.relative_to(release.folder).as_posix() for p in release.folder.rglob("*") if p.is_file()) == sorted(
        [*Release.file_names(), MARKER]
    )
    assert release.verify()["files"] == Release.file_names()
    assert not [p.name for p in project.iterdir() if p.name.startswith(".dist-")]


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def test_a_killed_builds_leftovers_are_removed_by_the_next_build_and_nothing_else(project, monkeypatch):
    pid = _dead_pid()
    for leftover in (f".dist-staging-{pid}-x1y2", f".dist-old-{pid}-a1b2"):
        (project / leftover).mkdir()
        (project / leftover / "her2kg.nt").write_text("<urn:a> <urn:b> <urn:c> .\n")
        (project / leftover / "her2kg-kgx").mkdir()  # a release subfolder is the build's too
        (project / leftover / "her2kg-kgx" / "nodes.tsv").write_text("id\tcategory\n")
    (project / ".dist-notes").mkdir()  # the user's, named alike
    (project / ".dist-notes" / "todo.txt").write_text("mine")
    (project / f".dist-staging-{pid}-mine").mkdir()  # named as a build names it, but holding a file of the user's
    (project / f".dist-staging-{pid}-mine" / "todo.txt").write_text("mine")
    monkeypatch.chdir(project)
    assert CliRunner().invoke(cli, ["build", "--out", "dist"]).exit_code == 0
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".dist-")) == [
        ".dist-notes",
        f".dist-staging-{pid}-mine",
    ]


# A build whose last format writes slowly: a registry entry (the way every format plugs in) that
# says when the staging folder is half written, then waits to be stopped.
SLOW_BUILD = """
import sys, time
from pathlib import Path
from her2kg.formats import Format, register
FLAG = Path(sys.argv[1])
def slow(content):
    FLAG.write_text("writing")
    time.sleep(60)
    return b""
register(Format("slow", "slow.txt", "text/plain", slow))
from her2kg.cli import entry_point
sys.argv = ["her2kg", "build", "--out", "dist"]
entry_point()
"""


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_during_the_write_removes_the_staging_folder_and_keeps_the_release(sig, project):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    first = subprocess.run(
        [sys.executable, "-c", "from her2kg.cli import entry_point; entry_point()", "build", "--out", "dist"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    before = snapshot(project / "dist")
    flag = project.parent / "writing"

    build = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, str(flag)],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not flag.exists():
        assert build.poll() is None, build.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert [p for p in project.iterdir() if p.name.startswith(".dist-staging-")]  # it is half written now
    build.send_signal(sig)
    _out, err = build.communicate(timeout=60)

    assert build.returncode != 0
    assert "Traceback" not in err
    assert not [p.name for p in project.iterdir() if p.name.startswith(".dist-")]
    assert snapshot(project / "dist") == before
