"""Faults during a build: whatever happens to `her2kg build`, the previous release stays whole.

A release is whole when its marker is there, every file listed in SHA256SUMS has that hash, and
the store opened from it holds as many triples as void.ttl says (build_helpers.release_is_whole).
The builds here are of a small folder of real facts (build_helpers.write_seed), so each takes
about a second and a half.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from build_helpers import KILLED_BUILD, release_is_whole, write_seed

from her2kg.build import build_release
from her2kg.errors import EXIT_ENVIRONMENT

pytestmark = pytest.mark.slow

BUILD = ["build", "--facts", "facts", "--out", "dist", "--validator", "fast"]
# Seconds after the start: while Python imports her2kg, or soon after (the build takes 1.3 s on its own).
STARTUP_KILLS = (0.05, 0.1, 0.2, 0.3, 0.6)


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """A folder holding facts/ and dist/, the release built from them."""
    folder = tmp_path_factory.mktemp("previous")
    write_seed(folder / "facts")
    build_release(folder / "facts", folder / "dist")
    return folder


def copy_of(previous: Path, where: Path) -> Path:
    where.mkdir(parents=True)
    shutil.copytree(previous / "facts", where / "facts")
    shutil.copytree(previous / "dist", where / "dist")
    return where


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, but the build report's (it holds the stage timings of its build)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "build-report.json"
    }


def killed_build(folder: Path, point: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, point, *BUILD], cwd=folder, capture_output=True, text=True, timeout=120
    )


def kill_points(previous: Path, tmp_path: Path) -> list[str]:
    """Every stage's start, end and two moments inside it; every file write; both sides of the swap."""
    calibration = killed_build(copy_of(previous, tmp_path / "calibrate"), "calibrate")
    assert calibration.returncode == 0, calibration.stderr
    measured = json.loads(calibration.stderr.strip().splitlines()[-1])
    points = []
    for stage, seconds in measured["stages"].items():
        points += [f"stage:{stage}:start", f"stage:{stage}:end"]
        points += [f"stage:{stage}:{fraction}@{seconds}" for fraction in (0.3, 0.7)]
    points += [f"write:{k}" for k in range(1, measured["writes"] + 1)]
    points += ["swap:before", "swap:after"]
    return points + [f"after:{seconds}" for seconds in STARTUP_KILLS]


def test_sigkill_anywhere_keeps_the_previous_release_whole(previous, tmp_path):
    points = kill_points(previous, tmp_path)
    # On two cores, the files written beside the validation are written by the second process (a kill
    # point write:K kills it at its K-th write), and only the main process's writes are counted here.
    assert len(points) >= 40
    before = snapshot(previous / "dist")

    def kill_at(index_point: tuple[int, str]) -> tuple[str, int]:
        index, point = index_point
        folder = copy_of(previous, tmp_path / f"kill-{index}")
        if point.startswith("after:"):  # killed from outside, at a moment after the start
            process = subprocess.Popen(
                [sys.executable, "-m", "her2kg", *BUILD],
                cwd=folder,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(float(point.partition(":")[2]))
            process.kill()
            code = process.wait()
        else:
            code = killed_build(folder, point).returncode
        release_is_whole(folder / "dist")
        # The previous release, or (killed after the swap) the new one, which is the same: builds are deterministic.
        assert snapshot(folder / "dist") == before, f"{point}: the release changed"
        return point, code

    with ThreadPoolExecutor(2) as pool:
        outcomes = dict(pool.map(kill_at, enumerate(points)))
    killed = [point for point, code in outcomes.items() if code == -9]
    assert len(killed) >= 40, f"only {len(killed)} builds were killed: {outcomes}"

    # A rerun succeeds and removes the staging folders killed builds left beside the release.
    with_leftovers = [tmp_path / f"kill-{i}" for i in range(len(points))]
    with_leftovers = [f for f in with_leftovers if any(p.name.startswith(".dist-") for p in f.iterdir())]
    assert with_leftovers, "no killed build left a staging folder: the kill points miss the writing stages"
    for folder in with_leftovers[:: max(1, len(with_leftovers) // 3)]:  # three reruns tell as much as all
        rerun = subprocess.run([sys.executable, "-m", "her2kg", *BUILD], cwd=folder, capture_output=True, text=True)
        assert rerun.returncode == 0, rerun.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["dist", "facts"]
        assert snapshot(folder / "dist") == before


def test_two_builds_at_once_leave_one_whole_release(previous, tmp_path):
    folder = copy_of(previous, tmp_path / "both")
    before = snapshot(folder / "dist")
    for _ in range(5):
        builds = [
            subprocess.Popen(
                [sys.executable, "-m", "her2kg", *BUILD], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(2)
        ]
        for build in builds:
            _, err = build.communicate(timeout=120)
            assert build.returncode == 0, err
        release_is_whole(folder / "dist")
        assert snapshot(folder / "dist") == before
        assert sorted(p.name for p in folder.iterdir()) == ["dist", "facts"]


# --- a full disk and a read-only folder: a small file system of the test's own ---------------------


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs mounted at tmp_path/disk (needs root, as in CI); unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    disk = tmp_path / "disk"
    disk.mkdir()

    def mount(*options: str) -> None:
        subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(disk)], check=True)

    try:
        yield disk, mount
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def release_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_a_full_disk_is_a_clear_error_and_keeps_the_previous_release(previous, small_disk):
    disk, mount = small_disk
    # Room for the previous release and half of another: the new one cannot be written.
    mount(f"size={int(release_size(previous / 'dist') * 1.5) + 64 * 1024}")
    shutil.copytree(previous / "facts", disk / "facts")
    shutil.copytree(previous / "dist", disk / "dist")
    before = snapshot(disk / "dist")

    result = subprocess.run([sys.executable, "-m", "her2kg", *BUILD], cwd=disk, capture_output=True, text=True)

    assert result.returncode == EXIT_ENVIRONMENT, result.stderr
    assert "Traceback" not in result.stderr
    assert "dist: cannot write the release: the disk is full" in result.stderr
    assert snapshot(disk / "dist") == before
    release_is_whole(disk / "dist")
    assert sorted(p.name for p in disk.iterdir()) == ["dist", "facts"]


def test_a_read_only_folder_is_a_clear_error_and_keeps_the_previous_release(previous, small_disk):
    disk, mount = small_disk
    mount("size=64m")
    shutil.copytree(previous / "facts", disk / "facts")
    shutil.copytree(previous / "dist", disk / "dist")
    before = snapshot(disk / "dist")
    mount("remount", "ro")  # root ignores file permissions; a read-only mount it cannot

    result = subprocess.run([sys.executable, "-m", "her2kg", *BUILD], cwd=disk, capture_output=True, text=True)

    assert result.returncode == EXIT_ENVIRONMENT, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot write the release: the file system is read-only" in result.stderr
    assert snapshot(disk / "dist") == before
    release_is_whole(disk / "dist")
