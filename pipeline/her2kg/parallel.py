"""One piece of work in a second process beside the main one, for a build's second core.

A build validates its graph while part of the release is written in a child. A small build forks
the child, so it starts with the graph already in memory (nothing is pickled on the way in). A large
one starts a fresh interpreter instead (`fresh`), which reads what it needs from disk: a forked
child would share a heap of gigabytes, and every page either process then touches is copied
(docs/benchmarks.md). Only the result comes back through a pipe. Whatever way the parent leaves the
block (a result, an error, Ctrl-C), the child has ended and been reaped by then; if the parent is
killed outright, the kernel kills the child too (Linux).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, Protocol, TypeVar

__all__ = ["ChildError", "available", "beside", "die_with_parent"]

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when the thread that forked it ends (PR_SET_PDEATHSIG), so a
    parent killed by SIGTERM or SIGKILL leaves no child behind. Elsewhere a no-op."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class ChildError(RuntimeError):
    """The child failed in a way that is a bug, or was killed: its traceback or exit status."""


def available() -> bool:
    """Whether a second process would run on a core of its own: more than one CPU for this process,
    and processes that can be forked (POSIX)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cpus > 1 and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def beside(call: Callable[[], T], *, fresh: bool = False) -> Iterator[Callable[[], T]]:
    """Run `call` in a child while the block runs: a forked one, or with `fresh` a new interpreter (then
    `call` must pickle: a module-level function, or a partial of one). The block gets a function that
    waits for the child and returns what `call` returned, or raises what it raised (a ChildError when
    that cannot cross the pipe, or the child died). Leaving the block stops the child if it is still
    running."""
    receiver, sender = multiprocessing.Pipe(duplex=False)
    child = _started_fresh(call, sender) if fresh else _started_forked(call, sender)
    sender.close()  # the parent's copy: the pipe reads end-of-file once the child has closed its own

    def result() -> T:
        try:
            pickled = receiver.recv_bytes()
        except EOFError:
            child.join()
            raise ChildError(
                f"the process beside the build ended without a result (exit status {child.exitcode})"
            ) from None
        finally:
            receiver.close()
        child.join()
        try:
            outcome, value = pickle.loads(pickled)
        except Exception as err:  # a result that pickles but cannot be rebuilt here
            raise ChildError(f"the result of the process beside the build could not be read: {err}") from None
        if outcome == "error":
            raise value
        return value  # type: ignore[no-any-return]

    try:
        yield result
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        receiver.close()


class _Child(Protocol):
    @property
    def exitcode(self) -> int | None: ...

    def join(self) -> None: ...
    def is_alive(self) -> bool: ...
    def terminate(self) -> None: ...


def _started_forked(call: Callable[[], Any], sender: Connection) -> _Child:
    child = multiprocessing.get_context("fork").Process(target=_child, args=(call, sender, os.getpid()), daemon=True)
    child.start()
    return child


class _Fresh:
    """A fresh interpreter as `beside` handles its children (multiprocessing.Process's names)."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen = popen

    @property
    def exitcode(self) -> int | None:
        return self.popen.poll()

    def join(self) -> None:
        self.popen.wait()

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    def terminate(self) -> None:
        self.popen.terminate()


def _started_fresh(call: Callable[[], Any], sender: Connection) -> _Child:
    # Not multiprocessing's "spawn" start method: it runs the parent's main script again in the child, which a
    # script that builds without an `if __name__ == "__main__":` guard would not survive. The child imports
    # what the parent can (its sys.path) and reads its work, pickled, on stdin.
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    popen = subprocess.Popen(
        [sys.executable, "-c", "from her2kg.parallel import _fresh_child; _fresh_child()"],
        stdin=subprocess.PIPE,
        pass_fds=[sender.fileno()],
        env=environment,
    )
    assert popen.stdin is not None
    with popen.stdin:
        pickle.dump((call, sender.fileno(), os.getpid()), popen.stdin)
    return _Fresh(popen)


def _fresh_child() -> None:
    """Where a fresh child starts: its work, the pipe's end to answer on and its parent come on stdin."""
    call, handle, parent = pickle.load(sys.stdin.buffer)
    _child(call, Connection(handle, readable=False), parent)


def _child(call: Callable[[], Any], sender: Connection, parent: int) -> None:
    # The parent stops the child (SIGTERM) and handles Ctrl-C itself: here both simply end the process,
    # whatever handlers the parent had installed when it forked.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if sys.platform == "linux":  # and end with the parent, even one killed outright
        die_with_parent()
        if os.getppid() != parent:  # the parent was gone before prctl took effect
            os._exit(1)
    try:
        outcome: tuple[str, Any] = ("ok", call())
    except Exception as err:
        outcome = ("error", err)
    try:
        pickled = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        if outcome[0] == "error":
            pickle.loads(pickled)  # an exception that cannot be rebuilt is sent as its traceback
    except Exception:
        text = "".join(traceback.format_exception(outcome[1])) if outcome[0] == "error" else repr(outcome[1])
        pickled = pickle.dumps(("error", ChildError(text)))
    sender.send_bytes(pickled)  # pickled once: a large result (the records of half the facts) takes a second
    sender.close()
