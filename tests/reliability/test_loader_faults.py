"""Loader faults, as a specification: the triple store goes away in the middle of `her2kg load` (the
test Oxigraph server and the test Virtuoso server, SIGKILLed once the graph holds part of the
release). The load says which store it could not reach and what to do, exits 3 (a StoreError: the
machine lacks something) without a traceback; the store restarted on the same data, the same command
run again completes and the graph holds exactly the release's triples, counted over SPARQL.

Oxigraph takes the release as SPARQL Update (INSERT DATA in 500 kB chunks), Virtuoso over the Graph
Store Protocol with a Digest login (60 kB chunks): both loads take long enough to be stopped halfway.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

import stores
from reliability import write_report
from serving import HER2KG

pytestmark = pytest.mark.slow

GRAPH = "https://w3id.org/her2kg/test/loader-faults"
DBA_LOGIN = {"HER2KG_STORE_USER": stores.DBA[0], "HER2KG_STORE_PASSWORD": stores.DBA[1]}
FIGURES: dict[str, dict] = {}


def start(kind: str, folder: Path) -> AbstractContextManager:
    return stores.oxigraph(folder) if kind == "oxigraph" else stores.virtuoso(folder)


def command(kind: str, store, release: Path) -> tuple[list[str], dict[str, str]]:
    """The `her2kg load` command line (and its environment) a user would run against `store`."""
    if kind == "oxigraph":
        into, protocol, login = store.update, "update", {}
    else:
        into, protocol, login = store.graph_store, "gsp", DBA_LOGIN
    arguments = ["load", "--into", into, "--protocol", protocol, "--sparql", store.endpoint, "--graph", GRAPH]
    return [HER2KG, *arguments, "--release", str(release), "--replace"], {**os.environ, **login}


def held(store) -> int:
    try:
        return stores.count(store.endpoint, GRAPH)
    except OSError:  # the store is busy starting or loading
        return -1


def release_triples(release: Path) -> int:
    return sum(1 for line in (release / "her2kg.nt").read_text(encoding="utf-8").splitlines() if line.strip())


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_the_store_goes_away_mid_load_and_a_rerun_completes(kind, shipped_release, tmp_path, tmp_path_factory):
    expected = release_triples(shipped_release)
    folder = tmp_path / kind
    folder.mkdir()
    with start(kind, folder) as store:
        line, env = command(kind, store, shipped_release)
        loading = subprocess.Popen(line, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while (partial := held(store)) <= 0:
            assert loading.poll() is None, f"the load ended before the store could be stopped: {loading.stderr}"
            assert time.monotonic() < deadline, "no triple arrived in the store"
            time.sleep(0.02)
        assert store.process is not None
        store.process.send_signal(signal.SIGKILL)
        store.process.wait()
        out, err = loading.communicate(timeout=300)
        address = store.http
    assert loading.returncode == 3, out + err
    assert address in err and "cannot reach the store" in err and "that the store is running" in err, err
    assert "Traceback" not in out + err
    assert 0 < partial < expected, "the store was not stopped halfway"

    with start(kind, folder) as store:  # the same data folder: what the first load left is still there
        left = held(store)
        line, env = command(kind, store, shipped_release)
        rerun = subprocess.run(line, env=env, capture_output=True, text=True, timeout=600)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert "they match" in rerun.stdout
        found = stores.count(store.endpoint, GRAPH)
    assert found == expected
    FIGURES[kind] = {
        "release_triples": expected,
        "held_when_stopped": partial,
        "held_after_restart": left,
        "exit_code": loading.returncode,
        "message": err.strip().splitlines()[-1],
        "held_after_rerun": found,
    }
    write_report("loader-faults", FIGURES, tmp_path_factory.getbasetemp() / "reliability")
