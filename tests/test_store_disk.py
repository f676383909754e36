"""The on-disk store keeps its query views on disk (``store/diskviews.py``): it answers exactly
as the in-memory store does, write after write and across restarts; a restart opens the views
instead of rebuilding them; views left behind by a write cut short are rebuilt; the views take a
write in a thread after it is answered, and whatever reads them waits for it; a worker reads one
snapshot while writes go on, and snapshots no worker uses are deleted."""

from __future__ import annotations

import errno
import gc
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from basel_kg.store import Delta, EmbeddedStore
from basel_kg.store import diskviews
from basel_kg.store.holder import Holder
from basel_kg.store.model import has_blank_node, nquads_of
from basel_kg.store.ipc import recv, send
from support.holders import refused_spawn

INFERRED = "urn:test:graph/inferred"
DATA = f"""
<urn:a> <urn:p> <urn:b> <urn:test:g1> .
<urn:a> <urn:p> <urn:b> <urn:test:g2> .
<urn:a> <urn:p> <urn:b> <{INFERRED}> .
<urn:a> <urn:label> "A"@en <urn:test:g1> .
<urn:b> <urn:p> <urn:c> <urn:test:g2> .
<urn:b> <urn:q> _:x <urn:test:g2> .
_:x <urn:r> "blank" <urn:test:g2> .
<urn:a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:Thing> <{INFERRED}> .
"""
_NEW = ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.NamedNode("urn:y"), ox.NamedNode("urn:test:g1"))
CONFIG = {"base_iri": "http://example.org/", "inferred_graphs": (INFERRED,), "prefixes": {},
          "worker_memory_mb": None, "memory_views_max": 0}  # the views on disk, however small the data

# what is compared between the stores: the union with set semantics, the asserted view, the
# named graphs, and a blank node joined across two statements
QUERIES = [
    ("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", True),
    ("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", False),
    ("SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?s ?p ?o", True),
    ("SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?s ?p ?o", False),
    ("SELECT ?g ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o", True),
    ("SELECT ?g ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o", False),
    ('SELECT ?s { ?s <urn:q> ?x . ?x <urn:r> "blank" }', True),
]


def _answers(store: EmbeddedStore) -> list:
    rows = []
    for sparql, inference in QUERIES:
        result = store.query(sparql, inference=inference, max_rows=None).solutions()
        rows.append([{k: None if isinstance(t, ox.BlankNode) else t for k, t in row.items()} for row in result])
    graphs = sorted((g.iri, g.triples) for g in store.graphs())
    return [rows, graphs, store.triples]


def _writes(store: EmbeddedStore) -> list:
    """The same writes on either store, each followed by the answers."""
    seen = [_answers(store)]
    store.put_graph("urn:test:g3", b"<urn:a> <urn:p> <urn:b> .\n<urn:x> <urn:p> <urn:y> .\n", format="nt")
    seen.append(_answers(store))
    store.delete_graph("urn:test:g1")  # <urn:a> <urn:p> <urn:b> stays in the union: g2, g3 hold it
    seen.append(_answers(store))
    store.apply(store.plan_update("DELETE WHERE { GRAPH <urn:test:g2> { <urn:b> <urn:q> ?x . ?x ?p ?o } }"))
    seen.append(_answers(store))
    store.apply(store.plan_update("INSERT DATA { GRAPH <urn:test:g4> { <urn:c> <urn:q> _:y . _:y <urn:r> \"blank\" } }"))
    seen.append(_answers(store))
    store.apply(store.plan_update(f"DROP GRAPH <{INFERRED}>"))
    seen.append(_answers(store))
    return seen


@pytest.mark.parametrize("views", ["on disk", "in memory"])
def test_an_on_disk_store_answers_as_the_in_memory_one_through_writes_and_restarts(tmp_path: Path, views):
    """With its views on disk (a large store) or read into memory (a small one)."""
    with EmbeddedStore(inferred_graphs=[INFERRED]) as memory:
        memory.load_dataset(DATA.encode(), version="v1")
        expected = _writes(memory)
    path = tmp_path / "store"
    limit = 0 if views == "on disk" else 1000
    with EmbeddedStore(path, inferred_graphs=[INFERRED], memory_views_max=limit) as disk:
        disk.load_dataset(DATA.encode(), version="v1")
        assert _writes(disk) == expected
        version = disk.version
    assert (path / diskviews.FOLDER / "full").is_dir() == (views == "on disk")
    with EmbeddedStore(path, inferred_graphs=[INFERRED], memory_views_max=limit) as again:
        assert again.version == version
        assert _answers(again) == expected[-1]
    with EmbeddedStore(path, inferred_graphs=[INFERRED], memory_views_max=1000 - limit) as other:
        assert _answers(other) == expected[-1], "the store grew or shrank past the limit: answers changed"


