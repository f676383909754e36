"""Reading uploaded RDF documents in a separate, limited process.

A document sent to ``/validate``, ``/store`` or (as ``INSERT DATA`` text) to ``/sparql`` is
untrusted: a parser can be made to recurse until it crashes (JSON-LD nested 5,000 deep ends in
a segmentation fault), to expand entities without end (RDF/XML "billion laughs"), or to run
for minutes. So no document is parsed in the web server's process: each one goes to a
*parser process* (``python -c``, never forked from the threaded server) that, for that document,

* refuses it before parsing when it nests deeper than :attr:`UploadLimits.depth` (a cheap
  lexical pre-scan: brackets outside strings, IRIs and comments for JSON-LD and Turtle-like
  formats; element depth through expat for RDF/XML, which also refuses any ``DOCTYPE`` or
  entity declaration),
* runs under ``RLIMIT_AS`` (:attr:`UploadLimits.memory_mb` above its start-up size) and
  ``RLIMIT_CPU``,
* stops at :attr:`UploadLimits.triples` triples,
* renames blank nodes apart (fresh labels) and answers N-Quads.

The server waits for it without blocking the event loop, kills it at
:attr:`UploadLimits.seconds` or as soon as the client disconnects, and turns every outcome into
a status: 400 (syntax), 413 (a size limit: triples, memory, time), 415 (media type), 422
(nesting depth, entity declarations, a document that crashes the parser). A parser process that
answered reads the next document (its limits are set again for each one); one that was killed,
ran out of memory or recursed too deep is never used again. One process is kept started ahead
of need, so a request does not pay for the interpreter's start-up.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import re
import signal
import struct
import subprocess
import sys
import threading
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["UploadLimits", "UploadRefused", "ClientGone", "ParserPool", "disconnect_event", "parse_in_child",
           "nesting_depth"]


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on reading one uploaded document (``basel-kg serve --upload-*``)."""

    #: Seconds to parse (and, for a write, plan) one document; the parser process is killed after.
    #: Also the time to validate one ``/validate`` document in the validator process (:mod:`.validator`).
    seconds: float = 30.0
    #: Memory the parser process may take beyond its start-up size, in MiB (and the validator
    #: process beyond its size before one check).
    memory_mb: int = 1024
    #: Most triples one request may carry.
    triples: int = 200_000
    #: Deepest nesting of brackets (JSON-LD, Turtle, TriG, N3) or XML elements (RDF/XML).
    depth: int = 128
    #: Parser processes running at once; more requests wait (their wait counts against ``seconds``).
    processes: int = 2


