"""facts/*.yaml → records that remember their file and line, or every problem at once.

Values are read from YAML nodes, not from Python objects, so that each value keeps its line and
numbers keep the exact digits the curator wrote (0.49 stays 0.49, never 0.48999…).

Problems are reported in two tiers: first what stops a file or a record from loading (syntax,
encoding, unknown kinds and keys, wrong types), then what is wrong between records (references,
relations between kinds). A reference that fails only because its target sits in a file or record
that could not be loaded is not reported on its own: fixing the first error fixes it.
"""

from __future__ import annotations

import difflib
import functools
import gc
import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import parallel
from .errors import FactsError, Location, Problem, UsageError
from .identifiers import IdentifierError, parse_identifier
from .ontology import Ontology
from .resources import files
from .schema import (
    ARM_VALUE_FIELDS,
    EVIDENCE_ENTRY_FIELDS,
    FLOAT_TAG,
    INT_TAG,
    KIND_BY_KEY,
    KINDS,
    NULL_TAG,
    BadValue,
    Field,
    FieldType,
    Kind,
)

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Ids written in a file that could not be parsed, found by their look (`- id: neratinib`).
ID_IN_TEXT = re.compile(r"(?:^|[\s{,-])id:\s*[\"']?([a-z0-9]+(?:-[a-z0-9]+)*)[\"']?\s*(?:[,}#]|$)", re.MULTILINE)
# A number, signed only where the sign is not a range dash (0.63-0.93).
NUMBER = re.compile(r"(?:(?<![\w.])[-+])?\d+(?:\.\d+)?")
# Field types whose values name something (a record, a vocabulary value, a relation) and so repeat.
_NAMES = (FieldType.REF, FieldType.VOCAB, FieldType.RELATION)
# Drafts files (`her2kg extract`): a draft's own keys besides its record's fields, and its review status.
DRAFTS_KEY, CANDIDATES_KEY = "drafts", "candidates"
DRAFT_KEYS = frozenset({"review", "kind", "confidence"})
DRAFT_PENDING, DRAFT_ACCEPTED = "draft", "accepted"
REVIEW_STATUSES = (DRAFT_PENDING, DRAFT_ACCEPTED)
# Facts are a few levels deep; YAML nested far deeper exhausts the pure-Python reader's stack.
MAX_DEPTH = 100
# What YAML aliases may add to a file by repeating values; the shipped facts use none.
MAX_ALIASED_NODES = 10_000
# libyaml's composer is ~10× faster and gives the same nodes and marks; PyYAML may lack it.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# The shortcut below holds while the safe loader resolves no tags by path or for any first character.
_PLAIN_BY_FIRST_CHARACTER = not _YAML_LOADER.yaml_path_resolvers and None not in _YAML_LOADER.yaml_implicit_resolvers


class _FactsYAMLLoader(_YAML_LOADER):  # type: ignore[valid-type,misc]
    """The safe loader, with the tag of most scalars found without trying YAML's implicit patterns.

    A quoted scalar is always a string, and so is a plain one whose first character starts none of
    the patterns (bool, int, float, null …: they are indexed by first character). The composer asks
    for every scalar's tag, so this is a good part of composing a large file.
    """

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        if (
            kind is yaml.ScalarNode
            and _PLAIN_BY_FIRST_CHARACTER
            and (not implicit[0] or (value and value[0] not in self.yaml_implicit_resolvers))
        ):
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a stage builds many long-lived objects and no cycles.

    Loading facts and building triples allocate millions of objects that all stay alive (YAML nodes,
    records, terms); every automatic collection would traverse them again, which at 100k claims cost
    more than the work itself. Reference counting still frees everything that is let go.
    What the stage made then goes straight to the oldest generation (frozen and unfrozen, without a walk):
    left in the youngest, the next collections would walk those millions of objects once more (0.6 s at 100k
    claims) to find no garbage. In the oldest they are still collected, by the rare full collections (the
    records hold cycles: a parent and its children). Under a caller's `frozen_heap` they stay frozen with it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            frozen_already = gc.get_freeze_count()
            gc.freeze()
            if not frozen_already:
                gc.unfreeze()
            gc.enable()


@dataclass(slots=True)
class Entry:
    """A nested mapping (an evidence passage, an arm value): its values and their lines."""

    values: dict[str, Any]
    lines: dict[str, int]
    location: Location


