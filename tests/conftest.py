"""Shared fixtures. Keep this file small: put helpers that only one test file needs in that file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.net import Listener
from support.projects import make_mini_project

ROOT = Path(__file__).resolve().parents[1]


_SESSION_CACHE: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Builds made by the tests (and the CLI they run) go to a cache of this session, not the user's."""
    import tempfile

    if "BASEL_KG_CACHE" not in os.environ:
        os.environ["BASEL_KG_CACHE"] = tempfile.mkdtemp(prefix="basel-kg-test-cache-")
        _SESSION_CACHE.append(os.environ["BASEL_KG_CACHE"])


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _SESSION_CACHE:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def shipped_store():
    """The shipped knowledge graph (sources, graph/inferred, graph/void) in an in-process Store,
    built once per session: what `basel-kg query` and the library answer from."""
    from support.shipped import shipped_store

    return shipped_store()


@pytest.fixture()
def client(server):
    """An HTTP client for the module's `server` fixture (a running basel-kg server)."""
    import httpx

    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture
def mini_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small project folder: the real ontology plus tests/fixtures/mini-project (data, shapes, queries).

    BASEL_KG_ROOT points at it for the duration of the test, so the library and the CLI use it.
    """
    root = make_mini_project(tmp_path)
    monkeypatch.setenv("BASEL_KG_ROOT", str(root))
    return root


@pytest.fixture(scope="session")
def mini_release(tmp_path_factory: pytest.TempPathFactory):
    """The mini project built and released once per test session: (KnowledgeGraph, Release). Read only."""
    from basel_kg.build import build_knowledge_graph
    from basel_kg.release import write_release

    folder = tmp_path_factory.mktemp("mini-release")
    kg = build_knowledge_graph(root=make_mini_project(folder))
    return kg, write_release(kg, folder / "dist")


@pytest.fixture
def run_cli():
    """Run ``python -m basel_kg ARGS...`` in a subprocess (the real entry point); returns CompletedProcess."""

    def run(*args: str, cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "basel_kg", *map(str, args)],
            capture_output=True, text=True, cwd=cwd, input=input, env=dict(os.environ), timeout=300,
        )

    return run


@pytest.fixture(scope="module")
def shipped_server():
    """A read-only server over the shipped data (uvicorn in a background thread on 127.0.0.1
    and a free port), for the tests of one module; stopped at the module's end."""
    from basel_kg.server import Settings, create_app
    from basel_kg.server.background import BackgroundServer
    from basel_kg.sources import load_sources
    from basel_kg.store import EmbeddedStore

    with EmbeddedStore() as store:
        store.load_dataset(load_sources())
        with BackgroundServer(create_app(Settings(store=store))) as running:
            yield running


@pytest.fixture
def listener():
    canary = Listener("data.ttl")
    yield canary
    canary.close()
