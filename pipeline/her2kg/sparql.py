"""The SPARQL runner: a read-only guard, the project's prefixes, a deadline and a row cap.

pyoxigraph has no query timeout and no cancellation, so a query runs in a worker process that
can be killed at its deadline (workers.WorkerPool: the store shared copy-on-write, rows streamed
back in small batches, the row cap applied in the worker, which reports whether rows were left
out (`truncated`), as Datasette does with `sql_time_limit_ms` and `max_returned_rows`).

`execute` forks one worker for one query (about 5 ms on the shipped release), which suits the
command line; the server keeps a pool of workers forked in advance and calls the same code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral
from typing import Self

import pyoxigraph

from .errors import ForbiddenQueryError, QueryError
from .namespaces import PREFIXES
from .schema import KIND_PREFIXES

DEFAULT_TIMEOUT = 10.0  # seconds; the endpoint's default too, so a query answers alike in both
DEFAULT_MAX_ROWS = 10_000

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
_TOKEN = re.compile(
    r'''
    (?P<skip>\#[^\n]*                                     # comment
      | """(?:[^"\\]|\\.|"(?!""))*""" | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'   # long strings
      | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'        # strings
      | <[^<>"{}|^`\\\x00-\x20]*>                         # IRI
      | [?$]\w+                                           # variable
      | _:[\w.-]*                                         # blank node label
      | [\w.-]*:[\w.:%\\-]*)                              # prefixed name
    | (?P<word>[A-Za-z]+)''',
    re.VERBOSE,
)
UPDATE_WORDS = {"INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
REMOTE_WORDS = {
    "LOAD": "LOAD is refused: the store is read-only and never fetches remote data",
    "SERVICE": "SERVICE is refused: queries never reach out to other endpoints",
    "FROM": "FROM and FROM NAMED are refused: the query runs on the her2kg graph only",
}


# pyoxigraph's parser is recursive: a few thousand nested brackets overflow its stack and end the
# process (a query worker), so deeper nesting is refused before it parses. Real queries nest a few
# levels; 200 leaves room for generated ones.
MAX_NESTING = 200
_BRACKET = re.compile(r"[(){}\[\]]")


def nesting(text: str) -> int:
    """How deep the query's brackets ( { [ nest, outside strings, IRIs and comments."""
    if sum(text.count(b) for b in "({[") <= MAX_NESTING:  # the common case, at C speed
        return 0
    depth = deepest = 0
    for bracket in _BRACKET.findall(_TOKEN.sub(" ", text)):
        depth += 1 if bracket in "({[" else -1
        deepest = max(deepest, depth)
    return deepest


# A refused keyword is also a plain substring of the upper-cased text: where none of them occurs at
# all (most queries), the guard is decided without tokenising, which takes ~0.1 ms on a 3 KB query.
REFUSED_WORDS = [word.encode("ascii") for word in sorted(UPDATE_WORDS | REMOTE_WORDS.keys())]


def keywords(text: str) -> set[str]:
    """The bare words of a query, upper-cased (its keywords)."""
    return {m["word"].upper() for m in _TOKEN.finditer(text) if m["word"]}


def check_read_only(text: str) -> None:
    """Refuse what a read-only, local endpoint must not run, before any engine sees it: updates
    (ForbiddenQueryError), and LOAD, SERVICE, FROM / FROM NAMED, which engines may follow by
    fetching an IRI (QueryError: the SPARQL Protocol's 400, not the 403 of an update), and
    brackets nested deeper than the parser can take (QueryError)."""
    depth = nesting(text)
    if depth > MAX_NESTING:
        raise QueryError(
            f"the query nests {depth} levels of brackets deep, over the limit of {MAX_NESTING} — flatten it"
        )
    upper = text.encode("utf-8", "surrogatepass").upper()  # bytes.upper() changes ASCII letters only
    if not any(word in upper for word in REFUSED_WORDS):
        return  # none of the words occurs anywhere, so none is a keyword: no need to tokenise
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
    before = "\n".join(lines[: line - 1] + [lines[line - 1][: column - 1] if line <= len(lines) else ""])
    rest = text[len(before) :].split()
    near = f"'{rest[0][:30]}'" if rest else "the end of the query"
    if not keywords(text) & QUERY_FORMS:
        return "line 1, column 1: a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE (after its PREFIXes)"
    if "Prefix not found" in detail:
        names = re.findall(r"(?<![\w<?$])([A-Za-z][\w.-]*)?:(?=[\w])", before)
        prefix = names[-1] if names else ""
        return (
            f"line {line}, column {column}: undeclared prefix '{prefix}:' — declare it with PREFIX "
            f"or write the full <IRI>"
        )
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
    size: int | None = None  # how many rows, when they were read in full before the answer was returned
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


# --- parameters as a VALUES block ----------------------------------------------------------------

# Words before the WHERE group's brace that mean the first `{` is not it (a CONSTRUCT template, a
# DESCRIBE's WHERE, an EXISTS in a projected expression): the values are then left as substitutions.
_NOT_THE_WHERE_BRACE = {"CONSTRUCT", "DESCRIBE", "EXISTS"}


def with_values(text: str, substitutions: dict | None) -> tuple[str, dict | None]:
    """The query with its substitutions written in as a VALUES block that opens the WHERE group,
    and the substitutions left to pass to pyoxigraph (none, or all when they cannot be written in).

    pyoxigraph plans a query before it looks at substituted values, so a query about one drug was
    planned and run as if about every drug and filtered at the end (0.3–1 s on the graph of 100,000
    claims); written as a one-row VALUES block, the bound value is where the plan starts (1–5 ms). The
    terms are written in N-Triples form, so a value stays one term whatever it contains. Blank nodes
    and triple terms are not written in (a blank node in VALUES would be a new one)."""
    if not substitutions or not all(
        isinstance(term, pyoxigraph.NamedNode | pyoxigraph.Literal) for term in substitutions.values()
    ):
        return text, substitutions
    masked = _TOKEN.sub(lambda m: " " * len(m[0]) if m["skip"] else m[0], text)  # same length, no strings
    at = masked.find("{")
    if at < 0 or keywords(masked[:at]) & _NOT_THE_WHERE_BRACE:
        return text, substitutions
    variables = " ".join(str(variable) for variable in substitutions)
    row = " ".join(str(term) for term in substitutions.values())
    return f"{text[: at + 1]} VALUES ({variables}) {{ ({row}) }}{text[at + 1 :]}", None


def execute(
    store: pyoxigraph.Store,
    text: str,
    *,
    substitutions: dict | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Results:
    """Run a read-only query on `store` in a worker process forked for it (see workers.WorkerPool,
    which a server keeps instead); 0 means no time limit / no row cap.

    Raises ForbiddenQueryError (an update), QueryError (SERVICE, FROM, LOAD, a syntax error) and
    QueryTimeout (past `timeout` seconds, at the start or while rows are read)."""
    from .workers import WorkerPool  # the pool builds on this module's guard and Results

    check_read_only(text)
    pool = WorkerPool(store, size=1, once=True)
    try:
        results = pool.execute(text, substitutions=substitutions, timeout=timeout, max_rows=max_rows)
    except BaseException:
        pool.close()
        raise
    if results.kind == "boolean":
        pool.close()
        return results
    stop = results._close

    def close() -> None:
        if stop is not None:
            stop()
        pool.close()

    results._close = close
    return results


__all__ = [
    "DEFAULT_MAX_ROWS",
    "DEFAULT_TIMEOUT",
    "QUERY_PREFIXES",
    "Results",
    "Row",
    "Term",
    "check_read_only",
    "execute",
    "keywords",
    "syntax_message",
]
