"""Servers in tests: free ports, listeners that must never be contacted, and the small project a
server subprocess serves."""

from __future__ import annotations

import http.server
import shutil
import socket
import threading
from pathlib import Path

import pytest

from basel_kg.namespaces import BASE

#: The one data file of :func:`small_project`.
SMALL_DATA = f"""@prefix bkg: <{BASE}ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}mea/basel> a bkg:Convention ; rdfs:label "Basel Convention"@en .
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_http(handler: type[http.server.BaseHTTPRequestHandler]) -> tuple[http.server.ThreadingHTTPServer, str]:
    """``handler`` served on a free 127.0.0.1 port by a daemon thread: the server (shut it down when
    done) and its origin, ``http://127.0.0.1:PORT``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def small_project(folder: Path) -> Path:
    """A project with the real ontology, one small data file, and no shapes or queries."""
    from basel_kg.project import ontology_file

    root = folder / "project"
    (root / "ontology").mkdir(parents=True)
    shutil.copy(ontology_file(), root / "ontology" / "basel-kg.ttl")
    (root / "data").mkdir()
    (root / "data" / "reference.ttl").write_text(SMALL_DATA, encoding="utf-8")
    (root / "shapes").mkdir()
    (root / "queries" / "published").mkdir(parents=True)
    return root


class Listener:
    """A local port that listens but must never be contacted: the canary of "fetches nothing"."""

    def __init__(self, path: str) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen()
        self._socket.setblocking(False)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}/{path}"

    def assert_never_contacted(self) -> None:
        with pytest.raises(BlockingIOError):
            self._socket.accept()

    def close(self) -> None:
        self._socket.close()
