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

wrk repeats one request, so after its first time her2kg's cache answers it. The rows "every drug
in turn" send the label lookup about each drug of the graph in turn (a wrk Lua script cycling over
the requests, each wrk thread from its own place in the list), to every server: her2kg's cache then
answers only the drugs it has seen, and the table gives the share of requests its cache answered
(from /health). Each cell also gives the CPU time per request, read from /proc: the server process,
and its child processes (her2kg's query workers) — `utime + stime` over the run ÷ requests.

`--baseline DIR` also runs the her2kg of another checkout (DIR is its `pipeline` folder) beside
this one, as her2kg-before and her2kg-nocache-before: before and after a change, in one run.

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
OURS = ("her2kg", "her2kg-nocache", "her2kg-before", "her2kg-nocache-before")
ACCEPT = "application/sparql-results+json"
WRK_SCRIPT = f'wrk.headers["Accept"] = "{ACCEPT}"\n'
# Sends the requests in `paths` in turn; each wrk thread starts at its own place in the list.
CYCLE_SCRIPT = """wrk.headers["Accept"] = "%s"
local paths = {%s}
local threads = 0
function setup(thread)
  thread:set("start", threads * 7)
  threads = threads + 1
end
local i = nil
function request()
  i = ((i or start or 0) %% #paths) + 1
  return wrk.format(nil, paths[i])
end
"""
CYCLE = "every drug in turn"
START_TIMEOUT = 120.0  # seconds for a server to answer its first query (rdflib-endpoint parses at start)
SERVERS = "her2kg,her2kg-nocache,oxigraph,rdflib-endpoint"
# The synthetic graph's records are copies of the shipped ones with their own ids (drug/tucatinib-s17
# …): there the queries about a drug ask about the first copy of it.
FIRST_COPY = """SELECT ?copy WHERE {{ ?copy a hk:Drug FILTER STRSTARTS(STR(?copy), "{iri}-s") }}
ORDER BY STRLEN(STR(?copy)) STR(?copy) LIMIT 1"""
ALL_DRUGS = "SELECT ?drug WHERE { ?drug a hk:Drug } ORDER BY ?drug"


@dataclass
class Cell:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    server_us: float = float("nan")  # CPU µs per request in the server process
    children_us: float = float("nan")  # … in its child processes (her2kg's query workers)
    cache_hits: float | None = None  # share of requests her2kg's cache answered


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def query_texts(release: Path, synthetic: bool = False) -> tuple[dict[str, str], dict[str, str], list[str], list[str]]:
    """Each benchmark query as one self-contained text: its parameters as VALUES, every project
    prefix it uses declared (other engines do not know the project's implicit prefixes); each
    REST API request as the path and query string after the server's address; and the label
    lookup about every drug of the graph, as texts and as REST API requests."""
    store = open_release(release)
    texts = {
        label: self_contained(store, name, parameters(store, shipped, synthetic)) for label, name, shipped in QUERIES
    }
    api = {
        label: f"/api/queries/{name}?{urllib.parse.urlencode(parameters(store, shipped, synthetic))}"
        for label, name, shipped in API_QUERIES
    }
    lookup = QUERIES[0][1]
    drugs = [row[0].value.removeprefix(BASE) for row in store.query(ALL_DRUGS, prefixes=QUERY_PREFIXES)]
    cycle = [self_contained(store, lookup, {"drug": drug}) for drug in drugs]
    cycle_api = [f"/api/queries/{lookup}?{urllib.parse.urlencode({'drug': drug})}" for drug in drugs]
    return texts, api, cycle, cycle_api


def self_contained(store, name: str, given: dict[str, str]) -> str:
    query = find_query(name)
    text = portable_text(query.text, bind(query, given, store))
    declared = set(re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", text))
    missing = {p: ns for p, ns in KIND_PREFIXES.items() if p not in declared}
    prologue = "".join(
        line + "\n" for line in sparql_prologue(missing).splitlines() if line.split()[1].rstrip(":") not in declared
    )
    return prologue + text


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
def server(
    name: str, release: Path, workdir: Path, workers: int, start_timeout: float, baseline: Path | None = None
) -> Iterator[tuple[str, int]]:
    """Start one server on a free loopback port; yield its /sparql URL (or why it is not up) and its
    process id; stop it."""
    port = free_port()
    nt = str(Release(release).graph_nt)
    env = None
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
        command += ["--cache-size", "0"] if "nocache" in name else []
        if name.endswith("-before"):
            if baseline is None:
                raise SystemExit(f"{name} needs --baseline DIR")
            env = {**os.environ, "PYTHONPATH": str(baseline.resolve())}
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
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    path = {"oxigraph": "/query", "rdflib-endpoint": "/"}.get(name, "/sparql")  # each one's query URL
    url = f"http://{HOST}:{port}{path}"
    try:
        problem = wait_until_up(url, process, name, start_timeout)
        if problem is not None:
            stop(process)  # a server still loading would take CPU from the others' measurements
        yield (url if problem is None else f"{name} {problem}"), process.pid
    finally:
        stop(process)


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time (user + system) of process `pid` and of all its descendants now alive, in seconds,
    from /proc (Linux); (nan, nan) elsewhere."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after "pid (comm)": state ppid … utime is field 14, stime 15 (1-based) of the whole line
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    if pid not in used:
        return float("nan"), float("nan")

    def descends(other: int) -> bool:
        while other in parents and other > 1:
            other = parents[other]
            if other == pid:
                return True
        return False

    return used[pid], sum(seconds for other, seconds in used.items() if other != pid and descends(other))


def cache_stats(url: str) -> tuple[int, int] | None:
    """(hits, misses) of a her2kg server's answer cache, from /health; None without one."""
    try:
        cache = get_json(url.removesuffix("/sparql") + "/health").get("cache")
    except OSError:
        return None
    return None if not cache else (cache["hits"], cache["misses"])


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


def measure(target: str, script: Path, clients: int, seconds: float, pid: int, url: str) -> Cell:
    """wrk with `clients` keep-alive connections for `seconds` against GET target (or the requests
    the script makes), with the CPU time the server at `pid` used and its cache's hits."""
    threads = min(clients, os.cpu_count() or 1)
    cache_before, cpu_before = cache_stats(url), cpu_seconds(pid)
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
    cpu_after, cache_after = cpu_seconds(pid), cache_stats(url)
    requests = max(int(count[1]), 1)
    hits = None
    if cache_before is not None and cache_after is not None:
        # /health's own request is no cache request; wrk's requests are all lookups of the cache
        asked = (cache_after[0] - cache_before[0]) + (cache_after[1] - cache_before[1])
        hits = (cache_after[0] - cache_before[0]) / asked if asked else None
    return Cell(
        float(rate[1]),
        latency.get(50, float("nan")),
        latency.get(99, float("nan")),
        errors,
        int(count[1]),
        (cpu_after[0] - cpu_before[0]) * 1e6 / requests,
        (cpu_after[1] - cpu_before[1]) * 1e6 / requests,
        hits,
    )


def rows(target: str) -> int | None:
    """The number of rows a server answers to GET target, or None if it does not answer in time."""
    try:
        return len(get_json(target, timeout=60).get("results", {}).get("bindings", []))
    except OSError:
        return None


def targets(
    urls: dict[str, str],
    texts: dict[str, str],
    api: dict[str, str],
    cycle: list[str],
    cycle_api: list[str],
    workdir: Path,
    script: Path,
) -> dict[tuple[str, str], tuple[str, Path]]:
    """(server, label) → the URL wrk asks and its script: a query at the server's SPARQL URL, an API
    request at her2kg's; for the rows "every drug in turn", a script that sends each in turn."""
    found = {
        (name, label): (f"{url}?{urllib.parse.urlencode({'query': text})}", script)
        for name, url in urls.items()
        for label, text in texts.items()
    }
    found |= {
        (name, label): (url.removesuffix("/sparql") + path, script)
        for name, url in urls.items()
        if name in OURS
        for label, path in api.items()
    }
    for name, url in urls.items():
        path = urllib.parse.urlsplit(url).path
        requests = [f"{path}?{urllib.parse.urlencode({'query': text})}" for text in cycle]
        found[name, f"label lookup, {CYCLE}"] = (url, cycle_script(workdir / f"cycle-{name}.lua", requests))
        if name in OURS:
            found[name, f"label lookup, REST API, {CYCLE}"] = (
                url,
                cycle_script(workdir / f"cycle-api-{name}.lua", cycle_api),
            )
    return found


def cycle_script(path: Path, requests: list[str]) -> Path:
    path.write_text(CYCLE_SCRIPT % (ACCEPT, ", ".join(json.dumps(request) for request in requests)))
    return path


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
    parser.add_argument("--baseline", type=Path, help="the pipeline folder of another checkout: her2kg-before")
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
        texts, api, cycle, cycle_api = query_texts(release, synthetic=bool(args.claims))
        script = workdir / "accept.lua"
        script.write_text(WRK_SCRIPT)
        load_before = os.getloadavg()
        started = {
            name: stack.enter_context(server(name, release, workdir, args.workers, args.start_timeout, args.baseline))
            for name in servers
        }
        urls = {name: url for name, (url, _pid) in started.items()}
        up = [name for name in servers if urls[name].startswith("http")]
        asked = targets({name: urls[name] for name in up}, texts, api, cycle, cycle_api, workdir, script)
        labels = [*texts, *api, f"label lookup, {CYCLE}", f"label lookup, REST API, {CYCLE}"]
        # the rows of the one request (of a cycle: the first drug's), to check the servers agree
        probes = {
            f"label lookup, {CYCLE}": lambda name: f"{urls[name]}?{urllib.parse.urlencode({'query': cycle[0]})}",
            f"label lookup, REST API, {CYCLE}": lambda name: urls[name].removesuffix("/sparql") + cycle_api[0],
        }
        counts = {
            (name, label): rows(probes[label](name) if label in probes else target)
            for (name, label), (target, _script) in asked.items()
        }
        for label in labels:
            found = {name: counts[name, label] for name in up if (name, label) in counts}
            if len({n for n in found.values() if n is not None}) > 1:
                print(f"warning: {label}: the servers disagree on the number of rows: {found}", file=sys.stderr)
        results = {
            (name, label, n): measure(*asked[name, label], n, args.seconds, started[name][1], urls[name])
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
    ours = [name for name in OURS if name in servers]
    others = [name for name in ("oxigraph", "rdflib-endpoint") if name in servers]
    ratios = [(a, b) for a in ours for b in others]
    api_only = {a[0] for a in API_QUERIES} | {f"label lookup, REST API, {CYCLE}"}
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
    cpu = [
        "",
        "CPU time per request, µs: the server process + its child processes (her2kg's query workers); "
        "and the share of requests her2kg's cache answered",
        "",
        "| query | clients | " + " | ".join(servers) + " |",
        "|---|---|" + "---|" * len(servers),
    ]
    for label in labels:
        for n in clients:
            shown, used = [], []
            for name in servers:
                cell = results.get((name, label, n))
                if cell is None:
                    shown.append("–" if label in api_only else "not up")
                    used.append("–")
                    continue
                text = (
                    f"{cell.requests_per_second:,.0f} · {cell.p50_ms:.2f} / {cell.p99_ms:.2f}"
                    if cell.requests
                    else "no answer within the time"
                )
                shown.append(text + (f" ({cell.errors} errors)" if cell.errors else ""))
                used.append(
                    f"{cell.server_us:,.0f} + {cell.children_us:,.0f}"
                    + (f" · {cell.cache_hits:.0%} hits" if cell.cache_hits is not None else "")
                )
            ratio = []
            for a, b in ratios:
                x, y = results.get((a, label, n)), results.get((b, label, n))
                ratio.append(_ratio(x.requests_per_second / y.requests_per_second if x and y and y.requests else None))
            rows_shown = "?" if counts.get(label) is None else counts[label]
            lines.append(f"| {label} ({rows_shown}) | {n} | " + " | ".join(shown + ratio) + " |")
            cpu.append(f"| {label} | {n} | " + " | ".join(used) + " |")
    lines += cpu
    lines += [f"\n{name}: {why}" for name, why in down.items()]
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


if __name__ == "__main__":
    main()
