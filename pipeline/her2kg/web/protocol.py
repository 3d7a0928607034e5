"""The SPARQL 1.1 Protocol at /sparql, the Service Description, and the VoID description.

    GET  /sparql?query=…                                      a query
    POST /sparql  application/x-www-form-urlencoded  query=…  a query
    POST /sparql  application/sparql-query                    a query as the body (UTF-8)
    GET  /sparql                                              the Service Description (Turtle …)

`default-graph-uri` may name the release's dataset (the store's default graph) or a named graph
the store holds (an on-disk store may have some), and `named-graph-uri` such a named graph; any
other IRI is a 400: the endpoint never fetches a graph.
An update (`update=`, application/sparql-update, or an update in `query`) answers 403; SERVICE,
LOAD and FROM answer 400 before any engine sees the query.

An answer is written in full before it is sent (the row cap bounds it), so that a time limit or an
error is a proper status, and the response says whether the row cap left rows out
(`X-Her2kg-Truncated: true`, and in W3C JSON a top-level "her2kg" member that readers ignore).
"""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

import pyoxigraph
import yarl
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from ..errors import (
    ForbiddenQueryError,
    NotAcceptableError,
    NotFoundError,
    RequestError,
    RequestTooLargeError,
    SlowRequestError,
    UnsupportedMediaTypeError,
)
from ..results import MEDIA_TYPES, RDF_FORMATS, negotiate, write_boolean
from .app import DATASET_IRI, State, query_hash, raw_request, state_of
from .cache import Answer, Key

BODY_SECONDS = 10.0  # a quarter megabyte (the size cap) takes well under a second even on a slow link
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


