"""What a facts file may say: the kinds of record, their fields, and the RDF each field becomes.

The loader checks records against this table and the builder turns them into triples with it,
so a new field is one line here (plus its property in the ontology and, if needed, a shape).
"""
from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import RDFS, SKOS

from .namespaces import BASE, HK


@dataclass(frozen=True)
class Field:
    key: str
    type: str  # text | integer | decimal | boolean | ref | vocab | identifiers | evidence | quote | arms | arm-values
    predicate: URIRef | None = None
    targets: tuple[str, ...] = ()  # kinds a reference may point to (empty: any kind)
    scheme: str | None = None  # vocabulary scheme of a `vocab` field
    many: bool = False
    required: bool = False
    # A stated relation (sub-property of hk:statedRelation) the field also asserts of its values, as
    # a plain triple only where a supporting claim backs it: a strategy is proposed against a
    # mechanism whatever came of it, but only supporting evidence says it overcomes it.
    effect: URIRef | None = None


@dataclass(frozen=True)
class Kind:
    name: str  # singular, also the IRI path segment
    plural: str
    rdf_class: URIRef
    fields: tuple[Field, ...]
    statement: bool = False  # carries its own provenance (source, section, quote …)

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


ENTITY_KINDS_WITH_ACTORS = ("gene", "protein-form", "variant", "pathway")
DRUG_OR_CLASS = ("drug", "drug-class")
STUDIES = ("trial", "study")

ENTITY_FIELDS = (
    Field("id", "text", required=True),
    Field("label", "text", RDFS.label, required=True),
    Field("synonyms", "text", SKOS.altLabel, many=True),
    Field("definition", "text", SKOS.definition),
    Field("note", "text", RDFS.comment),
    Field("identifiers", "identifiers"),
    Field("evidence", "evidence"),
)

PROVENANCE_FIELDS = (
    Field("source", "ref", HK.statedIn, targets=("publication",), required=True),
    Field("section", "text", HK.section),
    Field("quote", "quote", HK.quote, many=True, required=True),
    Field("evidence", "vocab", HK.evidenceKind, scheme="evidence"),
    Field("polarity", "vocab", HK.polarity, scheme="polarity"),
    Field("note", "text", RDFS.comment),
)

STATEMENT_ID = (Field("id", "text", required=True),)

STUDY_FIELDS = ENTITY_FIELDS + (
    Field("nct", "text", HK.nctAsPrinted),
    Field("phase", "vocab", HK.phase, scheme="phase"),
    Field("design", "vocab", HK.design, scheme="design", many=True),
    Field("settings", "ref", HK.inSetting, targets=("setting",), many=True),
    Field("diseases", "ref", HK.studiesDisease, targets=("disease",), many=True),
    Field("population", "text", HK.population),
    Field("enrolled", "integer", HK.enrolled),
    Field("status", "vocab", HK.studyStatus, scheme="study-status"),
    Field("status-reason", "text", HK.statusReason),
    Field("drugs", "ref", HK.testsDrug, targets=("drug",), many=True),
    Field("arms", "arms", HK.hasArm, many=True),
)

ARM_FIELDS = (
    Field("id", "text", required=True),
    Field("label", "text", RDFS.label, required=True),
    Field("interventions", "ref", HK.armIntervention, targets=DRUG_OR_CLASS, many=True),
    Field("enrolled", "integer", HK.enrolled),
    Field("note", "text", RDFS.comment),
)

