"""Progress of the long stages of a build, for a person watching a terminal.

The library never prints: it announces each stage here, and nothing is shown unless a program
(the CLI) has called `show_on_terminal()`. Even then, the stage names appear on stderr only when
stderr is a terminal and no CI variable is set, on one line that is rewritten and then cleared,
so logs and captured output stay exactly as they were.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Listener = Callable[[str, float | None], None]  # (stage, seconds it took, or None when it starts)
_listeners: list[Listener] = []


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Announce the stage `name` to the listeners, if any, as it starts and when it ends."""
    for listener in _listeners:
        listener(name, None)
    start = time.perf_counter()
    try:
        yield
    finally:
        for listener in _listeners:
            listener(name, time.perf_counter() - start)


def wants_progress(stream: TextIO) -> bool:
    """A terminal, and not a CI job (CI runners set CI=true) or a terminal asking for no output."""
    return stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


def show_on_terminal(stream: TextIO | None = None) -> None:
    """Show stages on `stream` (stderr) as they run, when `wants_progress` allows it."""
    out = stream or sys.stderr
    if not wants_progress(out) or _listeners:
        return

    def show(name: str, seconds: float | None) -> None:
        text = f"{name} …" if seconds is None else ""
        out.write("\r\x1b[K" + text)  # rewrite the line; an ended stage clears it
        out.flush()

    _listeners.append(show)
