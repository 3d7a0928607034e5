"""facts/*.yaml → records that remember their file and line, or every problem at once.

Values are read from YAML nodes, not from Python objects, so that each value keeps its line and
numbers keep the exact digits the curator wrote (0.49 stays 0.49, never 0.48999…).
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .errors import FactsError, Location, Problem
from .identifiers import IdentifierError, parse_identifier
from .ontology import Ontology
from .resources import files
from .schema import ARM_FIELDS, ARM_VALUE_FIELDS, EVIDENCE_ENTRY_FIELDS, KIND_BY_KEY, KINDS, Field, Kind

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_TEXT = 2000
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
# libyaml's composer is ~10× faster and gives the same nodes and marks; PyYAML may lack it.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Entry:
    """A nested mapping (an evidence passage, an arm value): its values and their lines."""

    values: dict
    lines: dict[str, int]
    location: Location


@dataclass
class Record:
    kind: Kind
    id: str
    values: dict
    lines: dict[str, int]
    location: Location
    parent: "Record | None" = None
    children: list["Record"] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.kind.name}/{self.id}"


@dataclass
class Facts:
    records: list[Record]
    folder: Path

    def of_kind(self, name: str) -> list[Record]:
        return [r for r in self.records if r.kind.name == name]


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.75)
    return f" — did you mean '{close[0]}'?" if close else ""


class _Loader:
    def __init__(self, folder: Path, ontology: Ontology, display_root: Path):
        self.folder = folder
        self.ontology = ontology
        self.display_root = display_root
        self.problems: list[Problem] = []
        self.records: list[Record] = []
        self.defaults: dict = {}

    # -- reporting --------------------------------------------------------------------------
    def where(self, path: Path, node_or_line) -> Location:
        line = node_or_line if isinstance(node_or_line, int) else node_or_line.start_mark.line + 1
        try:
            shown = path.resolve().relative_to(self.display_root.resolve())
        except ValueError:
            shown = path
        return Location(str(shown), line)

    def problem(self, path: Path, node_or_line, message: str) -> None:
        self.problems.append(Problem(self.where(path, node_or_line), message))

    # -- reading ------------------------------------------------------------------------------
    def load(self) -> Facts:
        paths = files(self.folder, "*.yaml", "*.yml")
        if not paths:
            raise FactsError([Problem(Location(str(self.folder), 0),
                                      "no facts files (*.yaml) found — pass --facts DIR")])
        for path in paths:
            self.load_file(path)
        self.check_references()
        if self.problems:
            raise FactsError(self.problems)
        return Facts(self.records, self.folder)

    def load_file(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            self.problem(path, 1, f"not UTF-8 text ({err.reason} at byte {err.start}) — save the file as UTF-8")
            return
        try:
            documents = list(yaml.compose_all(text, Loader=_YAML_LOADER))
        except yaml.YAMLError:
            # Re-read with the pure-Python composer for its clearer, platform-independent message.
            try:
                documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
            except yaml.MarkedYAMLError as err:
                mark = err.problem_mark or err.context_mark
                line = mark.line + 1 if mark else 1
                self.problem(path, line, f"not valid YAML: {err.problem or err.context} — fix the syntax here")
                return
            except yaml.YAMLError as err:
                self.problem(path, 1, f"not valid YAML: {err}")
                return
        for document in documents:
            if document is None:
                continue
            if not isinstance(document, yaml.MappingNode):
                self.problem(path, document, "a facts file is a mapping from kinds (drugs:, claims: …) to lists of records")
                continue
            defaults = {}
            for key, value in document.value:
                if key.value == "source" and isinstance(value, yaml.ScalarNode):
                    defaults["source"] = (value.value.strip(), value.start_mark.line + 1)
            self.defaults = defaults  # the file's defaults also fill nested evidence entries
            for key, value in document.value:
                if key.value == "source":
                    continue
                kind = KIND_BY_KEY.get(key.value)
                if kind is None:
                    self.problem(path, key, f"unknown kind '{key.value}'{_suggest(key.value, KIND_BY_KEY)}")
                    continue
                if not isinstance(value, yaml.SequenceNode):
                    self.problem(path, value, f"'{key.value}' must be a list of records (each starting with '- id: …')")
                    continue
                for item in value.value:
                    record = self.read_record(path, kind, item, defaults)
                    if record is not None:
                        self.records.append(record)
                        self.records.extend(record.children)

    def read_mapping(self, path: Path, node, fields: tuple[Field, ...], what: str, defaults=None):
        """Check a mapping's keys against `fields`; return (values, lines) of the valid ones.

        `defaults` ({key: (value, line)}) fill fields the mapping leaves out (a file's `source:`).
        """
        if not isinstance(node, yaml.MappingNode):
            self.problem(path, node, f"{what} must be a mapping of 'key: value' lines")
            return None
        known = {f.key: f for f in fields}
        values, lines, present = {}, {}, set()
        for key_node, value_node in node.value:
            key = key_node.value
            spec = known.get(key)
            if spec is None:
                self.problem(path, key_node, f"unknown key '{key}' in {what}{_suggest(key, known)}")
                continue
            if key in present:
                self.problem(path, key_node, f"'{key}' is given twice in {what}; keep one")
                continue
            present.add(key)
            value = self.read_value(path, spec, value_node, what)
            if value is not None:
                values[key] = value
                lines[key] = value_node.start_mark.line + 1
        for key, (value, line) in (defaults or {}).items():
            if key in known and key not in present:
                values[key], lines[key] = value, line
                present.add(key)
        for spec in fields:
            if spec.required and spec.key not in present:
                self.problem(path, node, f"{what} lacks the required field '{spec.key}'")
        return values, lines

    def read_record(self, path: Path, kind: Kind, node, defaults, parent: Record | None = None):
        what = kind.name
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == "id" and isinstance(value_node, yaml.ScalarNode):
                    what = f"{kind.name} '{value_node.value}'"
        fields = ARM_FIELDS if kind.name == "arm" else kind.fields
        mapping = self.read_mapping(path, node, fields, what, defaults)
        if mapping is None:
            return None
        values, lines = mapping
        location = self.where(path, node)
        record_id = values.get("id")
        if record_id is None:
            if kind.name != "claim":
                return None
            record_id = _claim_id(values)
        elif not SLUG.match(record_id):
            self.problem(path, lines["id"], f"id '{record_id}' is not a slug: use lower-case letters, digits and single hyphens")
            return None
        record = Record(kind, record_id, values, lines, location, parent)
        for arm_node in _arm_nodes(node):
            arm_record = self.read_record(path, KINDS["arm"], arm_node, None, parent=record)
            if arm_record is not None:
                record.children.append(arm_record)
        if "arms" in values:
            values["arms"] = [f"arm/{child.id}" for child in record.children]
        return record

    def read_value(self, path: Path, spec: Field, node, what: str):
        listed = spec.type in ("evidence", "arms", "arm-values")
        if (spec.many or listed) and isinstance(node, yaml.SequenceNode):
            items = [self.read_one(path, spec, item, what) for item in node.value]
            return items if all(i is not None for i in items) else None
        if listed:
            self.problem(path, node, f"'{spec.key}' in {what} must be a list")
            return None
        one = self.read_one(path, spec, node, what)
        if one is None:
            return None
        return [one] if spec.many else one

    def read_one(self, path: Path, spec: Field, node, what: str):
        kind = spec.type
        if kind == "evidence":
            mapping = self.read_mapping(path, node, EVIDENCE_ENTRY_FIELDS, f"an evidence entry of {what}",
                                        self.defaults)
            return Entry(*mapping, self.where(path, node)) if mapping else None
        if kind == "arm-values":
            mapping = self.read_mapping(path, node, ARM_VALUE_FIELDS, f"an arm value of {what}")
            return Entry(*mapping, self.where(path, node)) if mapping else None
        if kind == "arms":
            return node  # read as records by read_record
        if kind == "identifiers":
            if not isinstance(node, yaml.MappingNode):
                self.problem(path, node, f"'identifiers' in {what} must be a mapping like {{hgnc: 'HGNC:3430'}}")
                return None
            result = {}
            for key_node, value_node in node.value:
                if not isinstance(value_node, yaml.ScalarNode) or not value_node.value.strip():
                    self.problem(path, value_node, f"identifier '{key_node.value}' in {what} must be one value")
                    continue
                try:
                    identifier = parse_identifier(key_node.value, value_node.value)
                except IdentifierError as err:
                    self.problem(path, value_node, f"identifier '{value_node.value}' in {what} {err}")
                    continue
                result[key_node.value] = (identifier, value_node.start_mark.line + 1)
            return result
        if not isinstance(node, yaml.ScalarNode):
            expected = "a list" if spec.many else "a single value"
            self.problem(path, node, f"'{spec.key}' in {what} must be {expected}, not a nested structure")
            return None
        if node.tag == NULL_TAG:
            self.problem(path, node, f"'{spec.key}' in {what} is empty — give a value or remove the key")
            return None
        raw = node.value
        if kind in ("text", "quote", "ref", "vocab", "relation"):
            text = raw.strip()
            if not text:
                self.problem(path, node, f"'{spec.key}' in {what} is empty — give a value or remove the key")
                return None
            if kind == "text" and len(text) > MAX_TEXT:
                self.problem(path, node, f"'{spec.key}' in {what} is longer than {MAX_TEXT} characters")
                return None
            return text
        if kind == "integer":
            if node.tag != INT_TAG:
                self.problem(path, node, f"'{spec.key}' in {what} must be a whole number, got '{raw}'"
                             + (" — put the unit in 'unit:'" if re.search(r"\d", raw) else ""))
                return None
            return int(raw.replace("_", ""))
        if kind == "decimal":
            if node.tag not in (INT_TAG, FLOAT_TAG):
                self.problem(path, node, f"'{spec.key}' in {what} must be a number, got '{raw}'"
                             + (" — write the number alone and put the unit in 'unit:'" if re.search(r"\d", raw) else ""))
                return None
            try:
                return Decimal(raw.replace("_", ""))
            except InvalidOperation:
                self.problem(path, node, f"'{spec.key}' in {what} must be a finite number, got '{raw}'")
                return None
        if kind == "boolean":
            if node.tag != BOOL_TAG:
                self.problem(path, node, f"'{spec.key}' in {what} must be true or false, got '{raw}'")
                return None
            return raw.lower() in ("true", "yes", "on", "y")
        raise AssertionError(f"unhandled field type {kind}")

    # -- cross-record checks ---------------------------------------------------------------------
    def check_references(self) -> None:
        index: dict[tuple[str, str], Record] = {}
        for record in self.records:
            key = (record.kind.name, record.id)
            if key in index:
                first = index[key]
                self.problems.append(Problem(record.location,
                                             f"duplicate {record.kind.name} id '{record.id}' — first defined at {first.location}; merge the two or rename one"))
            else:
                index[key] = record
        for record in self.records:
            self.check_record_refs(record, record.values, record.lines, record.kind.fields if record.kind.name != "arm" else ARM_FIELDS, index)
            for key in ("evidence", "arm-values"):
                spec = record.kind.field(key)
                if spec is None or spec.type != key:
                    continue
                for entry in record.values.get(key, []):
                    fields = EVIDENCE_ENTRY_FIELDS if key == "evidence" else ARM_VALUE_FIELDS
                    self.check_record_refs(record, entry.values, entry.lines, fields, index, entry.location.file)

    def check_record_refs(self, record: Record, values: dict, lines: dict, fields, index, file=None) -> None:
        vocabularies = self.ontology.vocabularies
        for spec in fields:
            if spec.key not in values:
                continue
            line = lines[spec.key]
            place = Location(file or record.location.file, line)
            items = values[spec.key] if spec.many else [values[spec.key]]
            resolved = []
            for item in items:
                if spec.type == "ref":
                    resolved.append(self.resolve(spec, item, index, place))
                elif spec.type == "vocab":
                    allowed = vocabularies.get(spec.scheme, {})
                    if item not in allowed:
                        self.problems.append(Problem(place, f"'{item}' is not a known {spec.key} value{_suggest(item, allowed)}"
                                                            f" (allowed: {', '.join(sorted(allowed))})"))
                elif spec.type == "relation":
                    relations = self.ontology.claim_relations
                    if item not in relations:
                        self.problems.append(Problem(place, f"'{item}' is not a known relation{_suggest(item, relations)}"
                                                            f" (relations are the sub-properties of hk:statedRelation in ontology/)"))
            if spec.type == "ref":
                values[spec.key] = resolved if spec.many else resolved[0]

    def resolve(self, spec: Field, text: str, index, place: Location) -> str:
        kind_name, slash, slug = text.partition("/")
        if not slash:
            # A bare id is fine when exactly one of the kinds the field admits has it.
            candidates = [k for k in spec.targets if (k, text) in index] or list(spec.targets[:1])
            if len(candidates) != 1 or (len(spec.targets) != 1 and (candidates[0], text) not in index):
                options = " or ".join(f"'{k}/{text}'" for k in (spec.targets or ("<kind>",)))
                self.problems.append(Problem(place, f"'{text}' needs its kind: write {options}"))
                return text
            kind_name, slug = candidates[0], text
        if kind_name not in KINDS:
            self.problems.append(Problem(place, f"'{text}': unknown kind '{kind_name}'{_suggest(kind_name, KINDS)}"))
            return text
        if spec.targets and kind_name not in spec.targets:
            self.problems.append(Problem(place, f"'{spec.key}' must refer to a {' or '.join(spec.targets)}, not a {kind_name} ('{text}')"))
            return text
        if (kind_name, slug) not in index:
            same_kind = [s for (k, s) in index if k == kind_name]
            self.problems.append(Problem(place, f"'{kind_name}/{slug}' refers to no {kind_name}{_suggest(slug, same_kind)}"
                                                f" — define it (id: {slug}) or fix the reference"))
        return f"{kind_name}/{slug}"


def _arm_nodes(node) -> list:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == "arms" and isinstance(value_node, yaml.SequenceNode):
                return list(value_node.value)
    return []


def _claim_id(values: dict) -> str:
    """A stable id for a claim the curator did not name: readable parts plus a content hash."""
    parts = [values.get(k, "") for k in ("subject", "relation", "object", "source")]
    quotes = values.get("quote", [])
    digest = hashlib.sha1("\x1f".join(map(str, parts + list(quotes))).encode()).hexdigest()[:8]
    stem = "-".join(re.sub(r"[^a-z0-9]+", "-", str(p).split("/")[-1].lower()).strip("-") for p in parts[:3])
    return f"{stem[:80].strip('-')}-{digest}"


def load_facts(folder: Path, ontology: Ontology | None = None, display_root: Path | None = None) -> Facts:
    """Read every facts file below `folder`; raise FactsError with all problems, sorted by place."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FactsError([Problem(Location(str(folder), 0), "facts folder not found — pass --facts DIR")])
    root = display_root if display_root is not None else folder.parent
    return _Loader(folder, ontology or Ontology(), root).load()
