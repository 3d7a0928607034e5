"""The build, stage by stage, at 1k, 10k and 100k generated claims: her2kg's data path beside the
straightforward rdflib + pySHACL one, in the same run.

    python benchmarks/pipeline.py [--claims 1000,10000,100000] [--baseline-up-to N] [--paths her2kg,baseline]
                                  [--work DIR] [--json FILE]

For each size, `benchmarks/generate.py` writes a facts folder (kept in --work and reused), then each
path runs in a process of its own, so that peak memory is that path's alone. Both paths run the same
record checks (her2kg.facts) and quote checks (her2kg.sources) and build the same triples
(her2kg.abox); then

- her2kg: the facts read by libyaml's C composer, the data graph built into her2kg's TripleSet store,
  the fast validator (the shapes as SPARQL on pyoxigraph), the release as one sorted list of
  pyoxigraph triples, the entailments closed in a pyoxigraph store, every file of the release (as
  `her2kg build --reason` writes them) timed one by one, the N-Triples bulk-loaded into a pyoxigraph store;
- baseline, the pipeline as it was written before it was optimised: the same facts loader reading the
  YAML with PyYAML's pure-Python composer (yaml.SafeLoader, not CSafeLoader), the data graph built
  into rdflib's default Graph() (the Memory store), pySHACL with the same shapes and options as
  her2kg's reference engine (her2kg.validate's pyshacl engine), the release merged into an rdflib
  Graph, then the same release as rdflib makes it (benchmarks/baseline.py): the entailments by her2kg's
  rules over rdflib's graph in Python sets, every file rdflib has a serialiser for written by it (Turtle,
  N-Triples, RDF/XML, N-Quads, JSON-LD), the tables, KGX and nanopublications by her2kg's own writers (rdflib
  has none), the N-Triples parsed by rdflib. The release graph, the entailments and the files are made with
  the heap frozen on both paths (formats.frozen_heap, as write_release makes them). The two swaps are made
  in one place, `straightforward()`, which stops the run if the seam it uses is gone or was not taken,
  rather than measure the fast path under the baseline's name.

Beside the her2kg path, `her2kg build` runs as a user runs it, in the generated folder, measured in every
process it starts (a large build writes part of its release in a second process): wall time, CPU time, the
largest process's maximum RSS, and the processes' summed proportional set size sampled every 0.25 s; its ratio
to the baseline's whole build is the figure the two paths are compared by, wall time against wall time.

Wherever both paths run, their validation findings are compared result by result (location,
severity, message, focus node, path, value, shape, constraint component), and their entailments triple by
triple, and the table says whether they are identical (tests/test_pipeline_baseline.py checks that the two
paths write the same files). Peak memory is the process's maximum RSS at the end of each stage (it only
grows). The canned queries are timed on pyoxigraph (median of 3, in process) on the largest graph,
each after a first run in a worker that is stopped after QUERY_TIMEOUT seconds (benchmarks/run.py
compares the query engines). `--baseline-up-to N` skips the baseline above N claims (by default it
runs at every size; at 100k it takes most of the run's time and memory); `--paths baseline` runs the
baseline alone. Prints Markdown for docs/benchmarks.md, and the raw figures as JSON with --json.
"""

from __future__ import annotations

import argparse
import contextlib
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
from contextlib import contextmanager, nullcontext
from itertools import pairwise
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class Meter:
    """Wall time, CPU time (this process) and peak RSS per stage. On a shared machine the CPU time is
    the better estimate of what the wall time would be on an idle one (the code is single-threaded)."""

    def __init__(self, label: str) -> None:
        self.label = label
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
        # each stage as it ends, on stderr: a long run shows where it is, and one stopped early leaves figures
        figures = self.stages[name]
        print(
            f"[{self.label}] {name}: {figures['cpu']:.2f} s CPU ({figures['seconds']:.2f} s wall), "
            f"peak {figures['peak_mb']:,} MiB",
            file=sys.stderr,
            flush=True,
        )


