"""The QA reports find what is planted in the shipped graph, and only that.

Each case is a pair of files in tests/queries/planted/<query>/: <case>.ttl adds records to the
shipped release (which the report finds clean), and <case>.tsv holds the rows the report must then
give, in the embedded store and in rdflib's engine alike. The reports are written to be fast on
large graphs (their comments say how); these cases pin down what they find, word by word.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from answers import oxigraph_answer, rdflib_answer, tsv
from her2kg.catalog import load_query
from her2kg.resources import project_path
from her2kg.store import open_release

CASES = sorted((Path(__file__).parent / "queries" / "planted").glob("*/*.ttl"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_a_report_lists_what_is_planted(case: Path, shipped_release, rdflib_graph):
    query = load_query(project_path("queries") / f"{case.parent.name}.rq")
    expected = case.with_suffix(".tsv").read_text(encoding="utf-8")

    store = open_release(shipped_release)  # a store of its own: the case adds to it
    store.load(path=case, format=pyoxigraph.RdfFormat.TURTLE)
    variables, answer = oxigraph_answer(store.query(query.text))
    assert tsv(variables, answer) == expected

    planted = set(rdflib.Graph().parse(case, format="turtle")) - set(rdflib_graph)
    for triple in planted:
        rdflib_graph.add(triple)
    try:
        assert tsv(variables, rdflib_answer(rdflib_graph, query.text, {})) == expected
    finally:
        for triple in planted:
            rdflib_graph.remove(triple)
