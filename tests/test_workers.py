"""The worker pool: workers forked in advance answer one query after another, a worker past its
deadline is killed and replaced, and a pool with a fork server serves threads."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from her2kg.errors import QueryError, QueryTimeout
from her2kg.workers import WorkerPool

LOOKUP = "SELECT ?l WHERE { drug:neratinib rdfs:label ?l }"
FOUR_WAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(params=[False, True], ids=["forked-here", "fork-server"])
def pool(request, shipped_store):
    with WorkerPool(shipped_store, 2, forkserver=request.param) as pool:
        yield pool


def worker_pids(pool: WorkerPool) -> set[int]:
    return {worker.pid for worker in list(pool._idle.queue)}


def exited(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def test_a_worker_answers_query_after_query_without_a_new_fork(pool):
    before = worker_pids(pool)
    for _ in range(20):
        assert [row[0].value for row in pool.execute(LOOKUP)] == ["neratinib"]
    assert worker_pids(pool) == before and pool.replaced == 0


def test_a_syntax_error_leaves_the_worker_in_service(pool):
    before = worker_pids(pool)
    with pytest.raises(QueryError, match="line 1, column"):
        pool.execute("SELECT * WHERE { ?s ?p }")
    assert worker_pids(pool) == before


@pytest.mark.slow
def test_a_worker_past_its_deadline_is_killed_and_replaced(pool):
    before = worker_pids(pool)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"time limit of 0\.5 s"):
        list(pool.execute(FOUR_WAY, timeout=0.5))
    assert time.monotonic() - started < 1
    assert pool.replaced == 1 and pool.idle == 2
    killed = before - worker_pids(pool)
    assert len(killed) == 1
    time.sleep(0.1)
    pid = killed.pop()
    stat = Path(f"/proc/{pid}/stat")
    assert not stat.exists() or " Z " in stat.read_text()  # gone, or a zombie its fork server reaps
    assert [row[0].value for row in pool.execute(LOOKUP)] == ["neratinib"]


def test_a_reader_that_stops_early_gets_its_worker_replaced(pool):
    with pool.execute("SELECT * WHERE { ?s ?p ?o }") as results:
        next(iter(results))
    assert pool.replaced == 1 and pool.idle == 2


def test_threads_share_the_pool(pool):
    answers: list[str] = []

    def ask() -> None:
        for _ in range(10):
            answers.extend(row[0].value for row in pool.execute(LOOKUP, timeout=10))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["neratinib"] * 40


def test_a_worker_killed_while_it_waits_is_replaced_before_the_next_query(pool):
    import signal

    pids = worker_pids(pool)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    # A killed process closes its socket when it has exited, which on a busy machine takes a while:
    # wait for that (a zombie, or gone), not for a fixed time.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(exited(pid) for pid in pids):
        time.sleep(0.01)
    assert [row[0].value for row in pool.execute(LOOKUP)] == ["neratinib"]
    assert pool.replaced >= 1


def test_an_event_loop_gets_the_answer_read_in_full_and_the_worker_back(pool):
    import asyncio

    results = asyncio.run(pool.execute_async(LOOKUP, timeout=10, max_rows=10))
    assert pool.idle == 2 and results.size == 1
    assert [row[0].value for row in results] == ["neratinib"]
    capped = asyncio.run(pool.execute_async("SELECT * WHERE { ?s ?p ?o }", timeout=10, max_rows=3))
    assert (capped.size, capped.truncated) == (3, True)


@pytest.mark.slow
def test_an_event_loop_keeps_running_while_a_runaway_query_waits_for_its_deadline(pool):
    import asyncio

    async def both() -> tuple[int, BaseException | None]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        try:
            await pool.execute_async(FOUR_WAY, timeout=0.5)
        except QueryTimeout as err:
            return ticks, err
        finally:
            ticker.cancel()
        return ticks, None

    ticks, error = asyncio.run(both())
    assert isinstance(error, QueryTimeout) and ticks > 20
    assert pool.replaced == 1 and pool.idle == 2


def test_a_query_run_once_leaves_no_process_behind_even_when_read_to_the_end(shipped_store):
    from her2kg.sparql import execute

    assert [row[0].value for row in execute(shipped_store, LOOKUP)] == ["neratinib"]  # read, never closed
    assert execute(shipped_store, "ASK { drug:neratinib a hk:Drug }").boolean is True
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    if children.exists():
        assert children.read_text().strip() == ""
