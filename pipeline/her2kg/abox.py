"""Records → triples (the ABox). Pure: the same records always give the same graph.

Every curated record becomes a named individual at `https://w3id.org/her2kg/<kind>/<id>`; the
nodes the curator does not name (evidence passages, arm results) get IRIs derived from their
parent's, so the data has no blank nodes. A relation claim yields both a claim node (with its
source, quote and qualifiers) and, only when the source states it without hedging and it supports
the relation, the plain triple — the "truthy" statement that simple queries use. A property
statement likewise copies its attributes onto its subject under the same condition.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.store import Store
from rdflib.term import Node

from .errors import Location
from .facts import Entry, Facts, Record, gc_paused
from .identifiers import Identifier
from .namespaces import HK, OBOINOWL, SKOS, bind_prefixes
from .ontology import Ontology
from .schema import (
    ARM_RESULT_NAMING,
    ARM_VALUE_FIELDS,
    EVIDENCE_ENTRY_FIELDS,
    EVIDENCE_NAMING,
    PROPERTY_ATTRIBUTE_FIELDS,
    Field,
    FieldType,
    Naming,
    Part,
    ref_iri,
)

SUPPORTS = "supports"
STATED = "stated"

# The terms written for every record, made once: a namespace makes a new term object on each access.
TYPE, LABEL, NAMED_INDIVIDUAL = RDF.type, RDFS.label, OWL.NamedIndividual
CLAIM, ENTITY_EVIDENCE, ARM_RESULT = HK.Claim, HK.EntityEvidence, HK.ArmResult
DESCRIBES, MENTIONED_IN, HAS_ARM_RESULT, UNIT, HAS_ARM, ARM_OF = (
    HK.describes,
    HK.mentionedIn,
    HK.hasArmResult,
    HK.unit,
    HK.hasArm,
    HK.armOf,
)
HAS_DB_XREF, EXACT_MATCH = OBOINOWL.hasDbXref, SKOS.exactMatch


def is_plain(values: dict[str, Any]) -> bool:
    """A statement the graph may repeat as a plain triple: it supports, and it is not hedged."""
    return values.get("polarity", SUPPORTS) == SUPPORTS and values.get("hedge", STATED) == STATED


@dataclass
class Locations:
    """Where each node, and each of its fields, was written in the facts: for reporting."""

    nodes: dict[URIRef, Location] = field(default_factory=dict)
    fields: dict[tuple[URIRef, URIRef], Location] = field(default_factory=dict)

    def of(self, node: URIRef, predicate: URIRef | None = None) -> Location | None:
        """The field's line if known, else the record's; nested nodes (…/evidence/…, …/arm/…) fall
        back to their parent record."""
        if predicate is not None and (node, predicate) in self.fields:
            return self.fields[(node, predicate)]
        text = str(node)
        while text:
            if URIRef(text) in self.nodes:
                return self.nodes[URIRef(text)]
            text = text.rpartition("/")[0] if "/" in text[len("https://") :] else ""
        return None


Triple = tuple[Node, Node, Node]
NO_CONTEXTS: tuple[Graph, ...] = ()  # a TripleSet holds one graph


class TripleSet(Store):
    """An rdflib store for the ABox: one set of triples, appended to cheaply, indexed on first read.

    rdflib's Memory store keeps three indexes and dispatches an event on every add, which is most of
    the cost of building a large graph. The builder only adds, then the graph is read (by the
    validators, the reports and the release writers), so the indexes are built once, when first
    needed, and dropped again by a later change.
    """

    # pySHACL wraps a data graph's store in a Dataset, which asks for a context-aware store; this one
    # holds a single graph, whatever the context asked for.
    context_aware = True
    graph_aware = True

    def __init__(self) -> None:
        super().__init__()
        self._triples: dict[Triple, None] = {}  # insertion-ordered, without duplicates
        self._by: tuple[dict[Node, list[Triple]], ...] | None = None
        self._namespaces: dict[str, URIRef] = {}
        self._prefixes: dict[URIRef, str] = {}

    def add(self, triple: Triple, context: Any = None, quoted: bool = False) -> None:  # type: ignore[override]
        self._triples[triple] = None  # a triple added again keeps its first place
        self._by = None

    def remove(self, pattern: Any, context: Any = None) -> None:  # type: ignore[override]
        for triple in [t for t, _ in self.triples(pattern)]:
            del self._triples[triple]
        self._by = None

    def _indexes(self) -> tuple[dict[Node, list[Triple]], ...]:
        if self._by is None:
            by: tuple[dict[Node, list[Triple]], ...] = (defaultdict(list), defaultdict(list), defaultdict(list))
            for triple in self._triples:
                for position in range(3):
                    by[position][triple[position]].append(triple)
            self._by = tuple(dict(index) for index in by)
        return self._by

    def triples(self, pattern: Any, context: Any = None) -> Iterator[tuple[Triple, Iterable[Any]]]:  # type: ignore[override]
        bound = [(position, term) for position, term in enumerate(pattern) if term is not None]
        if not bound:  # every triple: the release writers read a million of them this way
            for triple in list(self._triples):
                yield triple, NO_CONTEXTS
            return
        candidates: Any
        if len(bound) == 3:
            candidates = [tuple(pattern)] if tuple(pattern) in self._triples else []
        else:
            indexes = self._indexes()
            candidates = min((indexes[position].get(term, ()) for position, term in bound), key=len)
        for triple in candidates:
            if all(triple[position] == term for position, term in bound):
                yield triple, NO_CONTEXTS

    def __iter__(self) -> Iterator[Triple]:
        """Every triple, in the order first added: the cheap way to read the whole graph."""
        return iter(self._triples)

    def __len__(self, context: Any = None) -> int:
        return len(self._triples)

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
        yield from ()

    def add_graph(self, graph: Any) -> None:
        pass

    def remove_graph(self, graph: Any) -> None:
        pass

    def bind(self, prefix: str, namespace: Any, override: bool = True, replace: bool = False) -> None:
        namespace = URIRef(namespace)
        if not override and prefix in self._namespaces:
            return
        self._prefixes.pop(self._namespaces.get(prefix, URIRef("")), None)
        self._namespaces[prefix] = namespace
        self._prefixes[namespace] = prefix

    def namespace(self, prefix: str) -> URIRef | None:
        return self._namespaces.get(prefix)

    def prefix(self, namespace: Any) -> str | None:
        return self._prefixes.get(URIRef(namespace))

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        yield from self._namespaces.items()


class _Terms:
    """What a field type needs to make its RDF term: the ontology, and one IRI object per record,
    shared by every triple that names it (a graph of a million triples names each record many times)."""

    def __init__(self, ontology: Ontology, iris: dict[str, URIRef], scheme: str | None = None):
        self.ontology = ontology
        self.iris = iris
        self.scheme = scheme

    def ref_term(self, ref: str) -> URIRef:
        iri = self.iris.get(ref)
        if iri is None:
            iri = self.iris[ref] = ref_iri(ref)
        return iri

    def vocabulary_term(self, slug: str) -> URIRef:
        return self.ontology.vocabularies[self.scheme or ""][slug]

    def relation_term(self, name: str) -> URIRef:
        return self.ontology.claim_relations[name]


# A section's number ("2.1. Monoclonal Antibodies" → "§2.1"); a trailing parenthesis ("EJMO (Eurasian …)").
SECTION_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.\s")
TRAILING_PARENTHESIS = re.compile(r"\s*\([^()]*\)$")
SHORT_TEXT = 40  # characters a shortened text keeps, at most (cut at a word)


def short_text(text: str) -> str:
    """`text` as a label quotes it short: a section by its number, without a trailing parenthesis, a few words."""
    numbered = SECTION_NUMBER.match(text)
    if numbered:
        return f"§{numbered.group(1)}"
    text = TRAILING_PARENTHESIS.sub("", text) or text
    if len(text) <= SHORT_TEXT:
        return text
    return text[: text.rfind(" ", 0, SHORT_TEXT + 1)].rstrip(" ,;:–-") + "…"


def given_label(record: Record) -> str | None:
    """The label the facts give the record (its `label`, or the field written as rdfs:label), if any."""
    for key in record.kind.label_keys:
        if key in record.values:
            return str(record.values[key])
    return None


@cache
def _template(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """A label template's (literal text, field key or None, format spec) parts, parsed once."""
    return tuple((literal, key, spec or "") for literal, key, spec, _ in string.Formatter().parse(template))


