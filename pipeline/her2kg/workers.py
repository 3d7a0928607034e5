"""Query workers: processes forked after the store is loaded, each answering one query at a time.

pyoxigraph has no query timeout and no cancellation, and while it evaluates a query the Python
thread does not see signals. A query therefore runs in a worker process: the store is shared with
it copy-on-write (nothing is copied or reloaded), and a worker past its deadline is SIGKILLed.

A `WorkerPool` keeps `size` such workers waiting, so a query costs a message over a socket pair
rather than a fork (~0.1 ms against ~5 ms). A worker answers one query at a time:

    parent → worker   (text, substitutions, max_rows)
    worker → parent   ("head", kind, variables) ("rows", [...])… ("end", truncated, peak KiB)
                      or ("boolean", value) / ("syntax", message) / ("failed", message)

or, for a server that wants the answer written (`answer_async`, given the format for each kind):

    parent → worker   (text, substitutions, max_rows, dataset, base_iri, formats)
    worker → parent   ("body", kind, bytes, truncated, peak KiB) or ("unacceptable", kind) …

The worker then writes the answer with pyoxigraph's own serialisers: first as TSV (solutions) or
N-Triples (triples), one row per line, into a sink that stops the query once the row cap is passed;
then, if another format was asked for, that text is read back and written in it, again by pyoxigraph
(an order of magnitude faster than writing JSON in Python, and no term crosses the pipe).

Every message is a length-prefixed pickle; terms cross as plain tuples (a tenth of the cost of
pickling pyoxigraph terms). The worker applies the row cap itself, so neither side holds more than
a batch of rows. A worker that ran past its deadline, or whose reader stopped early, is killed and
a new one forked in its place (~1 ms); one that reported an answer or an error is reused.
The command line reads rows while they arrive (`execute`); the server waits on its event loop
(`execute_async`, the answer read in full: the row cap bounds it), so no thread is involved — also
when every worker is busy: a request then waits on the loop for one to be given back (a future the
giver resolves), for no longer than its time limit.

Forking is safe only from a process with one thread (a lock held by another thread at the fork
stays locked in the child forever). A server has threads, so `WorkerPool(..., forkserver=True)`
first forks a small fork server while the process has one thread; it forks every worker, now and
later, and hands its socket back over a Unix socket. Without it (the command line) workers are
forked directly. Every process dies with the one that forked it (PR_SET_PDEATHSIG).

An on-disk store (`reopen=PATH`) is opened read-only in each worker rather than shared: RocksDB
keeps threads and file handles that a fork does not carry over.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import pickle
import queue
import resource
import select
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Self

import pyoxigraph

from .errors import Her2kgError, QueryError, QueryTimeout
from .parallel import die_with_parent
from .sparql import QUERY_PREFIXES, Results, Row, Term, check_read_only, syntax_message, with_values

BATCH_ROWS = 256  # rows per message from the worker: few messages, little memory
BATCH_SECONDS = 0.05  # a slow query's first rows are sent without waiting for a full batch
READ_BYTES = 1 << 16
GUARDED_CHARS = 4 << 20  # query texts kept as let through by the read-only guard (see WorkerPool._check)


# --- terms on the wire ----------------------------------------------------------------------------


def encode(term: Term | None) -> object:
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    if isinstance(term, pyoxigraph.Literal):
        return (term.value, term.language, term.datatype.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return ("_", term.value)
    return term  # None, or a quoted triple (rare): pickled as it is


def decode(value: object) -> Term | None:
    if isinstance(value, str):
        return pyoxigraph.NamedNode(value)
    if isinstance(value, tuple):
        if len(value) == 2:
            return pyoxigraph.BlankNode(value[1])
        text, language, datatype = value
        return (
            pyoxigraph.Literal(text, language=language)
            if language
            else pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(datatype))
        )
    return value  # type: ignore[return-value]


def _frame(message: tuple) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(4, "big") + data


# --- in the worker --------------------------------------------------------------------------------


def _answer(
    store: pyoxigraph.Store,
    text: str,
    substitutions: dict | None,
    max_rows: int,
    out: BinaryIO,
    dataset: tuple[list[str], list[str]] | None = None,
    base_iri: str | None = None,
    formats: dict[str, str | None] | None = None,
) -> None:
    """Run one query and send its messages; the last one is flushed. `dataset` is the protocol's
    (default-graph-uri, named-graph-uri) lists of named graphs of the store, if given; `base_iri`
    resolves relative IRIs; `formats` ({"solutions": fmt, "graph": fmt}) asks for the answer
    written rather than as rows."""

    def send(message: tuple, flush: bool = True) -> None:
        out.write(_frame(message))
        if flush:
            out.flush()

    try:
        graphs: dict = {}
        if dataset is not None:
            graphs = {
                "default_graph": [pyoxigraph.NamedNode(iri) for iri in dataset[0]] or None,
                "named_graphs": [pyoxigraph.NamedNode(iri) for iri in dataset[1]] or None,
            }
        text, substitutions = with_values(text, substitutions)  # so that the plan starts from the values
        answer = store.query(
            text,
            prefixes=QUERY_PREFIXES,
            substitutions=substitutions,
            base_iri=base_iri,
            **{key: value for key, value in graphs.items() if value is not None},
        )
        if isinstance(answer, pyoxigraph.QueryBoolean):
            send(("boolean", bool(answer)))
            return
        if formats is not None:
            kind = "solutions" if isinstance(answer, pyoxigraph.QuerySolutions) else "graph"
            fmt = formats.get(kind)
            if fmt is None:
                send(("unacceptable", kind))
                return
            body, truncated = _written(answer, fmt, max_rows)
            send(("body", kind, body, truncated, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
            return
        rows: Iterator[tuple]
        if isinstance(answer, pyoxigraph.QuerySolutions):
            variables = [v.value for v in answer.variables]
            send(("head", "solutions", tuple(variables)), flush=False)  # goes with the first rows
            rows = (tuple(encode(solution[v]) for v in variables) for solution in answer)
        else:
            send(("head", "graph", ("subject", "predicate", "object")), flush=False)
            rows = ((encode(t.subject), encode(t.predicate), encode(t.object)) for t in answer)
        batch: list[tuple] = []
        sent_at, truncated = time.monotonic(), False
        for count, row in enumerate(rows):
            if max_rows and count == max_rows:
                truncated = True
                break
            batch.append(row)
            if len(batch) >= BATCH_ROWS or time.monotonic() - sent_at > BATCH_SECONDS:
                send(("rows", batch))
                batch, sent_at = [], time.monotonic()
        if batch:
            send(("rows", batch), flush=False)
        send(("end", truncated, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    except SyntaxError as err:
        send(("syntax", str(err)))
    except Exception as err:
        send(("failed", f"{type(err).__name__}: {err}"))


class _Full(Exception):
    """Raised into pyoxigraph's serialiser once the row cap is passed: it stops the query there."""


