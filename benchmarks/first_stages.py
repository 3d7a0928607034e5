"""The stages every build shares — load the facts, check the quotes, build the data graph — timed
for this checkout and, in the same run, for another one (an earlier commit), side by side.

    python benchmarks/first_stages.py --project DIR [--before CHECKOUT] [--json FILE]

DIR is a project folder with `facts/` and `sources/` (`benchmarks/generate.py --claims N --out DIR`);
CHECKOUT is another checkout of her2kg (e.g. `git worktree add CHECKOUT <commit>`), whose
`pipeline/` is imported instead of this one's. Each checkout runs in a process of its own, so that
its memory is its own. Per stage: CPU seconds (the machine may be shared; the code is
single-threaded), the process's resident memory after the stage (what it leaves behind) and its
peak so far.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STAGES = ("load facts", "check quotes", "build")


def _resident_mb() -> int:
    """The process's resident memory now (not its peak), in MiB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() // 2**20


def measure(project: Path) -> dict[str, Any]:
    """Run the three stages on `project` with the her2kg on sys.path; the figures per stage."""
    from her2kg.abox import build_graph
    from her2kg.facts import load_facts
    from her2kg.ontology import Ontology
    from her2kg.sources import check_quotes, load_library

    ontology = Ontology()
    figures: dict[str, Any] = {"start_mb": _resident_mb()}

    def stage(name: str, run: Any) -> Any:
        cpu = time.process_time()
        result = run()
        seconds = time.process_time() - cpu
        figures[name] = {
            "cpu": round(seconds, 2),
            "resident_mb": _resident_mb(),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        }
        return result

    facts = stage("load facts", lambda: load_facts(project / "facts", ontology, display_root=project))
    quotes = stage("check quotes", lambda: check_quotes(facts, load_library(project / "sources")))
    data, locations = stage("build", lambda: build_graph(facts, ontology))
    figures["records"], figures["triples"] = len(facts.records), len(data)
    # What the stages produced, as one checksum each, so that two checkouts can be shown to agree.
    figures["digests"] = {
        "quote report": _digest([str(p) for p in quotes.problems] + [json.dumps(quotes.as_dict())]),
        "triples": _digest(sorted(" ".join(term.n3() for term in triple) for triple in data)),
        "locations": _digest(
            sorted(f"{node} {place}" for node, place in locations.nodes.items())
            + sorted(f"{node} {predicate} {place}" for (node, predicate), place in locations.fields.items())
        ),
    }
    return figures


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def run_in(checkout: Path, project: Path) -> dict[str, Any]:
    """`measure` in a fresh process that imports her2kg from `checkout`."""
    code = (
        f"import sys, json; sys.path.insert(0, {str(checkout / 'pipeline')!r}); sys.path.insert(0, {str(HERE)!r}); "
        f"import first_stages; print(json.dumps(first_stages.measure(__import__('pathlib').Path({str(project)!r}))))"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])


def table(after: dict[str, Any], before: dict[str, Any] | None) -> str:
    rows = ["| stage | before: CPU s | after: CPU s | faster | before / after: resident MiB after the stage (peak) |"]
    rows.append("|---|---|---|---|---|")
    for name in STAGES:
        new = after[name]
        old = before[name] if before else None
        ratio = f"{old['cpu'] / new['cpu']:.1f}×" if old and new["cpu"] else "—"
        memory = f"{new['resident_mb']:,} ({new['peak_mb']:,})"
        if old:
            memory = f"{old['resident_mb']:,} ({old['peak_mb']:,}) / " + memory
        rows.append(f"| {name} | {old['cpu'] if old else '—'} | {new['cpu']} | {ratio} | {memory} |")
    total_new = sum(after[name]["cpu"] for name in STAGES)
    total_old = sum(before[name]["cpu"] for name in STAGES) if before else None
    rows.append(
        f"| **all three** | {f'{total_old:.2f}' if total_old else '—'} | {total_new:.2f} | "
        f"{f'{total_old / total_new:.1f}×' if total_old else '—'} | |"
    )
    same = before is not None and before["digests"] == after["digests"]
    agree = " Same quote report, triples and locations as before." if same else ""
    return "\n".join(rows) + f"\n\n{after['records']:,} records, {after['triples']:,} data triples.{agree}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True, help="a folder with facts/ and sources/")
    parser.add_argument("--before", type=Path, help="another checkout of her2kg to compare with")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    project = args.project.resolve()
    before = run_in(args.before.resolve(), project) if args.before else None
    after = run_in(HERE.parent, project)
    print(table(after, before))
    if args.json:
        args.json.write_text(json.dumps({"before": before, "after": after}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
