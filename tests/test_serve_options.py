"""``basel-kg serve`` start-up options that the scale benchmark relies on: the result cache can be
switched off (``--result-cache 0``: every query runs), and the supervisor's listening socket
switches Nagle's algorithm off for the connections it accepts (else each response waits ~40 ms
for the client's delayed ACK)."""

from __future__ import annotations

import argparse
import contextlib
import socket
import subprocess
import sys

import uvicorn

from basel_kg.server.cli import add_serve_arguments, listening_socket
from basel_kg.server.common import ResultCache
from basel_kg.store.model import QueryResult


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return parser.parse_args(list(argv))


def test_result_cache_option_sets_the_cache_size_and_zero_keeps_nothing():
    from basel_kg.server.cli import _settings

    assert _settings(_args(), store=None, root=None, dumps=None).cache_bytes == 64 * 2**20
    assert _settings(_args("--result-cache", "8"), store=None, root=None, dumps=None).cache_bytes == 8 * 2**20
    settings = _settings(_args("--result-cache", "0"), store=None, root=None, dumps=None)
    assert settings.cache_bytes == 0
    cache = ResultCache(settings.cache_bytes)
    cache.put("key", QueryResult(kind="select", media_type="application/json", body=b"{}", version="v"))
    assert cache.get("key") is None


def test_supervisor_socket_accepts_connections_with_nagle_off():
    config = uvicorn.Config("basel_kg.server.cli:supervised_app", host="127.0.0.1", port=0)
    server = listening_socket(config)
    try:
        assert server.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        server.listen()
        with socket.create_connection(server.getsockname()[:2]):
            accepted, _ = server.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        server.close()


def test_the_supervisor_prepares_the_store_in_a_child_and_raises_its_error(tmp_path, monkeypatch):
    """The build (gigabytes at scale) runs in a child process the supervisor waits for, so the
    long-lived supervisor never holds the graph; a build error comes back as the same exception (or the nearest class of it that can cross a process boundary)."""
    import os

    import pytest

    from basel_kg.server.cli import _prepare_in_child
    from basel_kg.errors import InputError
    from support.net import small_project

    project = small_project(tmp_path)
    monkeypatch.setenv("BASEL_KG_ROOT", str(project))
    monkeypatch.setenv("BASEL_KG_CACHE", str(tmp_path / "cache"))
    args = _args("--store", str(tmp_path / "store"), "--dumps", str(tmp_path))
    assert _prepare_in_child(args) == tmp_path
    assert (tmp_path / "store").is_dir() and os.listdir(tmp_path / "cache"), "the child built and loaded the store"
    (project / "data" / "broken.ttl").write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="broken.ttl:1:17"):  # ParseError does not pickle: its base class
        _prepare_in_child(args)


def test_memory_views_option_chooses_where_the_store_keeps_its_query_views(tmp_path):
    """``--memory-views 0`` keeps the views of even a small store on disk; the default reads a
    small store into memory."""
    from basel_kg.server.cli import _open_store
    from basel_kg.store.diskviews import FOLDER

    data = b"<urn:a> <urn:p> <urn:b> <urn:g> .\n"
    for argv, on_disk in ((("--memory-views", "0"), True), ((), False)):
        path = tmp_path / ("disk" if on_disk else "memory")
        store = _open_store(_args("--store", str(path), *argv))
        try:
            store.load_dataset(data)
            assert store.query("ASK { <urn:a> <urn:p> <urn:b> }").boolean()
        finally:
            store.close()
        assert (path / FOLDER / "full").is_dir() == on_disk


