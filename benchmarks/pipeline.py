"""The build, stage by stage, at 1k, 10k and 100k generated claims: her2kg's data path beside the
straightforward rdflib + pySHACL one, in the same run.

    python benchmarks/pipeline.py [--claims 1000,10000,100000] [--baseline-up-to 10000] [--work DIR]

For each size, `benchmarks/generate.py` writes a facts folder (kept in --work and reused), then each
path runs in a process of its own, so that peak memory is that path's alone. Both paths load the
facts, check the quotes and build the data graph with the same code; then

- her2kg: the fast validator (the shapes as SPARQL on pyoxigraph), the release as one sorted list of
  pyoxigraph triples, the entailments closed in a pyoxigraph store, every file of the release (as
  `her2kg build --reason` writes them) timed one by one, the N-Triples bulk-loaded into a pyoxigraph store;
- baseline: pySHACL, the release merged into an rdflib Graph and written by rdflib's serialisers,
  the N-Triples parsed by rdflib.

Peak memory is the process's maximum RSS at the end of each stage (it only grows). The canned
queries are timed on pyoxigraph (median of 3, in process) on the largest graph, each after a first
run in a worker that is stopped after QUERY_TIMEOUT seconds (benchmarks/run.py compares the
query engines). `--baseline-up-to N` skips the baseline above N claims (pySHACL takes
minutes at 100k). Prints Markdown for docs/benchmarks.md, and the raw figures as JSON with --json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class Meter:
    """Wall time, CPU time (this process) and peak RSS per stage. On a shared machine the CPU time is
    the better estimate of what the wall time would be on an idle one (the code is single-threaded)."""

    def __init__(self) -> None:
        self.stages: dict[str, dict[str, float]] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start, cpu = time.perf_counter(), time.process_time()
        yield
        self.stages[name] = {
            "seconds": round(time.perf_counter() - start, 3),
            "cpu": round(time.process_time() - cpu, 3),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }


def run_path(path: str, project: Path, out: Path, queries: bool) -> dict[str, Any]:
    """Every stage of one path over the project folder (facts/, sources/); the figures as a dict."""
    import pyoxigraph
    from rdflib import Graph

    from her2kg.abox import build_graph
    from her2kg.build import Checked, Stages
    from her2kg.facts import load_facts
    from her2kg.formats import formats
    from her2kg.ontology import Ontology
    from her2kg.release import release_content
    from her2kg.sources import check_quotes, load_library
    from her2kg.validate import load_shapes, validate_graph

    meter = Meter()
    out.mkdir(parents=True, exist_ok=True)
    with meter.stage("load ontology and shapes"):
        ontology = Ontology()
        shapes = load_shapes()
    with meter.stage("load facts"):
        facts = load_facts(project / "facts", ontology, display_root=project)
    with meter.stage("check quotes"):
        quotes = check_quotes(facts, load_library(project / "sources"))
    with meter.stage("build"):
        data, locations = build_graph(facts, ontology)
    with meter.stage("validate"):
        report = validate_graph(
            data, ontology.graph, shapes, locations, validator="fast" if path == "her2kg" else "pyshacl"
        )
    figures: dict[str, Any] = {
        "claims": sum(r.kind.name == "claim" for r in facts.records),
        "data_triples": len(data),
        "findings": report.counts(),
        "findings_list": sorted(f.as_dict()["focus"] + " " + f.component for f in report.findings),
    }
    if path == "her2kg":
        checked = Checked(facts, ontology, data, report, Stages(), locations, {}, quotes)
        with meter.stage("release triples (convert, sort)"):
            content = release_content(checked, with_inferences=True)
        with meter.stage("infer (closure in a store)"):
            content.inferred  # noqa: B018 (computed once, for her2kg.nq and the inferred files)
        with meter.stage("release store (for the tables, KGX, nanopubs, JSON-LD)"):
            content.store  # noqa: B018
        # Every file of the release, each timed alone: those that VoID and SHA256SUMS read come first.
        for fmt in sorted(formats(with_inferences=True), key=lambda f: f.describes):
            with meter.stage(f"serialise {fmt.file_name}"):
                target = out / fmt.file_name
                target.parent.mkdir(exist_ok=True)
                target.write_bytes(content.output(fmt))
                content.done(fmt)
        figures["release_triples"] = len(content.triples)
        with meter.stage("load store (N-Triples)"):
            store = pyoxigraph.Store()
            store.bulk_load(path=str(out / "her2kg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    else:
        from her2kg.export import bound

        with meter.stage("release graph (merge)"):
            release = bound(ontology.graph + data)
        for name, rdflib_format in (("her2kg.ttl", "turtle"), ("her2kg.nt", "nt"), ("her2kg.owl", "xml")):
            with meter.stage(f"serialise {name}"):
                written = release.serialize(format=rdflib_format, encoding="utf-8")
                if rdflib_format == "nt":  # the release's N-Triples are sorted
                    written = b"\n".join(sorted(line for line in written.splitlines() if line)) + b"\n"
                (out / name).write_bytes(written)
        figures["release_triples"] = len(release)
        del release
        with meter.stage("load store (N-Triples)"):
            Graph().parse(out / "her2kg.nt", format="nt")
    figures["stages"] = meter.stages
    if queries and path == "her2kg":
        figures["queries"] = _time_queries(_oxigraph_runner(store), store)
    return figures


QUERY_TIMEOUT = 20.0  # seconds; pyoxigraph cannot stop a query, so each runs in a worker (sparql.execute)


def _oxigraph_runner(store: Any) -> Callable[[Any, dict], int]:
    """Each query first in a worker that is stopped after QUERY_TIMEOUT (a runaway query cannot
    hold the benchmark), then timed in process, as the engine answers it."""
    from her2kg.catalog import bind
    from her2kg.catalog import run as run_canned
    from her2kg.sparql import with_values

    finished: set[str] = set()

    def run(query: Any, given: dict) -> int:
        if query.name not in finished:
            list(run_canned(query, given, store, timeout=QUERY_TIMEOUT, max_rows=0))
            finished.add(query.name)
        text, substitutions = with_values(query.text, bind(query, given, store))  # as sparql.execute runs it
        return len(list(store.query(text, substitutions=substitutions)))

    return run


def _present(store: Any, parameter: Any, value: str) -> str:
    """`value` if it names something in the graph, else the first IRI (in order) of the same kind:
    generated graphs have their own slugs, not the shipped ones the defaults name."""
    from her2kg.namespaces import BASE

    namespace = parameter.namespace
    if namespace is None:
        return value
    if parameter.type == "entity":
        namespace = BASE + value.partition("/")[0] + "/"
    if any(store.quads_for_pattern(_node(namespace + value.rpartition("/")[2]), None, None)):
        return value
    first = next(
        iter(
            store.query(f"SELECT ?x WHERE {{ ?x ?p ?o FILTER STRSTARTS(STR(?x), '{namespace}') }} ORDER BY ?x LIMIT 1")
        ),
        None,
    )
    if first is None:
        return value
    found = first["x"].value
    return found[len(BASE) :] if parameter.type == "entity" else found[len(namespace) :]


def _node(iri: str) -> Any:
    import pyoxigraph

    return pyoxigraph.NamedNode(iri)


def _time_queries(run: Callable[[Any, dict], int], store: Any) -> dict[str, dict[str, float]]:
    from her2kg.catalog import load_queries
    from her2kg.errors import Her2kgError

    timings = {}
    for name, query in sorted(load_queries().items()):
        given = {p.name: _present(store, p, p.default or p.example) for p in query.parameters if p.default or p.example}
        times, rows = [], 0
        try:
            run(query, given)  # once untimed: the timeout guard, and warm caches
            for _ in range(3):
                start = time.perf_counter()
                rows = run(query, given)
                times.append(time.perf_counter() - start)
                if times[-1] > 1:  # a slow query is timed once
                    break
        except Her2kgError as err:  # a query whose parameters cannot be bound here is reported, not fatal
            timings[name] = {"error": str(err)[:80]}  # type: ignore[dict-item]
            continue
        timings[name] = {"ms": round(statistics.median(times) * 1000, 1), "rows": rows}
    return timings


# --- the driver -------------------------------------------------------------------------------------


def generated(claims: int, work: Path, seed: int) -> Path:
    project = work / f"claims-{claims}-seed-{seed}"
    if not (project / "facts").is_dir():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                "--claims",
                str(claims),
                "--out",
                str(project),
                "--seed",
                str(seed),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return project


def measured(path: str, project: Path, queries: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        args = [sys.executable, __file__, "--run", path, "--project", str(project), "--out", out]
        started = time.perf_counter()
        done = subprocess.run(args + (["--queries"] if queries else []), check=True, capture_output=True, text=True)
        figures = json.loads(done.stdout)
        figures["process_seconds"] = round(time.perf_counter() - started, 2)
        return figures


def machine() -> str:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    import pyoxigraph
    import pyshacl
    import rdflib

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; "
        f"Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}, "
        f"pySHACL {pyshacl.__version__}"
    )


def markdown(results: dict[int, dict[str, Any]]) -> str:
    lines = [f"Machine: {machine()}.", ""]
    sizes = sorted(results)
    header = "| stage | " + " | ".join(f"{n:,} claims: her2kg / baseline, CPU s (wall s)" for n in sizes) + " |"
    lines += [header, "|---" * (len(sizes) + 1) + "|"]
    stage_names = list(
        dict.fromkeys(
            name for n in sizes for p in ("her2kg", "baseline") if p in results[n] for name in results[n][p]["stages"]
        )
    )
    for name in stage_names:
        cells = []
        for n in sizes:
            fast = results[n]["her2kg"]["stages"].get(name)
            slow = results[n].get("baseline", {}).get("stages", {}).get(name)
            cells.append(f"{_cell(fast)} / {_cell(slow)}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = []
    for n in sizes:
        fast = _sum(results[n]["her2kg"])
        base = results[n].get("baseline")
        if base is None:
            totals.append(f"**{_cell(fast)}** / skipped")
        else:
            slow = _sum(base)
            totals.append(
                f"**{_cell(fast)}** / **{_cell(slow)}** ({slow['cpu'] / fast['cpu']:.1f}× CPU, "
                f"{slow['seconds'] / fast['seconds']:.1f}× wall)"
            )
    lines.append("| **all stages** | " + " | ".join(totals) + " |")
    shared = []
    for n in sizes:
        base = results[n].get("baseline")
        if base is None:
            shared.append("—")
            continue
        common = set(results[n]["her2kg"]["stages"]) & set(base["stages"])
        fast, slow = _sum(results[n]["her2kg"], common), _sum(base, common)
        shared.append(f"{_cell(fast)} / {_cell(slow)} ({slow['cpu'] / fast['cpu']:.1f}× CPU)")
    lines.append("| stages both paths run | " + " | ".join(shared) + " |")
    peaks = [
        f"{results[n]['her2kg']['stages'][list(results[n]['her2kg']['stages'])[-1]]['peak_mb']:,} MiB / "
        + (
            f"{max(s['peak_mb'] for s in results[n]['baseline']['stages'].values()):,} MiB"
            if "baseline" in results[n]
            else "—"
        )
        for n in sizes
    ]
    lines.append("| peak memory (max RSS) | " + " | ".join(peaks) + " |")
    lines.append(
        "| data / release triples | "
        + " | ".join(
            f"{results[n]['her2kg']['data_triples']:,} / {results[n]['her2kg']['release_triples']:,}" for n in sizes
        )
        + " |"
    )
    same = [
        "same"
        if "baseline" not in results[n]
        else (
            "identical"
            if results[n]["baseline"]["findings_list"] == results[n]["her2kg"]["findings_list"]
            else "DIFFERENT"
        )
        for n in sizes
    ]
    lines.append(
        "| validation findings (fast vs pySHACL) | "
        + " | ".join(
            f"{results[n]['her2kg']['findings']} {s if s != 'same' else '(not compared)'}"
            for n, s in zip(sizes, same, strict=False)
        )
        + " |"
    )
    lines += [
        "",
        "Growth of the her2kg path (all stages): "
        + ", ".join(
            f"{a:,} → {b:,} claims: {_sum(results[b]['her2kg'])['cpu'] / _sum(results[a]['her2kg'])['cpu']:.1f}× CPU time"
            for a, b in pairwise(sizes)
        )
        + ".",
    ]
    largest = sizes[-1]
    query_times = results[largest]["her2kg"].get("queries", {})
    if query_times:
        lines += [
            "",
            f"Canned queries on the {largest:,}-claim graph (pyoxigraph, median of 3, in process):",
            "",
            "| query | rows | ms |",
            "|---|---|---|",
        ]
        for name, timing in query_times.items():
            lines.append(f"| {name} | {timing.get('rows', '—')} | {timing.get('ms', timing.get('error'))} |")
    return "\n".join(lines)


def _sum(path: dict[str, Any], only: set[str] | None = None) -> dict[str, float]:
    stages = [s for name, s in path["stages"].items() if only is None or name in only]
    return {"cpu": sum(s["cpu"] for s in stages), "seconds": sum(s["seconds"] for s in stages)}


def _cell(stage: dict[str, float] | None) -> str:
    return "—" if stage is None else f"{stage['cpu']:.2f} ({stage['seconds']:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", default="1000,10000,100000", help="sizes, comma-separated [%(default)s]")
    parser.add_argument(
        "--baseline-up-to",
        type=int,
        default=10_000,
        help="run the rdflib + pySHACL baseline only up to this many claims [%(default)s]",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "her2kg-bench",
        help="where generated facts are kept between runs [%(default)s]",
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--run", choices=("her2kg", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:  # one path, in a process of its own
        print(json.dumps(run_path(args.run, args.project, args.out, args.queries)))
        return
    sizes = sorted(int(n) for n in args.claims.split(","))
    results: dict[int, dict[str, Any]] = {}
    for n in sizes:
        project = generated(n, args.work, args.seed)
        results[n] = {"her2kg": measured("her2kg", project, queries=n == sizes[-1])}
        if n <= args.baseline_up_to:
            results[n]["baseline"] = measured("baseline", project, queries=n == sizes[-1])
        print(f"{n:,} claims done", file=sys.stderr)
        if args.json:  # kept as the run goes, so a long run that is stopped still leaves figures
            args.json.write_text(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(markdown(results))


if __name__ == "__main__":
    main()
