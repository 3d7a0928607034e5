"""What changed between two releases, as statements and records rather than triples: `her2kg diff`.

Both releases' her2kg.nt are loaded into one pyoxigraph store, each in its own named graph, and
one SPARQL query finds the triples that differ. Only the records those triples belong to are
then read in full, so the cost follows the size of the change, not of the graph.

A record is identified by its IRI (`<kind>/<id>`): same IRI, different fields is a change; an IRI
in one release only is an addition or a removal. A record's fields are those the curator writes
(the facts keys of its kind, docs/facts-format.md), with its evidence passages and arm values
read from their nested nodes; what the build derives from other records (plain triples, the
publications an entity is mentioned in, a trial's outcomes) is not the record's own and is not
compared. A claim without an `id:` is named from its subject, relation, object, source and
quotes, so editing one of those reads as one claim removed and another added.

Identifiers (cross-references) are listed on their own, added, removed or changed per registry,
whatever the record: they are what a reviewer must check against the registries.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import ReleaseError, UsageError
from .namespaces import BASE, HK, OBOINOWL, VOCAB
from .ontology import kebab
from .release import REPORT, Release
from .schema import KINDS, FieldType, Kind

FORMAT_VERSION = 1
CHANGES = ("added", "removed", "changed")  # the order a report lists them in
_GRAPHS = {"old": ox.NamedNode("urn:her2kg:diff:old"), "new": ox.NamedNode("urn:her2kg:diff:new")}
_RECORD = re.compile(rf"^{re.escape(BASE)}([a-z0-9-]+)/([a-z0-9]+(?:-[a-z0-9]+)*)(/.+)?$")
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_XREF = str(OBOINOWL.hasDbXref)
_DESCRIBES = str(HK.describes)
_ARM_RESULT = str(HK.hasArmResult)
_NESTED = {"evidence": "/evidence/", "arm-values": "/arm/"}


@dataclass(frozen=True)
class FieldChange:
    """One field of a record: its values (as the facts write them) in the old and the new release."""

    field: str
    old: tuple[str, ...]
    new: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": list(self.old), "new": list(self.new)}


@dataclass(frozen=True)
class RecordChange:
    """A record added, removed or changed; `fields` lists every field of an added or removed record,
    and the fields that differ of a changed one."""

    change: str
    record: str  # kind/id
    kind: str
    label: str  # the record's label, or for a statement without one what it states
    source: str | None  # the publication a statement is stated in (None for entities)
    fields: tuple[FieldChange, ...]

    def as_dict(self) -> dict[str, Any]:
        found = {"change": self.change, "record": self.record, "kind": self.kind, "label": self.label}
        if self.source is not None:
            found["source"] = self.source
        return found | {"fields": [f.as_dict() for f in self.fields]}


@dataclass(frozen=True)
class IdentifierChange:
    change: str
    record: str
    kind: str
    label: str
    registry: str  # the CURIE prefix: DOI, PMID, CHEMBL …
    old: str | None
    new: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "record": self.record,
            "kind": self.kind,
            "label": self.label,
            "registry": self.registry,
            "old": self.old,
            "new": self.new,
        }


@dataclass(frozen=True)
class ReleaseDiff:
    old: dict[str, Any]  # {"release": folder as given, "version", "triples"}
    new: dict[str, Any]
    statements: tuple[RecordChange, ...]
    entities: tuple[RecordChange, ...]
    identifiers: tuple[IdentifierChange, ...]
    sources: dict[str, str] = field(default_factory=dict)  # publication slug → label

    @property
    def empty(self) -> bool:
        return not (self.statements or self.entities or self.identifiers)

    def counts(self) -> dict[str, dict[str, int]]:
        groups: dict[str, tuple[Any, ...]] = {
            "statements": self.statements,
            "entities": self.entities,
            "identifiers": self.identifiers,
        }
        return {name: {c: sum(1 for i in items if i.change == c) for c in CHANGES} for name, items in groups.items()}

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON keeps it (docs/curating.md documents every key)."""
        return {
            "her2kg-diff": FORMAT_VERSION,
            "old": self.old,
            "new": self.new,
            "summary": self.counts(),
            "sources": dict(sorted(self.sources.items())),
            "statements": [s.as_dict() for s in self.statements],
            "entities": [e.as_dict() for e in self.entities],
            "identifiers": [i.as_dict() for i in self.identifiers],
        }


