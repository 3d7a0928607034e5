"""Where the server's queries run: the embedded store through a worker pool, or an external endpoint.

Both answer with `sparql.Results`, so the protocol endpoint, the REST API and the pages render
every answer the same way and apply the same limits, whichever store is behind them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Protocol

import pyoxigraph

from .. import catalog
from ..errors import QueryError, QueryTimeout, UpstreamError
from ..results import write
from ..sparql import QUERY_PREFIXES, Results, Term, check_read_only, with_values
from ..workers import WorkerPool


class Backend(Protocol):
    kind: str  # memory, disk or endpoint: what /health reports
    triples: int | None
    immutable: bool  # its answers cannot change while it is served, so they may be cached

    def execute(
        self,
        text: str,
        *,
        substitutions: dict | None = None,
        timeout: float,
        max_rows: int,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> Results: ...

    async def execute_async(
        self,
        text: str,
        *,
        timeout: float,
        max_rows: int,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> Results: ...

    async def answer_async(
        self,
        text: str,
        formats: dict[str, str | None],
        *,
        substitutions: dict | None = None,
        timeout: float,
        max_rows: int,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> tuple[str, bytes | bool | None, bool]:
        """The answer written in the format `formats` gives for its kind: see WorkerPool.answer_async."""
        ...

    def has_graph(self, iri: str) -> bool: ...

    def bind(self, query: catalog.CannedQuery, given: dict[str, str]) -> dict: ...

    def workers(self) -> dict: ...

    def close(self) -> None: ...


class LocalBackend:
    """A pyoxigraph store (in memory, or on disk opened read-only) and a pool of query workers.

    Create it while the process has one thread: the pool forks its fork server here."""

    def __init__(self, store: pyoxigraph.Store | None, workers: int, reopen: Path | None = None):
        self.kind = "memory" if reopen is None else "disk"
        self.immutable = True  # a release loaded in memory, or a store opened read-only
        self.pool = WorkerPool(store, workers, reopen=reopen, forkserver=True)
        # An on-disk store is opened here only after the fork server exists: RocksDB starts threads.
        try:
            self.store = store if store is not None else pyoxigraph.Store.read_only(str(reopen))
        except BaseException:
            self.pool.close()
            raise
        self.triples: int | None = len(self.store)

    def execute(
        self,
        text: str,
        *,
        substitutions: dict | None = None,
        timeout: float,
        max_rows: int,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> Results:
        return self.pool.execute(
            text, substitutions=substitutions, timeout=timeout, max_rows=max_rows, dataset=dataset, base_iri=base_iri
        )

    async def execute_async(
        self,
        text: str,
        *,
        timeout: float,
        max_rows: int,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> Results:
        return await self.pool.execute_async(
            text, timeout=timeout, max_rows=max_rows, dataset=dataset, base_iri=base_iri
        )

    async def answer_async(
        self,
        text: str,
        formats: dict[str, str | None],
        *,
        substitutions: dict | None = None,
        timeout: float,
        max_rows: int,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> tuple[str, bytes | bool | None, bool]:
        return await self.pool.answer_async(
            text,
            formats,
            substitutions=substitutions,
            timeout=timeout,
            max_rows=max_rows,
            dataset=dataset,
            base_iri=base_iri,
        )

    def has_graph(self, iri: str) -> bool:
        try:
            return self.store.contains_named_graph(pyoxigraph.NamedNode(iri))
        except ValueError:
            return False

    def bind(self, query: catalog.CannedQuery, given: dict[str, str]) -> dict:
        return catalog.bind(query, given, self.store)

    def workers(self) -> dict:
        return {"size": self.pool.size, "idle": self.pool.idle, "replaced": self.pool.replaced}

    def close(self) -> None:
        self.pool.close()


# The prefixes a query may use undeclared, written out for an endpoint that does not know them; a
# query's own PREFIX declarations come later and win.
PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in QUERY_PREFIXES.items())
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"


class EndpointBackend:
    """An external SPARQL endpoint (Virtuoso, QLever, Fuseki, Oxigraph server …) behind the same
    guard and limits: each query is checked here, then sent to `url` — the only outbound request
    the server ever makes — and its answer is read into the same Results as the embedded store's."""

    kind = "endpoint"
    immutable = False  # another program may change the endpoint's data

    def __init__(self, url: str):
        import httpx

        self.url = url
        self.triples: int | None = None
        # No proxy from the environment and no redirects: the configured URL is the one place it connects to.
        self.client = httpx.Client(follow_redirects=False, trust_env=False, headers={"Accept": ACCEPT})

    def execute(
        self,
        text: str,
        *,
        substitutions: dict | None = None,
        timeout: float,
        max_rows: int,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> Results:
        import httpx

        if dataset is not None:
            raise QueryError("default-graph-uri and named-graph-uri are not passed on to the endpoint")

        check_read_only(text)
        if substitutions:
            text = catalog.portable_text(text, substitutions)
        try:
            response = self.client.post(self.url, data={"query": PROLOGUE + text}, timeout=timeout or None)
        except httpx.TimeoutException:
            raise QueryTimeout(
                f"the endpoint {self.url} did not answer within the time limit of {timeout:g} s"
            ) from None
        except httpx.HTTPError as err:
            raise UpstreamError(f"the endpoint {self.url} could not be reached: {err}") from None
        if 400 <= response.status_code < 500:
            raise QueryError(f"the endpoint refused the query: {' '.join(response.text.split())[:500]}")
        if response.status_code != 200:
            raise UpstreamError(f"the endpoint {self.url} answered {response.status_code}")
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media in ("application/sparql-results+json", "application/json"):
            return _solutions(response.json(), max_rows)
        formats = {"application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES, "text/turtle": pyoxigraph.RdfFormat.TURTLE}
        if media not in formats:
            raise UpstreamError(
                f"the endpoint {self.url} answered in {media or 'an unnamed format'}, which is "
                f"not one asked for ({ACCEPT})"
            )
        triples = [
            (t.subject, t.predicate, t.object) for t in pyoxigraph.parse(response.content, format=formats[media])
        ]
        rows: list[tuple[Term | None, ...]] = list(triples[:max_rows] if max_rows else triples)
        results = Results(
            "graph",
            variables=("subject", "predicate", "object"),
            max_rows=max_rows,
            truncated=bool(max_rows) and len(triples) > max_rows,
        )
        results._rows = iter(rows)
        return results

    def bind(self, query: catalog.CannedQuery, given: dict[str, str]) -> dict:
        """As catalog.bind, but without the graph at hand: values are taken as written."""
        values = {p.name: p.default for p in query.parameters if p.default is not None}
        for name, value in given.items():
            query.parameter(name)
            values[name] = value
        return {
            pyoxigraph.Variable(name): query.parameter(name).term(value)
            for name, value in values.items()
            if value is not None
        }

    async def execute_async(
        self,
        text: str,
        *,
        timeout: float,
        max_rows: int,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> Results:
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(self.execute, text, timeout=timeout, max_rows=max_rows, dataset=dataset)

    async def answer_async(
        self,
        text: str,
        formats: dict[str, str | None],
        *,
        substitutions: dict | None = None,
        timeout: float,
        max_rows: int,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> tuple[str, bytes | bool | None, bool]:
        """The endpoint's answer read into Results, then written here (off the event loop)."""
        from starlette.concurrency import run_in_threadpool

        def written() -> tuple[str, bytes | bool | None, bool]:
            results = self.execute(
                text, substitutions=substitutions, timeout=timeout, max_rows=max_rows, dataset=dataset
            )
            return _written(results, formats)

        return await run_in_threadpool(written)

    def has_graph(self, iri: str) -> bool:
        return False

    def workers(self) -> dict:
        return {"endpoint": self.url}

    def close(self) -> None:
        self.client.close()


def _written(results: Results, formats: dict[str, str | None]) -> tuple[str, bytes | bool | None, bool]:
    """Results written in Python in the format `formats` gives for their kind, as
    WorkerPool.answer_async answers: (kind, body or the bool of an ASK or None, truncated)."""
    with results:
        if results.kind == "boolean":
            return "boolean", bool(results.boolean), False
        fmt = formats.get(results.kind)
        if fmt is None:
            return results.kind, None, False
        out = io.StringIO()
        write(results, fmt, out)
    return results.kind, out.getvalue().encode("utf-8"), results.truncated


def _term(value: dict) -> Term:
    kind = value.get("type")
    if kind == "uri":
        return pyoxigraph.NamedNode(value["value"])
    if kind == "bnode":
        return pyoxigraph.BlankNode(value["value"])
    if "xml:lang" in value:
        return pyoxigraph.Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return pyoxigraph.Literal(value["value"], datatype=pyoxigraph.NamedNode(value["datatype"]))
    return pyoxigraph.Literal(value["value"])


def _solutions(answer: dict, max_rows: int) -> Results:
    """W3C SPARQL JSON results as Results, capped at `max_rows`."""
    try:
        if "boolean" in answer:
            return Results("boolean", boolean=bool(answer["boolean"]))
        variables = tuple(answer["head"]["vars"])
        bindings = answer["results"]["bindings"]
        rows = [
            tuple(_term(b[v]) if v in b else None for v in variables)
            for b in (bindings[:max_rows] if max_rows else bindings)
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise UpstreamError(f"the endpoint's JSON results are malformed: {json.dumps(str(err))}") from None
    results = Results(
        "solutions", variables=variables, max_rows=max_rows, truncated=bool(max_rows) and len(bindings) > max_rows
    )
    results._rows = iter(rows)
    return results


class InProcessBackend:
    """A pyoxigraph store queried in this process, with no worker pool and no limits: for writing
    the static site (`her2kg site`), where every query is one of the pages' own."""

    kind = "memory"
    immutable = True

    def __init__(self, store: pyoxigraph.Store):
        self.store = store
        self.triples: int | None = len(store)

    def execute(
        self,
        text: str,
        *,
        substitutions: dict | None = None,
        timeout: float = 0,
        max_rows: int = 0,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> Results:
        text, substitutions = with_values(text, substitutions)  # as the workers do
        answer = self.store.query(text, substitutions=substitutions, base_iri=base_iri)
        if isinstance(answer, pyoxigraph.QueryBoolean):
            return Results(kind="boolean", boolean=bool(answer))
        if isinstance(answer, pyoxigraph.QueryTriples):
            return Results(kind="graph", _rows=iter([(t.subject, t.predicate, t.object) for t in answer]))
        variables = answer.variables
        return Results(
            kind="solutions",
            variables=tuple(v.value for v in variables),
            _rows=iter([tuple(solution[v] for v in variables) for solution in answer]),
        )

    async def execute_async(
        self,
        text: str,
        *,
        timeout: float = 0,
        max_rows: int = 0,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> Results:
        return self.execute(text, base_iri=base_iri)

    async def answer_async(
        self,
        text: str,
        formats: dict[str, str | None],
        *,
        substitutions: dict | None = None,
        timeout: float = 0,
        max_rows: int = 0,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> tuple[str, bytes | bool | None, bool]:
        return _written(self.execute(text, substitutions=substitutions, base_iri=base_iri), formats)

    def has_graph(self, iri: str) -> bool:
        return self.store.contains_named_graph(pyoxigraph.NamedNode(iri))

    def bind(self, query: catalog.CannedQuery, given: dict[str, str]) -> dict:
        return catalog.bind(query, given, self.store)

    def workers(self) -> dict:
        return {"size": 0, "idle": 0, "replaced": 0}

    def close(self) -> None:
        pass