ARM_VALUE_FIELDS = (
    Field("arm", "ref", HK.forArm, targets=("arm",), required=True),
    Field("value", "decimal", HK.value, required=True),
    Field("note", "text", RDFS.comment),
)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("publication", "publications", HK.Publication, ENTITY_FIELDS + (
            Field("title", "text", HK.title, required=True),
            Field("year", "integer", HK.year),
            Field("venue", "text", HK.venue),
            Field("kind", "vocab", HK.publicationKind, scheme="publication-kind", required=True),
            Field("authors", "text", HK.author, many=True),
            Field("citation", "text", HK.citation),
        )),
        Kind("drug-class", "drug-classes", HK.DrugClass, ENTITY_FIELDS + (
            Field("broader", "ref", HK.broaderClass, targets=("drug-class",), many=True),
        )),
        Kind("drug", "drugs", HK.Drug, ENTITY_FIELDS + (
            Field("code-names", "text", HK.codeName, many=True),
            Field("classes", "ref", HK.inClass, targets=("drug-class",), many=True),
            Field("mechanism-of-action", "text", HK.mechanismOfAction),
        )),
        Kind("gene", "genes", HK.Gene, ENTITY_FIELDS + (
            Field("symbol", "text", HK.geneSymbol),
            Field("name", "text", HK.fullName),
        )),
        Kind("protein-form", "protein-forms", HK.ProteinForm, ENTITY_FIELDS + (
            Field("form-of", "ref", HK.formOf, targets=("gene",), required=True),
        )),
        Kind("variant", "variants", HK.Variant, ENTITY_FIELDS + (
            Field("gene", "ref", HK.variantOf, targets=("gene",), required=True),
            Field("alteration", "vocab", HK.alterationKind, scheme="alteration", required=True),
            Field("change", "text", HK.proteinChange),
        )),
        Kind("pathway", "pathways", HK.Pathway, ENTITY_FIELDS),
        Kind("disease", "diseases", HK.Disease, ENTITY_FIELDS + (
            Field("broader", "ref", HK.broaderDisease, targets=("disease",), many=True),
        )),
        Kind("setting", "settings", HK.TreatmentSetting, ENTITY_FIELDS),
        Kind("subgroup", "subgroups", HK.PatientSubgroup, ENTITY_FIELDS),
        Kind("endpoint", "endpoints", HK.Endpoint, ENTITY_FIELDS),
        Kind("mechanism", "mechanisms", HK.ResistanceMechanism, ENTITY_FIELDS + (
            Field("categories", "vocab", HK.mechanismCategory, scheme="mechanism-category", many=True,
                  required=True),
            Field("acquisition", "vocab", HK.acquisition, scheme="acquisition"),
            Field("affects", "ref", HK.confersResistanceTo, targets=DRUG_OR_CLASS, many=True),
            Field("spares", "ref", HK.spares, targets=DRUG_OR_CLASS, many=True),
            Field("actors", "ref", HK.involves, targets=ENTITY_KINDS_WITH_ACTORS, many=True),
        )),
        Kind("strategy", "strategies", HK.Strategy, ENTITY_FIELDS + (
            Field("against", "ref", HK.proposedAgainst, targets=("mechanism",), many=True, required=True,
                  effect=HK.overcomes),
            Field("interventions", "ref", HK.usesIntervention, targets=DRUG_OR_CLASS, many=True),
            Field("status", "vocab", HK.strategyStatus, scheme="strategy-status", required=True),
            Field("trials", "ref", HK.testedIn, targets=STUDIES, many=True),
        )),
        Kind("trial", "trials", HK.ClinicalTrial, STUDY_FIELDS),
        Kind("study", "studies", HK.Study, STUDY_FIELDS),
        Kind("arm", "arms", HK.Arm, ARM_FIELDS),  # only nested in a study's `arms`
        Kind("outcome", "outcomes", HK.Outcome, STATEMENT_ID + PROVENANCE_FIELDS + (
            Field("trial", "ref", HK.ofStudy, targets=STUDIES, required=True),
            Field("endpoint", "ref", HK.endpoint, targets=("endpoint",), required=True),
            Field("subgroup", "ref", HK.inSubgroup, targets=("subgroup",), many=True),
            Field("analysis", "vocab", HK.analysis, scheme="analysis"),
            Field("unit", "vocab", HK.unit, scheme="unit"),
            Field("arm-values", "arm-values", HK.hasArmResult, many=True),
            Field("hazard-ratio", "decimal", HK.hazardRatio),
            Field("ci-lower", "decimal", HK.ciLower),
            Field("ci-upper", "decimal", HK.ciUpper),
            Field("ci-level", "decimal", HK.ciLevel),
            Field("p-value", "decimal", HK.pValue),
            Field("p-relation", "vocab", HK.pRelation, scheme="p-relation"),
            Field("significant", "boolean", HK.significant),
        )),
        Kind("prevalence", "prevalences", HK.PrevalenceFigure, STATEMENT_ID + PROVENANCE_FIELDS + (
            Field("feature", "ref", HK.feature, required=True),
            Field("population", "text", HK.population, required=True),
            Field("population-disease", "ref", HK.inDisease, targets=("disease",)),
            Field("value", "decimal", HK.value),
            Field("value-lower", "decimal", HK.valueLower),
            Field("value-upper", "decimal", HK.valueUpper),
            Field("unit", "vocab", HK.unit, scheme="unit", required=True),
            Field("numerator", "integer", HK.numerator),
            Field("denominator", "integer", HK.denominator),
            Field("approximate", "boolean", HK.approximate),
        )),
        Kind("approval", "approvals", HK.Approval, STATEMENT_ID + PROVENANCE_FIELDS + (
            Field("drugs", "ref", HK.approvedDrug, targets=("drug",), many=True, required=True),
            Field("agency", "vocab", HK.agency, scheme="agency"),
            Field("year", "integer", HK.year),
            Field("month", "integer", HK.month),
            Field("settings", "ref", HK.inSetting, targets=("setting",), many=True),
            Field("indication", "text", HK.indication),
            Field("basis-trials", "ref", HK.basedOnTrial, targets=STUDIES, many=True),
        )),
        Kind("claim", "claims", HK.RelationClaim, (Field("id", "text"),) + PROVENANCE_FIELDS + (
            Field("subject", "ref", HK.claimSubject, required=True),
            Field("relation", "relation", HK.claimRelation, required=True),
            Field("object", "ref", HK.claimObject, required=True),
            Field("settings", "ref", HK.inSetting, targets=("setting",), many=True),
            Field("diseases", "ref", HK.inDisease, targets=("disease",), many=True),
            Field("subgroup", "ref", HK.inSubgroup, targets=("subgroup",), many=True),
            Field("binding-site", "text", HK.bindingSite),
            Field("context", "text", HK.context),
        )),
        Kind("correction", "corrections", HK.Correction, STATEMENT_ID + PROVENANCE_FIELDS + (
            Field("about", "ref", HK.corrects, required=True),
            Field("field", "text", HK.correctedField, required=True),
            Field("printed", "text", HK.printedValue, required=True),
            Field("corrected", "text", HK.correctedValue),
            Field("how-verified", "text", HK.howVerified),
        )),
        Kind("disagreement", "disagreements", HK.Disagreement, (
            Field("id", "text", required=True),
            Field("statements", "ref", HK.between, targets=("claim", "outcome", "prevalence", "approval"),
                  many=True, required=True),
            Field("description", "text", RDFS.label, required=True),
            Field("note", "text", RDFS.comment),
        )),
    )
}

# Top-level keys of a facts file: plural or singular kind names, plus a default `source`.
KIND_BY_KEY: dict[str, Kind] = {}
for _kind in KINDS.values():
    if _kind.name != "arm":
        KIND_BY_KEY[_kind.name] = _kind
        KIND_BY_KEY[_kind.plural] = _kind
KIND_BY_KEY["prevalence"] = KINDS["prevalence"]

# A prefix per kind of record (`drug:` → https://w3id.org/her2kg/drug/), for Turtle and SPARQL.
KIND_PREFIXES: dict[str, str] = {name: f"{BASE}{name}/" for name in KINDS}

EVIDENCE_ENTRY_FIELDS = tuple(f for f in PROVENANCE_FIELDS if f.key != "note") + (Field("note", "text", RDFS.comment),)
