"""Time the two SHACL engines on the same graph and check that they agree.

    python benchmarks/validation.py                      # the shipped facts
    python benchmarks/validation.py --claims 10000       # generated facts (benchmarks/generate.py, seed 1)
    python benchmarks/validation.py --claims 100000 --engines fast

Prints one Markdown table row per engine: triples, wall and CPU time of `validate_graph` (on a
shared machine CPU time is the steadier figure), results by
severity, and whether the findings equal pySHACL's when both ran. `fast` is given the rdflib graph
(its time includes copying it into a pyoxigraph store); `fast-store` is given the data already in a
store, as a build on pyoxigraph does.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from generate import generate
from her2kg.abox import build_graph
from her2kg.facts import load_facts
from her2kg.ontology import Ontology
from her2kg.resources import project_path
from her2kg.validate import ValidationReport, load_shapes, validate_graph
from her2kg.validate.sparql_engine import store_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, help="generate this many claims (default: the shipped facts)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--engines", default="pyshacl,fast,fast-store", help="comma-separated: pyshacl, fast, fast-store"
    )
    args = parser.parse_args()
    ontology, shapes = Ontology(), load_shapes()
    with tempfile.TemporaryDirectory() as tmp:
        if args.claims:
            generate(args.claims, Path(tmp), seed=args.seed)
            facts_dir, name = Path(tmp) / "facts", f"{args.claims:,} claims"
        else:
            facts_dir, name = project_path("facts"), "shipped facts"
        data, locations = build_graph(load_facts(facts_dir, ontology), ontology)
    reports: dict[str, ValidationReport] = {}
    times: dict[str, tuple[float, float]] = {}
    for engine in args.engines.split(","):
        given = store_of(data) if engine == "fast-store" else data
        start, cpu = time.perf_counter(), time.process_time()
        reports[engine] = validate_graph(given, ontology.graph, shapes, locations, validator=engine.split("-")[0])
        times[engine] = time.perf_counter() - start, time.process_time() - cpu
        print(f"{engine}: {times[engine][0]:.2f} s", file=sys.stderr, flush=True)
    for engine, report in reports.items():
        counts = report.counts()
        same = (
            ""
            if "pyshacl" not in reports or engine == "pyshacl"
            else ("same as pySHACL" if _same(report, reports["pyshacl"], exact=engine == "fast") else "DIFFERENT")
        )
        print(
            f"| {name} | {len(data):,} | {engine} | {times[engine][0]:.2f} s | {times[engine][1]:.2f} s | "
            f"{counts['violation']} / {counts['warning']} / {counts['info']} | {same} |",
            flush=True,
        )


def _same(a: ValidationReport, b: ValidationReport, exact: bool) -> bool:
    """Equal findings; from a store, values are not compared (it writes "5.0"^^xsd:decimal as 5)."""
    if exact:
        return a.findings == b.findings

    def key(report: ValidationReport) -> list[tuple]:
        return sorted((f.location, f.focus, f.path, f.component, f.severity, f.shape) for f in report.findings)

    return key(a) == key(b)


if __name__ == "__main__":
    main()
