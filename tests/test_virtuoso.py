"""The release loads into Virtuoso, a separate triple store, and the canned queries answer there as in
the embedded store.

A private Virtuoso server (Debian `virtuoso-opensource`) starts in a temporary folder with its own
virtuoso.ini (tests/virtuoso/virtuoso.ini; free ports on 127.0.0.1 chosen at run time, loading
allowed from that folder only), bulk-loads her2kg.nt into one named graph (ld_dir and
rdf_loader_run), and is stopped at the end whatever happens. Every canned query, with its defaults
and with its examples, goes to the SPARQL endpoint as portable text (the bound values as a VALUES
block, as for Jena) and its rows are compared with pyoxigraph's.

The server is set up so that Virtuoso's limits cannot hide a difference: no row cap below a
million and no anytime queries (which return a partial answer when time runs out). Virtuoso
writes a boolean as 1 or 0, the same value as true or false: booleans are compared by value, like
numbers. Skipped when virtuoso-t is missing.
"""
from __future__ import annotations

import configparser
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest

from her2kg.catalog import load_queries
from her2kg.release import Release
from answers import CASES, normal, oxigraph_answer, portable_cases

SERVER, ISQL = "virtuoso-t", "isql-vt"
INI = Path(__file__).parent / "virtuoso" / "virtuoso.ini"
GRAPH = "https://w3id.org/her2kg/"
HOST = "127.0.0.1"
DBA = ("dba", "dba")  # a new database's administrator; the server listens on 127.0.0.1 only
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
APT_HINT = "apt-get install -y --no-install-recommends virtuoso-opensource"


@dataclass(frozen=True)
class Virtuoso:
    sql_port: int
    endpoint: str

    def isql(self, statement: str) -> str:
        """Run SQL with the isql client; isql exits 0 even on an error, so its stderr tells."""
        done = subprocess.run([ISQL, f"{HOST}:{self.sql_port}", *DBA, "VERBOSE=OFF", "BANNER=OFF",
                               f"exec={statement}"], capture_output=True, text=True, timeout=300)
        if done.returncode or "*** Error" in done.stderr:
            raise RuntimeError(f"isql: {statement}\n{done.stdout}{done.stderr}")
        return done.stdout.strip()

    def select(self, text: str) -> tuple[pyoxigraph.QuerySolutions, dict]:
        """Solutions of a query on the release's graph, and the response's headers."""
        form = urllib.parse.urlencode({"query": text, "default-graph-uri": GRAPH}).encode()
        request = urllib.request.Request(self.endpoint, data=form,
                                         headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            body, headers = response.read(), dict(response.headers)
        return pyoxigraph.parse_query_results(body, format=pyoxigraph.QueryResultsFormat.JSON), headers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def write_ini(folder: Path, sql_port: int, http_port: int) -> Path:
    ini = configparser.ConfigParser(inline_comment_prefixes=(";",))
    ini.optionxform = str  # Virtuoso's keys are case-sensitive
    ini.read(INI, encoding="utf-8")
    ini["Parameters"]["ServerPort"] = f"{HOST}:{sql_port}"
    ini["Parameters"]["DirsAllowed"] = str(folder)
    ini["HTTPServer"]["ServerPort"] = f"{HOST}:{http_port}"
    path = folder / "virtuoso.ini"
    with path.open("w", encoding="utf-8") as out:
        ini.write(out)
    return path


def wait_until_online(server: subprocess.Popen, virtuoso: Virtuoso, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"Virtuoso stopped on start (exit {server.returncode}):\n{log.read_text()[-2000:]}")
        try:
            virtuoso.isql("SELECT 1;")
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def virtuoso(shipped_release, tmp_path_factory):
    """A private Virtuoso server holding the release in the graph GRAPH; stopped at the end."""
    if shutil.which(SERVER) is None or shutil.which(ISQL) is None:
        pytest.skip(f"{SERVER} or {ISQL} not found: {APT_HINT}")
    folder = tmp_path_factory.mktemp("virtuoso")
    shutil.copy(Release(shipped_release).graph_nt, folder)
    http_port = free_port()
    virtuoso = Virtuoso(sql_port=free_port(), endpoint=f"http://{HOST}:{http_port}/sparql")
    ini = write_ini(folder, virtuoso.sql_port, http_port)
    server = subprocess.Popen([SERVER, "+foreground", "+configfile", str(ini)], cwd=folder,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_online(server, virtuoso, folder / "virtuoso.log")
        name = sql_string(Release(shipped_release).graph_nt.name)
        virtuoso.isql(f"ld_dir({sql_string(str(folder))}, {name}, {sql_string(GRAPH)}); rdf_loader_run();")
        yield virtuoso
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def cases(shipped_store) -> dict[str, tuple[str, dict]]:
    return portable_cases(shipped_store)


def virtuoso_answer(solutions: pyoxigraph.QuerySolutions) -> tuple[list[str], set[tuple[str, ...]]]:
    """As test_queries.oxigraph_answer, with Virtuoso's 1 and 0 read as the booleans they are."""
    def term(value):
        if isinstance(value, pyoxigraph.Literal) and value.datatype.value == XSD_BOOLEAN:
            value = pyoxigraph.Literal("true" if value.value in ("1", "true") else "false", datatype=value.datatype)
        return normal(value)

    variables = [v.value for v in solutions.variables]
    return variables, {tuple(term(solution[v]) for v in variables) for solution in solutions}


def test_virtuoso_loads_every_triple(virtuoso, shipped_release):
    assert virtuoso.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;") == ""
    lines = Release(shipped_release).graph_nt.read_text(encoding="utf-8").count("\n")
    solutions, _ = virtuoso.select("SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }")
    assert int(next(iter(solutions))["triples"].value) == lines


@pytest.mark.parametrize("case", CASES)
def test_virtuoso_answers_like_the_embedded_store(case, cases, virtuoso, shipped_store):
    text, substitutions = cases[case]
    query = load_queries()[case.partition(".")[0]]
    expected = oxigraph_answer(shipped_store.query(query.text, substitutions=substitutions))
    solutions, headers = virtuoso.select(text)
    assert "X-SQL-State" not in headers, f"{case}: Virtuoso answered in part ({headers['X-SQL-State']})"
    assert virtuoso_answer(solutions) == expected, f"{case}: Virtuoso answers differently; the query it ran:\n{text}"
