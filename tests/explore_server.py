"""A read-only server over the shipped data WITH its inferred graph, as `basel-kg serve` runs it:
the explore views and entity pages show entailments (folded), so their tests need them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from basel_kg.namespaces import GRAPH
from basel_kg.release import void_description
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.store import EmbeddedStore
from kgtest import _knowledge_graph


@contextmanager
def reasoned_server() -> Iterator[BackgroundServer]:
    kg = _knowledge_graph()  # built once per test session, shared with the competency-question tests
    with EmbeddedStore() as store:
        void = void_description(kg).serialize(format="nt", encoding="utf-8")
        store.load_dataset(kg.dataset, graphs={str(GRAPH.VOID): void})
        with BackgroundServer(create_app(Settings(store=store))) as running:
            yield running
