"""`her2kg build` tunes glibc's allocator to keep freed memory for reuse (fewer page faults in a large
build); elsewhere the tuning is skipped and nothing else changes."""

import platform

import pytest

from her2kg import allocator


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the tuning is glibc's")
def test_glibc_takes_every_setting():
    assert allocator.keep_freed_memory() is True
    assert allocator.keep_freed_memory() is True  # a second call changes nothing


def test_without_mallopt_nothing_is_tuned(monkeypatch):
    class NoMallopt:
        def __init__(self, name):
            pass

    monkeypatch.setattr(allocator.ctypes, "CDLL", NoMallopt)
    assert allocator.keep_freed_memory() is False
