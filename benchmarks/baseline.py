"""The release stages of the straightforward pipeline, for benchmarks/pipeline.py's baseline path: what rdflib
offers for each file her2kg writes, over the rdflib graphs the baseline builds.

- the entailments: the rules of her2kg.infer (subclasses, sub-properties, inverse, symmetric and transitive
  properties, domains, ranges), the TBox read with rdflib's graph methods and the rules applied to the
  individuals' triples in Python sets until nothing new follows — as infer.py was first written; the
  benchmark checks that both paths find the same triples;
- Turtle, N-Triples, RDF/XML, N-Quads (an rdflib Dataset of the three graphs) and JSON-LD (rdflib's serialiser
  with her2kg's context) by rdflib's serialisers; the gzip copies as her2kg makes them;
- the files rdflib has no writer for (the evidence tables, KGX, the nanopublications) by her2kg's own writers,
  from a pyoxigraph store of the baseline's N-Triples and its triples sorted, made once: the same code on both
  paths.

VoID and SHA256SUMS (a fraction of a second) are not written by the baseline.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from her2kg import __version__, formats_kgx, formats_tables
from her2kg.export import bound
from her2kg.formats import FORMATS, release_graph
from her2kg.formats_jsonld import OBJECT_PROPERTIES, context_json, rdflib_jsonld
from her2kg.formats_nanopub import nanopubs_trig, release_index
from her2kg.namespaces import HK
from her2kg.release import WRITTEN_BESIDE_VALIDATION
from her2kg.triple_index import TripleIndex

Triple = tuple[Node, Node, Node]
# The files her2kg's writers write from the baseline's store: those a build writes beside its validation (the
# writers that read the release store), and the nanopublications.
FROM_STORE = frozenset(FORMATS[name].file_name for name in WRITTEN_BESIDE_VALIDATION | {"nanopubs"})


def own(term: object) -> bool:
    return isinstance(term, URIRef) and term.startswith(str(HK))


def entailments(release: Graph) -> Graph:
    """What follows from the individuals of `release` (TBox and data) by her2kg's rules and is not stated."""

    def above(relation: URIRef) -> dict[Node, set[Node]]:
        return {
            a: {b for b in release.transitive_objects(a, relation) if own(b) and b != a}
            for a in set(release.subjects(relation, None))
        }

    superclasses, superproperties = above(RDFS.subClassOf), above(RDFS.subPropertyOf)
    inverses: dict[Node, set[Node]] = defaultdict(set)
    for p, q in release.subject_objects(OWL.inverseOf):
        if own(q):
            inverses[p].add(q)
        if own(p):
            inverses[q].add(p)
    symmetric = set(release.subjects(RDF.type, OWL.SymmetricProperty))
    transitive = set(release.subjects(RDF.type, OWL.TransitiveProperty))
    domains, ranges = (
        {p: {c for c in release.objects(p, axis) if own(c)} for p in set(release.subjects(axis, None))}
        for axis in (RDFS.domain, RDFS.range)
    )

    def consequences(s: Node, p: Node, o: Node) -> list[Triple]:
        if p == RDF.type:
            return [(s, RDF.type, d) for d in superclasses.get(o, ())]
        found: list[Triple] = [(s, q, o) for q in superproperties.get(p, ())]
        if isinstance(o, URIRef):
            found += [(o, q, s) for q in inverses.get(p, ())]
            found += [(o, p, s)] if p in symmetric else []
            found += [(o, RDF.type, c) for c in ranges.get(p, ())]
        return found + [(s, RDF.type, c) for c in domains.get(p, ())]

    individuals = set(release.subjects(RDF.type, OWL.NamedIndividual))
    known: set[Triple] = {t for t in release if t[0] in individuals}
    new: set[Triple] = set()
    frontier = set(known)
    while frontier:
        step = {c for t in frontier for c in consequences(*t) if c not in known}
        step |= chains(known | step, transitive) - known
        known |= step
        new |= step
        frontier = step
    inferred = bound(Graph())
    for triple in new:
        inferred.add(triple)
    return inferred


