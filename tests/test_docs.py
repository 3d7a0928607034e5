"""`her2kg docs`: a browsable page of the ontology with every class and property, its label,
definition, synonyms, alignments and the class tree — made offline by pyLODE."""

from __future__ import annotations

import html
import re

import pytest
from click.testing import CliRunner
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from her2kg.cli import cli
from her2kg.namespaces import HK
from her2kg.ontology import Ontology


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("docs")
    result = CliRunner().invoke(cli, ["docs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return (out / "index.html").read_text(encoding="utf-8")


def our_terms(kind):
    graph = Ontology().graph
    return graph, sorted(t for t in graph.subjects(RDF.type, kind) if str(t).startswith(str(HK)))


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_term_is_on_the_page_with_label_and_definition(page, kind):
    graph, terms = our_terms(kind)
    text = html.unescape(page)
    for term in terms:
        assert str(term) in text, term
        assert str(graph.value(term, RDFS.label)) in text, term
        assert str(graph.value(term, SKOS.definition)) in text, term


def test_synonyms_and_alignments_are_shown(page):
    assert "Also called: T-DM1" not in page  # the page is about the ontology, not the data
    assert "Also called: paper, source, source text" in page
    assert "Same as: http://purl.obolibrary.org/obo/RO_0002205, https://w3id.org/biolink/vocab/has_gene_product" in page


def test_the_class_tree_nests_subclasses(page):
    tree = page[page.index("<strong>Classes</strong>") :]
    assert re.search(r'href="#Study">study</a><ul>\s*<li><a href="#ClinicalTrial">clinical trial</a>', tree)


def test_the_page_needs_nothing_from_the_network(page):
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page)


@pytest.mark.slow
def test_the_command_prints_no_library_logs(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    her2kg = Path(sys.executable).parent / "her2kg"
    result = subprocess.run([str(her2kg), "docs", "--out", str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == f"wrote {tmp_path / 'index.html'}\n"
