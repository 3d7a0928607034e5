"""her2kg.jsonld with its published context her2kg-context.jsonld: it reads back as the same data triples, and its
keys are words, not IRIs."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph

from her2kg.formats_jsonld import indented, rdflib_jsonld


@pytest.fixture(scope="module")
def documents(shipped_release):
    data = json.loads((shipped_release / "her2kg.jsonld").read_text(encoding="utf-8"))
    context = json.loads((shipped_release / "her2kg-context.jsonld").read_text(encoding="utf-8"))
    return data, context


def test_the_document_names_the_context_file_of_its_release(documents, shipped_release):
    data, _ = documents
    version = json.loads((shipped_release / "build-report.json").read_text())["version"]
    assert data["@context"] == f"https://w3id.org/her2kg/release/{version}/her2kg-context.jsonld"


@pytest.mark.slow
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


# --- the writer against rdflib's JSON-LD serialiser (the reference it replaced) --------------------------


def object_properties() -> list[str]:
    from rdflib.namespace import OWL, RDF

    from her2kg.ontology import Ontology

    return [str(p) for p in Ontology().graph.subjects(RDF.type, OWL.ObjectProperty)]


def written(data: Graph, properties: list[str], version: str) -> bytes:
    from her2kg.export import oxigraph_triples
    from her2kg.formats_jsonld import data_jsonld

    return data_jsonld(oxigraph_triples(data), properties, version)


@pytest.mark.parametrize("case", sorted((Path(__file__).parent / "jsonld").glob("*.ttl")), ids=lambda p: p.stem)
def test_each_kind_of_value_is_written_as_rdflib_compacts_it(case):
    data = Graph().parse(case)
    assert written(data, object_properties(), "1.0.0") == rdflib_jsonld(data, object_properties(), "1.0.0")


@pytest.mark.slow  # rdflib reads her2kg.nq and serialises the data: seconds
def test_the_shipped_data_is_written_as_rdflib_compacts_it(shipped_release):
    from rdflib import Dataset, URIRef

    from her2kg.formats import release_graph

    version = json.loads((shipped_release / "build-report.json").read_text())["version"]
    quads = Dataset().parse(shipped_release / "her2kg.nq", format="nquads")
    data = Graph() + quads.graph(URIRef(release_graph(version, "data")))
    assert (shipped_release / "her2kg.jsonld").read_bytes() == rdflib_jsonld(data, object_properties(), version)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_a_node_is_laid_out_as_json_dumps_lays_it_out(value):
    """The writer's own layout of a node (json.dumps encodes with an indent in pure Python) gives json.dumps's bytes."""
    assert indented(value, "  ") == json.dumps(value, indent=1, ensure_ascii=False).replace("\n", "\n  ")
