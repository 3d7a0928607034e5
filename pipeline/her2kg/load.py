"""Loading a release into a triple store over HTTP, and checking what the store then holds.

Two protocols: the SPARQL 1.1 Graph Store HTTP Protocol (PUT or POST N-Triples to `?graph=IRI`) and,
for stores without it, SPARQL 1.1 Update (`INSERT DATA`). The release's N-Triples go in chunks of
whole lines, so a large release never sits in one request and a progress callback can follow it.
Blank nodes are local to one request — the same label in two requests names two nodes — so every
line that mentions a blank node (the ontology's OWL lists) travels in the first chunk.

With `replace`, the first request replaces the graph (GSP PUT, or DROP and INSERT in one update)
and the others add to it, so a reload never duplicates a triple. Every load ends by counting the
graph's triples in the store; a count other than the release's is a `StoreError`, as is any
refusal, which quotes what the store answered.

Credentials come from the environment (HER2KG_STORE_USER, HER2KG_STORE_PASSWORD) or from the
netrc file (NETRC, else ~/.netrc) entry of the store's host; never from the command line, where
other users of the machine could read them. Basic and Digest authentication are both answered.
"""

from __future__ import annotations

import json
import netrc
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import StoreError, UsageError
from .formats import release_graph
from .release import Release

PROTOCOLS = ("gsp", "update")
CHUNK_BYTES = {"gsp": 4_000_000, "update": 500_000}  # SPARQL Update text is compiled whole: keep it small
# With a login, every request is first sent without it (urllib answers a challenge, it never guesses one), and a
# store may answer 401 and close the connection before reading a large body (Virtuoso's Digest endpoints do):
# a small chunk is read whole, so the retry with the login happens.
LOGIN_CHUNK_BYTES = 60_000
TIMEOUT = 600  # seconds for one request


@dataclass(frozen=True)
class LoadResult:
    into: str
    graph: str
    expected: int  # triples in the release
    found: int  # triples the store holds in the graph after the load
    requests: int
    sent_bytes: int

    @property
    def matches(self) -> bool:
        return self.expected == self.found


def credentials(url: str) -> tuple[str, str] | None:
    """(user, password) for `url`: the environment first, then the netrc entry of its host."""
    user, password = os.environ.get("HER2KG_STORE_USER"), os.environ.get("HER2KG_STORE_PASSWORD")
    if user is not None and password is not None:
        return user, password
    file = os.environ.get("NETRC") or str(Path.home() / ".netrc")
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        entry = netrc.netrc(file).authenticators(host)
    except FileNotFoundError:
        return None
    except netrc.NetrcParseError as err:
        raise UsageError(
            f"{err.filename}:{err.lineno}: not a netrc file ({err.msg}) — fix it, or set "
            "HER2KG_STORE_USER and HER2KG_STORE_PASSWORD"
        ) from None
    if entry is None:
        return None
    login, _account, secret = entry
    return login or "", secret or ""


def _opener(url: str) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    found = credentials(url)
    if found is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, *found)
        handlers += [urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)]
    return urllib.request.build_opener(*handlers)


def chunks(lines: list[str], size: int) -> Iterator[str]:
    """Whole N-Triples lines in chunks of about `size` bytes; every line with a blank node in the first."""
    blank = [line for line in lines if "_:" in line]  # a "_:" inside a literal only moves that line forward
    rest = [line for line in lines if "_:" not in line]
    chunk: list[str] = blank
    length = sum(len(line) + 1 for line in chunk)
    for line in rest:
        if chunk and length + len(line) + 1 > size:
            yield "\n".join(chunk) + "\n"
            chunk, length = [], 0
        chunk.append(line)
        length += len(line) + 1
    if chunk:
        yield "\n".join(chunk) + "\n"


def _with_graph(url: str, graph: str) -> str:
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode({"graph": graph})


def _send(opener: urllib.request.OpenerDirector, request: urllib.request.Request) -> bytes:
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return response.read()
    except urllib.error.HTTPError as err:
        answer = err.read().decode("utf-8", "replace").strip()[:1000]
        raise StoreError(
            f"{request.full_url}: the store answered {err.code} {err.reason} to {request.get_method()}"
            f"{': ' + answer if answer else ''} — check the URL, the protocol (--protocol) and that "
            "the user may write (HER2KG_STORE_USER/HER2KG_STORE_PASSWORD or netrc)"
        ) from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise StoreError(
            f"{request.full_url}: cannot reach the store ({reason}) — check the URL and that the store is running"
        ) from None


