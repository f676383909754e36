"""Check a write before it happens: the entailments it brings, and SHACL where it can matter.

A write must never let the knowledge graph take in data that breaks the shapes, but
validating the whole graph on every write would cost seconds. :class:`WriteGuard` keeps an
in-memory copy of the graph (a pyoxigraph store), applies a proposed
:class:`basel_kg.store.Delta` to it, and validates only what the change can affect:

1. **Entailments**: the guard keeps a :class:`basel_kg.reasoning.IncrementalReasoner`
   over its copy; the write's added and removed statements go through it (semi-naive
   evaluation from the added statements, delete-and-rederive for the removed ones; a change
   to the ontology recomputes the whole closure), giving what the write adds to and
   withdraws from ``graph/inferred``.
2. **Focus nodes**: :func:`basel_kg.validation.affected_nodes` of the changed statements
   (asserted and inferred): the nodes whose shapes can read them (the shapes' read plan
   walked backwards from each statement, in the after-state and the removed statements),
   not vocabulary terms. A node a shape aims at with ``sh:targetNode`` is one of them when
   the plan leads from it to the change, like any other.
3. **Validation.** SHACL validates each shape on the focus nodes it targets, against what
   the shapes can read from them (:func:`basel_kg.validation.neighbourhood`, read from the
   copy's store through its indexes) in the graph as it would be after the write (no
   inference: the entailments of step 1 are in the copy). Shapes whose reads the plan
   cannot follow (a SPARQL check not linked to ``$this``, say) are run on the whole copy.
   The walks and the SHACL engine's input stay in pyoxigraph's terms (turbo reads them as
   N-Triples): only the reasoner's input and the report's terms are rdflib's.
4. **Only new violations count.** When the after-state has violations, the same focus
   nodes are validated on the before-state, and violations already there (the graph may
   hold some) are not blamed on the write.

The copy follows the store's version; it is rebuilt from :meth:`WritableStore.export`
when the store changed behind its back.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SH
from rdflib.term import Node

from .namespaces import PREFIXES
from .reasoning import IncrementalReasoner, ReasoningError, UnsupportedSchema
from .terms import RdflibTerms, to_rdflib_cached, triple_to_ox, without_history
from .store import Delta, WritableStore
from .store.model import graph_change, has_blank_node

from .validation import ValidationReport, read_plan, shacl_report, walk_back, walk_forward
from .validation import _shapes_graph, _Source
from .validation import report_from_graph as _report_from_graph

__all__ = ["WriteGuard", "GuardOutcome"]

#: The most statements the copy keeps in its record of the graphs written lately (see
#: :meth:`_Mirror.graph`): the least recently read graphs leave it first.
HELD_MAX = 100_000

_VOCABULARY_NS = tuple(iri for prefix, iri in PREFIXES.items() if prefix not in ("basel", "wd"))

Triple = tuple[Node, Node, Node]  # rdflib terms (a report's)


@dataclass(frozen=True)
class GuardOutcome:
    """What the guard found: ``conforms`` (no new violation), the ``report`` of new results,
    the change to the inferred graph (``inferred``), and what it cost."""

    conforms: bool
    report: ValidationReport
    inferred: Delta
    focus_nodes: int
    full_reasoning: bool
    timings: dict[str, float] = field(default_factory=dict)


class ReasoningRejected(Exception):
    """The write makes the data inconsistent with the ontology."""


class _Asserted:
    """The asserted statements of a :class:`_Mirror` (every graph but the inferred ones), read
    from its store each time they are iterated: in pyoxigraph's terms (:meth:`ox_quads`, what
    the incremental reasoner loads, and reloads when the schema changes) or as rdflib triples;
    a statement in several graphs comes once per graph."""

    def __init__(self, mirror: "_Mirror"):
        self._mirror = mirror

    def ox_quads(self) -> Iterable[ox.Quad]:
        """The statements in pyoxigraph's terms, with their graphs (no term converted to rdflib's)."""
        inferred = self._mirror.inferred_graphs
        return (q for q in self._mirror.store if q.graph_name not in inferred)

    def __iter__(self):
        term = RdflibTerms()
        for q in self.ox_quads():
            yield term(q.subject), term(q.predicate), term(q.object)

    def graph(self) -> Graph:
        """An rdflib copy (for the reference reasoner, which reasons over the whole graph anyway)."""
        graph = Graph()
        for triple in self:
            graph.add(triple)
        return graph


class _Mirror:
    """The graph as the guard sees it: the store's quads but those of the excluded graphs, in
    an in-memory pyoxigraph store (read through its indexes by the read plan's walks)."""

    def __init__(self, *, inferred_graphs: frozenset[str], ontology_graph: str | None, excluded: frozenset[str]):
        self.inferred_graphs = frozenset(ox.NamedNode(g) for g in inferred_graphs)
        self.ontology_graph = ox.NamedNode(ontology_graph) if ontology_graph else None
        self.excluded = frozenset(ox.NamedNode(g) for g in excluded)
        self.version: str | None = None
        self.store = ox.Store()
        self._terms: frozenset[ox.NamedNode] | None = frozenset()  # the ontology's subjects (None: to be read)
        self.asserted = _Asserted(self)
        self._removed, self._size = 0, 0  # statements removed since the store was made; its size then
        self._held: OrderedDict[ox.NamedNode | ox.DefaultGraph, set[ox.Quad]] = OrderedDict()  # see graph()
        self._held_size = 0

    def load(self, nquads: bytes, version: str) -> None:
        self.version = None
        store = ox.Store()
        # parsed and added, not loaded: pyoxigraph's loaders rename blank nodes, and the copy
        # must name them as the store does (a write that removes a statement with one names it
        # so); as fast in memory (3.4-4.6 s either way for 824,319 quads at 100x)
        store.extend(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
        loaded = len(store)
        for graph in self.excluded:
            if store.contains_named_graph(graph):
                store.remove_graph(graph)
        self.store = store
        self._size = len(store)
        self._removed = loaded - self._size  # the excluded graphs' statements stay as history
        self._held.clear()
        self._held_size = 0
        self._terms = None
        self.version = version

    def tidy(self) -> None:
        """A fresh copy of the store once more statements were removed from it than it held
        (the in-memory store keeps removed statements as history, which costs memory and
        time for reads of the same nodes: every check that is undone, every graph replaced)."""
        fresh = without_history(self.store, self._removed, self._size)  # never under a memory limit (see WriteGuard.tidy)
        if fresh is not None:
            self.store, self._removed, self._size = fresh, 0, len(fresh)

    def is_vocabulary(self, node: ox.NamedNode | ox.BlankNode | ox.Literal) -> bool:
        """A term of a standard vocabulary or one the ontology graph describes (not data)."""
        if not isinstance(node, ox.NamedNode):
            return False
        if self._terms is None:
            graph = self.ontology_graph
            self._terms = frozenset() if graph is None else frozenset(
                q.subject for q in self.store.quads_for_pattern(None, None, None, graph))
        return node in self._terms or node.value.startswith(_VOCABULARY_NS)

    def graph(self, graph: ox.NamedNode | ox.DefaultGraph) -> list[ox.Quad]:
        """The statements of ``graph`` in the copy. A graph read here is held in a record that
        :meth:`change` keeps up to date (at most :data:`HELD_MAX` statements in all, the least
        recently read graphs leaving first), and read from it the next time: the store keeps
        what a write removed as history that a read of the graph steps over until the next
        :meth:`tidy`, so a graph replaced again and again (a client's Graph Store ``PUT``) grew
        slower to read with every write (2 ms after 50 replacements at 100x, 8-10 ms when the
        store's process was asked instead)."""
        held = self._held.get(graph)
        if held is not None:
            self._held.move_to_end(graph)
            return list(held)
        quads = list(self.store.quads_for_pattern(None, None, None, graph))
        if len(quads) <= HELD_MAX:
            self._held[graph] = set(quads)
            self._held_size += len(quads)
            self._trim()
        return quads

    def _trim(self) -> None:
        while self._held_size > HELD_MAX:
            self._held_size -= len(self._held.popitem(last=False)[1])

    def _kept(self, q: ox.Quad) -> bool:
        return q.graph_name not in self.excluded

    def _asserted_anywhere(self, q: ox.Quad) -> bool:
        """Is the statement of ``q`` asserted in some graph of the copy?"""
        return any(other.graph_name not in self.inferred_graphs
                   for other in self.store.quads_for_pattern(q.subject, q.predicate, q.object, None))

    def contains(self, triple: ox.Triple) -> bool:
        """Is ``triple`` in some graph of the copy (the union)?"""
        return next(iter(self.store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)),
                    None) is not None

    def is_inferred(self, triple: ox.Triple) -> bool:
        s, p, o = triple.subject, triple.predicate, triple.object
        return any(ox.Quad(s, p, o, g) in self.store for g in self.inferred_graphs)

    def change(self, remove: Iterable[ox.Quad], add: Iterable[ox.Quad]) -> tuple[set[ox.Triple], set[ox.Triple]]:
        """Apply quad removals then additions; returns the triples that left and entered
        the asserted union (a triple stated in two graphs leaves when the last one goes)."""
        store = self.store
        left: set[ox.Triple] = set()
        entered: set[ox.Triple] = set()
        for q in remove:
            if not self._kept(q) or q not in store:
                continue
            store.remove(q)
            self._removed += 1
            held = self._held.get(q.graph_name)
            if held is not None:
                held.discard(q)
                self._held_size -= 1
            if q.graph_name not in self.inferred_graphs and not self._asserted_anywhere(q):
                left.add(q.triple)
            if q.graph_name == self.ontology_graph:
                self._terms = None
        for q in add:
            if not self._kept(q) or q in store:
                continue
            asserted = q.graph_name not in self.inferred_graphs
            if asserted and not self._asserted_anywhere(q):
                entered.add(q.triple)
            store.add(q)
            held = self._held.get(q.graph_name)
            if held is not None:
                held.add(q)
                self._held_size += 1
            if q.graph_name == self.ontology_graph:
                self._terms = None
        self._trim()
        return left - entered, entered - left

    def net(self, delta: Delta) -> Delta:
        """``delta`` without removals of absent quads and additions of present ones, so that
        undoing it restores the copy exactly."""
        store = self.store
        remove = tuple(q for q in delta.remove if self._kept(q) and q in store)
        add = tuple(q for q in delta.add if not (self._kept(q) and q in store))
        return Delta(remove, add, delta.drop, delta.create, delta.base_version)


class WriteGuard:
    """Works out the entailments of a write and validates it (see the module docstring).

    ``shapes``: the SHACL shapes (None: the project's; an empty graph: no validation).
    ``inferred_graph``: where entailments live (None: no reasoning). ``ontology_graph``:
    the schema reasoning starts from. ``excluded_graphs``: graphs that are not part of the
    validated knowledge graph (the server's provenance records, the VoID description).
    """

    def __init__(
        self,
        *,
        shapes: Graph | None = None,
        inferred_graph: str | None = None,
        ontology_graph: str | None = None,
        excluded_graphs: Iterable[str] = (),
    ):
        if shapes is None:
            from .sources import load_shapes

            shapes = load_shapes()
        self.shapes = shapes
        self.validating = len(shapes) > 0
        self.inferred_graph = inferred_graph
        self._shapes_graph = _shapes_graph(shapes)  # pySHACL's parse, shared with validation's own runs
        read_plan(shapes)  # worked out once, here
        self._mirror = _Mirror(
            inferred_graphs=frozenset({inferred_graph}) if inferred_graph else frozenset(),
            ontology_graph=ontology_graph,
            excluded=frozenset(excluded_graphs),
        )
        self._lock = threading.Lock()
        self._reasoner_state: IncrementalReasoner | bool | None = None  # False: not covered
        self._empty: ValidationReport | None = None

    # ------------------------------------------------------------------ public
    def check(self, store: WritableStore, delta: Delta, *, keep: bool = True) -> GuardOutcome:
        """Entailments and validation of ``delta`` on ``store``'s current data.

        With ``keep`` and a conforming outcome, the copy stays in the after-state, expecting
        :meth:`committed` once the store has applied the write (the caller holds the write
        lock in between); otherwise the copy is put back as it was.
        """
        with self._lock:
            timings: dict[str, float] = {}
            if not self._copying:
                return GuardOutcome(True, self._conforming(), Delta(), 0, False, timings)
            start = time.perf_counter()
            mirror = self._sync(store)
            timings["sync"] = time.perf_counter() - start
            delta = mirror.net(delta)
            if self.inferred_graph is not None:
                self._reasoner()  # made from the before-state, if not yet there
            left, entered = mirror.change(delta.remove, delta.add)
            try:
                inferred, full = self._reason(left, entered, timings)
            except ReasoningRejected as exc:
                mirror.change(delta.add, delta.remove)
                return GuardOutcome(False, _reasoning_report(str(exc)), Delta(), 0, False, timings)
            mirror.change(inferred.remove, inferred.add)
            changed = left | entered | {q.triple for q in itertools.chain(inferred.remove, inferred.add)}
            outcome = self._validate(changed, delta, inferred, full, timings)
            if not (keep and outcome.conforms):
                self._undo(delta, inferred)
            timings["total"] = time.perf_counter() - start
            return outcome

    @property
    def _copying(self) -> bool:
        """Does the guard keep a copy of the graph? Not when it neither validates nor reasons:
        then its checks pass without one, and its version only follows the commits."""
        return self.validating or self.inferred_graph is not None

    def plan_graph(self, store: WritableStore, operation: str, graph: str | None,
                   triples: Iterable[ox.Triple]) -> tuple[Delta, bool] | None:
        """What ``store.plan_graph`` would answer (the change a Graph Store request makes, and
        whether the graph exists), worked out on the copy without asking the store (its process
        reading the graph was a round trip of 1-6 ms a write): the copy holds every statement
        of ``store``'s current version but those of the excluded graphs, and the store says
        which named graphs exist, empty ones too (``has_graph``). None when the copy cannot
        tell: it is not of the store's version (not made yet, or a write went another way),
        ``graph`` is one it leaves out, or the graph holds a blank node (a store on disk names
        the blank nodes written to it afresh, so the copy's names are not the store's); the
        caller asks the store then. The graph is read through the copy's record of the graphs
        written lately (:meth:`_Mirror.graph`), so replacing it again and again does not slow
        the read down."""
        with self._lock:
            mirror = self._mirror
            version = store.version
            if not self._copying or mirror.version is None or mirror.version != version:
                return None
            node = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
            if node in mirror.excluded:
                return None
            old = mirror.graph(node)
            if any(map(has_blank_node, old)):  # a store on disk names them its own way: it plans
                return None
            exists = graph is None or store.has_graph(graph)
            return graph_change(operation, node, old, triples, exists).based_on(version), exists

    def warm(self, store: WritableStore) -> None:
        """Make the copy of ``store`` and the reasoner now (what the first :meth:`check` would do
        first), so that the first write does not wait for them."""
        with self._lock:
            if self._copying:
                self._sync(store)
            if self.inferred_graph is not None:
                self._reasoner()
        # the reasoner's first closure leaves its working graphs as history: its store made
        # afresh now, not at the first write (2.7 s at 100x)
        self.tidy()

    def committed(self, version: str) -> None:
        """The store applied the checked write (plus records in excluded graphs): the copy
        now matches ``version``."""
        self._mirror.version = version
        self.tidy()

    def tidy(self) -> None:
        """Compact the copy and the reasoner's store when enough statements went through them
        (see :meth:`_Mirror.tidy`); cost in proportion to the copy, at most once per as many
        removed statements. Called after a commit and by the validator process before it
        limits its memory; never inside :meth:`check`, which may run under such a limit."""
        with self._lock:
            self._mirror.tidy()
            if self._reasoner_state:
                self._reasoner_state.tidy()

    def follow(self, change: Delta, version: str) -> None:
        """Apply a write that was checked and committed elsewhere (``change``: its statements,
        entailments and records, as applied) to the copy, which was at the version before;
        the copy is then at ``version``. Cost in proportion to the change."""
        with self._lock:
            mirror = self._mirror
            left, entered = mirror.change(change.remove, change.add)
            if self._reasoner_state:
                self._reasoner_state.change(add=entered, remove=left)
            mirror.version = version
        self.tidy()

    @property
    def version(self) -> str | None:
        """The store version the copy matches (None: to be rebuilt at the next check)."""
        return self._mirror.version

    def invalidate(self) -> None:
        """Forget the copy (it is rebuilt from the store at the next check)."""
        self._mirror.version = None

    # ------------------------------------------------------------------ steps
    def _sync(self, store: WritableStore) -> _Mirror:
        if self._mirror.version != store.version:
            version = store.version
            self._mirror.load(store.export(), version)
            self._reasoner_state = None
        return self._mirror

    def _undo(self, delta: Delta, inferred: Delta, *, reasoner: bool = True) -> None:
        """Put the copy (and with ``reasoner``, the reasoner) back in the before-state."""
        mirror = self._mirror
        mirror.change(inferred.add, inferred.remove)
        left, entered = mirror.change(delta.add, delta.remove)
        if reasoner and self._reasoner_state:
            self._reasoner_state.change(add=entered, remove=left)

    def _reason(self, left: set[ox.Triple], entered: set[ox.Triple], timings: dict[str, float]) -> tuple[Delta, bool]:
        """The change to the inferred graph (the copy is in the after-state), from the
        incremental reasoner (see the module docstring)."""
        if self.inferred_graph is None or not (left or entered):
            return Delta(), False
        mirror = self._mirror
        start = time.perf_counter()
        try:
            reasoner = self._reasoner()
            if reasoner is None:  # the schema needs the reference engine: the whole closure
                from .reasoning import infer

                graph = ox.NamedNode(self.inferred_graph)
                found = set(map(triple_to_ox, infer(mirror.asserted.graph())))
                current = {q.triple for q in mirror.store.quads_for_pattern(None, None, None, graph)}
                add, remove, full = found - current, current - found, True
            else:
                change = reasoner.change(add=entered, remove=left)
                add = {t for t in change.add if not mirror.is_inferred(t)}
                remove = {t for t in change.remove if mirror.is_inferred(t)}
                full = change.full
        except ReasoningError as exc:
            self._reasoner_state = None  # rebuilt from the copy once it is put back
            raise ReasoningRejected(str(exc)) from None
        timings["reason"] = time.perf_counter() - start
        graph = ox.NamedNode(self.inferred_graph)
        return Delta(
            remove=tuple(ox.Quad(t.subject, t.predicate, t.object, graph) for t in remove),
            add=tuple(ox.Quad(t.subject, t.predicate, t.object, graph) for t in add),
        ), full

    def _reasoner(self) -> IncrementalReasoner | None:
        """The incremental reasoner over the copy's asserted statements (None: the schema
        uses a construct only the reference engine covers)."""
        if self._reasoner_state is None:
            try:
                self._reasoner_state = IncrementalReasoner(self._mirror.asserted)
            except UnsupportedSchema:
                self._reasoner_state = False
        return self._reasoner_state or None

    def _validate(self, changed: set[ox.Triple], delta: Delta, inferred: Delta, full: bool,
                  timings: dict[str, float]) -> GuardOutcome:
        if not self.validating or not changed:
            return GuardOutcome(True, self._conforming(), inferred, 0, full, timings)
        start = time.perf_counter()
        focus = self._focus(changed, delta)
        after = self._run(focus)
        timings["validate"] = time.perf_counter() - start
        violating = {key[0] for key, (*_, severity) in after.items() if severity == SH.Violation}
        if violating:
            start = time.perf_counter()
            self._undo(delta, inferred, reasoner=False)
            # only where the after-state has violations: were they there before?
            before = self._run({n for n in focus if to_rdflib_cached(n) in violating})
            self._mirror.change(delta.remove, delta.add)
            self._mirror.change(inferred.remove, inferred.add)
            timings["baseline"] = time.perf_counter() - start
            new = {k: v for k, v in after.items() if k not in before}
        else:
            new = after
        report = self._report(new)
        return GuardOutcome(report.conforms, report, inferred, len(focus), full, timings)

    def _source(self, extra: ox.Store | None = None) -> _Source:
        """The copy as the read plan's walks read it (in pyoxigraph's terms)."""
        mirror = self._mirror
        return _Source(mirror.store, extra, mirror.is_vocabulary, mirror.ontology_graph)

    def _focus(self, changed: set[ox.Triple], delta: Delta) -> set:
        """The nodes whose results the change can affect (pyoxigraph terms), found in the
        after-state and the statements it removes (which linked nodes in the before-state)."""
        mirror = self._mirror
        removed = ox.Store()
        removed.extend(ox.Quad(q.subject, q.predicate, q.object) for q in delta.remove if mirror._kept(q))
        removed.extend(ox.Quad(t.subject, t.predicate, t.object) for t in changed if not mirror.contains(t))
        plan = read_plan(self.shapes)
        if plan is None:  # shapes whose reads cannot be followed: every subject, the whole copy
            return {q.subject for q in mirror.store}
        return walk_back(self._source(removed), plan, [(t.subject, t.predicate, t.object) for t in changed])

    def _run(self, focus: set) -> dict[tuple, tuple]:
        """SHACL on the current copy: every shape on the focus nodes it targets, against what
        the shapes can read from them. Returns the top-level results by identity key.

        A shape aimed at one node (``sh:targetNode``) is no different: its node is a focus
        node when the read plan leads from it to the change, and what it reads is what the
        plan follows from it (a check not linked to ``$this`` has no plan: the whole copy)."""
        results: dict[tuple, tuple] = {}
        if focus:
            _collect(self._shacl(self._local(focus), focus), results)
        return results

    def _local(self, focus: set) -> ox.Store:
        """What the shapes can read from ``focus`` in the copy, in the default graph of a new
        store (:func:`basel_kg.validation.walk_forward`, read from the copy's store through its
        indexes; the copy already holds the change), not the whole copy."""
        source = self._source()
        plan = read_plan(self.shapes)
        if plan is None:
            triples = [t for t, stored in source.triples(None, None, None) if stored]
        else:
            triples = walk_forward(source, plan, sorted(focus, key=str))
            if plan.about_more:
                triples.update(source.ontology())
        local = ox.Store()
        local.extend(ox.Quad(s, p, o) for s, p, o in triples)
        return local

    def _shacl(self, data: ox.Store, focus: set) -> Graph:
        """SHACL (see :func:`basel_kg.validation.shacl_report`: turbo reads ``data`` as
        N-Triples), each shape on the nodes it targets among ``focus``, as a report graph."""
        if read_plan(self.shapes) is None:  # every node may be affected: the whole copy, every node
            return shacl_report(data, self._shapes_graph)
        return shacl_report(data, self._shapes_graph, focus=sorted(map(to_rdflib_cached, focus), key=str))

    def _conforming(self) -> ValidationReport:
        """The report of a write with no new result, made once (most writes conform)."""
        if self._empty is None:
            self._empty = _empty_report(self.shapes)
        return self._empty

    def _report(self, results: dict[tuple, tuple]) -> ValidationReport:
        if not results:
            return self._conforming()
        report = Graph()
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
        violations = False
        for source, node, _severity in results.values():
            for triple in _cbd(source, node):
                report.add(triple)
            report.add((root, SH.result, node))
            violations = violations or (node, SH.resultSeverity, SH.Violation) in source
        report.add((root, SH.conforms, Literal(not violations)))
        return _report_from_graph(report, _NO_DATA, self.shapes)


# ---------------------------------------------------------------------- helpers

# The data graph a report is read with (only its prefixes are used): made once, since a new
# Graph's namespace manager binds rdflib's thirty-odd defaults when first asked.
_NO_DATA = Graph()


def _collect(report: Graph, results: dict[tuple, tuple]) -> None:
    """Top-level results of a report graph by identity: focus, value, shape, component, message
    (nested results, the sh:detail of sh:node and the like, only explain them)."""
    for node in report.objects(None, SH.result):
        key = tuple(report.value(node, p) for p in (SH.focusNode, SH.value, SH.sourceShape,
                                                      SH.sourceConstraintComponent, SH.resultMessage))
        results.setdefault(key, (report, node, report.value(node, SH.resultSeverity)))


def _cbd(graph: Graph, node: Node) -> set[Triple]:
    """The triples about ``node``, following blank nodes."""
    out: set[Triple] = set()
    todo, seen = [node], set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for triple in graph.triples((n, None, None)):
            out.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    return out


def _empty_report(shapes: Graph) -> ValidationReport:
    report = Graph()
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(True)))
    return _report_from_graph(report, Graph(), shapes)


def _reasoning_report(message: str) -> ValidationReport:
    """An inconsistency found by the reasoner, as a one-result report."""
    report = Graph()
    root, result = BNode(), BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(False)))
    report.add((root, SH.result, result))
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, URIRef("https://w3id.org/basel-kg/ontology")))
    report.add((result, SH.resultSeverity, SH.Violation))
    report.add((result, SH.sourceShape, URIRef("https://w3id.org/basel-kg/ontology")))
    report.add((result, SH.sourceConstraintComponent, OWL.Nothing))
    report.add((result, SH.resultMessage, Literal(message)))
    return _report_from_graph(report, Graph(), Graph())
