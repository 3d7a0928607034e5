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


# --- a build that kills itself at a chosen point -------------------------------------------------

# Run as `python -c KILLED_BUILD POINT build ARGS…`: the real `her2kg` command, with hooks that send
# SIGKILL to the process at POINT, one of
#   stage:NAME:start | stage:NAME:end   as the build announces the stage NAME (her2kg.progress)
#   stage:NAME:F                        a fraction F of NAME's duration (given in seconds) after it starts
#   write:K                             just before the K-th file write of the release (write_bytes,
#                                       write_text, or a release file streamed by Content.save)
#   swap:before | swap:after            around the exchange of the staging folder and the release
# and "calibrate" kills nothing but prints each stage's duration (JSON) on stderr's last line.
KILLED_BUILD = r"""
import json, os, pathlib, signal, sys, threading, time
point, args = sys.argv[1], sys.argv[2:]
def die():
    os.kill(os.getpid(), signal.SIGKILL)
from her2kg import progress, release
durations = {}
def listen(name, seconds):
    if seconds is None:
        durations[name] = time.perf_counter()
    else:
        durations[name] = seconds
    kind, _, rest = point.partition(":")
    if kind != "stage":
        return
    stage, _, when = rest.partition(":")
    if stage != name:
        return
    if when == ("start" if seconds is None else "end"):
        die()
    if seconds is None and when not in ("start", "end"):
        fraction, _, length = when.partition("@")
        threading.Timer(float(fraction) * float(length), die).start()
progress._listeners.append(listen)
writes = [0]
def counting(method):
    def write(self, *a, **k):
        writes[0] += 1
        if point == f"write:{writes[0]}":
            die()
        return method(self, *a, **k)
    return write
pathlib.Path.write_bytes = counting(pathlib.Path.write_bytes)
pathlib.Path.write_text = counting(pathlib.Path.write_text)
from her2kg import formats
formats.Content.save = counting(formats.Content.save)  # the release files, streamed to disk
exchange = release._exchange
def watched(first, second):
    if point == "swap:before":
        die()
    done = exchange(first, second)
    if point == "swap:after":
        die()
    return done
release._exchange = watched
from her2kg.cli import cli
try:
    cli.main(args, prog_name="her2kg", standalone_mode=True)
finally:
    if point == "calibrate":
        print(json.dumps({"stages": durations, "writes": writes[0]}), file=sys.stderr)
"""


def release_is_whole(folder: Path) -> int:
    """Assert `folder` is one complete release: marker, every file of SHA256SUMS matching, and the
    store holding as many triples as void.ttl says; return that count."""
    import hashlib

    from rdflib import Graph
    from rdflib.namespace import VOID

    from her2kg.release import MARKER
    from her2kg.store import open_release

    assert (folder / MARKER).is_file(), f"{folder}: no marker"
    listed = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert listed
    for line in listed:
        digest, name = line.split(maxsplit=1)
        name = name.lstrip("*")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, f"{folder / name}: changed"
    void = Graph().parse(folder / "void.ttl")
    (dump,) = (s for s in void.subjects(VOID.triples) if str(s).endswith("/her2kg.nt"))
    counted = int(void.value(dump, VOID.triples))
    assert len(open_release(folder)) == counted
    return counted
