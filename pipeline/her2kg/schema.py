"""What a facts file may say: the kinds of record, their fields, and the RDF each field becomes.

The loader checks records against this table and the builder turns them into triples with it,
so a new field is one line here (plus its property in the ontology and, if needed, a shape).
Each field type carries its YAML reader and its RDF term; each kind carries, as data, what the
builder does beyond writing its fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cached_property
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD

from .namespaces import BASE, CITO, HK, entity_iri

INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
MAX_TEXT = 2000


class BadValue(ValueError):
    """A scalar that is not of its field's type; the message says what was expected."""


def _read_text(raw: str, tag: str) -> str:
    text = raw.strip()
    if not text:
        raise BadValue("is empty — give a value or remove the key")
    return text


def _read_long_text(raw: str, tag: str) -> str:
    text = _read_text(raw, tag)
    if len(text) > MAX_TEXT:
        raise BadValue(f"is longer than {MAX_TEXT} characters")
    return text


# YAML 1.1 also reads 0x1F, 0o17, 0b101 and 1:20 (base 60) as integers; facts write whole numbers in
# decimal digits. 18 digits fit every triple store's 64-bit integers.
_DECIMAL_INTEGER = re.compile(r"[-+]?[0-9][0-9_]*")
MAX_DIGITS = 18


def _read_integer(raw: str, tag: str) -> int:
    if tag != INT_TAG:
        raise BadValue(f"must be a whole number, got '{raw}'")
    if not _DECIMAL_INTEGER.fullmatch(raw):
        meant = yaml.safe_load(raw) if len(raw) <= MAX_DIGITS else None  # what YAML 1.1 makes of it
        how = f" — write it as {meant}" if isinstance(meant, int) and len(str(meant)) <= MAX_DIGITS else ""
        raise BadValue(f"must be a whole number in decimal digits, got '{raw}'{how}")
    digits = raw.replace("_", "").lstrip("+-")
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise BadValue(f"is out of range: at most {MAX_DIGITS} digits, got {len(digits)}")
    return int(raw.replace("_", ""))


def _read_decimal(raw: str, tag: str) -> Decimal:
    if tag not in (INT_TAG, FLOAT_TAG):
        raise BadValue(f"must be a number, got '{raw}'")
    try:
        number = Decimal(raw.replace("_", ""))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise BadValue(f"must be a finite number, got '{raw}'")
    # Written out in fixed notation, 1e400 would be 400 digits (and 1e999999999 a gigabyte).
    if (number and not -MAX_DIGITS <= number.adjusted() < MAX_DIGITS) or len(number.as_tuple().digits) > 2 * MAX_DIGITS:
        raise BadValue(f"is out of range: at most {MAX_DIGITS} digits before and after the point, got '{raw}'")
    return number


def _read_boolean(raw: str, tag: str) -> bool:
    if tag != BOOL_TAG:
        raise BadValue(f"must be true or false, got '{raw}'")
    return raw.lower() in ("true", "yes", "on", "y")


