"""A browsable HTML page of the ontology, made by pyLODE.

pyLODE lays out each class and property with its label, definition, super- and sub-classes,
domains and ranges. It does not show synonyms or alignments to other ontologies, and it has no
class tree, so the page is made from a presentation copy of the TBox: synonyms and alignments
become notes of each term, and the tree of classes is added to the ontology's description.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from .namespaces import HK, ONTOLOGY_IRI
from .ontology import Ontology

NOTES = (
    (SKOS.altLabel, "Also called"),
    (HK.codeName, "Code name"),
    (SKOS.exactMatch, "Same as"),
    (SKOS.closeMatch, "Close to"),
)


def presentation_graph(tbox: Graph) -> Graph:
    """A copy of `tbox` with synonyms, alignments and the class tree where pyLODE shows them."""
    page = Graph()
    for prefix, namespace in tbox.namespaces():
        page.bind(prefix, namespace)
    for triple in tbox:
        page.add(triple)
    for term in sorted(set(tbox.subjects()), key=str):
        if not str(term).startswith(str(HK)):
            continue
        for predicate, heading in NOTES:
            values = sorted(str(v) for v in tbox.objects(term, predicate))
            if values:
                page.add((term, SKOS.note, Literal(f"{heading}: {', '.join(values)}")))
    description = tbox.value(ONTOLOGY_IRI, DCTERMS.description)
    page.remove((ONTOLOGY_IRI, DCTERMS.description, None))
    page.add((ONTOLOGY_IRI, DCTERMS.description, Literal(f"{description}\n\n**Classes**\n\n{class_tree(tbox)}")))
    return page


def class_tree(tbox: Graph) -> str:
    """The hierarchy of our classes as a nested Markdown list, roots and children by label."""
    classes = {c for c in tbox.subjects(RDF.type, OWL.Class) if str(c).startswith(str(HK))}

    def label(cls) -> str:
        return str(tbox.value(cls, RDFS.label) or cls)

    def parents(cls) -> set:
        return {p for p in tbox.objects(cls, RDFS.subClassOf) if p in classes}

    def lines(cls, depth: int) -> list[str]:
        out = [f"{'    ' * depth}- [{label(cls)}](#{str(cls)[len(str(HK)) :]})"]
        for child in sorted((c for c in classes if cls in parents(c)), key=label):
            out += lines(child, depth + 1)
        return out

    roots = sorted((c for c in classes if not parents(c)), key=label)
    return "\n".join(line for root in roots for line in lines(root, 0))


def _import_pylode():
    """pyLODE's OntPub, imported without the side effect of its import: one of its modules calls
    logging.basicConfig(level=DEBUG), which would print every library's debug log to our users."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from pylode import OntPub  # imported here: only `her2kg docs` needs it

    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)
    return OntPub


def make_html(ontology: Ontology | None = None) -> str:
    OntPub = _import_pylode()
    tbox = (ontology or Ontology()).graph
    return OntPub(ontology=presentation_graph(tbox)).make_html()


def write_docs(out_dir: Path, ontology: Ontology | None = None) -> Path:
    """Write the page to `out_dir`/index.html (styles included, nothing fetched) and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "index.html"
    page.write_text(make_html(ontology), encoding="utf-8")
    return page


__all__ = ["class_tree", "make_html", "presentation_graph", "write_docs"]
