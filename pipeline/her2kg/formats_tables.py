"""Evidence tables for spreadsheets and data frames: claims.tsv, outcomes.tsv and trials.tsv.

Each table is read from the release store's index (each row's node, then its triples); the rows are
assembled and sorted here so the bytes are the same on every build. A field with several values (two
quotes, two settings) holds them sorted and joined by " | ". Every file starts with a header row; docs/formats.md describes the columns.
"""

from __future__ import annotations

import csv
import functools
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import pyoxigraph

from .namespaces import BASE, HK, PREFIXES

MULTI = " | "  # joins the values of a field that has several

# Each table: its columns, and for each column the property (or alternatives of properties) whose values fill it,
# read from the row's node.
# A column whose name ends in "_label" or "_xref" holds the label or identifiers of the column it follows.
CLAIM_FIELDS: dict[str, str] = {
    "subject": "hk:claimSubject|hk:describes|hk:feature|hk:propertyOf|hk:safetyOf|hk:comparisonSubject|hk:ofStudy",
    "relation": "hk:claimRelation",
    "object": "hk:claimObject|hk:comparator|hk:adverseEvent|hk:endpoint",
    "polarity": "hk:polarity",
    "hedge": "hk:hedge",
    "evidence_kind": "hk:evidenceKind",
    "setting": "hk:inSetting",
    "disease": "hk:inDisease",
    "source": "hk:statedIn",
    "section": "hk:section",
    "quote": "hk:quote",
}
OUTCOME_FIELDS: dict[str, str] = {
    "trial": "hk:ofStudy",
    "endpoint": "hk:endpoint",
    "subgroup": "hk:inSubgroup",
    "condition": "hk:condition",
    "analysis": "hk:analysis",
    "hazard_ratio": "hk:hazardRatio",
    "ci_lower": "hk:ciLower",
    "ci_upper": "hk:ciUpper",
    "p_relation": "hk:pRelation",
    "p_value": "hk:pValue",
    "significant": "hk:significant",
    "polarity": "hk:polarity",
    "source": "hk:statedIn",
    "section": "hk:section",
    "quote": "hk:quote",
}
ARM_FIELDS: dict[str, str] = {
    "arm": "hk:forArm",
    "value": "hk:value",
    "unit": "hk:unit",
    "not_reached": "hk:notReached",
}
TRIAL_FIELDS: dict[str, str] = {
    "name": "rdfs:label",
    "nct": "oboInOwl:hasDbXref",
    "phase": "hk:phase",
    "design": "hk:design",
    "status": "hk:studyStatus",
    "setting": "hk:inSetting",
    "disease": "hk:studiesDisease",
    "drugs": "hk:testsDrug",
    "arms": "hk:hasArm",
    "enrolled": "hk:enrolled",
    "population": "hk:population",
    "sources": "hk:mentionedIn",
}
LABELLED = {"subject", "relation", "object", "trial", "endpoint", "subgroup", "arm", "disease", "source"}
XREFS = {"subject", "object", "source"}


Source = str | pyoxigraph.Store  # the release as N-Triples, or already in a store (the build shares one)