class _LineSink:
    """A binary file for pyoxigraph's serialisers that keeps what is written until it holds more
    than `limit` lines (0: no limit), then stops the writer. pyoxigraph writes through a buffer, so
    at most one buffer more than `limit` lines is held."""

    def __init__(self, limit: int):
        self.limit, self.lines, self.full = limit, 0, False
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        if not self.full:  # after _Full the writer may flush its buffer once more: not kept
            self.parts.append(bytes(data))
            self.lines += data.count(b"\n")
            if self.limit and self.lines > self.limit:
                self.full = True
                raise _Full
        return len(data)

    def flush(self) -> None:
        pass

    def head(self) -> tuple[bytes, bool]:
        """The first `limit` lines, and whether more were written."""
        data = b"".join(self.parts)
        if not self.full:
            return data, False
        return b"".join(line + b"\n" for line in data.split(b"\n", self.limit)[: self.limit]), True


SOLUTIONS_FORMATS = {
    "json": pyoxigraph.QueryResultsFormat.JSON,
    "xml": pyoxigraph.QueryResultsFormat.XML,
    "csv": pyoxigraph.QueryResultsFormat.CSV,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "rdfxml": pyoxigraph.RdfFormat.RDF_XML,
}


def _written(
    answer: pyoxigraph.QuerySolutions | pyoxigraph.QueryTriples, fmt: str, max_rows: int
) -> tuple[bytes, bool]:
    """An answer written in `fmt` by pyoxigraph, at most `max_rows` rows (0: all); and whether rows
    were left out."""
    if isinstance(answer, pyoxigraph.QuerySolutions):
        sink = _LineSink(max_rows + 1 if max_rows else 0)  # the header line, then one line per row
        with contextlib.suppress(_Full):
            answer.serialize(sink, format=pyoxigraph.QueryResultsFormat.TSV)  # type: ignore[arg-type]  # it needs only write()
        tsv, truncated = sink.head()
        if fmt == "tsv":
            return tsv, truncated
        solutions = pyoxigraph.parse_query_results(tsv, format=pyoxigraph.QueryResultsFormat.TSV)
        assert isinstance(solutions, pyoxigraph.QuerySolutions)
        return solutions.serialize(format=SOLUTIONS_FORMATS[fmt]) or b"", truncated
    sink = _LineSink(max_rows)
    with contextlib.suppress(_Full):
        answer.serialize(sink, format=pyoxigraph.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
    ntriples, truncated = sink.head()
    if fmt == "ntriples":
        return ntriples, truncated
    triples = list(pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES))
    prefixes = QUERY_PREFIXES if fmt in ("turtle", "jsonld") else None
    return pyoxigraph.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=prefixes) or b"", truncated