def test_a_restart_opens_the_views_on_disk_without_rebuilding_them(tmp_path: Path, monkeypatch):
    path = tmp_path / "store"
    with EmbeddedStore(path, inferred_graphs=[INFERRED], memory_views_max=0) as disk:
        disk.load_dataset(DATA.encode(), version="v1")
        disk.put_graph("urn:test:g3", b"<urn:x> <urn:p> <urn:y> .\n", format="nt")
        expected = _answers(disk)

    def refused(self, version):
        raise AssertionError("the views were rebuilt on a restart")

    monkeypatch.setattr(diskviews.DiskViews, "rebuild", refused)
    holder = Holder({**CONFIG, "path": str(path)})
    assert holder.triples == expected[2] and sorted(holder.counts) == expected[1]
    assert holder.views.full.query("ASK { <urn:x> <urn:p> <urn:y> }")


def test_views_left_behind_by_a_write_cut_short_are_rebuilt_from_the_store(tmp_path: Path, monkeypatch):
    """The write is committed to the store first; if the process dies before the views hold it,
    the next start sees views of an older version and rebuilds them from the store."""
    path = str(tmp_path / "store")
    holder = Holder({**CONFIG, "path": path})
    holder.replace(DATA.encode(), "v1", "test")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed while updating the views")

    monkeypatch.setattr(holder, "_write_views", killed)
    with pytest.raises(KeyboardInterrupt):
        holder.apply(Delta(add=(_NEW,)), "cut short")
    version = holder.version
    del holder
    monkeypatch.undo()
    rebuilt = []
    real = diskviews.DiskViews.rebuild
    monkeypatch.setattr(diskviews.DiskViews, "rebuild", lambda self, v: (rebuilt.append(v), real(self, v)))
    holder = Holder({**CONFIG, "path": path})
    assert rebuilt == [version] and holder.version == version
    assert holder.views.full.query("ASK { <urn:x> <urn:p> <urn:y> }")
    assert holder.views.asserted.query("ASK { GRAPH <urn:test:g1> { <urn:x> <urn:p> <urn:y> } }")


def _threaded_holder(tmp_path: Path) -> Holder:
    holder = Holder({**CONFIG, "path": str(tmp_path / "store")}, views_thread=True)
    holder.replace(DATA.encode(), "v1", "test")
    return holder


def _asks_new(holder: Holder) -> bool:
    return b"true" in holder.query(_request("ASK { <urn:x> <urn:p> <urn:y> }")).body


def _held_write(tmp_path: Path, monkeypatch) -> tuple[Holder, threading.Event]:
    """A holder with its views' thread that has applied a write of ``_NEW`` and holds that
    thread's work on it (what the views owe, written when they are read) until the event
    returned is set."""
    holder = _threaded_holder(tmp_path)
    go, started = threading.Event(), threading.Event()
    real = holder._take_write

    def slow(*args):
        started.set()
        assert go.wait(30)
        real(*args)

    monkeypatch.setattr(holder, "_take_write", slow)
    holder.apply(Delta(add=(_NEW,)), "write")
    assert started.wait(30), "the views' thread did not start"
    return holder, go


def test_the_views_take_a_write_in_their_thread_and_a_query_waits_for_them(tmp_path: Path, monkeypatch):
    """A write is answered before its views hold it; planning the next write does not wait for
    them, a query does, and then sees the write."""
    holder, go = _held_write(tmp_path, monkeypatch)
    assert not holder.views.full.query("ASK { <urn:x> <urn:p> <urn:y> }"), "the views took it before their thread"
    delta, existed = holder.plan_graph("put", "urn:test:g1", b"")  # reads the store, which has the write
    assert existed and _NEW in delta.remove
    answered: list[bool] = []
    asking = threading.Thread(target=lambda: answered.append(_asks_new(holder)))
    asking.start()
    asking.join(0.3)
    assert asking.is_alive() and not answered, "the query did not wait for the views"
    go.set()
    asking.join(30)
    assert answered == [True]
    assert diskviews.DiskViews.read_state(tmp_path / "store")["version"] == holder.version


def test_the_union_a_write_changes_is_worked_out_in_the_views_thread_and_its_size_waited_for(tmp_path: Path,
                                                                                         monkeypatch):
    """The union's bookkeeping of a write is off the write's path too: until the views' thread
    has done it the holder claims no size for the union (the counts of the named graphs are
    exact at once), and once settled its size is that of a holder without the thread."""
    plain = Holder({**CONFIG, "path": str(tmp_path / "plain")})
    plain.replace(DATA.encode(), "v1", "test")
    before = plain.triples
    holder = _threaded_holder(tmp_path)
    go, started = threading.Event(), threading.Event()
    real = Holder._view_changes

    def slow(self, *args):
        if self is holder:
            started.set()
            assert go.wait(30)
        return real(self, *args)

    monkeypatch.setattr(Holder, "_view_changes", slow)
    body = b"<urn:a> <urn:p> <urn:b> .\n<urn:n> <urn:p> <urn:m> .\n"  # one in the union already, one new
    for each in (plain, holder):
        each.apply(each.plan_graph("put", "urn:test:g5", body)[0], "put")
    assert started.wait(30), "the views' thread did not start"
    info = holder.info()
    assert info["triples"] is None and sorted(info["graphs"]) == sorted(plain.counts)
    go.set()
    holder.settle()
    assert holder.info()["triples"] == plain.triples == before + 1


