"""Shared by the reliability tests of the build: a small valid facts folder cut from the shipped facts.

The seed is real curated records (two drugs, a gene, one claims file and everything they refer
to, transitively), so mutations start from what curators actually write.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from her2kg.facts import Record, load_facts
from her2kg.resources import project_path
from her2kg.schema import FieldType

SEED_ROOTS = ("drug/trastuzumab", "drug/lapatinib", "gene/erbb2")
SEED_CLAIMS_FILE = "claims/her2-resistance-treatment-options-biology.yaml"


def _references(record: Record, index: dict[str, Record]) -> set[str]:
    """Every record `record` names: its reference fields, those of its evidence and arm values, its parent and arms."""
    found: set[str] = set()
    entries = [record.values]
    for spec in record.kind.fields:
        if spec.type in (FieldType.EVIDENCE, FieldType.ARM_VALUES):
            entries.extend(entry.values for entry in record.values.get(spec.key, []))
    for values in entries:
        for value in values.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item in index:
                    found.add(item)
    if record.parent is not None:
        found.add(record.parent.ref)
    found |= {child.ref for child in record.children}
    return found


@cache
def _seed_files() -> dict[str, str]:
    """{relative path: YAML text} of the seed: the chosen records and their closure under references."""
    folder = project_path("facts")
    facts = load_facts(folder)
    index = {record.ref: record for record in facts.records}
    claims_file = str(Path("facts") / SEED_CLAIMS_FILE)
    todo = [*SEED_ROOTS, *(r.ref for r in facts.records if r.location.file.endswith(claims_file))]
    kept: set[str] = set()
    while todo:
        ref = todo.pop()
        if ref not in kept:
            kept.add(ref)
            todo.extend(_references(index[ref], index))
    by_file: dict[str, set[str]] = {}
    for ref in kept:
        record = index[ref]
        while record.parent is not None:  # arms are written inside their trial
            record = record.parent
        by_file.setdefault(record.location.file, set()).add(record.id)
    files = {}
    for shown, ids in sorted(by_file.items()):
        relative = Path(shown).relative_to("facts") if shown.startswith("facts/") else Path(shown)
        data = yaml.safe_load((folder / relative).read_text(encoding="utf-8"))
        subset = {}
        for key, value in data.items():
            if isinstance(value, list):
                items = [item for item in value if _item_id(item) in ids]
                if items:
                    subset[key] = items
            else:
                subset[key] = value  # a file's defaults (source:)
        files[str(relative)] = yaml.safe_dump(subset, allow_unicode=True, sort_keys=False, width=120)
    return files


def _item_id(item: object) -> str | None:
    if not isinstance(item, dict):
        return None
    if "id" in item:
        return str(item["id"])
    return None


def write_seed(folder: Path) -> Path:
    """Write the seed facts into `folder` (created); return it."""
    for relative, text in _seed_files().items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def seed_files() -> dict[str, str]:
    return dict(_seed_files())