def _read_frame(source: BinaryIO) -> tuple | None:
    size = source.read(4)
    if len(size) < 4:
        return None
    return pickle.loads(source.read(int.from_bytes(size, "big")))


def _work(store: pyoxigraph.Store | None, reopen: Path | None, conn: socket.socket) -> None:
    """A worker's life: answer requests from `conn` until it closes (or the worker is killed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it kills us on Ctrl-C
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    die_with_parent()
    if reopen is not None:
        store = pyoxigraph.Store.read_only(str(reopen))
    assert store is not None
    with conn, conn.makefile("rb") as requests, conn.makefile("wb") as out:
        while (request := _read_frame(requests)) is not None:
            text, substitutions, max_rows, dataset, base_iri, formats = request
            bound = (
                {pyoxigraph.Variable(name): decode(value) for name, value in substitutions.items()}
                if substitutions
                else None
            )
            try:
                _answer(store, text, bound, max_rows, out, dataset, base_iri, formats)
            except BrokenPipeError:
                return


def _fork_worker(
    store: pyoxigraph.Store | None, reopen: Path | None, *close: socket.socket
) -> tuple[int, socket.socket]:
    """Fork a worker; returns its pid and the parent's end of its socket pair."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the worker: never returns into the caller's code
        code = 1
        try:
            for sock in (ours, *close):
                sock.close()
            _work(store, reopen, theirs)
            code = 0
        finally:
            os._exit(code)
    theirs.close()
    return pid, ours


class _ForkServer:
    """A process forked while the caller has one thread, that forks workers on request."""

    def __init__(self, store: pyoxigraph.Store | None, reopen: Path | None):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.pid = os.fork()
        if self.pid == 0:
            try:
                ours.close()
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
                die_with_parent()
                while theirs.recv(1):
                    pid, conn = _fork_worker(store, reopen, theirs)
                    socket.send_fds(theirs, [pid.to_bytes(4, "big")], [conn.fileno()])
                    conn.close()
            finally:
                os._exit(0)
        theirs.close()
        self.conn, self.lock = ours, threading.Lock()

    def fork(self) -> tuple[int, socket.socket]:
        with self.lock:
            self.conn.sendall(b"+")
            data, fds, _flags, _address = socket.recv_fds(self.conn, 4, 1)
        if len(data) < 4 or not fds:
            raise Her2kgError("the query fork server has ended; restart the server")
        return int.from_bytes(data, "big"), socket.socket(fileno=fds[0])

    def close(self) -> None:
        self.conn.close()  # it reads EOF and exits
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


# --- in the parent --------------------------------------------------------------------------------


