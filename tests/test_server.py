"""The endpoint, as a specification: `her2kg serve` speaks the SPARQL 1.1 Protocol to real clients,
stays read-only and local, stops a runaway query while other clients are served, and offers the
canned queries as a REST API.

Each file in tests/server/protocol/ is one request and what must come back; every case runs
in-process (Starlette's TestClient) and against a real `her2kg serve` process.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import threading
import time

import httpx
import pyoxigraph
import pytest
from starlette.testclient import TestClient

from her2kg.catalog import load_queries
from her2kg.web import ServerConfig, State, create_app
from serving import CASES, HER2KG, check, connected, listener, load_case, send, serve

LOOKUP = "SELECT ?l WHERE { drug:neratinib rdfs:label ?l }"
CONSTRUCT = "CONSTRUCT { drug:neratinib rdfs:label ?l } WHERE { drug:neratinib rdfs:label ?l }"
FOUR_WAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def state(shipped_release):
    state = State.open(
        ServerConfig(release_dir=shipped_release, workers=2, timeout=5, max_rows=5, max_request_bytes=1000)
    )
    yield state
    state.backend.close()


@pytest.fixture(scope="module")
def client(state):
    with TestClient(create_app(state.config, state), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def server(shipped_release):
    with serve("--release", str(shipped_release), "--timeout", "1", "--workers", "2") as served:
        yield served


# --- the protocol cases, in-process and over HTTP --------------------------------------------------


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_protocol_case_in_process(path, client):
    case = load_case(path)
    check(case, send(client, case["request"]))


@pytest.mark.slow
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_protocol_case_over_http(path, server):
    case = load_case(path)
    with httpx.Client(base_url=server.url.rstrip("/")) as http:
        check(case, send(http, case["request"]))


# --- limits ------------------------------------------------------------------------------------------


def test_the_row_cap_is_marked_in_headers_and_in_json(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.headers["X-Her2kg-Truncated"] == "true"
    body = response.json()
    assert len(body["results"]["bindings"]) == 5
    assert body["her2kg"] == {"truncated": True, "max_rows": 5}
    # A streaming reader that refuses anything after the bindings (pyoxigraph's) reads it too.
    strict = pyoxigraph.parse_query_results(response.content, pyoxigraph.QueryResultsFormat.JSON)
    assert len(list(strict)) == 5


def test_an_answer_within_the_cap_is_not_marked(client):
    response = client.get("/sparql", params={"query": LOOKUP})
    assert "X-Her2kg-Truncated" not in response.headers
    assert "her2kg" not in response.json()


def test_an_oversized_body_is_refused_with_413(client):
    query = "ASK { ?s ?p ?o }" + " " * 2000
    assert (
        client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}).status_code == 413
    )
    assert client.post("/sparql", data={"query": query}).status_code == 413


def test_an_unexpected_error_is_a_plain_500_without_traceback(client, state, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("a bug deep inside")

    monkeypatch.setattr(state.backend, "answer_async", broken)
    response = client.get("/sparql", params={"query": LOOKUP + " # not asked before, so not in the cache"})
    assert response.status_code == 500
    assert "bug" not in response.text and "Traceback" not in response.text


def test_cors_lets_other_pages_read(client):
    response = client.get("/sparql", params={"query": LOOKUP}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"


# --- the REST API, OpenAPI, health -------------------------------------------------------------------


def test_the_api_lists_every_canned_query_with_its_parameters(client):
    listed = {query["name"]: query for query in client.get("/api/queries").json()}
    assert listed.keys() == load_queries().keys()
    parameter = listed["drugs-by-class"]["parameters"][0]
    assert parameter == {
        "name": "class",
        "type": "drug-class",
        "description": "the drug class",
        "default": "tki",
        "example": "adc",
    }


def test_openapi_has_one_path_per_canned_query_with_its_parameters(client):
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    for name, query in load_queries().items():
        operation = document["paths"][f"/api/queries/{name}"]["get"]
        assert operation["summary"] == query.title
        assert [p["name"] for p in operation["parameters"]] == [p.name for p in query.parameters] + ["format"]


def test_a_release_file_in_a_subfolder_is_served_with_its_media_type(client):
    answer = client.get("/release/her2kg-kgx/nodes.tsv")
    assert answer.status_code == 200 and answer.text.startswith("id\tcategory\t")
    assert answer.headers["content-type"].startswith("text/tab-separated-values")
    assert 'filename="her2kg-kgx-nodes.tsv"' in answer.headers["content-disposition"]
    assert 'href="/release/her2kg-kgx/nodes.tsv"' in client.get("/").text
    assert client.get("/release/her2kg-kgx/other.tsv").status_code == 404


def test_health_says_version_triples_uptime_and_workers(client, state):
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert health["triples"] == state.backend.triples > 10_000
    assert health["workers"]["size"] == 2
    assert health["uptime_seconds"] >= 0


# --- real clients ------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_sparqlwrapper_select_in_every_format_and_method(server, method, fmt):
    from SPARQLWrapper import GET, POST, POSTDIRECTLY, SPARQLWrapper

    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setMethod(GET if method == "GET" else POST)
    if method == "POSTDIRECTLY":
        wrapper.setRequestMethod(POSTDIRECTLY)
    wrapper.setQuery(LOOKUP)
    wrapper.setReturnFormat(fmt)
    answer = wrapper.query().convert()
    if fmt == "json":
        assert answer["results"]["bindings"][0]["l"]["value"] == "neratinib"
    elif fmt == "xml":
        assert answer.getElementsByTagName("literal")[0].firstChild.data == "neratinib"
    else:
        assert b"neratinib" in answer


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["turtle", "n3", "json-ld", "rdf+xml"])
def test_sparqlwrapper_construct_and_ask(server, fmt):
    from SPARQLWrapper import SPARQLWrapper

    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery(CONSTRUCT)
    wrapper.setReturnFormat({"rdf+xml": "xml", "json-ld": "json-ld"}.get(fmt, fmt))
    answer = wrapper.query().convert()
    text = answer.serialize(format="nt") if hasattr(answer, "serialize") else answer
    assert "neratinib" in (text.decode() if isinstance(text, bytes) else text)
    wrapper.setQuery("ASK { drug:neratinib a hk:Drug }")
    wrapper.setReturnFormat("json")
    assert wrapper.query().convert()["boolean"] is True


@pytest.mark.slow
@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("return_format", ["xml", "json", "csv"])
def test_rdflib_sparqlstore(server, method, return_format):
    from rdflib import Graph, Literal
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(SPARQLStore(server.sparql, method=method, returnFormat=return_format))
    rows = list(
        graph.query(
            "PREFIX drug: <https://w3id.org/her2kg/drug/> PREFIX rdfs: "
            "<http://www.w3.org/2000/01/rdf-schema#> " + LOOKUP
        )
    )
    assert [row[0] for row in rows] == [Literal("neratinib")]
    if return_format != "csv":
        assert graph.query("ASK { ?s ?p ?o }").askAnswer is True


@pytest.mark.slow
@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"],
)
@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_curl_every_method_and_result_format(server, accept, how):
    request = {
        "get": ["-G", "--data-urlencode", f"query={LOOKUP}"],
        "form": ["--data-urlencode", f"query={LOOKUP}"],
        "direct": ["-H", "Content-Type: application/sparql-query", "--data-binary", LOOKUP],
    }[how]
    out = subprocess.run(
        ["curl", "-sS", "-i", "-H", f"Accept: {accept}", *request, server.sparql],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    head, _, body = out.partition("\n\n")  # text mode reads CRLF as LF
    assert head.startswith("HTTP/1.1 200")
    assert f"content-type: {accept}" in head.lower()
    assert "neratinib" in body


@pytest.mark.slow
@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
)
def test_curl_construct_in_every_rdf_format(server, accept):
    out = subprocess.run(
        ["curl", "-sS", "-i", "-H", f"Accept: {accept}", "--data-urlencode", f"query={CONSTRUCT}", server.sparql],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    head, _, body = out.partition("\n\n")  # text mode reads CRLF as LF
    assert head.startswith("HTTP/1.1 200") and f"content-type: {accept}" in head.lower()
    assert "neratinib" in body


# --- read-only and local -----------------------------------------------------------------------------


@pytest.mark.slow
def test_update_service_load_and_remote_graphs_are_refused_without_any_outbound_connection(server):
    with listener() as sock, httpx.Client() as http:
        remote = f"http://127.0.0.1:{sock.getsockname()[1]}/data"
        refusals = [
            ({"query": f"SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}"}, 400, "SERVICE is refused"),
            (
                {"query": f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE SILENT <{remote}> {{ ?s ?p ?o }} }} }}"},
                400,
                "SERVICE is refused",
            ),
            ({"query": f"LOAD <{remote}>"}, 400, "LOAD is refused"),
            ({"update": f"LOAD <{remote}>"}, 403, "read-only"),
            ({"query": f"SELECT * FROM <{remote}> WHERE {{ ?s ?p ?o }}"}, 400, "FROM and FROM NAMED are refused"),
            ({"query": f"SELECT * FROM NAMED <{remote}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}, 400, "FROM"),
            ({"query": "ASK { ?s ?p ?o }", "default-graph-uri": remote}, 400, "not a graph of this endpoint"),
            ({"query": "ASK { ?s ?p ?o }", "named-graph-uri": remote}, 400, "not a graph of this endpoint"),
            ({"query": "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"}, 403, "read-only"),
        ]
        for form, status, message in refusals:
            response = http.post(server.sparql, data=form)
            assert (response.status_code, message in response.text) == (status, True), (form, response.text)
        time.sleep(0.2)
        assert not connected(sock), "the server connected to the listener"


@pytest.mark.slow
def test_a_runaway_query_is_stopped_at_the_time_limit_while_lookups_keep_answering(server):
    stopped: dict = {}

    def runaway() -> None:
        started = time.monotonic()
        response = httpx.post(server.sparql, data={"query": FOUR_WAY}, timeout=30)
        stopped.update(status=response.status_code, seconds=time.monotonic() - started, text=response.text)

    thread = threading.Thread(target=runaway)
    latencies = []
    with httpx.Client() as http:
        http.get(server.sparql, params={"query": LOOKUP})  # the connection is open before the clock starts
        quiet = []
        for _ in range(30):
            started = time.perf_counter()
            http.get(server.sparql, params={"query": LOOKUP})
            quiet.append((time.perf_counter() - started) * 1000)
        thread.start()
        while thread.is_alive():
            started = time.perf_counter()
            response = http.get(server.sparql, params={"query": LOOKUP})
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        thread.join()
        health = http.get(server.url + "health").json()
    assert stopped["status"] == 503 and "time limit of 1 s" in stopped["text"]
    assert stopped["seconds"] < 4  # the 1 s limit, and the time a busy machine takes to answer
    assert len(latencies) > 50, "lookups were held up while the runaway query ran"
    # Normal latency is ~1 ms; bounds relative to this machine's quiet latency, for a shared machine.
    quiet_median, quiet_worst = statistics.median(quiet), max(quiet)
    assert statistics.median(latencies) < max(20, 5 * quiet_median), (quiet, latencies)
    assert max(latencies) < max(250, 10 * quiet_worst), (quiet, latencies)
    assert health["workers"]["replaced"] >= 1 and health["workers"]["idle"] == 2


@pytest.mark.slow
def test_with_one_busy_worker_every_request_is_answered_or_refused_at_its_time_limit(shipped_release):
    state = State.open(ServerConfig(release_dir=shipped_release, workers=1, timeout=1, cache_bytes=0))
    answered: list[tuple[int, str, float]] = []

    def ask(query: str) -> None:
        started = time.monotonic()
        response = client.get("/sparql", params={"query": query})
        answered.append((response.status_code, response.text, time.monotonic() - started))

    try:
        with TestClient(create_app(state.config, state), raise_server_exceptions=False) as client:
            runaway = threading.Thread(target=ask, args=(FOUR_WAY,))
            runaway.start()
            time.sleep(0.2)  # the runaway holds the only worker
            lookups = [threading.Thread(target=ask, args=(LOOKUP,)) for _ in range(16)]
            for thread in lookups:
                thread.start()
            for thread in [runaway, *lookups]:
                thread.join(timeout=30)
            assert not any(thread.is_alive() for thread in [runaway, *lookups]), "a request hangs"
            after = client.get("/sparql", params={"query": LOOKUP})
    finally:
        state.backend.close()
    assert len(answered) == 17 and after.status_code == 200
    for status, text, seconds in answered:
        assert status in (200, 503), text
        if status == 503:  # the runaway, or a lookup that waited out its whole limit for the worker
            assert "time limit of 1 s" in text and seconds < 5
    assert sum(status == 503 and "ran past its time limit" in text for status, text, _ in answered) == 1  # the runaway


# --- the server as a command -------------------------------------------------------------------------


@pytest.mark.slow
def test_serve_stands_in_front_of_an_external_endpoint(server):
    with serve("--endpoint", server.sparql, "--release", "does-not-exist") as front, httpx.Client() as http:
        direct = http.get(server.sparql, params={"query": LOOKUP}).json()
        through = http.get(front.sparql, params={"query": LOOKUP})
        assert through.json() == direct, through.text
        canned = http.get(front.url + "api/queries/drugs-by-class", params={"class": "tki", "format": "csv"})
        assert canned.status_code == 200 and "drug/neratinib" in canned.text
        assert (
            http.get(front.sparql, params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> {} }"}).status_code
            == 400
        )
        assert http.get(front.url + "health").json()["store"] == "endpoint"


@pytest.mark.slow
def test_a_port_in_use_is_a_clear_error(server, shipped_release):
    port = server.url.rstrip("/").rpartition(":")[2]
    result = subprocess.run(
        [HER2KG, "serve", "--port", port, "--release", str(shipped_release)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 3
    assert "cannot listen on 127.0.0.1" in result.stderr and "Traceback" not in result.stderr


def test_json_results_stay_valid_w3c_json_when_marked(client):
    body = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}).text
    assert set(json.loads(body)) == {"head", "results", "her2kg"}


# --- an on-disk store ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def disk_client(shipped_release, tmp_path_factory):
    """`--store DIR`: an on-disk store holding the release and one named graph, opened read-only."""
    import pyoxigraph

    folder = tmp_path_factory.mktemp("store") / "oxigraph"
    store = pyoxigraph.Store(str(folder))
    store.bulk_load(path=str(shipped_release / "her2kg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.bulk_load(
        input=b'<http://example.org/a> <http://example.org/p> "1" .',
        format=pyoxigraph.RdfFormat.N_TRIPLES,
        to_graph=pyoxigraph.NamedNode("http://example.org/graph"),
    )
    store.flush()
    del store
    state = State.open(ServerConfig(release_dir=shipped_release, store_dir=folder, workers=1))
    with TestClient(create_app(state.config, state)) as client:
        yield client
    state.backend.close()


def test_an_on_disk_store_is_served_read_only(disk_client):
    assert disk_client.get("/sparql", params={"query": "ASK { drug:neratinib a hk:Drug }"}).json()["boolean"] is True
    assert disk_client.get("/health").json()["store"] == "disk"
    assert disk_client.post("/sparql", data={"update": "CLEAR ALL"}).status_code == 403


def test_the_protocol_dataset_may_name_graphs_the_store_holds(disk_client):
    graph = "http://example.org/graph"
    ask = {"query": "ASK { <http://example.org/a> ?p ?o }"}
    assert disk_client.get("/sparql", params=ask).json()["boolean"] is False  # not in the default graph
    assert disk_client.get("/sparql", params={**ask, "default-graph-uri": graph}).json()["boolean"] is True
    named = {"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": graph}
    assert disk_client.get("/sparql", params=named).json()["results"]["bindings"][0]["g"]["value"] == graph
    assert (
        disk_client.get("/sparql", params={**ask, "default-graph-uri": "http://example.org/other"}).status_code == 400
    )


@pytest.mark.slow
def test_serve_builds_the_release_first_when_there_is_none(tmp_path):
    release = tmp_path / "dist"
    with serve("--release", str(release), startup=600) as served, httpx.Client() as http:
        assert (release / "her2kg.nt").is_file()
        assert http.get(served.sparql, params={"query": "ASK { drug:neratinib a hk:Drug }"}).json()["boolean"] is True
    assert "building it first" in served.process.stderr.read()


@pytest.mark.slow
def test_a_get_query_string_within_64_kib_is_answered_and_one_past_it_is_a_431(server):
    import http.client
    import urllib.parse

    def get(query: str) -> tuple[int, str]:
        address = urllib.parse.urlsplit(server.sparql)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        try:  # http.client sets no bound on a URL's length (httpx does, at 64 KiB)
            connection.request("GET", f"{address.path}?{urllib.parse.urlencode({'query': query})}")
            answer = connection.getresponse()
            return answer.status, answer.read().decode()
        finally:
            connection.close()

    # A query padded with a comment: ~40 KiB in the request line, then ~80 KiB.
    within = LOOKUP + "\n#" + "x" * 40_000
    past = LOOKUP + "\n#" + "x" * 80_000
    assert get(within)[0] == 200
    status, text = get(past)
    assert status == 431 and "POST a long query" in text
    assert httpx.post(server.sparql, data={"query": past}).status_code == 200  # as the message says
