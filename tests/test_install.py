"""A non-editable install works from any directory: the wheel carries ontology, shapes, queries and facts."""

import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from her2kg.release import MARKER, Release

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    env = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=True).create(env)
    pip = [str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + [str(REPO)], check=True, timeout=900)
    return env


def test_installed_her2kg_builds_the_shipped_facts_from_another_directory(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(installed / "bin" / "her2kg"), "build"], cwd=elsewhere, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert "quotes checked: " in result.stdout and " in 3 sources;" in result.stdout  # the packaged sources/
    # Every file the release registers (test_release.py specifies that list), and the marker.
    assert sorted(
        p.relative_to(elsewhere / "dist").as_posix() for p in (elsewhere / "dist").rglob("*") if p.is_file()
    ) == sorted([*Release.file_names(), MARKER])


def test_outside_a_checkout_the_packaged_copy_is_read(installed, tmp_path):
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import her2kg.resources as r; print(r.project_path('ontology'))"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert "site-packages" in where and not where.startswith(str(REPO))


def test_in_a_checkout_its_own_facts_are_read_and_said(installed, tmp_path):
    """After `pip install .`, a curator's edits in the checkout count: the copy inside the package
    must not shadow them, even from a subfolder."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "tests" / "data" / "slice", project / "facts")
    (project / "notes").mkdir()
    result = subprocess.run(
        [str(installed / "bin" / "her2kg"), "build", "--out", str(tmp_path / "dist")],
        cwd=project / "notes",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert f"read facts/ of the checkout {project}" in result.stderr
    assert "from 15 records" in result.stdout
