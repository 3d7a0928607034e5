"""The SPARQL runner: a read-only guard, the project's prefixes, a deadline and a row cap.

pyoxigraph has no query timeout and no cancellation, and while it evaluates a query the Python
thread does not see signals, so Ctrl-C would wait for the query to end. A query therefore runs in
a worker process forked after the store is loaded (the store is shared copy-on-write, nothing is
copied or reloaded). The worker streams rows back over a pipe in small batches; the parent waits
on the pipe with the time left before the deadline, and on the deadline, on Ctrl-C, or when the
reader stops early, SIGKILLs the worker. The worker applies the row cap itself, so neither side
ever holds more than a batch of rows, and it reports whether rows were left out (`truncated`),
as Datasette does with `sql_time_limit_ms` and `max_returned_rows`.

A worker is forked per query (about 5 ms on the shipped release, against 0.05 ms for a label
lookup in-process) and dies with its parent. `execute` is the one entry point; a web server uses
it the same way as the command line, from the thread that loaded the store (a forked child
inherits only the forking thread); one that needs the per-query cost gone would keep a pool of
forked workers speaking the same messages.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import re
import select
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Self
from typing import Literal as TypingLiteral

import pyoxigraph

from .errors import ForbiddenQueryError, Her2kgError, QueryError, QueryTimeout
from .namespaces import PREFIXES
from .schema import KIND_PREFIXES

DEFAULT_TIMEOUT = 10.0  # seconds; the endpoint's default too, so a query answers alike in both
DEFAULT_MAX_ROWS = 10_000
BATCH_ROWS = 256  # rows per message from the worker: few messages, little memory
BATCH_SECONDS = 0.05  # a slow query's first rows are sent without waiting for a full batch

# The prefixes every query may use without declaring them, as in the Turtle release; a query's
# own PREFIX wins (pyoxigraph resolves `prefixes` after the query's prologue).
QUERY_PREFIXES: dict[str, str] = {**{p: str(ns) for p, ns in PREFIXES.items()}, **KIND_PREFIXES}

Kind = TypingLiteral["solutions", "boolean", "graph"]
Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple
Row = tuple[Term | None, ...]

# --- the read-only guard ------------------------------------------------------------------------

# The lexical tokens that can hide a keyword: comments, strings, IRIs, variables, prefixed names and
# blank-node labels. What is left are bare words, and in SPARQL a bare word is a keyword (or `a`,
# `true`, `false`), so looking at them is enough to refuse updates and outbound requests without a
# parser. pyoxigraph exposes no parse tree, and rdflib's parser is slow and reads a different grammar.
_TOKEN = re.compile(r'''
    (?P<skip>\#[^\n]*                                     # comment
      | """(?:[^"\\]|\\.|"(?!""))*""" | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'   # long strings
      | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'        # strings
      | <[^<>"{}|^`\\\x00-\x20]*>                         # IRI
      | [?$]\w+                                           # variable
      | _:[\w.-]*                                         # blank node label
      | [\w.-]*:[\w.:%\\-]*)                              # prefixed name
    | (?P<word>[A-Za-z]+)''', re.VERBOSE)
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
REMOTE_WORDS = {"SERVICE": "SERVICE is refused: queries never reach out to other endpoints",
                "FROM": "FROM and FROM NAMED are refused: the query runs on the her2kg graph only"}


def keywords(text: str) -> set[str]:
    """The bare words of a query, upper-cased (its keywords)."""
    return {m["word"].upper() for m in _TOKEN.finditer(text) if m["word"]}


def check_read_only(text: str) -> None:
    """Refuse what a read-only, local endpoint must not run, before any engine sees it: updates
    (ForbiddenQueryError), and SERVICE, FROM / FROM NAMED, which engines may follow by fetching
    an IRI (QueryError)."""
    words = keywords(text)
    updates = sorted(words & UPDATE_WORDS)
    if updates:
        raise ForbiddenQueryError(f"updates ({', '.join(updates)}) are refused: the store is read-only")
    for word, refusal in REMOTE_WORDS.items():
        if word in words:
            raise QueryError(refusal)


# --- syntax errors as one line ------------------------------------------------------------------

_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_EXPECTED = re.compile(r"expected (?:one of )?(.*)", re.DOTALL)


QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
BUILT_INS = {"STR", "ABS", "STRSTARTS", "isLITERAL", "PREDICATE"}  # one of them listed: an expression may come


def _expected(detail: str) -> str:
    """pyoxigraph's list of what could come, in words: keywords as they are, character classes
    named (a term, a number), a list of built-in functions as 'an expression'."""
    expected = _EXPECTED.match(detail)
    options = [o.strip() for o in expected[1].split(", ")] if expected else []
    if any(o.startswith(('"\\', '"\\"')) for o in options):
        return "unterminated string"
    if BUILT_INS & set(options):
        return "expected an expression"
    words: list[str] = []
    for option in options:
        if option.startswith("[") and option not in ("[_]", "['0'..='9']"):
            continue
        name = {"[_]": "a term", "['0'..='9']": "a number"}.get(option, option)
        if re.fullmatch(r"[A-Z]+|a term|a number|'.'", name) and name not in words:
            words.append(name)
    if not words or len(words) > 8:
        return "unexpected text"
    return "expected " + (", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0])



def syntax_message(text: str, error: str) -> str:
    """pyoxigraph's parser error as `line 3, column 12: expected … near '…'`: the position, what
    could come there when that is a short list of words, and the text found there."""
    match = _POSITION.match(error.strip())
    if not match:
        return " ".join(error.split())
    line, column, detail = int(match[1]), int(match[2]), match[3]
    lines = text.splitlines() or [""]
    before = "\n".join(lines[:line - 1] + [lines[line - 1][:column - 1] if line <= len(lines) else ""])
    rest = text[len(before):].split()
    near = f"'{rest[0][:30]}'" if rest else "the end of the query"
    if not keywords(text) & QUERY_FORMS:
        return "line 1, column 1: a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE (after its PREFIXes)"
    if "Prefix not found" in detail:
        names = re.findall(r"(?<![\w<?$])([A-Za-z][\w.-]*)?:(?=[\w])", before)
        prefix = names[-1] if names else ""
        return (f"line {line}, column {column}: undeclared prefix '{prefix}:' — declare it with PREFIX "
                f"or write the full <IRI>")
    what = _expected(detail)
    return f"line {line}, column {column}: {what} near {near}"


# --- results ------------------------------------------------------------------------------------

@dataclass
class Results:
    """What a query answers, read once: `kind` says which of `variables`/rows (solutions), `boolean`
    (ASK) or triples (CONSTRUCT, DESCRIBE) it holds. Rows arrive while the query runs; `truncated`
    is known once they are all read. Use as a context manager, or call `close`, to stop early."""

    kind: Kind
    variables: tuple[str, ...] = ()
    boolean: bool | None = None
    truncated: bool = False
    worker_peak_kib: int | None = None  # the worker's peak resident memory, once it has ended
    max_rows: int = 0
    _rows: Iterator[Row] = field(default_factory=lambda: iter(()))
    _close: Callable[[], None] | None = None

    def __iter__(self) -> Iterator[Row]:
        return self._rows

    def mappings(self) -> Iterator[dict[str, Term | None]]:
        """The rows as {variable: term}, for readers who name columns rather than count them."""
        for row in self._rows:
            yield dict(zip(self.variables, row, strict=True))

    def close(self) -> None:
        if self._close is not None:
            self._close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- the worker ---------------------------------------------------------------------------------

# Terms cross the pipe as plain tuples: pickling pyoxigraph terms costs ~25 µs a row, plain
# strings a tenth of that. A quoted triple (rare) is pickled as it is.
def _encode(term: Term | None) -> object:
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    if isinstance(term, pyoxigraph.Literal):
        return (term.value, term.language, term.datatype.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return ("_", term.value)
    return term


def _decode(value: object) -> Term | None:
    if isinstance(value, str):
        return pyoxigraph.NamedNode(value)
    if isinstance(value, tuple):
        if len(value) == 2:
            return pyoxigraph.BlankNode(value[1])
        text, language, datatype = value
        return pyoxigraph.Literal(text, language=language) if language else \
            pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(datatype))
    return value  # type: ignore[return-value]  # None, or a pickled quoted triple


def _serve(store: pyoxigraph.Store, text: str, substitutions: dict | None, max_rows: int, out: BinaryIO) -> None:
    """In the worker: run the query and send ("head", kind, variables), ("rows", [...])…, ("end", truncated)."""
    def send(message: tuple) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(4, "big") + data)
        out.flush()

    try:
        answer = store.query(text, prefixes=QUERY_PREFIXES, substitutions=substitutions)
        if isinstance(answer, pyoxigraph.QueryBoolean):
            send(("boolean", bool(answer)))
            return
        if isinstance(answer, pyoxigraph.QuerySolutions):
            variables = [v.value for v in answer.variables]
            send(("head", "solutions", tuple(variables)))
            rows: Iterator[tuple] = (tuple(_encode(solution[v]) for v in variables) for solution in answer)
        else:
            send(("head", "graph", ("subject", "predicate", "object")))
            rows = ((_encode(t.subject), _encode(t.predicate), _encode(t.object)) for t in answer)
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
            send(("rows", batch))
        send(("end", truncated))
    except SyntaxError as err:
        send(("syntax", str(err)))
    except BrokenPipeError:
        pass  # the parent stopped reading: nothing to tell
    except Exception as err:  # noqa: BLE001 — anything else the engine raises is reported, not a traceback
        send(("failed", f"{type(err).__name__}: {err}"))


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the thread that forked it ends (PR_SET_PDEATHSIG), so
    a parent killed by SIGTERM or SIGKILL leaves no runaway query behind. Elsewhere a no-op."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class _Worker:
    """One forked worker and the parent's end of its pipe (length-prefixed pickles)."""

    def __init__(self, store: pyoxigraph.Store, text: str, substitutions: dict | None, max_rows: int,
                 timeout: float):
        self.deadline = time.monotonic() + timeout if timeout else None
        self.timeout, self.text, self.stopped = timeout, text, False
        self.inbox, outbox = os.pipe()
        self.parent, self.peak_kib = os.getpid(), 0
        self.pid = os.fork()
        if self.pid == 0:  # the worker: never returns into the caller's code
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it kills us on Ctrl-C
                _die_with_parent()
                os.close(self.inbox)
                with os.fdopen(outbox, "wb") as out:
                    _serve(store, text, substitutions, max_rows, out)
                code = 0
            finally:
                os._exit(code)
        os.close(outbox)  # only the worker writes: the parent sees EOF when it exits

    def _read(self, size: int) -> bytes:
        """Exactly `size` bytes from the worker, waiting no later than the deadline."""
        data = b""
        while len(data) < size:
            wait = None if self.deadline is None else max(self.deadline - time.monotonic(), 0)
            if not select.select([self.inbox], [], [], wait)[0]:
                raise QueryTimeout(f"the query ran past its time limit of {self.timeout:g} s and was stopped "
                                   f"— narrow it (LIMIT, a more selective pattern) or raise --timeout")
            chunk = os.read(self.inbox, size - len(data))
            if not chunk:
                raise Her2kgError("the query worker ended without an answer (out of memory?)")
            data += chunk
        return data

    def receive(self) -> tuple:
        try:
            message = pickle.loads(self._read(int.from_bytes(self._read(4), "big")))
        except BaseException:  # a timeout, or Ctrl-C (KeyboardInterrupt): stop the query at once
            self.stop()
            raise
        if message[0] == "syntax":
            self.stop()
            raise QueryError(f"not a SPARQL query: {syntax_message(self.text, message[1])}")
        if message[0] == "failed":
            self.stop()
            raise Her2kgError(f"the query failed: {message[1]}")
        return message

    def rows(self, results: Results) -> Iterator[Row]:
        try:
            while True:
                message = self.receive()
                if message[0] == "end":
                    results.truncated = message[1]
                    return
                for row in message[1]:
                    yield tuple(_decode(value) for value in row)
        finally:
            self.stop()
            results.worker_peak_kib = self.peak_kib

    def stop(self) -> None:
        """Kill the worker if it still runs, reap it and close the pipe; once."""
        if self.stopped or os.getpid() != self.parent:
            return  # a later worker inherits this object: only the process that forked it may stop it
        self.stopped = True
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.peak_kib = os.wait4(self.pid, 0)[2].ru_maxrss
        os.close(self.inbox)


def execute(store: pyoxigraph.Store, text: str, *, substitutions: dict | None = None,
            timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS) -> Results:
    """Run a read-only query on `store` in a worker process; 0 means no time limit / no row cap.

    Raises ForbiddenQueryError (an update), QueryError (SERVICE, FROM, a syntax error) and
    QueryTimeout (past `timeout` seconds, at the start or while rows are read)."""
    check_read_only(text)
    worker = _Worker(store, text, substitutions, max_rows, timeout)
    head = worker.receive()
    if head[0] == "boolean":
        worker.stop()
        return Results("boolean", boolean=head[1])
    results = Results(head[1], variables=head[2], max_rows=max_rows, _close=worker.stop)
    results._rows = worker.rows(results)
    return results


__all__ = ["DEFAULT_MAX_ROWS", "DEFAULT_TIMEOUT", "QUERY_PREFIXES", "Results", "Row", "Term", "check_read_only",
           "execute", "keywords", "syntax_message"]