def decimal_literal(value: Decimal) -> Literal:
    """An xsd:decimal in canonical-enough form: fixed notation, as many digits as written."""
    text = format(value, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def ref_iri(ref: str) -> URIRef:
    """`drug/neratinib` → https://w3id.org/her2kg/drug/neratinib (refs are checked by the loader)."""
    kind, _, slug = ref.partition("/")
    return entity_iri(kind, slug)


class FieldType(Enum):
    """A field's type: how its YAML scalar is read and which RDF term it becomes.

    Structured types (identifiers, evidence, arms, arm values) are read and built by dedicated
    code and have neither.
    """

    TEXT = ("text", _read_long_text, lambda v, terms: Literal(v))
    QUOTE = ("quote", _read_text, lambda v, terms: Literal(v))
    INTEGER = ("integer", _read_integer, lambda v, terms: Literal(v, datatype=XSD.integer))
    DECIMAL = ("decimal", _read_decimal, lambda v, terms: decimal_literal(v))
    BOOLEAN = ("boolean", _read_boolean, lambda v, terms: Literal(v, datatype=XSD.boolean))
    REF = ("ref", _read_text, lambda v, terms: terms.ref_term(v))
    VOCAB = ("vocab", _read_text, lambda v, terms: terms.vocabulary_term(v))
    RELATION = ("relation", _read_text, lambda v, terms: terms.relation_term(v))
    IDENTIFIERS = ("identifiers", None, None)
    EVIDENCE = ("evidence", None, None)
    ARMS = ("arms", None, None)
    ARM_VALUES = ("arm-values", None, None)

    def __init__(self, label: str, reader: Callable[[str, str], Any] | None, term: Callable[..., Any] | None):
        self.label = label
        self.reader = reader
        self.term = term
        # Always a YAML list (of nested mappings); an attribute, as the loader asks it of every value.
        self.listed = label in ("evidence", "arms", "arm-values")

    @property
    def scalar(self) -> bool:
        return self.reader is not None


T = FieldType


@dataclass(frozen=True)
class Field:
    key: str
    type: FieldType
    predicate: URIRef | None = None
    targets: tuple[str, ...] = ()  # kinds a reference may point to (empty: any kind)
    scheme: str | None = None  # vocabulary scheme of a `vocab` field
    many: bool = False
    required: bool = False
    mentioned: bool = False  # the record's source mentions the entities this field refers to
    inverse: URIRef | None = None  # also written from the referenced entity back to the record
    # A stated relation (sub-property of hk:statedRelation) the field also asserts of its values, as
    # a plain triple only where a supporting claim backs it: a strategy is proposed against a
    # mechanism whatever came of it, but only supporting evidence says it overcomes it.
    effect: URIRef | None = None
    # The vocabulary value the graph assumes when the field is left out (written by the builder, so
    # queries can always filter on it); a label leaves it unsaid.
    default: str | None = None

    def is_number(self) -> bool:
        return self.type in (T.INTEGER, T.DECIMAL)


# A part of a label template: a `str.format` template naming fields of the record (`{key}` or
# `{key:spec}`), or a tuple of alternatives, of which the first whose fields all have a value is used.
Part = str | tuple[str, ...]

# Where a statement comes from, at the end of its label: "— Cancers 2022, §2.2".
SOURCE_TAIL: tuple[Part, ...] = (" — {source:short}", ", {section:short}")


@dataclass(frozen=True)
class Naming:
    """How the builder labels a record that the facts give no label (claims, outcomes …), so that
    Protégé and every list of nodes shows what it says rather than its IRI.

    The label is the head parts, then the details in parentheses joined by ", ", then the tail parts.
    A part is written only when every field it names has a value: a reference reads as its target's
    label, a vocabulary value or relation as its rdfs:label, a number as written; a value equal to the
    field's default (polarity "supports", hedge "stated") is left unsaid. Specs: `short` (a
    reference's or vocabulary value's shortest name, a section's number "§2.1", a text without its
    trailing parentheses and cut to a few words; of a list, the first value) and, for a boolean, `text if true|text if false`
    (without "|", false has no value).
    """

    head: tuple[Part, ...]
    details: tuple[Part, ...] = ()
    tail: tuple[Part, ...] = SOURCE_TAIL


@dataclass(frozen=True)
class Kind:
    name: str  # singular, also the IRI path segment
    plural: str
    rdf_class: URIRef
    fields: tuple[Field, ...]
    extra_types: tuple[URIRef, ...] = ()  # asserted besides rdf_class (a trial is also a study)
    nested_in: str | None = None  # only written inside another record's field (arms)
    states_relation: bool = False  # subject–relation–object with a plain triple when stated and supports
    states_properties: bool = False  # its attribute fields also go on its subject when stated and supports
    naming: Naming | None = None  # how its records are labelled when the facts give no label
    # How a reference to one of its records reads where a label asks for it short; without: the
    # shortest of its label and synonyms (or the head of its naming).
    short: tuple[Part, ...] = ()

    def field(self, key: str) -> Field | None:
        return self.by_key.get(key)

    @cached_property
    def by_key(self) -> dict[str, Field]:
        """The fields by key (asked for every record while loading and building)."""
        return {f.key: f for f in self.fields}

    @cached_property
    def label_keys(self) -> tuple[str, ...]:
        """The keys of the fields written as rdfs:label, in order."""
        return tuple(f.key for f in self.fields if f.predicate == RDFS.label)

    @property
    def is_statement(self) -> bool:
        """Carries its own provenance (source, quote …) and is a claim."""
        return self.field("quote") is not None

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """A kind is pickled by its name (its records cross between the processes of a build): it holds functions."""
        return kind_named, (self.name,)


def kind_named(name: str) -> Kind:
    return KINDS[name]


ENTITY_KINDS_WITH_ACTORS = ("gene", "protein-form", "variant", "pathway")
DRUG_OR_CLASS = ("drug", "drug-class")
STUDIES = ("trial", "study")

ENTITY_FIELDS = (
    Field("id", T.TEXT, required=True),
    Field("label", T.TEXT, RDFS.label, required=True),
    Field("synonyms", T.TEXT, SKOS.altLabel, many=True),
    Field("definition", T.TEXT, SKOS.definition),
    Field("note", T.TEXT, RDFS.comment),
    Field("identifiers", T.IDENTIFIERS),
    Field("evidence", T.EVIDENCE),
)

PROVENANCE_FIELDS = (
    Field("source", T.REF, HK.statedIn, targets=("publication",), required=True),
    Field("section", T.TEXT, HK.section),
    Field("quote", T.QUOTE, HK.quote, many=True, required=True),
    Field("evidence", T.VOCAB, HK.evidenceKind, scheme="evidence"),
    Field("polarity", T.VOCAB, HK.polarity, scheme="polarity", default="supports"),
    # How firmly the source states it (stated, suggested, possible, hypothesised); absent = stated.
    Field("hedge", T.VOCAB, HK.hedge, scheme="hedge", default="stated"),
    Field("cites", T.REF, CITO.citesAsEvidence, targets=("publication",), many=True),
    Field("note", T.TEXT, RDFS.comment),
)

# Qualifiers of a statement: what it holds with (partner drugs), in (a condition in words), by (the
# assay it rests on) and in which direction it moves an endpoint.
QUALIFIER_FIELDS = (
    Field("partners", T.REF, HK.partner, targets=("drug", "drug-class"), many=True),
    Field("condition", T.TEXT, HK.condition),
    Field("assay", T.VOCAB, HK.assay, scheme="assay", many=True),
    Field("effect", T.VOCAB, HK.effect, scheme="effect"),
    Field("effect-on", T.REF, HK.effectOn, targets=("endpoint",)),
)

# Attributes a `property` statement may give its subject; each is also written on the subject
# itself when the statement is stated and supports (see Kind.states_properties).
PROPERTY_ATTRIBUTE_FIELDS = (
    Field("modality", T.VOCAB, HK.modality, scheme="modality"),
    Field("linker-cleavable", T.BOOLEAN, HK.linkerCleavable),
    Field("drug-antibody-ratio", T.DECIMAL, HK.drugAntibodyRatio),
    Field("isotype", T.TEXT, HK.isotype),
    Field("fc-engineering", T.TEXT, HK.fcEngineering),
    Field("membrane-permeable-payload", T.BOOLEAN, HK.membranePermeablePayload),
    Field("crosses-bbb", T.BOOLEAN, HK.crossesBloodBrainBarrier),
    Field("kinase-binding", T.VOCAB, HK.kinaseBinding, scheme="kinase-binding"),
    Field("has-known-ligand", T.BOOLEAN, HK.hasKnownLigand),
    Field("has-kinase-activity", T.BOOLEAN, HK.hasKinaseActivity),
)

STATEMENT_ID = (Field("id", T.TEXT, required=True),)

STUDY_FIELDS = ENTITY_FIELDS + (
    Field("nct", T.TEXT, HK.nctAsPrinted),
    Field("phase", T.VOCAB, HK.phase, scheme="phase"),
    Field("design", T.VOCAB, HK.design, scheme="design", many=True),
    Field("settings", T.REF, HK.inSetting, targets=("setting",), many=True),
    Field("diseases", T.REF, HK.studiesDisease, targets=("disease",), many=True),
    Field("population", T.TEXT, HK.population),
    Field("enrolled", T.INTEGER, HK.enrolled),
    Field("status", T.VOCAB, HK.studyStatus, scheme="study-status"),
    Field("status-reason", T.TEXT, HK.statusReason),
    Field("drugs", T.REF, HK.testsDrug, targets=("drug",), many=True),
    Field("analysis-of", T.REF, HK.analysisOf, targets=STUDIES, many=True),
    Field("arms", T.ARMS, HK.hasArm, many=True),
)

ARM_FIELDS = (
    Field("id", T.TEXT, required=True),
    Field("label", T.TEXT, RDFS.label, required=True),
    Field("interventions", T.REF, HK.armIntervention, targets=DRUG_OR_CLASS, many=True),
    Field("enrolled", T.INTEGER, HK.enrolled),
    Field("note", T.TEXT, RDFS.comment),
)

ARM_VALUE_FIELDS = (
    Field("arm", T.REF, HK.forArm, targets=("arm",), required=True),
    Field("value", T.DECIMAL, HK.value),  # absent only when not-reached (a shape checks it)
    Field("not-reached", T.BOOLEAN, HK.notReached),
    Field("note", T.TEXT, RDFS.comment),
)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "publication",
            "publications",
            HK.Publication,
            ENTITY_FIELDS
            + (
                Field("title", T.TEXT, HK.title, required=True),
                Field("year", T.INTEGER, HK.year),
                Field("venue", T.TEXT, HK.venue),
                Field("kind", T.VOCAB, HK.publicationKind, scheme="publication-kind", required=True),
                Field("authors", T.TEXT, HK.author, many=True),
                Field("citation", T.TEXT, HK.citation),
                Field("reports-from", T.REF, HK.reportsFrom, targets=("event",), many=True),
                Field("publication-types", T.TEXT, HK.publicationType, many=True),
                Field("mesh-terms", T.TEXT, HK.meshTerm, many=True),
                Field("substances", T.TEXT, HK.substance, many=True),
            ),
            short=("{venue:short} {year}",),  # "Cancers 2022"
        ),
        Kind(
            "drug-class",
            "drug-classes",
            HK.DrugClass,
            ENTITY_FIELDS + (Field("broader", T.REF, HK.broaderClass, targets=("drug-class",), many=True),),
        ),
        Kind(
            "drug",
            "drugs",
            HK.Drug,
            ENTITY_FIELDS
            + (
                Field("code-names", T.TEXT, HK.codeName, many=True),
                Field("classes", T.REF, HK.inClass, targets=("drug-class",), many=True),
                Field("mechanism-of-action", T.TEXT, HK.mechanismOfAction),
            ),
        ),
        Kind(
            "gene",
            "genes",
            HK.Gene,
            ENTITY_FIELDS
            + (
                Field("symbol", T.TEXT, HK.geneSymbol),
                Field("name", T.TEXT, HK.fullName),
            ),
        ),
        Kind(
            "protein-form",
            "protein-forms",
            HK.ProteinForm,
            ENTITY_FIELDS + (Field("form-of", T.REF, HK.formOf, targets=("gene",), required=True),),
        ),
        Kind(
            "variant",
            "variants",
            HK.Variant,
            ENTITY_FIELDS
            + (
                Field("gene", T.REF, HK.variantOf, targets=("gene",), required=True),
                Field("alteration", T.VOCAB, HK.alterationKind, scheme="alteration", required=True),
                Field("change", T.TEXT, HK.proteinChange),
            ),
        ),
        Kind("pathway", "pathways", HK.Pathway, ENTITY_FIELDS),
        Kind(
            "disease",
            "diseases",
            HK.Disease,
            ENTITY_FIELDS + (Field("broader", T.REF, HK.broaderDisease, targets=("disease",), many=True),),
        ),
        Kind("setting", "settings", HK.TreatmentSetting, ENTITY_FIELDS),
        Kind("subgroup", "subgroups", HK.PatientSubgroup, ENTITY_FIELDS),
        Kind("endpoint", "endpoints", HK.Endpoint, ENTITY_FIELDS),
        Kind("adverse-event", "adverse-events", HK.AdverseEvent, ENTITY_FIELDS),
        Kind("cell-type", "cell-types", HK.CellType, ENTITY_FIELDS),
        Kind(
            "organisation",
            "organisations",
            HK.Organisation,
            ENTITY_FIELDS
            + (
                Field("part-of", T.REF, HK.partOfOrganisation, targets=("organisation",), many=True),
                Field("location", T.TEXT, HK.location),
            ),
        ),
        Kind(
            "person",
            "people",
            HK.Person,
            ENTITY_FIELDS
            + (
                Field("affiliations", T.REF, HK.affiliation, targets=("organisation",), many=True),
                Field("roles", T.TEXT, HK.role, many=True),
                Field("degrees", T.TEXT, HK.degree, many=True),
                Field("investigator-of", T.REF, HK.investigatorOf, targets=STUDIES, many=True),
            ),
        ),
        Kind(
            "event",
            "events",
            HK.Event,
            ENTITY_FIELDS
            + (
                Field("organiser", T.REF, HK.organiser, targets=("organisation",)),
                Field("year", T.INTEGER, HK.year),
                Field("dates", T.TEXT, HK.dates),
                Field("location", T.TEXT, HK.location),
            ),
        ),
        Kind(
            "mechanism",
            "mechanisms",
            HK.ResistanceMechanism,
            ENTITY_FIELDS
            + (
                Field(
                    "categories", T.VOCAB, HK.mechanismCategory, scheme="mechanism-category", many=True, required=True
                ),
                Field("acquisition", T.VOCAB, HK.acquisition, scheme="acquisition"),
                Field("affects", T.REF, HK.confersResistanceTo, targets=DRUG_OR_CLASS, many=True),
                Field("spares", T.REF, HK.spares, targets=DRUG_OR_CLASS, many=True),
                Field("actors", T.REF, HK.involves, targets=ENTITY_KINDS_WITH_ACTORS, many=True),
            ),
        ),
        Kind(
            "strategy",
            "strategies",
            HK.Strategy,
            ENTITY_FIELDS
            + (
                Field(
                    "against",
                    T.REF,
                    HK.proposedAgainst,
                    targets=("mechanism",),
                    many=True,
                    required=True,
                    effect=HK.overcomes,
                ),
                Field("interventions", T.REF, HK.usesIntervention, targets=DRUG_OR_CLASS, many=True),
                Field("status", T.VOCAB, HK.strategyStatus, scheme="strategy-status", required=True),
                Field("trials", T.REF, HK.testedIn, targets=STUDIES, many=True),
            ),
        ),
        Kind("trial", "trials", HK.ClinicalTrial, STUDY_FIELDS, extra_types=(HK.Study,)),
        Kind("study", "studies", HK.Study, STUDY_FIELDS),
        Kind("arm", "arms", HK.Arm, ARM_FIELDS, nested_in="arms"),
        Kind(
            "outcome",
            "outcomes",
            HK.Outcome,
            STATEMENT_ID
            + PROVENANCE_FIELDS
            + (
                Field(
                    "trial", T.REF, HK.ofStudy, targets=STUDIES, required=True, mentioned=True, inverse=HK.hasOutcome
                ),
                Field("endpoint", T.REF, HK.endpoint, targets=("endpoint",), required=True),
                Field("subgroup", T.REF, HK.inSubgroup, targets=("subgroup",), many=True),
                Field("analysis", T.VOCAB, HK.analysis, scheme="analysis"),
                Field("endpoint-role", T.VOCAB, HK.endpointRole, scheme="endpoint-role"),
                Field("condition", T.TEXT, HK.condition),
                Field("assay", T.VOCAB, HK.assay, scheme="assay", many=True),
                Field("unit", T.VOCAB, HK.unit, scheme="unit"),
                Field("time-point", T.DECIMAL, HK.timePoint),
                Field("time-point-unit", T.VOCAB, HK.timePointUnit, scheme="unit"),
                Field("difference", T.DECIMAL, HK.difference),
                Field("difference-unit", T.VOCAB, HK.differenceUnit, scheme="unit"),
                Field("arm-values", T.ARM_VALUES, HK.hasArmResult, many=True),
                Field("hazard-ratio", T.DECIMAL, HK.hazardRatio),
                Field("ci-lower", T.DECIMAL, HK.ciLower),
                Field("ci-upper", T.DECIMAL, HK.ciUpper),
                Field("ci-level", T.DECIMAL, HK.ciLevel),
                Field("p-value", T.DECIMAL, HK.pValue),
                Field("p-relation", T.VOCAB, HK.pRelation, scheme="p-relation"),
                Field("significant", T.BOOLEAN, HK.significant),
            ),
            naming=Naming(
                ("{trial:short}: {endpoint:short}", " in {subgroup}", ", HR {hazard-ratio}"),  # "NALA: PFS, HR 0.76"
                ("{analysis} analysis", "{polarity}", "{hedge}"),
            ),
        ),
        Kind(
            "prevalence",
            "prevalences",
            HK.PrevalenceFigure,
            STATEMENT_ID
            + PROVENANCE_FIELDS
            + (
                Field("feature", T.REF, HK.feature, required=True, mentioned=True),
                Field("population", T.TEXT, HK.population, required=True),
                Field("population-disease", T.REF, HK.inDisease, targets=("disease",)),
                Field("value", T.DECIMAL, HK.value),
                Field("value-lower", T.DECIMAL, HK.valueLower),
                Field("value-upper", T.DECIMAL, HK.valueUpper),
                Field("unit", T.VOCAB, HK.unit, scheme="unit", required=True),
                Field("numerator", T.INTEGER, HK.numerator),
                Field("denominator", T.INTEGER, HK.denominator),
                Field("approximate", T.BOOLEAN, HK.approximate),
                Field("assay", T.VOCAB, HK.assay, scheme="assay", many=True),
            ),
            naming=Naming(
                (
                    "{feature} in {population:short}: ",
                    "{approximate:~}",
                    ("{value}", "{value-lower}–{value-upper}", "over {value-lower}", "up to {value-upper}"),
                    " {unit:short}",
                ),
                ("{numerator}/{denominator}", "{polarity}", "{hedge}"),
            ),
        ),
        Kind(
            "approval",
            "approvals",
            HK.Approval,
            STATEMENT_ID
            + PROVENANCE_FIELDS
            + (
                Field("drugs", T.REF, HK.approvedDrug, targets=("drug",), many=True, mentioned=True),
                # A class the text says is (not) approved without naming a drug of it ("the HER3-targeted
                # treatment is still not approved"); a shape requires drugs or classes.
                Field("classes", T.REF, HK.approvedClass, targets=("drug-class",), many=True, mentioned=True),
                Field("agency", T.VOCAB, HK.agency, scheme="agency"),
                Field("year", T.INTEGER, HK.year),
                Field("month", T.INTEGER, HK.month),
                Field("settings", T.REF, HK.inSetting, targets=("setting",), many=True),
                Field("indication", T.TEXT, HK.indication),
                Field("basis-trials", T.REF, HK.basedOnTrial, targets=STUDIES, many=True),
                Field("negated", T.BOOLEAN, HK.negated),
            ),
            naming=Naming(
                (("{drugs}", "{classes}"), (" {negated:not approved|approved}", " approved")),
                ("{agency:short}", "{year}", "{settings}", "based on {basis-trials}", "{hedge}"),
            ),
        ),
        Kind(
            "safety",
            "safety-statements",
            HK.SafetyStatement,
            STATEMENT_ID
            + PROVENANCE_FIELDS
            + (
                Field("drugs", T.REF, HK.safetyOf, targets=DRUG_OR_CLASS, many=True, required=True, mentioned=True),
                Field(
                    "adverse-event", T.REF, HK.adverseEvent, targets=("adverse-event",), required=True, mentioned=True
                ),
                Field("partners", T.REF, HK.partner, targets=DRUG_OR_CLASS, many=True),
                Field("trials", T.REF, HK.inStudy, targets=STUDIES, many=True),
                Field("value", T.DECIMAL, HK.value),
                Field("unit", T.VOCAB, HK.unit, scheme="unit"),
                Field("grade", T.TEXT, HK.grade),
                Field("management", T.TEXT, HK.management),
                Field("condition", T.TEXT, HK.condition),
            ),
            naming=Naming(
                ("{drugs}", " with {partners}", ": {adverse-event}"),
                ("{value} {unit:short}", "grade {grade}", "in {trials}", "{polarity}", "{hedge}"),
            ),
        ),
        Kind(
            "comparison",
            "comparisons",
            HK.Comparison,
            STATEMENT_ID
            + PROVENANCE_FIELDS
            + (
                Field("subject", T.REF, HK.comparisonSubject, required=True, mentioned=True),
                Field("attribute", T.TEXT, HK.attribute, required=True),
                Field("direction", T.VOCAB, HK.direction, scheme="comparison-direction", required=True),
                Field("comparator", T.REF, HK.comparator, mentioned=True),
                Field("comparator-text", T.TEXT, HK.comparatorText),
                Field("condition", T.TEXT, HK.condition),
            ),
            naming=Naming(
                ("{subject}: {direction} {attribute}",),  # "ERBB2 L755S: highest frequency among HER2 mutations"
                (("than {comparator}", "than {comparator-text:short}"), "{polarity}", "{hedge}"),
            ),
        ),
        Kind(
            "recommendation",
            "recommendations",
            HK.Recommendation,
            STATEMENT_ID
            + PROVENANCE_FIELDS
            + (
                Field("body", T.VOCAB, HK.guidelineBody, scheme="guideline-body", required=True),
                Field("drugs", T.REF, HK.recommendedDrug, targets=DRUG_OR_CLASS, many=True, mentioned=True),
                Field("settings", T.REF, HK.inSetting, targets=("setting",), many=True),
                Field("condition", T.TEXT, HK.condition),
                Field("strength", T.TEXT, HK.strength),
                Field("negated", T.BOOLEAN, HK.negated),
            ),
            naming=Naming(
                ("{body} ", ("{negated:does not recommend|recommends}", "recommends"), " {drugs}"),
                ("{settings}", "{polarity}", "{hedge}"),
            ),
        ),
        Kind(
            "property",
            "properties",
            HK.PropertyStatement,
            STATEMENT_ID
            + PROVENANCE_FIELDS
            + (
                Field(
                    "subject",
                    T.REF,
                    HK.propertyOf,
                    targets=("drug", "drug-class", "gene", "protein-form"),
                    required=True,
                    mentioned=True,
                ),
            )
            + PROPERTY_ATTRIBUTE_FIELDS,
            states_properties=True,
            naming=Naming(
                ("{subject}",),  # "trastuzumab deruxtecan (antibody-drug conjugate, cleavable linker, DAR 8)"
                (
                    "{modality}",
                    "{kinase-binding} kinase binding",
                    "{linker-cleavable:cleavable linker|non-cleavable linker}",
                    "DAR {drug-antibody-ratio}",
                    "{isotype}",
                    "{fc-engineering:short}",
                    "{membrane-permeable-payload:membrane-permeable payload|membrane-impermeable payload}",
                    "{crosses-bbb:crosses the blood-brain barrier|does not cross the blood-brain barrier}",
                    "{has-known-ligand:known ligand|no known ligand}",
                    "{has-kinase-activity:kinase activity|no kinase activity}",
                    "{polarity}",
                    "{hedge}",
                ),
            ),
        ),
        Kind(
            "claim",
            "claims",
            HK.RelationClaim,
            (Field("id", T.TEXT),)
            + PROVENANCE_FIELDS
            + (
                Field("subject", T.REF, HK.claimSubject, required=True),
                Field("relation", T.RELATION, HK.claimRelation, required=True),
                Field("object", T.REF, HK.claimObject, required=True),
                Field("settings", T.REF, HK.inSetting, targets=("setting",), many=True),
                Field("diseases", T.REF, HK.inDisease, targets=("disease",), many=True),
                Field("subgroup", T.REF, HK.inSubgroup, targets=("subgroup",), many=True),
                Field("binding-site", T.TEXT, HK.bindingSite),
                Field("context", T.TEXT, HK.context),
            )
            + QUALIFIER_FIELDS,
            states_relation=True,
            naming=Naming(
                ("{subject} {relation} {object}",),  # "neratinib inhibits ERBB2 — Cancers 2022, §2.2"
                ("with {partners}", "at {binding-site}", "in {subgroup}", "{condition:short}", "{polarity}", "{hedge}"),
            ),
        ),
        Kind(
            "correction",
            "corrections",
            HK.Correction,
            STATEMENT_ID
            + PROVENANCE_FIELDS
            + (
                Field("about", T.REF, HK.corrects, required=True),
                Field("field", T.TEXT, HK.correctedField, required=True),
                Field("printed", T.TEXT, HK.printedValue, required=True),
                Field("corrected", T.TEXT, HK.correctedValue),
                Field("how-verified", T.TEXT, HK.howVerified),
            ),
            naming=Naming(("correction of the {field} of {about:short}",)),
        ),
        Kind(
            "disagreement",
            "disagreements",
            HK.Disagreement,
            (
                Field("id", T.TEXT, required=True),
                Field(
                    "statements",
                    T.REF,
                    HK.between,
                    targets=(
                        "claim",
                        "outcome",
                        "prevalence",
                        "approval",
                        "safety",
                        "comparison",
                        "recommendation",
                        "property",
                    ),
                    many=True,
                    required=True,
                ),
                Field("description", T.TEXT, RDFS.label, required=True),
                Field("note", T.TEXT, RDFS.comment),
            ),
        ),
    )
}

