"""The canned queries as a REST API, and its OpenAPI description made from the query headers.

    GET /api/queries                  every canned query: name, title, description, tags, parameters
    GET /api/queries/NAME?drug=…      its answer; ?format=json|csv|tsv|xml, else by Accept (W3C
                                      SPARQL results: JSON by default)

Parameters are bound exactly as `her2kg query NAME -p drug=…` binds them (catalog.bind: values are
substituted for the query's variables, never pasted into its text), so a value the command line
accepts is accepted here and a bad one gets the same message (400). An unknown query is a 404.
The answer takes the same path as one at /sparql: written by a query worker in the format asked
for, and kept in the answer cache (web.cache), keyed by the query's name, the parameters, the
format and the row cap.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import __version__
from ..catalog import CannedQuery, arguments, find_query
from ..errors import RequestError
from ..results import negotiate
from .app import State, query_hash, state_of
from .cache import Answer
from .protocol import cached, finish

API_FORMATS = ("json", "csv", "tsv", "xml")
NUMBER_TYPES = {"integer": "integer", "decimal": "number"}


def describe(query: CannedQuery) -> dict:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "tags": list(query.tags),
        "path": f"/api/queries/{query.name}",
        "parameters": [
            {"name": p.name, "type": p.type, "description": p.description, "default": p.default, "example": p.example}
            for p in query.parameters
        ],
    }


async def list_queries(request: Request) -> Response:
    return JSONResponse([describe(query) for query in state_of(request).queries.values()])


async def run_query(request: Request) -> Response:
    state = state_of(request)
    query = find_query(request.path_params["name"], queries=state.queries)
    pairs = [(name, value) for name, value in request.query_params.multi_items() if name != "format"]
    forced = request.query_params.getlist("format")
    if len(forced) > 1 or (forced and forced[0] not in API_FORMATS):
        raise RequestError(f"format={','.join(forced)}: give one of {', '.join(API_FORMATS)}")
    given = arguments(pairs)
    hashed = request.scope["her2kg.query_hash"] = query_hash(query.text)
    accept = request.headers.get("accept")
    formats: dict[str, str | None] = (
        {"solutions": forced[0], "graph": None}
        if forced
        else {kind: negotiate(accept, kind, strict=True) for kind in ("solutions", "graph")}
    )
    max_rows = state.config.max_rows
    # The parameters as given key the answer: they are bound the same way every time (the graph does
    # not change while it is served), and a bad one raises before anything is kept.
    parameters = tuple(sorted(given.items()))
    key = (f"/api/queries/{query.name}", parameters, None, formats["solutions"], formats["graph"], max_rows)

    async def run() -> Answer:
        substitutions = await run_in_threadpool(state.backend.bind, query, given)  # reads the graph
        kind, written, truncated = await state.backend.answer_async(
            query.text, formats, substitutions=substitutions, timeout=state.config.timeout, max_rows=max_rows
        )
        return finish(kind, written, formats, truncated, accept, max_rows)

    return await cached(state, key, run, request.scope, hashed)


# --- OpenAPI -------------------------------------------------------------------------------------


def _schema(type_: str) -> dict:
    return {"type": NUMBER_TYPES.get(type_, "string")}


def openapi_document(state: State) -> dict:
    """OpenAPI 3.1: one path per canned query, its parameters from the query's header."""
    results = {
        "description": "The answer as W3C SPARQL results",
        "content": {
            "application/sparql-results+json": {},
            "text/csv": {},
            "text/tab-separated-values": {},
            "application/sparql-results+xml": {},
        },
    }
    errors = {
        "400": {"description": "A bad parameter (the same message as `her2kg query`)"},
        "406": {"description": "No acceptable format"},
        "503": {"description": "The query ran past the server's time limit"},
    }
    paths: dict[str, dict] = {
        "/api/queries": {
            "get": {
                "summary": "The canned queries",
                "operationId": "listQueries",
                "responses": {
                    "200": {
                        "description": "Names, titles, descriptions, parameters",
                        "content": {"application/json": {}},
                    }
                },
            }
        },
    }
    for query in state.queries.values():
        parameters = [
            {
                "name": p.name,
                "in": "query",
                "required": False,
                "description": p.description + (f" ({p.type})" if p.type not in ("string",) else ""),
                "schema": {**_schema(p.type), **({"default": p.default} if p.default is not None else {})},
                **({"example": p.example} if p.example is not None else {}),
            }
            for p in query.parameters
        ]
        parameters.append(
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "The result format (else the Accept header decides; JSON by default)",
                "schema": {"type": "string", "enum": list(API_FORMATS)},
            }
        )
        paths[f"/api/queries/{query.name}"] = {
            "get": {
                "summary": query.title,
                "description": query.description,
                "operationId": query.name,
                "tags": list(query.tags),
                "parameters": parameters,
                "responses": {"200": results, **errors},
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "her2kg canned queries",
            "version": __version__,
            "description": "Canned SPARQL queries over a knowledge graph of resistance to anti-HER2 therapy; "
            "the SPARQL 1.1 Protocol endpoint is at /sparql.",
        },
        "paths": paths,
    }


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(state_of(request)))
