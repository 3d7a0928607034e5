"""Records → triples (the ABox). Pure: the same records always give the same graph.

Every curated record becomes a named individual at `https://w3id.org/her2kg/<kind>/<id>`; the
nodes the curator does not name (evidence passages, arm results) get IRIs derived from their
parent's, so the data has no blank nodes. A relation claim yields both a claim node (with its
source, quote and qualifiers) and, when it supports the relation, the plain triple — the
"truthy" statement that simple queries use.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from .facts import Entry, Facts, Record
from .identifiers import Identifier
from .namespaces import HK, OBOINOWL, SKOS, bind_prefixes, entity_iri
from .ontology import Ontology
from .schema import ARM_FIELDS, ARM_VALUE_FIELDS, EVIDENCE_ENTRY_FIELDS, Field

SUPPORTS = "supports"


def ref_iri(ref: str) -> URIRef:
    kind, _, slug = ref.partition("/")
    return entity_iri(kind, slug)


def decimal_literal(value: Decimal) -> Literal:
    """An xsd:decimal in canonical-enough form: fixed notation, as many digits as written."""
    text = format(value, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


class GraphBuilder:
    def __init__(self, ontology: Ontology):
        self.ontology = ontology
        self.graph = bind_prefixes(Graph())
        self.locations: dict[URIRef, object] = {}  # node → Location, for reporting
        # (subject, relation, object) → the polarities of the relation claims that state it
        self.claim_polarities: dict[tuple[URIRef, URIRef, URIRef], set[str]] = {}

    def index_claims(self, records: list[Record]) -> None:
        for record in records:
            if record.kind.name == "claim":
                values = record.values
                key = (ref_iri(values["subject"]), self.ontology.claim_relations[values["relation"]],
                       ref_iri(values["object"]))
                self.claim_polarities.setdefault(key, set()).add(values.get("polarity", SUPPORTS))

    def add(self, s, p, o) -> None:
        self.graph.add((s, p, o))

    def individual(self, node: URIRef, rdf_class: URIRef, location) -> None:
        self.add(node, RDF.type, OWL.NamedIndividual)
        self.add(node, RDF.type, rdf_class)
        self.locations.setdefault(node, location)

    def value_terms(self, spec: Field, value) -> list:
        items = value if isinstance(value, list) else [value]
        if spec.type in ("text", "quote"):
            return [Literal(v) for v in items]
        if spec.type == "integer":
            return [Literal(v, datatype=XSD.integer) for v in items]
        if spec.type == "decimal":
            return [decimal_literal(v) for v in items]
        if spec.type == "boolean":
            return [Literal(v, datatype=XSD.boolean) for v in items]
        if spec.type == "ref":
            return [ref_iri(v) for v in items]
        if spec.type == "vocab":
            return [self.ontology.vocabularies[spec.scheme][v] for v in items]
        if spec.type == "relation":
            return [self.ontology.claim_relations[v] for v in items]
        raise AssertionError(spec.type)

    def add_fields(self, node: URIRef, fields, values: dict) -> None:
        for spec in fields:
            if spec.key not in values or spec.predicate is None:
                continue
            if spec.type in ("evidence", "arms", "arm-values", "identifiers"):
                continue
            for term in self.value_terms(spec, values[spec.key]):
                self.add(node, spec.predicate, term)

    def add_effects(self, node: URIRef, fields, values: dict) -> None:
        """The plain triples of the fields' `effect` relations that a supporting claim backs."""
        for spec in fields:
            if spec.effect is not None and spec.key in values:
                for term in self.value_terms(spec, values[spec.key]):
                    if self.backed(node, spec.effect, term, values.get("evidence", [])):
                        self.add(node, spec.effect, term)

    def backed(self, subject: URIRef, relation: URIRef, obj, passages: list[Entry]) -> bool:
        """Whether a supporting claim backs `subject relation obj`: one of the record's own passages
        supports the record, and the relation claims about this very triple, if any, include a
        supporting one (a claim that a strategy had no effect outweighs its general description)."""
        if not any(p.values.get("polarity", SUPPORTS) == SUPPORTS for p in passages):
            return False
        stated = self.claim_polarities.get((subject, relation, obj))
        return stated is None or SUPPORTS in stated

    def add_identifiers(self, node: URIRef, identifiers: dict[str, tuple[Identifier, int]]) -> None:
        # The loader parsed each value against its registry's pattern: no IRI from unchecked text.
        for _registry, (identifier, _line) in sorted(identifiers.items()):
            self.add(node, OBOINOWL.hasDbXref, Literal(identifier.curie))
            self.add(node, SKOS.exactMatch, URIRef(identifier.iri))

    def add_evidence(self, node: URIRef, entries: list[Entry]) -> None:
        for entry in entries:
            digest = _digest(entry.values.get("source", ""), *entry.values.get("quote", []))
            passage = URIRef(f"{node}/evidence/{digest}")
            self.individual(passage, HK.EntityEvidence, entry.location)
            self.add(passage, RDF.type, HK.Claim)
            self.add(passage, HK.describes, node)
            self.add_fields(passage, EVIDENCE_ENTRY_FIELDS, entry.values)
            self.add_default_polarity(passage, entry.values)
            if "source" in entry.values:
                self.add(node, HK.mentionedIn, ref_iri(entry.values["source"]))

    def add_default_polarity(self, node: URIRef, values: dict) -> None:
        if "polarity" not in values:
            self.add(node, HK.polarity, self.ontology.vocabularies["polarity"][SUPPORTS])

    def add_record(self, record: Record) -> None:
        node = entity_iri(record.kind.name, record.id)
        self.individual(node, record.kind.rdf_class, record.location)
        if record.kind.name == "trial":
            self.add(node, RDF.type, HK.Study)
        if record.kind.field("quote") is not None:
            self.add(node, RDF.type, HK.Claim)
            self.add_default_polarity(node, record.values)
        fields = ARM_FIELDS if record.kind.name == "arm" else record.kind.fields
        self.add_fields(node, fields, record.values)
        self.add_effects(node, fields, record.values)
        values = record.values
        if "identifiers" in values:
            self.add_identifiers(node, values["identifiers"])
        if "evidence" in values and record.kind.field("evidence").type == "evidence":
            self.add_evidence(node, values["evidence"])
        if record.parent is not None:  # an arm
            parent = entity_iri(record.parent.kind.name, record.parent.id)
            self.add(parent, HK.hasArm, node)
            self.add(node, HK.armOf, parent)
        for arm_value in values.get("arm-values", []):
            arm = arm_value.values["arm"].partition("/")[2]
            result = URIRef(f"{node}/arm/{arm}")
            self.individual(result, HK.ArmResult, arm_value.location)
            self.add(node, HK.hasArmResult, result)
            self.add_fields(result, ARM_VALUE_FIELDS, arm_value.values)
            if "unit" in values:
                self.add(result, HK.unit, self.ontology.vocabularies["unit"][values["unit"]])
        if record.kind.name == "outcome":
            self.add(ref_iri(values["trial"]), HK.hasOutcome, node)
        if record.kind.name == "claim":
            self.add_claim_triples(values)
        if "source" in values and record.kind.name != "claim":
            for target in self.described_entities(record):
                self.add(target, HK.mentionedIn, ref_iri(values["source"]))

    def add_claim_triples(self, values: dict) -> None:
        subject, relation, obj = (ref_iri(values["subject"]),
                                  self.ontology.claim_relations[values["relation"]], ref_iri(values["object"]))
        if values.get("polarity", SUPPORTS) == SUPPORTS:
            self.add(subject, relation, obj)
        source = ref_iri(values["source"])
        for entity in (subject, obj):  # a text that relates two things speaks of both
            self.add(entity, HK.mentionedIn, source)

    @staticmethod
    def described_entities(record: Record) -> list[URIRef]:
        """The entities a structured statement is about, which its source therefore mentions."""
        keys = {"outcome": ("trial",), "prevalence": ("feature",), "approval": ("drugs",), "correction": ()}
        found = []
        for key in keys.get(record.kind.name, ()):
            value = record.values.get(key)
            for ref in value if isinstance(value, list) else [value] if value else []:
                found.append(ref_iri(ref))
        return found


def _digest(*parts) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:10]


def build_graph(facts: Facts, ontology: Ontology) -> tuple[Graph, dict]:
    """The ABox for `facts`, and where each node came from (node → Location)."""
    builder = GraphBuilder(ontology)
    builder.index_claims(facts.records)
    for record in facts.records:
        builder.add_record(record)
    return builder.graph, builder.locations
