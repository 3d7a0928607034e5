"""The fast engine: each constraint of the shapes compiled to one SPARQL query, run on pyoxigraph.

It gives the same results as pySHACL (focus node, path, value, severity, constraint component,
source shape, messages) for the SHACL core components in `COMPONENTS` and for SELECT-based
sh:sparql constraints; the tests compare both engines on every shape fixture, on the shipped
release and on generated graphs with planted defects. A shape using anything else is refused
(`unsupported`) rather than silently half-checked.

As with pySHACL's `ont_graph`, the store holds the data and the ontology (in any graphs: queries
see their union), so targets and sh:class follow rdfs:subClassOf in the merged TBox.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from ..export import to_oxigraph
from .results import Result, distinct, shape_name

# The constraint parameters compiled here, each with its SHACL constraint component.
COMPONENTS: dict[URIRef, URIRef] = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
# Predicates of a shape that are not constraints (or are parameters read with another one).
NOT_CONSTRAINTS = {
    RDF.type,
    SH.path,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.targetClass,
    SH.property,
    SH.flags,
    SH.deactivated,
    SH.declare,
    RDFS.label,
    RDFS.comment,
}
PROPERTY_NOT_CONSTRAINTS = NOT_CONSTRAINTS - {SH.targetClass, SH.property, SH.declare}
PROPERTY_UNSUPPORTED = {SH["or"], SH.sparql, SH.property}  # compiled on node shapes only

# Values that pySHACL takes as ill-typed are the lexical forms Python cannot read: every form
# these patterns reject is checked again in Python (`_well_typed`), so only the rare odd ones pay.
LEXICAL = {XSD.integer: r"^[+-]?[0-9]+$", XSD.decimal: r"^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$"}
PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    XSD.integer: int,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.float: float,
}
NODE_KINDS = {
    SH.IRI: "isIRI(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))",
    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
}
RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
PAIRS = {SH.lessThan: "<", SH.lessThanOrEquals: "<="}


# The scratch graph holding each node shape's focus nodes during a run (removed after it).
SCRATCH = ox.NamedNode("urn:her2kg:validation:focus")
FOCUS_OF = ox.NamedNode("urn:her2kg:validation:focus-of")


class UnsupportedShape(Exception):
    """The shapes use something this engine does not compile."""


def unsupported(shapes: Graph) -> list[str]:
    """Everything in `shapes` the fast engine does not implement, in words (empty: it can run them)."""
    problems = []
    for shape in _node_shapes(shapes):
        problems += [
            f"{shape_name(shapes, shape)} uses {p.n3(shapes.namespace_manager)}"
            for p in set(shapes.predicates(shape, None)) - NOT_CONSTRAINTS - set(COMPONENTS)
        ]
        members = [
            *shapes.objects(shape, SH.property),
            *(m for or_list in shapes.objects(shape, SH["or"]) for m in Collection(shapes, or_list)),
        ]
        for member in members:
            name = shape_name(shapes, member)
            used = set(shapes.predicates(member, None))
            problems += [
                f"{name} uses {p.n3(shapes.namespace_manager)}"
                for p in (used - PROPERTY_NOT_CONSTRAINTS - set(COMPONENTS)) | (used & PROPERTY_UNSUPPORTED)
            ]
            if not isinstance(shapes.value(member, SH.path), URIRef):
                problems.append(f"{name}: only a property shape with an IRI as sh:path is compiled")
        for constraint in shapes.objects(shape, SH.sparql):
            select = str(shapes.value(constraint, SH.select) or "")
            if not select or re.search(r"\$(currentShape|shapesGraph|PATH)\b", select):
                problems.append(f"{shape} has an sh:sparql constraint that is not a plain SELECT on $this")
    return sorted(set(problems))


def _node_shapes(shapes: Graph) -> list[Node]:
    return sorted(
        {s for s in shapes.subjects(RDF.type, SH.NodeShape)} | set(shapes.subjects(SH.targetClass, None)), key=str
    )


def _integer(term: Node) -> int:
    if not isinstance(term, Literal) or not isinstance(term.value, int):
        raise UnsupportedShape(f"{term} is not a whole number")
    return term.value


def select(store: ox.Store, query: str) -> ox.QuerySolutions:
    """The solutions of a SELECT over the union of the store's graphs."""
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def sparql_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShape(f"a blank node {term} as a constraint parameter")


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a query whose rows are (?this, ?v) — ?v unbound where SHACL gives no value."""

    query: str
    component: URIRef
    severity: URIRef
    messages: tuple[str, ...]
    shape: str
    path: URIRef | None
    datatype: URIRef | None = None  # sh:datatype: rows are candidates, confirmed in Python


class Compiler:
    def __init__(self, shapes: Graph, store: ox.Store) -> None:
        self.shapes = shapes
        self.store = store
        self.shapes_seen = 0
        self.named_graphs = any(graph != SCRATCH for graph in store.named_graphs())

    def subclasses(self, cls: Node) -> list[str]:
        """`cls` and every class below it in the merged TBox, as SPARQL terms."""
        rows = select(self.store, f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}")
        return sorted({f"<{cls}>", *(str(row["c"]) for row in rows if isinstance(row["c"], ox.NamedNode))})

    def focus(self, shape: Node) -> str:
        """A pattern binding ?this to each focus node of `shape`. The focus nodes are found once and
        written to a scratch graph of the store, so each constraint's query looks them up instead of
        searching the targets again (half the time of a typical constraint)."""
        classes = sorted({c for target in self.shapes.objects(shape, SH.targetClass) for c in self.subclasses(target)})
        self.shapes_seen += 1
        marker = f"<{SCRATCH.value}/shape/{self.shapes_seen}>"
        focus = f"GRAPH <{SCRATCH.value}> {{ ?this <{FOCUS_OF.value}> {marker} }}"
        # Written by the store itself: no focus node comes to Python (half the time at 100,000 claims). An update
        # reads the default graph alone: named graphs, if any (the ontology's, see `_with_ontology`), are added.
        typed = "{ ?this a ?class } UNION { GRAPH ?g { ?this a ?class } }" if self.named_graphs else "?this a ?class"
        self.store.update(f"INSERT {{ {focus} }} WHERE {{ VALUES ?class {{ {' '.join(classes)} }} {typed} }}")
        return focus

    def checks(self) -> Iterator[Check]:
        for shape in _node_shapes(self.shapes):
            if self.shapes.value(shape, SH.deactivated) == Literal(True):
                continue
            focus = self.focus(shape)
            severity = self._severity(shape)
            messages = self._messages(shape)
            name = shape_name(self.shapes, shape)
            for or_list in self.shapes.objects(shape, SH["or"]):
                yield self._or(focus, list(Collection(self.shapes, or_list)), severity, messages, name)
            for constraint in self.shapes.objects(shape, SH.sparql):
                yield self._sparql(focus, constraint, severity, name)
            for property_shape in self.shapes.objects(shape, SH.property):
                if self.shapes.value(property_shape, SH.deactivated) == Literal(True):
                    continue
                yield from self._property(
                    focus,
                    property_shape,
                    self._severity(property_shape),
                    self._messages(property_shape),
                    shape_name(self.shapes, property_shape),
                )

    def _severity(self, shape: Node) -> URIRef:
        severity = self.shapes.value(shape, SH.severity)
        return severity if isinstance(severity, URIRef) else SH.Violation

    def _messages(self, shape: Node) -> tuple[str, ...]:
        return tuple(sorted(str(m) for m in self.shapes.objects(shape, SH.message)))

    def _property(
        self, focus: str, shape: Node, severity: URIRef, messages: tuple[str, ...], name: str
    ) -> Iterator[Check]:
        path = self.shapes.value(shape, SH.path)
        if not isinstance(path, URIRef):
            raise UnsupportedShape(f"{name}: only an IRI as sh:path is compiled")
        p = f"<{path}>"
        for parameter, value in sorted(self.shapes.predicate_objects(shape)):
            if parameter in NOT_CONSTRAINTS:
                continue
            if not isinstance(parameter, URIRef) or parameter not in COMPONENTS or parameter in PROPERTY_UNSUPPORTED:
                raise UnsupportedShape(f"{name} uses {parameter}")
            query = self._value_query(focus, p, parameter, value)
            yield Check(
                query,
                COMPONENTS[parameter],
                severity,
                messages,
                name,
                path,
                value if parameter == SH.datatype and isinstance(value, URIRef) else None,
            )

    def _value_query(self, focus: str, p: str, parameter: URIRef, value: Node) -> str:
        """The query whose rows are the results of one constraint of a property shape with path `p`."""
        if parameter == SH.minCount:
            if _integer(value) == 1:  # the common case, answered without grouping
                return f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {p} ?x }} }}"
            return (
                f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {p} ?x }} }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?x) < {_integer(value)})"
            )
        if parameter == SH.maxCount:
            if _integer(value) == 1:  # the common case: two distinct values, found by a join rather than grouping
                return (
                    f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {p} ?x . ?this {p} ?y FILTER (!sameTerm(?x, ?y)) }}"
                )
            return (
                f"SELECT ?this WHERE {{ {focus} ?this {p} ?x }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?x) > {_integer(value)})"
            )
        if parameter == SH.hasValue:
            return f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {p} {sparql_term(value)} }} }}"
        if parameter == SH["class"]:  # MINUS: the typed values are removed in one pass, not looked up row by row
            classes = " ".join(self.subclasses(value))
            return f"SELECT DISTINCT ?this ?v WHERE {{ {{ {focus} ?this {p} ?v }} MINUS {{ VALUES ?class {{ {classes} }} ?v a ?class }} }}"
        return f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {p} ?v . {self._value_filter(p, parameter, value)} }}"

    def _value_filter(self, p: str, parameter: URIRef, value: Node) -> str:
        """A filter keeping the value nodes ?v that violate the constraint."""
        if parameter == SH.datatype:
            lexical = LEXICAL.get(value)  # type: ignore[call-overload]
            well_formed = f' && REGEX(STR(?v), "{lexical}")' if lexical else ""
            return f"FILTER (!(isLiteral(?v) && DATATYPE(?v) = {sparql_term(value)}{well_formed}))"
        if parameter == SH.nodeKind:
            return f"FILTER (!{NODE_KINDS[value]})"  # type: ignore[index]
        if parameter == SH.pattern:
            flags = self.shapes.value(next(self.shapes.subjects(SH.pattern, value)), SH.flags)
            extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            return f"FILTER (isBlank(?v) || !REGEX(STR(?v), {Literal(str(value)).n3()}{extra}))"
        if parameter in RANGES:
            return f"FILTER (!COALESCE(?v {RANGES[parameter]} {sparql_term(value)}, false))"
        if parameter == SH.maxLength:
            return f"FILTER (isBlank(?v) || STRLEN(STR(?v)) > {_integer(value)})"
        if parameter == SH.minLength:
            return f"FILTER (isBlank(?v) || STRLEN(STR(?v)) < {_integer(value)})"
        if parameter == SH["in"]:
            allowed = " ".join(sparql_term(t) for t in Collection(self.shapes, value))
            return f"FILTER NOT EXISTS {{ VALUES ?allowed {{ {allowed} }} FILTER (sameTerm(?v, ?allowed)) }}"
        if parameter in PAIRS:
            return f"?this <{value}> ?w . FILTER (!COALESCE(?v {PAIRS[parameter]} ?w, false))"
        raise UnsupportedShape(f"{parameter} on a property shape")

    def _or(self, focus: str, members: list[Node], severity: URIRef, messages: tuple[str, ...], name: str) -> Check:
        """sh:or: the focus nodes every member shape reports on (a member conforms where it reports nothing)."""
        failing = []
        for member in members:
            if self.shapes.value(member, SH.path) is None:
                raise UnsupportedShape(f"{name}: only property shapes are compiled as sh:or members")
            unions = [f"{{ {check.query} }}" for check in self._property(focus, member, severity, (), name)]
            failing.append(f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(unions)} }} }}")
        return Check(
            f"SELECT ?this (?this AS ?v) WHERE {{ {' '.join(failing)} }}",
            SH.OrConstraintComponent,
            severity,
            messages,
            name,
            None,
        )

    def _sparql(self, focus: str, constraint: Node, severity: URIRef, name: str) -> Check:
        """An sh:sparql SELECT, run once for all focus nodes: its $this is joined with the targets
        rather than pre-bound, which is the same as long as the query binds $this in a pattern."""
        select = re.sub(r"\$(\w+)", r"?\1", str(self.shapes.value(constraint, SH.select)))
        prologue = "".join(
            f"PREFIX {self.shapes.value(d, SH.prefix)}: <{self.shapes.value(d, SH.namespace)}>\n"
            for prefixes in self.shapes.objects(constraint, SH.prefixes)
            for d in self.shapes.objects(prefixes, SH.declare)
        )
        messages = tuple(sorted(str(m) for m in self.shapes.objects(constraint, SH.message)))
        query = f"{prologue}SELECT ?this (COALESCE(?value, ?this) AS ?v) WHERE {{ {focus} {{ {select} }} }}"
        return Check(query, SH.SPARQLConstraintComponent, severity, messages, name, None)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))
    raise UnsupportedShape(f"a value of kind {type(term).__name__}")


def store_of(*graphs: Graph) -> ox.Store:
    """An in-memory store holding the triples of `graphs` in its default graph."""
    store = ox.Store()
    cache: dict[Node, ox.NamedNode | ox.BlankNode | ox.Literal] = {}

    def term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        found = cache.get(node)
        if found is None:
            found = cache[node] = to_oxigraph(node)
        return found

    for graph in graphs:
        store.bulk_extend(ox.Quad(term(s), term(p), term(o)) for s, p, o in graph)  # type: ignore[arg-type]
    return store


def graph_of(store: ox.Store) -> Graph:
    """The union of the store's graphs as an rdflib Graph (for the reference engine)."""
    graph = Graph()
    for quad in store:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    return graph


def _well_typed(value: Node | None, datatype: URIRef) -> bool:
    """pySHACL's test of a value against sh:datatype, for the rare values the SPARQL filter doubts."""
    if not isinstance(value, Literal) or value.datatype != datatype or value.ill_typed:
        return False
    expected = PYTHON_TYPES.get(datatype)
    return expected is None or isinstance(value.value, expected)


def run(store: ox.Store, shapes: Graph) -> list[Result]:
    """Every result of `shapes` on the union of the store's graphs."""
    problems = unsupported(shapes)
    if problems:
        raise UnsupportedShape("; ".join(problems))
    results: list[Result] = []
    try:
        for check in Compiler(shapes, store).checks():
            for row in select(store, check.query):
                focus, value = to_rdflib(row["this"]), to_rdflib(row["v"])  # None where ?v is not projected
                assert focus is not None  # every check projects its focus node
                if check.datatype is not None and _well_typed(value, check.datatype):
                    continue
                results.append(
                    Result(
                        focus,
                        check.path,
                        value,
                        check.severity,
                        check.messages,  # type: ignore[arg-type]
                        check.shape,
                        check.component,
                    )
                )
    finally:
        store.remove_graph(SCRATCH)
    return distinct(results)
