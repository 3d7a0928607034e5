"""Shared by the reliability tests: a second client that measures latency while others misbehave,
the memory of a process tree, and where the figures of a run are written."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

LOOKUP = "SELECT ?l WHERE { drug:neratinib rdfs:label ?l }"
REPORT_ENV = "HER2KG_RELIABILITY_REPORT"  # a folder to write the figures to (else pytest's tmp folder)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@dataclass
class Lookup:
    started: float  # time.monotonic()
    ms: float
    status: int


@dataclass
class SecondClient:
    """A client doing one label lookup after another on its own keep-alive connection."""

    sparql: str
    lookups: list[Lookup] = field(default_factory=list)
    quiet: list[float] = field(default_factory=list)  # latencies (ms) with nothing else going on
    bound: float = 0.0  # ms: what a test allows its lookups under load
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _one(self, http: httpx.Client) -> Lookup:
        started = time.monotonic()
        try:
            status = http.get(self.sparql, params={"query": LOOKUP}).status_code
        except httpx.HTTPError:
            status = 0
        return Lookup(started, (time.monotonic() - started) * 1000, status)

    def baseline(self, seconds: float = 2.0) -> list[float]:
        """Latencies (ms) of lookups for `seconds` with nothing else going on."""
        with httpx.Client(timeout=30) as http:
            self._one(http)  # the connection is open before the clock starts
            until = time.monotonic() + seconds
            while time.monotonic() < until:
                self.quiet.append(self._one(http).ms)
        return self.quiet

    def start(self) -> None:
        def run() -> None:
            with httpx.Client(timeout=30) as http:
                while not self._stop.is_set():
                    self.lookups.append(self._one(http))
                    time.sleep(0.01)  # a client, not a load generator

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def since(self, moment: float, at_least: int = 3, wait: float = 10.0) -> list[Lookup]:
        """The lookups started after `moment`, waiting until there are `at_least` of them."""
        until = time.monotonic() + wait
        while time.monotonic() < until:
            found = [lookup for lookup in self.lookups if lookup.started >= moment]
            if len(found) >= at_least:
                return found
            time.sleep(0.02)
        return [lookup for lookup in self.lookups if lookup.started >= moment]

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=35)


def rss_kib(pid: int, children: bool = True) -> int:
    """Resident memory of a process (and of its descendants) in KiB, from /proc."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total = int(line.split()[1])
    if children:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # a worker replaced meanwhile
                    total += rss_kib(int(child))
    return total


def summary(values: list[float]) -> dict:
    return {
        "count": len(values),
        "p50_ms": round(statistics.median(values), 2) if values else None,
        "p95_ms": round(percentile(values, 0.95), 2) if values else None,
        "p99_ms": round(percentile(values, 0.99), 2) if values else None,
        "max_ms": round(max(values), 2) if values else None,
    }


def write_report(name: str, figures: dict, fallback: Path) -> Path:
    """Write `figures` as NAME.json under $HER2KG_RELIABILITY_REPORT (else `fallback`) and print them."""
    folder = Path(os.environ.get(REPORT_ENV) or fallback)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"\n{name}: {json.dumps(figures)}\n→ {path}")
    return path
