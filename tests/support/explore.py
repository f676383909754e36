"""A read-only server over the shipped data WITH its inferred graph and VoID description, as
`basel-kg serve` runs it: the explore views and entity pages show entailments (folded), so
their tests need them. The store is the test session's shared one (support.shipped.shipped_store)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from support.shipped import shipped_store


@contextmanager
def reasoned_server() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(Settings(store=shipped_store()))) as running:
        yield running
