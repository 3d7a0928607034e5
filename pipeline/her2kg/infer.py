"""Materialised entailments: the triples a reasoner would add that users' queries rely on.

A triple store without a reasoner then answers `?x a hk:Study` with the trials, `?arm hk:armOf ?t`
from `?t hk:hasArm ?arm`, `?c hk:broaderClass ?top` across several levels, and `?s hk:formOf ?g`
from `hk:truncatedFormOf`. The rules are the ones of the TBox that concern our own terms —
subclasses, sub-properties, inverse, symmetric and transitive properties, domains and ranges —
applied to the named individuals until nothing new follows. (owlrl's full OWL-RL closure gives the
same answers but took ~35 s on the shipped graph and adds thousands of triples about RDF/OWL
itself; this takes well under a second.)

The output holds only what is entailed and not already stated, so a user loads her2kg.nt and
her2kg-inferred.nt together. Same release, same bytes.
"""
from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .export import bound, sorted_ntriples
from .namespaces import HK

INFERRED_FILES = ("her2kg-inferred.ttl", "her2kg-inferred.nt")


def own(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(HK))


class Rules:
    """The entailment rules of the TBox in `graph`, restricted to conclusions about our own terms."""

    def __init__(self, graph: Graph):
        self.superclasses = {c: {d for d in graph.transitive_objects(c, RDFS.subClassOf) if own(d) and d != c}
                             for c in set(graph.subjects(RDFS.subClassOf, None))}
        self.superproperties = {p: {q for q in graph.transitive_objects(p, RDFS.subPropertyOf) if own(q) and q != p}
                                for p in set(graph.subjects(RDFS.subPropertyOf, None))}
        self.inverses = defaultdict(set)
        for p, q in graph.subject_objects(OWL.inverseOf):
            if own(q):
                self.inverses[p].add(q)
            if own(p):
                self.inverses[q].add(p)
        self.symmetric = set(graph.subjects(RDF.type, OWL.SymmetricProperty))
        self.transitive = set(graph.subjects(RDF.type, OWL.TransitiveProperty))
        self.domains = {p: {c for c in graph.objects(p, RDFS.domain) if own(c)} for p in set(graph.subjects(RDFS.domain, None))}
        self.ranges = {p: {c for c in graph.objects(p, RDFS.range) if own(c)} for p in set(graph.subjects(RDFS.range, None))}

    def consequences(self, s, p, o):
        """The triples that follow from (s, p, o) in one step."""
        if p == RDF.type:
            for d in self.superclasses.get(o, ()):
                yield s, RDF.type, d
            return
        for q in self.superproperties.get(p, ()):
            yield s, q, o
        if isinstance(o, URIRef):
            for q in self.inverses.get(p, ()):
                yield o, q, s
            if p in self.symmetric:
                yield o, p, s
            for c in self.ranges.get(p, ()):
                yield o, RDF.type, c
        for c in self.domains.get(p, ()):
            yield s, RDF.type, c


def entailments(graph: Graph) -> Graph:
    """What follows from the individuals of `graph` (a release: TBox and data) and is not stated."""
    rules = Rules(graph)
    individuals = set(graph.subjects(RDF.type, OWL.NamedIndividual))
    known = {t for t in graph if t[0] in individuals}
    new: set = set()
    frontier = set(known)
    while frontier:
        step = set()
        for triple in frontier:
            step.update(t for t in rules.consequences(*triple) if t not in known)
        step |= _transitive_steps(known | step, rules.transitive) - known
        known |= step
        new |= step
        frontier = step
    inferred = bound(Graph())
    for triple in new:
        inferred.add(triple)
    return inferred


def _transitive_steps(triples: set, transitive: set) -> set:
    """(a p c) for every chain a p b, b p c of a transitive property p, to a fixpoint."""
    found = set()
    for p in transitive:
        edges = defaultdict(set)
        for s, q, o in triples:
            if q == p:
                edges[s].add(o)
        for start in list(edges):
            seen, todo = set(), list(edges[start])
            while todo:
                node = todo.pop()
                if node not in seen:
                    seen.add(node)
                    todo.extend(edges.get(node, ()))
            found.update((start, p, end) for end in seen)
    return found


def write_inferred(graph: Graph, folder: Path) -> int:
    """Write her2kg-inferred.ttl and .nt (sorted) into `folder`; return the number of triples."""
    inferred = entailments(graph)
    folder = Path(folder)
    _replace(folder / "her2kg-inferred.nt", sorted_ntriples(inferred).encode("utf-8"))
    _replace(folder / "her2kg-inferred.ttl", inferred.serialize(format="turtle", encoding="utf-8"))
    return len(inferred)


def _replace(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, so a reader never sees half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