class Namer:
    """Labels for the records and nodes that the facts give no label, from their kind's `Naming`.

    A label depends only on the record, the labels of what it refers to and the ontology's labels,
    never on the order of the facts: every build writes the same labels.
    """

    def __init__(self, records: list[Record], ontology: Ontology):
        self.ontology = ontology
        self.records = {record.ref: record for record in records}
        self._labels: dict[str, str] = {}
        self._naming: set[str] = set()  # refs being named: a reference cycle is named by its id
        # Asked again and again while naming (a publication's short name, a vocabulary value's label):
        # each depends only on the facts and the ontology, so each is worked out once.
        self._short: dict[str, str] = {}
        self._cuts = 0  # how often a reference cycle was cut (named by an id): a name made then is not kept
        self._term_labels: dict[tuple[URIRef, bool], str] = {}
        self._entry_fields: dict[tuple[int, str], tuple[tuple[Field, ...], dict[str, Field]]] = {}

    def of_record(self, record: Record) -> str:
        """The record's own label, or the label its kind's naming gives it."""
        own = given_label(record)
        if own is not None:
            return own
        if record.ref not in self._labels:
            if record.kind.naming is None:
                return record.id
            if record.ref in self._naming:
                self._cuts += 1
                return record.id
            self._naming.add(record.ref)
            self._labels[record.ref] = self.name(record.kind.naming, record.values, record.kind.by_key)
            self._naming.discard(record.ref)
        return self._labels[record.ref]

    def of_entry(self, naming: Naming, record: Record, entry: Entry, fields: tuple[Field, ...]) -> str:
        """The label of a node nested in `record` (an evidence passage, an arm result): the entry's
        fields first, the record's after them."""
        values = {**record.values, "label": self.of_record(record), **entry.values}
        # `fields` is one of the schema's tuples, kept alive here, so its id names it safely.
        key = (id(fields), record.kind.name)
        if key not in self._entry_fields:
            self._entry_fields[key] = (fields, {**record.kind.by_key, **{f.key: f for f in fields}})
        return self.name(naming, values, self._entry_fields[key][1])

    def name(self, naming: Naming, values: dict[str, Any], fields: dict[str, Field]) -> str:
        def written(parts: tuple[Part, ...]) -> list[str]:
            found = (self.part(part, values, fields) for part in parts)
            return [text for text in found if text]

        details = written(naming.details)
        label = "".join(written(naming.head)) + (f" ({', '.join(details)})" if details else "")
        return " ".join((label + "".join(written(naming.tail))).split())

    def part(self, part: Part, values: dict[str, Any], fields: dict[str, Field]) -> str | None:
        """The first alternative of `part` whose fields all have a value, written out; None if none has.
        `fields` are the fields the templates may name, by key."""
        for template in (part,) if isinstance(part, str) else part:
            out = []
            for literal, key, spec in _template(template):
                out.append(literal)
                if key is not None:
                    text = self.value(fields[key], values.get(key), spec)
                    if text is None:
                        break
                    out.append(text)
            else:
                return "".join(out)
        return None

    def value(self, spec: Field, value: Any, how: str) -> str | None:
        """A field's value as a label writes it; None when it has none to write."""
        if value is None or value == [] or (spec.default is not None and value == spec.default):
            return None
        if isinstance(value, list):
            if how == "short":
                return self.value(spec, value[0], how)
            items = [self.value(spec, item, how) for item in value]
            return ", ".join(item for item in items if item) or None
        if spec.type is FieldType.BOOLEAN:
            when_true, bar, when_false = how.partition("|")
            return when_true if value else (when_false if bar else None)
        if spec.type is FieldType.REF:
            return self.of_ref(value, short=how == "short")
        if spec.type is FieldType.VOCAB:
            return self.term_label(self.ontology.vocabularies[spec.scheme or ""][value], short=how == "short")
        if spec.type is FieldType.RELATION:
            return self.term_label(self.ontology.claim_relations[value])
        if spec.type is FieldType.DECIMAL:
            return format(value, "f")
        text = str(value)
        return short_text(text) if how == "short" else text

    def of_ref(self, ref: str, short: bool = False) -> str:
        record = self.records.get(ref)
        if record is None:  # checked by the loader; a label never fails a build
            return ref
        if not short:
            return self.of_record(record)
        if ref in self._short:
            return self._short[ref]
        cuts = self._cuts
        name = self.short_name(record)
        if self._cuts == cuts:
            self._short[ref] = name
        return name

    def short_name(self, record: Record) -> str:
        kind = record.kind
        if kind.short:
            written = "".join(self.part(part, record.values, kind.by_key) or "" for part in kind.short)
            if written:
                return written
        if given_label(record) is None and kind.naming is not None:
            return self.name(Naming(kind.naming.head, tail=()), record.values, kind.by_key)
        own = given_label(record)
        names = [own, *record.values.get("synonyms", [])] if own is not None else []
        return short_text(min(names, key=len)) if names else self.of_record(record)

    def term_label(self, term: URIRef, short: bool = False) -> str:
        """An ontology term's English label (or, short, the shortest of its label and alternative labels)."""
        if (term, short) not in self._term_labels:
            names = sorted(str(n) for n in self.ontology.graph.objects(term, RDFS.label))
            if short:
                names += sorted(str(n) for n in self.ontology.graph.objects(term, SKOS.altLabel))
            self._term_labels[(term, short)] = min(names, key=len) if names else str(term).rpartition("/")[2]
        return self._term_labels[(term, short)]


