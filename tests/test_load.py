"""`her2kg load` and the release files a triple store takes, against a real Oxigraph server.

The server (tests/stores.py) runs on 127.0.0.1 with a free port and a temporary folder: once
filled by `her2kg load` over the Graph Store Protocol and over SPARQL Update, once by Oxigraph's
own bulk loader from her2kg.nq.gz. Every canned query, with its defaults and its examples, is
asked of the server's SPARQL endpoint and compared with the embedded store.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from click.testing import CliRunner

import serving
import stores
from answers import CASES, CONCAT_SEPARATOR, oxigraph_answer, portable_cases
from her2kg.catalog import load_queries
from her2kg.cli import cli
from her2kg.formats import release_graph
from her2kg.load import chunks, credentials
from her2kg.release import Release

VERSION = "0.2.0"
GRAPH = release_graph(VERSION)


def her2kg_load(*arguments: str):
    return CliRunner().invoke(cli, ["load", *arguments])


def release_triples(release) -> int:
    return Release(release).graph_nt.read_text(encoding="utf-8").count("\n")


# --- without a server ----------------------------------------------------------------------------


def test_chunks_are_whole_lines_with_every_blank_node_in_the_first():
    lines = [f"<urn:s{i}> <urn:p> <urn:o> ." for i in range(50)] + ["_:b0 <urn:p> <urn:o> .", "<urn:s> <urn:p> _:b0 ."]
    sent = list(chunks(lines, 100))
    assert len(sent) > 2
    assert "_:b0 <urn:p>" in sent[0] and "<urn:s> <urn:p> _:b0 ." in sent[0]
    assert sorted("".join(sent).splitlines()) == sorted(lines)


def test_credentials_come_from_the_environment_before_netrc(tmp_path, monkeypatch):
    (tmp_path / "netrc").write_text("machine store.example login curator password from-netrc\n")
    monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))
    monkeypatch.delenv("HER2KG_STORE_USER", raising=False)
    monkeypatch.delenv("HER2KG_STORE_PASSWORD", raising=False)
    assert credentials("http://store.example/data") == ("curator", "from-netrc")
    assert credentials("http://other.example/data") is None
    monkeypatch.setenv("HER2KG_STORE_USER", "loader")
    monkeypatch.setenv("HER2KG_STORE_PASSWORD", "from-env")
    assert credentials("http://store.example/data") == ("loader", "from-env")


def test_load_takes_no_password_on_the_command_line():
    result = her2kg_load("--help")
    assert "password" not in result.output.lower().replace("her2kg_store_password", "")


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--into", "ftp://store.example/data"], "not an http(s) URL"),
        (["--into", "http://127.0.0.1:9/store"], "no release here"),
    ],
)
def test_a_bad_invocation_is_a_usage_error(arguments, message, tmp_path):
    result = her2kg_load(*arguments, "--release", str(tmp_path / "none"))
    assert result.exit_code == 2
    assert message in result.output


# --- against an Oxigraph server --------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with stores.oxigraph(tmp_path_factory.mktemp("oxigraph")) as running:
        yield running


@pytest.fixture(scope="module")
def bulk_loaded(shipped_release, tmp_path_factory):
    """An Oxigraph server filled by `oxigraph load` from her2kg.nq.gz (its graphs named in the file)."""
    nquads = shipped_release / "her2kg.nq.gz"
    with stores.oxigraph(tmp_path_factory.mktemp("oxigraph-bulk"), bulk=nquads) as running:
        yield running


@pytest.fixture(scope="module")
def loaded(server, shipped_release):
    """The server after `her2kg load --replace` of the shipped release into its graph."""
    result = her2kg_load("--into", server.graph_store, "--release", str(shipped_release), "--replace")
    assert result.exit_code == 0, result.output
    return server


@pytest.fixture(scope="module")
def cases(shipped_store) -> dict[str, tuple[str, dict]]:
    return portable_cases(shipped_store)


@pytest.mark.slow
def test_load_says_how_many_triples_the_store_holds(loaded, shipped_release):
    triples = release_triples(shipped_release)
    assert stores.count(loaded.endpoint, GRAPH) == triples
    result = her2kg_load(
        "--into", loaded.graph_store, "--release", str(shipped_release), "--replace", "--sparql", loaded.endpoint
    )
    assert result.exit_code == 0, result.output
    assert f"loaded {triples} triples into <{GRAPH}>" in result.output
    assert f"the store holds {triples}: they match" in result.output
    assert "loading" not in result.output  # the progress bar is for a terminal only


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_a_reload_with_replace_leaves_the_count_unchanged(protocol, loaded, shipped_release):
    into = loaded.graph_store if protocol == "gsp" else loaded.update
    for _ in range(2):
        result = her2kg_load(
            "--into",
            into,
            "--protocol",
            protocol,
            "--sparql",
            loaded.endpoint,
            "--release",
            str(shipped_release),
            "--replace",
            "--graph",
            f"{GRAPH}/{protocol}",
        )
        assert result.exit_code == 0, result.output
    assert stores.count(loaded.endpoint, f"{GRAPH}/{protocol}") == release_triples(shipped_release)


@pytest.mark.slow
def test_a_reload_without_replace_is_caught_by_the_count(server, shipped_release):
    """The ontology's blank nodes are new nodes in every load: the count tells, and the load fails."""
    arguments = ["--into", server.graph_store, "--release", str(shipped_release), "--graph", f"{GRAPH}/twice"]
    assert her2kg_load(*arguments).exit_code == 0
    again = her2kg_load(*arguments)
    assert again.exit_code == 3
    assert "reload with --replace" in again.output


