"""The endpoint's fast path, as a specification: answers written by the query workers with
pyoxigraph's serialisers carry the same results as answers written in Python, the row cap still
holds, and repeated queries are answered from a cache bounded in bytes that never mixes answers
asked in different formats or under different row caps, and can be turned off. The canned queries'
REST API takes the same path: its answers hold what the command line answers, and are cached
under the query's name, its parameters, the format and the row cap — errors never."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import urllib.parse

import httpx
import pyoxigraph
import pytest
from starlette.testclient import TestClient

from her2kg.catalog import load_queries, run
from her2kg.results import write
from her2kg.web import ServerConfig, State, create_app
from her2kg.web.cache import AnswerCache
from her2kg.web.protocol import query_pairs
from her2kg.workers import SOLUTIONS_FORMATS, WorkerPool
from serving import serve

LOOKUP = "SELECT ?l WHERE { drug:neratinib rdfs:label ?l }"
EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"
RESULT_FORMATS = SOLUTIONS_FORMATS  # the formats a worker writes, read back by pyoxigraph
# Queries whose answers hold every kind of term: IRIs, blank nodes, plain, typed and tagged
# literals, and text with tabs, newlines, quotes and backslashes; and unbound variables.
SELECTS = {
    "lookup": LOOKUP,
    "terms": 'SELECT ?o ?none WHERE { VALUES ?o { "a\\tb\\nc \\"d\\" \\\\e" "tumour"@en-GB 3 4.5 true '
    "<https://w3id.org/her2kg/drug/neratinib> } }",
    "blank-nodes": "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER isBlank(?s) } LIMIT 20",
    "no-variables": "SELECT * WHERE {}",
    "no-rows": "SELECT ?x WHERE { ?x a <http://example.org/Nothing> }",
}
CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a hk:Drug ; rdfs:label ?l } ORDER BY ?s LIMIT 7"


@pytest.fixture(scope="module")
def pool(shipped_store):
    with WorkerPool(shipped_store, 1) as pool:
        yield pool


def python_written(pool: WorkerPool, text: str, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    with pool.execute(text, max_rows=max_rows) as results:
        out = io.StringIO()
        write(results, fmt, out)
    return out.getvalue().encode("utf-8"), results.truncated


def solutions(body: bytes, fmt: str) -> tuple[list[str], list[list]]:
    read = pyoxigraph.parse_query_results(body, format=RESULT_FORMATS[fmt])
    assert isinstance(read, pyoxigraph.QuerySolutions)
    return [v.value for v in read.variables], [list(solution) for solution in read]


# --- the workers write the answer ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
@pytest.mark.parametrize("name", SELECTS)
def test_a_worker_written_answer_holds_the_same_results_as_one_written_in_python(pool, name, fmt):
    text = SELECTS[name]
    kind, body, truncated = asyncio.run(pool.answer_async(text, {"solutions": fmt, "graph": None}, max_rows=1000))
    expected, expected_truncated = python_written(pool, text, fmt, 1000)
    assert kind == "solutions" and isinstance(body, bytes)
    assert solutions(body, fmt) == solutions(expected, fmt)
    assert truncated is expected_truncated is False


def test_csv_written_by_a_worker_is_the_csv_written_in_python(pool):
    text = SELECTS["terms"]
    _, body, _ = asyncio.run(pool.answer_async(text, {"solutions": "csv", "graph": None}, max_rows=1000))
    assert body == python_written(pool, text, "csv", 1000)[0]


@pytest.mark.parametrize("max_rows", [1, 5, 256, 257])
@pytest.mark.parametrize("fmt", ["json", "tsv"])
def test_the_row_cap_holds_in_worker_written_answers(pool, fmt, max_rows):
    _, body, truncated = asyncio.run(
        pool.answer_async(EVERYTHING, {"solutions": fmt, "graph": None}, max_rows=max_rows)
    )
    assert isinstance(body, bytes)
    assert len(solutions(body, fmt)[1]) == max_rows and truncated is True
    assert solutions(body, fmt) == solutions(python_written(pool, EVERYTHING, fmt, max_rows)[0], fmt)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "rdfxml"])
def test_a_worker_written_graph_holds_the_same_triples(pool, fmt):
    rdf = {"turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json"}
    kind, body, truncated = asyncio.run(pool.answer_async(CONSTRUCT, {"solutions": None, "graph": fmt}, max_rows=5))
    assert kind == "graph" and truncated is True and isinstance(body, bytes)
    read = set(pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.from_media_type(rdf.get(fmt, "application/rdf+xml"))))
    assert len(read) == 5


def test_a_kind_with_no_accepted_format_is_not_written(pool):
    assert asyncio.run(pool.answer_async(CONSTRUCT, {"solutions": "json", "graph": None}, max_rows=5)) == (
        "graph",
        None,
        False,
    )


# --- query strings --------------------------------------------------------------------------------

QUERY_STRINGS = [
    "query=a+b%2Bc",
    "query=%zz%4",
    "a=1;b=2",
    "a",
    "a=&b",
    "=x",
    "a=b=c",
    "query=%C3%A9%E2%80%94",
    "query=%ff%fe",
    "&&a=1&",
    "q=%00",
    "q=%2526",
    "a=1&a=2",
    "",
    urllib.parse.urlencode({"query": 'SELECT * WHERE { ?s ?p "é & = + %" }', "default-graph-uri": "http://e/"}),
]


@pytest.mark.parametrize("query_string", QUERY_STRINGS)
def test_query_strings_are_read_as_urllib_reads_them(query_string):
    assert query_pairs(query_string.encode("latin-1")) == urllib.parse.parse_qsl(query_string, keep_blank_values=True)


# --- the cache ------------------------------------------------------------------------------------


def test_the_cache_is_bounded_in_bytes_and_keeps_the_most_recently_used():
    cache = AnswerCache(max_bytes=10_000)
    keys = [(f"q{i}", None, None, "json", None, 10) for i in range(20)]
    for key in keys:
        cache.put(key, (b"x" * 1000, "application/json", False))
        assert cache.get(keys[0]) is not None  # used again and again: never the oldest
        assert cache.size <= 10_000
    assert len(cache) < 20
    assert cache.get(keys[1]) is None and cache.get(keys[-1]) is not None
    cache.put(("big", None, None, "json", None, 10), (b"x" * 2000, "application/json", False))
    assert cache.get(("big", None, None, "json", None, 10)) is None  # over an eighth of the bound: not kept


@pytest.fixture(scope="module")
def state(shipped_release):
    state = State.open(ServerConfig(release_dir=shipped_release, workers=1, max_rows=5))
    yield state
    state.backend.close()


def client_of(state: State) -> TestClient:
    return TestClient(create_app(state.config, state), raise_server_exceptions=False)


def test_a_cache_hit_answers_the_same_bytes_as_the_miss(state):
    with client_of(state) as client:
        query = {"query": LOOKUP + " # hit"}
        first, second = client.get("/sparql", params=query), client.get("/sparql", params=query)
    assert (first.headers["X-Her2kg-Cache"], second.headers["X-Her2kg-Cache"]) == ("miss", "hit")
    assert first.content == second.content and first.headers["content-type"] == second.headers["content-type"]


def test_a_truncated_answer_is_marked_as_such_from_the_cache_too(state):
    with client_of(state) as client:
        query = {"query": EVERYTHING + " # truncated"}
        first, second = client.get("/sparql", params=query), client.get("/sparql", params=query)
    assert second.headers["X-Her2kg-Cache"] == "hit"
    assert second.headers["X-Her2kg-Truncated"] == first.headers["X-Her2kg-Truncated"] == "true"
    assert second.json()["her2kg"] == {"truncated": True, "max_rows": 5}


def test_answers_in_different_formats_are_cached_apart(state):
    with client_of(state) as client:
        query = {"query": LOOKUP + " # formats"}
        json_answer = client.get("/sparql", params=query, headers={"Accept": "application/sparql-results+json"})
        csv_answer = client.get("/sparql", params=query, headers={"Accept": "text/csv"})
        csv_again = client.get("/sparql", params=query, headers={"Accept": "text/csv"})
    assert json_answer.headers["X-Her2kg-Cache"] == csv_answer.headers["X-Her2kg-Cache"] == "miss"
    assert csv_answer.headers["content-type"].startswith("text/csv") and csv_answer.text.startswith("l\r\n")
    assert csv_again.headers["X-Her2kg-Cache"] == "hit" and csv_again.content == csv_answer.content


def test_answers_under_different_row_caps_are_cached_apart(state):
    query = {"query": EVERYTHING + " # caps"}
    with client_of(state) as client:
        assert len(client.get("/sparql", params=query).json()["results"]["bindings"]) == 5
    fewer = dataclasses.replace(state, config=dataclasses.replace(state.config, max_rows=2))  # the same cache
    with client_of(fewer) as client:
        answer = client.get("/sparql", params=query)
    assert answer.headers["X-Her2kg-Cache"] == "miss" and len(answer.json()["results"]["bindings"]) == 2


def test_errors_are_not_cached(state):
    with client_of(state) as client:
        before = len(state.cache or [])
        for _ in range(2):
            response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
            assert response.status_code == 400 and "X-Her2kg-Cache" not in response.headers
    assert len(state.cache or []) == before


def test_health_reports_the_cache(state):
    with client_of(state) as client:
        cache = client.get("/health").json()["cache"]
    assert cache["max_bytes"] == 64 * 2**20 and cache["entries"] >= 1 and cache["bytes"] > 0


def test_cache_size_zero_turns_the_cache_off(shipped_release):
    state = State.open(ServerConfig(release_dir=shipped_release, workers=1, cache_bytes=0))
    try:
        with client_of(state) as client:
            answers = [client.get("/sparql", params={"query": LOOKUP}) for _ in range(2)]
            assert client.get("/health").json()["cache"] is None
    finally:
        state.backend.close()
    assert state.cache is None
    assert all(a.status_code == 200 and "X-Her2kg-Cache" not in a.headers for a in answers)


def test_no_cache_in_front_of_an_external_endpoint(shipped_release):
    state = State.open(ServerConfig(release_dir=shipped_release, endpoint="http://127.0.0.1:9/sparql"))
    try:
        assert state.cache is None  # the endpoint's data may change
    finally:
        state.backend.close()


@pytest.mark.slow
def test_serve_cache_size_0_serves_without_a_cache(shipped_release):
    with (
        serve("--release", str(shipped_release), "--cache-size", "0", "--workers", "1") as served,
        httpx.Client() as http,
    ):
        answer = http.get(served.sparql, params={"query": LOOKUP})
        health = http.get(served.url + "health").json()
    assert answer.status_code == 200 and "X-Her2kg-Cache" not in answer.headers
    assert health["cache"] is None


# --- the read-only guard's quick path -------------------------------------------------------------

GUARDED = [
    ("SELECT * WHERE { SeRvIcE <http://example.org/> { ?s ?p ?o } }", "SERVICE is refused"),
    ("select * from <http://example.org/> where { ?s ?p ?o }", "FROM and FROM NAMED"),
    ("# — an em dash first\nSELECT * WHERE { ?s ?p ?o } 1load <http://example.org/>", "LOAD is refused"),
    ("PREFIX ex: <http://example.org/>\ninsert data { ex:a ex:b ex:c }", "read-only"),
]
NOT_GUARDED = [
    'SELECT ?x WHERE { ?x rdfs:label "from the service, load and insert" }',  # only inside a string
    "SELECT ?x WHERE { ?x hk:withdrawnFrom ?y }",  # only inside a prefixed name
    "SELECT ?x WHERE { ?x ?p ?o } # with a comment that says insert",
    "SELECT ?x WHERE { ?x rdfs:label ?l } — ſervice",  # a long s is not an S: no keyword
]


@pytest.mark.parametrize(("text", "refusal"), GUARDED)
def test_refused_words_are_found_whatever_surrounds_them(text, refusal):
    from her2kg.errors import QueryError
    from her2kg.sparql import check_read_only

    with pytest.raises(QueryError, match=refusal):
        check_read_only(text)


@pytest.mark.parametrize("text", NOT_GUARDED)
def test_words_inside_strings_names_and_comments_are_not_keywords(text):
    from her2kg.sparql import check_read_only

    check_read_only(text)


# --- the canned queries' REST API takes the same path ---------------------------------------------

API_FORMATS = ["json", "csv", "tsv", "xml"]


def examples(query) -> dict[str, str]:
    return {p.name: p.example for p in query.parameters if p.example is not None}


@pytest.mark.parametrize("name", sorted(load_queries()))
def test_a_canned_query_answers_over_the_api_what_the_command_line_answers(state, shipped_store, name):
    query = load_queries()[name]
    given = examples(query)
    with client_of(state) as client:
        answer = client.get(f"/api/queries/{name}", params=given)
    assert answer.status_code == 200
    with run(query, given, shipped_store, max_rows=state.config.max_rows) as results:
        rows = [list(row) for row in results]
        truncated = results.truncated
    document = answer.json()
    marker = document.pop("her2kg", None)  # the row cap's marker, beside the W3C members
    assert marker == ({"truncated": True, "max_rows": state.config.max_rows} if truncated else None)
    assert (answer.headers.get("X-Her2kg-Truncated") == "true") is truncated
    variables, read = solutions(json.dumps(document).encode("utf-8"), "json")
    assert variables == list(results.variables) and read == rows


@pytest.mark.parametrize("fmt", API_FORMATS)
def test_a_canned_query_cache_hit_answers_the_same_bytes_as_the_miss(state, fmt):
    with client_of(state) as client:
        asked = {"drug": "tucatinib", "format": fmt}
        first, second = (client.get("/api/queries/drug-profile", params=asked) for _ in range(2))
    assert (first.headers["X-Her2kg-Cache"], second.headers["X-Her2kg-Cache"]) == ("miss", "hit")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.headers["content-type"] == second.headers["content-type"]
    assert first.headers.get("X-Her2kg-Truncated") == second.headers.get("X-Her2kg-Truncated")


def test_a_canned_query_cache_hit_by_accept_header_is_the_same_as_the_miss(state):
    with client_of(state) as client:
        tsv = {"Accept": "text/tab-separated-values"}
        first, second = (
            client.get("/api/queries/drugs-by-class", params={"class": "anthracycline"}, headers=tsv) for _ in "12"
        )
        as_json = client.get("/api/queries/drugs-by-class", params={"class": "anthracycline"})
    assert (first.headers["X-Her2kg-Cache"], second.headers["X-Her2kg-Cache"]) == ("miss", "hit")
    assert first.content == second.content and first.headers["content-type"].startswith("text/tab-separated-values")
    assert as_json.headers["X-Her2kg-Cache"] == "miss" and as_json.headers["content-type"].startswith(
        "application/sparql-results+json"
    )


def test_different_parameters_are_cached_apart(state):
    with client_of(state) as client:
        tki, adc = (
            client.get("/api/queries/drugs-by-class", params={"class": c, "format": "csv"}) for c in ("tki", "x")
        )
        assert adc.status_code == 400  # not a class: a 400, not an answer for some other class
        adc = client.get("/api/queries/drugs-by-class", params={"class": "mab", "format": "csv"})
        tki_again = client.get("/api/queries/drugs-by-class", params={"class": "tki", "format": "csv"})
    assert tki.status_code == adc.status_code == 200 and tki.content != adc.content
    assert "neratinib" in tki.text and "neratinib" not in adc.text
    assert tki_again.headers["X-Her2kg-Cache"] == "hit" and tki_again.content == tki.content


def test_parameters_in_another_order_share_an_answer(state):
    with client_of(state) as client:
        first = client.get("/api/queries/drug-profile?drug=lapatinib&format=tsv")
        second = client.get("/api/queries/drug-profile?format=tsv&drug=lapatinib")
    assert second.headers["X-Her2kg-Cache"] == "hit" and second.content == first.content


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"class": "tkk"}, 400, "parameter class: 'tkk' is not in the graph"),
        ({"klass": "tki"}, 400, "has no parameter 'klass'"),
        ({"class": "tki", "format": "yaml"}, 400, "format=yaml: give one of"),
    ],
)
def test_bad_parameters_are_never_cached_and_stay_4xx(state, params, status, message):
    with client_of(state) as client:
        before = len(state.cache or [])
        for _ in range(2):
            response = client.get("/api/queries/drugs-by-class", params=params)
            assert response.status_code == status and message in response.text
            assert "X-Her2kg-Cache" not in response.headers
    assert len(state.cache or []) == before


def test_an_unacceptable_format_for_a_canned_query_is_a_406_never_cached(state):
    with client_of(state) as client:
        before = len(state.cache or [])
        for _ in range(2):
            response = client.get(
                "/api/queries/drugs-by-class", params={"class": "tki"}, headers={"Accept": "text/turtle"}
            )
            assert response.status_code == 406 and "X-Her2kg-Cache" not in response.headers
    assert len(state.cache or []) == before


def test_a_parameter_that_tries_to_break_out_of_the_query_is_a_value_not_text(state):
    hostile = 'x" } ; DROP ALL #'
    with client_of(state) as client:
        responses = [client.get("/api/queries/find-entity", params={"text": hostile}) for _ in range(2)]
    assert [r.status_code for r in responses] == [200, 200]  # a text no label contains: no rows, no error
    assert solutions(responses[0].content, "json")[1] == [] and responses[1].headers["X-Her2kg-Cache"] == "hit"


# --- a request asked again byte for byte (web.app.QueryFastPath) --------------------------------


def test_a_repeated_request_is_answered_with_the_routes_headers(state):
    with client_of(state) as client:
        query = {"query": EVERYTHING + " # repeated"}
        answers = [client.get("/sparql", params=query, headers={"Accept": "text/csv"}) for _ in range(3)]
        hits_before = client.get("/health").json()["cache"]["hits"]
        client.get("/sparql", params=query, headers={"Accept": "text/csv"})
        assert client.get("/health").json()["cache"]["hits"] == hits_before + 1
    assert [a.headers["X-Her2kg-Cache"] for a in answers] == ["miss", "hit", "hit"]
    for name in ("content-type", "content-length", "X-Her2kg-Truncated", "X-Her2kg-Max-Rows"):
        assert answers[1].headers[name] == answers[2].headers[name], name
    assert answers[1].content == answers[2].content == answers[0].content


def test_a_repeated_request_from_another_origin_still_gets_cors_headers(state):
    with client_of(state) as client:
        query = {"query": LOOKUP + " # origin"}
        client.get("/sparql", params=query)
        answer = client.get("/sparql", params=query, headers={"Origin": "https://example.org"})
    assert answer.headers["X-Her2kg-Cache"] == "hit"
    assert answer.headers["access-control-allow-origin"] == "*"


def test_the_same_query_under_another_host_is_answered_apart(state):
    # the base IRI (relative IRIs resolve against the endpoint's URL) depends on the Host
    query = {"query": "SELECT ?x WHERE { BIND(<relative> AS ?x) }"}
    with client_of(state) as client:
        first = client.get("/sparql", params=query, headers={"Host": "one.example"})
        second = client.get("/sparql", params=query, headers={"Host": "two.example"})
    assert "one.example" in first.text and "two.example" in second.text


def test_a_remembered_request_whose_answer_has_left_the_cache_is_a_miss():
    cache = AnswerCache(max_bytes=10_000)
    key = ("q", None, None, "json", None, 10)
    cache.put(key, (b"x" * 1000, "application/json", False))
    cache.remember(("/sparql", b"query=q", None, None, "http", None, "", 10), key, "hash")
    assert cache.answer_for(("/sparql", b"query=q", None, None, "http", None, "", 10)) is not None
    for n in range(20):  # pushes the first answer out
        cache.put((f"other {n}", None, None, "json", None, 10), (b"y" * 1000, "application/json", False))
    assert cache.answer_for(("/sparql", b"query=q", None, None, "http", None, "", 10)) is None


def test_the_index_of_remembered_requests_is_bounded():
    cache = AnswerCache(max_bytes=10_000)
    for n in range(200):
        cache.remember(("/sparql", b"query=%d" % n + b"z" * 100, None, None, "http", None, "", 10), ("q", None), "h")
    assert cache._requests_size <= 10_000 // 4
