"""Helpers shared by the tests that compare query answers across engines (embedded store, rdflib,
Jena, Virtuoso): normalising terms, and each canned query's cases with their bound parameters."""

from decimal import Decimal

import pyoxigraph
import rdflib
import rdflib.util

from her2kg.catalog import bind, load_queries, portable_text

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int")}
CONCAT_SEPARATOR = "; "  # the GROUP_CONCAT separator the canned queries use


def normal(term) -> str:
    """The N-Triples form of a term, with numbers by value and GROUP_CONCAT parts sorted."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.Literal) and term.datatype.value in NUMERIC:
        number = Decimal(term.value)
        text = format(number.normalize(), "f") if number != number.to_integral() else str(int(number))
        return str(pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(XSD + "decimal")))
    if isinstance(term, pyoxigraph.Literal) and CONCAT_SEPARATOR in term.value and not term.language:
        parts = CONCAT_SEPARATOR.join(sorted(term.value.split(CONCAT_SEPARATOR)))
        return str(pyoxigraph.Literal(parts, datatype=term.datatype))
    return str(term)


def oxigraph_answer(solutions) -> tuple[list[str], set[tuple[str, ...]]]:
    variables = [v.value for v in solutions.variables]
    return variables, {tuple(normal(solution[v]) for v in variables) for solution in solutions}


def from_rdflib(term) -> pyoxigraph.NamedNode | pyoxigraph.Literal | None:
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype or XSD + "string")))
    raise AssertionError(f"a canned query returned a blank node: {term!r}")


def rdflib_answer(graph: rdflib.Graph, text: str, substitutions: dict) -> set[tuple[str, ...]]:
    """rdflib's engine's answer, its terms normalised as `oxigraph_answer`'s are."""
    bindings = {rdflib.Variable(var.value): rdflib.util.from_n3(str(term)) for var, term in substitutions.items()}
    return {tuple(normal(from_rdflib(term)) for term in row) for row in graph.query(text, initBindings=bindings)}


def tsv(variables: list[str], rows: set[tuple[str, ...]]) -> str:
    """An answer as the stored answers hold it: a header of ?variables, then its rows sorted."""
    lines = ["\t".join("?" + v for v in variables)] + sorted("\t".join(row) for row in rows)
    return "\n".join(lines) + "\n"


def portable_cases(store: pyoxigraph.Store) -> dict[str, tuple[str, dict]]:
    """`<query>.defaults` and `<query>.examples` → (portable SPARQL text, substitutions)."""
    cases = {}
    for query in load_queries().values():
        examples = {p.name: p.example for p in query.parameters if p.example}
        for case, arguments in (("defaults", {}), ("examples", examples)):
            substitutions = bind(query, arguments, store)
            cases[f"{query.name}.{case}"] = portable_text(query.text, substitutions), substitutions
    return cases


CASES = [f"{name}.{case}" for name in sorted(load_queries()) for case in ("defaults", "examples")]
