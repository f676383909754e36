"""A read-only server over the shipped data WITH its inferred graph, as `basel-kg serve` runs it:
the explore views and entity pages show entailments (folded), so their tests need them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from basel_kg.cache import built
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.store import EmbeddedStore
from support import ROOT


@contextmanager
def reasoned_server() -> Iterator[BackgroundServer]:
    build = built(ROOT)  # built once per test session (the cache), shared with the competency-question tests
    with EmbeddedStore() as store:
        store.load_dataset(build.nquads, version=build.version)  # graphs, graph/inferred, graph/void
        with BackgroundServer(create_app(Settings(store=store))) as running:
            yield running