@dataclass(slots=True)
class Record:
    kind: Kind
    id: str
    values: dict[str, Any]
    lines: dict[str, int]
    location: Location
    parent: Record | None = None
    children: list[Record] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.kind.name}/{self.id}"

    def line_of(self, key: str) -> Location:
        """Where the field `key` is written (the record's start when it is not)."""
        return Location(self.location.file, self.lines.get(key, self.location.line))


@dataclass
class Facts:
    records: list[Record]
    folder: Path
    display_root: Path | None = None
    drafts_pending: dict[str, int] = field(default_factory=dict)  # drafts file → drafts awaiting review

    @property
    def pending(self) -> int:
        return sum(self.drafts_pending.values())

    def drafts_summary(self) -> str | None:
        """One line on the drafts awaiting review, or None when there are none."""
        if not self.pending:
            return None
        where = ", ".join(f"{file}: {count}" for file, count in self.drafts_pending.items())
        return (
            f"{self.pending} {'draft awaits' if self.pending == 1 else 'drafts await'} review, not in the graph "
            f"({where}) — "
            "set 'review: accepted' on those that are right, delete the others"
        )

    def of_kind(self, name: str) -> list[Record]:
        return [r for r in self.records if r.kind.name == name]


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.75)
    return f" — did you mean '{close[0]}'?" if close else ""


