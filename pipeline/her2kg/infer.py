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
from collections.abc import Callable, Iterable, Iterator
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
    """The entailment rules of the TBox in `store`, restricted to conclusions about our own terms.

    The TBox is small: its relations are read into dictionaries once."""

    def __init__(self, store: ox.Store):
        def stated(predicate: object) -> list[ox.Triple]:
            return [q.triple for q in store.quads_for_pattern(None, _iri(predicate), None, ox.DefaultGraph())]

        self.superclasses = _ancestors(stated(RDFS.subClassOf))
        self.superproperties = {
            p: {q for q in qs if isinstance(q, ox.NamedNode)}
            for p, qs in _ancestors(stated(RDFS.subPropertyOf)).items()
        }
        self.inverses: dict[Term, set[ox.NamedNode]] = defaultdict(set)
        for t in stated(OWL.inverseOf):
            if own(t.object) and isinstance(t.object, ox.NamedNode):
                self.inverses[t.subject].add(t.object)
            if own(t.subject) and isinstance(t.subject, ox.NamedNode):
                self.inverses[t.object].add(t.subject)
        self.symmetric = _instances(store, OWL.SymmetricProperty)
        self.transitive = _instances(store, OWL.TransitiveProperty)
        self.domains: dict[Term, set[Term]] = defaultdict(set)
        self.ranges: dict[Term, set[Term]] = defaultdict(set)
        for axis, found in ((RDFS.domain, self.domains), (RDFS.range, self.ranges)):
            for t in stated(axis):
                if own(t.object):
                    found[t.subject].add(t.object)
        # The predicates some rule applies to (rdf:type only for a class with superclasses): most
        # triples of a release (labels, quotes, numbers) entail nothing and are never read.
        self.active = {*self.superproperties, *self.inverses, *self.symmetric, *self.domains, *self.ranges}

    def first_step(self, store: ox.Store, individuals: set[Term]) -> set[ox.Triple]:
        """What the stated triples about `individuals` entail in one step and the store does not state.

        The rules run as SPARQL in the store, which returns only what is new: the build states most of
        what they conclude (each node's classes), so a million consequences need not come to Python."""
        ni = f"<{OWL.NamedIndividual}>"
        found: set[ox.Triple] = set()

        def run(query: str, rows: list[tuple[Term, Term]], make: Callable[[ox.QuerySolution], ox.Triple]) -> None:
            iris = [(a, b) for a, b in rows if isinstance(a, ox.NamedNode) and isinstance(b, ox.NamedNode)]
            if iris:
                values = " ".join(f"({a} {b})" for a, b in sorted(iris, key=str))
                solutions = store.query(query.replace("ROWS", values))
                assert isinstance(solutions, ox.QuerySolutions)  # a SELECT
                found.update(make(row) for row in solutions)

        def pairs(relation: dict[Term, set[Term]] | dict[Term, set[ox.NamedNode]]) -> list[tuple[Term, Term]]:
            return [(a, b) for a, bs in relation.items() if a != TYPE for b in bs]

        subclass = [(c, d) for c, ds in self.superclasses.items() for d in ds]
        run(  # the classes above a stated class
            f"SELECT DISTINCT ?s ?d WHERE {{ VALUES (?c ?d) {{ ROWS }} ?s a ?c . ?s a {ni} FILTER NOT EXISTS {{ ?s a ?d }} }}",
            subclass,
            lambda row: ox.Triple(row["s"], TYPE, row["d"]),  # type: ignore[arg-type]
        )
        run(  # the properties above a stated property
            f"SELECT DISTINCT ?s ?q ?o WHERE {{ VALUES (?p ?q) {{ ROWS }} ?s ?p ?o . ?s a {ni} FILTER NOT EXISTS {{ ?s ?q ?o }} }}",
            pairs(self.superproperties),
            lambda row: ox.Triple(row["s"], row["q"], row["o"]),  # type: ignore[arg-type]
        )
        run(  # inverse and symmetric properties: the triple the other way round, about an IRI
            "SELECT DISTINCT ?o ?q ?s WHERE { VALUES (?p ?q) { ROWS } ?s ?p ?o . "
            f"?s a {ni} FILTER (isIRI(?o)) FILTER NOT EXISTS {{ ?o ?q ?s . ?o a {ni} }} }}",
            pairs(self.inverses) + [(p, p) for p in self.symmetric if p != TYPE],
            lambda row: ox.Triple(row["o"], row["q"], row["s"]),  # type: ignore[arg-type]
        )
        run(  # ranges: the class of an IRI value
            "SELECT DISTINCT ?o ?c WHERE { VALUES (?p ?c) { ROWS } ?s ?p ?o . "
            f"?s a {ni} FILTER (isIRI(?o)) FILTER NOT EXISTS {{ ?o a ?c . ?o a {ni} }} }}",
            pairs(self.ranges),
            lambda row: ox.Triple(row["o"], TYPE, row["c"]),  # type: ignore[arg-type]
        )
        run(  # domains: the class of the subject
            f"SELECT DISTINCT ?s ?c WHERE {{ VALUES (?p ?c) {{ ROWS }} ?s ?p ?o . ?s a {ni} FILTER NOT EXISTS {{ ?s a ?c }} }}",
            pairs(self.domains),
            lambda row: ox.Triple(row["s"], TYPE, row["c"]),  # type: ignore[arg-type]
        )
        # A class that is not an IRI (an OWL expression) cannot be written in VALUES: read in Python.
        for c, ds in self.superclasses.items():
            if not isinstance(c, ox.NamedNode):
                for quad in store.quads_for_pattern(None, TYPE, c, ox.DefaultGraph()):  # type: ignore[arg-type]
                    if quad.subject in individuals:
                        found.update(
                            ox.Triple(quad.subject, TYPE, d) for d in ds if ox.Quad(quad.subject, TYPE, d) not in store
                        )
        return found

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