def store(source: Source) -> pyoxigraph.Store:
    """`source` in a store: a store as it is, N-Triples loaded into a new one."""
    if isinstance(source, pyoxigraph.Store):
        return source
    graph = pyoxigraph.Store()
    graph.bulk_load(source.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return graph


def text(term: object) -> str:
    """A cell: an IRI of ours as its path (`drug/neratinib`), any other term as its value, on one line."""
    if isinstance(term, pyoxigraph.NamedNode):  # an IRI holds no white space
        return term.value.removeprefix(BASE)
    return " ".join(str(getattr(term, "value", term)).split())


def texts() -> Callable[[object], str]:
    """`text`, remembered per term: a node's IRI, a polarity or a label recurs on many rows."""
    return functools.cache(text)


def values(graph: pyoxigraph.Store, kind: str, fields: dict[str, str]) -> dict[str, dict[str, set[str]]]:
    """For every node of class hk:`kind`, the values of each field: the node's own triples read once each from the
    store's index (a SPARQL join of the fields' alternatives took twice as long)."""
    field_of = {predicate: name for name, path in fields.items() for predicate in predicates(path)}
    found: dict[str, dict[str, set[str]]] = {}
    cell = texts()
    for typed in graph.quads_for_pattern(None, TYPE, pyoxigraph.NamedNode(f"{HK}{kind}")):
        row = found[cell(typed.subject)] = defaultdict(set)  # a node with none of the fields still has its row
        for q in graph.quads_for_pattern(typed.subject, None, None):
            name = field_of.get(q.predicate)
            if name is not None:
                row[name].add(cell(q.object))
    return found


TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def predicates(path: str) -> list[pyoxigraph.NamedNode]:
    """The properties of a field's `path`: one prefixed name (or "a"), or alternatives of them ("hk:a|hk:b")."""
    found = []
    for name in path.split("|"):
        prefix, colon, local = name.partition(":")
        if name == "a":
            found.append(TYPE)
        elif colon and prefix in PREFIXES:
            found.append(pyoxigraph.NamedNode(f"{PREFIXES[prefix]}{local}"))
        else:
            raise ValueError(f"{path!r}: a field's path is a prefixed name or alternatives of them")
    return found


@lru_cache(maxsize=8)  # the tables and the KGX files of one build read the same labels and identifiers
def objects_of(graph: pyoxigraph.Store, path: str) -> dict[str, set[str]]:
    """The values of `path` from each node (read-only: the dict is shared between the writers)."""
    found: dict[str, set[str]] = defaultdict(set)
    cell = texts()
    for predicate in predicates(path):
        for q in graph.quads_for_pattern(None, predicate, None):
            found[cell(q.subject)].add(cell(q.object))
    return dict(found)


def columns(fields: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in fields:
        out.append(name)
        out += [f"{name}_label"] * (name in LABELLED) + [f"{name}_xref"] * (name in XREFS)
    return out


Plan = list[tuple[str, dict[str, set[str]] | None]]  # each column: the field it reads, and its lookup (or None)


def plan(names: Sequence[str], labels: dict[str, set[str]], xrefs: dict[str, set[str]]) -> Plan:
    """What each column of `names` reads: a field's values, or their labels or identifiers (made once per table,
    not once per row)."""
    out: Plan = []
    for name in names:
        base, _, which = name.rpartition("_")
        if name.endswith(("_label", "_xref")):
            out.append((base, labels if which == "label" else xrefs))
        else:
            out.append((name, None))
    return out


def cells_of(row: dict[str, set[str]], columns_plan: Plan) -> list[str]:
    out: list[str] = []
    for name, lookup in columns_plan:
        found = row.get(name)
        if found and lookup is not None:
            found = {v for node in found for v in lookup.get(node, ())}
        if not found:
            out.append("")
        elif len(found) == 1:  # most cells: one value, nothing to sort or join
            out.extend(found)
        else:
            out.append(MULTI.join(sorted(found)))
    return out


def tsv(header: Sequence[str], rows: Iterable[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(sorted(rows))
    return out.getvalue().encode("utf-8")


def table(graph: pyoxigraph.Store, kind: str, key: str, fields: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a table of every node of class hk:`kind`."""
    labels, xrefs = objects_of(graph, "rdfs:label"), objects_of(graph, "oboInOwl:hasDbXref")
    names = columns(fields)
    columns_plan = plan(names, labels, xrefs)
    rows = [[node, *cells_of(row, columns_plan)] for node, row in values(graph, kind, fields).items()]
    return [key, *names], rows


def claims_tsv(release: Source) -> bytes:
    """One row per claim (every hk:Claim: relation claims, outcomes, prevalence figures, entity evidence …)."""
    graph = store(release)
    header, rows = table(graph, "Claim", "claim", CLAIM_FIELDS)
    kinds = objects_of(graph, "a")
    kind_of = {
        node: MULTI.join(
            sorted(k.removeprefix("ontology#") for k in found if k.startswith("ontology#") and k != "ontology#Claim")
        )
        for node, found in kinds.items()
    }
    return tsv([header[0], "kind", *header[1:]], ([row[0], kind_of.get(row[0], ""), *row[1:]] for row in rows))


def outcomes_tsv(release: Source) -> bytes:
    """One row per result of an arm (trial, arm, endpoint, value, unit …), and one per outcome without arm results
    (the hazard ratio and p-value belong to the outcome and repeat on each of its arms)."""
    graph = store(release)
    labels, xrefs = objects_of(graph, "rdfs:label"), objects_of(graph, "oboInOwl:hasDbXref")
    outcomes = values(graph, "Outcome", OUTCOME_FIELDS)
    arms = values(graph, "ArmResult", ARM_FIELDS)
    arm_results = objects_of(graph, "hk:hasArmResult")
    outcome_names, arm_names = columns(OUTCOME_FIELDS), columns(ARM_FIELDS)
    outcome_plan, arm_plan = plan(outcome_names, labels, xrefs), plan(arm_names, labels, xrefs)
    split = outcome_names.index("condition")  # the arm's columns follow what names the outcome
    rows = []
    for outcome, row in outcomes.items():
        head = cells_of(row, outcome_plan)
        for arm in sorted(arm_results.get(outcome, ())) or [""]:
            arm_cells = cells_of(arms[arm], arm_plan) if arm else [""] * len(arm_names)
            rows.append([outcome, *head[:split], *arm_cells, *head[split:]])
    header = ["outcome", *outcome_names[:split], *arm_names, *outcome_names[split:]]
    return tsv(header, rows)


def trials_tsv(release: Source) -> bytes:
    """One row per clinical trial."""
    header, rows = table(store(release), "ClinicalTrial", "trial", TRIAL_FIELDS)
    return tsv(header, rows)
