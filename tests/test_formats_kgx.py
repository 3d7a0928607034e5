"""The KGX files: every ontology class and claim relation has a Biolink mapping or a reason to have none; nodes and
edges carry the columns the KGX specification requires, CURIE ids, and every edge joins two nodes of the file."""

import csv
import json
import re

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from her2kg.formats_kgx import CATEGORIES, FOLDER, ID_PREFIXES, PREDICATES, UNMAPPED_CLASSES, UNMAPPED_RELATIONS
from her2kg.namespaces import HK
from her2kg.resources import project_path

CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:[^\s|]+$")
ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:[^\s|/:]+$")  # kgx refuses a '/' or ':' in an id's local part
SNAKE_BIOLINK = re.compile(r"^biolink:[a-z]+(_[a-z]+)*$")
CAMEL_BIOLINK = re.compile(r"^biolink:[A-Z][A-Za-z]+$")
REQUIRED_NODE = ["id", "category"]  # KGX specification: required node and edge properties
REQUIRED_EDGE = ["subject", "predicate", "object", "knowledge_level", "agent_type"]


@pytest.fixture(scope="module")
def ontology():
    return Graph().parse(project_path("ontology") / "her2kg.ttl")


def local(term) -> str:
    return str(term)[len(str(HK)) :]


def test_every_class_is_mapped_or_listed_as_unmapped_and_not_both(ontology):
    classes = {local(c) for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(HK))}
    assert classes == set(CATEGORIES) | set(UNMAPPED_CLASSES)
    assert not set(CATEGORIES) & set(UNMAPPED_CLASSES)


def test_every_claim_relation_is_mapped_or_listed_as_unmapped_and_not_both(ontology):
    relations = {
        local(p) for p in ontology.transitive_subjects(RDFS.subPropertyOf, HK.statedRelation) if p != HK.statedRelation
    }
    assert relations == set(PREDICATES) | set(UNMAPPED_RELATIONS)
    assert not set(PREDICATES) & set(UNMAPPED_RELATIONS)


def test_biolink_terms_are_spelled_as_categories_and_predicates():
    assert all(CAMEL_BIOLINK.match(c) for c in CATEGORIES.values())
    assert all(SNAKE_BIOLINK.match(p) for p in PREDICATES.values())
    assert set(ID_PREFIXES) <= set(CATEGORIES.values())


def read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_nodes_have_curie_ids_a_mapped_category_and_unique_ids(shipped_release):
    nodes = read(shipped_release / FOLDER / "nodes.tsv")
    assert nodes and all(node[column] for node in nodes for column in REQUIRED_NODE)
    assert all(ID.match(node["id"]) for node in nodes)
    assert all(CURIE.match(x) for node in nodes for x in filter(None, node["xref"].split("|")))
    assert {node["category"] for node in nodes} <= set(CATEGORIES.values())
    assert len({node["id"] for node in nodes}) == len(nodes)
    for node in nodes:  # a standard identifier is an id only where Biolink accepts its prefix for the category
        prefix = node["id"].partition(":")[0]
        assert prefix.startswith("her2kg.") or prefix in ID_PREFIXES[node["category"]], node["id"]


def test_edges_join_nodes_with_mapped_predicates_and_provenance(shipped_release):
    ids = {node["id"] for node in read(shipped_release / FOLDER / "nodes.tsv")}
    edges = read(shipped_release / FOLDER / "edges.tsv")
    assert edges and all(edge[column] for edge in edges for column in REQUIRED_EDGE)
    assert all(edge["subject"] in ids and edge["object"] in ids for edge in edges)
    assert {edge["predicate"] for edge in edges} <= set(PREDICATES.values())
    assert {edge["knowledge_level"] for edge in edges} == {"knowledge_assertion"}
    assert {edge["agent_type"] for edge in edges} == {"manual_agent"}
    assert all(edge["publications"] and edge["supporting_text"] and edge["primary_knowledge_source"] for edge in edges)


def test_json_lines_hold_the_same_nodes_and_edges_as_the_tsv(shipped_release):
    for kind in ("nodes", "edges"):
        rows = read(shipped_release / FOLDER / f"{kind}.tsv")
        lines = (shipped_release / FOLDER / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
        assert [r["id"] for r in records] == [r["id"] for r in rows]
        assert all(isinstance(r.get("category", []), list) for r in records)
