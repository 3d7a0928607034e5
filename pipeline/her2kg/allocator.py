"""The C allocator tuned for a build, which allocates and frees gigabytes.

By default glibc hands freed memory back to the kernel eagerly: it trims the top of its heap once
128 KiB are free there, and maps each large block on its own and unmaps it when freed. A large
build then pays in page faults for the same memory again and again: at 100,000 generated claims,
18 s of system time in a 120 s build. Keeping freed memory for reuse cut that to 6 s, for about
9 % more peak memory (docs/benchmarks.md). Python's own allocator (small objects) is left as it is.
"""

from __future__ import annotations

import contextlib
import ctypes

# mallopt(3) parameters of glibc
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_SETTINGS = (
    (_M_TRIM_THRESHOLD, 1 << 30),  # give the top of the heap back only when a gigabyte is free there
    (_M_TOP_PAD, 64 << 20),  # grow the heap by 64 MiB at a time
    (_M_MMAP_THRESHOLD, 32 << 20),  # blocks up to 32 MiB (glibc's limit) come from the heap, reused when freed
)


def keep_freed_memory() -> bool:
    """Tune glibc's allocator of this process to keep freed memory for reuse; False where it cannot
    (another C library), which changes nothing but the time."""
    with contextlib.suppress(OSError, AttributeError):
        mallopt = ctypes.CDLL(None).mallopt
        return all(mallopt(parameter, value) == 1 for parameter, value in _SETTINGS)
    return False


def give_back_freed_memory() -> bool:
    """Hand the memory glibc holds free back to the kernel (malloc_trim(3)), wherever in the heap it lies: after a
    process lets go of a large structure it will not make again. False where it cannot (another C library)."""
    with contextlib.suppress(OSError, AttributeError):
        return bool(ctypes.CDLL(None).malloc_trim(0))
    return False
