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
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from .export import ntriples_bytes, oxigraph_triples, turtle_bytes
from .namespaces import HK

INFERRED_FILES = ("her2kg-inferred.ttl", "her2kg-inferred.nt")

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple  # any position of a pyoxigraph triple
TYPE, NAMED_INDIVIDUAL = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OWL.NamedIndividual))


def own(term: object) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(str(HK))


def _iri(term: object) -> ox.NamedNode:
    return ox.NamedNode(str(term))


class Rules:
    """The entailment rules of the TBox in `triples`, restricted to conclusions about our own terms.

    The TBox is small: its relations are read into dictionaries once."""

    def __init__(self, triples: Iterable[ox.Triple]):
        by_predicate: dict[ox.NamedNode, list[ox.Triple]] = defaultdict(list)
        for t in triples:
            if t.predicate in _TBOX_PREDICATES:
                by_predicate[t.predicate].append(t)
        self.superclasses = _ancestors(by_predicate[_iri(RDFS.subClassOf)])
        self.superproperties = {
            p: {q for q in qs if isinstance(q, ox.NamedNode)}
            for p, qs in _ancestors(by_predicate[_iri(RDFS.subPropertyOf)]).items()
        }
        self.inverses: dict[Term, set[ox.NamedNode]] = defaultdict(set)
        for t in by_predicate[_iri(OWL.inverseOf)]:
            if own(t.object) and isinstance(t.object, ox.NamedNode):
                self.inverses[t.subject].add(t.object)
            if own(t.subject) and isinstance(t.subject, ox.NamedNode):
                self.inverses[t.object].add(t.subject)
        types = by_predicate[TYPE]
        self.symmetric = {t.subject for t in types if t.object == _iri(OWL.SymmetricProperty)}
        self.transitive = {t.subject for t in types if t.object == _iri(OWL.TransitiveProperty)}
        self.domains: dict[Term, set[Term]] = defaultdict(set)
        self.ranges: dict[Term, set[Term]] = defaultdict(set)
        for axis, found in ((_iri(RDFS.domain), self.domains), (_iri(RDFS.range), self.ranges)):
            for t in by_predicate[axis]:
                if own(t.object):
                    found[t.subject].add(t.object)
        # The predicates some rule applies to (rdf:type only for a class with superclasses): most
        # triples of a release (labels, quotes, numbers) entail nothing and are skipped unread.
        self.active = {*self.superproperties, *self.inverses, *self.symmetric, *self.domains, *self.ranges}

    def applies(self, t: ox.Triple) -> bool:
        return t.object in self.superclasses if t.predicate == TYPE else t.predicate in self.active

    def consequences(self, t: ox.Triple) -> Iterator[ox.Triple]:
        """The triples that follow from `t` in one step."""
        s, p, o = t.subject, t.predicate, t.object
        if p == TYPE:
            for d in self.superclasses.get(o, ()):
                yield ox.Triple(s, TYPE, d)
            return
        for q in self.superproperties.get(p, ()):
            yield ox.Triple(s, q, o)
        if isinstance(o, ox.NamedNode):
            for q in self.inverses.get(p, ()):
                yield ox.Triple(o, q, s)
            if p in self.symmetric:
                yield ox.Triple(o, p, s)
            for c in self.ranges.get(p, ()):
                yield ox.Triple(o, TYPE, c)
        for c in self.domains.get(p, ()):
            yield ox.Triple(s, TYPE, c)


_TBOX_PREDICATES = {
    _iri(p) for p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf, RDF.type, RDFS.domain, RDFS.range)
}


def _ancestors(edges: list[ox.Triple]) -> dict[Term, set[Term]]:
    """For each subject of `edges`, every node it reaches (not itself) that is one of our terms."""
    parents: dict[Term, set[Term]] = defaultdict(set)
    for t in edges:
        parents[t.subject].add(t.object)
    found: dict[Term, set[Term]] = {}
    for start, direct in parents.items():
        seen: set[Term] = set()
        todo = list(direct)
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(parents.get(node, ()))
        found[start] = {d for d in seen if own(d) and d != start}
    return found


def entailed_triples(release: Iterable[ox.Triple]) -> set[ox.Triple]:
    """What follows from the individuals of `release` (TBox and data) and is not stated.

    The edges of transitive properties, stated and inferred, are kept in a pyoxigraph store, which
    walks their chains (`p+` property paths) instead of Python rescanning every triple.
    """
    triples = list(release)
    rules = Rules(triples)
    individuals = {t.subject for t in triples if t.predicate == TYPE and t.object == NAMED_INDIVIDUAL}
    known = {t for t in triples if t.subject in individuals}
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in known if t.predicate in rules.transitive)
    chains = [f"SELECT ?a ?c WHERE {{ ?a {p} ?b . ?b {p}+ ?c }}" for p in sorted(map(str, rules.transitive))]
    new: set[ox.Triple] = set()
    frontier = set(known)
    while frontier:
        step = {c for t in frontier if rules.applies(t) for c in rules.consequences(t) if c not in known}
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in step if t.predicate in rules.transitive)
        for p, query in zip(sorted(rules.transitive, key=str), chains, strict=False):
            rows = store.query(query)
            assert isinstance(rows, ox.QuerySolutions)  # a SELECT
            step.update(t for row in rows if (t := ox.Triple(row["a"], p, row["c"])) not in known)  # type: ignore[arg-type]
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in step if t.predicate in rules.transitive)
        known |= step
        new |= step
        frontier = step
    return new


def entailments(graph: Graph) -> list[ox.Triple]:
    """The entailments of a release held as an rdflib Graph, sorted in N-Triples order."""
    return oxigraph_triples(entailed_triples(oxigraph_triples(graph)))


def write_inferred(graph: Graph, folder: Path) -> int:
    """Write her2kg-inferred.ttl and .nt (sorted) into `folder`; return the number of triples."""
    inferred = entailments(graph)
    folder = Path(folder)
    _replace(folder / "her2kg-inferred.nt", ntriples_bytes(inferred))
    _replace(folder / "her2kg-inferred.ttl", turtle_bytes(inferred))
    return len(inferred)


def _replace(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, so a reader never sees half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
