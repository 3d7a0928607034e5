"""Progress on a terminal: stage names on stderr while they run, cleared after; nothing in CI, nothing
when stderr is a file or a pipe, and nothing at all unless the program asked for it."""

from __future__ import annotations

import io

import pytest

from her2kg import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def no_listeners(monkeypatch):
    monkeypatch.setattr(progress, "_listeners", [])
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")


def test_a_terminal_sees_each_stage_while_it_runs_and_a_clear_line_after():
    terminal = Terminal()
    progress.show_on_terminal(terminal)
    with progress.stage("validate"):
        assert terminal.getvalue().endswith("validate …")
    assert terminal.getvalue().endswith("\r\x1b[K")


@pytest.mark.parametrize("stream, ci", [(io.StringIO(), None), (Terminal(), "true")], ids=["not-a-terminal", "ci"])
def test_a_log_or_a_ci_job_sees_nothing(monkeypatch, stream, ci):
    if ci:
        monkeypatch.setenv("CI", ci)
    progress.show_on_terminal(stream)
    with progress.stage("validate"):
        pass
    assert stream.getvalue() == ""


def test_the_library_alone_prints_nothing(capsys):
    with progress.stage("validate"):
        pass
    assert capsys.readouterr() == ("", "")
