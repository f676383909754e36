"""Resource limits of the processes that run untrusted work: the store's query workers, the
server's parser and validator processes; and giving memory back to the system. Standard library
only (a parser process imports it before anything else)."""

from __future__ import annotations

import ctypes
import gc
import os
import resource


def address_space() -> int:
    """This process's current address-space size in bytes (0 where /proc is missing): what a
    memory limit (``RLIMIT_AS``) is counted above."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def soft_limit(which: int, value: int | None) -> None:
    """Set the soft limit ``which`` (``resource.RLIMIT_*``) to ``value``; None: as high as the
    hard limit allows. The hard limit is left as it is, so the soft one can be raised again."""
    hard = resource.getrlimit(which)[1]
    if value is None or (hard != resource.RLIM_INFINITY and value > hard):
        value = hard
    resource.setrlimit(which, (value, hard))


def give_back_memory() -> None:
    """Collect Python's garbage and hand the heap's free pages back to the system (glibc's
    ``malloc_trim``). A process that dropped a large graph otherwise keeps its pages resident,
    freed but not returned: at 100x, gigabytes the rest of the process tree cannot use."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim this way
        pass
