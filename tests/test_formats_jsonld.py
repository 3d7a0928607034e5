"""her2kg.jsonld with its published context her2kg-context.jsonld: it reads back as the same data triples, and its
keys are words, not IRIs."""

import json

import pytest
from rdflib import Graph


@pytest.fixture(scope="module")
def documents(shipped_release):
    data = json.loads((shipped_release / "her2kg.jsonld").read_text(encoding="utf-8"))
    context = json.loads((shipped_release / "her2kg-context.jsonld").read_text(encoding="utf-8"))
    return data, context


def test_the_document_names_the_context_file_of_its_release(documents, shipped_release):
    data, _ = documents
    version = json.loads((shipped_release / "build-report.json").read_text())["version"]
    assert data["@context"] == f"https://w3id.org/her2kg/release/{version}/her2kg-context.jsonld"


def test_with_the_context_it_reads_back_as_the_data_triples(documents, shipped_release):
    data, context = documents
    report = json.loads((shipped_release / "build-report.json").read_text())
    graph = Graph().parse(data=json.dumps({**data, "@context": context["@context"]}), format="json-ld")
    assert len(graph) == report["data_triples"]
    release = Graph().parse(shipped_release / "her2kg.nt", format="nt")
    assert not set(graph) - set(release)


def test_keys_are_readable_words(documents):
    data, _ = documents
    keys = {key for node in data["@graph"] for key in node}
    assert {"id", "type", "label", "targets", "statedIn", "quote"} <= keys
    assert not [key for key in keys if ":" in key and not key.startswith(("owl:", "skos:", "dcterms:", "rdfs:"))]
    ids = [node["id"] for node in data["@graph"]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