def test_the_size_of_the_union_read_right_after_each_write_is_the_in_memory_stores(tmp_path: Path):
    """Through the store process (which answers a write before its views' thread has worked the
    union out): the size read at once is waited for, and is the in-memory store's."""
    bodies = [b"<urn:a> <urn:p> <urn:b> .\n<urn:x> <urn:p> <urn:y> .\n", b"<urn:x> <urn:p> <urn:z> .\n",
              b"<urn:a> <urn:label> \"A\"@en .\n", b""]
    with EmbeddedStore(inferred_graphs=[INFERRED]) as memory, \
            EmbeddedStore(tmp_path / "store", inferred_graphs=[INFERRED], memory_views_max=0) as disk:
        for store in (memory, disk):
            store.load_dataset(DATA.encode(), version="v1")
        for body in bodies:
            sizes = []
            for store in (memory, disk):
                store.put_graph("urn:test:g3", body, format="nt")
                sizes.append((store.triples, sorted((g.iri, g.triples) for g in store.graphs())))
            assert sizes[0] == sizes[1]


def test_the_graphs_a_planned_write_touches_are_read_while_it_is_checked_and_give_the_same_views(tmp_path: Path,
                                                                                             monkeypatch):
    """Planning a write on disk reads, in the views' thread, which graphs hold its statements;
    its apply works the union out from that read instead of reading again, with the same result
    as reading after the change (a statement in two graphs; one leaving the union; a blank node)."""
    writes = [("urn:test:g3", b"<urn:a> <urn:p> <urn:b> .\n<urn:x> <urn:p> <urn:y> .\n"),
              ("urn:test:g3", b"<urn:x> <urn:p> <urn:z> .\n_:n <urn:r> <urn:a> .\n"),
              ("urn:test:g2", b"<urn:b> <urn:p> <urn:c> .\n"),
              ("urn:test:g3", b"")]
    seen = []
    real = Holder._view_changes

    def spy(self, *args):
        seen.append(len(args[3]) if len(args) > 3 and args[3] else 0)
        return real(self, *args)

    monkeypatch.setattr(Holder, "_view_changes", spy)
    results = []
    for threaded in (True, False):
        holder = Holder({**CONFIG, "path": str(tmp_path / f"store-{threaded}")}, views_thread=threaded)
        holder.replace(DATA.encode(), "v1", "test")
        for graph, body in writes:
            holder.apply(holder.plan_graph("put", graph, body)[0], "put")
        holder.settle()
        results.append((sorted(holder.counts), holder.triples,
                        *(set(getattr(holder.views, v)) for v in ("full", "asserted"))))
    assert results[0][:2] == results[1][:2]
    assert {q for q in results[0][2] if not has_blank_node(q)} == {q for q in results[1][2] if not has_blank_node(q)}
    assert {q for q in results[0][3] if not has_blank_node(q)} == {q for q in results[1][3] if not has_blank_node(q)}
    assert all(seen[:4]) and not any(seen[4:]), seen  # read ahead in the thread, and only there


class _CountingStore:
    """A store that counts its scans of the statements of one triple (every graph)."""

    def __init__(self, store: ox.Store):
        self.store, self.scans = store, 0

    def quads_for_pattern(self, s, p, o, g=None):
        if s is not None and p is not None and o is not None and g is None:
            self.scans += 1
        return self.store.quads_for_pattern(s, p, o, g)

    def __getattr__(self, name):
        return getattr(self.store, name)

    def __contains__(self, quad):
        return quad in self.store