def chains(triples: set[Triple], transitive: set[Node]) -> set[Triple]:
    """(a p c) for every chain a p b … p c of a transitive property p among `triples`: each node's successors
    joined with theirs until none is added."""
    found: set[Triple] = set()
    for p in transitive:
        reach: dict[Node, set[Node]] = defaultdict(set)
        for s, q, o in triples:
            if q == p:
                reach[s].add(o)
        grown = True
        while grown:
            grown = False
            for start in list(reach):
                further = set().union(*(reach.get(b, set()) for b in reach[start])) - reach[start]
                if further:
                    reach[start] |= further
                    grown = True
        found.update((start, p, end) for start, ends in reach.items() for end in ends)
    return found


def sorted_lines(written: bytes) -> bytes:
    """rdflib's N-Triples or N-Quads with its lines sorted, as the release's files are."""
    return b"\n".join(sorted(line for line in written.splitlines() if line)) + b"\n"


@dataclass
class Release:
    """The baseline's release: its rdflib graphs, and what its later files are written from."""

    ontology: Graph
    data: Graph
    release: Graph  # ontology and data merged
    out: Path
    inferred: Graph = field(default_factory=Graph)
    _store: pyoxigraph.Store | None = None
    _index: TripleIndex | None = None

    def infer(self) -> None:
        self.inferred = entailments(self.release)

    @property
    def store(self) -> pyoxigraph.Store:
        """The release's N-Triples in a pyoxigraph store, loaded once for her2kg's writers of the tables and KGX."""
        if self._store is None:
            self._store = pyoxigraph.Store()
            self._store.bulk_load(path=str(self.out / "her2kg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
        return self._store

    @property
    def index(self) -> TripleIndex:
        """The release's N-Triples read as sorted pyoxigraph triples, for her2kg's nanopublication writer."""
        if self._index is None:
            self._index = release_index((self.out / "her2kg.nt").read_text(encoding="utf-8"))
        return self._index

    def nquads(self) -> bytes:
        dataset = Dataset()
        for part, graph in (("ontology", self.ontology), ("data", self.data), ("inferred", self.inferred)):
            named = dataset.graph(URIRef(release_graph(__version__, part)))
            for triple in graph:
                named.add(triple)
        return sorted_lines(dataset.serialize(format="nquads", encoding="utf-8"))

    def gzipped(self, name: str) -> bytes:
        return gzip.compress((self.out / name).read_bytes(), compresslevel=6, mtime=0)

    def object_properties(self) -> list[str]:
        return sorted(str(row[0]) for row in self.release.query(OBJECT_PROPERTIES))  # type: ignore[index]

    def writers(self) -> dict[str, Callable[[], bytes]]:
        """The writer of each file, by file name, in the order her2kg's registry lists them."""
        return {
            "her2kg.ttl": lambda: self.release.serialize(format="turtle", encoding="utf-8"),
            "her2kg.nt": lambda: sorted_lines(self.release.serialize(format="nt", encoding="utf-8")),
            "her2kg.owl": lambda: self.release.serialize(format="xml", encoding="utf-8"),
            "her2kg-base.owl": lambda: self.ontology.serialize(format="xml", encoding="utf-8"),
            "her2kg-inferred.ttl": lambda: self.inferred.serialize(format="turtle", encoding="utf-8"),
            "her2kg-inferred.nt": lambda: sorted_lines(self.inferred.serialize(format="nt", encoding="utf-8")),
            "her2kg.nq": self.nquads,
            "her2kg.nt.gz": lambda: self.gzipped("her2kg.nt"),
            "her2kg.nq.gz": lambda: self.gzipped("her2kg.nq"),
            "claims.tsv": lambda: formats_tables.claims_tsv(self.store),
            "outcomes.tsv": lambda: formats_tables.outcomes_tsv(self.store),
            "trials.tsv": lambda: formats_tables.trials_tsv(self.store),
            "her2kg-kgx/nodes.tsv": lambda: formats_kgx.nodes_tsv(self.store),
            "her2kg-kgx/edges.tsv": lambda: formats_kgx.edges_tsv(self.store),
            "her2kg-kgx/nodes.jsonl": lambda: formats_kgx.nodes_jsonl(self.store),
            "her2kg-kgx/edges.jsonl": lambda: formats_kgx.edges_jsonl(self.store),
            "her2kg-nanopubs.trig": lambda: nanopubs_trig(self.index, __version__, None),
            "her2kg-context.jsonld": lambda: context_json(self.object_properties()),
            "her2kg.jsonld": lambda: rdflib_jsonld(self.data, self.object_properties(), __version__),
        }
