"""The worker pool: workers forked in advance answer one query after another, a worker past its
deadline is killed and replaced, and a pool with a fork server serves threads."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from her2kg.errors import ForbiddenQueryError, QueryError, QueryTimeout
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


def test_a_refused_query_is_refused_every_time_and_an_allowed_one_answered_every_time(pool, monkeypatch):
    import her2kg.workers

    for _ in range(2):
        with pytest.raises(ForbiddenQueryError):
            pool.execute("INSERT DATA { <a> <b> <c> }")
        with pytest.raises(QueryError, match="SERVICE"):
            pool.execute("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert [row[0].value for row in pool.execute(LOOKUP)] == ["neratinib"]
    monkeypatch.setattr(her2kg.workers, "GUARDED_CHARS", len(LOOKUP) * 16)  # room for one such text
    assert [row[0].value for row in pool.execute(LOOKUP + " ")] == ["neratinib"]
    assert [row[0].value for row in pool.execute(LOOKUP + " ")] == ["neratinib"]
    assert pool._guarded_chars <= len(LOOKUP) * 16


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

    async def runaway() -> BaseException | None:
        try:
            await pool.execute_async(FOUR_WAY, timeout=0.5)
        except QueryTimeout as err:
            return err
        return None

    error, ticks = asyncio.run(ticking(runaway()))
    assert isinstance(error, QueryTimeout) and ticks > 20
    assert pool.replaced == 1 and pool.idle == 2


def test_a_query_run_once_leaves_no_process_behind_even_when_read_to_the_end(shipped_store):
    from her2kg.sparql import execute

    assert [row[0].value for row in execute(shipped_store, LOOKUP)] == ["neratinib"]  # read, never closed
    assert execute(shipped_store, "ASK { drug:neratinib a hk:Drug }").boolean is True
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    if children.exists():
        assert children.read_text().strip() == ""


# --- waiting for a free worker ----------------------------------------------------------------------


@pytest.fixture
def one_worker(shipped_store):
    with WorkerPool(shipped_store, 1, forkserver=True) as pool:
        yield pool


async def ticking(work):
    """Run `work` while a ticker counts 10 ms sleeps: the loop's turns while it waited."""
    import asyncio

    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        return await work, ticks
    finally:
        ticker.cancel()


def test_many_requests_on_one_worker_are_all_answered_in_turn(one_worker):
    import asyncio

    async def many() -> tuple[list, int]:
        asked = [one_worker.answer_async(LOOKUP, {"solutions": "tsv", "graph": None}, timeout=30) for _ in range(40)]
        answers = await asyncio.wait_for(asyncio.gather(*asked, return_exceptions=True), 60)  # none hangs
        return answers, threading.active_count()  # a thread started to wait in would still be alive here

    threads = threading.active_count()
    answers, threads_after = asyncio.run(many())
    assert threads_after == threads  # they waited on the event loop, not in threads
    assert all(answer == ("solutions", b'?l\n"neratinib"\n', False) for answer in answers), answers
    assert one_worker.idle == 1 and one_worker.replaced == 0 and not one_worker._waiters


def test_a_request_cancelled_while_it_waits_leaves_the_line_and_the_others_are_answered(one_worker):
    import asyncio

    async def some_cancelled() -> list:
        asked = [
            asyncio.ensure_future(one_worker.answer_async(LOOKUP, {"solutions": "tsv", "graph": None}, timeout=30))
            for _ in range(12)
        ]
        await asyncio.sleep(0)  # every request is now in line or holds the worker
        for future in asked[1::3]:
            future.cancel()
        return await asyncio.wait_for(asyncio.gather(*asked, return_exceptions=True), 60)

    answers = asyncio.run(some_cancelled())
    cancelled = [answer for answer in answers if isinstance(answer, asyncio.CancelledError)]
    assert len(cancelled) == 4 and answers.count(("solutions", b'?l\n"neratinib"\n', False)) == 8
    assert one_worker.idle == 1 and not one_worker._waiters


@pytest.mark.slow
def test_requests_waiting_for_a_busy_worker_get_it_or_a_timeout_at_their_limit_and_the_loop_runs_on(one_worker):
    import asyncio

    async def behind_a_runaway() -> list:
        runaway = asyncio.ensure_future(
            one_worker.answer_async(FOUR_WAY, {"solutions": "tsv", "graph": None}, timeout=1)
        )
        await asyncio.sleep(0)  # the runaway holds the only worker
        short = [one_worker.answer_async(LOOKUP, {"solutions": "tsv", "graph": None}, timeout=0.3) for _ in range(10)]
        long = [one_worker.answer_async(LOOKUP, {"solutions": "tsv", "graph": None}, timeout=30) for _ in range(10)]
        return await asyncio.wait_for(asyncio.gather(runaway, *short, *long, return_exceptions=True), 60)

    started = time.monotonic()
    answers, ticks = asyncio.run(ticking(behind_a_runaway()))
    runaway, short, long = answers[0], answers[1:11], answers[11:]
    assert isinstance(runaway, QueryTimeout) and "ran past its time limit of 1 s" in str(runaway)
    assert all(isinstance(a, QueryTimeout) and "stayed busy for the time limit of 0.3 s" in str(a) for a in short)
    assert all(a == ("solutions", b'?l\n"neratinib"\n', False) for a in long), long
    assert ticks > 50  # the loop kept turning while twenty requests waited: none waited in a thread
    assert time.monotonic() - started < 30
    assert one_worker.idle == 1 and one_worker.replaced == 1 and not one_worker._waiters
