"""SPARQL endpoints side by side: her2kg serve, oxigraph serve-read-only and rdflib-endpoint.

    python benchmarks/endpoint.py [--release DIR | --claims N] [--clients 1,8] [--seconds 5] [--servers …]

`--claims N` generates a synthetic project of N claims (benchmarks/generate.py, seed 1: 70,000
claims make about a million triples), builds it and serves that release instead of the shipped
one; the queries' parameters are then taken from the synthetic graph (the copies of the shipped
records the generator makes). `her2kg` is `her2kg serve` with its answer cache (a query repeated
by wrk is answered from the cache after its first time: the warm figure), `her2kg-nocache` the
same with `--cache-size 0` (every request runs the query: the cold figure).

Each server is started on 127.0.0.1 on the same release (her2kg.nt), and each of four canned
queries — a label lookup, a multi-hop join, an aggregate and a text filter — is sent to its
/sparql as the same text (parameters written in as VALUES, as `her2kg query --portable` does) by
`wrk` with 1 and 8 keep-alive connections for a fixed time. The label lookup is also sent to
her2kg's canned-query REST API (GET /api/queries/drug-profile?drug=…, the parameter bound by the
server): the same answer by another door, which the other servers do not have. Before measuring,
every server's answer is checked to have the same number of rows. Prints a Markdown table for
docs/benchmarks.md.

Needs `wrk` (Debian: apt-get install wrk), the `oxigraph` command (PyPI oxigraph) and
`rdflib-endpoint` (PyPI rdflib-endpoint). Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from her2kg.build import build_release
from her2kg.catalog import bind, find_query, portable_text
from her2kg.namespaces import BASE, sparql_prologue
from her2kg.release import Release
from her2kg.schema import KIND_PREFIXES
from her2kg.sparql import QUERY_PREFIXES
from her2kg.store import open_release

HOST = "127.0.0.1"
# (what it measures, canned query, parameters)
QUERIES = (
    ("label lookup", "drug-profile", {"drug": "tucatinib"}),
    ("multi-hop join", "mechanisms-affecting-drug", {"drug": "tucatinib"}),
    ("aggregate", "publications", {}),
    ("text filter", "find-entity", {"text": "T-DXd"}),
)
# (what it measures, canned query, parameters): sent to her2kg's REST API, not to /sparql
API_QUERIES = (("label lookup, REST API", "drug-profile", {"drug": "tucatinib"}),)
OURS = ("her2kg", "her2kg-nocache")
ACCEPT = "application/sparql-results+json"
WRK_SCRIPT = f'wrk.headers["Accept"] = "{ACCEPT}"\n'
START_TIMEOUT = 120.0  # seconds for a server to answer its first query (rdflib-endpoint parses at start)
SERVERS = "her2kg,her2kg-nocache,oxigraph,rdflib-endpoint"
# The synthetic graph's records are copies of the shipped ones with their own ids (drug/tucatinib-s17
# …): there the queries about a drug ask about the first copy of it.
FIRST_COPY = """SELECT ?copy WHERE {{ ?copy a hk:Drug FILTER STRSTARTS(STR(?copy), "{iri}-s") }}
ORDER BY STRLEN(STR(?copy)) STR(?copy) LIMIT 1"""


@dataclass
class Cell:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def query_texts(release: Path, synthetic: bool = False) -> tuple[dict[str, str], dict[str, str]]:
    """Each benchmark query as one self-contained text: its parameters as VALUES, every project
    prefix it uses declared (other engines do not know the project's implicit prefixes); and each
    REST API request as the path and query string after the server's address."""
    store = open_release(release)
    texts = {}
    for label, name, shipped in QUERIES:
        given = parameters(store, shipped, synthetic)
        query = find_query(name)
        text = portable_text(query.text, bind(query, given, store))
        declared = set(re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", text))
        missing = {p: ns for p, ns in KIND_PREFIXES.items() if p not in declared}
        prologue = "".join(
            line + "\n" for line in sparql_prologue(missing).splitlines() if line.split()[1].rstrip(":") not in declared
        )
        texts[label] = prologue + text
    api = {
        label: f"/api/queries/{name}?{urllib.parse.urlencode(parameters(store, shipped, synthetic))}"
        for label, name, shipped in API_QUERIES
    }
    return texts, api


def parameters(store, shipped: dict[str, str], synthetic: bool) -> dict[str, str]:
    """A query's parameters; on the synthetic graph a drug is the first copy of the shipped one."""
    given = dict(shipped)
    if synthetic and "drug" in given:
        copy = next(iter(store.query(FIRST_COPY.format(iri=BASE + "drug/" + given["drug"]), prefixes=QUERY_PREFIXES)))
        given["drug"] = copy[0].value.removeprefix(BASE)  # as the command line takes it: drug/…
    return given


def sparql_get(url: str, text: str, timeout: float = 30.0) -> dict:
    return get_json(f"{url}?{urllib.parse.urlencode({'query': text})}", timeout)


def get_json(target: str, timeout: float = 30.0) -> dict:
    request = urllib.request.Request(target, headers={"Accept": ACCEPT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def wait_until_up(url: str, process: subprocess.Popen, name: str, start_timeout: float) -> str | None:
    """None once the server answers; else why not (it ended, or it did not answer in time)."""
    deadline = time.monotonic() + start_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"exited with code {process.returncode} before answering"
        try:
            sparql_get(url, "ASK { ?s ?p ?o }", timeout=2)
            return None
        except OSError:
            time.sleep(0.2)
    return f"did not answer within {start_timeout:g} s of its start (still loading)"


@contextmanager
def server(name: str, release: Path, workdir: Path, workers: int, start_timeout: float) -> Iterator[str]:
    """Start one server on a free loopback port; yield its /sparql URL, or why it is not up; stop it."""
    port = free_port()
    nt = str(Release(release).graph_nt)
    if name in OURS:
        command = [
            sys.executable,
            "-m",
            "her2kg",
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--release",
            str(release),
        ] + (["--workers", str(workers)] if workers else [])
        command += ["--cache-size", "0"] if name == "her2kg-nocache" else []
    elif name == "oxigraph":
        location = workdir / "oxigraph"
        if not location.exists():
            subprocess.run(
                [tool("oxigraph"), "load", "--location", str(location), "--file", nt], check=True, capture_output=True
            )
        command = [tool("oxigraph"), "serve-read-only", "--location", str(location), "--bind", f"{HOST}:{port}"]
    elif name == "rdflib-endpoint":
        command = [tool("rdflib-endpoint"), "serve", "--host", HOST, "--port", str(port), nt]
    else:
        raise SystemExit(f"unknown server {name!r}")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    path = {"oxigraph": "/query", "rdflib-endpoint": "/"}.get(name, "/sparql")  # each one's query URL
    url = f"http://{HOST}:{port}{path}"
    try:
        problem = wait_until_up(url, process, name, start_timeout)
        if problem is not None:
            stop(process)  # a server still loading would take CPU from the others' measurements
        yield url if problem is None else f"{name} {problem}"
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def tool(name: str) -> str:
    """A command installed beside this Python (the venv's bin/) or on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed — see the docstring of {Path(__file__).name}")
    return found


_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_COUNT = re.compile(r"^\s+(\d+) requests in", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_ERRORS = re.compile(
    r"Non-2xx or 3xx responses: (\d+)|Socket errors: connect (\d+), read (\d+), write (\d+), "
    r"timeout (\d+)"
)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def measure(target: str, clients: int, seconds: float, script: Path) -> Cell:
    """wrk with `clients` keep-alive connections for `seconds` against GET target."""
    threads = min(clients, os.cpu_count() or 1)
    out = subprocess.run(
        [
            tool("wrk"),
            "-t",
            str(threads),
            "-c",
            str(clients),
            "-d",
            f"{seconds:g}s",
            "--timeout",
            "20s",
            "--latency",
            "-s",
            str(script),
            target,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    latency = {int(p): float(v) * _UNIT_MS[u] for p, v, u in _LATENCY.findall(out)}
    rate = _RATE.search(out)
    errors = sum(int(n) for match in _ERRORS.findall(out) for n in match if n)
    count = _COUNT.search(out)
    if rate is None or count is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    return Cell(float(rate[1]), latency.get(50, float("nan")), latency.get(99, float("nan")), errors, int(count[1]))


def rows(target: str) -> int | None:
    """The number of rows a server answers to GET target, or None if it does not answer in time."""
    try:
        return len(get_json(target, timeout=60).get("results", {}).get("bindings", []))
    except OSError:
        return None


def targets(urls: dict[str, str], texts: dict[str, str], api: dict[str, str]) -> dict[tuple[str, str], str]:
    """(server, label) → the URL wrk asks: a query at its SPARQL URL, an API request at her2kg's."""
    found = {
        (name, label): f"{url}?{urllib.parse.urlencode({'query': text})}"
        for name, url in urls.items()
        for label, text in texts.items()
    }
    found |= {
        (name, label): url.removesuffix("/sparql") + path
        for name, url in urls.items()
        if name in OURS
        for label, path in api.items()
    }
    return found


def synthetic_release(claims: int, workdir: Path) -> Path:
    """A release built from `claims` generated claims (seed 1), in workdir; reused if already there."""
    project, release = workdir / f"synthetic-{claims}", workdir / f"synthetic-{claims}-dist"
    if not (release / "build-report.json").is_file():
        here = Path(__file__).parent
        if not (project / "facts").is_dir():
            subprocess.run(
                [
                    sys.executable,
                    str(here / "generate.py"),
                    "--claims",
                    str(claims),
                    "--out",
                    str(project),
                    "--seed",
                    "1",
                ],
                check=True,
            )
        # Built from inside the project, so its own facts/ and sources/ are used (see generate.py).
        subprocess.run([tool("her2kg"), "build", "--out", str(release)], cwd=project, check=True)
    return release


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", type=Path, help="a built release (default: build the shipped facts)")
    parser.add_argument("--claims", type=int, help="serve a synthetic release of this many generated claims")
    parser.add_argument("--workdir", type=Path, help="keep the synthetic project and release here (reused)")
    parser.add_argument("--clients", default="1,8", help="concurrent keep-alive clients, comma-separated")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement")
    parser.add_argument("--servers", default=SERVERS)
    parser.add_argument("--workers", type=int, default=0, help="her2kg serve --workers (default: its own)")
    parser.add_argument("--start-timeout", type=float, default=START_TIMEOUT, help="seconds a server may take to load")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    servers = args.servers.split(",")
    with tempfile.TemporaryDirectory(prefix="her2kg-endpoint-bench-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        release = args.release
        if args.claims:
            release = synthetic_release(args.claims, args.workdir or workdir)
        elif release is None:
            release = workdir / "dist"
            build_release(out_dir=release)
        texts, api = query_texts(release, synthetic=bool(args.claims))
        script = workdir / "accept.lua"
        script.write_text(WRK_SCRIPT)
        load_before = os.getloadavg()
        urls = {
            name: stack.enter_context(server(name, release, workdir, args.workers, args.start_timeout))
            for name in servers
        }
        up = [name for name in servers if urls[name].startswith("http")]
        asked = targets({name: urls[name] for name in up}, texts, api)
        labels = [*texts, *api]
        counts = {key: rows(target) for key, target in asked.items()}
        for label in labels:
            found = {name: counts[name, label] for name in up if (name, label) in counts}
            if len({n for n in found.values() if n is not None}) > 1:
                print(f"warning: {label}: the servers disagree on the number of rows: {found}", file=sys.stderr)
        results = {
            (name, label, n): measure(asked[name, label], n, args.seconds, script)
            for label in labels
            for n in clients
            for name in up
            if (name, label) in asked
        }
        load_after = os.getloadavg()
    shown = {label: next((counts[key] for key in counts if key[1] == label), None) for label in labels}
    print(report(results, servers, labels, clients, shown, {n: u for n, u in urls.items() if n not in up}))
    print(
        f"\nLoad average (1, 5, 15 min) before the servers started: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after the last measurement: {', '.join(f'{x:.2f}' for x in load_after)}. "
        f"Triples served: {json.loads((release / 'build-report.json').read_text())['triples']:,}."
    )


def report(
    results: dict, servers: list[str], labels: list[str], clients: list[int], counts: dict, down: dict[str, str]
) -> str:
    ours = [name for name in ("her2kg", "her2kg-nocache") if name in servers]
    others = [name for name in ("oxigraph", "rdflib-endpoint") if name in servers]
    ratios = [(a, b) for a in ours for b in others]
    lines = [
        (
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}, "
            f"Python {platform.python_version()}; each cell {'/'.join(map(str, clients))} client(s)."
        ),
        "",
        "| query (rows) | clients | "
        + " | ".join(f"{s} req/s · p50 / p99 ms" for s in servers)
        + "".join(f" | {a} ÷ {b}" for a, b in ratios)
        + " |",
        "|---|---|" + "---|" * (len(servers) + len(ratios)),
    ]
    for label in labels:
        for n in clients:
            shown = []
            for name in servers:
                cell = results.get((name, label, n))
                if cell is None:
                    shown.append("–" if label in {a[0] for a in API_QUERIES} else "not up")
                    continue
                text = (
                    f"{cell.requests_per_second:,.0f} · {cell.p50_ms:.2f} / {cell.p99_ms:.2f}"
                    if cell.requests
                    else "no answer within the time"
                )
                shown.append(text + (f" ({cell.errors} errors)" if cell.errors else ""))
            ratio = []
            for a, b in ratios:
                x, y = results.get((a, label, n)), results.get((b, label, n))
                ratio.append(_ratio(x.requests_per_second / y.requests_per_second if x and y and y.requests else None))
            rows_shown = "?" if counts.get(label) is None else counts[label]
            lines.append(f"| {label} ({rows_shown}) | {n} | " + " | ".join(shown + ratio) + " |")
    lines += [f"\n{name}: {why}" for name, why in down.items()]
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


if __name__ == "__main__":
    main()