@contextlib.contextmanager
def _held(path):
    """The store at ``path`` opened by another process (RocksDB's lock is a POSIX record lock,
    which a process never conflicts with itself on) for the ``with`` block."""
    other = subprocess.Popen([sys.executable, "-c", "import sys, time, pyoxigraph as ox; s = ox.Store(sys.argv[1]); "
                              "print('open', flush=True); time.sleep(600)", str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "open"
        yield
    finally:
        other.kill()
        other.wait()


def test_a_store_open_in_another_process_is_named_as_such(tmp_path):
    """RocksDB lets one process open a store at a time: the store process reports a store in
    use as :class:`StoreInUse` (with its path), not as RocksDB's "IO error ... LOCK"."""
    import pyoxigraph as ox
    import pytest

    from basel_kg.errors import StoreInUse
    from basel_kg.store import EmbeddedStore
    from basel_kg.store.holder import in_use

    path = tmp_path / "store"
    assert not in_use(str(path)), "no store there yet"
    with _held(path):
        assert in_use(str(path))
        with pytest.raises(StoreInUse, match=f"the store at {path} is in use by another process"):
            EmbeddedStore(str(path))
    assert not in_use(str(path))
    store = EmbeddedStore(str(path))  # free again
    store.close()


def test_a_store_held_by_an_exiting_process_is_opened_once_it_is_let_go(tmp_path):
    """:func:`open_when_free` (what a restarted server process and the benchmarks open the store
    with) tries again while another process holds the store, and gives up after its time."""
    import threading
    import time

    import pytest

    from basel_kg.errors import StoreInUse
    from basel_kg.store import EmbeddedStore
    from basel_kg.store.holder import open_when_free

    path = tmp_path / "store"
    with _held(path):
        start = time.monotonic()
        with pytest.raises(StoreInUse):
            open_when_free(lambda: EmbeddedStore(str(path)), 1.0, every=0.2)
        assert 1.0 <= time.monotonic() - start < 30

    held, let_go = threading.Event(), threading.Event()

    def hold() -> None:
        with _held(path):
            held.set()
            let_go.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(60)
    threading.Timer(1.0, let_go.set).start()
    store = open_when_free(lambda: EmbeddedStore(str(path)), 60, every=0.2)
    try:
        assert let_go.is_set(), "opened only once the other process let the store go"
        assert store.alive()
    finally:
        store.close()
        holder.join()


def test_serve_on_a_store_in_use_stops_at_once_with_a_clear_error(tmp_path):
    """A second ``serve`` on a store another process holds exits 1 at once, saying so, instead of
    a supervisor starting server processes that each fail to open it (which went on forever,
    each leaving a RocksDB log file behind)."""
    import os
    import time
    from pathlib import Path

    from support.net import free_port

    path = tmp_path / "store"
    with _held(path):
        files = set(os.listdir(path))
        start = time.monotonic()
        done = subprocess.run([str(Path(sys.executable).with_name("basel-kg")), "serve", "--store", str(path),
                               "--port", str(free_port())], capture_output=True, text=True, timeout=120)
        assert done.returncode == 1, done.stderr
        assert f"the store at {path} is in use by another process" in done.stderr
        assert "Traceback" not in done.stderr
        assert time.monotonic() - start < 60
        assert set(os.listdir(path)) == files, "the store was not opened (each opening leaves a log file)"


def test_a_server_process_that_cannot_open_its_store_stops_the_supervisor(tmp_path, monkeypatch):
    """When the store is taken between the supervisor's check and the server process's start
    (or held longer than ``STORE_WAIT_SECONDS`` by an exiting one), the server process exits with
    uvicorn's start-up failure code, on which the supervisor stops instead of restarting it."""
    import json

    import pytest
    from uvicorn.config import STARTUP_FAILURE

    from basel_kg.server import cli

    path = tmp_path / "store"
    monkeypatch.setattr(cli, "STORE_WAIT_SECONDS", 0.5)
    options = {k: v for k, v in vars(_args("--store", str(path))).items()
               if isinstance(v, (str, int, float, bool, list, type(None)))}
    monkeypatch.setenv(cli._ARGS_ENV, json.dumps({**options, "dumps": None, "kg_version": "v", "fingerprint": "f"}))
    with _held(path), pytest.raises(SystemExit) as stopped:
        cli.supervised_app()
    assert stopped.value.code == STARTUP_FAILURE
