"""The canned queries give the same answers in Apache Jena ARQ as in the embedded store.

A reviewer checks the release with another engine: every canned query, with its defaults and with
its examples, is written as portable SPARQL 1.1 (the bound values as a VALUES block, see
`her2kg.catalog.portable_text`), run by Jena over her2kg.nt, and its rows compared with
pyoxigraph's (sets of rows of N-Triples terms, numbers by value, as in test_queries.py).

Jena is Debian's `libapache-jena-java`. tests/jena/RunQueries.java loads the graph once and runs
every query in one JVM (Java's single-file launcher compiles it). Skipped when Java or the jars are
missing.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pyoxigraph
import pytest

from answers import CASES, oxigraph_answer, portable_cases
from her2kg.catalog import bind, load_queries, portable_text
from her2kg.release import Release

JARS = Path("/usr/share/java")
# Jena's jars and the Debian package's dependencies that a query run loads.
CLASSPATH_JARS = (
    "jena-arq",
    "jena-base",
    "jena-core",
    "jena-iri",
    "commons-codec",
    "commons-compress",
    "commons-csv",
    "commons-io",
    "commons-lang3",
    "dexx.collection",
    "gson",
    "guava",
    "protobuf",
    "slf4j-api",
    "slf4j-nop",
    "thrift",
)
RUNNER = Path(__file__).parent / "jena" / "RunQueries.java"
APT_HINT = "apt-get install -y --no-install-recommends libapache-jena-java"


def xerces_messages(folder: Path) -> Path:
    """Debian's jena-core moves Jena's bundled Xerces to the package `xerces` but leaves its message
    files under org/apache/jena/ext/xerces, so Xerces fails on start-up ('internal error'). Copy
    them where the classes look for them; the folder goes first on the class path."""
    with zipfile.ZipFile(JARS / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = folder / name.removeprefix("org/apache/jena/ext/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return folder


@pytest.fixture(scope="module")
def cases(shipped_store) -> dict[str, tuple[str, dict]]:
    return portable_cases(shipped_store)


@pytest.fixture(scope="module")
def jena_results(shipped_release, cases, tmp_path_factory) -> Path:
    """Every case run by Jena: the folder of `<case>.rq.srj` results (or `<case>.rq.error` messages)."""
    if shutil.which("java") is None:
        pytest.skip(f"java not found: {APT_HINT}")
    jars = [JARS / f"{name}.jar" for name in CLASSPATH_JARS]
    if missing := [jar.name for jar in jars if not jar.is_file()]:
        pytest.skip(f"Jena jars missing ({', '.join(missing)}): {APT_HINT}")
    queries, results = tmp_path_factory.mktemp("jena-queries"), tmp_path_factory.mktemp("jena-results")
    for case, (text, _) in cases.items():
        (queries / f"{case}.rq").write_text(text, encoding="utf-8")
    classpath = ":".join(map(str, [xerces_messages(tmp_path_factory.mktemp("xerces")), *jars]))
    done = subprocess.run(
        [
            "java",
            "-cp",
            classpath,
            str(RUNNER),
            str(Release(shipped_release).graph_nt),
            str(results),
            *map(str, sorted(queries.glob("*.rq"))),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return results


@pytest.mark.parametrize("case", CASES)
def test_jena_answers_like_the_embedded_store(case, cases, jena_results, shipped_store):
    error = jena_results / f"{case}.rq.error"
    assert not error.exists(), f"Jena refuses or fails {case}: {error.read_text(encoding='utf-8')}"
    text, substitutions = cases[case]
    query = load_queries()[case.partition(".")[0]]
    expected = oxigraph_answer(shipped_store.query(query.text, substitutions=substitutions))
    jena = oxigraph_answer(
        pyoxigraph.parse_query_results(path=jena_results / f"{case}.rq.srj", format=pyoxigraph.QueryResultsFormat.JSON)
    )
    assert jena == expected, f"{case}: Jena answers differently; the query it ran:\n{text}"


def test_a_value_written_into_the_portable_text_stays_one_term(shipped_store):
    """What a user types cannot change the portable query: it is escaped as one N-Triples term."""
    query = load_queries()["find-entity"]
    hostile = 'T-DXd") } UNION { ?entity ?p ?matchedName } #\n}'

    def rows(value: str) -> list:
        return list(shipped_store.query(portable_text(query.text, bind(query, {"text": value}, shipped_store))))

    assert rows("T-DXd")
    assert rows(hostile) == []  # no name contains it, and its UNION is text, not a pattern
