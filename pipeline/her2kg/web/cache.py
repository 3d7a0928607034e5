"""Answers already written, kept for the next client that asks the same.

The release is immutable while it is served, so an answer depends only on what the request asked:
at /sparql the query text, the dataset (default-graph-uri, named-graph-uri), the base IRI, the
format chosen for each kind of answer, and the row cap; at /api/queries/NAME the query's name, the
parameters as given (bound the same way every time), the formats and the row cap. `AnswerCache`
keeps the most recently used answers under those keys, bounded by the bytes they hold (bodies and
the texts in the keys); an answer larger than an eighth of the bound is not kept. A server in front of an external endpoint (whose data may change)
keeps none. Errors, time-outs and refusals are never kept: each is decided again.

Used only from the event loop (one thread), so it needs no lock.

A request asked again byte for byte (a dashboard, a client that polls, wrk) need not be decoded
again to find its key: `remember` notes which key a GET request's raw parts (`RawRequest`: the
path, the query string, the headers the answer depends on, the row cap) led to, and `answer_for`
finds the answer from those parts alone (web.app.QueryFastPath answers it before any routing).
That index holds only keys, within a quarter of the bound (emptied when full), and a key whose
answer has left the cache is a miss there, decided again by the route.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

ENTRY_OVERHEAD = 200  # bytes counted per entry beside its body and query text: the key, the tuple
# /sparql:            (query text, dataset, base IRI, solutions format, graph format, row cap)
# /api/queries/NAME:  ("/api/queries/NAME", ((parameter, value), …), None, solutions format, graph format, row cap)
# (a /sparql key always has a base IRI, so the two never meet)
Key = tuple[str, tuple | None, str | None, str | None, str | None, int]
Answer = tuple[bytes, str, bool]  # body, media type, truncated
# (path, query string, Host, Accept, scheme, server address, root path, row cap): web.app.raw_request
RawRequest = tuple


@dataclass
class AnswerCache:
    max_bytes: int
    size: int = 0  # bytes held
    hits: int = 0
    misses: int = 0

    def __post_init__(self) -> None:
        self._entries: OrderedDict[Key, Answer] = OrderedDict()
        self._requests: dict[RawRequest, tuple[Key, str]] = {}  # raw request → (key, query hash)
        self._requests_size = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key) -> Answer | None:
        answer = self._entries.get(key)
        if answer is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return answer

    def put(self, key: Key, answer: Answer) -> None:
        cost = _cost(key, answer)
        if cost > self.max_bytes // 8 or key in self._entries:
            return
        while self._entries and self.size + cost > self.max_bytes:
            old_key, old = self._entries.popitem(last=False)
            self.size -= _cost(old_key, old)
        self._entries[key] = answer
        self.size += cost

    def remember(self, request: RawRequest, key: Key, query_hash: str) -> None:
        """Note that the GET request `request` asks for the answer under `key` (about `query_hash`)."""
        cost = len(request[1]) + _text_size(key) + ENTRY_OVERHEAD
        if request in self._requests or cost > self.max_bytes // 8:
            return
        if self._requests_size + cost > self.max_bytes // 4:
            self._requests.clear()
            self._requests_size = 0
        self._requests[request] = (key, query_hash)
        self._requests_size += cost

    def answer_for(self, request: RawRequest) -> tuple[Answer, str] | None:
        """The answer (and query hash) a remembered request led to, if the cache still holds it (a
        hit); None otherwise, counted as nothing: the route then looks the key up itself."""
        found = self._requests.get(request)
        if found is None or found[0] not in self._entries:
            return None
        answer = self.get(found[0])
        assert answer is not None
        return answer, found[1]

    def stats(self) -> dict:
        return {
            "max_bytes": self.max_bytes,
            "bytes": self.size,
            "entries": len(self),
            "hits": self.hits,
            "misses": self.misses,
        }


def _cost(key: Key, answer: Answer) -> int:
    return len(answer[0]) + _text_size(key) + ENTRY_OVERHEAD


def _text_size(part: object) -> int:
    """The characters of the texts in a key (a query text, parameter values), however nested."""
    if isinstance(part, str):
        return len(part)
    if isinstance(part, tuple):
        return sum(_text_size(item) for item in part)
    return 0