# --- reading the releases ----------------------------------------------------------------------


def _load(store: ox.Store, folder: Path, side: str) -> dict[str, Any]:
    shown = str(folder)
    if not folder.is_dir():
        raise ReleaseError(f"{shown}: no such folder — give two release folders written by 'her2kg build'")
    if not (folder / REPORT).is_file():
        raise ReleaseError(f"{shown}: not a release (no {REPORT}) — give a folder written by 'her2kg build'")
    release = Release(folder)
    report = release.verify()
    graph = _GRAPHS[side]
    try:
        store.bulk_load(path=str(release.graph_nt), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    except SyntaxError as err:
        raise ReleaseError(
            f"{release.graph_nt}: not valid N-Triples ({err}) — the release is corrupt; rebuild it"
        ) from None
    except OSError as err:
        raise ReleaseError(f"{release.graph_nt}: cannot be read ({err.strerror})") from None
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
    count = int(next(iter(rows))["n"].value)  # type: ignore[arg-type]
    if count != report["triples"]:
        raise ReleaseError(
            f"{release.graph_nt}: holds {count} triples, but {REPORT} says {report['triples']} — "
            "the file is truncated or was edited; rebuild the release"
        )
    return {"release": shown, "version": report.get("version"), "triples": count}


def _differing(store: ox.Store) -> list[tuple[str, str, str]]:
    """(side, subject, predicate) of every triple about a record that only one release holds."""
    branches = []
    for side, other in (("old", "new"), ("new", "old")):
        branches.append(
            f"""{{ GRAPH <{_GRAPHS[side].value}> {{ ?s ?p ?o }}
               FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}") && !isBlank(?o))
               FILTER NOT EXISTS {{ GRAPH <{_GRAPHS[other].value}> {{ ?s ?p ?o }} }}
               BIND("{side}" AS ?side) }}"""
        )
    query = "SELECT ?side ?s ?p WHERE { " + " UNION ".join(branches) + " }"
    return [(row["side"].value, row["s"].value, row["p"].value) for row in store.query(query)]  # type: ignore[union-attr]


def _record_of(iri: str) -> tuple[Kind, str, str] | None:
    """(kind, record IRI, nested part) of a record's IRI or of a node nested in it; None for others."""
    match = _RECORD.match(iri)
    if match is None or match.group(1) not in KINDS:
        return None
    return KINDS[match.group(1)], f"{BASE}{match.group(1)}/{match.group(2)}", match.group(3) or ""


@cache
def _own_predicates(kind: Kind) -> dict[str, str]:
    """predicate IRI → facts key of the fields a curator writes in a record of `kind`."""
    found = {
        str(f.predicate): f.key
        for f in kind.fields
        if f.predicate is not None and f.type not in (FieldType.ARM_VALUES, FieldType.EVIDENCE)
    }
    return found | {_XREF: "identifiers"}


# --- a record's fields, as the facts write them ------------------------------------------------


@dataclass
class _Record:
    kind: Kind
    iri: str
    fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    nested: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    exists: bool = False


def _value(term: Any) -> str:
    """A term as the facts write it: `drug/neratinib`, a vocabulary slug, a relation name, a literal."""
    if isinstance(term, ox.Literal):
        return term.value
    text = term.value
    if text.startswith(str(VOCAB)):
        return text.rpartition("/")[2]
    if text.startswith(str(HK)):
        return kebab(text[len(str(HK)) :])
    if text.startswith(BASE):
        return text[len(BASE) :]
    return text


def _read_records(store: ox.Store, side: str, records: dict[str, Kind]) -> dict[str, _Record]:
    found = {iri: _Record(kind, iri) for iri, kind in records.items()}
    if not records:
        return found
    values = " ".join(f"<{iri}>" for iri in sorted(records))
    query = f"""SELECT ?r ?n ?p ?o WHERE {{
        VALUES ?r {{ {values} }}
        GRAPH <{_GRAPHS[side].value}> {{
          {{ ?r ?p ?o }}
          UNION {{ ?n <{_DESCRIBES}> ?r . ?n ?p ?o }}
          UNION {{ ?r <{_ARM_RESULT}> ?n . ?n ?p ?o }}
        }} }}"""
    for row in store.query(query):  # type: ignore[union-attr]
        record = found[row["r"].value]
        predicate = row["p"].value
        if row["n"] is not None:
            record.nested[row["n"].value][predicate].append(_value(row["o"]))
            continue
        if predicate == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            record.exists = True
        key = _own_predicates(record.kind).get(predicate)
        if key is not None:
            record.fields[key].add(_value(row["o"]))
    for record in found.values():
        for node, passage in record.nested.items():
            nested_key = next((k for k, part in _NESTED.items() if node.startswith(record.iri + part)), None)
            if nested_key is not None:
                record.fields[nested_key].add(_nested_value(nested_key, passage))
    return found


def _nested_value(key: str, values: dict[str, list[str]]) -> str:
    """One evidence passage or arm value as one line: all its fields, so any edit shows."""

    def one(name: str) -> str:
        return "; ".join(sorted(values.get(str(HK) + name, [])))

    if key == "arm-values":
        value = "not reached" if one("notReached") == "true" else one("value")
        text = f"{one('forArm')}: {value}"
    else:
        quotes = " … ".join(f'"{q}"' for q in sorted(values.get(str(HK) + "quote", [])))
        text = f"{one('statedIn').removeprefix('publication/')}, {one('section') or 'no section'}: {quotes}"
        extras = [f"{name}: {one(name)}" for name in ("evidenceKind", "hedge", "polarity") if one(name)]
        extras = [e for e in extras if e not in ("hedge: stated", "polarity: supports")]
        text += f" [{', '.join(extras)}]" if extras else ""
    note = "; ".join(sorted(values.get("http://www.w3.org/2000/01/rdf-schema#comment", [])))
    return text + (f" (note: {note})" if note else "")


def _labels(store: ox.Store, refs: set[str]) -> dict[str, str]:
    """ref (kind/id) → rdfs:label, from the new release where it has one, else the old."""
    if not refs:
        return {}
    values = " ".join(f"<{BASE}{ref}>" for ref in sorted(refs))
    labels: dict[str, str] = {}
    for side in ("old", "new"):  # new last: it wins
        query = (
            f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} GRAPH <{_GRAPHS[side].value}> {{ ?x <{_LABEL}> ?l }} }}"
        )
        for row in store.query(query):  # type: ignore[union-attr]
            labels[row["x"].value[len(BASE) :]] = row["l"].value
    return labels