def _instances(store: ox.Store, cls: object) -> set[Term]:
    return {q.subject for q in store.quads_for_pattern(None, TYPE, _iri(cls), ox.DefaultGraph())}


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


def entailed_triples(release: ox.Store) -> set[ox.Triple]:
    """What follows from the individuals of `release` (a store holding the TBox and the data in its
    default graph) and is not stated.

    The first step runs in the store (`Rules.first_step`), later ones on the little that is new; the
    edges of transitive properties, stated and inferred, are kept in a second store,
    which walks their chains (`p+` property paths) instead of Python rescanning every triple.
    """
    rules = Rules(release)
    individuals = _instances(release, OWL.NamedIndividual)

    def known(t: ox.Triple) -> bool:  # stated about an individual, or inferred already
        return t in new or (t.subject in individuals and ox.Quad(t.subject, t.predicate, t.object) in release)

    chained = ox.Store()
    for p in rules.transitive:
        stated = release.quads_for_pattern(None, p, None, ox.DefaultGraph())  # type: ignore[arg-type]
        chained.extend(q for q in stated if q.subject in individuals)
    chains = [f"SELECT ?a ?c WHERE {{ ?a {p} ?b . ?b {p}+ ?c }}" for p in sorted(map(str, rules.transitive))]
    new: set[ox.Triple] = set()
    step = rules.first_step(release, individuals)
    while True:
        chained.extend(ox.Quad(t.subject, t.predicate, t.object) for t in step if t.predicate in rules.transitive)
        for p, query in zip(sorted(rules.transitive, key=str), chains, strict=False):
            rows = chained.query(query)
            assert isinstance(rows, ox.QuerySolutions)  # a SELECT
            step.update(t for row in rows if not known(t := ox.Triple(row["a"], p, row["c"])))  # type: ignore[arg-type]
        chained.extend(ox.Quad(t.subject, t.predicate, t.object) for t in step if t.predicate in rules.transitive)
        if not step:
            return new
        new |= step
        step = {c for t in step if rules.applies(t) for c in rules.consequences(t) if not known(c)}


def release_store(triples: Iterable[ox.Triple]) -> ox.Store:
    """The triples in the default graph of an in-memory store."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


def entailments(graph: Graph) -> list[ox.Triple]:
    """The entailments of a release held as an rdflib Graph, sorted in N-Triples order."""
    return oxigraph_triples(entailed_triples(release_store(oxigraph_triples(graph))))


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