async def read_body(request: Request, limit: int, seconds: float = BODY_SECONDS) -> bytes:
    """The request body, refused (413) past `limit` bytes, whatever Content-Length claims, and
    (408) when it does not arrive whole within `seconds`: a slow sender holds no connection for long."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLargeError(f"the request body ({int(declared):,} bytes) is over the limit of {limit:,} bytes")
    body = bytearray()
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise RequestTooLargeError(f"the request body is over the limit of {limit:,} bytes")
    except TimeoutError:
        raise SlowRequestError(
            f"the request body did not arrive within {seconds:g} s ({len(body):,} bytes came): send it whole"
        ) from None
    return bytes(body)


def _text(data: bytes, charset: str | None) -> str:
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise UnsupportedMediaTypeError(f"the query is sent as {charset}: send it as UTF-8 (charset=utf-8)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RequestError(f"the request is not UTF-8 (byte {err.start}): send the query as UTF-8") from None


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"')
    return None


async def _parameters(request: Request, limit: int) -> list[tuple[str, str]]:
    """The protocol parameters of a request: the query string, plus a form body or a direct query."""
    if len(request.url.query) > limit:
        raise RequestTooLargeError(f"the query string is over the limit of {limit:,} bytes: POST the query instead")
    pairs = query_pairs(request.scope["query_string"])
    if request.method != "POST":
        return pairs
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    if media == UPDATE:
        raise ForbiddenQueryError("updates are refused: the store is read-only")
    if media not in (FORM, DIRECT):
        raise UnsupportedMediaTypeError(
            f"a query is POSTed as {FORM} (query=…) or as {DIRECT}, not as {media or 'a body without a Content-Type'}"
        )
    body = _text(await read_body(request, limit), _charset(content_type))
    if media == DIRECT:
        if any(name == "query" for name, _ in pairs):
            raise RequestError(f"a {DIRECT} request carries its query in the body, not also in the URL")
        return pairs + [("query", body)]
    return pairs + parse_qsl(body, keep_blank_values=True)


def query_pairs(query_string: bytes) -> list[tuple[str, str]]:
    """The name/value pairs of a URL's query string, as urllib.parse.parse_qsl(…, keep_blank_values=True)
    reads them (and Starlette's request.query_params), with yarl's percent-decoding written in C: a
    query sent by GET is a few kilobytes of %XX escapes, which urllib takes ~0.2 ms to decode."""
    if not query_string:
        return []
    return list(yarl.URL.build(query_string=query_string.decode("latin-1"), encoded=True).query.items())


def _dataset(pairs: list[tuple[str, str]], state: State) -> tuple[list[str], list[str]] | None:
    """The dataset the protocol parameters ask for: None for the store's own default graph (no
    parameter, or the release's dataset IRI), else (default graphs, named graphs), each a named
    graph the store holds. The endpoint fetches no graph: any other IRI is a 400."""
    defaults = [value for name, value in pairs if name == "default-graph-uri" and value != DATASET_IRI]
    named = [value for name, value in pairs if name == "named-graph-uri"]
    for iri in defaults + named:
        if not state.backend.has_graph(iri):
            raise RequestError(
                f"<{iri}> is not a graph of this endpoint: its default graph is <{DATASET_IRI}> "
                f"(or leave default-graph-uri out), and it fetches no other graph"
            )
    if not defaults and not named:
        return None
    return defaults, named


async def sparql(request: Request) -> Response:
    state = state_of(request)
    pairs = await _parameters(request, state.config.max_request_bytes)
    names = [name for name, _ in pairs]
    if "update" in names:
        raise ForbiddenQueryError("updates are refused: the store is read-only")
    queries = [value for name, value in pairs if name == "query"]
    if not queries:
        if request.method == "GET" and not pairs:
            return service_description(request, state)
        raise RequestError(f"no query: give one as ?query=…, as the form field query=…, or as a {DIRECT} body")
    if len(queries) > 1:
        raise RequestError(f"{len(queries)} queries in one request: give exactly one")
    dataset = _dataset(pairs, state)
    text = queries[0]
    if not text.strip():
        raise RequestError("the query is empty")
    hashed = request.scope["her2kg.query_hash"] = query_hash(text)
    # Relative IRIs resolve against the endpoint's own URL, as the protocol suggests.
    base_iri = endpoint_url(request.scope)
    accept = request.headers.get("accept")
    formats = negotiated(accept)
    max_rows = state.config.max_rows
    key = (text, _frozen(dataset), base_iri, formats["solutions"], formats["graph"], max_rows)

    async def run() -> Answer:
        kind, written, truncated = await state.backend.answer_async(
            text, formats, timeout=state.config.timeout, max_rows=max_rows, dataset=dataset, base_iri=base_iri
        )
        return finish(kind, written, formats, truncated, accept, max_rows)

    return await cached(state, key, run, request.scope, hashed)


async def cached(state: State, key: Key, run: Callable[[], Awaitable[Answer]], scope: Scope, hashed: str) -> Response:
    """The response for the answer kept under `key` in the server's answer cache, else for the one
    `run` writes (then kept). `key` holds everything the answer depends on (see web.cache). An error
    `run` raises is not kept: it is decided again next time. A GET request (`scope`) is remembered
    by its raw parts, so that the next one like it is answered before routing (QueryFastPath)."""
    cache, max_rows = state.cache, state.config.max_rows
    answered = cache.get(key) if cache is not None else None
    if answered is None:
        answered = await run()
        if cache is not None:
            cache.put(key, answered)
        headers = {"X-Her2kg-Cache": "miss"} if cache is not None else {}
    else:
        headers = {"X-Her2kg-Cache": "hit"}
    if cache is not None and scope["method"] == "GET" and (raw := raw_request(scope, max_rows)) is not None:
        cache.remember(raw, key, hashed)
    body, media, truncated = answered
    if truncated:
        headers.update({"X-Her2kg-Truncated": "true", "X-Her2kg-Max-Rows": str(max_rows)})
    return Response(body, media_type=media, headers=headers)


def negotiated(accept: str | None) -> dict[str, str | None]:
    """The format for each kind of answer (solutions, graph) an Accept header asks for (None: none
    acceptable); a new dict each time, from the few Accept headers clients send (remembered)."""
    return dict(_negotiated(accept))


@functools.lru_cache(maxsize=256)
def _negotiated(accept: str | None) -> tuple[tuple[str, str | None], ...]:
    return tuple((kind, negotiate(accept, kind, strict=True)) for kind in ("solutions", "graph"))


def endpoint_url(scope: Scope) -> str:
    """The URL of the endpoint a request came to, without its query string: as Starlette's
    `request.url.replace(query="", fragment="")` writes it, remembered for the few ones a server has."""
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    server = scope.get("server")
    return _endpoint_url(
        scope["scheme"], host, None if server is None else tuple(server), scope.get("root_path", ""), scope["path"]
    )


@functools.lru_cache(maxsize=256)
def _endpoint_url(scheme: str, host: bytes | None, server: tuple | None, root_path: str, path: str) -> str:
    scope = {
        "type": "http",
        "scheme": scheme,
        "server": server,
        "root_path": root_path,
        "path": path,
        "query_string": b"",
        "headers": [] if host is None else [(b"host", host)],
    }
    return str(URL(scope=scope).replace(query="", fragment=""))


def _frozen(dataset: tuple[list[str], list[str]] | None) -> tuple | None:
    return None if dataset is None else (tuple(dataset[0]), tuple(dataset[1]))


def finish(
    kind: str,
    written: bytes | bool | None,
    formats: dict[str, str | None],
    truncated: bool,
    accept: str | None,
    max_rows: int,
) -> tuple[bytes, str, bool]:
    """An answer the backend wrote (a bool for ASK) made ready to send: (body, media type,
    truncated); NotAcceptableError when no format was accepted for its kind."""
    chosen = formats["graph" if kind == "graph" else "solutions"]
    if chosen is None or written is None:
        raise _not_acceptable(accept, kind)
    if isinstance(written, bool):
        out = io.StringIO()
        write_boolean(written, chosen, out)
        written = out.getvalue().encode("utf-8")
    elif truncated and chosen == "json" and kind == "solutions":
        written = _marked(written.decode("utf-8"), max_rows).encode("utf-8")
    return written, _media(chosen), truncated


def _not_acceptable(accept: str | None, kind: str) -> NotAcceptableError:
    return NotAcceptableError(
        f"none of the media types accepted ({accept}) can carry "
        f"{'a graph' if kind == 'graph' else 'query results'}: accept one of "
        f"{', '.join(_offered(kind))}"
    )


def _marked(body: str, max_rows: int) -> str:
    """W3C JSON results with the truncation marker: a member W3C JSON readers ignore, so the marker
    travels with the data, not only in headers. It goes first: streaming readers (pyoxigraph's
    among them) refuse anything after the bindings."""
    return f'{{"her2kg":{{"truncated":true,"max_rows":{max_rows}}},' + body.lstrip()[1:]


def _media(chosen: str) -> str:
    media = MEDIA_TYPES[chosen]
    if media.startswith("text/") or media.endswith(("+json", "+xml", "/n-triples", "/ld+json")):
        media += "; charset=utf-8"
    return media


def _offered(kind: str) -> list[str]:
    keys = ("turtle", "ntriples", "jsonld", "rdfxml") if kind == "graph" else ("json", "xml", "csv", "tsv")
    return [MEDIA_TYPES[key] for key in keys]


def service_description(request: Request, state: State) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in the RDF format the client accepts."""
    endpoint = pyoxigraph.NamedNode(str(request.url.replace(query="", fragment="")))
    dataset, graph = pyoxigraph.NamedNode(DATASET_IRI), pyoxigraph.BlankNode("default")
    rdf_type = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def sd(local: str) -> pyoxigraph.NamedNode:
        return pyoxigraph.NamedNode(SD + local)

    triples = [
        pyoxigraph.Triple(endpoint, rdf_type, sd("Service")),
        pyoxigraph.Triple(endpoint, sd("endpoint"), endpoint),
        pyoxigraph.Triple(endpoint, sd("supportedLanguage"), sd("SPARQL11Query")),
        pyoxigraph.Triple(
            endpoint, sd("defaultEntailmentRegime"), pyoxigraph.NamedNode("http://www.w3.org/ns/entailment/Simple")
        ),
        pyoxigraph.Triple(endpoint, sd("defaultDataset"), dataset),
        pyoxigraph.Triple(dataset, rdf_type, sd("Dataset")),
        pyoxigraph.Triple(dataset, sd("defaultGraph"), graph),
        pyoxigraph.Triple(graph, rdf_type, sd("Graph")),
        pyoxigraph.Triple(dataset, pyoxigraph.NamedNode("http://rdfs.org/ns/void#sparqlEndpoint"), endpoint),
        pyoxigraph.Triple(
            dataset,
            pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
            pyoxigraph.NamedNode(str(request.url.replace(path="/.well-known/void", query=""))),
        ),
    ]
    triples += [
        pyoxigraph.Triple(endpoint, sd("resultFormat"), pyoxigraph.NamedNode(FORMATS + name)) for name in RESULT_FORMATS
    ]
    if state.backend.triples is not None:
        triples.append(
            pyoxigraph.Triple(
                graph,
                pyoxigraph.NamedNode("http://rdfs.org/ns/void#triples"),
                pyoxigraph.Literal(
                    str(state.backend.triples),
                    datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"),
                ),
            )
        )
    chosen = negotiate(request.headers.get("accept"), "graph", strict=True)
    if chosen is None:
        raise NotAcceptableError(f"the service description is RDF: accept one of {', '.join(_offered('graph'))}")
    prefixes = (
        {
            "sd": SD,
            "formats": FORMATS,
            "void": "http://rdfs.org/ns/void#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        }
        if chosen in ("turtle", "jsonld")
        else None
    )
    body = pyoxigraph.serialize(triples, format=RDF_FORMATS[chosen], prefixes=prefixes)
    return Response(body, media_type=MEDIA_TYPES[chosen])


async def void(request: Request) -> Response:
    state = state_of(request)
    if state.release_dir is None:
        raise NotFoundError("this server has no release folder, so no VoID description")
    return Response((state.release_dir / "void.ttl").read_bytes(), media_type="text/turtle")
