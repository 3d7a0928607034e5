"""The SPARQL runner and the query commands, as a specification.

Each file in tests/queries/command-line/ is one invocation: its arguments, the exit code, and text
that must appear in stdout and stderr (or the number of stdout lines). The tests below it prove the
runner's limits on the shipped release: a runaway query stops at its deadline, a row cap stops a
cartesian product without growing memory, rows stream while the query runs, Ctrl-C ends it at once.
"""

from __future__ import annotations

import io
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest
import yaml
from click.testing import CliRunner

from her2kg.cli import cli
from her2kg.errors import EXIT_INTERRUPTED, EXIT_LIMIT, QueryTimeout
from her2kg.results import negotiate, show, table, write_solutions
from her2kg.sparql import execute, syntax_message

CASES = sorted((Path(__file__).parent / "queries" / "command-line").glob("*.yaml"))
FOUR_WAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TWO_WAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_command_line(case, shipped_release):
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    result = CliRunner().invoke(
        cli, [*spec["args"], "--release", str(shipped_release)], prog_name="her2kg", env={"COLUMNS": "200"}
    )
    assert result.exit_code == spec["exit"], result.output + result.stderr
    for text in spec.get("stdout", []):
        assert text in result.stdout
    for text in spec.get("stderr", []):
        assert text in result.stderr
    if "stdout_lines" in spec:
        assert len(result.stdout.splitlines()) == spec["stdout_lines"]


# --- the runner's limits -------------------------------------------------------------------------


@pytest.mark.slow
def test_a_runaway_query_is_stopped_at_its_deadline(shipped_store):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit of 1 s"):
        list(execute(shipped_store, FOUR_WAY, timeout=1))
    assert time.monotonic() - started < 1.5


def test_the_row_cap_stops_a_cartesian_product_without_growing_memory(shipped_store):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with execute(shipped_store, TWO_WAY, max_rows=10_000) as results:
        rows = sum(1 for _ in results)
    assert (rows, results.truncated) == (10_000, True)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50_000, f"the reader grew by {grown_kib} KiB"
    # The worker shares the reader's pages copy-on-write; streaming keeps what it adds small.
    assert results.worker_peak_kib is not None and results.worker_peak_kib < before + 50_000, (
        f"the worker reached {results.worker_peak_kib} KiB (the reader: {before} KiB)"
    )


def test_an_answer_within_the_cap_is_not_truncated(shipped_store):
    with execute(shipped_store, "SELECT ?l WHERE { drug:neratinib rdfs:label ?l }", max_rows=1) as results:
        assert len(list(results)) == 1
    assert not results.truncated


def test_the_store_is_the_same_after_a_stopped_query(shipped_store):
    triples = len(shipped_store)
    with execute(shipped_store, TWO_WAY, max_rows=3) as results:
        next(iter(results))  # the reader walks away after one row: the worker is killed
    assert len(shipped_store) == triples
    assert execute(shipped_store, "ASK { drug:neratinib a hk:Drug }").boolean is True


# Starts the command as a shell would: Ctrl-C handled by default and nothing blocked, whatever state the
# test process's own signals were left in (an ignored or blocked SIGINT is inherited through exec).
AS_FROM_A_SHELL = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM}); os.execv(sys.argv[1], sys.argv[1:])"
)


