"""`her2kg build` of the shipped facts from the command line: wall time, CPU time and the main process's CPU.

    python benchmarks/shipped_build.py --runs 5 [--against OTHER_CHECKOUT]

Each run is a fresh `python` process running `her2kg build --out DIR` in the checkout (as
`her2kg build` does: the same entry point), timed from outside (wall, user + sys of the process
and its children, max RSS) and from inside (the CPU time of the main process alone). A build
validates beside its writers in a second process, so on a machine with two idle cores its wall time
is about the main process's CPU time (plus waiting for the child, if it takes longer); on a shared
machine wall time is inflated by everyone else's work, and the load average is printed beside it.

With `--against`, the same runs of another checkout (its `pipeline/` first on the path), interleaved
with these, and its release compared with ours: every file byte for byte except build-report.json,
and the report's validation findings.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent

# Runs the CLI's own entry point, then reports the CPU time of this process alone (the child the build
# forks is counted apart, once it has been waited for).
INSIDE = """
import atexit, json, resource, sys
def report():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"main_cpu": own.ru_utime + own.ru_stime, "child_cpu": children.ru_utime + children.ru_stime}),
          file=sys.stderr)
atexit.register(report)
from her2kg.cli import entry_point
sys.argv = ["her2kg", "build", "--out", sys.argv[1]]
entry_point()
"""


def run(checkout: Path, out: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(checkout / "pipeline")}
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", INSIDE, str(out)],
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"her2kg build in {checkout} failed:\n{stderr}")
    inside = json.loads(stderr.strip().splitlines()[-1])
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "main_cpu": inside["main_cpu"],
        "child_cpu": inside["child_cpu"],
        "rss_mib": usage.ru_maxrss / 1024,
        "load": os.getloadavg()[0],
    }


def differences(ours: Path, theirs: Path) -> list[str]:
    """What differs between two releases: files (build-report.json aside) and the validation findings."""
    names = {p.relative_to(ours).as_posix() for p in ours.rglob("*") if p.is_file()}
    names |= {p.relative_to(theirs).as_posix() for p in theirs.rglob("*") if p.is_file()}
    found = []
    for name in sorted(names - {"build-report.json"}):
        a, b = ours / name, theirs / name
        if not (a.is_file() and b.is_file() and a.read_bytes() == b.read_bytes()):
            found.append(name)
    reports = [json.loads((folder / "build-report.json").read_text()) for folder in (ours, theirs)]
    if reports[0]["validation"] != reports[1]["validation"]:
        found.append("build-report.json: validation")
    return found


def summary(name: str, runs: list[dict[str, float]]) -> str:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    return (
        f"| {name} | {median('wall'):.2f} (min {min(r['wall'] for r in runs):.2f}) | {median('cpu'):.2f} "
        f"| {median('main_cpu'):.2f} | {median('child_cpu'):.2f} | {median('rss_mib'):.0f} "
        f"| {min(r['load'] for r in runs):.1f}–{max(r['load'] for r in runs):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--against", type=Path, help="another checkout to run and compare with")
    args = parser.parse_args()
    checkouts = {"this checkout": CHECKOUT}
    if args.against:
        checkouts[f"{args.against}"] = args.against.resolve()
    work = Path(tempfile.mkdtemp(prefix="shipped-build-"))
    results: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
    for index in range(args.warmup + args.runs):
        for name, checkout in checkouts.items():  # interleaved: both see the same machine
            measured = run(checkout, work / name.replace("/", "_") / "dist")
            if index >= args.warmup:
                results[name].append(measured)
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {args.runs} runs each (medians)\n")
    print(
        "| checkout | wall s | user + sys CPU s | main process CPU s | second process CPU s | max RSS MiB | load average |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, runs in results.items():
        print(summary(name, runs))
    if args.against:
        folders = [work / name.replace("/", "_") / "dist" for name in checkouts]
        found = differences(folders[0], folders[1])
        print(
            f"\nreleases compared (every file but build-report.json, and the validation findings): "
            f"{'identical' if not found else 'DIFFERENT: ' + ', '.join(found)}"
        )


if __name__ == "__main__":
    main()
