"""Time the two SHACL engines on the same graph and check that they agree.

    python benchmarks/validation.py                      # the shipped facts
    python benchmarks/validation.py --claims 10000       # generated facts (benchmarks/generate.py, seed 1)
    python benchmarks/validation.py --claims 100000 --engines fast

Prints one Markdown table row per engine: triples, wall time of `validate_graph` (the fast engine's
time includes loading the rdflib graph into its store), results by severity, and whether the
findings equal pySHACL's when both ran.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from generate import generate

from her2kg.abox import build_graph
from her2kg.facts import load_facts
from her2kg.ontology import Ontology
from her2kg.resources import project_path
from her2kg.validate import ValidationReport, load_shapes, validate_graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, help="generate this many claims (default: the shipped facts)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default="pyshacl,fast", help="comma-separated: pyshacl, fast")
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
    for engine in args.engines.split(","):
        start = time.perf_counter()
        reports[engine] = validate_graph(data, ontology.graph, shapes, locations, validator=engine)
        seconds = time.perf_counter() - start
        counts = reports[engine].counts()
        same = "" if "pyshacl" not in reports or engine == "pyshacl" else \
            ("same as pySHACL" if reports[engine].findings == reports["pyshacl"].findings else "DIFFERENT")
        print(f"| {name} | {len(data):,} | {engine} | {seconds:.2f} s | {counts['violation']} / {counts['warning']}"
              f" / {counts['info']} | {same} |", flush=True)


if __name__ == "__main__":
    main()
