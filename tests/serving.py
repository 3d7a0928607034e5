"""Helpers for the server tests: `her2kg serve` as a real process, requests described as data."""

from __future__ import annotations

import contextlib
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

HER2KG = str(Path(sys.executable).parent / "her2kg")
CASES = sorted((Path(__file__).parent / "server" / "protocol").glob("*.yaml"))


@dataclass
class Served:
    url: str  # http://127.0.0.1:PORT/ as the server printed it
    process: subprocess.Popen

    @property
    def sparql(self) -> str:
        return self.url + "sparql"


@contextlib.contextmanager
def serve(*args: str, startup: float = 120) -> Iterator[Served]:
    """`her2kg serve --port 0 ARGS…` until the block ends; the address is read from its first line."""
    process = subprocess.Popen(
        [HER2KG, "serve", "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + startup
        line = ""
        while "serving" not in line:
            assert process.poll() is None, f"her2kg serve ended: {process.stderr.read() if process.stderr else ''}"
            assert time.monotonic() < deadline, "her2kg serve printed no address"
            if select.select([process.stdout], [], [], 0.2)[0]:
                line = process.stdout.readline() if process.stdout else ""
        url = next(word for word in line.split() if word.startswith("http://"))
        yield Served(url, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def listener() -> Iterator[socket.socket]:
    """A listening socket on a free local port that records whether anyone connected."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    try:
        yield sock
    finally:
        sock.close()


def connected(sock: socket.socket) -> bool:
    try:
        sock.accept()[0].close()
    except BlockingIOError:
        return False
    return True


def load_case(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def send(client, request: dict):
    """A request as a case describes it, sent with an httpx-like client (httpx.Client or TestClient)."""
    return client.request(
        request["method"],
        request["path"],
        params=request.get("params"),
        data=request.get("form"),
        content=request.get("body"),
        headers=request.get("headers"),
    )


def check(case: dict, response) -> None:
    assert response.status_code == case["status"], response.text
    if "content_type" in case:
        assert response.headers["content-type"].split(";")[0] == case["content_type"]
    for text in case.get("contains", []):
        assert text in response.text
    assert "Traceback" not in response.text