class UploadRefused(Exception):
    """The document cannot be taken: ``status`` and a message for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message

    def __reduce__(self):
        return type(self), (self.status, self.message)


# --------------------------------------------------------------------------- pre-scan

# Strings, IRIs and comments, skipped by the pre-scan. The string patterns are written as
# "unrolled loops" (no alternation under a repeat), so the regex engine needs no stack per
# character on a 16 MiB literal.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_TURTLE_SKIP = re.compile(
    rb"""\#[^\r\n]*
       | <[^<>"{}|^`\\\x00-\x20]*>
       | '''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''
       | \"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*\"\"\"
       | '[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'
       | "[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"
    """,
    re.VERBOSE | re.DOTALL,
)
_ALL_BYTES = bytes(range(256))


def _bracket_depth(code: bytes, opening: bytes, closing: bytes) -> int:
    brackets = code.translate(None, _ALL_BYTES.translate(None, opening + closing))
    depth = deepest = 0
    opens = set(opening)
    for byte in brackets:
        if byte in opens:
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


class _TooDeep(Exception):
    pass


def _xml_depth(body: bytes, limit: int) -> int:
    """Element depth of an XML document, stopping past ``limit``; refuses DTDs (and with them
    every entity declaration) and reports XML syntax errors as 400."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    depth = deepest = 0

    def start(name, attrs):
        nonlocal depth, deepest
        depth += 1
        deepest = max(deepest, depth)
        if depth > limit:
            raise _TooDeep

    def end(name):
        nonlocal depth
        depth -= 1

    def doctype(*args):
        raise UploadRefused(422, "RDF/XML with a DOCTYPE (entity declarations) is refused: entities are not expanded "
                                 "here. Write the values out in full.")

    def entity(*args):
        raise UploadRefused(422, "RDF/XML with entity declarations is refused: write the values out in full.")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(body, True)
    except _TooDeep:
        return limit + 1
    except expat.ExpatError as exc:
        raise UploadRefused(400, f"The RDF/XML document does not parse: {exc}") from None
    return deepest


def nesting_depth(body: bytes, format_name: str, limit: int) -> int:
    """How deep ``body`` nests (see the module docstring); past ``limit`` any value above it."""
    if format_name == "JSON-LD":
        return _bracket_depth(_JSON_STRING.sub(b"", body), b"[{", b"]}")
    if format_name in ("Turtle", "TriG", "N3", "SPARQL"):
        return _bracket_depth(_TURTLE_SKIP.sub(b"", body), b"[({", b"])}")
    if format_name == "RDF/XML":
        return _xml_depth(body, limit)
    return 0  # N-Triples, N-Quads: one statement a line, nothing nests


# --------------------------------------------------------------------------- the child


def parse_in_child(body: bytes, format_name: str, base_iri: str, limits: dict[str, Any]) -> tuple[bytes, int]:
    """In the parser process: pre-scan, parse, count, rename blank nodes; N-Quads and the count."""
    import pyoxigraph as ox

    fmt = next(f for f in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML,
                           ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.N3) if f.name == format_name)
    depth = nesting_depth(body, format_name, limits["depth"])
    if depth > limits["depth"]:
        raise UploadRefused(422, f"The {format_name} document nests deeper than {limits['depth']} levels "
                                 "(the nesting-depth limit of this server).")
    fresh: dict[str, Any] = {}

    def term(t):
        if isinstance(t, ox.BlankNode):
            return fresh.setdefault(t.value, ox.BlankNode())
        return t

    quads = []
    most = limits["triples"]
    try:
        for q in ox.parse(body, fmt, base_iri=base_iri):
            if len(quads) >= most:
                raise UploadRefused(413, f"The document has more than {most} triples (the per-request limit of "
                                         "this server); send it in parts.")
            quads.append(ox.Quad(term(q.subject), q.predicate, term(q.object), term(q.graph_name)))
    except UploadRefused:
        raise
    except MemoryError as exc:
        if "buffer maximal size" in str(exc):  # pyoxigraph's own bound on one token or line
            raise UploadRefused(413, "The document has a literal, IRI or line longer than 16 MiB, more than the "
                                     "parser reads in one piece.") from None
        raise UploadRefused(413, f"Reading the document needed more than {limits['memory_mb']} MiB (the memory "
                                 "limit for one document on this server).") from None
    except (SyntaxError, ValueError, OSError, UnicodeError) as exc:
        raise UploadRefused(400, f"The {format_name} document does not parse: {exc}") from None
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS), len(quads)


_LENGTH = struct.Struct("!Q")


def _read_frame(stream) -> Any:
    """One length-prefixed pickle from ``stream`` (the parent's pipe); EOFError at its end."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise EOFError
    (size,) = _LENGTH.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def _write_frame(stream, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _child_main() -> None:
    """Entry point of a parser process: for each request on stdin, limits, parse, one answer on
    stdout; it exits at the end of stdin, or after a document that ran it out of memory or
    recursion (its state is not trusted after that)."""
    import resource

    from ..limits import address_space, soft_limit

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            body, format_name, base_iri, limits = _read_frame(stdin)
        except EOFError:
            return
        # soft limits, set again for each document (the hard limits stay where they were)
        cap = address_space() + len(body) * 2 + limits["memory_mb"] * 2**20
        soft_limit(resource.RLIMIT_AS, cap)
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft_limit(resource.RLIMIT_CPU, int(used.ru_utime + used.ru_stime) + max(1, int(limits["seconds"]) + 1))
        try:  # the answer: ("ok", N-Quads, count) or ("refused", status, message), and whether this process goes on
            reply: Any = ("ok", *parse_in_child(body, format_name, base_iri, limits), True)
        except UploadRefused as exc:
            reply = ("refused", exc.status, exc.message, True)
        except MemoryError:
            reply = ("refused", 413, f"Reading the document needed more than {limits['memory_mb']} MiB (the memory "
                                     "limit for one document on this server).", False)
        except RecursionError:
            reply = ("refused", 422, "The document nests too deeply to be read.", False)
        del body
        soft_limit(resource.RLIMIT_AS, None)
        _write_frame(stdout, reply)
        if not reply[-1]:
            return


# --------------------------------------------------------------------------- the server side


def start_child(module: str, pids: set[int]) -> subprocess.Popen:
    """A fresh Python process running ``module._child_main()``, talking frames on stdin/stdout.

    Started from scratch (not forked from the threaded web server), in a session of its own,
    with this package importable; its pid goes into ``pids`` so that it is killed with its pool.
    """
    package_parent = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")])))
    process = subprocess.Popen(
        [sys.executable, "-c", f"from {module} import _child_main; _child_main()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    pids.add(process.pid)
    return process


class ParserPool:
    """Parser processes for one app: at most ``limits.processes`` at once, one kept ready.

    Plain :class:`subprocess.Popen` processes, waited for in worker threads, so that none is
    tied to an event loop (apps and their loops come and go in tests and benchmarks)."""

    def __init__(self, limits: UploadLimits):
        self.limits = limits
        self._slots: asyncio.Semaphore | None = None
        self._ready: list[subprocess.Popen] = []
        self._lock = threading.Lock()
        self._pids: set[int] = set()  # started and not yet reaped: killed when the pool goes
        weakref.finalize(self, _kill, self._pids)

    def _start(self) -> subprocess.Popen:
        return start_child("basel_kg.server.uploads", self._pids)

    def _take(self) -> subprocess.Popen:
        with self._lock:
            while self._ready:
                process = self._ready.pop()
                if process.poll() is None:
                    return process
                self._pids.discard(process.pid)
        return self._start()

    def _refill(self) -> None:
        with self._lock:
            if self._ready:
                return
        try:
            process = self._start()
        except OSError:
            return
        with self._lock:
            self._ready.append(process)

    def _finish(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            try:
                process.kill()
            except ProcessLookupError:
                pass
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        self._pids.discard(process.pid)

    async def parse(self, body: bytes, format_name: str, base_iri: str,
                    disconnected: Callable[[], Awaitable[None]] | None = None) -> tuple[bytes, int]:
        """N-Quads of ``body`` and its number of quads; raises :class:`UploadRefused`, or
        :class:`ClientGone` when ``disconnected`` finishes first (the parser is killed)."""
        limits = self.limits
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limits.seconds
        if self._slots is None:
            self._slots = asyncio.Semaphore(limits.processes)
        watcher = asyncio.ensure_future(disconnected()) if disconnected is not None else None
        try:
            acquire = asyncio.ensure_future(self._slots.acquire())
            await self._race(acquire, watcher, deadline)
            try:
                process = await asyncio.to_thread(self._take)
                talk = asyncio.ensure_future(asyncio.to_thread(_ask, process, (body, format_name, base_iri,
                                                                               asdict(limits))))
                reply = None
                try:
                    reply = await self._race(talk, watcher, deadline)
                finally:
                    if reply is not None and reply[-1] and process.poll() is None:  # it reads the next one
                        self._give_back(process)
                    else:  # stopped at the limit, for a client that left, or it stopped by itself
                        await asyncio.to_thread(self._finish, process)  # killed there
                        asyncio.ensure_future(asyncio.to_thread(self._refill))
            finally:
                self._slots.release()
        finally:
            if watcher is not None:
                watcher.cancel()
        return self._answer(reply, process.returncode)

    def _give_back(self, process: subprocess.Popen) -> None:
        with self._lock:
            if len(self._ready) < self.limits.processes:
                self._ready.append(process)
                return
        self._finish(process)  # more than are ever needed at once

    async def _race(self, task: asyncio.Future, watcher: asyncio.Future | None, deadline: float) -> Any:
        loop = asyncio.get_running_loop()
        waiting = {task} if watcher is None else {task, watcher}
        done, _ = await asyncio.wait(waiting, timeout=max(0.0, deadline - loop.time()),
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            return task.result()
        task.cancel()
        if watcher is not None and watcher in done:
            raise ClientGone
        raise UploadRefused(413, f"Reading the document took longer than {self.limits.seconds:g} s (the time limit "
                                 "for one document on this server); send it in parts.")

    def _answer(self, reply: Any, returncode: int | None) -> tuple[bytes, int]:
        limits = self.limits
        if reply is not None:
            if reply[0] == "ok":
                return reply[1], reply[2]
            raise UploadRefused(reply[1], reply[2])
        if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            raise UploadRefused(413, f"Reading the document took longer than {limits.seconds:g} s (the time limit "
                                     "for one document on this server); send it in parts.")
        if returncode == -signal.SIGABRT:  # Rust aborts when an allocation fails under RLIMIT_AS
            raise UploadRefused(413, f"Reading the document needed more than {limits.memory_mb} MiB (the memory "
                                     "limit for one document on this server).")
        raise UploadRefused(422, "The document made the parser stop (exit status "
                                 f"{returncode}); it was not read. Check its structure (nesting, size of literals).")

    def close(self) -> None:
        _kill(self._pids)
        self._ready.clear()


def _ask(process: subprocess.Popen, request: Any) -> Any:
    """Send one request to a parser process and read its answer; None when it stopped first."""
    try:
        _write_frame(process.stdin, request)
        return _read_frame(process.stdout)
    except (BrokenPipeError, OSError, ValueError, EOFError, pickle.UnpicklingError):  # killed meanwhile
        return None


def _kill(pids: set[int]) -> None:
    for pid in list(pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    pids.clear()


class ClientGone(Exception):
    """The client disconnected before its request was done: the work was stopped."""


def disconnect_event(request) -> asyncio.Event:
    """An event set when the client of ``request`` disconnects; call it once the body is read
    (it then owns the request's ``receive``)."""
    state = request.state
    event = getattr(state, "client_gone", None)
    if event is None:
        event = state.client_gone = asyncio.Event()

        async def watch() -> None:
            while True:
                message = await request.receive()
                if message["type"] == "http.disconnect":
                    event.set()
                    return

        state.client_watch = asyncio.ensure_future(watch())
    return event
