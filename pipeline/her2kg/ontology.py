"""The hand-edited TBox: loading it, and reading from it what the facts may use.

The facts loader takes its controlled vocabularies and claim relations from here, so the
ontology is the single source of what a curator may write.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, RDF, RDFS

from .namespaces import HK, VOCAB, bind_prefixes
from .resources import files, project_path
from .schema import KINDS


def kebab(local_name: str) -> str:
    """`confersResistanceTo` → `confers-resistance-to`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", local_name).lower()


class Ontology:
    def __init__(self, folder: Path | None = None):
        self.folder = folder or project_path("ontology")
        parsed = Graph()
        for path in files(self.folder, "*.ttl"):
            parsed.parse(path, format="turtle")
        # Blank nodes (OWL lists) get labels derived from their content, not parse order, so
        # every export of the ontology is byte-identical from run to run.
        self.graph = bind_prefixes(Graph())
        for triple in to_canonical_graph(parsed):
            self.graph.add(triple)

    @cached_property
    def vocabularies(self) -> dict[str, dict[str, URIRef]]:
        """scheme → {slug → IRI} for every individual under https://w3id.org/her2kg/vocab/."""
        schemes: dict[str, dict[str, URIRef]] = {}
        for individual in self.graph.subjects(RDF.type, OWL.NamedIndividual):
            text = str(individual)
            if text.startswith(str(VOCAB)):
                scheme, _, slug = text[len(VOCAB) :].partition("/")
                schemes.setdefault(scheme, {})[slug] = URIRef(text)
        return schemes

    @cached_property
    def claim_relations(self) -> dict[str, URIRef]:
        """kebab name → property, for every sub-property of hk:statedRelation."""
        relations: dict[str, URIRef] = {}
        for prop in self.graph.transitive_subjects(RDFS.subPropertyOf, HK.statedRelation):
            if prop != HK.statedRelation and str(prop).startswith(str(HK)):
                relations[kebab(str(prop)[len(HK) :])] = URIRef(str(prop))
        return relations

    def superclasses(self, cls: URIRef) -> set[URIRef]:
        """`cls` and every class it is a subclass of, transitively."""
        return {URIRef(str(c)) for c in self.graph.transitive_objects(cls, RDFS.subClassOf) if c is not None}

    @cached_property
    def _kind_classes(self) -> dict[str, set[URIRef]]:
        return {
            kind.name: set().union(*(self.superclasses(c) for c in (kind.rdf_class, *kind.extra_types)))
            for kind in KINDS.values()
        }

    def relation_kinds(self, relation: str, role: str) -> frozenset[str] | None:
        """The kinds of record that may be the `role` ("subject" or "object") of a claim relation,
        from its rdfs:domain or rdfs:range; None when the ontology does not restrict it."""
        bounds = set(
            self.graph.objects(self.claim_relations[relation], RDFS.domain if role == "subject" else RDFS.range)
        )
        if not bounds:
            return None
        return frozenset(name for name, classes in self._kind_classes.items() if bounds <= classes)
