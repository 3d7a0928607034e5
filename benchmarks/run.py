"""Benchmarks of the build and the store, side by side in one run (ratios, not absolute times).

    python benchmarks/run.py [--copies 1,10,50] [--repeat 3] [--facts DIR]

The shipped facts are built once; larger graphs are made by copying the data with every
her2kg IRI suffixed per copy (the ontology is kept once), which keeps the shape of the real graph.
Prints a Markdown table for docs/benchmarks.md. Peak memory is the process's maximum RSS.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph
from rdflib import Graph, URIRef

from her2kg.build import check_facts as check
from her2kg.namespaces import BASE, VOCAB
from her2kg.release import write_release
from her2kg.validate import load_shapes, validate_graph

QUERIES = {
    "2-hop join (drug → class → broader)": """
        PREFIX hk: <https://w3id.org/her2kg/ontology#>
        SELECT ?drug ?broader WHERE { ?drug hk:inClass ?class . ?class hk:broaderClass ?broader }""",
    "group-by (claims per source and kind)": """
        PREFIX hk: <https://w3id.org/her2kg/ontology#>
        SELECT ?source ?kind (COUNT(*) AS ?n) WHERE { ?c hk:statedIn ?source ; a ?kind } GROUP BY ?source ?kind""",
    "OPTIONAL + regex (quotes mentioning PFS)": """
        PREFIX hk: <https://w3id.org/her2kg/ontology#>
        SELECT ?c ?quote ?section WHERE { ?c hk:quote ?quote OPTIONAL { ?c hk:section ?section }
                                          FILTER REGEX(?quote, "PFS|progression-free", "i") }""",
}


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def copied(data: Graph, copies: int) -> Graph:
    """`copies` disjoint copies of the data: every her2kg data IRI gets a `-cN` suffix per copy."""
    if copies == 1:
        return data
    out = Graph()

    def rename(term, n):
        if (
            isinstance(term, URIRef)
            and str(term).startswith(BASE)
            and not str(term).startswith(str(VOCAB))
            and "/ontology" not in str(term)
        ):
            return URIRef(f"{term}-c{n}")
        return term

    for n in range(copies):
        for s, p, o in data:
            out.add((rename(s, n), p, rename(o, n)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", default="1,10,50")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--facts", type=Path, default=None, help="facts folder [default: the shipped facts]")
    args = parser.parse_args()

    start = time.perf_counter()
    checked = check(args.facts)
    total = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        write_release(checked, Path(tmp) / "dist")
    print("## Build of the shipped facts, by stage\n")
    print("| stage | seconds | share |\n|---|---|---|")
    timings = checked.stages.timings
    for stage, seconds in timings.items():
        print(f"| {stage} | {seconds:.3f} | {seconds / sum(timings.values()):.0%} |")
    print(f"| **all** (check {total:.2f} s + export) | {sum(timings.values()):.3f} | 100% |\n")

    shapes = load_shapes()
    print("## Scaling: the same graph copied N times\n")
    header = ["copies", "data triples", "pyshacl s", "rdflib parse nt s", "pyoxigraph load nt s", "parse ratio"]
    header += [f"{name}: rdflib / pyoxigraph ms" for name in QUERIES]
    print("| " + " | ".join(header) + " |\n" + "|---" * len(header) + "|")
    for copies in (int(c) for c in args.copies.split(",")):
        data = copied(checked.data, copies)
        release = checked.ontology.graph + data
        nt = release.serialize(format="nt", encoding="utf-8")
        shacl_s, _ = timed(lambda: validate_graph(data, checked.ontology.graph, shapes), 1)
        rdflib_parse, graph = timed(lambda: Graph().parse(data=nt, format="nt"), args.repeat)
        oxi_load, store = timed(lambda: _oxigraph(nt), args.repeat)
        cells = [
            str(copies),
            str(len(data)),
            f"{shacl_s:.2f}",
            f"{rdflib_parse:.2f}",
            f"{oxi_load:.3f}",
            f"{rdflib_parse / oxi_load:.0f}×",
        ]
        for query in QUERIES.values():
            slow, _ = timed(lambda: list(graph.query(query)), args.repeat)
            fast, _ = timed(lambda: list(store.query(query)), args.repeat)
            cells.append(f"{slow * 1000:.0f} / {fast * 1000:.1f} ({slow / fast:.0f}×)")
        print("| " + " | ".join(cells) + " |")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak memory of the run (max RSS): {peak_mb:.0f} MiB.")


def _oxigraph(nt: bytes) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.bulk_load(nt, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


if __name__ == "__main__":
    main()
