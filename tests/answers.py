"""Helpers shared by the tests that compare query answers across engines (embedded store, rdflib,
Jena, Virtuoso): normalising terms, and each canned query's cases with their bound parameters."""

from decimal import Decimal

import pyoxigraph

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