@pytest.mark.parametrize("views", ["on disk", "in memory"])
def test_statements_only_added_are_placed_in_the_union_from_the_views_without_scanning_the_store(tmp_path: Path,
                                                                                                views):
    """A statement a write only adds joins the union unless the views' union (which holds the
    store as it was before the write) has it: two lookups, no scan of the store's statements with
    that triple (a scan costs about 30 µs on disk at any size). A removed one is still looked up
    in the store. Either way the counts and the views are those of the same data loaded anew."""
    limit = 0 if views == "on disk" else 1000
    holder = Holder({**CONFIG, "path": str(tmp_path / "store"), "memory_views_max": limit})
    holder.replace(DATA.encode(), "v1", "test")
    counting = holder.raw = _CountingStore(holder.raw)
    if holder.disk is not None and holder.stored is not None:
        holder.disk = counting
    added = [("urn:test:g5", b"<urn:a> <urn:p> <urn:b> .\n<urn:n> <urn:p> <urn:m> .\n"),  # in the union already, new
             (INFERRED, b"<urn:b> <urn:p> <urn:c> .\n<urn:i> <urn:p> <urn:j> .\n")]  # asserted already, inferred only
    for graph, body in added:
        holder.apply(holder.plan_graph("post", graph, body)[0], "post")
    assert counting.scans == 0
    holder.apply(holder.plan_graph("put", "urn:test:g2", b"<urn:b> <urn:p> <urn:c> .\n")[0], "put")
    assert counting.scans > 0, "the statements g2 lost are looked up in the store"
    holder.settle()
    fresh = Holder({**CONFIG, "path": str(tmp_path / "fresh"), "memory_views_max": limit})
    fresh.replace(nquads_of(counting.store.quads_for_pattern(None, None, None, None)), "v2", "test")
    assert (sorted(holder.counts), holder.triples) == (sorted(fresh.counts), fresh.triples)
    for name in ("full", "asserted"):
        mine, theirs = (set(getattr(h.views, name).quads_for_pattern(None, None, None, ox.DefaultGraph()))
                        for h in (holder, fresh))
        assert {q for q in mine if not has_blank_node(q)} == {q for q in theirs if not has_blank_node(q)}
        inferred_only = ox.Quad(ox.NamedNode("urn:i"), ox.NamedNode("urn:p"), ox.NamedNode("urn:j"))
        assert (inferred_only in mine) == (name == "full")
        assert ox.Quad(ox.NamedNode("urn:n"), ox.NamedNode("urn:p"), ox.NamedNode("urn:m")) in mine


def _fresh_views(holder: Holder, tmp_path: Path) -> tuple:
    """What ``holder`` holds (counts, union size, each view without blank nodes), and the same
    of a holder that loaded its store's statements anew."""
    fresh = Holder({**CONFIG, "path": str(tmp_path / "fresh")})
    fresh.replace(nquads_of(holder._stored_quads()), "fresh", "test")
    return tuple((sorted((g, n) for g, n in h.counts if n), h.triples,
                  *({q for q in getattr(h.views, name) if not has_blank_node(q)} for name in ("full", "asserted")))
                 for h in (holder, fresh))


def test_the_views_on_disk_owe_writes_netted_until_read_and_then_hold_what_a_fresh_load_holds(tmp_path: Path,
                                                                                               monkeypatch):
    """In the store process the views on disk take no write until something reads them: each
    write's changes are owed, netted with the earlier ones (a graph replaced again and again owes
    its first and last contents only), and written in one go when read; then they hold what the
    same data loaded anew holds. A statement removed, then added to another graph, with the
    views not yet written: its place in the union is read from what they owe."""
    holder = _threaded_holder(tmp_path)
    # as in serve, where the write guard's copy plans the writes: nothing is read ahead
    monkeypatch.setattr(holder, "_read_graphs_later", lambda delta: None)
    real, written = holder._write_views, []

    def counted(*args):
        written.append(1)
        real(*args)

    monkeypatch.setattr(holder, "_write_views", counted)
    writes = [("put", "urn:test:g3", b"<urn:a> <urn:p> <urn:b> .\n<urn:x> <urn:p> <urn:y> .\n"),
              ("put", "urn:test:g3", b""),  # <urn:x> <urn:p> <urn:y> leaves the union
              ("post", "urn:test:g5", b"<urn:x> <urn:p> <urn:y> .\n"),  # and joins it again, only added
              ("put", "urn:test:g2", b""),  # <urn:b> <urn:p> <urn:c>, in the views, leaves the union
              ("post", "urn:test:g7", b"<urn:b> <urn:p> <urn:c> .\n"),  # and joins it again, only added
              ("delete", "urn:test:g1", b""),
              ("post", INFERRED, b"<urn:n> <urn:p> <urn:m> .\n"),
              ("put", "urn:test:g5", b"")]
    writes += [("put", "urn:test:g6", b"".join(f"<urn:r{n}> <urn:q> <urn:o{k}> .\n".encode() for k in range(21)))
               for n in range(30)]  # 30 replacements of 21 statements
    for operation, graph, body in writes:
        holder.apply(holder.plan_graph(operation, graph, body)[0], operation)
    holder.settle(views=False)
    assert written == [] and holder.owes()
    assert len(holder._owed) < 200, "g6, replaced 30 times, is owed more than its first and last contents"
    assert holder.triples is not None
    assert b"true" in holder.query(_request("ASK { <urn:b> <urn:p> <urn:c> }")).body
    assert written == [1] and not holder.owes()
    assert diskviews.DiskViews.read_state(tmp_path / "store")["version"] == holder.version
    mine, theirs = _fresh_views(holder, tmp_path)
    assert mine == theirs