def her2kg_process(*args: str) -> subprocess.Popen:
    her2kg = str(Path(sys.executable).parent / "her2kg")
    return subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_SHELL, her2kg, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def wait_for_worker(process: subprocess.Popen, within: float = 20) -> None:
    """Until the command has forked its query worker (so the query is running)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + within
    while not children.read_text().strip():
        assert process.poll() is None and time.monotonic() < deadline, "the query never started"
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to see the worker")
def test_ctrl_c_stops_a_running_query_at_once_with_exit_130(shipped_release):
    process = her2kg_process("sparql", FOUR_WAY, "--timeout", "60", "--release", str(shipped_release))
    try:
        wait_for_worker(process)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == EXIT_INTERRUPTED
        assert time.monotonic() - started < 1
        assert b"Traceback" not in process.stderr.read()
    finally:  # a failure here must not leave the command running beside the later tests
        process.kill()
        process.wait()


@pytest.mark.slow
def test_rows_are_written_while_the_query_runs(shipped_release):
    process = her2kg_process(
        "sparql", TWO_WAY, "--max-rows", "0", "--timeout", "1", "--format", "csv", "--release", str(shipped_release)
    )
    out, err = process.communicate(timeout=30)
    assert process.returncode == EXIT_LIMIT, err
    assert out.count(b"\r\n") > 1_000  # rows reached stdout before the deadline stopped the query
    assert b"time limit" in err


# --- pieces ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, error, message",
    [
        (
            "SELECT ?x WHERE { ?x ?y }",
            "error at 1:26: expected one of LATERAL, SERVICE, [_]",
            "line 1, column 26: expected LATERAL, SERVICE or a term near the end of the query",
        ),
        (
            "SELECT ?x WHERE {\n ?x a zz:Foo }",
            "error at 2:13: expected one of Prefix not found, ['%'], ['.']",
            "line 2, column 13: undeclared prefix 'zz:'",
        ),
        (
            "SELEKT ?s WHERE { ?s ?p ?o }",
            "error at 1:10: expected CONSTRUCT",
            "line 1, column 1: a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE",
        ),
    ],
)
def test_a_parser_error_becomes_one_line(text, error, message):
    assert syntax_message(text, error).startswith(message)
    assert "\n" not in syntax_message(text, error)


def test_terms_are_shown_as_tables_print_and_parameters_accept():
    assert show(pyoxigraph.NamedNode("https://w3id.org/her2kg/drug/neratinib")) == "drug/neratinib"
    assert show(pyoxigraph.NamedNode("https://w3id.org/her2kg/ontology#inhibits")) == "hk:inhibits"
    assert show(pyoxigraph.NamedNode("https://w3id.org/her2kg/vocab/phase/phase-3")) == "vocab/phase/phase-3"
    assert show(pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")) == "rdfs:label"
    assert show(pyoxigraph.NamedNode("https://example.org/x")) == "https://example.org/x"


def test_a_table_fits_the_width_by_wrapping_text_and_never_cuts_an_identifier():
    iri = pyoxigraph.NamedNode("https://w3id.org/her2kg/mechanism/a-very-long-mechanism-identifier-slug")
    text = pyoxigraph.Literal("words " * 40)
    lines = table(["mechanism", "description"], [(iri, text)], width=70).splitlines()
    assert all(len(line) <= 70 for line in lines)
    assert "mechanism/a-very-long-mechanism-identifier-slug" in lines[2]
    assert "".join(lines[2:-1]).count("words") == 40


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_solutions_are_written_before_the_next_row_is_read(fmt):
    out = io.StringIO()
    written = []

    def rows():
        for n in range(3):
            written.append(len(out.getvalue()))  # what had been written when row n was asked for
            yield (pyoxigraph.Literal(str(n)),)

    assert write_solutions(("n",), rows(), fmt, out) == 3
    assert written[0] < written[1] < written[2]


@pytest.mark.parametrize(
    "accept, kind, fmt",
    [
        (None, "solutions", "json"),
        ("text/csv", "solutions", "csv"),
        ("text/csv;q=0.5, application/sparql-results+xml", "solutions", "xml"),
        ("application/json", "boolean", "json"),
        ("*/*", "graph", "turtle"),
        ("application/n-triples, text/turtle;q=0.9", "graph", "ntriples"),
        ("application/ld+json", "graph", "jsonld"),
        ("text/csv", "graph", "turtle"),  # a graph has no CSV: the default
    ],
)
def test_content_negotiation(accept, kind, fmt):
    assert negotiate(accept, kind) == fmt


def test_a_worker_leaves_no_process_behind(shipped_store):
    for _ in range(3):
        with execute(shipped_store, TWO_WAY, max_rows=2) as results:
            list(results)
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    if children.exists():
        assert children.read_text().strip() == ""


@pytest.mark.parametrize(
    "text, error, message",
    [
        (
            "SELECT * WHERE { ?s ?p ?o } LIMIT ten",
            "error at 1:35: expected one of HAVING, OFFSET, OPTIONAL, VALUES, ['0'..='9']",
            "line 1, column 35: expected HAVING, OFFSET, OPTIONAL, VALUES or a number near 'ten'",
        ),
        (
            'SELECT * WHERE { ?s ?p "x }',
            'error at 1:28: expected one of "\\"", "\\\\", [_]',
            "line 1, column 28: unterminated string",
        ),
        (
            "SELECT * WHERE { FILTER(?p = ) }",
            "error at 1:30: expected one of ABS, AVG, STR, [_], isLITERAL",
            "line 1, column 30: expected an expression near ')'",
        ),
    ],
)
def test_what_could_come_is_said_in_words(text, error, message):
    assert syntax_message(text, error).startswith(message)


def test_terms_cross_the_pipe_unchanged(shipped_store):
    text = 'SELECT ?en ?typed ?iri ?none WHERE { BIND("HER2"@en AS ?en) BIND(3.5 AS ?typed) BIND(hk:Drug AS ?iri) }'
    with execute(shipped_store, text) as results:
        assert list(results) == [
            (
                pyoxigraph.Literal("HER2", language="en"),
                pyoxigraph.Literal("3.5", datatype=pyoxigraph.NamedNode(XSD + "decimal")),
                pyoxigraph.NamedNode("https://w3id.org/her2kg/ontology#Drug"),
                None,
            )
        ]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to see the worker")
def test_a_killed_command_leaves_no_worker_behind(shipped_release):
    process = her2kg_process("sparql", FOUR_WAY, "--timeout", "60", "--release", str(shipped_release))
    wait_for_worker(process)
    worker = int(Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()[0])
    process.kill()
    process.wait(timeout=5)
    deadline = time.monotonic() + 2
    while Path(f"/proc/{worker}").exists() and "Z" not in Path(f"/proc/{worker}/stat").read_text().split()[2]:
        assert time.monotonic() < deadline, "the worker outlived the command"
        time.sleep(0.02)
