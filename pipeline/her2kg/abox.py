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
from collections import defaultdict
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.store import Store
from rdflib.term import Node

from .errors import Location
from .facts import Entry, Facts, Record
from .identifiers import Identifier
from .namespaces import HK, OBOINOWL, SKOS, bind_prefixes, entity_iri
from .ontology import Ontology
from .schema import ARM_VALUE_FIELDS, EVIDENCE_ENTRY_FIELDS, PROPERTY_ATTRIBUTE_FIELDS, Field, FieldType, ref_iri

SUPPORTS = "supports"
STATED = "stated"


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
        if triple not in self._triples:
            self._triples[triple] = None
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

    def triples(self, pattern: Any, context: Any = None) -> Iterator[tuple[Triple, Iterator[Any]]]:  # type: ignore[override]
        bound = [(position, term) for position, term in enumerate(pattern) if term is not None]
        if not bound:
            candidates: Any = list(self._triples)
        elif len(bound) == 3:
            candidates = [tuple(pattern)] if tuple(pattern) in self._triples else []
        else:
            indexes = self._indexes()
            candidates = min((indexes[position].get(term, ()) for position, term in bound), key=len)
        for triple in candidates:
            if all(triple[position] == term for position, term in bound):
                yield triple, iter(())

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
    """What a field type needs from the ontology to make its RDF term."""

    def __init__(self, ontology: Ontology, scheme: str | None = None):
        self.ontology = ontology
        self.scheme = scheme

    def vocabulary_term(self, slug: str) -> URIRef:
        return self.ontology.vocabularies[self.scheme or ""][slug]

    def relation_term(self, name: str) -> URIRef:
        return self.ontology.claim_relations[name]


