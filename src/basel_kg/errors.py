"""The one exception tree of basel-kg.

Every error raised on purpose derives from :class:`BaselKgError` and says how it surfaces:
``exit_code`` for the command line (0 success, 1 the data or the store failed, 2 bad input,
as pySHACL), ``http_status`` for the web server. The CLI and the app each map them in one
place (``cli.main`` and ``server.app``), so a new error needs no new ``except`` clause.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BaselKgError",
    "InputError",
    "StoreError",
    "QuerySyntaxError",
    "QueryTimeout",
    "QueryRefused",
    "NotAcceptable",
    "QueryFailed",
    "StaleWrite",
    "ServerBusy",
    "StoreFull",
    "StoreInUse",
    "StoreUnavailable",
]

EXIT_FAILURE = 1
EXIT_ERROR = 2


class BaselKgError(Exception):
    """Base class of every error basel-kg raises on purpose."""

    exit_code: int = EXIT_FAILURE
    http_status: int = 500


class InputError(BaselKgError):
    """Input that cannot be used: a bad file, option, parameter or query (exit 2, HTTP 400)."""

    exit_code = EXIT_ERROR
    http_status = 400


# --------------------------------------------------------------------------- stores


class StoreError(BaselKgError):
    """Base class of everything a store raises on purpose (exit 1, HTTP 500)."""


class QuerySyntaxError(StoreError, InputError):
    """The SPARQL text does not parse; ``line``/``column`` are 1-based when known."""

    exit_code = EXIT_ERROR
    http_status = 400

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def __reduce__(self):
        return type(self), (self.message, self.line, self.column)


class QueryTimeout(StoreError):
    """The query ran longer than its time limit and was stopped (HTTP 503)."""

    http_status = 503

    def __init__(self, seconds: float):
        super().__init__(f"query stopped after {seconds:g} s (the time limit)")
        self.seconds = seconds

    def __reduce__(self):
        return type(self), (self.seconds,)


class QueryRefused(StoreError, InputError):
    """The query asks for something this store does not do (e.g. a ``SERVICE`` call; HTTP 403)."""

    exit_code = EXIT_ERROR
    http_status = 403


class NotAcceptable(StoreError):
    """No requested format can carry this kind of result (HTTP 406)."""

    exit_code = EXIT_ERROR
    http_status = 406

    def __init__(self, kind: str, offered: Sequence[str]):
        super().__init__(f"a {kind} result can be returned as: {', '.join(offered)}")
        self.kind, self.offered = kind, tuple(offered)

    def __reduce__(self):
        return type(self), (self.kind, self.offered)


class QueryFailed(StoreError):
    """The query parsed but could not be answered (evaluation error, worker crash...)."""


class StaleWrite(StoreError):
    """A change was planned on a version of the data that is no longer current (HTTP 409)."""

    http_status = 409


class ServerBusy(StoreError):
    """Every query worker is busy and too many queries already wait: refused at once (HTTP 503
    with ``Retry-After``) instead of queueing without end."""

    http_status = 503

    def __init__(self, waiting: int, retry_after: int = 1):
        super().__init__(f"the server is busy: {waiting} queries are already waiting for a worker")
        self.waiting, self.retry_after = waiting, retry_after

    def __reduce__(self):
        return type(self), (self.waiting, self.retry_after)


class StoreFull(StoreError):
    """The disk holding the store is full (or the store was opened read-only because it was):
    the write was not applied, reads go on (HTTP 507)."""

    http_status = 507


class StoreInUse(StoreError):
    """The store on disk is open in another process (RocksDB lets one process write it at a
    time): another ``basel-kg serve``, or a command given the same ``--store`` (exit 1)."""

    def __init__(self, path: str):
        super().__init__(f"the store at {path} is in use by another process (its lock file {path}/LOCK is held): "
                         f"stop the basel-kg serve or command using it, or give this one another --store")
        self.path = path

    def __reduce__(self):  # crosses from the store process to the server as itself
        return type(self), (self.path,)


class StoreUnavailable(StoreError):
    """The store's process stopped; the supervisor of ``basel-kg serve`` restarts it (HTTP 503)."""

    http_status = 503