# Top-level keys of a facts file: plural or singular kind names (nested kinds are not), plus a
# default `source`.
KIND_BY_KEY: dict[str, Kind] = {
    key: kind for kind in KINDS.values() if kind.nested_in is None for key in (kind.name, kind.plural)
}

# A prefix per kind of record (`drug:` → https://w3id.org/her2kg/drug/), for Turtle and SPARQL.
KIND_PREFIXES: dict[str, str] = {name: f"{BASE}{name}/" for name in KINDS}

EVIDENCE_ENTRY_FIELDS = tuple(f for f in PROVENANCE_FIELDS if f.key != "note") + (Field("note", T.TEXT, RDFS.comment),)

# The nodes a record holds that the curator does not name: their labels read the entry's fields and,
# after them, the record's own (an evidence passage: the entity's label; an arm result: its outcome's).
EVIDENCE_NAMING = Naming(
    ("evidence on {label:short}",),
    ("{polarity}", "{hedge}"),
    (*SOURCE_TAIL, ": “{quote:short}”"),  # 'evidence on PTEN loss — Cancers 2022, §3.5: "PTEN loss occurs…"'
)
ARM_RESULT_NAMING = Naming(
    (
        "{trial:short}: {endpoint:short}",
        " in {subgroup}",
        ", {arm}: ",
        ("{not-reached:not reached}", "{value} {unit:short}", "{value}"),
    ),  # "NALA: PFS, neratinib + capecitabine (N/C): 8.8 months"
    ("{polarity}", "{hedge}"),
)
