"""A guard that stops parsing from reaching the network or reading files nobody named.

Parsing in basel-kg uses pyoxigraph, which never fetches anything. This guard is the second
line of defence, following rdflib's security advice: a Python audit hook (``sys.addaudithook``)
that, while a guarded block runs in the current thread/context, refuses

- any outbound network access (``socket.connect``, ``socket.getaddrinfo``, ``urllib.Request``...),
- opening any file other than the allowed ones (Python's own code and standard library stay
  readable, so a lazy import inside a guarded block still works),
- starting processes.

Audit hooks cannot be removed, so one hook is installed once and consults a context variable;
outside a guarded block it does nothing.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["OutsideAccessError", "no_outside_access"]


class OutsideAccessError(PermissionError):
    """Raised when guarded code tries to reach the network or read an unnamed file."""


_NETWORK_EVENTS = frozenset({
    "socket.connect",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyaddr",
    "socket.sendto",
    "urllib.Request",
    "http.client.connect",
    "ftplib.connect",
    "smtplib.connect",
})
_PROCESS_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"})
_CODE_SUFFIXES = (".py", ".pyc", ".so")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@dataclass
class _Guard:
    allowed: frozenset[str]
    refused: list[str] = field(default_factory=list)


_active: ContextVar[_Guard | None] = ContextVar("basel_kg_guard", default=None)
_installed = False


def _python_dirs() -> tuple[str, ...]:
    """Python's standard library and site-packages (not the whole prefix, which may be /usr)."""
    paths = sysconfig.get_paths()
    dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if paths.get(k)}
    return tuple(os.path.realpath(p) + os.sep for p in dirs)


_PYTHON_DIRS = _python_dirs()


def _readable(path: str, guard: _Guard) -> bool:
    real = os.path.realpath(path)
    if real in guard.allowed or real.startswith(_PYTHON_DIRS):
        return True
    # Modules imported lazily from an editable install or sys.path entries (code only).
    return real.endswith(_CODE_SUFFIXES) and any(
        real.startswith(os.path.realpath(entry) + os.sep) for entry in sys.path if entry
    )


def _hook(event: str, args: tuple) -> None:
    guard = _active.get()
    if guard is None:
        return
    reason = None
    if event in _NETWORK_EVENTS:
        target = args[1] if event == "socket.connect" and len(args) > 1 else args[0] if args else ""
        reason = f"network access refused ({event} {target!r})"
    elif event in _PROCESS_EVENTS:
        reason = f"starting a process refused ({event})"
    elif event == "open" and args:
        path, mode, flags = (list(args) + [None, None])[:3]
        if isinstance(path, int):
            return
        path = os.fsdecode(path)
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if writing:
            reason = f"writing a file refused ({path})"
        elif not _readable(path, guard):
            reason = f"reading a file that was not named refused ({path})"
    if reason:
        guard.refused.append(reason)
        raise OutsideAccessError(reason)


def _install() -> None:
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


@contextmanager
def no_outside_access(*, allow: Iterable[str | os.PathLike[str]] = ()) -> Iterator[list[str]]:
    """Run a block with no network and no file access beyond ``allow``.

    Yields the list of refused actions. Even if the guarded code swallows the
    :class:`OutsideAccessError`, the block raises it on exit, so a refusal is never silent.
    """
    _install()
    guard = _Guard(frozenset(os.path.realpath(Path(p)) for p in allow))
    token = _active.set(guard)
    try:
        yield guard.refused
    except Exception as exc:
        # The guarded code may have turned our refusal into an error of its own.
        if guard.refused and not isinstance(exc, OutsideAccessError):
            raise OutsideAccessError(guard.refused[0]) from exc
        raise
    finally:
        _active.reset(token)
    if guard.refused:
        raise OutsideAccessError(guard.refused[0])