def straightforward() -> Callable[[Any], None]:
    """Put the facts loader and the graph builder back on what they were written on before they were
    optimised: PyYAML's pure-Python SafeLoader for the facts, read in one process, rdflib's default Memory store
    for the data graph. her2kg offers no parameter for either (they are module-level choices in her2kg.facts and
    her2kg.abox), so the baseline swaps both here, in this one place, before anything runs. The
    returned check, called once the data graph is built, stops the run if a swap was not taken, so
    that a change in the library cannot make the baseline silently measure the fast path."""
    import yaml
    from rdflib import Graph
    from rdflib.plugins.stores.memory import Memory

    from her2kg import abox, facts

    class PurePythonLoader(yaml.SafeLoader):
        """yaml.SafeLoader, counting the files it reads: the proof that the facts loader used it."""

        files = 0

        def __init__(self, stream: Any) -> None:
            PurePythonLoader.files += 1
            super().__init__(stream)

    swaps = (
        (facts, "_FactsYAMLLoader"),
        (abox, "TripleSet"),
        (facts, "gc_paused"),
        (abox, "gc_paused"),
        (facts, "LOADED_BESIDE_FROM"),
    )
    for module, name in swaps:
        if not hasattr(module, name):
            raise SystemExit(
                f"benchmarks/pipeline.py: {module.__name__}.{name} is gone, so the baseline cannot swap in the "
                "straightforward loader and store — update straightforward() to the library's new seam"
            )
    # The swaps: facts.py composes every file with _FactsYAMLLoader (libyaml's) and reads a large folder in two
    # processes, abox.py builds into Graph(store=TripleSet()), and both pause the cycle collector while they
    # work; the straightforward pipeline does none of that.
    setattr(facts, "_FactsYAMLLoader", PurePythonLoader)  # noqa: B010 (mypy rejects assigning a class attribute of a module)
    setattr(abox, "TripleSet", Memory)  # noqa: B010
    setattr(facts, "gc_paused", nullcontext)  # noqa: B010
    setattr(abox, "gc_paused", nullcontext)  # noqa: B010
    setattr(facts, "LOADED_BESIDE_FROM", float("inf"))  # noqa: B010

    def check(data: Any) -> None:
        if PurePythonLoader.files == 0 or type(data) is not Graph or type(data.store) is not Memory:
            raise SystemExit(
                "benchmarks/pipeline.py: the baseline's swaps were not taken (the facts were not read with "
                f"yaml.SafeLoader, or the data graph is a {type(data).__name__} over "
                f"{type(getattr(data, 'store', None)).__name__}, not an rdflib Graph over Memory) — "
                "update straightforward() to the library's new seam"
            )

    return check


# The one graph of the release, ontology and data: her2kg converts it once to sorted pyoxigraph triples and
# loads them into the store that the validator, the entailments and the writers share; the baseline merges
# two rdflib graphs for its serialisers.
RELEASE_GRAPH = "release graph (her2kg: convert, sort, store; baseline: merge)"
INFER = "infer (her2kg: in the release store; baseline: rules over rdflib's graph in Python sets)"
# The baseline loads its N-Triples into a pyoxigraph store once for the writers rdflib has no counterpart of
# (her2kg's own, on both paths); her2kg's writers read the store made in RELEASE_GRAPH.
STORE_FOR_WRITERS = "store and sorted triples for the tables, KGX, nanopublications (baseline, from its N-Triples)"