def _ids_below(node: yaml.Node) -> set[str]:
    """Every `id:` value in a YAML subtree (the records that could not be loaded)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if key.value == "id" and isinstance(value, yaml.ScalarNode):
                    found.add(value.value.strip())
                else:
                    stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return found


def _checked_fields(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    """The fields whose values the reference check reads: references, vocabulary values, relations."""
    return _fields_of(fields, "checked")


def _nested_fields(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    """The fields holding nested entries (evidence passages, arm values), whose fields are checked too."""
    return _fields_of(fields, "nested")


_FIELD_TYPES = {
    "checked": (FieldType.REF, FieldType.VOCAB, FieldType.RELATION),
    "nested": (FieldType.EVIDENCE, FieldType.ARM_VALUES),
}
# (id of a kind's fields, which) → (those fields, the ones of those types). Keyed by identity: hashing the
# fields themselves costs more than the check saves; the fields are held, so their id is never reused.
_FIELDS_OF: dict[tuple[int, str], tuple[tuple[Field, ...], tuple[Field, ...]]] = {}


def _fields_of(fields: tuple[Field, ...], which: str) -> tuple[Field, ...]:
    found = _FIELDS_OF.get((id(fields), which))
    if found is None:
        found = _FIELDS_OF[(id(fields), which)] = (fields, tuple(f for f in fields if f.type in _FIELD_TYPES[which]))
    return found[1]


class _Loader:
    def __init__(self, folder: Path, ontology: Ontology, display_root: Path):
        self.folder = folder
        self.ontology = ontology
        self.display_root = display_root
        self.load_problems: list[Problem] = []  # a file or record could not be loaded
        self.link_problems: list[tuple[Problem, str]] = []  # (problem, the slug it failed on)
        self.unloaded: set[str] = set()  # ids of records that could not be loaded
        self.records: list[Record] = []
        self.defaults: dict[str, tuple[str, int]] = {}
        self.drafts_pending: dict[str, int] = {}
        self.shown: dict[Path, str] = {}  # a file → how messages name it (resolved once, not per record)
        # One string object for each reference, vocabulary value and line key however often the facts
        # repeat it ("publication/…" in every claim): what a large graph's records keep is much smaller.
        self.strings: dict[str, str] = {}
        self.relation_kinds: dict[tuple[str, str], frozenset[str] | None] = {}  # asked of the ontology once each

    # -- reporting --------------------------------------------------------------------------
    def where(self, path: Path, node_or_line: yaml.Node | int) -> Location:
        line = node_or_line if isinstance(node_or_line, int) else node_or_line.start_mark.line + 1
        shown = self.shown.get(path)
        if shown is None:
            try:
                shown = self.shown[path] = str(path.resolve().relative_to(self.display_root.resolve()))
            except ValueError:
                shown = self.shown[path] = str(path)
        return Location(shown, line)

    def problem(self, path: Path, node_or_line: yaml.Node | int, message: str) -> None:
        self.load_problems.append(Problem(self.where(path, node_or_line), message))

    def link_problem(self, place: Location, message: str, slug: str = "") -> None:
        self.link_problems.append((Problem(place, message), slug))

    # -- reading ------------------------------------------------------------------------------
    def load(self) -> Facts:
        paths = files(self.folder, "*.yaml", "*.yml")
        if not paths:
            raise UsageError(f"{self.folder}: no facts files (*.yaml) here — pass --facts DIR with your facts")
        here, beside = _halves(paths)
        if beside and parallel.available():
            with parallel.beside(functools.partial(self.loaded, beside)) as loaded:
                self.loaded(here)
                self.take(loaded())
        else:
            self.loaded(paths)
        self.check_references()
        shown = [p for p, slug in self.link_problems if not slug or slug not in self.unloaded]
        if self.load_problems or shown:
            raise FactsError(
                sorted(self.load_problems) + sorted(shown), suppressed=len(self.link_problems) - len(shown)
            )
        return Facts(self.records, self.folder, self.display_root, dict(sorted(self.drafts_pending.items())))

    def loaded(self, paths: list[Path]) -> LoadedPart:
        """Load the files `paths`: what they held (in a process beside this one, the part it sends back)."""
        for path in paths:
            self.load_file(path)
        return LoadedPart(self.records, self.load_problems, self.link_problems, self.unloaded, self.drafts_pending)

    def take(self, part: LoadedPart) -> None:
        """Add what another process loaded from the files after this one's."""
        self.records += part.records
        self.load_problems += part.load_problems
        self.link_problems += part.link_problems
        self.unloaded |= part.unloaded
        self.drafts_pending.update(part.drafts_pending)

    def load_file(self, path: Path) -> None:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = raw[: err.start].count(b"\n") + 1
            column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
            self.problem(
                path,
                line,
                f"not UTF-8 text: byte 0x{raw[err.start]:02x} at column {column} "
                f"({err.reason}) — save the file as UTF-8",
            )
            self.unloaded |= set(ID_IN_TEXT.findall(raw.decode("utf-8", errors="replace")))
            return
        documents = self.compose(path, text)
        if documents is None:
            self.unloaded |= set(ID_IN_TEXT.findall(text))
            return
        for document in documents:
            if document is not None:
                self.load_document(path, document)

    def compose(self, path: Path, text: str) -> list[yaml.Node] | None:
        try:
            documents = list(yaml.compose_all(text, Loader=_FactsYAMLLoader))
        except yaml.MarkedYAMLError as err:
            if "nesting depth" in str(err.problem):  # libyaml's own limit; the pure-Python reader would recurse
                return self.too_deep(path, text, err.problem_mark.line + 1 if err.problem_mark else None)
        except yaml.YAMLError:
            pass
        except RecursionError:
            return self.too_deep(path, text)
        else:
            # Without an anchor (&name) there can be no alias: the walk below is needed only with one.
            return documents if "&" not in text or self.aliases_bounded(path, documents) else None
        # Re-read with the pure-Python composer for its clearer, platform-independent message.
        try:
            documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
            return documents if self.aliases_bounded(path, documents) else None
        except RecursionError:
            return self.too_deep(path, text)
        except yaml.reader.ReaderError as err:  # a character YAML does not allow (NUL, other controls)
            line = text.count("\n", 0, err.position) + 1
            code = err.character if isinstance(err.character, int) else ord(err.character)
            self.problem(path, line, f"not valid YAML: the control character U+{code:04X} is not allowed — remove it")
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            what = err.problem or err.context or "syntax error"
            advice = (
                "YAML indents with spaces, not tabs — replace the tab with spaces"
                if "'\\t'" in what
                else "fix the syntax here"
            )
            self.problem(path, mark.line + 1 if mark else 1, f"not valid YAML: {what} — {advice}")
        except yaml.YAMLError as err:
            self.problem(path, 1, f"not valid YAML: {err}")
        return None

    def too_deep(self, path: Path, text: str, line: int | None = None) -> list[yaml.Node] | None:
        """A value nested so deeply that the YAML reader gives up or runs out of stack; reported where
        the nesting gets deep (the first line that opens more than MAX_DEPTH brackets) unless known."""
        if line is None:
            depth, line = 0, 1
            for number, content in enumerate(text.splitlines(), start=1):
                depth += sum(content.count(c) for c in "[{") - sum(content.count(c) for c in "]}")
                if depth > MAX_DEPTH:
                    line = number
                    break
        self.problem(
            path, line, "not valid YAML: values nested too deeply — facts need only a few levels; flatten this value"
        )
        return None  # no documents to load

    def aliases_bounded(self, path: Path, documents: list[yaml.Node]) -> bool:
        """Refuse YAML aliases (*name) that refer to the value they are in, or that repeat values so often
        that reading them would take unbounded time and memory (a "billion laughs"): the composer shares
        an aliased node, but everything after it walks the tree as if it were written out."""
        sizes: dict[int, int] = {}  # id(node) → how many nodes it expands to
        open_nodes: set[int] = set()
        for document in documents:
            if document is None:
                continue
            distinct: set[int] = set()
            # Iterative post-order walk: a deep tree must not exhaust the stack here either.
            stack: list[tuple[yaml.Node, bool]] = [(document, False)]
            while stack:
                node, done = stack.pop()
                key = id(node)
                children = _children(node)
                if done:
                    open_nodes.discard(key)
                    sizes[key] = 1 + sum(sizes[id(child)] for child in children)
                    continue
                if key in sizes:
                    continue
                if key in open_nodes:
                    self.problem(
                        path,
                        node,
                        "a YAML anchor here is used (*alias) inside its own value, which would repeat it "
                        "forever — write the value out instead",
                    )
                    return False
                open_nodes.add(key)
                distinct.add(key)
                stack.append((node, True))
                stack.extend((child, False) for child in children if id(child) not in sizes)
            if sizes[id(document)] - len(distinct) > MAX_ALIASED_NODES:
                self.problem(
                    path,
                    document,
                    f"YAML aliases (*name) in this file repeat more than {MAX_ALIASED_NODES:,} values "
                    "(a 'billion laughs') — write the values out, or use fewer aliases",
                )
                return False
        return True

    def load_document(self, path: Path, document: yaml.Node) -> None:
        if not isinstance(document, yaml.MappingNode):
            self.problem(path, document, "a facts file is a mapping from kinds (drugs:, claims: …) to lists of records")
            self.unloaded |= _ids_below(document)
            return
        defaults = {}
        for key, value in document.value:
            if key.value == "source" and isinstance(value, yaml.ScalarNode):
                defaults["source"] = (value.value.strip(), value.start_mark.line + 1)
        self.defaults = defaults  # the file's defaults also fill nested evidence entries
        for key, value in document.value:
            if key.value in ("source", CANDIDATES_KEY):
                continue
            if key.value == DRAFTS_KEY:
                self.load_drafts(path, value, defaults)
                continue
            kind = KIND_BY_KEY.get(key.value)
            if kind is None:
                self.problem(path, key, f"unknown kind '{key.value}'{suggest(key.value, KIND_BY_KEY)}")
                self.unloaded |= _ids_below(value)
                continue
            if not isinstance(value, yaml.SequenceNode):
                self.problem(path, value, f"'{key.value}' must be a list of records (each starting with '- id: …')")
                self.unloaded |= _ids_below(value)
                continue
            for item in value.value:
                record = self.read_record(path, kind, item, defaults)
                if record is None:
                    self.unloaded |= _ids_below(item)
                else:
                    self.records.append(record)
                    self.records.extend(record.children)

    def load_drafts(self, path: Path, node: yaml.Node, defaults: dict[str, tuple[str, int]]) -> None:
        """`drafts:` (written by `her2kg extract`): each draft names its record kind and its review
        status; an accepted draft is read as an ordinary record of its kind (every usual check, at
        its own lines), the others are only counted."""
        if not isinstance(node, yaml.SequenceNode):
            self.problem(path, node, f"'{DRAFTS_KEY}' must be a list of drafts (each starting with '- id: …')")
            self.unloaded |= _ids_below(node)
            return
        shown = str(self.where(path, 0).file)
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                self.problem(path, item, "a draft must be a mapping of 'key: value' lines")
                continue
            own = {k.value: v for k, v in item.value if k.value in DRAFT_KEYS}
            review = own.get("review")
            status = review.value if isinstance(review, yaml.ScalarNode) else None
            if status not in REVIEW_STATUSES:
                self.problem(
                    path,
                    review if review is not None else item,
                    f"a draft needs 'review: {DRAFT_PENDING}' or 'review: {DRAFT_ACCEPTED}'"
                    f" (found {status!r}) — set it to '{DRAFT_ACCEPTED}' to load the draft, or delete the draft",
                )
                self.unloaded |= _ids_below(item)
                continue
            if status == DRAFT_PENDING:
                self.drafts_pending[shown] = self.drafts_pending.get(shown, 0) + 1
                continue
            kind_node = own.get("kind")
            kind = KINDS.get(kind_node.value) if isinstance(kind_node, yaml.ScalarNode) else None
            if kind is None or kind.nested_in:
                self.problem(
                    path,
                    kind_node if kind_node is not None else item,
                    "an accepted draft needs 'kind:' naming its record kind (claim, outcome …)"
                    + (suggest(kind_node.value, KINDS) if isinstance(kind_node, yaml.ScalarNode) else ""),
                )
                self.unloaded |= _ids_below(item)
                continue
            fields = [(k, v) for k, v in item.value if k.value not in DRAFT_KEYS]
            record_node = yaml.MappingNode(item.tag, fields, item.start_mark, item.end_mark, item.flow_style)
            record = self.read_record(path, kind, record_node, defaults)
            if record is None:
                self.unloaded |= _ids_below(item)
            else:
                self.records.append(record)
                self.records.extend(record.children)

    def read_mapping(
        self,
        path: Path,
        node: yaml.Node,
        fields: tuple[Field, ...],
        what: str,
        defaults: dict[str, tuple[str, int]] | None = None,
        unit_home: str | None = None,
    ):
        """Check a mapping's keys against `fields`; return (values, lines) of the valid ones.

        `defaults` ({key: (value, line)}) fill fields the mapping leaves out (a file's `source:`);
        `unit_home` says where a number's unit belongs, for the hint on '8.8 months'.
        """
        if not isinstance(node, yaml.MappingNode):
            self.problem(path, node, f"{what} must be a mapping of 'key: value' lines")
            return None
        known = {f.key: f for f in fields}
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
        present: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            spec = known.get(key)
            if spec is None:
                self.problem(path, key_node, f"unknown key '{key}' in {what}{suggest(key, known)}")
                continue
            if key in present:
                self.problem(path, key_node, f"'{key}' is given twice in {what}; keep one")
                continue
            present.add(key)
            value = self.read_value(path, spec, value_node, what, fields, unit_home)
            if value is not None:
                values[key] = value
                lines[key] = value_node.start_mark.line + 1
                if isinstance(value_node, yaml.SequenceNode):  # each item's own line, for messages about one item
                    for i, item in enumerate(value_node.value):
                        lines[self.shared(f"{key}[{i}]")] = item.start_mark.line + 1
        for key, (value, line) in (defaults or {}).items():
            if key in known and key not in present:
                values[key], lines[key] = value, line
                present.add(key)
        for spec in fields:
            if spec.required and spec.key not in present:
                self.problem(path, node, f"{what} lacks the required field '{spec.key}'")
        return values, lines

    def read_record(self, path: Path, kind: Kind, node: yaml.Node, defaults, parent: Record | None = None):
        what = kind.name
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == "id" and isinstance(value_node, yaml.ScalarNode):
                    what = f"{kind.name} '{value_node.value}'"
        unit_home = "'unit:'" if kind.field("unit") else None
        mapping = self.read_mapping(path, node, kind.fields, what, defaults, unit_home)
        if mapping is None:
            return None
        values, lines = mapping
        location = self.where(path, node)
        record_id = values.get("id")
        id_field = kind.field("id")
        if record_id is None:
            if id_field is None or id_field.required:
                return None  # its lack is reported already
            record_id = _claim_id(values)
        elif not SLUG.match(record_id):
            self.problem(
                path, lines["id"], f"id '{record_id}' is not a slug: use lower-case letters, digits and single hyphens"
            )
            return None
        record = Record(kind, record_id, values, lines, location, parent)
        for spec in kind.fields:
            if spec.type is FieldType.ARMS and isinstance(values.get(spec.key), list):
                arm_kind = next(k for k in KINDS.values() if k.nested_in == spec.key)
                for arm_node in values[spec.key]:
                    arm = self.read_record(path, arm_kind, arm_node, None, parent=record)
                    if arm is None:
                        self.unloaded |= _ids_below(arm_node)
                    else:
                        record.children.append(arm)
                values[spec.key] = [child.ref for child in record.children]
        return record

    def read_value(
        self, path: Path, spec: Field, node: yaml.Node, what: str, fields: tuple[Field, ...], unit_home: str | None
    ):
        if (spec.many or spec.type.listed) and isinstance(node, yaml.SequenceNode):
            items = [self.read_one(path, spec, item, what, fields, unit_home) for item in node.value]
            return items if all(i is not None for i in items) else None
        if spec.type.listed:
            self.problem(path, node, f"'{spec.key}' in {what} must be a list")
            return None
        one = self.read_one(path, spec, node, what, fields, unit_home)
        if one is None:
            return None
        return [one] if spec.many else one

    def read_one(
        self, path: Path, spec: Field, node: yaml.Node, what: str, fields: tuple[Field, ...], unit_home: str | None
    ):
        kind = spec.type
        if kind is FieldType.EVIDENCE:
            mapping = self.read_mapping(
                path, node, EVIDENCE_ENTRY_FIELDS, f"an evidence entry of {what}", self.defaults
            )
            return Entry(mapping[0], mapping[1], self.where(path, node)) if mapping else None
        if kind is FieldType.ARM_VALUES:
            mapping = self.read_mapping(
                path,
                node,
                ARM_VALUE_FIELDS,
                f"an arm value of {what}",
                unit_home="the outcome's 'unit:'" if unit_home else None,
            )
            return Entry(mapping[0], mapping[1], self.where(path, node)) if mapping else None
        if kind is FieldType.ARMS:
            return node  # read as records by read_record
        if kind is FieldType.IDENTIFIERS:
            return self.read_identifiers(path, node, what)
        if not isinstance(node, yaml.ScalarNode):
            expected = "a list" if spec.many else "a single value"
            self.problem(path, node, f"'{spec.key}' in {what} must be {expected}, not a nested structure")
            return None
        if node.tag == NULL_TAG:
            self.problem(path, node, f"'{spec.key}' in {what} is empty — give a value or remove the key")
            return None
        assert kind.reader is not None
        try:
            value = kind.reader(node.value, node.tag)
            return self.shared(value) if kind in _NAMES else value
        except BadValue as err:
            self.problem(path, node, f"'{spec.key}' in {what} {err}{_hint(spec, node, fields, unit_home)}")
            return None

    def read_identifiers(self, path: Path, node: yaml.Node, what: str):
        if not isinstance(node, yaml.MappingNode):
            self.problem(path, node, f"'identifiers' in {what} must be a mapping like {{hgnc: 'HGNC:3430'}}")
            return None
        result = {}
        for key_node, value_node in node.value:
            if not isinstance(value_node, yaml.ScalarNode) or not value_node.value.strip():
                self.problem(path, value_node, f"identifier '{key_node.value}' in {what} must be one value")
                continue
            try:  # checked against the registry's pattern here, so no IRI is made from unchecked text
                identifier = parse_identifier(key_node.value, value_node.value)
            except IdentifierError as err:
                self.problem(path, value_node, f"identifier '{value_node.value}' in {what} {err}")
                continue
            result[key_node.value] = (identifier, value_node.start_mark.line + 1)
        return result

    # -- cross-record checks ---------------------------------------------------------------------
    def check_references(self) -> None:
        index: dict[tuple[str, str], Record] = {}
        for record in self.records:
            key = (record.kind.name, record.id)
            if key in index:
                first = index[key]
                self.problems_at(
                    record.location,
                    f"duplicate {record.kind.name} id '{record.id}' — first defined "
                    f"at {first.location}; merge the two or rename one",
                )
            else:
                index[key] = record
        for record in self.records:
            kind = record.kind
            self.check_record_refs(record, record.values, record.lines, _checked_fields(kind.fields), index)
            for spec in _nested_fields(kind.fields):
                entry_fields = _checked_fields(
                    EVIDENCE_ENTRY_FIELDS if spec.type is FieldType.EVIDENCE else ARM_VALUE_FIELDS
                )
                for entry in record.values.get(spec.key, []):
                    self.check_record_refs(record, entry.values, entry.lines, entry_fields, index, entry.location.file)
        for record in self.records:
            if record.kind.states_relation:
                self.check_relation_kinds(record, index)
            self.check_arm_values(record, index)

    def shared(self, text: str) -> str:
        return self.strings.setdefault(text, text)

    def problems_at(self, place: Location, message: str) -> None:
        self.load_problems.append(Problem(place, message))

    def check_record_refs(
        self, record: Record, values: dict, lines: dict, fields: tuple[Field, ...], index, file: str | None = None
    ) -> None:
        """Check the references, vocabulary values and relations among `fields` (see `_checked_fields`)."""
        for spec in fields:
            if spec.key not in values:
                continue
            items = values[spec.key] if spec.many else [values[spec.key]]
            if spec.type is FieldType.REF:
                resolved = [self.resolve(spec, item, index, file or record.location.file, lines) for item in items]
                values[spec.key] = resolved if spec.many else resolved[0]
                continue
            allowed = (
                self.ontology.vocabularies.get(spec.scheme or "", {})
                if spec.type is FieldType.VOCAB
                else self.ontology.claim_relations
            )
            for item in items:
                if item in allowed:
                    continue
                place = Location(file or record.location.file, lines[spec.key])
                if spec.type is FieldType.VOCAB:
                    self.problems_at(
                        place,
                        f"'{item}' is not a known {spec.key} value{suggest(item, allowed)}"
                        f" (allowed: {', '.join(sorted(allowed))})",
                    )
                else:
                    self.problems_at(
                        place,
                        f"'{item}' is not a known relation{suggest(item, allowed)}"
                        f" (relations are the sub-properties of hk:statedRelation in ontology/)",
                    )

    def resolve(self, spec: Field, text: str, index, file: str, lines: dict) -> str:
        """The reference `text` of the field `spec` with its kind (a bare id gets the one its field admits);
        a problem where it names nothing, or a thing of a kind the field does not admit."""
        kind_name, slash, slug = text.partition("/")
        if slash and (kind_name, slug) in index and (not spec.targets or kind_name in spec.targets):
            return self.shared(text)  # the common case, checked before any message is made
        place = Location(file, lines[spec.key])
        if not slash:
            # A bare id is fine when exactly one of the kinds the field admits has it.
            candidates = [k for k in spec.targets if (k, text) in index] or list(spec.targets[:1])
            if len(candidates) != 1 or (len(spec.targets) != 1 and (candidates[0], text) not in index):
                options = " or ".join(f"'{k}/{text}'" for k in (spec.targets or ("<kind>",)))
                self.link_problem(place, f"'{text}' needs its kind: write {options}", text)
                return text
            kind_name, slug = candidates[0], text
        if kind_name not in KINDS:
            self.link_problem(place, f"'{text}': unknown kind '{kind_name}'{suggest(kind_name, KINDS)}")
            return text
        if spec.targets and kind_name not in spec.targets:
            self.link_problem(
                place, f"'{spec.key}' must refer to a {' or '.join(spec.targets)}, not a {kind_name} ('{text}')"
            )
            return text
        if (kind_name, slug) not in index:
            same_kind = [s for (k, s) in index if k == kind_name]
            self.link_problem(
                place,
                f"'{kind_name}/{slug}' refers to no {kind_name}{suggest(slug, same_kind)}"
                f" — define it (id: {slug}) or fix the reference",
                slug,
            )
        return self.shared(f"{kind_name}/{slug}")

    def check_relation_kinds(self, record: Record, index) -> None:
        """A claim's subject and object must be of kinds its relation admits (the relation's
        rdfs:domain and rdfs:range), or the graph contradicts the ontology."""
        relation = record.values.get("relation")
        if relation not in self.ontology.claim_relations:
            return
        for role in ("subject", "object"):
            ref = record.values.get(role)
            target = index.get(tuple(ref.split("/", 1))) if isinstance(ref, str) and "/" in ref else None
            if target is None:
                continue
            if (relation, role) not in self.relation_kinds:
                self.relation_kinds[(relation, role)] = self.ontology.relation_kinds(relation, role)
            allowed = self.relation_kinds[(relation, role)]
            if allowed is not None and target.kind.name not in allowed:
                self.link_problem(
                    record.line_of(role),
                    f"'{ref}' is a {target.kind.name}, but the {role} of '{relation}' must be a "
                    f"{' or '.join(sorted(allowed))} — fix the {role} or choose another relation",
                )

    def check_arm_values(self, record: Record, index) -> None:
        """Every arm value of an outcome is for an arm of the outcome's own study."""
        study = record.values.get("trial")
        if not isinstance(study, str):
            return
        for entry in record.values.get("arm-values", []):
            arm_ref = entry.values.get("arm")
            arm = index.get(tuple(arm_ref.split("/", 1))) if isinstance(arm_ref, str) and "/" in arm_ref else None
            own = index.get(tuple(study.split("/", 1)))
            analysed = own.values.get("analysis-of", []) if own else []
            if arm is None or arm.parent is None or arm.parent.ref in (study, *analysed):
                continue
            arms = ", ".join(own.values.get("arms", [])) if own else ""
            self.link_problem(
                Location(entry.location.file, entry.lines.get("arm", entry.location.line)),
                f"'{arm_ref}' is an arm of {arm.parent.ref}, not of this outcome's {study}"
                + (
                    f" — use one of: {arms}"
                    if arms
                    else f" — if {study} is an analysis of {arm.parent.ref}, say so in its 'analysis-of:'"
                ),
            )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _hint(spec: Field, node: yaml.ScalarNode, fields: tuple[Field, ...], unit_home: str | None) -> str:
    """Advice that works for a value of the wrong type: what to write instead, in this record."""
    raw = node.value.strip()
    numbers = NUMBER.findall(raw)
    if not spec.is_number() or not numbers or node.tag in (INT_TAG, FLOAT_TAG):  # YAML read a number: 0x7E5, 1e400
        return ""
    if NUMBER.fullmatch(raw):
        if node.style in ("'", '"'):
            return f" — remove the quotes: {spec.key}: {raw}"
        return ""  # a decimal in a whole-number field: the message says so
    keys = {f.key for f in fields}
    if len(numbers) >= 3 and {"ci-lower", "ci-upper"} <= keys:
        estimate, lower, upper = numbers[0], numbers[-2], numbers[-1]
        return (
            f" — write the estimate alone ({spec.key}: {estimate}) and the interval as "
            f"ci-lower: {lower} and ci-upper: {upper}"
        )
    if unit_home:
        return f" — write the number alone ({spec.key}: {numbers[0]}) and put the unit in {unit_home}"
    return f" — write the number alone: {spec.key}: {numbers[0]}"


