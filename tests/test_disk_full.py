"""A full disk: a write gets 507 with a plain message (no internal path) and changes nothing,
reads go on, and a store (re)opened on a full disk opens read-only instead of failing.

Two ways: a real full disk (a 4 MiB tmpfs, when this test may mount one: root on Linux) through
the whole server, and a simulated ENOSPC inside the store process's code, which runs anywhere."""

from __future__ import annotations

import errno
import shutil
import subprocess
import uuid
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from basel_kg.errors import StoreFull
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.store import Delta, EmbeddedStore
from basel_kg.store import holder as holder_module

TOKEN = "disk-full-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"}
DATA = b'<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n'
CONFIG = {"base_iri": "http://example.org/", "inferred_graphs": (), "prefixes": {}, "worker_memory_mb": None}
ENOSPC = OSError(errno.ENOSPC, "IO error: No space left on device: While appending to file: /secret/path/000010.log")


def _quad(i: int) -> ox.Quad:
    return ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"), ox.Literal(str(i)),
                   ox.NamedNode("http://example.org/g"))


class _FullDisk:
    """An on-disk store whose every write fails as RocksDB's do when the disk is full."""

    def update(self, *args, **kwargs):
        raise ENOSPC

    clear = extend = flush = update


def test_a_write_on_a_full_disk_raises_store_full_and_changes_nothing():
    holder = holder_module.Holder({**CONFIG, "path": None})
    holder.apply(Delta(add=(_quad(0),)), "first")
    version, triples = holder.version, holder.triples
    holder.disk = _FullDisk()
    with pytest.raises(StoreFull) as full:
        holder.apply(Delta(add=(_quad(1),)), "second")
    assert "/secret/path" not in str(full.value)
    assert holder.version == version and holder.triples == triples and _quad(1) not in holder.raw


def test_a_store_opened_on_a_full_disk_is_read_only(tmp_path, monkeypatch):
    with EmbeddedStore(tmp_path / "store") as store:
        store.load_dataset(DATA)
    real = ox.Store

    def store_on_full_disk(path=None):
        if path is not None:
            raise ENOSPC
        return real()

    store_on_full_disk.read_only = real.read_only
    monkeypatch.setattr(holder_module.ox, "Store", store_on_full_disk)
    holder = holder_module.Holder({**CONFIG, "path": str(tmp_path / "store")})
    assert holder.read_only and holder.info()["read_only"]
    assert holder.triples == 1
    with pytest.raises(StoreFull):
        holder.apply(Delta(add=(_quad(1),)), "refused")


@pytest.fixture()
def small_disk(tmp_path):
    """A 4 MiB tmpfs, or skip when this process may not mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root): the simulated tests above cover the logic")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> None:
    try:
        with open(disk / "filler", "wb") as f:
            while True:
                f.write(b"x" * 65536)
                f.flush()
    except OSError as exc:
        assert exc.errno == errno.ENOSPC


@pytest.mark.slow
def test_a_real_full_disk_through_the_server(small_disk):
    path = small_disk / "store"
    with EmbeddedStore(path) as store:
        store.load_dataset(DATA)
        settings = Settings(store=store, write_tokens=(("tester", TOKEN),), reasoning=False, provenance_graph=None)
        with BackgroundServer(create_app(settings)) as running, httpx.Client(base_url=running.url, timeout=30) as c:
            ok = c.put("/store", params={"graph": "https://example.org/before"}, headers=AUTH,
                       content=b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
            assert ok.status_code == 201, ok.text
            _fill(small_disk)
            big = "".join(f'<http://example.org/n{i}> <http://example.org/b> "{uuid.uuid4().hex * 4}" .\n'
                          for i in range(2000)).encode()
            full = c.put("/store", params={"graph": "https://example.org/after"}, headers=AUTH, content=big)
            assert full.status_code == 507, full.text
            assert "disk is full" in full.text and str(small_disk) not in full.text
            assert c.get("/store", params={"graph": "https://example.org/after"}).status_code == 404
            assert c.get("/store", params={"graph": "https://example.org/before"}).status_code == 200
            assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
    with EmbeddedStore(path) as store:  # a restart on the full disk
        assert store.read_only
        settings = Settings(store=store, write_tokens=(("tester", TOKEN),), reasoning=False, provenance_graph=None)
        with BackgroundServer(create_app(settings)) as running, httpx.Client(base_url=running.url, timeout=30) as c:
            assert c.get("/store", params={"graph": "https://example.org/before"}).status_code == 200
            refused = c.put("/store", params={"graph": "https://example.org/later"}, headers=AUTH,
                            content=b"<http://example.org/a> <http://example.org/b> <http://example.org/d> .\n")
            assert refused.status_code == 507 and str(small_disk) not in refused.text
            health = c.get("/health").json()
            assert health["status"] == "ok" and health["writable"] is False
