"""Every individual, class and property of the release has an rdfs:label, so that Protégé and every
list of nodes shows what a node is rather than its IRI. Where the facts give no label (claims,
outcomes, arm results, evidence passages, approvals …), the builder writes one from the record's
content, by the naming its kind declares in schema.py."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from her2kg.abox import Namer, short_text
from her2kg.facts import load_facts
from her2kg.namespaces import BASE
from her2kg.ontology import Ontology
from her2kg.schema import (
    ARM_RESULT_NAMING,
    ARM_VALUE_FIELDS,
    EVIDENCE_ENTRY_FIELDS,
    EVIDENCE_NAMING,
    KINDS,
    Naming,
    Part,
)

EXPECTED = Path(__file__).parent / "labels" / "expected.tsv"

UNLABELLED = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?node WHERE {
  VALUES ?type { owl:NamedIndividual owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
  ?node a ?type .
  FILTER(isIRI(?node))
  FILTER NOT EXISTS { ?node rdfs:label ?label }
}
"""


def test_no_individual_class_or_property_of_the_release_lacks_a_label(shipped_store):
    assert [str(row["node"]) for row in shipped_store.query(UNLABELLED)] == []


def expected_labels() -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in EXPECTED.read_text(encoding="utf-8").splitlines() if line[:1] not in "#"]
    return [(path, label) for path, label in rows]


@pytest.mark.parametrize("path, label", expected_labels(), ids=[path for path, _ in expected_labels()])
def test_a_record_without_a_label_is_named_from_its_content(shipped_store, path, label):
    found = shipped_store.query(f"SELECT ?l WHERE {{ <{BASE}{path}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}")
    assert [row["l"].value for row in found] == [label]


def namings() -> list[tuple[str, Naming, tuple]]:
    named = [(kind.name, kind.naming, kind.fields) for kind in KINDS.values() if kind.naming is not None]
    named += [(kind.name, Naming(kind.short, tail=()), kind.fields) for kind in KINDS.values() if kind.short]
    evidence_holders = [kind for kind in KINDS.values() if kind.field("evidence") and not kind.is_statement]
    named += [(f"{k.name}-evidence", EVIDENCE_NAMING, EVIDENCE_ENTRY_FIELDS + k.fields) for k in evidence_holders]
    named += [("arm-result", ARM_RESULT_NAMING, ARM_VALUE_FIELDS + KINDS["outcome"].fields)]
    return named


@pytest.mark.parametrize("name, naming, fields", namings(), ids=[n for n, _, _ in namings()])
def test_every_naming_names_fields_of_its_kind(name, naming, fields):
    def keys(part: Part) -> set[str]:
        templates = (part,) if isinstance(part, str) else part
        return {key for t in templates for _, key, _, _ in string.Formatter().parse(t) if key is not None}

    named = set().union(*(keys(p) for p in (*naming.head, *naming.details, *naming.tail)))
    assert named <= {f.key for f in fields}


def test_a_statement_kind_without_a_label_field_has_a_naming():
    for kind in KINDS.values():
        if not any(f.key in ("label", "description") for f in kind.fields):
            assert kind.naming is not None, kind.name


def test_labels_do_not_depend_on_the_order_of_the_facts():
    ontology = Ontology()
    records = load_facts(Path(__file__).parent / "data" / "slice", ontology).records
    forward, backward = Namer(records, ontology), Namer(list(reversed(records)), ontology)
    assert [forward.of_record(r) for r in records] == [backward.of_record(r) for r in records]


@pytest.mark.parametrize(
    "text, short",
    [
        ("2.1. Monoclonal Antibodies", "§2.1"),
        ("1. Introduction", "§1"),
        ("Table 1", "Table 1"),
        ("EJMO (Eurasian Journal of Medicine and Oncology)", "EJMO"),
        ("15 patients with HER2-positive disease", "15 patients with HER2-positive disease"),
        (
            "Promising Therapeutic Strategies to Combat Resistance and Improve Prognosis",
            "Promising Therapeutic Strategies to…",
        ),
    ],
)
def test_a_text_is_shortened_to_a_section_number_or_a_few_words(text, short):
    assert short_text(text) == short
