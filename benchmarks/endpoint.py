"""SPARQL endpoints side by side: her2kg serve, oxigraph serve-read-only and rdflib-endpoint.

    python benchmarks/endpoint.py [--release DIR] [--clients 1,8] [--seconds 5] [--servers …]

Each server is started on 127.0.0.1 on the same release (her2kg.nt), and each of four canned
queries — a label lookup, a multi-hop join, an aggregate and a text filter — is sent to its
/sparql as the same text (parameters written in as VALUES, as `her2kg query --portable` does) by
`wrk` with 1 and 8 keep-alive connections for a fixed time. Before measuring, every server's answer
is checked to have the same number of rows. Prints a Markdown table for docs/benchmarks.md.

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
from her2kg.namespaces import sparql_prologue
from her2kg.schema import KIND_PREFIXES
from her2kg.store import RELEASE_NT, open_release

HOST = "127.0.0.1"
# (what it measures, canned query, parameters)
QUERIES = (
    ("label lookup", "drug-profile", {"drug": "tucatinib"}),
    ("multi-hop join", "mechanisms-affecting-drug", {"drug": "tucatinib"}),
    ("aggregate", "publications", {}),
    ("text filter", "find-entity", {"text": "T-DXd"}),
)
ACCEPT = "application/sparql-results+json"
WRK_SCRIPT = f'wrk.headers["Accept"] = "{ACCEPT}"\n'
START_TIMEOUT = 120.0  # seconds for a server to answer its first query (rdflib-endpoint parses at start)


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


def query_texts(release: Path) -> dict[str, str]:
    """Each benchmark query as one self-contained text: its parameters as VALUES, every project
    prefix it uses declared (other engines do not know the project's implicit prefixes)."""
    store = open_release(release)
    texts = {}
    for label, name, given in QUERIES:
        query = find_query(name)
        text = portable_text(query.text, bind(query, given, store))
        declared = set(re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", text))
        missing = {p: ns for p, ns in KIND_PREFIXES.items() if p not in declared}
        prologue = "".join(
            line + "\n" for line in sparql_prologue(missing).splitlines() if line.split()[1].rstrip(":") not in declared
        )
        texts[label] = prologue + text
    return texts


def sparql_get(url: str, text: str, timeout: float = 30.0) -> dict:
    request = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': text})}", headers={"Accept": ACCEPT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def wait_until_up(url: str, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with code {process.returncode} before answering")
        try:
            sparql_get(url, "ASK { ?s ?p ?o }", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{name} did not answer within {START_TIMEOUT:g} s")


@contextmanager
def server(name: str, release: Path, workdir: Path, workers: int) -> Iterator[str]:
    """Start one server on a free loopback port; yield its /sparql URL; stop it."""
    port = free_port()
    nt = str(release / RELEASE_NT)
    if name == "her2kg":
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
    path = {"her2kg": "/sparql", "oxigraph": "/query", "rdflib-endpoint": "/"}[name]  # each one's query URL
    url = f"http://{HOST}:{port}{path}"
    try:
        wait_until_up(url, process, name)
        yield url
    finally:
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


def measure(url: str, text: str, clients: int, seconds: float, script: Path) -> Cell:
    """wrk with `clients` keep-alive connections for `seconds` against GET url?query=text."""
    target = f"{url}?{urllib.parse.urlencode({'query': text})}"
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


def rows(answer: dict) -> int:
    return len(answer.get("results", {}).get("bindings", []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", type=Path, help="a built release (default: build the shipped facts)")
    parser.add_argument("--clients", default="1,8", help="concurrent keep-alive clients, comma-separated")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement")
    parser.add_argument("--servers", default="her2kg,oxigraph,rdflib-endpoint")
    parser.add_argument("--workers", type=int, default=0, help="her2kg serve --workers (default: its own)")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    servers = args.servers.split(",")
    with tempfile.TemporaryDirectory(prefix="her2kg-endpoint-bench-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        release = args.release
        if release is None:
            release = workdir / "dist"
            build_release(out_dir=release)
        texts = query_texts(release)
        script = workdir / "accept.lua"
        script.write_text(WRK_SCRIPT)
        urls = {name: stack.enter_context(server(name, release, workdir, args.workers)) for name in servers}
        counts = {(name, label): rows(sparql_get(url, texts[label])) for name, url in urls.items() for label in texts}
        for label in texts:
            found = {name: counts[name, label] for name in servers}
            if len(set(found.values())) > 1:
                print(f"warning: {label}: the servers disagree on the number of rows: {found}", file=sys.stderr)
        results = {
            (name, label, n): measure(urls[name], texts[label], n, args.seconds, script)
            for label in texts
            for n in clients
            for name in servers
        }
    print(report(results, servers, list(texts), clients, {label: counts[servers[0], label] for label in texts}))


def report(results: dict, servers: list[str], labels: list[str], clients: list[int], counts: dict) -> str:
    lines = [
        (
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}, "
            f"Python {platform.python_version()}; each cell {'/'.join(map(str, clients))} client(s)."
        ),
        "",
        "| query (rows) | clients | "
        + " | ".join(f"{s} req/s · p50 / p99 ms" for s in servers)
        + " | her2kg ÷ oxigraph | her2kg ÷ rdflib-endpoint |",
        "|---|---|" + "---|" * len(servers) + "---|---|",
    ]
    for label in labels:
        for n in clients:
            cells = [results[name, label, n] for name in servers]
            shown = [
                (
                    f"{c.requests_per_second:,.0f} · {c.p50_ms:.2f} / {c.p99_ms:.2f}"
                    if c.requests
                    else "no answer within the time"
                )
                + (f" ({c.errors} errors)" if c.errors else "")
                for c in cells
            ]
            ratio = {
                name: results["her2kg", label, n].requests_per_second / results[name, label, n].requests_per_second
                for name in servers
                if "her2kg" in servers and results[name, label, n].requests
            }
            lines.append(
                f"| {label} ({counts[label]}) | {n} | "
                + " | ".join(shown)
                + f" | {_ratio(ratio.get('oxigraph'))} | {_ratio(ratio.get('rdflib-endpoint'))} |"
            )
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


if __name__ == "__main__":
    main()
