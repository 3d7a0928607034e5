"""A non-editable install works from any directory: the wheel carries ontology, shapes, queries and facts."""
import subprocess
import venv
from pathlib import Path

import pytest

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
    result = subprocess.run([str(installed / "bin" / "her2kg"), "build"], cwd=elsewhere,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (elsewhere / "dist").iterdir()) == [
        ".her2kg-release", "build-report.json", "her2kg.nt", "her2kg.owl", "her2kg.ttl", "void.ttl"]


def test_the_installed_package_is_not_the_source_tree(installed):
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import her2kg.resources as r; print(r.project_path('ontology'))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert "site-packages" in where and not where.startswith(str(REPO))