# --- comparing ---------------------------------------------------------------------------------


def diff_releases(old: Path, new: Path) -> ReleaseDiff:
    """Compare the release in `old` with the one in `new`; ReleaseError for a folder that is not a
    complete release."""
    store = ox.Store()
    about = {side: _load(store, Path(folder), side) for side, folder in (("old", old), ("new", new))}
    affected: dict[str, Kind] = {}
    for _side, subject, predicate in _differing(store):
        found = _record_of(subject)
        if found is None:
            continue
        kind, iri, nested = found
        if predicate in _own_predicates(kind) or any(nested.startswith(p) for p in _NESTED.values()):
            affected[iri] = kind
    before, after = _read_records(store, "old", affected), _read_records(store, "new", affected)
    refs = {iri[len(BASE) :] for iri in affected}
    for record in (*before.values(), *after.values()):
        refs |= {v for key in ("subject", "object", "trial", "endpoint", "source") for v in record.fields.get(key, ())}
    labels = _labels(store, refs)
    statements: list[RecordChange] = []
    entities: list[RecordChange] = []
    identifiers: list[IdentifierChange] = []
    for iri, kind in affected.items():
        old_record, new_record = before[iri], after[iri]
        change = _compare(old_record, new_record, labels)
        if change is not None:
            (statements if kind.is_statement else entities).append(change)
        identifiers += _identifier_changes(old_record, new_record, labels)
    sources = {s for s in (c.source for c in statements) if s}
    return ReleaseDiff(
        about["old"],
        about["new"],
        tuple(sorted(statements, key=lambda c: (c.source or "", c.kind, CHANGES.index(c.change), c.record))),
        tuple(sorted(entities, key=lambda c: (c.kind, CHANGES.index(c.change), c.record))),
        tuple(sorted(identifiers, key=lambda c: (c.kind, c.record, c.registry, CHANGES.index(c.change)))),
        {s: labels.get(f"publication/{s}", s) for s in sources},
    )


