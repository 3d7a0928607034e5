"""`her2kg diff` on the shipped release and on copies of it, beside a plain line diff of her2kg.nt.

    python benchmarks/diff.py [--copies 1,10,30] [--repeat 3]

The shipped facts are built once; a release of N copies repeats every line that names a record with
the record's IRIs suffixed per copy (`-cN`). The new release changes, in every copy, the hedge of
20 claims and removes 5 drugs (every triple about them and their evidence). Both are compared by
`diff_releases` (statements, entities, identifiers) and by the set difference of the two files'
lines (triples only: what a text diff of the sorted N-Triples shows). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from her2kg.build import build_release
from her2kg.diff import diff_releases

RECORD_IRI = re.compile(r"<(https://w3id\.org/her2kg/(?!ontology|vocab/|release/|dataset)[^>]+)>")
HEDGE = "<https://w3id.org/her2kg/ontology#hedge> <https://w3id.org/her2kg/vocab/hedge/stated> ."


def timed(function, repeat: int):
    """Median CPU seconds (the machine is shared: wall time is no measure of the code) and the result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.process_time()
        result = function()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def write(folder: Path, lines: list[str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "her2kg.nt").write_text("".join(sorted(set(lines))), encoding="utf-8")
    count = len(set(lines))
    report = {"version": "bench", "triples": count, "files": ["her2kg.nt", "build-report.json"]}
    (folder / "build-report.json").write_text(json.dumps(report), encoding="utf-8")
    return folder


def copies_of(lines: list[str], copies: int) -> list[str]:
    out = [line for line in lines if not RECORD_IRI.search(line)]
    for n in range(copies):
        out += [RECORD_IRI.sub(rf"<\1-c{n}>", line) for line in lines if RECORD_IRI.search(line)]
    return out


def changed(lines: list[str], copies: int) -> list[str]:
    """20 claims' hedge stated → possible and 5 drugs removed (with their nested nodes) per copy."""

    def records(kind: str) -> list[str]:
        found = {line.split(" ", 1)[0] for line in lines if line.startswith(f"<https://w3id.org/her2kg/{kind}/")}
        return sorted(iri for iri in found if "/" not in iri[len(f"<https://w3id.org/her2kg/{kind}/") :])

    hedged = set(records("claim")[: 20 * copies])
    gone = tuple(iri[:-1] for iri in records("drug")[: 5 * copies])
    out = []
    for line in lines:
        subject = line.split(" ", 1)[0]
        if subject[:-1] in gone or subject.startswith(tuple(g + "/" for g in gone)):  # the drug or a node in it
            continue
        out.append(line.replace(HEDGE, HEDGE.replace("stated", "possible")) if subject in hedged else line)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", default="1,10,30")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="her2kg-bench-diff-"))
    build_release(out_dir=work / "shipped")
    lines = (work / "shipped" / "her2kg.nt").read_text(encoding="utf-8").splitlines(keepends=True)
    print(
        "| copies | triples | `her2kg diff`: CPU s | statements changed, entities removed | line diff: CPU s | lines differing |"
    )
    print("|---|---|---|---|---|---|")
    for copies in (int(c) for c in args.copies.split(",")):
        old_lines = copies_of(lines, copies)
        old = write(work / f"old-{copies}", old_lines)
        new = write(work / f"new-{copies}", changed(old_lines, copies))
        seconds, report = timed(lambda old=old, new=new: diff_releases(old, new), args.repeat)

        def line_diff(old=old, new=new) -> int:
            a = set((old / "her2kg.nt").read_text(encoding="utf-8").splitlines())
            b = set((new / "her2kg.nt").read_text(encoding="utf-8").splitlines())
            return len(a ^ b)

        line_seconds, differing = timed(line_diff, args.repeat)
        counts = report.counts()
        print(
            f"| {copies} | {len(set(old_lines)):,} | {seconds:.2f} | {counts['statements']['changed']:,}, "
            f"{counts['entities']['removed']:,} | {line_seconds:.2f} | {differing:,} |"
        )


if __name__ == "__main__":
    main()
