"""How long the OWL API (the library Protégé is built on) takes to open each OWL file of a release.

Builds the shipped facts into a work folder (or reads `--release DIR`), compiles
benchmarks/owlapi/OpenTime.java against Debian's libowlapi-java, and opens each RDF/XML file of the
release in a new JVM, `--repeat` times: the first load is what a user waits for when Protégé opens
the file, the median of the others the parser in a warm JVM. Only loading is timed (not the JVM's
start, not Protégé's own indexing). Prints a Markdown table.

    .venv/bin/python benchmarks/owl_open.py --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from her2kg.build import build_release  # noqa: E402
from her2kg.formats import formats  # noqa: E402
from her2kg.release import Release  # noqa: E402
from test_owlapi import CLASSPATH_JARS, JARS  # noqa: E402 (the OWL API's class path, as the tests use it)

SOURCE = Path(__file__).parent / "owlapi" / "OpenTime.java"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, help="a built release (default: build the shipped facts)")
    parser.add_argument("--repeat", type=int, default=5, help="loads per file, in one JVM")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="owl-open-"))
    release = Release(args.release or build_release(out_dir=work / "dist").out_dir)
    jars = [JARS / f"{name}.jar" for name in CLASSPATH_JARS] + sorted(JARS.glob("rdf4j-*.jar"))
    classpath = ":".join(map(str, jars))
    subprocess.run(["javac", "-d", str(work), "-cp", classpath, str(SOURCE)], check=True)
    print("| file | size | axioms | individuals | unparsed triples | first open (new JVM) | median of the next |")
    print("|---|---|---|---|---|---|---|")
    for fmt in formats():
        if fmt.media_type != "application/rdf+xml":
            continue
        path = release.path(fmt.name)
        done = subprocess.run(
            ["java", "-cp", f"{work}:{classpath}", "OpenTime", str(path), str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows = [line.split("\t") for line in done.stdout.splitlines()]
        first, rest = float(rows[0][0]), [float(row[0]) for row in rows[1:]]
        axioms, individuals, unparsed = rows[0][1:]
        median = f"{statistics.median(rest) / 1000:.2f} s" if rest else "—"
        size = f"{path.stat().st_size / 1e6:.2f} MB"
        print(f"| `{path.name}` | {size} | {axioms} | {individuals} | {unparsed} | {first / 1000:.2f} s | {median} |")


if __name__ == "__main__":
    main()