def test_views_owing_more_than_the_limit_take_the_excess_in_their_thread(tmp_path: Path, monkeypatch):
    """Without a read, past :data:`OWED_MAX` owed statements each write has the views take the
    excess in their thread (a stream of new graphs: nothing nets out), without recording a
    version (they are between two) until they take the rest; then they hold what a fresh load
    holds."""
    from basel_kg.store import holder as holder_module

    monkeypatch.setattr(holder_module, "OWED_MAX", 30)
    holder = _threaded_holder(tmp_path)
    for n in range(6):
        holder.apply(holder.plan_graph("post", f"urn:test:new{n}",
                                       b"".join(f"<urn:s{n}> <urn:p> <urn:o{k}> .\n".encode() for k in range(5)))[0],
                     "post")
        holder.settle(views=False)
        assert len(holder._owed or ()) <= 30
    taken = sum(1 for q in holder.views.full.quads_for_pattern(None, None, None, None)
                if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith("urn:test:new"))
    assert taken > 0, "the views took none of the excess"
    assert diskviews.DiskViews.read_state(tmp_path / "store")["version"] == "v1"
    holder.settle()
    assert diskviews.DiskViews.read_state(tmp_path / "store")["version"] == holder.version
    mine, theirs = _fresh_views(holder, tmp_path)
    assert mine == theirs


def test_the_store_process_writes_what_its_views_owe_once_idle(tmp_path: Path):
    """The views on disk of the store process take what they owe after :data:`IDLE_PAY`
    seconds without a command, read or not (so a process killed after a burst of writes seldom
    leaves them to rebuild)."""
    from basel_kg.store.holder import IDLE_PAY

    path = tmp_path / "store"
    with EmbeddedStore(path, inferred_graphs=[INFERRED], memory_views_max=0) as store:
        store.load_dataset(DATA.encode(), version="v1")
        store.put_graph("urn:test:g3", b"<urn:x> <urn:p> <urn:y> .\n", format="nt")
        version = store.version
        deadline = time.monotonic() + IDLE_PAY + 10
        while diskviews.DiskViews.read_state(path)["version"] != version and time.monotonic() < deadline:
            time.sleep(0.05)
        assert diskviews.DiskViews.read_state(path)["version"] == version


def _snapshots(path: Path) -> set[str]:
    folder = path / "basel-kg-views" / "snapshots"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_once_queries_have_been_answered_an_idle_store_process_takes_the_next_snapshot(tmp_path: Path):
    """After a write, :data:`IDLE_PAY` seconds without a command also take the snapshot of the
    new version (once a query worker has been started): the next query's worker opens it, no
    snapshot is taken on its path, and it sees the write."""
    from basel_kg.store.holder import IDLE_PAY

    path = tmp_path / "store"
    ask = "ASK { <urn:x> <urn:p> <urn:y> }"
    with EmbeddedStore(path, inferred_graphs=[INFERRED], memory_views_max=0) as store:
        store.load_dataset(DATA.encode(), version="v1")
        store.put_graph("urn:test:g3", b"<urn:a> <urn:p> <urn:b> .\n", format="nt")
        assert store.query(ask).boolean() is False
        time.sleep(IDLE_PAY + 1.0)
        first = _snapshots(path)  # the query's snapshot (and older ones a live worker may still hold)
        assert first
        store.put_graph("urn:test:g3", b"<urn:x> <urn:p> <urn:y> .\n", format="nt")
        deadline = time.monotonic() + IDLE_PAY + 10
        while _snapshots(path) <= first and time.monotonic() < deadline:
            time.sleep(0.05)
        taken = _snapshots(path) - first
        assert len(taken) == 1, "the idle store process took the snapshot of the write"
        assert store.query(ask).boolean() is True, "the next query sees the write"
        assert _snapshots(path) - first == taken, "and its worker opened that snapshot: none taken for it"


def test_views_that_failed_to_take_a_write_take_it_when_next_read(tmp_path: Path, monkeypatch):
    holder = _threaded_holder(tmp_path)
    real, calls = holder._write_views, []

    def once_failing(*args):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.EIO, "a passing input/output error")
        real(*args)

    monkeypatch.setattr(holder, "_write_views", once_failing)
    holder.apply(Delta(add=(_NEW,)), "write")
    assert _asks_new(holder) and len(calls) == 2
    assert diskviews.DiskViews.read_state(tmp_path / "store")["version"] == holder.version