class _Worker:
    """The parent's handle on one worker: its pid and socket, and a buffer of what it sent."""

    def __init__(self, pid: int, conn: socket.socket, reap: bool):
        self.pid, self.conn, self.reap = pid, conn, reap
        self.buffer = bytearray()
        self.alive = True

    def ask(
        self,
        text: str,
        substitutions: dict | None,
        max_rows: int,
        dataset: tuple[list[str], list[str]] | None,
        base_iri: str | None,
        formats: dict[str, str | None] | None = None,
    ) -> None:
        encoded = {v.value: encode(t) for v, t in substitutions.items()} if substitutions else None
        self.conn.sendall(_frame((text, encoded, max_rows, dataset, base_iri, formats)))

    def ended(self) -> bool:
        """Whether an idle worker has gone: it never speaks unasked, so a readable socket is its end."""
        return bool(select.select([self.conn], [], [], 0)[0])

    def _take(self) -> tuple | None:
        """The next message, if it has arrived whole."""
        if len(self.buffer) < 4:
            return None
        size = int.from_bytes(self.buffer[:4], "big") + 4
        if len(self.buffer) < size:
            return None
        message = pickle.loads(self.buffer[4:size])
        del self.buffer[:size]
        return message

    def _read(self) -> None:
        """What the worker sent (the socket is readable, so this does not wait)."""
        chunk = self.conn.recv(READ_BYTES)
        if not chunk:
            raise Her2kgError("the query worker ended without an answer (out of memory?)")
        self.buffer += chunk

    def receive(self, deadline: float | None, timeout: float) -> tuple:
        """The next message, waiting no later than the deadline."""
        while (message := self._take()) is None:
            if not select.select([self.conn], [], [], _left(deadline))[0]:
                raise _timed_out(timeout)
            self._read()
        return message

    async def receive_async(self, deadline: float | None, timeout: float) -> tuple:
        """As `receive`, waiting on the running event loop instead of blocking it."""
        loop = asyncio.get_running_loop()
        fd = self.conn.fileno()
        while (message := self._take()) is None:
            readable: asyncio.Future[None] = loop.create_future()
            loop.add_reader(fd, _resolve, readable)
            try:
                # asyncio.timeout, not wait_for: no task is made per wait (wait_for makes one on 3.11)
                async with asyncio.timeout(_left(deadline)):
                    await readable
            except TimeoutError:
                raise _timed_out(timeout) from None
            finally:
                loop.remove_reader(fd)
            self._read()
        return message

    def kill(self) -> None:
        if not self.alive:
            return
        self.alive = False
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        if self.reap:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        self.conn.close()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.monotonic(), 0)


def _timed_out(timeout: float) -> QueryTimeout:
    return QueryTimeout(
        f"the query ran past its time limit of {timeout:g} s and was stopped "
        f"— narrow it (LIMIT, a more selective pattern) or raise the time limit"
    )


