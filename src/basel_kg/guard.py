"""Check a write before it happens: the entailments it brings, and SHACL where it can matter.

A write must never let the knowledge graph take in data that breaks the shapes, but
validating the whole graph on every write would cost seconds. :class:`WriteGuard` keeps an
in-memory copy of the graph (rdflib, the data graph pySHACL reads), applies a proposed
:class:`basel_kg.store.Delta` to it, and validates only what the change can affect:

1. **Entailments**: the guard keeps a :class:`basel_kg.reasoning.IncrementalReasoner`
   over its copy; the write's added and removed statements go through it (semi-naive
   evaluation from the added statements, delete-and-rederive for the removed ones; a change
   to the ontology recomputes the whole closure), giving what the write adds to and
   withdraws from ``graph/inferred``.
2. **Focus nodes**: :func:`basel_kg.validation.affected_nodes` of the changed statements
   (asserted and inferred): the nodes whose shapes can read them (the shapes' read plan
   walked backwards from each statement, in the after-state and the removed statements),
   not vocabulary terms.
3. **Validation.** SHACL validates each shape on the focus nodes it targets, against what
   the shapes can read from them (:func:`basel_kg.validation.neighbourhood`, not the whole
   copy) in the graph as it would be after the write (no inference: the entailments of step
   1 are in the copy). Whole-graph checks (shapes that target one node with ``sh:targetNode``
   and scan the graph with SPARQL, such as "every linked IRI has a type") run on the
   changed statements, the statements around their (non-hub) nodes, the types of every
   node mentioned and what the ontology says about the terms used: what such a check can
   newly find is there. (A check comparing a new statement with an unrelated one, such
   as uniqueness across the whole graph, needs the full run of ``basel-kg validate``.)
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
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from .namespaces import PREFIXES
from .reasoning import IncrementalReasoner, ReasoningError, UnsupportedSchema
from .reasoning import _to_ox, _to_rdflib
from .store import Delta, WritableStore

from .validation import PreparedQueryGraph, ValidationReport, affected_nodes, neighbourhood, read_plan, shacl_report
from .validation import _shapes_graph
from .validation import report_from_graph as _report_from_graph

__all__ = ["WriteGuard", "GuardOutcome"]

_VOCABULARY_NS = tuple(iri for prefix, iri in PREFIXES.items() if prefix not in ("basel", "wd"))

Triple = tuple[Node, Node, Node]


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


def _key(graph: ox.NamedNode | ox.DefaultGraph) -> str | None:
    return graph.value if isinstance(graph, ox.NamedNode) else None


class _Mirror:
    """The graph as pySHACL and owlrl see it: union of the validated graphs, asserted part,
    inferred part, ontology; with the graphs that state each triple (for set semantics)."""

    def __init__(self, *, inferred_graphs: frozenset[str], ontology_graph: str | None, excluded: frozenset[str]):
        self.inferred_graphs, self.ontology_graph, self.excluded = inferred_graphs, ontology_graph, excluded
        self.version: str | None = None
        self.where: dict[Triple, set[str | None]] = {}
        self.union = PreparedQueryGraph()
        self.asserted = Graph()
        self.inferred = Graph()
        self.ontology = Graph()

    def load(self, nquads: bytes, version: str) -> None:
        self.where.clear()
        self.union, self.asserted, self.inferred, self.ontology = PreparedQueryGraph(), Graph(), Graph(), Graph()
        self.change([], list(ox.parse(nquads, ox.RdfFormat.N_QUADS)))
        self.version = version

    def _quad(self, q: ox.Quad) -> tuple[Triple, str | None] | None:
        graph = _key(q.graph_name)
        if graph in self.excluded:
            return None
        return (_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object)), graph

    def change(self, remove: Iterable[ox.Quad], add: Iterable[ox.Quad]) -> tuple[set[Triple], set[Triple]]:
        """Apply quad removals then additions; returns the triples that left and entered
        the asserted union (a triple stated in two graphs leaves when the last one goes)."""
        left: set[Triple] = set()
        entered: set[Triple] = set()
        for q in remove:
            converted = self._quad(q)
            if converted is not None:
                self._remove(*converted, left, entered)
        for q in add:
            converted = self._quad(q)
            if converted is not None:
                self._add(*converted, left, entered)
        return left - entered, entered - left

    def net(self, delta: Delta) -> Delta:
        """``delta`` without removals of absent quads and additions of present ones, so that
        undoing it restores the copy exactly."""

        def present(q: ox.Quad) -> bool:
            converted = self._quad(q)
            return converted is not None and converted[1] in self.where.get(converted[0], ())

        remove = tuple(q for q in delta.remove if present(q))
        add = tuple(q for q in delta.add if not present(q))
        return Delta(remove, add, delta.drop, delta.create, delta.base_version)

    def _is_asserted(self, graph: str | None) -> bool:
        return graph not in self.inferred_graphs

    def _add(self, triple: Triple, graph: str | None, left: set, entered: set) -> None:
        graphs = self.where.setdefault(triple, set())
        if graph in graphs:
            return
        was_asserted = any(map(self._is_asserted, graphs))
        graphs.add(graph)
        self.union.add(triple)
        if self._is_asserted(graph):
            self.asserted.add(triple)
            if not was_asserted:
                entered.add(triple)
        else:
            self.inferred.add(triple)
        if graph == self.ontology_graph:
            self.ontology.add(triple)

    def _remove(self, triple: Triple, graph: str | None, left: set, entered: set) -> None:
        graphs = self.where.get(triple)
        if not graphs or graph not in graphs:
            return
        graphs.discard(graph)
        if not any(map(self._is_asserted, graphs)) and self._is_asserted(graph):
            self.asserted.remove(triple)
            left.add(triple)
        if graph in self.inferred_graphs and not graphs & self.inferred_graphs:
            self.inferred.remove(triple)
        if graph == self.ontology_graph:
            self.ontology.remove(triple)
        if not graphs:
            del self.where[triple]
            self.union.remove(triple)


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
        hub_degree: int = 64,
    ):
        if shapes is None:
            from .sources import load_shapes

            shapes = load_shapes()
        self.shapes = shapes
        self.validating = len(shapes) > 0
        self.inferred_graph = inferred_graph
        self.hub_degree = hub_degree
        self.global_targets = frozenset(o for o in shapes.objects(None, SH.targetNode) if isinstance(o, URIRef))
        self._shapes_graph = _shapes_graph(shapes)  # pySHACL's parse, shared with validation's own runs
        read_plan(shapes)  # worked out once, here
        self._mirror = _Mirror(
            inferred_graphs=frozenset({inferred_graph}) if inferred_graph else frozenset(),
            ontology_graph=ontology_graph,
            excluded=frozenset(excluded_graphs),
        )
        self._lock = threading.Lock()
        self._reasoner_state: IncrementalReasoner | bool | None = None  # False: not covered

    # ------------------------------------------------------------------ public
    def check(self, store: WritableStore, delta: Delta, *, keep: bool = True) -> GuardOutcome:
        """Entailments and validation of ``delta`` on ``store``'s current data.

        With ``keep`` and a conforming outcome, the copy stays in the after-state, expecting
        :meth:`committed` once the store has applied the write (the caller holds the write
        lock in between); otherwise the copy is put back as it was.
        """
        with self._lock:
            timings: dict[str, float] = {}
            if not self.validating and self.inferred_graph is None:
                return GuardOutcome(True, _empty_report(self.shapes), Delta(), 0, False, timings)
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
            changed = left | entered | _triples(inferred)
            outcome = self._validate(changed, delta, inferred, full, timings)
            if not (keep and outcome.conforms):
                self._undo(delta, inferred)
            timings["total"] = time.perf_counter() - start
            return outcome

    def committed(self, version: str) -> None:
        """The store applied the checked write (plus records in excluded graphs): the copy
        now matches ``version``."""
        self._mirror.version = version

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

    def _reason(self, left: set[Triple], entered: set[Triple], timings: dict[str, float]) -> tuple[Delta, bool]:
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

                found, current = set(infer(mirror.asserted)), set(mirror.inferred)
                add, remove, full = found - current, current - found, True
            else:
                change = reasoner.change(add=entered, remove=left)
                add = {t for t in change.add if t not in mirror.inferred}
                remove = {t for t in change.remove if t in mirror.inferred}
                full = change.full
        except ReasoningError as exc:
            self._reasoner_state = None  # rebuilt from the copy once it is put back
            raise ReasoningRejected(str(exc)) from None
        timings["reason"] = time.perf_counter() - start
        graph = ox.NamedNode(self.inferred_graph)
        return Delta(
            remove=tuple(ox.Quad(*map(_to_ox, t), graph) for t in remove),
            add=tuple(ox.Quad(*map(_to_ox, t), graph) for t in add),
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

    def _validate(self, changed: set[Triple], delta: Delta, inferred: Delta, full: bool,
                  timings: dict[str, float]) -> GuardOutcome:
        if not self.validating or not changed:
            return GuardOutcome(True, _empty_report(self.shapes), inferred, 0, full, timings)
        start = time.perf_counter()
        endpoints = {n for n in _endpoints(changed) if not _is_vocabulary(n, self._mirror.ontology)}
        focus = self._focus(changed, delta)
        after = self._run(endpoints, changed, focus)
        timings["validate"] = time.perf_counter() - start
        violating = {key[0] for key, (*_, severity) in after.items() if severity == SH.Violation}
        if violating:
            start = time.perf_counter()
            self._undo(delta, inferred, reasoner=False)
            # only where the after-state has violations: were they there before?
            before = self._run(endpoints, changed, focus & violating, whole_graph=bool(violating & self.global_targets))
            self._mirror.change(delta.remove, delta.add)
            self._mirror.change(inferred.remove, inferred.add)
            timings["baseline"] = time.perf_counter() - start
            new = {k: v for k, v in after.items() if k not in before}
        else:
            new = after
        report = self._report(new)
        return GuardOutcome(report.conforms, report, inferred, len(focus), full, timings)

    def _focus(self, changed: set[Triple], delta: Delta) -> set[Node]:
        """The nodes whose results the change can affect, found in the after-state and the
        statements it removes (which linked nodes in the before-state)."""
        mirror = self._mirror
        removed = Graph()
        for q in delta.remove:
            converted = mirror._quad(q)
            if converted is not None:
                removed.add(converted[0])
        for triple in changed:
            if triple not in mirror.union:
                removed.add(triple)
        focus = affected_nodes(changed, mirror.union, self.shapes, extra=removed,
                               is_vocabulary=lambda n: _is_vocabulary(n, mirror.ontology))
        if focus is None:  # shapes whose reads cannot be followed: every subject, the whole copy
            return {s for s in mirror.union.subjects()}
        return set(focus)

    def _run(self, endpoints: set[Node], changed: set[Triple], focus: set[Node], *,
             whole_graph: bool = True) -> dict[tuple, tuple]:
        """SHACL on the current copy: every shape on the focus nodes it targets (in the whole
        graph), and the whole-graph checks on the write's neighbourhood. Returns the
        top-level results by identity key."""
        results: dict[tuple, tuple] = {}
        per_node = focus - self.global_targets
        if per_node:
            _collect(self._shacl(self._local(changed, per_node), per_node), results)
        if self.global_targets and whole_graph:
            _collect(self._shacl(self._neighbourhood(endpoints, changed), self.global_targets), results)
        return results

    def _local(self, changed: set[Triple], focus: set[Node]) -> Graph:
        """What the shapes can read from ``focus`` in the copy
        (:func:`basel_kg.validation.neighbourhood`), not the whole copy."""
        present = [t for t in changed if t in self._mirror.union]
        return neighbourhood(self._mirror.union, present, self.shapes, focus=sorted(focus, key=str),
                             ontology=self._mirror.ontology)

    def _shacl(self, data: Graph, focus: set[Node]) -> Graph:
        """pySHACL, each shape on the nodes it targets among ``focus`` (see
        :func:`basel_kg.validation.shacl_report`), as a report graph."""
        if read_plan(self.shapes) is None:  # every node may be affected: the whole copy, every node
            return shacl_report(data, self._shapes_graph)
        return shacl_report(data, self._shapes_graph, focus=focus)

    def _neighbourhood(self, endpoints: set[Node], changed: set[Triple]) -> Graph:
        """The statements touching ``endpoints`` (blank nodes followed to their end), what the
        ontology says about the terms they use, and the types of every node they mention."""
        union = self._mirror.union
        triples: set[Triple] = {t for t in changed if t in union}
        todo = list(endpoints)
        seen: set[Node] = set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            around = list(itertools.chain(union.triples((node, None, None)), union.triples((None, None, node))))
            if len(around) > self.hub_degree and not isinstance(node, BNode):
                continue  # a hub: its changed statements are in already
            for triple in around:
                triples.add(triple)
                for n in (triple[0], triple[2]):
                    if isinstance(n, BNode) and n not in seen:
                        todo.append(n)
        triples |= _vocabulary(self._mirror.ontology, triples)
        typed: set[Node] = set()
        mentioned = {n for s, _, o in triples for n in (s, o) if not isinstance(n, Literal)}
        while mentioned:  # the types of every node mentioned, and of those types (classes)
            typed |= mentioned
            types = {t for node in mentioned for t in union.triples((node, RDF.type, None))}
            triples |= types
            mentioned = {o for _, _, o in types} - typed
        local = PreparedQueryGraph()
        for triple in triples:
            local.add(triple)
        return local

    def _report(self, results: dict[tuple, tuple]) -> ValidationReport:
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
        return _report_from_graph(report, self._mirror.union, self.shapes)


# ---------------------------------------------------------------------- helpers


def _triples(delta: Delta) -> set[Triple]:
    return {(_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object))
            for q in itertools.chain(delta.remove, delta.add)}


def _endpoints(triples: Iterable[Triple]) -> set[Node]:
    nodes: set[Node] = set()
    for s, p, o in triples:
        nodes.add(s)
        if p != RDF.type and not isinstance(o, Literal):
            nodes.add(o)
    return nodes


def _is_vocabulary(node: Node, ontology: Graph) -> bool:
    return isinstance(node, URIRef) and (str(node).startswith(_VOCABULARY_NS) or (node, None, None) in ontology)


def _vocabulary(ontology: Graph, triples: set[Triple]) -> set[Triple]:
    """What the ontology says about the classes and properties ``triples`` use, with their
    super-classes and super-properties (what whole-graph checks look up)."""
    terms = {p for _, p, _ in triples} | {o for _, p, o in triples if p == RDF.type}
    out: set[Triple] = set()
    todo = [t for t in terms if (t, None, None) in ontology]
    seen: set[Node] = set()
    while todo:
        term = todo.pop()
        if term in seen:
            continue
        seen.add(term)
        for triple in _cbd(ontology, term):
            out.add(triple)
            if triple[1] in (RDFS.subClassOf, RDFS.subPropertyOf) and isinstance(triple[2], URIRef):
                todo.append(triple[2])
    return out


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