def test_views_that_cannot_take_a_write_on_a_full_disk_say_so_to_whoever_reads_them(tmp_path: Path, monkeypatch):
    from basel_kg.errors import StoreFull

    holder = _threaded_holder(tmp_path)

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(holder, "_write_views", full)
    holder.apply(Delta(add=(_NEW,)), "write")  # the store has it: the write is not refused
    assert any(q == _NEW for q in holder.raw.quads_for_pattern(None, None, None, _NEW.graph_name))
    with pytest.raises(StoreFull, match="query views could not take the last write") as raised:
        _asks_new(holder)
    monkeypatch.undo()
    version = holder.version
    del holder, raised  # (the traceback holds the holder, which holds the store's lock)
    gc.collect()
    reopened = Holder({**CONFIG, "path": str(tmp_path / "store")})  # state.json is behind: rebuilt
    assert reopened.version == version and _asks_new(reopened)


def test_the_stores_on_disk_are_flushed_after_so_many_removed_statements(tmp_path: Path, monkeypatch):
    """RocksDB keeps a removed statement as a tombstone in its memtable, which reads of the same
    keys step over until it is flushed: the holder flushes after FLUSH_AFTER removals."""
    from basel_kg.store import holder as holder_module

    monkeypatch.setattr(holder_module, "FLUSH_AFTER", 3)
    flushed = []
    monkeypatch.setattr(diskviews.DiskViews, "flush", lambda self: flushed.append(self.version))
    holder = Holder({**CONFIG, "path": str(tmp_path / "store")})
    holder.replace(DATA.encode(), "v1", "test")

    def put(n: int) -> None:
        body = "".join(f"<urn:x{n}> <urn:p> <urn:y{i}> .\n" for i in range(2)).encode()
        holder.apply(holder.plan_graph("put", "urn:test:g9", body)[0], "put")

    put(0)  # adds 2
    put(1)  # removes 2, adds 2
    holder._flushed()
    assert flushed == []
    put(2)  # removes 2 more: 4, past 3
    holder._flushed()
    assert flushed == [holder.version]
    put(3)  # 2 since
    holder._flushed()
    assert flushed == [flushed[0]]


def test_writes_do_not_wait_for_the_stores_to_be_flushed(tmp_path: Path, monkeypatch):
    """The flush runs in a thread of its own: writes (and the views taking them) go on while it
    runs, a flush asked for meanwhile is left out, and replacing the data waits for it."""
    import threading

    from basel_kg.store import holder as holder_module

    monkeypatch.setattr(holder_module, "FLUSH_AFTER", 1)
    release, started, flushed = threading.Event(), threading.Event(), []

    def slow_flush(self):
        started.set()
        assert release.wait(30)
        flushed.append(self.version)

    monkeypatch.setattr(diskviews.DiskViews, "flush", slow_flush)
    holder = _threaded_holder(tmp_path)  # as in serve: the views take each write in their thread
    for n in range(4):  # each removes 2 (past 1) from the second on: one flush starts, the others are left out
        body = f"<urn:x{n}> <urn:p> <urn:y> .\n<urn:x{n}> <urn:p> <urn:z> .\n".encode()
        holder.apply(holder.plan_graph("put", "urn:test:g9", body)[0], "put")
    assert started.wait(30) and flushed == []
    assert b"true" in holder.query(_request("ASK { <urn:x3> <urn:p> <urn:z> }")).body  # the views have the last write
    release.set()
    holder.replace(DATA.encode(), "v2", "test")  # waits for the flush before the stores are replaced
    assert len(flushed) == 1


def test_an_in_memory_store_and_its_views_are_made_afresh_after_many_removals(monkeypatch):
    """pyoxigraph's in-memory store keeps removed statements as history: the holder copies its
    store and makes its views again once more statements went out than it held (no minimum
    here), and answers as a store that never had the history."""
    import basel_kg.terms as terms_module

    monkeypatch.setattr(terms_module, "TIDY_MIN", 0)
    holder = Holder({**CONFIG, "path": None})
    holder.replace(DATA.encode(), "v1", "test")
    holder.apply(Delta(create=frozenset({"urn:test:empty"})), "an empty graph")
    first = holder.raw
    for n in range(12):
        body = "".join(f"<urn:x{n}> <urn:p> <urn:y{i}> .\n" for i in range(3)).encode()
        holder.apply(holder.plan_graph("put", "urn:test:g9", body)[0], "put")
    assert holder.raw is not first, "never made afresh"
    fresh = Holder({**CONFIG, "path": None})
    fresh.replace(holder.export(), "v2", "test")  # (N-Quads: no empty graph)
    assert sorted(holder.counts) == sorted([*fresh.counts, ("urn:test:empty", 0)]) and holder.triples == fresh.triples
    assert holder.raw.contains_named_graph(ox.NamedNode("urn:test:empty"))
    for view in ("full", "asserted"):
        assert set(getattr(holder.views, view)) == set(getattr(fresh.views, view)), view


