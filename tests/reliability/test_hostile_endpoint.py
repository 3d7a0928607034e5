"""The endpoint under hostile input, as a specification: a real `her2kg serve` on 127.0.0.1 (2 workers,
a 2 s time limit) answers every hostile request with the right 4xx, or 503 at the time limit, with a
message and never a traceback; it never connects out (a listener on a free local port, which the
hostile IRIs name, must receive nothing); the graph is unchanged afterwards; and a second client doing
label lookups all along keeps its normal latency.

Each file in tests/reliability/hostile/ is one hostile request: either `query:` with `via:` (the ways
it is sent: get, form, direct, get-update, form-update, update) or a raw `request:` (method, path as
sent, byte for byte, headers, body), then the `status` expected (or a list of acceptable ones) and
fragments the answer `contains`. In any string, <<listener>> is the listener's http://127.0.0.1:PORT
and <<N*TEXT>> is TEXT repeated N times (huge inputs stay short files).
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import httpx
import pytest

from reliability import SecondClient, percentile, summary, write_report
from serving import connected, listener, load_case, serve

pytestmark = pytest.mark.slow

CASES = sorted((Path(__file__).parent / "hostile").glob("*.yaml"))
TIMEOUT = "2"  # seconds: the server's query time limit here
TRACEBACK = re.compile(r"Traceback|File \"|line \d+, in ")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# The second client's lookups during a case: no slower than this multiple of their quiet p95, or
# than the floor (a loaded shared machine has its own hiccups).
SLOWDOWN, FLOOR_MS = 25, 500.0
VIA = {
    "get": ("GET", "query", None),
    "form": ("POST", "query", "application/x-www-form-urlencoded"),
    "direct": ("POST", None, "application/sparql-query"),
    "get-update": ("GET", "update", None),
    "form-update": ("POST", "update", "application/x-www-form-urlencoded"),
    "update": ("POST", None, "application/sparql-update"),
}


def expand(text: str, remote: str) -> str:
    text = text.replace("<<listener>>", remote)
    return re.sub(r"<<(\d+)\*(.*?)>>", lambda m: m[2] * int(m[1]), text, flags=re.DOTALL)


def requests_of(case: dict, remote: str) -> list[tuple[str, str, str, dict, bytes]]:
    """(id, method, path, headers, body) of each request the case describes."""
    if "request" in case:
        request = case["request"]
        body = bytes.fromhex(request["body_hex"]) if "body_hex" in request else expand(request.get("body", ""), remote)
        headers = {name: expand(value, remote) for name, value in request.get("headers", {}).items()}
        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        return [("raw", request["method"], expand(request["path"], remote), headers, raw)]
    text, sent = expand(case["query"], remote), []
    for via in case["via"]:
        method, field, media = VIA[via]
        if method == "GET":
            sent.append((via, "GET", "/sparql?" + urllib.parse.urlencode({field: text}), {}, b""))
        elif field:
            sent.append(
                (via, "POST", "/sparql", {"Content-Type": media}, urllib.parse.urlencode({field: text}).encode())
            )
        else:
            sent.append((via, "POST", "/sparql", {"Content-Type": f"{media}; charset=utf-8"}, text.encode("utf-8")))
    return sent


def send(port: int, method: str, path: str, headers: dict, body: bytes) -> tuple[int, str]:
    """One request exactly as written (no normalisation of the path), on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        if body or method == "POST":
            connection.request(method, path, body=body, headers=headers)
        else:
            connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except (ConnectionResetError, BrokenPipeError):
        # The server refused the request at the HTTP layer and closed while it was still being sent: the
        # client's socket discards the answer. A case lists status 0 where that is the expected end.
        return 0, "the server closed the connection while the request was sent"
    finally:
        connection.close()


@pytest.fixture(scope="module")
def served(shipped_release):
    with serve("--release", str(shipped_release), "--timeout", TIMEOUT, "--workers", "2") as server:
        yield server


@pytest.fixture(scope="module")
def outside():
    """The local listener that stands for the outside world."""
    with listener() as sock:
        yield sock


