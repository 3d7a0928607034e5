"""The release loads into Virtuoso, a separate triple store — with Virtuoso's bulk loader and with
`her2kg load` over the Graph Store Protocol — and the canned queries answer there as in the
embedded store.

The private server comes from tests/stores.py. Every canned query, with its defaults and with its
examples, goes to the SPARQL endpoint as portable text (the bound values as a VALUES block, as for
Jena) with the loaded graph as its default graph, and its rows are compared with pyoxigraph's.
Virtuoso writes a boolean as 1 or 0: booleans are compared by value, like numbers. Skipped when
virtuoso-t is missing.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import stores
from answers import CASES, oxigraph_answer, portable_cases
from her2kg.catalog import load_queries
from her2kg.cli import cli
from her2kg.formats import release_graph
from her2kg.release import Release

BULK = "https://w3id.org/her2kg/"  # the graph the bulk loader fills
LOADED = release_graph("0.2.0") + "/loaded"  # the graph `her2kg load` fills
DBA_LOGIN = {"HER2KG_STORE_USER": stores.DBA[0], "HER2KG_STORE_PASSWORD": stores.DBA[1]}


def her2kg_load(server: stores.Virtuoso, release, *options: str, login: dict[str, str] = DBA_LOGIN):
    """`her2kg load` to the Graph Store endpoint that asks for a (Digest) login, the login in the environment."""
    return CliRunner().invoke(
        cli,
        [
            "load",
            "--into",
            server.graph_store,
            "--release",
            str(release),
            "--graph",
            LOADED,
            "--sparql",
            server.endpoint,
            *options,
        ],
        env=login,
    )


@pytest.fixture(scope="module")
def virtuoso(shipped_release, tmp_path_factory):
    """A private Virtuoso holding the release twice: in BULK (bulk loader) and in LOADED (her2kg load)."""
    with stores.virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        server.bulk_load(Release(shipped_release).graph_nt, BULK)
        result = her2kg_load(server, shipped_release, "--replace")
        assert result.exit_code == 0, result.output
        yield server


@pytest.fixture(scope="module")
def cases(shipped_store) -> dict[str, tuple[str, dict]]:
    return portable_cases(shipped_store)


def release_triples(release) -> int:
    return Release(release).graph_nt.read_text(encoding="utf-8").count("\n")


@pytest.mark.parametrize("graph", [BULK, LOADED])
def test_virtuoso_holds_every_triple(graph, virtuoso, shipped_release):
    assert stores.count(virtuoso.endpoint, graph) == release_triples(shipped_release)


def test_her2kg_load_says_the_counts_match(virtuoso, shipped_release):
    result = her2kg_load(virtuoso, shipped_release, "--replace")
    assert result.exit_code == 0, result.output
    assert f"the store holds {release_triples(shipped_release)}: they match" in result.output


def test_a_reload_leaves_the_count_unchanged(virtuoso, shipped_release):
    virtuoso.bulk_load(Release(shipped_release).graph_nt, BULK)
    assert her2kg_load(virtuoso, shipped_release, "--replace").exit_code == 0
    for graph in (BULK, LOADED):
        assert stores.count(virtuoso.endpoint, graph) == release_triples(shipped_release)


def test_a_refused_load_quotes_the_store_and_exits_non_zero(virtuoso, shipped_release):
    result = her2kg_load(virtuoso, shipped_release, login={**DBA_LOGIN, "HER2KG_STORE_PASSWORD": "wrong"})
    assert result.exit_code == 3
    assert "the store answered 401" in result.output


@pytest.mark.parametrize("graph", [BULK, LOADED])
@pytest.mark.parametrize("case", CASES)
def test_virtuoso_answers_like_the_embedded_store(case, graph, cases, virtuoso, shipped_store):
    text, substitutions = cases[case]
    query = load_queries()[case.partition(".")[0]]
    expected = oxigraph_answer(shipped_store.query(query.text, substitutions=substitutions))
    solutions, headers = stores.select(virtuoso.endpoint, text, graph)
    assert "X-SQL-State" not in headers, f"{case}: Virtuoso answered in part ({headers['X-SQL-State']})"
    assert stores.answer(solutions) == expected, f"{case}: Virtuoso answers differently; the query it ran:\n{text}"
