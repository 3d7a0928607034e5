"""What a release holds: entities per class, statements per source (for `stats` and docs/coverage.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph

from .catalog import internal_query

STATEMENT_KINDS = ("RelationClaim", "EntityEvidence", "Outcome", "PrevalenceFigure", "Approval", "Correction")


@dataclass
class ReleaseStats:
    triples: int
    entities_per_class: dict[str, int]
    statements_per_source: dict[str, dict[str, int]]  # source slug → statement kind → count


def local(iri: str) -> str:
    return iri.rpartition("#")[2] if "#" in iri else iri.rpartition("/")[2]


def _select(store: pyoxigraph.Store, name: str) -> pyoxigraph.QuerySolutions:
    solutions = store.query(internal_query(name))
    assert isinstance(solutions, pyoxigraph.QuerySolutions)  # the internal queries are SELECTs
    return solutions


def release_stats(store: pyoxigraph.Store) -> ReleaseStats:
    classes = {local(r["class"].value): int(r["n"].value) for r in _select(store, "entities-per-class")}
    per_source: dict[str, dict[str, int]] = {}
    for row in _select(store, "statements-per-source"):
        per_source.setdefault(local(row["source"].value), {})[local(row["kind"].value)] = int(row["n"].value)
    return ReleaseStats(len(store), classes, per_source)


def as_text(stats: ReleaseStats) -> str:
    lines = [f"triples: {stats.triples}", "entities per class:"]
    lines += [f"  {name:<22} {n}" for name, n in stats.entities_per_class.items()]
    lines.append("statements per source:")
    lines += [f"  {source:<36} {sum(kinds.values())}" for source, kinds in stats.statements_per_source.items()]
    return "\n".join(lines)


def as_markdown(stats: ReleaseStats) -> str:
    lines = [
        "# Coverage",
        "",
        "What the shipped graph holds. Regenerate with `her2kg build && her2kg stats --format markdown > docs/coverage.md`.",
        "",
        f"Triples (ontology and data): {stats.triples}.",
        "",
        "## Entities per class",
        "",
        "| class | entities |",
        "|---|---|",
    ]
    lines += [f"| `hk:{name}` | {n} |" for name, n in stats.entities_per_class.items()]
    lines += [
        "",
        "## Statements per source text",
        "",
        "| source | " + " | ".join(STATEMENT_KINDS) + " | all |",
        "|---" * (len(STATEMENT_KINDS) + 2) + "|",
    ]
    for source, kinds in stats.statements_per_source.items():
        cells = [str(kinds.get(k, 0)) for k in STATEMENT_KINDS]
        lines.append(f"| `{source}` | " + " | ".join(cells) + f" | {sum(kinds.values())} |")
    return "\n".join(lines) + "\n"
