"""One version everywhere: the package, the ontology's owl:versionInfo and versionIRI, the changelog."""

import tomllib
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import OWL

import her2kg
from her2kg.namespaces import ONTOLOGY_IRI
from her2kg.ontology import Ontology

REPO = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def test_the_installed_package_has_the_projects_version():
    assert her2kg.__version__ == VERSION


def test_the_ontology_carries_the_package_version():
    graph = Ontology(REPO / "ontology").graph
    assert str(graph.value(ONTOLOGY_IRI, OWL.versionInfo)) == VERSION
    assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{VERSION}")


def test_the_changelog_describes_this_version():
    assert f"## {VERSION}" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
