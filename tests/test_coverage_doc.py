"""docs/coverage.md tells the truth about the shipped graph (regenerate it when the facts change)."""

from pathlib import Path

from her2kg.stats import as_markdown, release_stats

COVERAGE = Path(__file__).resolve().parent.parent / "docs" / "coverage.md"


def test_coverage_doc_matches_the_shipped_graph(shipped_store):
    assert COVERAGE.read_text(encoding="utf-8") == as_markdown(release_stats(shipped_store)), (
        "docs/coverage.md is stale: run `her2kg build && her2kg stats --format markdown > docs/coverage.md`"
    )
