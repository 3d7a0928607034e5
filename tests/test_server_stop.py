"""`her2kg serve` stops however it is asked to, and leaves no query worker behind: SIGINT or SIGTERM to
the server alone (`kill PID`), to its whole process group (Ctrl-C in a terminal reaches every process of
the foreground group; `systemctl stop` and `kill -- -PGID` send SIGTERM to all of them), while idle and
while a runaway query keeps a worker busy."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from serving import HER2KG

pytestmark = pytest.mark.slow

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def group_members(pgid: int) -> set[int]:
    """The live processes of a process group (zombies aside)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                found.add(int(entry.name))
    return found


def started(release: Path) -> tuple[subprocess.Popen, str]:
    """The server in a session (and process group) of its own, as a shell or a service manager starts it."""
    process = subprocess.Popen(
        [HER2KG, "serve", "--release", str(release), "--port", "0", "--workers", "2", "--timeout", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    url = next(word for word in line.split() if word.startswith("http://"))
    return process, url


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "with a runaway query"])
@pytest.mark.parametrize("to_group", [False, True], ids=["the server", "its process group"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_server_and_its_workers_stop(shipped_release, signum, to_group, busy):
    process, url = started(shipped_release)
    try:
        members = group_members(process.pid)
        assert process.pid in members and len(members) >= 3, "the server and its two query workers"
        if busy:  # a worker is stuck in a query that would run for minutes
            query = url + "sparql?" + urllib.parse.urlencode({"query": RUNAWAY})
            threading.Thread(target=lambda: _ignore_errors(query), daemon=True).start()
            time.sleep(1)
        if to_group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        process.wait(timeout=15)
        deadline = time.monotonic() + 10
        while group_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert group_members(process.pid) == set(), "a query worker outlived the server"
    finally:
        if process.poll() is None or group_members(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _ignore_errors(url: str) -> None:
    with contextlib.suppress(OSError):  # the server stops while the query runs
        urllib.request.urlopen(url, timeout=60).read()