def run_path(path: str, project: Path, out: Path, queries: bool) -> dict[str, Any]:
    """Every stage of one path over the project folder (facts/, sources/); the figures as a dict."""
    import pyoxigraph
    from rdflib import Graph

    from her2kg.abox import build_graph
    from her2kg.facts import load_facts
    from her2kg.formats import formats, frozen_heap
    from her2kg.ontology import Ontology
    from her2kg.release import release_content
    from her2kg.sources import check_quotes, load_library
    from her2kg.validate import load_shapes, validate_graph

    meter = Meter(f"{path}, {project.name}")
    out.mkdir(parents=True, exist_ok=True)
    check_baseline = straightforward() if path == "baseline" else None
    if check_baseline is None:  # as `her2kg build` does
        from her2kg.allocator import keep_freed_memory

        keep_freed_memory()
    with meter.stage("load ontology and shapes"):
        ontology = Ontology()
        shapes = load_shapes()
    with meter.stage("load facts"):
        facts = load_facts(project / "facts", ontology, display_root=project)
    with meter.stage("check quotes"):
        check_quotes(facts, load_library(project / "sources"))
    with meter.stage("build"):
        data, locations = build_graph(facts, ontology)
    if check_baseline is not None:
        check_baseline(data)
    content = None
    if path == "her2kg":  # as `her2kg build` does: the release store first, and the validator runs on it
        with frozen_heap(), meter.stage(RELEASE_GRAPH):
            content = release_content(ontology.graph, data, with_inferences=True)
            content.store  # noqa: B018
    with meter.stage("validate"):
        report = validate_graph(
            data,
            ontology.graph,
            shapes,
            locations,
            validator="pyshacl" if content is None else "fast",
            store=None if content is None else content.store,
            written=None if content is None else content.data_objects,
        )
    figures: dict[str, Any] = {
        "claims": sum(r.kind.name == "claim" for r in facts.records),
        "data_triples": len(data),
        "findings": report.counts(),
        # every field of every finding, for the comparison result by result between the paths
        "findings_list": sorted(json.dumps(f.as_dict(), sort_keys=True) for f in report.findings),
    }
    if content is not None:
        with frozen_heap():  # as write_release writes them
            with meter.stage(INFER):
                content.inferred  # noqa: B018 (computed once, for her2kg.nq and the inferred files)
            # Every file of the release, each timed alone: those that VoID and SHA256SUMS read come first.
            for fmt in sorted(formats(with_inferences=True), key=lambda f: f.describes):
                with meter.stage(f"serialise {fmt.file_name}"):
                    target = out / fmt.file_name
                    target.parent.mkdir(exist_ok=True)
                    content.save(fmt, target)
        figures["release_triples"] = len(content.triples)
        with meter.stage("load store (N-Triples)"):
            store = pyoxigraph.Store()
            store.bulk_load(path=str(out / "her2kg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    else:
        import baseline
        from her2kg.export import bound

        # As on her2kg's path (and in write_release), the release graph, the entailments and the files are made
        # with the heap frozen: the same garbage collector policy for the same stages on both paths.
        with frozen_heap(), meter.stage(RELEASE_GRAPH):
            release = baseline.Release(ontology.graph, data, bound(ontology.graph + data), out)
        with frozen_heap():
            with meter.stage(INFER):
                release.infer()
            writers = release.writers()
            for fmt in sorted(formats(with_inferences=True), key=lambda f: f.describes):
                if fmt.file_name not in writers:
                    continue  # VoID and SHA256SUMS
                if fmt.file_name in baseline.FROM_STORE and STORE_FOR_WRITERS not in meter.stages:
                    with meter.stage(STORE_FOR_WRITERS):
                        release.store, release.index  # noqa: B018
                with meter.stage(f"serialise {fmt.file_name}"):
                    target = out / fmt.file_name
                    target.parent.mkdir(exist_ok=True)
                    target.write_bytes(writers[fmt.file_name]())
        figures["release_triples"] = len(release.release)
        del release, writers
        with meter.stage("load store (N-Triples)"):
            Graph().parse(out / "her2kg.nt", format="nt")
    figures["entailments"] = _entailments(out / "her2kg-inferred.nt")
    figures["stages"] = meter.stages
    if queries and path == "her2kg":
        figures["queries"] = _time_queries(_oxigraph_runner(store), store)
    return figures


def _entailments(written: Path) -> dict[str, Any]:
    """The number of inferred triples a path wrote, and a digest of them (read back by one parser, so that the
    two paths' serialisers cannot make equal triples look different)."""
    import hashlib

    import pyoxigraph

    lines = sorted({str(q.triple) for q in pyoxigraph.parse(path=str(written), format=pyoxigraph.RdfFormat.N_TRIPLES)})
    return {"triples": len(lines), "sha256": hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()}


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


def _time_queries(run: Callable[[Any, dict], int], store: Any) -> dict[str, dict[str, Any]]:
    from her2kg.catalog import load_queries
    from her2kg.errors import Her2kgError

    timings: dict[str, dict[str, Any]] = {}
    for name, query in sorted(load_queries().items()):
        given = {p.name: _present(store, p, value) for p in query.parameters if (value := p.default or p.example)}
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
            timings[name] = {"error": str(err)[:80]}
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
        # stderr is let through, so that a path that stops says why
        done = subprocess.run(args + (["--queries"] if queries else []), check=True, stdout=subprocess.PIPE, text=True)
        figures = json.loads(done.stdout)
        figures["process_seconds"] = round(time.perf_counter() - started, 2)
        return figures


def command_line(project: Path) -> dict[str, Any]:
    """`her2kg build` as a user runs it in the project folder, in every process it starts: wall time, CPU time
    (user + system of the build and its children) and the largest process's maximum RSS of one run; then, in a
    second run, the peak of the processes' summed proportional set size (PSS: shared pages counted once), sampled
    every 0.25 s. The timed run is not sampled: reading a process's smaps_rollup takes ~40 ms at 2.4 GB (it walks
    the page tables), a fifth of a core at that rate, taken from the build it would measure."""
    timed = _run_build(project, sample=False)
    sampled = _run_build(project, sample=True)
    return {**timed, "peak_pss_mb": sampled["peak_pss_mb"]}


def _run_build(project: Path, sample: bool) -> dict[str, Any]:
    her2kg = Path(sys.executable).with_name("her2kg")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        messages = Path(out) / "messages"  # the build's findings, shown only should it fail
        with messages.open("wb") as stderr:
            command = [str(her2kg), "build", "--out", f"{out}/dist"]
            build = subprocess.Popen(command, cwd=project, stdout=subprocess.DEVNULL, stderr=stderr)
        peak_pss = 0
        while True:  # wait4: the resources of this build and its own children alone
            pid, status, usage = os.wait4(build.pid, os.WNOHANG if sample else 0)
            if pid:
                break
            peak_pss = max(peak_pss, sum(_pss(each) for each in _process_tree(build.pid)))
            time.sleep(0.25)
        seconds = time.perf_counter() - started
        build.returncode = os.waitstatus_to_exitcode(status)
        if build.returncode != 0:
            raise SystemExit(
                f"her2kg build failed in {project} (exit status {build.returncode}):\n{messages.read_text()[-2000:]}"
            )
    return {
        "seconds": round(seconds, 2),
        "cpu": round(usage.ru_utime + usage.ru_stime, 2),
        "max_rss_mb": round(usage.ru_maxrss / 1024),
        "peak_pss_mb": round(peak_pss / 1024),
    }


def _process_tree(root: int) -> list[int]:
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            with contextlib.suppress(OSError):  # ended meanwhile
                todo += [int(child) for child in (task / "children").read_text().split()]
    return found


def _pss(pid: int) -> int:
    """The process's proportional set size in KiB (0 once it has ended)."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)


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


PATHS = ("her2kg", "baseline")


def markdown(results: dict[int, dict[str, Any]]) -> str:
    lines = [f"Machine: {machine()}.", ""]
    sizes = sorted(results)
    header = "| stage | " + " | ".join(f"{n:,} claims: her2kg / baseline, CPU s (wall s)" for n in sizes) + " |"
    lines += [header, "|---" * (len(sizes) + 1) + "|"]
    stage_names: list[str] = []  # in the order the paths run them, a stage of one path alone after its predecessor
    for n in sizes:
        for p in PATHS:
            before = -1
            for name in _stages(results[n], p):
                if name not in stage_names:
                    stage_names.insert(before + 1, name)
                before = stage_names.index(name)
    for name in stage_names:
        cells = [" / ".join(_cell(_stages(results[n], p).get(name)) for p in PATHS) for n in sizes]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    def compared(only: Callable[[dict[str, Any]], set[str] | None], bold: bool) -> list[str]:
        cells = []
        for n in sizes:
            fast, base = (results[n].get(p) for p in PATHS)
            stages = only(results[n])
            if stages is not None and (fast is None or base is None):  # nothing to compare like with like
                cells.append("—")
                continue
            sums = [None if r is None else _sum(r, stages) for r in (fast, base)]
            cell = " / ".join("skipped" if t is None else (f"**{_cell(t)}**" if bold else _cell(t)) for t in sums)
            if sums[0] is not None and sums[1] is not None:
                cell += (
                    f" (baseline {sums[1]['cpu'] / sums[0]['cpu']:.1f}× the CPU time, "
                    f"{sums[1]['seconds'] / sums[0]['seconds']:.1f}× the wall time)"
                )
            cells.append(cell)
        return cells

    def common(figures: dict[str, Any]) -> set[str] | None:
        return set(_stages(figures, "her2kg")) & set(_stages(figures, "baseline"))

    lines.append("| **whole build** (all stages) | " + " | ".join(compared(lambda _: None, bold=True)) + " |")
    lines.append("| stages both paths run | " + " | ".join(compared(common, bold=False)) + " |")
    peaks = [
        " / ".join(
            "—" if p not in results[n] else f"{max(s['peak_mb'] for s in _stages(results[n], p).values()):,} MiB"
            for p in PATHS
        )
        for n in sizes
    ]
    lines.append("| peak memory (max RSS) | " + " | ".join(peaks) + " |")
    built = []
    for n in sizes:
        command, base = results[n].get("command_line"), results[n].get("baseline")
        if command is None:
            built.append("—")
            continue
        cell = f"**{command['seconds']:.2f}** wall, {command['cpu']:.2f} CPU"
        if base is not None:
            cell += f" (the baseline's whole build {_sum(base)['seconds'] / command['seconds']:.1f}× the wall time)"
        built.append(cell + f"; {command['max_rss_mb']:,} MiB max RSS, {command['peak_pss_mb']:,} MiB PSS summed")
    if any(cell != "—" for cell in built):
        lines.append(
            "| **`her2kg build`** from the command line, every process it starts | " + " | ".join(built) + " |"
        )
    lines.append(
        "| data triples; release triples (her2kg / baseline) | "
        + " | ".join(
            f"{_any(results[n])['data_triples']:,}; "
            + " / ".join("—" if p not in results[n] else f"{results[n][p]['release_triples']:,}" for p in PATHS)
            for n in sizes
        )
        + " |"
    )
    lines.append(
        "| validation findings (fast / pySHACL) | "
        + " | ".join(
            " / ".join(str(results[n][p]["findings"]) if p in results[n] else "—" for p in PATHS)
            + f": {_verdict(results[n])}"
            for n in sizes
        )
        + " |"
    )
    lines.append(
        "| entailments (her2kg / baseline) | "
        + " | ".join(
            " / ".join(f"{results[n][p]['entailments']['triples']:,}" if p in results[n] else "—" for p in PATHS)
            + f": {_entailments_verdict(results[n])}"
            for n in sizes
        )
        + " |"
    )
    lines.append("")
    for p in PATHS:
        steps = [(a, b) for a, b in pairwise(sizes) if p in results[a] and p in results[b]]
        if steps:
            lines.append(
                f"Growth of the {p} path (whole build, CPU time): "
                + ", ".join(
                    f"{a:,} → {b:,} claims: {_sum(results[b][p])['cpu'] / _sum(results[a][p])['cpu']:.1f}×"
                    for a, b in steps
                )
                + "."
            )
    for n in sizes:
        if _verdict(results[n]).startswith("DIFFERENT"):
            fast, base = (set(results[n][p]["findings_list"]) for p in PATHS)
            lines += ["", f"Findings that differ at {n:,} claims (first 5 of each side):"]
            lines += [f"- fast only: {f}" for f in sorted(fast - base)[:5]]
            lines += [f"- pySHACL only: {f}" for f in sorted(base - fast)[:5]]
    largest = sizes[-1]
    query_times = results[largest].get("her2kg", {}).get("queries", {})
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


def _stages(figures: dict[str, Any], path: str) -> dict[str, dict[str, float]]:
    return figures.get(path, {}).get("stages", {})


def _any(figures: dict[str, Any]) -> dict[str, Any]:
    return next(figures[p] for p in PATHS if p in figures)


def _verdict(figures: dict[str, Any]) -> str:
    """Whether the two engines' findings are the same, every field of every one."""
    if not all(p in figures for p in PATHS):
        return "not compared"
    fast, base = (figures[p]["findings_list"] for p in PATHS)
    if fast == base:
        return f"identical, result by result ({len(fast)})"
    return f"DIFFERENT ({len(set(fast) - set(base))} fast only, {len(set(base) - set(fast))} pySHACL only)"


def _entailments_verdict(figures: dict[str, Any]) -> str:
    if not all(p in figures for p in PATHS):
        return "not compared"
    same = len({figures[p]["entailments"]["sha256"] for p in PATHS}) == 1
    return "identical, triple by triple" if same else "DIFFERENT"


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
        default=None,
        help="run the rdflib + pySHACL baseline only up to this many claims [every size]",
    )
    parser.add_argument("--paths", default=",".join(PATHS), help="which paths to run, comma-separated [%(default)s]")
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
    paths = [p for p in PATHS if p in args.paths.split(",")]
    if not paths:
        parser.error(f"--paths: name one or both of {', '.join(PATHS)}")
    results: dict[int, dict[str, Any]] = {}
    for n in sizes:
        project = generated(n, args.work, args.seed)
        results[n] = {}
        if "her2kg" in paths:  # first: a process started right after one that held gigabytes runs slower for a while
            results[n]["command_line"] = command_line(project)
        for p in paths:
            if p == "baseline" and args.baseline_up_to is not None and n > args.baseline_up_to:
                continue
            results[n][p] = measured(p, project, queries=p == "her2kg" and n == sizes[-1])
        print(f"{n:,} claims done", file=sys.stderr)
        if args.json:  # kept as the run goes, so a long run that is stopped still leaves figures
            args.json.write_text(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(markdown(results))


if __name__ == "__main__":
    main()