class GraphBuilder:
    def __init__(self, ontology: Ontology, namer: Namer | None = None):
        self.ontology = ontology
        self.namer = namer or Namer([], ontology)
        self.store = TripleSet()
        self.graph = bind_prefixes(Graph(store=self.store))
        self.iris: dict[str, URIRef] = {}  # ref → its IRI, one object each
        self.terms: dict[str | None, _Terms] = {}  # vocabulary scheme → what field types need
        self.locations = Locations()
        # (subject, relation, object) → whether each relation claim that states it is plain
        self.claims_plain: dict[tuple[URIRef, URIRef, URIRef], set[bool]] = {}
        self.unlabelled: list[URIRef] = []  # nodes whose label comes later (`add_labels`), in the order named

    def index_claims(self, records: list[Record]) -> None:
        for record in records:
            if record.kind.states_relation:
                values = record.values
                key = (
                    self.iri(values["subject"]),
                    self.ontology.claim_relations[values["relation"]],
                    self.iri(values["object"]),
                )
                self.claims_plain.setdefault(key, set()).add(is_plain(values))

    def add(self, s: Node, p: Node, o: Node) -> None:
        self.store.add((s, p, o), self.graph)  # straight to the store: Graph.add only checks the terms' types

    def iri(self, ref: str) -> URIRef:
        return self.terms_for(None).ref_term(ref)

    def terms_for(self, scheme: str | None) -> _Terms:
        terms = self.terms.get(scheme)
        if terms is None:
            terms = self.terms[scheme] = _Terms(self.ontology, self.iris, scheme)
        return terms

    def add_label(self, node: URIRef, labels: Iterator[str] | None) -> None:
        """Give `node` the next of `labels` (see `labels_of`), or, without them, its label later (`add_labels`)."""
        if labels is None:
            self.unlabelled.append(node)
        else:
            self.add(node, LABEL, Literal(next(labels)))

    def add_labels(self, labels: Iterable[str]) -> None:
        """The labels of the nodes built without them, in the order `labels_in_order` makes them."""
        for node, text in zip(self.unlabelled, labels, strict=True):
            self.add(node, LABEL, Literal(text))
        self.unlabelled = []

    def individual(self, node: URIRef, rdf_class: URIRef, location: Location) -> None:
        self.add(node, TYPE, NAMED_INDIVIDUAL)
        self.add(node, TYPE, rdf_class)
        self.locations.nodes.setdefault(node, location)

    def add_fields(
        self, node: URIRef, fields: tuple[Field, ...], values: dict[str, Any], lines: dict[str, int], file: str
    ) -> None:
        for spec in fields:
            if spec.key not in values or spec.predicate is None or spec.type.term is None:
                continue
            items = values[spec.key] if isinstance(values[spec.key], list) else [values[spec.key]]
            terms = self.terms_for(spec.scheme)
            for item in items:
                term = spec.type.term(item, terms)
                self.add(node, spec.predicate, term)
                if spec.inverse is not None:
                    self.add(term, spec.inverse, node)
            if spec.key in lines:
                self.locations.fields[(node, spec.predicate)] = Location(file, lines[spec.key])

    def add_effects(self, node: URIRef, fields: tuple[Field, ...], values: dict[str, Any]) -> None:
        """The plain triples of the fields' `effect` relations that a supporting claim backs."""
        for spec in fields:
            if spec.effect is None or spec.key not in values or spec.type.term is None:
                continue
            items = values[spec.key] if isinstance(values[spec.key], list) else [values[spec.key]]
            for item in items:
                term = spec.type.term(item, self.terms_for(spec.scheme))
                if isinstance(term, URIRef) and self.backed(node, spec.effect, term, values.get("evidence", [])):
                    self.add(node, spec.effect, term)

    def backed(self, subject: URIRef, relation: URIRef, obj: URIRef, passages: list[Entry]) -> bool:
        """Whether a supporting claim backs `subject relation obj`: one of the record's own passages
        supports the record, and the relation claims about this very triple, if any, include a plain
        one: a claim that a strategy had no effect outweighs its general description, and a claim
        that it only possibly works keeps its hedge rather than becoming a plain triple."""
        if not any(p.values.get("polarity", SUPPORTS) == SUPPORTS for p in passages):
            return False
        stated = self.claims_plain.get((subject, relation, obj))
        return stated is None or True in stated

    def add_identifiers(self, node: URIRef, identifiers: dict[str, tuple[Identifier, int]], file: str) -> None:
        # The loader parsed each value against its registry's pattern: no IRI from unchecked text.
        for _registry, (identifier, line) in sorted(identifiers.items()):
            self.add(node, HAS_DB_XREF, Literal(identifier.curie))
            self.add(node, EXACT_MATCH, URIRef(identifier.iri))
            self.locations.fields.setdefault((node, HAS_DB_XREF), Location(file, line))

    def add_evidence(self, node: URIRef, entries: list[Entry], labels: Iterator[str] | None) -> None:
        for entry in entries:
            digest = _digest(entry.values.get("source", ""), *entry.values.get("quote", []))
            passage = URIRef(f"{node}/evidence/{digest}")
            self.individual(passage, ENTITY_EVIDENCE, entry.location)
            self.add_label(passage, labels)
            self.add(passage, TYPE, CLAIM)
            self.add(passage, DESCRIBES, node)
            self.add_fields(passage, EVIDENCE_ENTRY_FIELDS, entry.values, entry.lines, entry.location.file)
            self.add_defaults(passage, entry.values)
            if "source" in entry.values:
                self.add(node, MENTIONED_IN, self.iri(entry.values["source"]))

    def add_defaults(self, node: URIRef, values: dict[str, Any]) -> None:
        """Fields with a default (polarity, hedge) are written even when left out, so queries can always filter
        on them."""
        for spec in EVIDENCE_ENTRY_FIELDS:
            if spec.default is not None and spec.key not in values and spec.predicate is not None:
                self.add(node, spec.predicate, self.ontology.vocabularies[spec.scheme or ""][spec.default])

    def add_arm_values(self, node: URIRef, record: Record, entries: list[Entry], labels: Iterator[str] | None) -> None:
        for arm_value in entries:
            arm = arm_value.values["arm"].partition("/")[2]
            result = URIRef(f"{node}/arm/{arm}")
            self.individual(result, ARM_RESULT, arm_value.location)
            self.add_label(result, labels)
            self.add(node, HAS_ARM_RESULT, result)
            self.add_fields(result, ARM_VALUE_FIELDS, arm_value.values, arm_value.lines, arm_value.location.file)
            if "unit" in record.values:
                self.add(result, UNIT, self.ontology.vocabularies["unit"][record.values["unit"]])

    def add_record(self, record: Record, labelled: bool = True) -> None:
        """The triples of `record`; without its labels unless `labelled` (they are added later: `add_labels`)."""
        kind, values, file = record.kind, record.values, record.location.file
        labels = iter(labels_of(self.namer, record)) if labelled else None
        node = self.iri(record.ref)
        self.individual(node, kind.rdf_class, record.location)
        for extra in kind.extra_types:
            self.add(node, TYPE, extra)
        if kind.is_statement:
            self.add(node, TYPE, CLAIM)
            self.add_defaults(node, values)
        if kind.naming is not None and given_label(record) is None:
            self.add_label(node, labels)
        self.add_fields(node, kind.fields, values, record.lines, file)
        self.add_effects(node, kind.fields, values)
        for spec in kind.fields:
            if spec.key not in values:
                continue
            if spec.type is FieldType.IDENTIFIERS:
                self.add_identifiers(node, values[spec.key], file)
            elif spec.type is FieldType.EVIDENCE:
                self.add_evidence(node, values[spec.key], labels)
            elif spec.type is FieldType.ARM_VALUES:
                self.add_arm_values(node, record, values[spec.key], labels)
        if record.parent is not None:  # a nested record (an arm)
            parent = self.iri(record.parent.ref)
            self.add(parent, HAS_ARM, node)
            self.add(node, ARM_OF, parent)
        if kind.states_properties and is_plain(values):
            self.add_fields(self.iri(values["subject"]), PROPERTY_ATTRIBUTE_FIELDS, values, {}, file)
        if kind.states_relation:
            self.add_relation(values)
        elif "source" in values:
            for target in self.mentioned_entities(record):
                self.add(target, MENTIONED_IN, self.iri(values["source"]))

    def add_relation(self, values: dict[str, Any]) -> None:
        subject, relation, obj = (
            self.iri(values["subject"]),
            self.ontology.claim_relations[values["relation"]],
            self.iri(values["object"]),
        )
        if is_plain(values):
            self.add(subject, relation, obj)
        source = self.iri(values["source"])
        for entity in (subject, obj):  # a text that relates two things speaks of both
            self.add(entity, MENTIONED_IN, source)

    def mentioned_entities(self, record: Record) -> list[URIRef]:
        """The entities a structured statement is about, which its source therefore mentions."""
        found = []
        for spec in record.kind.fields:
            value = record.values.get(spec.key) if spec.mentioned else None
            for ref in value if isinstance(value, list) else [value] if value else []:
                found.append(self.iri(ref))
        return found


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:10]


