"""her2kg-base.owl, the base module (as Ontology Development Kit releases make them): the classes,
properties and controlled vocabularies alone, under an ontology IRI and version IRI of its own, while
her2kg.owl keeps everything."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF

from her2kg.build import check_facts
from her2kg.namespaces import ONTOLOGY_IRI, VOCAB
from her2kg.release import Release, write_release

SLICE = Path(__file__).parent / "data" / "slice"
BASE_IRI = URIRef("https://w3id.org/her2kg/her2kg-base.owl")
DECLARED = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def owl_files(tmp_path_factory) -> tuple[Graph, Graph, Release]:
    out = tmp_path_factory.mktemp("base") / "dist"
    write_release(check_facts(SLICE), out)
    release = Release(out)
    return Graph().parse(release.owl_base, format="xml"), Graph().parse(release.owl, format="xml"), release


def test_the_base_has_its_own_ontology_and_version_iri(owl_files):
    base, full, release = owl_files
    version = release.read_report()["version"]
    assert set(base.subjects(RDF.type, OWL.Ontology)) == {BASE_IRI}
    assert set(base.objects(BASE_IRI, OWL.versionIRI)) == {
        URIRef(f"https://w3id.org/her2kg/release/{version}/her2kg-base.owl")
    }
    assert set(full.subjects(RDF.type, OWL.Ontology)) == {ONTOLOGY_IRI}
    assert set(full.objects(ONTOLOGY_IRI, OWL.versionIRI)) != set(base.objects(BASE_IRI, OWL.versionIRI))


def test_the_base_declares_every_class_and_property_of_the_release(owl_files):
    base, full, _ = owl_files
    for kind in DECLARED:
        assert set(base.subjects(RDF.type, kind)) == set(full.subjects(RDF.type, kind)), kind


def test_the_only_individuals_of_the_base_are_vocabulary_values(owl_files):
    base, full, _ = owl_files
    individuals = set(base.subjects(RDF.type, OWL.NamedIndividual))
    assert individuals and all(str(i).startswith(str(VOCAB)) for i in individuals)
    assert len(set(full.subjects(RDF.type, OWL.NamedIndividual))) > len(individuals)


def test_everything_but_the_header_of_the_base_is_in_the_full_file(owl_files):
    base, full, _ = owl_files

    def ground(graph: Graph) -> set:
        return {t for t in graph if not any(isinstance(term, BNode) for term in t)}

    def anonymous(graph: Graph) -> int:  # OWL lists and restrictions: blank nodes, labelled anew by each parse
        return sum(1 for t in graph if any(isinstance(term, BNode) for term in t))

    body = {t for t in ground(base) if t[0] != BASE_IRI}
    assert body and not body - ground(full)
    assert anonymous(base) == anonymous(full) > 0
