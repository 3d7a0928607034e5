"""Private triple stores for the tests: a Virtuoso server and an Oxigraph server, each started on
127.0.0.1 with free ports and a temporary folder, and stopped whatever happens.

Virtuoso (Debian `virtuoso-opensource`) reads its own virtuoso.ini (tests/virtuoso/virtuoso.ini,
ports and the folder it may load from set at run time; no row cap below a million and no anytime
queries, which return a partial answer when time runs out). Its quiet failures are checked, not
hit: isql exits 0 when a statement fails (its stderr is read), the bulk loader keeps what it loaded
before an error (LOAD_LIST's errors are read and the count compared), and a `FILE.graph` beside the
data would override the graph asked for (the data is copied into a folder of its own).

Oxigraph server (PyPI `oxigraph`) serves /query, /update and /store (the Graph Store Protocol); its
bulk loader (`oxigraph load`) writes the folder before the server starts.
"""

from __future__ import annotations

import configparser
import dataclasses
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest

from answers import normal

HOST = "127.0.0.1"
VIRTUOSO, ISQL = "virtuoso-t", "isql-vt"
INI = Path(__file__).parent / "virtuoso" / "virtuoso.ini"
DBA = ("dba", "dba")  # a new database's administrator; the server listens on 127.0.0.1 only
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
APT_HINT = "apt-get install -y --no-install-recommends virtuoso-opensource"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def select(endpoint: str, text: str, graph: str | list[str] | None = None) -> tuple[pyoxigraph.QuerySolutions, dict]:
    """Solutions of a query (on `graph`, or the merge of the graphs listed, as the default graph), and the
    response's headers."""
    graphs = [graph] if isinstance(graph, str) else graph or []
    fields = [("query", text), *(("default-graph-uri", g) for g in graphs)]
    request = urllib.request.Request(
        endpoint, data=urllib.parse.urlencode(fields).encode(), headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        body, headers = response.read(), dict(response.headers)
    return pyoxigraph.parse_query_results(body, format=pyoxigraph.QueryResultsFormat.JSON), headers


def count(endpoint: str, graph: str) -> int:
    solutions, _ = select(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(solutions))["n"].value)


