"""KGX files (nodes and edges, as TSV and as JSON Lines) with Biolink categories and predicates.

KGX is the exchange format of Biolink-model graphs (https://github.com/biolink/kgx/blob/master/specification/
kgx-format.md). Each entity of a mapped class is a node; each relation claim whose relation and both ends are
mapped is an edge, with its claim's provenance. The Biolink terms below were checked against the Biolink model
release named in BIOLINK_VERSION; a class or relation is either mapped or listed in UNMAPPED_* with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

from .formats_tables import MULTI, Source, objects_of, store, values
from .namespaces import BASE

BIOLINK_VERSION = "4.4.4"
FOLDER = "her2kg-kgx"  # the release's subfolder of KGX files: nodes.tsv, edges.tsv, nodes.jsonl, edges.jsonl
PROVIDER = "infores:her2kg"  # this graph's own knowledge-source id (not in the Translator infores catalogue)
HER2KG_PREFIX = "her2kg"  # node ids without a standard identifier: her2kg.<folder>:<slug> (see own_curie)

CATEGORIES: dict[str, str] = {  # hk class → Biolink category
    "Gene": "biolink:Gene",
    "Drug": "biolink:Drug",
    "DrugClass": "biolink:ChemicalEntity",  # Biolink has no drug class; the members are chemicals
    "MolecularEntity": "biolink:MolecularEntity",
    "ProteinForm": "biolink:Protein",
    "Variant": "biolink:SequenceVariant",
    "Disease": "biolink:Disease",
    "AdverseEvent": "biolink:PhenotypicFeature",
    "CellType": "biolink:Cell",
    "Pathway": "biolink:Pathway",
    "ClinicalTrial": "biolink:ClinicalTrial",
    "Study": "biolink:Study",
    "PatientSubgroup": "biolink:StudyPopulation",
    "Strategy": "biolink:Treatment",
    "ResistanceMechanism": "biolink:NamedThing",  # no Biolink class for a mechanism of drug resistance
    "Publication": "biolink:Publication",
    "Person": "biolink:Agent",
    "Organisation": "biolink:Agent",
    "Agency": "biolink:Agent",
    "GuidelineBody": "biolink:Agent",
}
# A subclass's own category is more specific than its superclass's (a ClinicalTrial is also a Study).
MORE_SPECIFIC = {"Study": "ClinicalTrial", "Organisation": "Agency|GuidelineBody"}
UNMAPPED_CLASSES: dict[str, str] = {
    **dict.fromkeys(
        [
            "Claim",
            "RelationClaim",
            "EntityEvidence",
            "Outcome",
            "ArmResult",
            "Comparison",
            "PrevalenceFigure",
            "PropertyStatement",
            "SafetyStatement",
            "Disagreement",
            "Correction",
        ],
        "a statement about other nodes: an edge's properties, or a row of the evidence tables",
    ),
    **dict.fromkeys(
        [
            "AlterationKind",
            "AnalysisKind",
            "Assay",
            "ComparisonDirection",
            "EffectDirection",
            "EndpointRole",
            "EvidenceKind",
            "Hedge",
            "KinaseBinding",
            "MechanismCategory",
            "Modality",
            "PRelation",
            "Polarity",
            "PublicationKind",
            "StrategyStatus",
            "StudyStatus",
            "TrialDesign",
            "TrialPhase",
            "Unit",
        ],
        "a value of a controlled vocabulary: an edge property, not a node",
    ),
    **dict.fromkeys(
        ["Arm", "Endpoint", "TreatmentSetting", "Approval", "Event", "Acquisition", "Recommendation"],
        "part of a trial's or claim's description, given in the evidence tables",
    ),
}
PREDICATES: dict[str, str] = {  # hk claim relation → Biolink predicate (the hk relation is kept as original_predicate)
    "activates": "biolink:regulates",
    "inhibits": "biolink:regulates",
    "upstreamOf": "biolink:affects",
    "stabilizes": "biolink:affects",
    "promotesDependencyOn": "biolink:affects",
    "associatedWithPoorPrognosis": "biolink:associated_with",
    "biomarkerFor": "biolink:biomarker_for",
    "confersResistanceTo": "biolink:associated_with_resistance_to",
    "mechanismOfResistanceTo": "biolink:associated_with_resistance_to",
    "confersSensitivityTo": "biolink:associated_with_sensitivity_to",
    "derivativeOf": "biolink:derives_from",
    "truncatedFormOf": "biolink:derives_from",
    "formOf": "biolink:derives_from",
    "expressedIn": "biolink:expressed_in",
    "expressedOn": "biolink:expressed_in",
    "hasPayload": "biolink:has_part",
    "hasLinker": "biolink:has_part",
    "partOf": "biolink:part_of",
    "inClass": "biolink:member_of",
    "broaderClass": "biolink:subclass_of",
    "broaderDisease": "biolink:subclass_of",
    "targets": "biolink:directly_physically_interacts_with",
    "encodes": "biolink:has_gene_product",
    "variantOf": "biolink:is_sequence_variant_of",
    "involves": "biolink:related_to",
    "combinedWith": "biolink:related_to",
    "overcomes": "biolink:related_to",
    "testedIn": "biolink:related_to",
    "usesIntervention": "biolink:has_participant",
}
UNMAPPED_RELATIONS: dict[str, str] = {
    "spares": "states that a drug does not act on something: no Biolink predicate says so without negation",
}
# Our identifier prefixes as Biolink spells them, and the prefixes Biolink accepts as ids per category.
PREFIXES = {"NCT": "CLINICALTRIALS", "CHEMBL": "CHEMBL.COMPOUND", "DOI": "doi"}
ID_PREFIXES = {
    "biolink:Gene": ["HGNC"],
    "biolink:Drug": ["CHEBI", "CHEMBL.COMPOUND", "DRUGBANK"],
    "biolink:ChemicalEntity": ["CHEBI", "CHEMBL.COMPOUND", "DRUGBANK"],
    "biolink:Disease": ["MONDO", "NCIT"],
    "biolink:Cell": ["CL", "NCIT"],
    "biolink:ClinicalTrial": ["CLINICALTRIALS"],
    "biolink:Publication": ["PMID"],  # Biolink accepts doi too, but kgx refuses a '/' in a CURIE: a DOI is an xref
}
NODE_COLUMNS = ["id", "category", "name", "description", "xref", "synonym", "provided_by", "iri"]
EDGE_COLUMNS = [
    "id",
    "subject",
    "predicate",
    "object",
    "original_predicate",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "publications",
    "supporting_text",
    "polarity",
    "hedge",
    "evidence_kind",
    "provided_by",
]
LISTS = {"category", "xref", "synonym", "provided_by", "publications", "supporting_text"}  # multivalued


def curie(xref: str) -> str:
    prefix, _, local = xref.partition(":")
    return f"{PREFIXES.get(prefix, prefix)}:{local}"


def category(classes: set[str]) -> str | None:
    mapped = [c for c in classes if c in CATEGORIES]
    specific = [c for c in mapped if not any(more in classes for more in MORE_SPECIFIC.get(c, "").split("|") if more)]
    return CATEGORIES[sorted(specific)[0]] if specific else None


def node_id(path: str, kind: str, xrefs: Iterable[str]) -> str:
    """The first identifier whose prefix Biolink accepts for the category, else our own CURIE."""
    by_prefix = {curie(x).partition(":")[0]: curie(x) for x in sorted(xrefs)}
    for prefix in ID_PREFIXES.get(kind, []):
        if prefix in by_prefix:
            return by_prefix[prefix]
    return own_curie(path)


def own_curie(path: str) -> str:
    """`gene/erbb2` → `her2kg.gene:erbb2`, `ontology#inhibits` → `her2kg.ontology:inhibits`: a KGX CURIE's local
    part holds no '/' (kgx rejects `her2kg:gene/erbb2`), so the folders go into the prefix."""
    folder, _, slug = path.replace("#", "/").rpartition("/")
    return f"{HER2KG_PREFIX}.{folder.replace('/', '.')}:{slug}"


# Biolink names CLINICALTRIALS as the id prefix of a clinical trial but its prefix map (the JSON-LD context the kgx
# validator reads) lacks it: a KGX graph with trial ids declares it, with the Bioregistry's expansion.
UNDECLARED_BY_BIOLINK = {"CLINICALTRIALS": "https://www.clinicaltrials.gov/study/"}


def prefix_map(prefixes: Iterable[str]) -> dict[str, str]:
    """Where the CURIE prefixes of a graph that the Biolink prefix map does not declare expand to: our own
    (`her2kg.gene` …) and CLINICALTRIALS. `prefixes` are the ones the graph uses."""
    used = sorted(set(prefixes))
    found = {p: UNDECLARED_BY_BIOLINK[p] for p in used if p in UNDECLARED_BY_BIOLINK}
    for prefix in used:
        if prefix.startswith(f"{HER2KG_PREFIX}."):
            folder = prefix.removeprefix(f"{HER2KG_PREFIX}.").replace(".", "/")
            found[prefix] = f"{BASE}{folder}" + ("#" if folder == "ontology" else "/")
    return found


Rows = list[dict[str, list[str] | str]]
EDGE_FIELDS = {  # what an edge is made of: its relation claim's values
    "s": "hk:claimSubject",
    "p": "hk:claimRelation",
    "o": "hk:claimObject",
    "source": "hk:statedIn",
    "quote": "hk:quote",
    "polarity": "hk:polarity",
    "hedge": "hk:hedge",
    "evidence": "hk:evidenceKind",
}


@lru_cache(maxsize=2)  # the four files are written from the same rows
def graph_rows(release: Source) -> tuple[Rows, Rows]:
    graph = store(release)
    types = objects_of(graph, "a")
    labels, xrefs = objects_of(graph, "rdfs:label"), objects_of(graph, "oboInOwl:hasDbXref")
    definitions, synonyms = objects_of(graph, "skos:definition"), objects_of(graph, "skos:altLabel")
    ids: dict[str, str] = {}
    nodes: Rows = []
    for path, found in types.items():
        kind = category({t.removeprefix("ontology#") for t in found if t.startswith("ontology#")})
        if kind is None:
            continue
        ids[path] = node_id(path, kind, xrefs.get(path, ()))
        own = own_curie(path)
        nodes.append(
            {
                "id": ids[path],
                "category": [kind],
                "name": min(labels.get(path, {""})),
                "description": min(definitions.get(path, {""})),
                "xref": sorted({curie(x) for x in xrefs.get(path, ())} | ({own} - {ids[path]})),
                "synonym": sorted(synonyms.get(path, ())),
                "provided_by": [PROVIDER],
                "iri": f"https://w3id.org/her2kg/{path}",
            }
        )
    fields = values(graph, "RelationClaim", EDGE_FIELDS)
    edges: Rows = []
    for claim, row in fields.items():
        if not row:  # a claim without any of the fields is no edge
            continue
        (subject,), (relation,), (object_,) = row["s"], row["p"], row["o"]
        predicate = PREDICATES.get(relation.removeprefix("ontology#"))
        if predicate is None or subject not in ids or object_ not in ids:
            continue
        publications = [node_id(s, "biolink:Publication", xrefs.get(s, ())) for s in sorted(row["source"])]
        edges.append(
            {
                "id": own_curie(claim),
                "subject": ids[subject],
                "predicate": predicate,
                "object": ids[object_],
                "original_predicate": own_curie(relation),
                "knowledge_level": "knowledge_assertion",
                "agent_type": "manual_agent",
                "primary_knowledge_source": PROVIDER,
                "publications": publications,
                "supporting_text": sorted(row["quote"]),
                "polarity": MULTI.join(sorted(v.rpartition("/")[2] for v in row["polarity"])),
                "hedge": MULTI.join(sorted(v.rpartition("/")[2] for v in row["hedge"])),
                "evidence_kind": MULTI.join(sorted(v.rpartition("/")[2] for v in row["evidence"])),
                "provided_by": [PROVIDER],
            }
        )
    # two records naming the same standard identifier are one node to KGX: keep the first by path
    unique = {str(n["id"]): n for n in sorted(nodes, key=lambda n: str(n["iri"]), reverse=True)}
    return sorted(unique.values(), key=lambda n: str(n["id"])), sorted(edges, key=lambda e: str(e["id"]))


def _cell(value: list[str] | str) -> str:
    """KGX TSV: a list joined by '|' (so a '|' inside a value becomes '/'), no tab or line break inside a cell."""
    values = value if isinstance(value, list) else [value]
    return "|".join(" ".join(v.replace("|", "/").split()) for v in values)


def kgx_tsv(rows: Rows, columns: list[str]) -> bytes:
    lines = ["\t".join(columns)] + ["\t".join(_cell(row[c]) for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def kgx_jsonl(rows: Rows, columns: list[str]) -> bytes:
    return "".join(
        json.dumps({c: row[c] for c in columns if row[c]}, ensure_ascii=False, sort_keys=True) + "\n" for row in rows
    ).encode("utf-8")


def nodes_tsv(release: Source) -> bytes:
    return kgx_tsv(graph_rows(release)[0], NODE_COLUMNS)


def edges_tsv(release: Source) -> bytes:
    return kgx_tsv(graph_rows(release)[1], EDGE_COLUMNS)


def nodes_jsonl(release: Source) -> bytes:
    return kgx_jsonl(graph_rows(release)[0], NODE_COLUMNS)


def edges_jsonl(release: Source) -> bytes:
    return kgx_jsonl(graph_rows(release)[1], EDGE_COLUMNS)