def _request(sparql: str) -> dict:
    """A query as a holder or a worker takes it (the union as default graph, every row)."""
    from basel_kg.store import ResultFormats

    return {"sparql": sparql, "default_graph_uris": (), "named_graph_uris": (), "union_default": True,
            "inference": True, "has_from": False, "formats": ResultFormats(), "max_rows": None}


def _ask(worker, sparql: str) -> bool:
    send(worker.sock, _request(sparql))
    status, result = recv(worker.sock)
    assert status == "ok", result
    return b"true" in result.body


def test_a_worker_keeps_its_snapshot_through_writes_and_unused_snapshots_are_deleted(tmp_path: Path):
    path = tmp_path / "store"
    snapshots = path / diskviews.FOLDER / "snapshots"
    with EmbeddedStore(path, inferred_graphs=[INFERRED], workers=2, prefork=0, memory_views_max=0) as store:
        store.load_dataset(DATA.encode(), version="v1")
        old = store._pool._acquire()  # a worker busy through the next writes
        store.put_graph("urn:test:g3", b"<urn:x> <urn:p> <urn:y> .\n", format="nt")
        store.put_graph("urn:test:g3", b"<urn:x> <urn:p> <urn:z> .\n", format="nt")
        assert store.query("ASK { <urn:x> <urn:p> <urn:z> }").boolean()
        assert not _ask(old, "ASK { <urn:x> <urn:p> ?o }"), "the busy worker saw a write made after it started"
        assert _ask(old, "ASK { <urn:a> <urn:p> <urn:b> }")
        busy = sorted(snapshots.iterdir(), key=lambda p: int(p.name))
        assert len(busy) == 2, "the busy worker's snapshot and the current one are kept, the one between deleted"
        store._pool._release(old)  # stale: the pool lets it go, and it exits
        deadline = time.monotonic() + 10
        while _alive(old.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        store.put_graph("urn:test:g3", b"<urn:x> <urn:p> <urn:w> .\n", format="nt")
        # (the views take a write in a thread, and let unused snapshots go then: a query waits for it)
        assert store.query("ASK { <urn:x> <urn:p> <urn:w> }").boolean()
        assert not busy[0].exists(), "the snapshot no worker uses any more was kept"


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_load_builds_the_views_once(tmp_path: Path, monkeypatch):
    """A small store grown past the limit by a load: its views are built once, not twice."""
    rebuilt = []
    real = diskviews.DiskViews.rebuild
    monkeypatch.setattr(diskviews.DiskViews, "rebuild", lambda self, v: (rebuilt.append(v), real(self, v)))
    holder = Holder({**CONFIG, "path": str(tmp_path / "store"), "memory_views_max": 3})
    assert holder.stored is None, "an empty store is read into memory"
    holder.replace(DATA.encode(), "v1", "test")
    assert holder.stored is not None and rebuilt == ["v1"]
    holder.replace(DATA.encode(), "v1", "test again")
    assert rebuilt == ["v1", "v1"], "the same version loaded again: its views are rebuilt all the same"
    assert holder.views.full.query("ASK { <urn:b> <urn:p> <urn:c> }")


def test_views_rebuilt_over_a_previous_runs_snapshots(tmp_path: Path):
    """Views rebuilt on opening (here: the store was replaced behind them) start from a clean
    snapshots folder: a previous run's snapshots do not stop the store from opening."""
    path = str(tmp_path / "store")
    holder = Holder({**CONFIG, "path": path})
    holder.replace(DATA.encode(), "v1", "test")
    del holder
    holder = Holder({**CONFIG, "path": path})  # a plain restart: its snapshot is the first again
    del holder
    raw = ox.Store(path)
    raw.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.NamedNode("urn:y"), ox.NamedNode("urn:test:g1")))
    raw.update("DELETE { GRAPH <urn:x-basel-kg:store> { ?s <http://www.w3.org/2002/07/owl#versionInfo> ?v } } "
               "INSERT { GRAPH <urn:x-basel-kg:store> { ?s <http://www.w3.org/2002/07/owl#versionInfo> \"v2\" } } "
               "WHERE { GRAPH <urn:x-basel-kg:store> { ?s <http://www.w3.org/2002/07/owl#versionInfo> ?v } }")
    del raw
    holder = Holder({**CONFIG, "path": path})
    assert holder.version == "v2"
    assert holder.views.full.query("ASK { <urn:x> <urn:p> <urn:y> }")


def _snapshot_count(path: Path) -> int:
    folder = path / diskviews.FOLDER / "snapshots"
    return sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0


