"""Lookups in a release's sorted triples, for what reads it node by node as it is written.

The release is one list of pyoxigraph triples in N-Triples order (formats.Content.triples), so a
node's triples are neighbours: its own are one slice of the list. The validator asks for the values of
the nodes it reports, the nanopublication writer for a node's triples, whether the release states a
triple, and for every triple of one predicate; answered from the list, these read the terms as the
release writes them, where a store would give a number in its canonical form (0.5 for the release's
"0.50"^^xsd:decimal, another RDF term).

`quads_for_pattern` answers these patterns in the shape of pyoxigraph.Store's.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from functools import cached_property

import pyoxigraph as ox

Subject = ox.NamedNode | ox.BlankNode | ox.Triple
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class TripleIndex:
    """The subjects and predicates of `triples` (sorted, no duplicates), indexed on first use."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.triples = triples
        self._predicates: dict[ox.NamedNode, list[ox.Triple]] = {}

    @cached_property
    def _subjects(self) -> dict[Subject, tuple[int, int]]:
        """Where each subject's triples start and stop in the list."""
        found: dict[Subject, tuple[int, int]] = {}
        start, current = 0, None
        for at, triple in enumerate(self.triples):
            subject = triple.subject
            if subject != current:
                if current is not None:
                    found[current] = (start, at)
                start, current = at, subject
        if current is not None:
            found[current] = (start, len(self.triples))
        return found

    def with_predicate(self, predicate: ox.NamedNode) -> list[ox.Triple]:
        """The triples of `predicate`, in order: found by one pass the first time (a writer asks for a few)."""
        if predicate not in self._predicates:
            self._predicates[predicate] = [t for t in self.triples if t.predicate == predicate]
        return self._predicates[predicate]

    def __contains__(self, triple: ox.Triple) -> bool:
        """Whether the release states `triple` (found by bisection among its subject's triples)."""
        start, stop = self._subjects.get(triple.subject, (0, 0))
        at = bisect.bisect_left(self.triples, str(triple), start, stop, key=str)
        return at < stop and self.triples[at] == triple

    def about(self, subject: Subject) -> list[ox.Triple]:
        start, stop = self._subjects.get(subject, (0, 0))
        return self.triples[start:stop]

    def quads_for_pattern(
        self, subject: Subject | None, predicate: ox.NamedNode | None, object: Term | None
    ) -> Iterator[ox.Triple]:
        """The triples matching a pattern whose subject or predicate is given (the writers' patterns)."""
        if subject is not None:
            candidates: list[ox.Triple] = self.about(subject)
            if predicate is not None:
                candidates = [t for t in candidates if t.predicate == predicate]
        elif predicate is not None:
            candidates = self.with_predicate(predicate)
        else:
            raise ValueError("a pattern of the release's triples names its subject or its predicate")
        if object is None:
            return iter(candidates)
        return (t for t in candidates if t.object == object)