class WorkerPool:
    """`size` workers waiting for queries on `store` (or on the on-disk store at `reopen`).

    With `once`, each worker answers one query and is then stopped, and none is forked anew (the
    command line: no process outlives its query). `execute` may be called from any thread, `execute_async` from an asyncio event loop; a query
    waits for a free worker no longer than its own time limit. `forkserver` is for a process that will start threads: see the module's notes.
    """

    def __init__(
        self,
        store: pyoxigraph.Store | None,
        size: int = 1,
        *,
        reopen: Path | None = None,
        forkserver: bool = False,
        once: bool = False,
    ):
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.store, self.reopen, self.size = store, reopen, size
        self.parent = os.getpid()
        self.closed, self.once = False, once
        self._forkserver = _ForkServer(store, reopen) if forkserver else None
        self._idle: queue.Queue[_Worker] = queue.Queue()
        # Futures of requests waiting on an event loop for an idle worker, first in line first.
        self._waiters: collections.deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = collections.deque()
        self._waiters_lock = threading.Lock()
        self.replaced = 0  # workers killed (deadline, early stop) and forked anew
        self._guarded: set[str] = set()  # texts the read-only guard let through (see _check)
        self._guarded_chars, self._guarded_lock = 0, threading.Lock()
        for _ in range(size):
            self._idle.put(self._spawn())

    def _check(self, text: str) -> None:
        """The read-only guard (sparql.check_read_only), its verdict remembered for texts it let
        through (a query asked again costs a look-up, not ~30 µs of scanning), within
        GUARDED_CHARS characters of text (forgotten all at once when full). A refusal raises
        every time, so it is never remembered."""
        if text in self._guarded:
            return
        check_read_only(text)
        with self._guarded_lock:
            if self._guarded_chars + len(text) > GUARDED_CHARS:
                self._guarded.clear()
                self._guarded_chars = 0
            if len(text) <= GUARDED_CHARS // 16:
                self._guarded.add(text)
                self._guarded_chars += len(text)

    def _spawn(self) -> _Worker:
        if self._forkserver is not None:
            return _Worker(*self._forkserver.fork(), reap=False)
        return _Worker(*_fork_worker(self.store, self.reopen), reap=True)

    @property
    def idle(self) -> int:
        return self._idle.qsize()

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
        """Run a read-only query; 0 means no time limit / no row cap; `dataset` replaces the query's
        dataset by (default graphs, named graphs) of the store, as the SPARQL Protocol's
        default-graph-uri and named-graph-uri do; `base_iri` resolves relative IRIs. Raises
        ForbiddenQueryError, QueryError (refused, or a syntax error) and QueryTimeout, as
        `sparql.execute`. Rows are read while the caller iterates."""
        self._check(text)
        deadline = time.monotonic() + timeout if timeout else None
        lease = self._lease(
            self._wait_idle(timeout), text, substitutions, max_rows, dataset, base_iri, deadline, timeout
        )
        try:
            head = lease.receive()
        except BaseException:
            lease.close()
            raise
        if head[0] == "boolean":
            lease.close()
            return Results("boolean", boolean=head[1])
        results = Results(head[1], variables=head[2], max_rows=max_rows, _close=lease.close)
        results._rows = lease.rows(results)
        return results

    async def execute_async(
        self,
        text: str,
        *,
        substitutions: dict | None = None,
        timeout: float = 0,
        max_rows: int = 0,
        dataset: tuple[list[str], list[str]] | None = None,
        base_iri: str | None = None,
    ) -> Results:
        """As `execute`, on an asyncio event loop, which it never blocks: the answer is read in full
        (the row cap bounds it) and the worker given back before it returns. Cancelling the task
        stops the query."""
        self._check(text)
        deadline = time.monotonic() + timeout if timeout else None
        worker = await self._wait_idle_async(deadline, timeout)
        lease = self._lease(worker, text, substitutions, max_rows, dataset, base_iri, deadline, timeout)
        rows: list[tuple] = []
        try:
            head = await lease.receive_async()
            end = head
            while end[0] not in ("boolean", "end"):
                end = await lease.receive_async()
                if end[0] == "rows":
                    rows += end[1]
        finally:
            lease.close()
        if head[0] == "boolean":
            return Results("boolean", boolean=head[1])
        results = Results(
            head[1], variables=head[2], max_rows=max_rows, truncated=end[1], worker_peak_kib=end[2], size=len(rows)
        )
        results._rows = (tuple(decode(value) for value in row) for row in rows)
        return results

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
        """As `execute_async`, but the worker writes the answer in the format `formats` gives for
        its kind ("solutions" or "graph"; a key of results.MEDIA_TYPES, or None for none accepted).
        `substitutions` binds variables (Variable → term) as in `execute`. Returns (kind, body,
        truncated): the body is the bool of an ASK (to be written by the caller), or None when the
        kind's format is None (the query is not run further)."""
        self._check(text)
        deadline = time.monotonic() + timeout if timeout else None
        worker = await self._wait_idle_async(deadline, timeout)
        lease = self._lease(worker, text, substitutions, max_rows, dataset, base_iri, deadline, timeout, formats)
        try:
            message = await lease.receive_async()
        finally:
            lease.close()
        if message[0] == "boolean":
            return "boolean", message[1], False
        if message[0] == "unacceptable":
            return message[1], None, False
        return message[1], message[2], message[3]

    def _wait_idle(self, timeout: float) -> _Worker:
        try:
            return self._idle.get(timeout=timeout or None)
        except queue.Empty:
            raise self._all_busy(timeout) from None

    async def _wait_idle_async(self, deadline: float | None, timeout: float) -> _Worker:
        """An idle worker, waited for on the running event loop until `deadline`. A waiter puts a
        future in line, then looks again (a worker given back in between is not missed); a worker
        given back wakes the first future in line, whose owner then takes it if no one was quicker
        (else it goes back to the head of the line). A waiter that times out or is cancelled leaves
        the line, and passes on a wake-up it got but did not use."""
        loop = asyncio.get_running_loop()
        first = True
        while True:
            with contextlib.suppress(queue.Empty):
                return self._idle.get_nowait()
            woken: asyncio.Future[None] = loop.create_future()
            waiter = (loop, woken)
            with self._waiters_lock:
                if first:
                    self._waiters.append(waiter)
                else:  # woken, but someone was quicker: first in line again
                    self._waiters.appendleft(waiter)
            first = False
            with contextlib.suppress(queue.Empty):
                worker = self._idle.get_nowait()
                self._leave_line(waiter)
                return worker
            try:
                await asyncio.wait_for(woken, _left(deadline))
            except BaseException as err:  # timed out, or the request was cancelled
                self._leave_line(waiter)
                if woken.done() and not woken.cancelled():
                    self._wake_one()  # woken, but not going to take the worker: the next in line may
                if isinstance(err, TimeoutError):
                    raise self._all_busy(timeout) from None
                raise

    def _leave_line(self, waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]) -> None:
        with self._waiters_lock, contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    def _wake_one(self) -> None:
        """Wake the first waiter in line on an event loop (from any thread): a worker is idle."""
        while True:
            with self._waiters_lock:
                if not self._waiters:
                    return
                loop, woken = self._waiters.popleft()
            try:
                loop.call_soon_threadsafe(self._deliver, woken)
                return
            except RuntimeError:  # its loop has closed: nobody waits there any more
                continue

    def _deliver(self, woken: asyncio.Future[None]) -> None:
        """On the waiter's loop: wake it, or, if it has stopped waiting meanwhile, the next in line."""
        if woken.done():
            self._wake_one()
        else:
            woken.set_result(None)

    def _all_busy(self, timeout: float) -> QueryTimeout:
        return QueryTimeout(
            f"all {self.size} query workers stayed busy for the time limit of {timeout:g} s — try again later"
        )

    def _put_idle(self, worker: _Worker) -> None:
        self._idle.put(worker)  # wakes a thread waiting in `_wait_idle`, if any
        self._wake_one()

    def _lease(
        self,
        worker: _Worker,
        text: str,
        substitutions: dict | None,
        max_rows: int,
        dataset: tuple[list[str], list[str]] | None,
        base_iri: str | None,
        deadline: float | None,
        timeout: float,
        formats: dict[str, str | None] | None = None,
    ) -> _Lease:
        """Ask `worker` the query; a worker found dead is replaced and the next one asked."""
        for attempt in range(self.size + 1):
            try:
                if worker.ended():
                    raise ConnectionResetError
                worker.ask(text, substitutions, max_rows, dataset, base_iri, formats)
                break
            except OSError:  # the worker ended while it waited (killed from outside): the next one asks
                self._give_back(worker, healthy=False)
                if self.once or attempt == self.size:
                    raise Her2kgError("the query workers ended before they were asked (out of memory?)") from None
                worker = self._idle.get()
        return _Lease(self, worker, text, deadline, timeout)

    def _give_back(self, worker: _Worker, healthy: bool) -> None:
        if healthy and not self.closed and not self.once:
            self._put_idle(worker)
            return
        worker.kill()
        if not self.once and not self.closed and os.getpid() == self.parent:
            self.replaced += 1
            self._put_idle(self._spawn())

    def close(self) -> None:
        """Stop every idle worker (and the fork server); a worker in use stops when given back."""
        if self.closed or os.getpid() != self.parent:
            return  # a worker inherits this object: only the process that made the pool may end it
        self.closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                break
        if self._forkserver is not None:
            self._forkserver.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Lease:
    """One query's hold on a worker: reads its messages, and gives the worker back once."""

    def __init__(self, pool: WorkerPool, worker: _Worker, text: str, deadline: float | None, timeout: float):
        self.pool, self.worker, self.text = pool, worker, text
        self.deadline, self.timeout = deadline, timeout
        self.healthy = False  # the worker is waiting for its next request
        self.done = False

    def receive(self) -> tuple:
        return self._check(self.worker.receive(self.deadline, self.timeout))

    async def receive_async(self) -> tuple:
        return self._check(await self.worker.receive_async(self.deadline, self.timeout))

    def _check(self, message: tuple) -> tuple:
        """The message, or the error it reports (the worker then waits for its next query)."""
        if message[0] in ("syntax", "failed", "boolean", "end", "body", "unacceptable"):
            self.healthy = True
        if message[0] == "syntax":
            self.close()
            raise QueryError(f"not a SPARQL query: {syntax_message(self.text, message[1])}")
        if message[0] == "failed":
            self.close()
            raise Her2kgError(f"the query failed: {message[1]}")
        return message

    def rows(self, results: Results) -> Iterator[Row]:
        try:
            while True:
                message = self.receive()
                if message[0] == "end":
                    results.truncated, results.worker_peak_kib = message[1], message[2]
                    return
                for row in message[1]:
                    yield tuple(decode(value) for value in row)
        finally:
            self.close()

    def close(self) -> None:
        """Give the worker back: reused if it finished its answer, else killed and replaced."""
        if not self.done:
            self.done = True
            self.pool._give_back(self.worker, self.healthy)


__all__ = ["WorkerPool", "decode", "encode"]