@pytest.mark.slow
def test_a_refused_load_quotes_what_the_store_answered(server, shipped_release):
    result = her2kg_load("--into", f"{server.http}/no-such-endpoint", "--release", str(shipped_release))
    assert result.exit_code == 3
    assert "the store answered 404" in result.output and "is not supported by this server" in result.output


@pytest.mark.slow
def test_an_unreachable_store_is_an_error_not_a_traceback(shipped_release):
    result = her2kg_load("--into", f"http://127.0.0.1:{stores.free_port()}/store", "--release", str(shipped_release))
    assert result.exit_code == 3
    assert "cannot reach the store" in result.output


@pytest.mark.slow
def test_the_bulk_loader_puts_each_part_in_its_named_graph(bulk_loaded, shipped_release):
    parts = {
        part: stores.count(bulk_loaded.endpoint, release_graph(VERSION, part))
        for part in ("ontology", "data", "inferred")
    }
    assert parts["ontology"] + parts["data"] == release_triples(shipped_release)
    nquads = (shipped_release / "her2kg.nq").read_text(encoding="utf-8")
    inferred = nquads.count(f"<{release_graph(VERSION, 'inferred')}> .")
    assert parts["inferred"] == inferred > 0


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_oxigraph_server_answers_like_the_embedded_store(case, cases, loaded, bulk_loaded, shipped_store):
    text, substitutions = cases[case]
    query = load_queries()[case.partition(".")[0]]
    expected = oxigraph_answer(shipped_store.query(query.text, substitutions=substitutions))
    solutions, _ = stores.select(loaded.endpoint, text, GRAPH)
    assert stores.answer(solutions) == expected, f"{case} (her2kg load): the server answers differently:\n{text}"
    # the bulk-loaded N-Quads: the ontology and data graphs together are the release
    both = [release_graph(VERSION, "ontology"), release_graph(VERSION, "data")]
    solutions, _ = stores.select(bulk_loaded.endpoint, text, both)
    assert stores.answer(solutions) == expected, f"{case} (oxigraph load): the server answers differently:\n{text}"


@pytest.fixture(scope="module")
def default_graph_server(shipped_release, tmp_path_factory):
    """An Oxigraph server holding the release in its default graph, as `serve --endpoint` queries it."""
    with stores.oxigraph(tmp_path_factory.mktemp("oxigraph-default"), bulk=shipped_release / "her2kg.nt") as running:
        yield running


def _rows(url: str, name: str) -> list[str]:
    """The canned query's answer from the REST API, as sorted JSON bindings (GROUP_CONCAT parts sorted:
    their order is unspecified)."""
    request = urllib.request.Request(f"{url}api/queries/{name}", headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        bindings = json.load(response)["results"]["bindings"]
    for binding in bindings:
        for term in binding.values():
            if term["type"] == "literal" and CONCAT_SEPARATOR in term["value"]:
                term["value"] = CONCAT_SEPARATOR.join(sorted(term["value"].split(CONCAT_SEPARATOR)))
    return sorted(json.dumps(b, sort_keys=True) for b in bindings)


@pytest.mark.slow
def test_serve_in_front_of_the_store_answers_the_rest_api_as_the_embedded_store(default_graph_server, shipped_release):
    """Moving the graph to a triple store does not change a client: `her2kg serve --endpoint URL` in front of
    the Oxigraph server answers every canned query as `her2kg serve` on the embedded store does."""
    with (
        serving.serve("--release", str(shipped_release)) as embedded,
        serving.serve("--endpoint", default_graph_server.endpoint) as fronted,
    ):
        for name in sorted(load_queries()):
            assert _rows(fronted.url, name) == _rows(embedded.url, name), f"{name}: the answers differ"