def answer(solutions: pyoxigraph.QuerySolutions) -> tuple[list[str], set[tuple[str, ...]]]:
    """As answers.oxigraph_answer, with Virtuoso's 1 and 0 for booleans read as the booleans they are."""

    def term(value):
        if isinstance(value, pyoxigraph.Literal) and value.datatype.value == XSD_BOOLEAN:
            value = pyoxigraph.Literal("true" if value.value in ("1", "true") else "false", datatype=value.datatype)
        return normal(value)

    variables = [v.value for v in solutions.variables]
    return variables, {tuple(term(solution[v]) for v in variables) for solution in solutions}


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- Virtuoso ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Virtuoso:
    folder: Path  # the only folder the server may load from
    sql_port: int
    http: str  # http://127.0.0.1:PORT
    process: subprocess.Popen | None = dataclasses.field(default=None, compare=False)  # to stop it mid-test

    @property
    def endpoint(self) -> str:
        return f"{self.http}/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint that asks for a login (Digest): dba may write."""
        return f"{self.http}/sparql-graph-crud-auth"

    def isql(self, statement: str) -> str:
        """Run SQL with the isql client; isql exits 0 even on an error, so its stderr tells."""
        done = subprocess.run(
            [ISQL, f"{HOST}:{self.sql_port}", *DBA, "VERBOSE=OFF", "BANNER=OFF", f"exec={statement}"],
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode or "*** Error" in done.stderr:
            raise RuntimeError(f"isql: {statement}\n{done.stdout}{done.stderr}")
        return done.stdout.strip()

    def bulk_load(self, file: Path, graph: str) -> None:
        """Load `file` into `graph` with Virtuoso's bulk loader (ld_dir, rdf_loader_run), replacing the graph.

        The file is copied into a folder of its own, so no `*.graph` file overrides `graph`; the
        loader's errors are read from LOAD_LIST, since it keeps what it loaded before one.
        """
        into = self.folder / f"load-{time.monotonic_ns()}"
        into.mkdir()
        shutil.copy(file, into)
        assert not list(into.glob("*.graph")), "a FILE.graph would override the graph asked for"
        self.isql(f"SPARQL CLEAR GRAPH <{graph}>; DELETE FROM DB.DBA.LOAD_LIST;")
        self.isql(
            f"ld_dir({sql_string(str(into))}, {sql_string(file.name)}, {sql_string(graph)}); "
            "rdf_loader_run(); checkpoint;"
        )
        errors = self.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
        if errors:
            raise RuntimeError(f"Virtuoso's bulk loader failed on {file}: {errors}")


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _write_ini(folder: Path, sql_port: int, http_port: int) -> Path:
    ini = configparser.ConfigParser(inline_comment_prefixes=(";",))
    ini.optionxform = str  # type: ignore[assignment,method-assign]  # Virtuoso's keys are case-sensitive
    ini.read(INI, encoding="utf-8")
    ini["Parameters"]["ServerPort"] = f"{HOST}:{sql_port}"
    ini["Parameters"]["DirsAllowed"] = str(folder)
    ini["HTTPServer"]["ServerPort"] = f"{HOST}:{http_port}"
    path = folder / "virtuoso.ini"
    with path.open("w", encoding="utf-8") as out:
        ini.write(out)
    return path


@contextmanager
def virtuoso(folder: Path, seconds: float = 60) -> Iterator[Virtuoso]:
    """A private Virtuoso server in `folder` (skips the test when Virtuoso is not installed)."""
    if shutil.which(VIRTUOSO) is None or shutil.which(ISQL) is None:
        pytest.skip(f"{VIRTUOSO} or {ISQL} not found: {APT_HINT}")
    http_port = free_port()
    server_ = Virtuoso(folder, free_port(), f"http://{HOST}:{http_port}")
    ini = _write_ini(folder, server_.sql_port, http_port)
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server_ = dataclasses.replace(server_, process=process)
    try:
        deadline = time.monotonic() + seconds
        while True:
            if process.poll() is not None:
                log = (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"Virtuoso stopped on start (exit {process.returncode}):\n{log}")
            try:
                server_.isql("SELECT 1;")
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield server_
    finally:
        stop(process)


# --- Oxigraph server -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Oxigraph:
    http: str
    process: subprocess.Popen | None = dataclasses.field(default=None, compare=False)  # to stop it mid-test

    endpoint = property(lambda self: f"{self.http}/query")
    update = property(lambda self: f"{self.http}/update")
    graph_store = property(lambda self: f"{self.http}/store")


@contextmanager
def oxigraph(
    folder: Path, bulk: Path | None = None, graph: str | None = None, seconds: float = 30
) -> Iterator[Oxigraph]:
    """An Oxigraph server on the data folder `folder`; with `bulk`, that file is loaded first with Oxigraph's own
    bulk loader (N-Quads into the graphs they name, N-Triples into `graph`)."""
    # installed with the test extra, beside this Python even when its environment is not activated
    command = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if command is None:
        pytest.skip("the oxigraph command is not installed: pip install oxigraph")
    if bulk is not None:
        subprocess.run(
            [command, "load", "--location", str(folder), "--file", str(bulk), *(["--graph", graph] if graph else [])],
            check=True,
            capture_output=True,
            timeout=300,
        )
    server_ = Oxigraph(f"http://{HOST}:{free_port()}")
    process = subprocess.Popen(
        [command, "serve", "--location", str(folder), "--bind", server_.http[7:]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server_ = dataclasses.replace(server_, process=process)
    try:
        deadline = time.monotonic() + seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oxigraph serve stopped on start (exit {process.returncode})")
            try:
                select(server_.endpoint, "ASK {}")
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server_
    finally:
        stop(process)