@pytest.fixture(scope="module")
def second(served, tmp_path_factory):
    """The second client: its quiet baseline first, then lookups for as long as the module runs."""
    client = SecondClient(served.sparql)
    quiet = client.baseline()
    client.bound = max(SLOWDOWN * percentile(quiet, 0.95), FLOOR_MS)
    client.start()
    yield client
    client.stop()
    write_report(
        "hostile-endpoint",
        {
            "cases": len(CASES),
            "second_client_quiet": summary(quiet),
            "second_client_under_attack": summary([lookup.ms for lookup in client.lookups]),
            "second_client_failures": sum(1 for lookup in client.lookups if lookup.status != 200),
            "bound_ms": round(client.bound, 1),
        },
        tmp_path_factory.getbasetemp() / "reliability",
    )


@pytest.fixture(scope="module")
def triples(served):
    return httpx.post(served.sparql, data={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"]


def check_second_client(second: SecondClient, since: float) -> None:
    lookups = second.since(since)
    assert lookups, "the second client got no answer during the case"
    assert all(lookup.status == 200 for lookup in lookups), [lookup.status for lookup in lookups]
    slow = percentile([lookup.ms for lookup in lookups], 0.95)
    assert slow <= second.bound, f"the second client's p95 was {slow:.0f} ms (bound {second.bound:.0f} ms)"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_hostile_request(path, served, outside, second, triples):
    case = load_case(path)
    remote = f"http://127.0.0.1:{outside.getsockname()[1]}"
    port = int(served.url.rsplit(":", 1)[1].strip("/"))
    expected = case["status"] if isinstance(case["status"], list) else [case["status"]]
    for via, method, target, headers, body in requests_of(case, remote):
        started = time.monotonic()
        status, text = send(port, method, target, headers, body)
        assert status in expected, f"{via}: {status} {text[:300]}"
        assert text.strip() or status == 405, f"{via}: an answer without a message"
        for fragment in case.get("contains", []):
            assert fragment in text, f"{via}: {fragment!r} not in {text[:300]!r}"
        assert not TRACEBACK.search(text), f"{via}: a traceback reached the client: {text[:500]}"
        assert "root:" not in text and "[project]" not in text, f"{via}: a file outside the static folder was served"
        time.sleep(0.05)  # a connection the server made would be waiting in the listener's queue by now
        assert not connected(outside), f"{via}: the server connected to the listener"
        check_second_client(second, started)
    assert served.process.poll() is None, "the server ended"
    after = httpx.post(served.sparql, data={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"]
    assert after == triples, "the graph changed"


def slow_sender(port: int, head: bytes, rest: bytes, interval: float, answers: list, until: float) -> None:
    """Send `head`, then `rest` a byte every `interval` s; keep what the server answers before `until`,
    and how long after the connection opened its answer began."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=interval)
    opened, answered = time.monotonic(), None
    received, position = b"", 0
    try:
        sock.sendall(head)
        while time.monotonic() < until:
            if position < len(rest):
                try:
                    sock.sendall(rest[position : position + 1])
                except OSError:
                    break  # closed by the server
                position += 1
            try:
                chunk = sock.recv(4096)  # waits up to `interval`: the pace of the bytes sent
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            answered = answered or time.monotonic() - opened
            received += chunk
    finally:
        sock.close()
        answers.append((received, answered))


def test_slow_clients_are_answered_408_and_do_not_hold_up_others(served, second):
    """Slowloris: 200 connections sending headers a byte at a time, and 20 sending a query body a byte at a
    time: each is answered 408 and closed (headers within 5 s, a body within 10 s), while the second
    client keeps its latency."""
    port = int(served.url.rsplit(":", 1)[1].strip("/"))
    started = time.monotonic()
    until = started + 16
    header_answers: list = []
    body_answers: list = []
    threads = [
        threading.Thread(
            target=slow_sender,
            args=(
                port,
                b"GET /health HTTP/1.1\r\n",
                b"Host: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 200,
                0.5,
                header_answers,
                until,
            ),
        )
        for _ in range(200)
    ]
    body = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode()
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    threads += [
        threading.Thread(target=slow_sender, args=(port, head, body, 1.0, body_answers, until)) for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(header_answers) == 200 and len(body_answers) == 20
    for received, after in header_answers:
        assert received.startswith(b"HTTP/1.1 408"), received[:200]
        assert b"did not arrive" in received
        assert after < 5 + 2, f"answered {after:.1f} s after the connection opened"
    for received, after in body_answers:
        assert received.startswith(b"HTTP/1.1 408"), received[:200]
        assert b"did not arrive within 10 s" in received
        assert after < 10 + 2, f"answered {after:.1f} s after the connection opened"
    check_second_client(second, started)
    assert served.process.poll() is None