def _request(into: str, graph: str, protocol: str, chunk: str, *, replace: bool, first: bool) -> urllib.request.Request:
    if protocol == "gsp":
        method = "PUT" if first and replace else "POST"
        return urllib.request.Request(
            _with_graph(into, graph),
            data=chunk.encode("utf-8"),
            method=method,
            headers={"Content-Type": "application/n-triples"},
        )
    update = f"INSERT DATA {{ GRAPH <{graph}> {{\n{chunk}}} }}"
    if first and replace:
        update = f"DROP SILENT GRAPH <{graph}> ;\n{update}"
    form = urllib.parse.urlencode({"update": update}).encode("utf-8")
    return urllib.request.Request(
        into, data=form, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )


def count(into: str, graph: str, protocol: str = "gsp", sparql: str | None = None) -> int:
    """The triples of `graph` in the store: a COUNT on the SPARQL endpoint (`sparql`, else `into` for the
    update protocol), or for GSP without one, the graph read back and its lines counted."""
    endpoint = sparql or (into if protocol == "update" else None)
    if endpoint is None:
        request = urllib.request.Request(_with_graph(into, graph), headers={"Accept": "application/n-triples"})
        text = _send(_opener(into), request).decode("utf-8")
        return sum(1 for line in text.splitlines() if line.strip() and not line.startswith("#"))
    query = f"SELECT (COUNT(*) AS ?triples) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode({"query": query}).encode("utf-8"),
        headers={"Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"},
    )
    body = _send(_opener(endpoint), request)
    try:
        return int(json.loads(body)["results"]["bindings"][0]["triples"]["value"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise StoreError(
            f"{endpoint}: the store's answer to a COUNT is not SPARQL JSON results: "
            f"{body[:300]!r} — check that --sparql is the store's SPARQL query endpoint"
        ) from None


def load(
    into: str,
    release_dir: Path | str = "dist",
    *,
    graph: str | None = None,
    replace: bool = False,
    protocol: str = "gsp",
    sparql: str | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_bytes: int | None = None,
) -> LoadResult:
    """Push the release's N-Triples into the named graph `graph` (default: the release's versioned graph) of the
    store at `into`, then count the graph's triples there; StoreError if the store refuses or the count differs.

    `into` is the Graph Store Protocol endpoint (`protocol="gsp"`) or the SPARQL Update endpoint
    (`protocol="update"`); `sparql`, the store's query endpoint for the closing count. `progress`
    is called with the bytes of each chunk sent.
    """
    if protocol not in PROTOCOLS:
        raise UsageError(f"--protocol {protocol}: unknown — use one of {', '.join(PROTOCOLS)}")
    if urllib.parse.urlsplit(into).scheme not in ("http", "https"):
        raise UsageError(
            f"--into {into}: not an http(s) URL — give the store's Graph Store Protocol or SPARQL "
            "Update endpoint, such as http://localhost:7878/store"
        )
    release = Release(release_dir)
    report = release.verify()
    graph = graph or release_graph(str(report["version"]))
    lines = release.graph_nt.read_text(encoding="utf-8").splitlines()
    opener = _opener(into)
    size = chunk_bytes or (LOGIN_CHUNK_BYTES if credentials(into) else CHUNK_BYTES[protocol])
    requests = sent = 0
    for chunk in chunks(lines, size):
        _send(opener, _request(into, graph, protocol, chunk, replace=replace, first=requests == 0))
        requests += 1
        sent += len(chunk.encode("utf-8"))
        if progress is not None:
            progress(len(chunk.encode("utf-8")))
    result = LoadResult(into, graph, report["triples"], count(into, graph, protocol, sparql), requests, sent)
    if not result.matches:
        hint = (
            "the graph held triples before: reload with --replace"
            if result.found > result.expected
            else "the store dropped triples: read its log"
        )
        raise StoreError(
            f"{into}: the graph <{graph}> holds {result.found} triples after the load, the release "
            f"{result.expected} — {hint}"
        )
    return result