def _compare(old: _Record, new: _Record, labels: dict[str, str]) -> RecordChange | None:
    if not old.exists and not new.exists:
        return None
    change = "added" if not old.exists else "removed" if not new.exists else "changed"
    keys = sorted((set(old.fields) | set(new.fields)) - {"identifiers"})
    fields = tuple(
        FieldChange(key, tuple(sorted(old.fields.get(key, ()))), tuple(sorted(new.fields.get(key, ()))))
        for key in keys
        if change != "changed" or old.fields.get(key, set()) != new.fields.get(key, set())
    )
    if change == "changed" and not fields:
        return None  # only its identifiers changed: listed with the identifiers
    current = new if new.exists else old
    ref = current.iri[len(BASE) :]
    source = next(iter(sorted(current.fields.get("source", ()))), None)
    return RecordChange(
        change,
        ref,
        current.kind.name,
        _describe(current, labels),
        source.partition("/")[2] if current.kind.is_statement and source else None,
        fields,
    )


def _describe(record: _Record, labels: dict[str, str]) -> str:
    """A record in words: its label; a relation claim's subject, relation and object; an outcome's
    study and endpoint; else its first quote."""

    def one(key: str) -> str:
        value = min(record.fields.get(key, {""}))
        return labels.get(value, value)

    if record.fields.get("label"):
        return one("label")
    if record.kind.states_relation:
        return f"{one('subject')} {one('relation').replace('-', ' ')} {one('object')}"
    if record.fields.get("trial") and record.fields.get("endpoint"):
        return f"{one('trial')}: {one('endpoint')}"
    quote = one("quote")
    return quote if len(quote) <= 100 else quote[:100].rsplit(" ", 1)[0] + " …"


def _identifier_changes(old: _Record, new: _Record, labels: dict[str, str]) -> list[IdentifierChange]:
    def by_registry(record: _Record) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for curie in record.fields.get("identifiers", ()):
            found[curie.partition(":")[0]].add(curie)
        return found

    before, after = by_registry(old), by_registry(new)
    current = new if new.exists else old
    ref = current.iri[len(BASE) :]
    label = labels.get(ref, ref)
    changes = []
    for registry in sorted(set(before) | set(after)):
        gone, came = sorted(before[registry] - after[registry]), sorted(after[registry] - before[registry])
        while gone and came:
            changes.append(
                IdentifierChange("changed", ref, current.kind.name, label, registry, gone.pop(0), came.pop(0))
            )
        changes += [IdentifierChange("removed", ref, current.kind.name, label, registry, v, None) for v in gone]
        changes += [IdentifierChange("added", ref, current.kind.name, label, registry, None, v) for v in came]
    return changes


# --- reports -----------------------------------------------------------------------------------

_MARK = {"added": "+", "removed": "-", "changed": "~"}


def _summary_line(diff: ReleaseDiff) -> str:
    parts = []
    for group, counts in diff.counts().items():
        parts.append(f"{group}: " + ", ".join(f"{counts[c]} {c}" for c in CHANGES))
    return f"{diff.old['release']} → {diff.new['release']}: " + "; ".join(parts)