class GraphBuilder:
    def __init__(self, ontology: Ontology):
        self.ontology = ontology
        self.graph = bind_prefixes(Graph(store=TripleSet()))
        self.locations = Locations()
        # (subject, relation, object) → whether each relation claim that states it is plain
        self.claims_plain: dict[tuple[URIRef, URIRef, URIRef], set[bool]] = {}

    def index_claims(self, records: list[Record]) -> None:
        for record in records:
            if record.kind.states_relation:
                values = record.values
                key = (
                    ref_iri(values["subject"]),
                    self.ontology.claim_relations[values["relation"]],
                    ref_iri(values["object"]),
                )
                self.claims_plain.setdefault(key, set()).add(is_plain(values))

    def add(self, s: Node, p: Node, o: Node) -> None:
        self.graph.add((s, p, o))

    def individual(self, node: URIRef, rdf_class: URIRef, location: Location) -> None:
        self.add(node, RDF.type, OWL.NamedIndividual)
        self.add(node, RDF.type, rdf_class)
        self.locations.nodes.setdefault(node, location)

    def add_fields(
        self, node: URIRef, fields: tuple[Field, ...], values: dict[str, Any], lines: dict[str, int], file: str
    ) -> None:
        for spec in fields:
            if spec.key not in values or spec.predicate is None or spec.type.term is None:
                continue
            items = values[spec.key] if isinstance(values[spec.key], list) else [values[spec.key]]
            terms = _Terms(self.ontology, spec.scheme)
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
                term = spec.type.term(item, _Terms(self.ontology, spec.scheme))
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
            self.add(node, OBOINOWL.hasDbXref, Literal(identifier.curie))
            self.add(node, SKOS.exactMatch, URIRef(identifier.iri))
            self.locations.fields.setdefault((node, OBOINOWL.hasDbXref), Location(file, line))

    def add_evidence(self, node: URIRef, entries: list[Entry]) -> None:
        for entry in entries:
            digest = _digest(entry.values.get("source", ""), *entry.values.get("quote", []))
            passage = URIRef(f"{node}/evidence/{digest}")
            self.individual(passage, HK.EntityEvidence, entry.location)
            self.add(passage, RDF.type, HK.Claim)
            self.add(passage, HK.describes, node)
            self.add_fields(passage, EVIDENCE_ENTRY_FIELDS, entry.values, entry.lines, entry.location.file)
            self.add_defaults(passage, entry.values)
            if "source" in entry.values:
                self.add(node, HK.mentionedIn, ref_iri(entry.values["source"]))

    def add_defaults(self, node: URIRef, values: dict[str, Any]) -> None:
        """Polarity and hedge are written even when left out, so queries can always filter on them."""
        if "polarity" not in values:
            self.add(node, HK.polarity, self.ontology.vocabularies["polarity"][SUPPORTS])
        if "hedge" not in values:
            self.add(node, HK.hedge, self.ontology.vocabularies["hedge"][STATED])

    def add_arm_values(self, node: URIRef, record: Record, entries: list[Entry]) -> None:
        for arm_value in entries:
            arm = arm_value.values["arm"].partition("/")[2]
            result = URIRef(f"{node}/arm/{arm}")
            self.individual(result, HK.ArmResult, arm_value.location)
            self.add(node, HK.hasArmResult, result)
            self.add_fields(result, ARM_VALUE_FIELDS, arm_value.values, arm_value.lines, arm_value.location.file)
            if "unit" in record.values:
                self.add(result, HK.unit, self.ontology.vocabularies["unit"][record.values["unit"]])

    def add_record(self, record: Record) -> None:
        kind, values, file = record.kind, record.values, record.location.file
        node = entity_iri(kind.name, record.id)
        self.individual(node, kind.rdf_class, record.location)
        for extra in kind.extra_types:
            self.add(node, RDF.type, extra)
        if kind.is_statement:
            self.add(node, RDF.type, HK.Claim)
            self.add_defaults(node, values)
        self.add_fields(node, kind.fields, values, record.lines, file)
        self.add_effects(node, kind.fields, values)
        for spec in kind.fields:
            if spec.key not in values:
                continue
            if spec.type is FieldType.IDENTIFIERS:
                self.add_identifiers(node, values[spec.key], file)
            elif spec.type is FieldType.EVIDENCE:
                self.add_evidence(node, values[spec.key])
            elif spec.type is FieldType.ARM_VALUES:
                self.add_arm_values(node, record, values[spec.key])
        if record.parent is not None:  # a nested record (an arm)
            parent = entity_iri(record.parent.kind.name, record.parent.id)
            self.add(parent, HK.hasArm, node)
            self.add(node, HK.armOf, parent)
        if kind.states_properties and is_plain(values):
            self.add_fields(ref_iri(values["subject"]), PROPERTY_ATTRIBUTE_FIELDS, values, {}, file)
        if kind.states_relation:
            self.add_relation(values)
        elif "source" in values:
            for target in self.mentioned_entities(record):
                self.add(target, HK.mentionedIn, ref_iri(values["source"]))

    def add_relation(self, values: dict[str, Any]) -> None:
        subject, relation, obj = (
            ref_iri(values["subject"]),
            self.ontology.claim_relations[values["relation"]],
            ref_iri(values["object"]),
        )
        if is_plain(values):
            self.add(subject, relation, obj)
        source = ref_iri(values["source"])
        for entity in (subject, obj):  # a text that relates two things speaks of both
            self.add(entity, HK.mentionedIn, source)

    @staticmethod
    def mentioned_entities(record: Record) -> list[URIRef]:
        """The entities a structured statement is about, which its source therefore mentions."""
        found = []
        for spec in record.kind.fields:
            value = record.values.get(spec.key) if spec.mentioned else None
            for ref in value if isinstance(value, list) else [value] if value else []:
                found.append(ref_iri(ref))
        return found


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:10]


def build_graph(facts: Facts, ontology: Ontology) -> tuple[Graph, Locations]:
    """The ABox for `facts`, and where each node and field came from."""
    builder = GraphBuilder(ontology)
    builder.index_claims(facts.records)
    for record in facts.records:
        builder.add_record(record)
    return builder.graph, builder.locations
