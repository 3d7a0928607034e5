"""The ASGI application: `create_app(config) -> Starlette`.

Routes (the pages add theirs through `pages.page_routes(state)`):

    GET/POST /sparql            the SPARQL 1.1 Protocol; GET without a query: the Service Description
    GET /.well-known/void       the release's VoID description (void.ttl)
    GET /release/<file>         a file of the release (her2kg.ttl, her2kg.nt, her2kg.owl, void.ttl,
                                build-report.json): `State.release_files` lists those present
    GET /api/queries            the canned queries: names, titles, descriptions, parameters
    GET /api/queries/<name>     a canned query's answer (JSON, CSV, TSV: Accept or ?format=)
    GET /openapi.json           an OpenAPI description of the REST API, from the query headers
    GET /health                 version, triples, uptime, workers
    GET /<kind>/<slug>, /ontology…  the graph's own IRIs, dereferenced (entities.entity_routes)
    GET /api/search?q=          records by label, synonym or identifier
    GET /<kind>/<slug>/<name>.svg  a record's picture: forest.svg, neighbourhood.svg (pictures.py)

Every error the library raises becomes a response here, in one place (`error_response`), with its
`http_status` and its message as plain text (JSON under /api/); anything else becomes a plain 500
and is logged with its traceback, which never reaches the client.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..catalog import CannedQuery, load_queries
from ..errors import Her2kgError, NotFoundError
from ..sparql import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT
from .backend import Backend
from .cache import AnswerCache

log = logging.getLogger("her2kg.server")
access_log = logging.getLogger("her2kg.access")

DATASET_IRI = "https://w3id.org/her2kg/dataset"  # the release's void:Dataset, its one default graph
MAX_REQUEST_BYTES = 256 * 1024  # a query is text: a quarter megabyte is far beyond any real one
DEFAULT_CACHE_BYTES = 64 * 2**20
RELEASE_MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".owl": "application/rdf+xml",
    ".json": "application/json",
}


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    release_dir: Path = Path("dist")
    store_dir: Path | None = None  # an on-disk pyoxigraph store, opened read-only
    endpoint: str | None = None  # an external SPARQL endpoint to stand in front of
    workers: int = 4
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    cors: tuple[str, ...] = ("*",)  # origins allowed to read; () for none
    max_request_bytes: int = MAX_REQUEST_BYTES
    log: bool = False  # access log lines on stderr
    cache_bytes: int = DEFAULT_CACHE_BYTES  # answers kept for repeated queries (web.cache); 0: none


@dataclass
class State:
    """What the routes share: the configuration, where queries run, the catalogue, the release."""

    config: ServerConfig
    backend: Backend
    queries: dict[str, CannedQuery]
    release_dir: Path | None  # the release folder, when there is one to offer
    version: str = __version__
    release_version: str | None = None
    started: float = field(default_factory=time.monotonic)
    cache: AnswerCache | None = None  # answers of /sparql already written, when the store cannot change

    @property
    def release_files(self) -> list[str]:
        """The release files offered at /release/<file>: those the build report lists and that exist."""
        if self.release_dir is None:
            return []
        try:
            listed = json.loads((self.release_dir / "build-report.json").read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError):
            return []
        # Names come from the report, never from the request: a listed `her2kg-kgx/nodes.tsv` is served, `../x` not.
        return [name for name in listed if ".." not in name.split("/") and (self.release_dir / name).is_file()]

    @classmethod
    def open(cls, config: ServerConfig) -> State:
        """Load the store (or connect to the endpoint) and fork the query workers. Call it while
        the process has one thread (before the server starts)."""
        from .backend import EndpointBackend, LocalBackend

        release_dir: Path | None = Path(config.release_dir)
        backend: Backend
        if config.endpoint:
            backend = EndpointBackend(config.endpoint)
        elif config.store_dir is not None:
            from ..errors import UsageError

            if not Path(config.store_dir).is_dir():
                raise UsageError(
                    f"{config.store_dir}: no pyoxigraph store here — pass --store DIR of a store "
                    f"made with pyoxigraph.Store(path)"
                )
            try:
                backend = LocalBackend(None, config.workers, reopen=Path(config.store_dir))
            except OSError as err:
                raise UsageError(f"{config.store_dir}: cannot open the store read-only: {err}") from err
        else:
            from ..store import open_release

            backend = LocalBackend(open_release(Path(config.release_dir)), config.workers)
        if release_dir is not None and not (release_dir / "void.ttl").is_file():
            release_dir = None
        release_version = None
        if release_dir is not None:
            try:
                report = json.loads((release_dir / "build-report.json").read_text(encoding="utf-8"))
                release_version = report.get("version")
            except (OSError, ValueError):
                pass
        cache = AnswerCache(config.cache_bytes) if config.cache_bytes and backend.immutable else None
        return cls(config, backend, load_queries(), release_dir, release_version=release_version, cache=cache)


# --- errors, in one place ------------------------------------------------------------------------


def error_response(request: Request | Scope, error: Exception) -> Response:
    """The response for an error: a library error with its status and message; anything else a
    plain 500 (logged here with its traceback)."""
    path = request.url.path if isinstance(request, Request) else request.get("path", "")
    if isinstance(error, Her2kgError):
        status, message = error.http_status, str(error)
    else:
        log.error("internal error on %s:\n%s", path, "".join(traceback.format_exception(error)))
        status, message = 500, "internal server error (logged on the server)"
    if path.startswith("/api/"):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    return PlainTextResponse(message + "\n", status_code=status)


async def _library_error(request: Request, error: Exception) -> Response:
    return error_response(request, error)


def query_hash(text: str) -> str:
    """A short, stable name for a query text in the access log (the text itself may be long)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class AccessLog:
    """Logs one structured line per request (method, path, status, duration, query hash) and turns
    an exception no route handled into a plain 500 — the client never sees a traceback."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            if status:
                log.error(
                    "internal error after the response started on %s:\n%s",
                    scope.get("path"),
                    "".join(traceback.format_exception(error)),
                )
            else:
                await error_response(scope, error)(scope, receive, sending)
        if access_log.isEnabledFor(logging.INFO):
            query = scope.get("her2kg.query_hash")
            access_log.info(
                "method=%s path=%s status=%d ms=%.2f%s",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                f" query={query}" if query else "",
            )


def raw_request(scope: Scope, max_rows: int) -> tuple | None:
    """What a GET request's cached answer depends on, as the request came (web.cache.RawRequest):
    the path and query string undecoded, the Host (the base IRI) and Accept headers, the row cap.
    None when the request has an Origin header: its answer needs CORS headers, which the route's
    middleware writes."""
    host = accept = None
    server = scope.get("server")
    for name, value in scope["headers"]:
        if name == b"accept":
            accept = accept or value  # the first, as the route reads it
        elif name == b"host":
            host = host or value
        elif name == b"origin":
            return None
    return (
        scope["path"],
        scope["query_string"],
        host,
        accept,
        scope["scheme"],
        None if server is None else tuple(server),  # a list under some servers: not hashable
        scope.get("root_path", ""),
        max_rows,
    )


class QueryFastPath:
    """The hot path, before routing. A GET request the answer cache has answered before, byte for
    byte the same request, is answered from its raw parts (AnswerCache.answer_for) without decoding
    it: a cache hit then costs what uvicorn costs. Any other GET or POST to /sparql without an
    Origin header goes straight to the protocol's handler (the errors it raises answered as the
    routes answer them, by `error_response`), past the CORS layer, exception middleware and router.
    Everything else goes on to the routes."""

    def __init__(self, app: ASGIApp, state: State):
        from .protocol import sparql  # the protocol module builds on this one

        self.app, self.state, self.sparql = app, state, sparql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        max_rows = self.state.config.max_rows
        raw = raw_request(scope, max_rows)  # None: an Origin header, so CORS headers are due
        cache = self.state.cache
        if cache is not None and raw is not None and scope["method"] == "GET":
            found = cache.answer_for(raw)
            if found is not None:
                (body, media, truncated), scope["her2kg.query_hash"] = found
                headers = [
                    (b"content-length", b"%d" % len(body)),
                    (b"content-type", media.encode("latin-1")),
                    (b"x-her2kg-cache", b"hit"),
                ]
                if truncated:
                    headers += [(b"x-her2kg-truncated", b"true"), (b"x-her2kg-max-rows", b"%d" % max_rows)]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        if raw is not None and scope["path"] == "/sparql":
            request = Request(scope, receive, send)
            try:
                response = await self.sparql(request)
            except Her2kgError as error:
                response = error_response(request, error)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


# --- the application -----------------------------------------------------------------------------


def create_app(config: ServerConfig, state: State | None = None) -> Starlette:
    """The ASGI app serving `state` (opened from `config` when not given)."""
    from . import api, protocol

    state = state or State.open(config)
    routes: list[BaseRoute] = [
        Route("/sparql", protocol.sparql, methods=["GET", "POST"]),
        Route("/.well-known/void", protocol.void),
        Route("/release/{name:path}", release_file),
        Route("/api/queries", api.list_queries),
        Route("/api/queries/{name}", api.run_query),
        Route("/openapi.json", api.openapi),
        Route("/health", health),
    ]
    try:
        from .pages import page_routes
    except ImportError:  # the pages are optional: the API and the endpoint stand alone
        pass
    else:
        routes += page_routes(state)
    from .entities import entity_routes  # last: /<kind>/<slug> must not shadow the routes above

    routes += entity_routes(state)
    middleware = [Middleware(AccessLog), Middleware(QueryFastPath, state=state)]
    if config.cors:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(config.cors),
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=["X-Her2kg-Truncated", "X-Her2kg-Max-Rows", "X-Her2kg-Cache"],
            )
        )
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={Her2kgError: _library_error})
    app.state.her2kg = state
    return app


def state_of(request: Request) -> State:
    return request.app.state.her2kg  # type: ignore[no-any-return]


async def health(request: Request) -> Response:
    state = state_of(request)
    return JSONResponse(
        {
            "status": "ok",
            "version": state.version,
            "release_version": state.release_version,
            "store": state.backend.kind,
            "triples": state.backend.triples,
            "uptime_seconds": round(time.monotonic() - state.started, 1),
            "workers": state.backend.workers(),
            "cache": state.cache.stats() if state.cache is not None else None,
            "limits": {
                "timeout_seconds": state.config.timeout,
                "max_rows": state.config.max_rows,
                "max_request_bytes": state.config.max_request_bytes,
            },
        }
    )


async def release_file(request: Request) -> Response:
    from starlette.responses import FileResponse

    state = state_of(request)
    name = request.path_params["name"]
    if state.release_dir is None or name not in state.release_files:
        offered = ", ".join(state.release_files) or "none (this server has no release folder)"
        raise NotFoundError(f"no release file {name!r}; the release files: {offered}")
    path = state.release_dir / name
    from ..formats import FORMATS

    registered = {f.file_name: f.media_type for f in FORMATS.values()}
    media = registered.get(name) or RELEASE_MEDIA_TYPES.get(path.suffix, "application/octet-stream")
    # a file of a subfolder downloads as `her2kg-kgx-nodes.tsv`: a file name has no slash
    return FileResponse(path, media_type=media, filename=name.replace("/", "-"))
