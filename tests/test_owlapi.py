"""The ontology and the released graph open in Protégé: the OWL API parses them completely and
finds them OWL 2 DL.

The OWL API is the library Protégé is built on. Debian packages it as `libowlapi-java`; its jars
declare no dependencies, so the class path names them. The test compiles tests/owlapi/CheckOwl2Dl.java
and runs it on each file; it is skipped only when Java or the jars are missing.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from her2kg.errors import FactsError, ValidationError
from her2kg.build import build_release
from her2kg.release import Release
from her2kg.resources import project_path

JARS = Path("/usr/share/java")
# The OWL API and what it needs at run time; jaxb-api and javax.activation are no longer in Java 17.
CLASSPATH_JARS = ("owlapi-distribution", "guava", "caffeine", "commons-io", "commons-codec",
                  "commons-logging", "commons-rdf-api", "jackson-core", "jackson-databind",
                  "jackson-annotations", "slf4j-api", "slf4j-nop", "hppcrt", "xz", "jaxb-api",
                  "javax.activation", "jsr305", "atinject-jsr330-api", "httpclient", "httpcore",
                  "jsonld-java")
CHECKER = Path(__file__).parent / "owlapi" / "CheckOwl2Dl.java"
APT_HINT = "apt-get install -y default-jdk-headless libowlapi-java"


def classpath() -> list[Path]:
    jars = [JARS / f"{name}.jar" for name in CLASSPATH_JARS] + sorted(JARS.glob("rdf4j-*.jar"))
    missing = [jar.name for jar in jars if not jar.is_file()]
    if missing or not any(JARS.glob("rdf4j-*.jar")):
        pytest.skip(f"OWL API jars missing ({', '.join(missing) or 'rdf4j'}): {APT_HINT}")
    return jars


@pytest.fixture(scope="module")
def owl2dl_checker(tmp_path_factory):
    """A function that runs the compiled checker on files and returns (exit code, output)."""
    if shutil.which("java") is None or shutil.which("javac") is None:
        pytest.skip(f"java/javac not found: {APT_HINT}")
    jars = classpath()
    classes = tmp_path_factory.mktemp("owlapi-classes")
    path = ":".join(str(jar) for jar in jars)
    subprocess.run(["javac", "-d", str(classes), "-cp", path, str(CHECKER)], check=True,
                   capture_output=True, text=True)

    def run(*files: Path) -> tuple[int, str]:
        done = subprocess.run(["java", "-cp", f"{classes}:{path}", "CheckOwl2Dl", *map(str, files)],
                              capture_output=True, text=True, timeout=300)
        return done.returncode, done.stdout + done.stderr

    return run


@pytest.fixture(scope="module")
def slice_release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("slice") / "dist"
    build_release(Path(__file__).parent / "data" / "slice", out)
    return out


def shipped_or_skip(request) -> Path:
    try:
        return request.getfixturevalue("shipped_release")
    except (FactsError, ValidationError) as err:
        pytest.skip(f"the shipped facts do not build yet ({len(err.problems)} problems)")


def assert_owl2dl(checker, path: Path) -> None:
    code, output = checker(path)
    assert code == 0, output
    assert f"{path}: " in output and " 0 problems" in output, output


def test_the_tbox_alone_is_owl2dl(owl2dl_checker):
    """ontology/her2kg.ttl is what an editor opens in Protégé: it must stand on its own."""
    assert_owl2dl(owl2dl_checker, project_path("ontology") / "her2kg.ttl")


def test_the_release_built_from_the_test_slice_is_owl2dl(owl2dl_checker, slice_release):
    assert_owl2dl(owl2dl_checker, Release(slice_release).owl)


def test_the_release_built_from_the_shipped_facts_is_owl2dl(owl2dl_checker, request):
    assert_owl2dl(owl2dl_checker, Release(shipped_or_skip(request)).owl)


@pytest.mark.parametrize("broken, expected", [
    # An xsd:date is outside the OWL 2 datatype map: Protégé would refuse the file as OWL 2 DL.
    ('<https://w3id.org/her2kg/x> <https://w3id.org/her2kg/ontology#year> "2020-01-01"^^xsd:date .',
     "not OWL 2 DL"),
    # A property used but never declared.
    ("<https://w3id.org/her2kg/x> <https://w3id.org/her2kg/ontology#undeclared> <https://w3id.org/her2kg/y> .",
     "undeclared"),
    ("<https://w3id.org/her2kg/x> a", "parse error"),
])
def test_the_checker_reports_what_protege_would_reject(owl2dl_checker, tmp_path, broken, expected):
    """The checker itself can fail: each broken file is reported, with the reason."""
    path = tmp_path / "broken.ttl"
    path.write_text("@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
                    "<https://w3id.org/her2kg/o> a <http://www.w3.org/2002/07/owl#Ontology> .\n" + broken + "\n")
    code, output = owl2dl_checker(path)
    assert code == 1, output
    assert expected in output, output
