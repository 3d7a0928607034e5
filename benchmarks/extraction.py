"""Measure `her2kg extract` against the curated facts: recall and precision per source text.

    python benchmarks/extraction.py                      # the texts shipped in sources/
    python benchmarks/extraction.py --sources DIR        # also the texts not shipped (your copies)

For each text with a text available, drafts are extracted from the text and the graph's entity
records alone (never its claims), then compared with the relation claims curated from that text
(the answer key) — definitions in docs/benchmarks.md, "Draft extraction". Prints one Markdown table
row per text, and the seconds each extraction took.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from her2kg.extract import measure, source_text
from her2kg.facts import load_facts
from her2kg.resources import project_path
from her2kg.sources import load_library


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, help="folder with your copies of the texts not shipped")
    args = parser.parse_args()
    facts = load_facts(project_path("facts"))
    library = load_library(None, args.sources)
    print(
        "| text | curated claims | recall: same triple | recall: triple or passage + entity | "
        "recall: any draft on the passage | drafts | precision | drafts stating a graph triple | seconds |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for publication in sorted(library.texts):
        text, _, _ = source_text(publication, copies_dir=args.sources)
        started = time.perf_counter()
        score = measure(text, publication, facts)
        seconds = time.perf_counter() - started
        print(
            f"| {publication} | {score.curated} | {score.rate(score.recalled_triple, score.curated):.0%} | "
            f"**{score.recall:.0%}** | {score.rate(score.recalled_passage, score.curated):.0%} | {score.drafts} | "
            f"**{score.precision:.0%}** ({score.correct}) | {score.rate(score.in_graph, score.drafts):.0%} | {seconds:.1f} |"
        )


if __name__ == "__main__":
    main()