def test_writes_take_no_snapshot_and_the_next_query_sees_them(tmp_path: Path):
    """A snapshot (a RocksDB checkpoint of the store and both views, hundreds of milliseconds at
    scale) is taken when a query process needs newer data than the last one holds, not per
    write: a stream of writes takes none, the query after it one, and it sees every write."""
    path = tmp_path / "store"
    with EmbeddedStore(path, inferred_graphs=[INFERRED], workers=2, prefork=0, memory_views_max=0) as store:
        store.load_dataset(DATA.encode(), version="v1")
        assert store.query("ASK { <urn:a> <urn:p> <urn:b> }").boolean()
        assert _snapshot_count(path) == 1
        for n in range(3):
            store.put_graph("urn:test:g3", f"<urn:x> <urn:p> <urn:v{n}> .\n".encode(), format="nt")
        assert _snapshot_count(path) == 1, "a write took a snapshot"
        assert store.query("ASK { <urn:x> <urn:p> <urn:v2> }").boolean(), "the query after the writes missed them"
        assert not store.query("ASK { <urn:x> <urn:p> <urn:v1> }").boolean()
        taken = [int(p.name) for p in (path / diskviews.FOLDER / "snapshots").iterdir()]
        assert max(taken) == 2, "three writes and a query took more than one snapshot"


def test_a_trusted_query_runs_in_the_store_process_on_the_data_just_written(tmp_path: Path, monkeypatch):
    """``trusted=True`` (the program's own small query, e.g. the search index's after a write) is
    answered by the store process, on the dataset as stored (its named graphs; the default graph
    the store's own, not the union): no query process is started, no snapshot taken."""
    path = tmp_path / "store"
    with EmbeddedStore(path, inferred_graphs=[INFERRED], workers=2, prefork=0, memory_views_max=0) as store:
        store.load_dataset(DATA.encode(), version="v1")
        store.put_graph("urn:test:g3", b"<urn:x> <urn:p> <urn:y> .\n", format="nt")

        def refused():
            raise AssertionError("a query process was started for a trusted query")

        monkeypatch.setattr(store._pool, "spawn", refused)
        rows = store.query("SELECT ?g ?o { GRAPH ?g { <urn:x> <urn:p> ?o } }", trusted=True).solutions()
        assert [(r["g"].value, r["o"].value) for r in rows] == [("urn:test:g3", "urn:y")]
        assert store.query(f"ASK {{ GRAPH <{INFERRED}> {{ <urn:a> a <urn:Thing> }} }}", trusted=True).boolean()
        assert store.query("ASK { <urn:x> <urn:p> <urn:y> }", trusted=True).boolean() is False  # no union
        assert _snapshot_count(path) == 0
        with pytest.raises(Exception, match="(?i)syntax|parse|expected"):
            store.query("SELECT WHERE {", trusted=True)


def test_a_trusted_query_sees_a_write_before_the_views_take_it(tmp_path: Path, monkeypatch):
    """It reads the store itself, which holds a write once it is applied: it does not wait for
    the views' thread (a write's update of the search index would wait for both views)."""
    holder, go = _held_write(tmp_path, monkeypatch)
    ask = "ASK { GRAPH <urn:test:g1> { <urn:x> <urn:p> <urn:y> } }"
    assert b"true" in holder.query({**_request(ask), "stored": True}).body
    assert not holder.views.full.query("ASK { <urn:x> <urn:p> <urn:y> }"), "the views took the write already"
    go.set()
    assert _asks_new(holder)


@pytest.mark.parametrize("limit", [0, 1000])
def test_an_n_quads_file_is_loaded_by_the_store_process_as_its_bytes_would_be(tmp_path: Path, limit):
    """``load_dataset(path, version=...)`` of an N-Quads file: the store process reads the file
    itself (nothing copied through the caller); the extra graphs are loaded with it."""
    source = tmp_path / "data.nq"
    source.write_text(DATA)
    extra = {"urn:test:g5": b"<urn:e> <urn:p> <urn:f> .\n"}
    with EmbeddedStore(inferred_graphs=[INFERRED]) as memory:
        memory.load_dataset(DATA.encode(), graphs=extra, version="v1")
        expected = _answers(memory)
    with EmbeddedStore(tmp_path / "store", inferred_graphs=[INFERRED], memory_views_max=limit) as disk:
        disk.load_dataset(source, graphs=extra, version="v1")
        assert _answers(disk) == expected
        assert disk.version == "v1"


def test_no_worker_is_started_on_views_on_disk_that_failed_to_take_a_write(tmp_path: Path, monkeypatch):
    """As in memory: when the views on disk could not take the last write (whatever the error,
    and again when retried), ``spawn`` tells the parent that no worker could be started
    (``E`` then the error) instead of raising out of the store process's command loop."""
    holder = _threaded_holder(tmp_path)

    def broken(*args):
        raise RuntimeError("the views' writer broke")

    monkeypatch.setattr(holder, "_write_views", broken)
    holder.apply(Delta(add=(_NEW,)), "write")
    assert "the views' writer broke" in refused_spawn(holder)