def _values(values: tuple[str, ...]) -> str:
    return " | ".join(values) if values else "(none)"


def _field_lines(change: RecordChange) -> list[str]:
    """`field: values` for every field of an added or removed record (a reviewer checks each value:
    an outcome's CI bounds and p-value as much as its hazard ratio), and `field: old → new` for each
    field that differs in a changed one."""
    if change.change == "changed":
        return [f"{item.field}: {_values(item.old)} → {_values(item.new)}" for item in change.fields]
    return [f"{item.field}: {_values(item.new if change.change == 'added' else item.old)}" for item in change.fields]


def _record_lines(change: RecordChange, indent: str, code: str = "") -> list[str]:
    lines = [f"{indent}{_MARK[change.change]} {code}{change.record}{code}  {change.label}"]
    return lines + [f"{indent}    {line}" for line in _field_lines(change)]


def _grouped(items: tuple[Any, ...], key) -> list[tuple[Any, list[Any]]]:
    groups: dict[Any, list[Any]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.items())


def as_text(diff: ReleaseDiff) -> str:
    """The readable report: statements by source and kind, entities by kind, then identifiers."""
    lines = [_summary_line(diff)]
    if diff.empty:
        return "\n".join([*lines, "no differences"]) + "\n"
    for source, items in _grouped(diff.statements, lambda c: c.source):
        lines += ["", f"statements from {source} — {diff.sources.get(source, source)}"]
        for kind, changes in _grouped(tuple(items), lambda c: c.kind):
            lines.append(f"  {kind}")
            for change in changes:
                lines += _record_lines(change, "    ")
    if diff.entities:
        lines += ["", "entities"]
        for kind, changes in _grouped(diff.entities, lambda c: c.kind):
            lines.append(f"  {kind}")
            for change in changes:
                lines += _record_lines(change, "    ")
    if diff.identifiers:
        lines += ["", "identifiers"]
        for item in diff.identifiers:
            value = (
                item.new
                if item.change == "added"
                else item.old
                if item.change == "removed"
                else f"{item.old} → {item.new}"
            )
            lines.append(f"  {_MARK[item.change]} {item.record}  {item.label}  {value}")
    return "\n".join(lines) + "\n"


def _markdown_by_kind(changes: tuple) -> list[str]:
    lines: list[str] = []
    for kind, of_kind in _grouped(changes, lambda c: c.kind):
        lines += [f"### {kind}", ""]
        for change in of_kind:
            lines += _markdown_record(change)
        lines.append("")
    return lines


def as_markdown(diff: ReleaseDiff) -> str:
    """The report as Markdown, for a pull request or a release note."""
    lines = ["# Changes", "", _summary_line(diff), ""]
    if diff.empty:
        return "\n".join([*lines, "No differences."]) + "\n"
    for source, items in _grouped(diff.statements, lambda c: c.source):
        lines += [f"## Statements from `{source}` — {diff.sources.get(source, source)}", ""]
        lines += _markdown_by_kind(tuple(items))
    if diff.entities:
        lines += ["## Entities", ""]
        lines += _markdown_by_kind(diff.entities)
    if diff.identifiers:
        lines += ["## Identifiers", ""]
        for item in diff.identifiers:
            value = {"added": f"`{item.new}`", "removed": f"`{item.old}`"}.get(
                item.change, f"`{item.old}` → `{item.new}`"
            )
            lines.append(f"- {item.change} `{item.record}` ({item.label}): {value}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown_record(change: RecordChange) -> list[str]:
    lines = [f"- **{change.change}** `{change.record}`: {change.label}"]
    return lines + [f"  - {line}" for line in _field_lines(change)]


def as_json(diff: ReleaseDiff) -> str:
    return json.dumps(diff.as_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render(diff: ReleaseDiff, fmt: str) -> str:
    renderers = {"text": as_text, "json": as_json, "markdown": as_markdown}
    if fmt not in renderers:
        raise UsageError(f"--format {fmt}: unknown — use one of {', '.join(renderers)}")
    return renderers[fmt](diff)