def labels_of(namer: Namer, record: Record) -> list[str]:
    """The labels the naming gives `record`'s nodes, in the order the builder adds them: the record's own (when
    the facts give none), then its evidence passages' and arm results', field by field."""
    labels = []
    if record.kind.naming is not None and given_label(record) is None:
        labels.append(namer.of_record(record))
    for spec in record.kind.fields:
        if spec.key in record.values:
            if spec.type is FieldType.EVIDENCE:
                labels += (
                    namer.of_entry(EVIDENCE_NAMING, record, e, EVIDENCE_ENTRY_FIELDS) for e in record.values[spec.key]
                )
            elif spec.type is FieldType.ARM_VALUES:
                labels += (
                    namer.of_entry(ARM_RESULT_NAMING, record, e, ARM_VALUE_FIELDS) for e in record.values[spec.key]
                )
    return labels


def labels_in_order(facts: Facts, ontology: Ontology) -> list[str]:
    """Every label the naming gives, in the order `build_graph` adds them (the records' order)."""
    namer = Namer(facts.records, ontology)
    with gc_paused():
        return [label for record in facts.records for label in labels_of(namer, record)]


def build_graph(
    facts: Facts, ontology: Ontology, labels: Callable[[], list[str]] | None = None
) -> tuple[Graph, Locations]:
    """The ABox for `facts`, and where each node and field came from.

    `labels`, when given, returns `labels_in_order(facts, ontology)` made elsewhere (naming is a third of the
    build: in a process beside it): the graph is built without them, and they are added once they come."""
    builder = GraphBuilder(ontology, Namer(facts.records, ontology) if labels is None else None)
    with gc_paused():
        builder.index_claims(facts.records)
        for record in facts.records:
            builder.add_record(record, labelled=labels is None)
        if labels is not None:
            builder.add_labels(labels())
    return builder.graph, builder.locations