def _claim_id(values: dict) -> str:
    """A stable id for a claim the curator did not name: readable parts plus a content hash."""
    parts = [values.get(k, "") for k in ("subject", "relation", "object", "source")]
    quotes = values.get("quote", [])
    digest = hashlib.sha1("\x1f".join(map(str, parts + list(quotes))).encode()).hexdigest()[:8]
    stem = "-".join(re.sub(r"[^a-z0-9]+", "-", str(p).split("/")[-1].lower()).strip("-") for p in parts[:3])
    return f"{stem[:80].strip('-')}-{digest}"


@dataclass
class LoadedPart:
    """What loading some of the facts files found (see `_Loader.loaded`)."""

    records: list[Record]
    load_problems: list[Problem]
    link_problems: list[tuple[Problem, str]]
    unloaded: set[str]
    drafts_pending: dict[str, int]


# Below this many bytes of facts files they are read in this process alone: a second one costs more than it saves.
LOADED_BESIDE_FROM = 4_000_000
SHARE_BESIDE = 0.46  # of the bytes: the process beside sends its records back, pickled (a fifth of its time)


def _halves(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """`paths` in two runs, the second (loaded beside this process) of about SHARE_BESIDE of the bytes: none when
    the files are small. Two runs in order: the records keep the order of the files."""
    sizes = [path.stat().st_size for path in paths]
    total = sum(sizes)
    if total < LOADED_BESIDE_FROM or len(paths) < 2:
        return paths, []
    here = 0
    while here < len(paths) - 1 and sum(sizes[: here + 1]) <= total * (1 - SHARE_BESIDE):
        here += 1
    return paths[: max(here, 1)], paths[max(here, 1) :]


def load_facts(folder: Path, ontology: Ontology | None = None, display_root: Path | None = None) -> Facts:
    """Read every facts file below `folder`; raise FactsError with all problems, in tiers and by place."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such facts folder — pass --facts DIR (the folder of your *.yaml facts)")
    root = display_root if display_root is not None else folder.parent
    loader = _Loader(folder, ontology or Ontology(), root)
    with gc_paused():
        return loader.load()
