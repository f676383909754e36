"""SHACL validation, standalone or in the context of the knowledge graph.

Two engines give the same reports (a test runs both on every example of ``tests/shapes/``):
pyshacl-turbo (``engine="turbo"``, the default: a Rust SHACL engine with pySHACL's API,
18-22x faster) and pySHACL (``engine="pyshacl"``, the reference). The shapes follow SHACL 1.0
strictly (every SELECT of a SPARQL-based constraint projects ``$this``), which turbo requires.

In context (:func:`validate` with ``context=``), only the nodes the new data can affect are
validated, and with the built pyoxigraph store as the context only what the shapes can read
from them is read from the store. Both come from the shapes' :class:`ReadPlan`
(:func:`read_plan`): an automaton of the links an engine may follow from a focus node
(targets, property paths, nested shapes, sh:class, and the triple patterns of SPARQL-based
constraints as rdflib parses them). :func:`affected_nodes` walks it backwards from the new
statements, :func:`neighbourhood` forwards from the affected nodes, so a small file costs in
proportion to what the shapes read around it, however large the graph and however many
links a shared node (a source passage, a country) has.

:func:`validate` returns a :class:`ValidationReport`: ``conforms`` (no result of severity
``sh:Violation``; warnings and infos are reported but do not fail), one
:class:`ValidationResult` per SHACL result, the report as text (one sorted line per result:
focus node, path, value, shape, message), as Turtle and as JSON.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from pyshacl import Validator
from pyshacl import validate as shacl_validate
from pyshacl.pytypes import SHACLExecutor
from pyshacl.shapes_graph import ShapesGraph
from rdflib import BNode, ConjunctiveGraph, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node, Variable

from .namespaces import GRAPH, PREFIXES, bind_prefixes, shorten
from .terms import RDF_TYPE, to_ox, to_rdflib, to_rdflib_cached, triple_to_rdflib

__all__ = ["PreparedQueryGraph", "ReadPlan", "Step", "ValidationResult", "ValidationReport", "affected_nodes",
           "neighbourhood", "read_plan", "report_from_graph", "shacl_report", "validate", "validate_store", "Engine"]

Engine = TypingLiteral["turbo", "pyshacl"]


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One SHACL validation result."""

    focus_node: Node
    path: str | None  # the property path in SPARQL syntax, prefixed names where possible
    value: Node | None
    source_shape: Node
    constraint_component: Node
    severity: str  # "Violation" | "Warning" | "Info"
    message: str
    shape_label: str  # the shape for people: its prefixed name, or "<node shape> <path>" for a blank property shape

    def fields(self, names: dict[str, str]) -> tuple[str, str, str, str, str]:
        """Focus node, path, value, shape, message as short strings (prefixed names)."""
        return (
            _short(self.focus_node, names),
            self.path or "-",
            "-" if self.value is None else _short(self.value, names),
            self.shape_label,
            self.message,
        )

    def to_dict(self) -> dict[str, str | None]:
        """JSON-friendly: terms in N-Triples syntax."""
        return {
            "focusNode": self.focus_node.n3(),
            "resultPath": self.path,
            "value": None if self.value is None else self.value.n3(),
            "sourceShape": self.source_shape.n3(),
            "shape": self.shape_label,
            "sourceConstraintComponent": self.constraint_component.n3(),
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: ``conforms``, the results (sorted), text and the sh:ValidationReport graph."""

    conforms: bool
    results: list[ValidationResult]
    text: str
    graph: Graph = field(repr=False)

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    def to_text(self) -> str:
        return self.text

    def to_turtle(self) -> str:
        return self.graph.serialize(format="turtle")

    def to_json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "results": [r.to_dict() for r in self.results]},
            ensure_ascii=False,
            indent=2,
        )


def validate(
    data: Graph | Dataset,
    *,
    context: Graph | Dataset | ox.Store | None = None,
    shapes: Graph | None = None,
    engine: Engine = "turbo",
) -> ValidationReport:
    """Validate ``data`` against ``shapes`` (default: the project's ``shapes/``).

    With ``context`` (e.g. the knowledge graph's dataset, or just the ontology), ``data`` is
    validated together with it, so new statements may refer to existing entities; only the
    nodes ``data`` can affect are validated (:func:`affected_nodes`). A Dataset is read as the
    union of its graphs, leaving out ``graph/shapes``.

    A pyoxigraph ``Store`` as ``context`` (the built store) is not copied: only the statements
    the shapes can read from the nodes ``data`` can affect are read from it
    (:func:`neighbourhood`), so the cost follows the file, not the graph.
    """
    if shapes is None:
        from .sources import load_shapes

        shapes = load_shapes()
    focus: list[Node] | None = None
    if isinstance(context, ox.Store):
        new_data = Graph()
        _merge(data, new_data)
        source = _Source(context)
        # statements the store already holds change nothing: they affect no node
        changes = [t for t in new_data if not any(stored for _, stored in source.triples(*map(to_ox, t)))]
        focus = affected_nodes(changes, context, shapes, extra=new_data)
        context = neighbourhood(context, new_data, shapes, focus=focus)
    data_graph = bind_prefixes(PreparedQueryGraph())
    _merge(data, data_graph)
    if context is not None:
        new = Graph()
        for triple in data_graph:
            new.add(triple)
        _merge(context, data_graph)
        if focus is None and read_plan(shapes) is not None:
            focus = affected_nodes(new, data_graph, shapes)
        if focus is not None:  # None: shapes whose reads cannot be followed, the whole graph is validated
            if not focus:  # no statements: nothing to validate (an engine would read [] as "all nodes")
                return report_from_graph(Graph(), data_graph, shapes)
            # Shapes aimed at one fixed node (sh:targetNode) may check the whole graph: they must
            # see the new statements too.
            focus += sorted({n for n in shapes.objects(None, SH.targetNode) if isinstance(n, URIRef)} - set(focus))
    report_graph = shacl_report(data_graph, shapes, focus=focus, engine=engine)
    if context is not None and (None, SH.result, None) in report_graph:
        report_graph = _without_existing(report_graph, context, shapes, engine)
    return report_from_graph(report_graph, data_graph, shapes)


def validate_store(store: ox.Store, *, shapes: Graph, names: Graph | None = None,
                   engine: Engine = "turbo") -> ValidationReport:
    """Whole-graph validation of the default graph of a pyoxigraph ``store`` (the build's
    store keeps the union of its named graphs there), without an rdflib copy of it: turbo
    reads it as N-Triples and the batched SPARQL constraints run in ``store`` itself (see
    :func:`shacl_report`). ``names``: a graph whose prefixes the report text uses. The report
    is the one :func:`validate` gives for the same statements as an rdflib graph."""
    names = names if names is not None else bind_prefixes(Graph())
    return report_from_graph(shacl_report(store, shapes, engine=engine), names, shapes)


def _result_key(report: Graph, result: Node) -> tuple:
    return tuple(report.value(result, p) for p in (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape,
                                                   SH.sourceConstraintComponent, SH.resultMessage))


def _without_existing(report: Graph, context: Graph | Dataset, shapes: Graph, engine: Engine) -> Graph:
    """``report`` less the results the context alone already has on the same focus nodes
    (violations already in the graph are not blamed on the new data)."""
    results = list(report.objects(None, SH.result))
    focus = sorted({report.value(r, SH.focusNode) for r in results}, key=str)
    before_graph = PreparedQueryGraph()
    _merge(context, before_graph)
    before = shacl_report(before_graph, shapes, focus=focus, engine=engine)
    existing = {_result_key(before, r) for r in before.objects(None, SH.result)}
    kept = Graph()
    root = BNode()
    kept.add((root, RDF.type, SH.ValidationReport))
    violation = False
    for r in results:
        if _result_key(report, r) in existing and not isinstance(report.value(r, SH.value), BNode):
            continue
        kept.add((root, SH.result, r))
        todo, seen = [r], set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            for triple in report.triples((n, None, None)):
                kept.add(triple)
                if isinstance(triple[2], BNode):
                    todo.append(triple[2])
        violation = violation or (r, SH.resultSeverity, SH.Violation) in report
    kept.add((root, SH.conforms, Literal(not violation)))
    return kept


# ---------------------------------------------------------------------- what the shapes read


class UnsupportedShapes(Exception):
    """The shapes use a construct :func:`read_plan` cannot follow (then the whole context is read)."""


@dataclass(frozen=True, slots=True)
class Step:
    """Reading links at a node: ``(node, predicate, ?)`` when ``forward``, else
    ``(?, predicate, node)``; ``predicate`` None is any predicate."""

    predicate: URIRef | None
    forward: bool


class ReadPlan:
    """What the shapes can read from a focus node, as an automaton over links.

    State 0 is the focus node. A move ``state --Step--> next`` says: at a node in ``state``
    an engine may read the statements of ``Step`` there, and the nodes at their other end
    are in ``next``. :func:`neighbourhood` walks it forwards from the focus nodes (what to
    read), :func:`affected_nodes` backwards from the changed statements (whose results can
    change). Built by :func:`read_plan`.
    """

    def __init__(self) -> None:
        self.moves: list[dict[Step, list[int]]] = [{}]
        self.into: list[list[tuple[int, Step]]] = [[]]
        self.readers: dict[URIRef | None, list[tuple[int, bool]]] = {}
        self._shared: dict[tuple[int, Step], int] = {}
        self._grouped: dict[int, tuple] = {}
        # SPARQL constraints that read what the graph says about a predicate they bind
        # (``?path a ?kind``, ``?path rdfs:domain ?d``), and about what that leads to
        self.about_predicates = False
        self.about_more = False

    def move(self, state: int, step: Step, to: int | None = None) -> int:
        """The state after ``step`` from ``state``: ``to``, or one made for it (shared by every
        shape that takes the same step from the same state)."""
        self.__dict__.pop("_forwards", None)
        if to is None:
            shared = self._shared.get((state, step))
            if shared is not None:
                return shared
            to = len(self.moves)
            self.moves.append({})
            self.into.append([])
            self._shared[(state, step)] = to
        elif to in self.moves[state].get(step, ()):
            return to
        self.moves[state].setdefault(step, []).append(to)
        self.into[to].append((state, step))
        self.readers.setdefault(step.predicate, []).append((state, step.forward))
        return to

    def grouped(self, state: int) -> tuple[dict[URIRef, list[int]], list[int], dict[URIRef | None, list[int]]]:
        """The moves from ``state``: forward by predicate, forward along any predicate, backward."""
        cached = self._grouped.get(state)
        if cached is None:
            forward: dict[URIRef, list[int]] = {}
            backward: dict[URIRef | None, list[int]] = {}
            anything: list[int] = []
            for step, targets in self.moves[state].items():
                if not step.forward:
                    backward.setdefault(step.predicate, []).extend(targets)
                elif step.predicate is None:
                    anything.extend(targets)
                else:
                    forward.setdefault(step.predicate, []).extend(targets)
            cached = self._grouped[state] = (forward, anything, backward)
        return cached

    def led_to_forwards(self, state: int) -> bool:
        """Is ``state`` reached by forward steps only (so only from nodes linking to the node)?"""
        known = self.__dict__.setdefault("_forwards", {})  # a plan kept in the build cache may predate it
        if state not in known:
            known[state] = all(step.forward for _, step in self.into[state])
        return known[state]

    def reading(self, predicate: URIRef) -> list[tuple[int, bool]]:
        """The (state, forward) pairs at which a statement with ``predicate`` is read."""
        return self.readers.get(predicate, []) + self.readers.get(None, [])


class _PerShapes:
    """What is made from a shapes graph (its read plan, pySHACL's parse, turbo's compiled form,
    the batched constraints), made once and kept while that same graph object is unchanged in
    size; a few shapes graphs at a time."""

    def __init__(self, make: Callable[[Graph], Any]):
        self._make = make
        self._kept: dict[int, tuple[Graph, Any, int]] = {}

    def __call__(self, shapes: Graph) -> Any:
        kept = self._kept.get(id(shapes))
        if kept is not None and kept[0] is shapes and kept[2] == len(shapes):
            return kept[1]
        value = self._make(shapes)
        self.remember(shapes, value)
        return value

    def remember(self, shapes: Graph, value: Any) -> None:
        if len(self._kept) > 8:
            self._kept.clear()
        self._kept[id(shapes)] = (shapes, value, len(shapes))


def _plan_or_none(shapes: Graph) -> ReadPlan | None:
    try:
        return _make_plan(shapes)
    except UnsupportedShapes:
        return None


_plans = _PerShapes(_plan_or_none)


def read_plan(shapes: Graph) -> ReadPlan | None:
    """The :class:`ReadPlan` of ``shapes`` (made once per shapes graph), or None when they use
    what it cannot follow (SPARQL-based targets or constraint components, ``$PATH``, a triple
    pattern not linked to ``$this``, recursive shapes, a repeated complex path)."""
    return _plans(shapes)


def remember_read_plan(shapes: Graph, plan: ReadPlan | None) -> None:
    """Use ``plan`` as the read plan of ``shapes`` from now on (one made earlier for the same
    shapes, e.g. kept in the build cache: making one parses every SPARQL constraint)."""
    _plans.remember(shapes, plan)


def _make_plan(shapes: Graph) -> ReadPlan:
    from rdflib.extras.shacl import parse_shacl_path

    if (None, SH.target, None) in shapes or (None, RDF.type, SH.ConstraintComponent) in shapes:
        raise UnsupportedShapes("SPARQL-based targets or constraint components")
    plan = ReadPlan()
    rdf_type = Step(RDF.type, True)
    prefixes = dict(PREFIXES)
    for declaration in shapes.objects(None, SH.declare):
        prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
        if prefix is not None and namespace is not None:
            prefixes[str(prefix)] = str(namespace)

    def classes(states: Iterable[int]) -> None:  # sh:class / sh:targetClass: types, rdfs:subClassOf*
        for state in states:
            typed = plan.move(state, rdf_type)
            plan.move(typed, Step(RDFS.subClassOf, True), to=typed)

    def shape(node: Node, states: list[int], stack: frozenset) -> None:
        if node in stack:
            raise UnsupportedShapes(f"recursive shape {node}")
        stack = stack | {node}
        path = shapes.value(node, SH.path)
        values = states if path is None else path_moves(states, parse_shacl_path(shapes, path), True)
        if (node, SH["class"], None) in shapes:
            classes(values)
        for p in (SH.node, SH.property, SH.qualifiedValueShape, SH["not"]):
            for nested in shapes.objects(node, p):
                shape(nested, values, stack)
        for p in (SH["or"], SH["and"], SH.xone):
            for members in shapes.objects(node, p):
                for nested in Collection(shapes, members):
                    shape(nested, values, stack)
        if shapes.value(node, SH.closed) == Literal(True):
            for state in values:
                plan.move(state, Step(None, True))
        for p in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
            for other in shapes.objects(node, p):
                for state in states:
                    plan.move(state, Step(other, True))
        for constraint in shapes.objects(node, SH.sparql):
            sparql(constraint, states)

    def path_moves(states: list[int], path, forward: bool) -> list[int]:
        from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

        if isinstance(path, URIRef):
            return sorted({plan.move(s, Step(path, forward)) for s in states})
        if isinstance(path, Variable):
            return sorted({plan.move(s, Step(None, forward)) for s in states})
        if isinstance(path, SequencePath):
            for part in (path.args if forward else reversed(path.args)):
                states = path_moves(states, part, forward)
            return states
        if isinstance(path, AlternativePath):
            return sorted({end for part in path.args for end in path_moves(states, part, forward)})
        if isinstance(path, InvPath):
            return path_moves(states, path.arg, not forward)
        if isinstance(path, NegatedPath):
            return path_moves(states, Variable("any"), forward)
        if isinstance(path, MulPath):
            if not isinstance(path.path, URIRef):
                raise UnsupportedShapes(f"repeated complex path {path}")
            step = Step(path.path, forward)
            ends = []
            for s in states:
                loop = plan.move(s, step)
                plan.move(loop, step, to=loop)
                ends.append(loop)
            return sorted(set(ends) | (set() if path.mod == "+" else set(states)))
        raise UnsupportedShapes(f"path {path!r}")

    def sparql(constraint: Node, states: list[int]) -> None:
        text = str(shapes.value(constraint, SH.select) or shapes.value(constraint, SH.ask) or "")
        if "$PATH" in text or not text:
            raise UnsupportedShapes(f"SPARQL constraint {constraint} without a SELECT or with $PATH")
        try:
            query = prepareQuery(text, initNs=prefixes)
        except Exception as exc:  # noqa: BLE001
            raise UnsupportedShapes(str(exc)) from None
        patterns = list(_triple_patterns(query.algebra))
        # the states each variable can be in: a variable bound by two patterns (UNION branches)
        # is in the states of both; repeated until no variable gains a state
        bound: dict[Node, set[int]] = {Variable("this"): set(states)}
        about_terms: set[Node] = set()  # variables bound to a predicate, and what is said about it
        for _, p, _ in patterns:
            if isinstance(p, Variable):
                about_terms.add(p)
        changed, passes = True, 0
        while changed:
            changed, passes = False, passes + 1
            if passes > 16:  # a cycle of patterns through $this: the states would grow for ever
                raise UnsupportedShapes(f"{constraint}: cyclic triple patterns")
            left = []
            for s, p, o in patterns:
                if s in bound or o in bound:
                    start, end, forward = (s, o, True) if s in bound else (o, s, False)
                    ends = set(path_moves(sorted(bound[start]), p, forward))
                    if _is_var(end) and not ends <= bound.get(end, set()):
                        bound.setdefault(end, set()).update(ends)
                        changed = True
                elif s in about_terms:  # what the ontology says about a predicate
                    plan.about_predicates = True
                    if not isinstance(s, Variable) or not any(s == q for _, q, _ in patterns):
                        plan.about_more = True  # further than the predicate's own statements
                    if _is_var(o) and o not in about_terms:
                        about_terms.add(o)
                        changed = True
                else:
                    left.append((s, p, o))
        if left:
            raise UnsupportedShapes(f"{constraint}: {left[0]} is not linked to $this")

    roots = {s for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
             for s in shapes.subjects(p, None)}
    roots |= {s for s in shapes.subjects(RDF.type, SH.NodeShape)
              if (s, RDF.type, RDFS.Class) in shapes or (s, RDF.type, OWL.Class) in shapes}
    for root in sorted(roots, key=str):
        if (root, SH.targetClass, None) in shapes or (root, RDF.type, RDFS.Class) in shapes \
                or (root, RDF.type, OWL.Class) in shapes:
            classes([0])
        for p in shapes.objects(root, SH.targetSubjectsOf):
            plan.move(0, Step(p, True))
        for p in shapes.objects(root, SH.targetObjectsOf):
            plan.move(0, Step(p, False))
        shape(root, [0], frozenset())
    return plan


def _is_var(term: object) -> bool:
    return isinstance(term, (Variable, BNode))


def _triple_patterns(algebra: object) -> Iterable[tuple]:
    """Every triple pattern of a parsed query (rdflib algebra), EXISTS and sub-queries included."""
    if isinstance(algebra, dict):
        for key, value in algebra.items():
            if key == "triples" and isinstance(value, list):
                if value and not isinstance(value[0], (list, tuple)):  # a flat list of terms
                    value = [value[i:i + 3] for i in range(0, len(value) - 2, 3)]
                for triple in value:
                    if len(triple) == 3:
                        yield tuple(triple)
                    else:  # several triples in one list (a block of the parser)
                        for i in range(0, len(triple) - 2, 3):
                            yield tuple(triple[i:i + 3])
            else:
                yield from _triple_patterns(value)
    elif isinstance(algebra, (list, tuple)):
        for value in algebra:
            yield from _triple_patterns(value)


_LITERALS = (Literal, ox.Literal)


class _Source:
    """A graph read link by link, in the terms it holds: a pyoxigraph Store (pyoxigraph terms;
    its named graphs but ``graph/shapes`` and ``graph/void``) or an rdflib Graph (rdflib
    terms), plus ``extra`` statements in the same terms (beside a Store, a Store read as the
    union of its graphs; beside a Graph, a Graph). ``triples`` yields each statement with True
    when it comes from ``data``. ``is_vocabulary`` takes the source's terms; ``ontology``: the
    graph of a Store that holds the ontology."""

    def __init__(self, data: ox.Store | Graph, extra: ox.Store | Graph | None = None,
                 is_vocabulary: Callable[[Any], bool] | None = None, ontology: ox.NamedNode | None = None):
        self.data = data
        self.store = isinstance(data, ox.Store)
        self.extra = extra if extra is not None and len(extra) else None
        self._ontology = ontology or ox.NamedNode(str(GRAPH.ONTOLOGY))
        self._excluded = frozenset({ox.NamedNode(str(GRAPH.SHAPES)), ox.NamedNode(str(GRAPH.VOID))})
        self._is_vocabulary = is_vocabulary

    def triples(self, s: Any, p: Any, o: Any) -> Iterable[tuple[tuple, bool]]:
        if self.store:
            excluded = self._excluded
            for q in self.data.quads_for_pattern(s, p, o, None):
                if q.graph_name not in excluded:
                    yield (q.subject, q.predicate, q.object), True
            if self.extra is not None:
                for q in self.extra.quads_for_pattern(s, p, o, None):
                    yield (q.subject, q.predicate, q.object), False
            return
        for triple in self.data.triples((s, p, o)):
            yield triple, True
        if self.extra is not None:
            for triple in self.extra.triples((s, p, o)):
                yield triple, False

    def ontology(self) -> Iterable[tuple]:
        """The statements of a Store's ontology graph (nothing for an rdflib Graph, whose
        ontology statements are among its own)."""
        if self.store:
            for q in self.data.quads_for_pattern(None, None, None, self._ontology):
                yield q.subject, q.predicate, q.object

    def is_vocabulary(self, node: Any) -> bool:
        if self._is_vocabulary is not None:
            return self._is_vocabulary(node)
        if self.store:
            from .reasoning import STANDARD_VOCABULARIES

            return isinstance(node, ox.NamedNode) and (
                node.value.startswith(STANDARD_VOCABULARIES)
                or next(iter(self.data.quads_for_pattern(node, None, None, self._ontology)), None) is not None)
        return _is_vocabulary(node, self.data)


class _PlanTerms:
    """A :class:`ReadPlan`'s moves with its predicates in the terms of a source: pyoxigraph's
    for a Store (so that a walk over a store never converts a term), rdflib's for a Graph.
    Made once per plan and kind of source (:func:`_plan_terms`)."""

    def __init__(self, plan: ReadPlan, convert: Callable[[URIRef], Any]):
        def term(predicate: URIRef | None) -> Any:
            return None if predicate is None else convert(predicate)

        self.moves = plan.moves
        self.readers = {term(p): pairs for p, pairs in plan.readers.items()}
        self.into = [[(before, term(step.predicate), step.forward) for before, step in moves] for moves in plan.into]
        self.forwards_only = [plan.led_to_forwards(state) for state in range(len(plan.moves))]
        self.grouped = []
        for state in range(len(plan.moves)):
            forward, anything, backward = plan.grouped(state)
            self.grouped.append(({term(p): t for p, t in forward.items()}, anything,
                                 {term(p): t for p, t in backward.items()}))

        self._seeds: dict[tuple[Any, bool], tuple[list[int], list[int]]] = {}

    def seeds(self, predicate: Any, forward: bool) -> tuple[list[int], list[int]]:
        """The states at which a statement with ``predicate`` is read from its subject
        (``forward``) or from its object: those a node is always walked back from, and those
        only reached from nodes linking to it (a node no statement links to stops there)."""
        key = (predicate, forward)
        found = self._seeds.get(key)
        if found is None:
            states = sorted({state for state, way in self.readers.get(predicate, []) + self.readers.get(None, [])
                             if way == forward})
            found = self._seeds[key] = ([s for s in states if s == 0 or not self.forwards_only[s]],
                                        [s for s in states if s != 0 and self.forwards_only[s]])
        return found


_plan_terms_made: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _plan_terms(plan: ReadPlan, store: bool) -> _PlanTerms:
    made = _plan_terms_made.setdefault(plan, {})
    if store not in made:
        made[store] = _PlanTerms(plan, to_ox if store else (lambda p: p))
    return made[store]


def _ox_store(triples: Iterable[tuple[Node, Node, Node]] | None) -> ox.Store | None:
    """rdflib triples as a pyoxigraph Store (default graph), or None."""
    if triples is None:
        return None
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples)
    return store


def _focus_order(node: Node) -> tuple[bool, str]:
    return isinstance(node, BNode), str(node)


def affected_nodes(new: Iterable[tuple[Node, Node, Node]], graph: Graph | ox.Store, shapes: Graph | None = None, *,
                   is_vocabulary: Callable[[Node], bool] | None = None, extra: Graph | None = None) -> list[Node] | None:
    """The nodes whose validation results the statements ``new`` can change, in ``graph``
    (plus ``extra``: together they hold ``new``, and for removed statements, the graph before).

    A node is affected when a shape can read one of the statements from it: the
    :class:`ReadPlan` of ``shapes`` is walked backwards from each statement (from its
    subject where a shape reads it forwards, from its object where a shape reads it
    backwards) to the focus nodes that reach it. Vocabulary terms (classes, properties,
    concepts of the ontology: ``is_vocabulary``) are neither affected nor walked through: a
    change to the ontology needs a full validation. Costs in proportion to ``new`` and the
    links the shapes can follow back from it, never to the graph. None with shapes
    :func:`read_plan` cannot follow: any node may be affected (validate the whole graph).
    A Store is walked in its own terms (``new`` and ``extra`` are converted once, the nodes
    found at the end).
    """
    if shapes is None:
        from .sources import load_shapes

        shapes = load_shapes()
    plan = read_plan(shapes)
    if plan is None:
        return None
    if not isinstance(graph, ox.Store):
        return sorted(walk_back(_Source(graph, extra, is_vocabulary), plan, new), key=_focus_order)
    vocabulary = None if is_vocabulary is None else (lambda node: is_vocabulary(to_rdflib_cached(node)))
    source = _Source(graph, _ox_store(extra), vocabulary)
    found = walk_back(source, plan, [tuple(map(to_ox, t)) for t in new])
    return sorted((to_rdflib(n) for n in found), key=_focus_order)


def walk_back(source: _Source, plan: ReadPlan, new: Iterable[tuple]) -> set:
    """:func:`affected_nodes` in the terms of ``source`` (``new``: statements in its terms)."""
    moves = _plan_terms(plan, source.store)
    skipped: dict[Any, bool] = {}  # literals and vocabulary terms: neither affected nor walked through
    inbound: dict[Any, bool] = {}  # has the node any link to it? (a new node has none)
    linked: dict[tuple, list] = {}
    into, forwards_only = moves.into, moves.forwards_only

    def skip(node: Any) -> bool:
        found = skipped.get(node)
        if found is None:
            found = skipped[node] = isinstance(node, _LITERALS) or source.is_vocabulary(node)
        return found

    def has_inbound(node: Any) -> bool:
        found = inbound.get(node)
        if found is None:
            found = inbound[node] = next(iter(source.triples(None, None, node)), None) is not None
        return found

    todo: list[tuple[int, Any]] = []
    starts = {(p, s, True) for s, p, o in new} | {(p, o, False) for s, p, o in new}
    for p, node, forward in starts:
        always, if_linked = moves.seeds(p, forward)
        if (always or if_linked) and not skip(node):
            todo.extend((state, node) for state in always)
            if if_linked and has_inbound(node):
                todo.extend((state, node) for state in if_linked)
    seen: set[tuple[int, Any]] = set()
    focus: set = set()
    while todo:
        pair = todo.pop()
        if pair in seen:
            continue
        seen.add(pair)
        state, node = pair
        if skip(node):
            continue
        if state == 0:
            focus.add(node)
        elif forwards_only[state] and not has_inbound(node):  # only reached from nodes linking to this one
            continue
        for before, predicate, forward in into[state]:
            key = (node, predicate, forward)
            nodes = linked.get(key)
            if nodes is None:
                if forward:  # read from a subject: the subjects linking to the node
                    nodes = [t[0] for t, _ in source.triples(None, predicate, node)] if has_inbound(node) else []
                else:
                    nodes = [t[2] for t, _ in source.triples(node, predicate, None)]
                linked[key] = nodes
            todo.extend((before, n) for n in nodes)
    return focus


def neighbourhood(store: ox.Store | Graph, new: Iterable[tuple[Node, Node, Node]], shapes: Graph | None = None, *,
                  focus: Iterable[Node] | None = None, ontology: Graph | None = None) -> Graph:
    """The statements of ``store`` that validating ``focus`` (default: the
    :func:`affected_nodes` of ``new``) in the graph ``store`` + ``new`` can read.

    The :class:`ReadPlan` of ``shapes`` is walked from each focus node over ``store`` and
    ``new`` (the new statements lead on to the store's), keeping what it reads from
    ``store``; with the ``rdf:type`` statements of every node reached, those of the
    predicates read (what the ontology says about them), and the ontology graph whole
    (``ontology``, by default a Store's ``graph/ontology``; its size does not depend on the
    instance data). ``graph/shapes`` and ``graph/void`` are left out. Costs in proportion to
    what the shapes read from the focus nodes; the store is read through its indexes, never
    scanned. With shapes :func:`read_plan` cannot follow, the whole store is returned.
    """
    if shapes is None:
        from .sources import load_shapes

        shapes = load_shapes()
    new = list(new)
    plan = read_plan(shapes)
    if focus is None and plan is not None:
        focus = affected_nodes(new, store, shapes, extra=new)
    is_store = isinstance(store, ox.Store)
    source = _Source(store, _ox_store(new) if is_store else _graph_of(new))
    out = bind_prefixes(PreparedQueryGraph())
    convert = to_rdflib_cached if is_store else (lambda n: n)
    if plan is None or plan.about_more:
        for triple in ontology if ontology is not None else map(lambda t: tuple(map(convert, t)), source.ontology()):
            out.add(triple)
    if plan is None:
        triples = (t for t, stored in source.triples(None, None, None) if stored)
    else:
        triples = walk_forward(source, plan, [to_ox(n) for n in focus] if is_store else focus)
    for s, p, o in triples:
        out.add((convert(s), convert(p), convert(o)))
    return out


def _graph_of(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def walk_forward(source: _Source, plan: ReadPlan, focus: Iterable) -> set[tuple]:
    """The statements of ``source``'s data (not its ``extra``) that validating ``focus`` can
    read (:func:`neighbourhood` without the ontology graph), in the terms of ``source``."""
    moves = _plan_terms(plan, source.store)
    todo = [(0, n) for n in focus]
    seen: set[tuple[int, Any]] = set()
    reached: set = set()
    predicates: set = set()
    out: set[tuple] = set()
    while todo:
        state, node = todo.pop()
        if (state, node) in seen:
            continue
        seen.add((state, node))
        reached.add(node)
        forward, anything, backward = moves.grouped[state]
        reads: list[tuple[Iterable, dict | None, list[int], bool]] = []
        if anything or len(forward) > 2:  # one look at all the node's statements
            reads.append((source.triples(node, None, None), forward, anything, True))
        else:
            reads += [(source.triples(node, p, None), None, afters, True) for p, afters in forward.items()]
        reads += [(source.triples(None, p, node), None, afters, False) for p, afters in backward.items()]
        for triples, by_predicate, afters, is_forward in reads:
            for triple, stored in triples:
                targets = afters if by_predicate is None else by_predicate.get(triple[1], []) + afters
                if not targets:
                    continue
                if stored:
                    out.add(triple)
                predicates.add(triple[1])
                end = triple[2] if is_forward else triple[0]
                if isinstance(end, _LITERALS):
                    continue
                reached.add(end)
                todo.extend((after, end) for after in targets if moves.moves[after] and (after, end) not in seen)
    rdf_type = RDF_TYPE if source.store else RDF.type
    for node in reached:  # the types of every node reached
        for triple, stored in source.triples(node, rdf_type, None):
            if stored:
                out.add(triple)
    for node in predicates:  # what the graph says about the predicates read
        for triple, stored in source.triples(node, None if plan.about_predicates else rdf_type, None):
            if stored:
                out.add(triple)
    return out


_SCHEMA_NS = ("http://www.w3.org/2002/07/owl#", "http://www.w3.org/2000/01/rdf-schema#",
              "http://www.w3.org/1999/02/22-rdf-syntax-ns#")


def _is_vocabulary(node: Node, graph: Graph) -> bool:
    """A term of the ontologies (what the shapes check about it does not change with instance
    data): an IRI of a standard vocabulary or of our ontology, or a resource typed with an
    RDFS/OWL class (owl:Class, owl:ObjectProperty ...)."""
    from .reasoning import STANDARD_VOCABULARIES

    if not isinstance(node, URIRef):
        return False
    if str(node).startswith(STANDARD_VOCABULARIES):
        return True
    return any(str(t).startswith(_SCHEMA_NS) for t in graph.objects(node, RDF.type))


@lru_cache(maxsize=1024)
def _prepare(text: str, base: str | None):
    """``text`` parsed once; our standard prefixes stand in for any it does not declare."""
    return prepareQuery(text, initNs=PREFIXES, base=base)


class PreparedQueryGraph(Graph):
    """A Graph that parses each SPARQL query text once per process.

    pySHACL runs a SHACL-SPARQL constraint as the same query text once per focus node, and
    rdflib parses the text again on every call; parsing, not evaluation, was ~90% of the
    validation time. A prepared query (rdflib's ``prepareQuery``) is parsed and translated
    once and evaluated with different initial bindings, which is what rdflib designed it for.
    The cache is shared by all instances, so every validation (and every guarded write)
    reuses it; pySHACL's query texts declare their own prefixes (``sh:prefixes``), so the text
    alone is the key. A text that needs a prefix only this graph binds takes rdflib's path.
    """

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,  # noqa: N803
              use_store_provided=True, **kwargs):
        if isinstance(query_object, str):
            try:
                query_object = _prepare(query_object, kwargs.get("base"))
            except Exception:  # noqa: BLE001 - an undeclared prefix: let rdflib parse it as usual
                pass
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


def shacl_report(data_graph: Graph | ox.Store, shapes: Graph | ShapesGraph, *, focus: Iterable[Node] | None = None,
                 engine: Engine = "turbo") -> Graph:
    """The SHACL validation report graph of ``data_graph`` (a pyoxigraph Store: its default graph).

    With ``focus``, each shape is run on the nodes it targets among ``focus`` only (nested
    shapes still check every value node). Used by :func:`validate` and by the write guard.
    """
    if focus is not None:
        focus = list(focus)
    # turbo takes IRIs only as focus nodes: a blank focus node goes to pySHACL
    if engine == "turbo" and not (focus and any(isinstance(n, BNode) for n in focus)):
        shapes_graph = shapes.graph if isinstance(shapes, ShapesGraph) else shapes
        batched = (_batched(shapes_graph) if not isinstance(data_graph, ConjunctiveGraph)
                   else None)  # a Dataset's named graphs are validated apart: not batched
        compiled = _compiled(batched.rest if batched else shapes_graph)
        if compiled is not None:
            _conforms, graph, _text = compiled.validate(
                _turbo_input(data_graph) if isinstance(data_graph, ox.Store) else data_graph,
                allow_warnings=True, allow_infos=True, focus_nodes=focus)
            if batched:
                batched.add_results(graph, data_graph, focus)
            return graph
    if isinstance(data_graph, ox.Store):  # an engine that needs rdflib: the default graph copied
        copy = PreparedQueryGraph()
        for quad in data_graph.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            copy.add(triple_to_rdflib(quad))
        data_graph = copy
    if focus is None:
        _conforms, graph, _text = shacl_validate(
            data_graph, shacl_graph=shapes.graph if isinstance(shapes, ShapesGraph) else shapes,
            inference=None, inplace=True, allow_warnings=True)
        return graph
    # pySHACL's own ``focus_nodes=`` also filters the value nodes that nested shapes (sh:or,
    # sh:node, qualified value shapes) check, so a literal checked by a nested shape would
    # always pass: run each shape on its targets among ``focus`` instead.
    shapes_graph = shapes if isinstance(shapes, ShapesGraph) else _shapes_graph(shapes)
    wanted = set(focus)
    executor = SHACLExecutor(allow_warnings=True, allow_infos=True)
    reports: list = []
    for shape in shapes_graph.shapes:
        chosen = [n for n in shape.focus_nodes(data_graph) if n in wanted]
        if chosen:
            _, found = shape.validate(executor, data_graph, focus=chosen)
            reports.extend(found)
    graph, _ = Validator.create_validation_report(shapes_graph, not reports, reports)
    return graph


def _turbo_input(store: ox.Store):
    """The default graph of ``store`` as pyshacl-turbo's input: N-Triples that its Rust engine
    parses itself (turbo's own reading of a pyoxigraph Store dumps every graph as N-Quads; its
    reading of an rdflib graph converts term by term, about 10 s at 100x)."""
    from pyshacl_turbo.rdf import Input

    text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8")
    return Input(text, "nt", None, {})


_shapes_graph = _PerShapes(ShapesGraph)  # pySHACL's parsed form of a shapes graph


def _compile(shapes: Graph):
    """pyshacl-turbo's compiled form of ``shapes``, or None when turbo refuses them (then
    pySHACL runs)."""
    try:
        import pyshacl_turbo

        return pyshacl_turbo.compile_shapes(shapes)
    except Exception:  # noqa: BLE001 - shapes turbo cannot run: the reference engine takes them
        return None


_compiled = _PerShapes(_compile)  # compiled once per shapes graph


@dataclass
class _BatchedConstraint:
    shape: URIRef
    constraint: Node
    query: str  # with ``{focus}`` where a run on given focus nodes puts their VALUES
    severity: Node
    messages: tuple[Literal, ...]
    targets: _Targets

    def text(self, focus: str = "") -> str:
        return self.query.replace("{focus}", focus, 1)


@dataclass(frozen=True)
class _Targets:
    """A shape's targets (``sh:targetClass``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``,
    ``sh:targetNode``), in pyoxigraph's terms."""

    classes: frozenset[ox.NamedNode]
    subjects_of: frozenset[ox.NamedNode]
    objects_of: frozenset[ox.NamedNode]
    nodes: frozenset[Any]

    def meet(self, found: _Targets) -> bool:
        """Whether a node of ``found`` (what some focus nodes are: their classes, the predicates
        they are subject and object of, themselves) is a target."""
        return bool(self.classes & found.classes or self.subjects_of & found.subjects_of
                    or self.objects_of & found.objects_of or self.nodes & found.nodes)

    @staticmethod
    def of(store: ox.Store, focus: Iterable[Any]) -> _Targets:
        """What the ``focus`` nodes are in the default graph of ``store``: the classes they
        are instances of (``rdf:type/rdfs:subClassOf*``, as the queries' targets read them),
        the predicates they are subject and object of, themselves."""
        default = ox.DefaultGraph()
        nodes = frozenset(focus)
        subjects_of, objects_of, classes = set(), set(), set()
        for node in nodes:
            if not isinstance(node, ox.Literal):
                for q in store.quads_for_pattern(node, None, None, default):
                    subjects_of.add(q.predicate)
                    if q.predicate == RDF_TYPE:
                        classes.add(q.object)
            objects_of.update(q.predicate for q in store.quads_for_pattern(None, None, node, default))
        todo = list(classes)
        while todo:
            for q in store.quads_for_pattern(todo.pop(), _SUBCLASS_OF, None, default):
                if q.object not in classes:
                    classes.add(q.object)
                    todo.append(q.object)
        return _Targets(frozenset(classes), frozenset(subjects_of), frozenset(objects_of), nodes)


_SUBCLASS_OF = ox.NamedNode(str(RDFS.subClassOf))


@dataclass
class _Batched:
    """The SPARQL constraints of node shapes, each run as one query over the graph.

    pyshacl-turbo runs a SPARQL constraint once per focus node, and each run costs about as much
    as a query that matches nothing, a cost that grows with the graph (``benchmarks/validation.py``
    prints it beside each constraint of the three shapes that target every typed or described
    resource): at 100x these runs took most of the whole-graph validation. On a whole-graph run,
    each constraint's own SELECT runs once in pyoxigraph instead, its top-level group opened by
    the shape's focus nodes (its ``sh:targetClass``, ``sh:targetSubjectsOf``,
    ``sh:targetObjectsOf`` and ``sh:targetNode``): what follows in the group (triple patterns,
    ``BIND``, ``OPTIONAL``, ``FILTER (NOT) EXISTS``) sees ``$this`` bound as SHACL's pre-binding
    has it, so the solutions are the per-node ones (queries with aggregates or solution
    modifiers stay with turbo). A run on given focus nodes (a write, ``validate FILE``) puts
    them in a ``VALUES`` before the targets, and runs only the constraints of shapes that target
    one of them (:class:`_Targets`): turbo would run each constraint once per focus node, about
    70 µs each on a write's hundred statements (a 100-triple write at 100x: 10-14 ms of SHACL,
    5.7 ms this way). Each solution becomes the result SHACL 1.0 section 5.3
    defines (focus node ``$this``, path ``?path``, value ``?value`` or else the focus node, the
    constraint's messages with ``{?var}`` substituted), written as turbo writes it;
    ``tests/test_shape_engines.py`` holds the whole report equal to turbo's own and to pySHACL's
    on every example. Property shapes (``$PATH``), shapes nested in others, implicit class
    targets and SPARQL-based targets stay with turbo. ``rest`` is the shapes graph without the
    batched constraints, for turbo.
    """

    rest: Graph
    constraints: list[_BatchedConstraint]

    def add_results(self, report: Graph, data: Graph | ox.Store, focus: Iterable[Node] | None = None) -> None:
        """Run the constraints over ``data`` (a pyoxigraph Store: its default graph, in place;
        an rdflib graph is copied into one) and add their results to ``report``.

        With ``focus``, each constraint only on those of its shape's focus nodes, and only
        the constraints of shapes that target one of them are run at all (each query costs
        its parse and plan, about 0.2-0.8 ms, even on a store of a hundred statements)."""
        if isinstance(data, ox.Store):
            store = data
        else:
            store = ox.Store()
            store.extend(  # not bulk_extend: its loader reserves 200 MB up front (a limited validator process)
                ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in data)
        node = report.value(None, RDF.type, SH.ValidationReport)
        found = False
        constraints, only = self.constraints, ""
        if focus is not None:
            nodes = [to_ox(n) for n in focus]
            present = _Targets.of(store, nodes)
            constraints = [c for c in constraints if c.targets.meet(present)]
            only = f"VALUES $this {{ {' '.join(map(str, nodes))} }} "
        for batched in constraints:
            solutions = store.query(batched.text(only))
            variables = solutions.variables
            for solution in solutions:
                values = {v.value: to_rdflib(solution[v]) for v in variables if solution[v] is not None}
                focus = values["this"]
                result = BNode()
                found = True
                report.add((node, SH.result, result))
                report.add((result, RDF.type, SH.ValidationResult))
                report.add((result, SH.focusNode, focus))
                if isinstance(values.get("path"), URIRef):
                    report.add((result, SH.resultPath, values["path"]))
                report.add((result, SH.value, values.get("value", focus)))
                report.add((result, SH.resultSeverity, batched.severity))
                report.add((result, SH.sourceShape, batched.shape))
                report.add((result, SH.sourceConstraint, batched.constraint))
                report.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
                for message in batched.messages:
                    report.add((result, SH.resultMessage, Literal(_substitute(str(message), values))))
        if found:
            report.set((node, SH.conforms, Literal(False)))


def _substitute(message: str, values: dict[str, Node]) -> str:
    import re

    return re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}",
                  lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), message)


def _make_batched(shapes: Graph) -> _Batched | None:
    """The whole-graph shapes' SPARQL constraints to run once each (see :class:`_Batched`), or
    None when ``shapes`` has none that qualify."""
    import re

    constraints: list[_BatchedConstraint] = []
    removed: list[tuple[Node, Node, Node]] = []
    nested = {o for p in (SH.node, SH.qualifiedValueShape, SH["not"], SH.property, RDF.first)
              for o in shapes.objects(None, p)}
    instance_of = f"{RDF.type.n3()}/{RDFS.subClassOf.n3()}*"
    for shape in sorted(set(shapes.subjects(SH.sparql, None))):
        aims = _Targets(*(frozenset(map(to_ox, shapes.objects(shape, p)))
                          for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)))
        targets = [f"{{ $this {instance_of} {c} }}" for c in aims.classes]
        targets += [f"{{ $this {p} ?bkgTargetValue }}" for p in aims.subjects_of]
        targets += [f"{{ ?bkgTargetSubject {p} $this }}" for p in aims.objects_of]
        targets += [f"{{ VALUES $this {{ {n} }} }}" for n in aims.nodes]
        # left to turbo: property shapes ($PATH), nested shapes, implicit class targets, SPARQL targets
        if (not targets or shape in nested or (shape, SH.path, None) in shapes or (shape, SH.target, None) in shapes
                or (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes
                or shapes.value(shape, SH.deactivated) == Literal(True)):
            continue
        target = " UNION ".join(sorted(targets))
        for constraint in sorted(shapes.objects(shape, SH.sparql)):
            select = shapes.value(constraint, SH.select)
            if (select is None or shapes.value(constraint, SH.deactivated) == Literal(True)
                    or re.match(r"\s*(PREFIX|BASE)\b", str(select), re.IGNORECASE)
                    or not re.match(r"\s*SELECT\b", str(select), re.IGNORECASE)
                    # aggregates and solution modifiers would span all focus nodes at once
                    or re.search(r"\b(GROUP|HAVING|LIMIT|OFFSET|ORDER|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\b",
                                 str(select), re.IGNORECASE)):
                continue
            prologue = "".join(
                f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
                for declared in shapes.objects(constraint, SH.prefixes) for d in shapes.objects(declared, SH.declare))
            # the focus nodes first in the constraint's own top-level group: its BINDs, OPTIONALs
            # and (NOT) EXISTS then see $this bound, as SHACL's pre-binding has it
            brace = str(select).index("{") + 1
            query = (f"{prologue}{str(select)[:brace]} {{ SELECT DISTINCT $this WHERE {{ {{focus}}{target} }} }}"
                     f" {str(select)[brace:]}")
            messages = tuple(shapes.objects(constraint, SH.message)) or tuple(shapes.objects(shape, SH.message))
            severity = shapes.value(constraint, SH.severity) or shapes.value(shape, SH.severity) or SH.Violation
            constraints.append(_BatchedConstraint(URIRef(shape), constraint, query, severity, messages, aims))
            removed.append((shape, SH.sparql, constraint))
    batched = None
    if constraints:
        rest = Graph()
        for prefix, namespace in shapes.namespaces():
            rest.bind(prefix, namespace)
        for triple in shapes:
            rest.add(triple)
        for triple in removed:
            rest.remove(triple)
        # a shape left with no constraint at all (only targets and words) need not have its
        # focus nodes found by turbo: OntologyTermShape and IriResolvesShape target every typed node
        words = {SH.name, SH.description, SH.message, SH.severity, SH.deactivated, SH.order, SH.group,
                 SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode}
        for shape in {shape for shape, _, _ in removed}:
            if (not any(p.startswith(str(SH)) and p not in words for p in rest.predicates(shape, None))
                    and (RDF.type, SH.NodeShape) == next(((p, o) for p, o in rest.predicate_objects(shape)
                                                          if p == RDF.type), None)):
                for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
                    rest.remove((shape, target, None))
        batched = _Batched(rest, constraints)
    return batched


_batched = _PerShapes(_make_batched)  # made once per shapes graph


def _merge(source: Graph | Dataset, into: Graph) -> None:
    if isinstance(source, Dataset):
        for graph in source.graphs():
            if graph.identifier != GRAPH.SHAPES:
                into += graph
    else:
        into += source


def report_from_graph(report_graph: Graph, data_graph: Graph, shapes: Graph) -> ValidationReport:
    """A :class:`ValidationReport` read from a ``sh:ValidationReport`` graph."""
    names = dict(PREFIXES)
    for prefix, ns in [*shapes.namespaces(), *data_graph.namespaces()]:
        if prefix and not prefix.startswith(("ns", "default")):
            names.setdefault(prefix, str(ns))
    results = []
    # sh:result of the report only: pySHACL also types nested sh:detail results as results.
    for node in report_graph.objects(None, SH.result):
        shape = report_graph.value(node, SH.sourceShape)
        path = report_graph.value(node, SH.resultPath)
        severity = report_graph.value(node, SH.resultSeverity)
        message = report_graph.value(node, SH.resultMessage)
        results.append(
            ValidationResult(
                focus_node=report_graph.value(node, SH.focusNode),
                path=None if path is None else _path(path, report_graph, names),
                value=report_graph.value(node, SH.value),
                source_shape=shape,
                constraint_component=report_graph.value(node, SH.sourceConstraintComponent),
                severity=_local(severity) if severity is not None else "Violation",
                message=str(message) if message is not None else "",
                shape_label=_shape_label(shape, shapes, names),
            )
        )
    results.sort(key=lambda r: r.fields(names))
    conforms = not any(r.severity == "Violation" for r in results)
    lines = [("Conforms" if conforms else "Does not conform") + f": {len(results)} result(s)"]
    for r in results:
        focus, path, value, shape, message = r.fields(names)
        tag = "" if r.severity == "Violation" else f"[{r.severity}] "
        lines.append(f"{tag}{focus}  {path}  {value}  {shape}  {message}")
    bind_prefixes(report_graph)
    return ValidationReport(conforms=conforms, results=results, text="\n".join(lines) + "\n", graph=report_graph)


def _local(iri: Node) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1]


def _short(node: Node, names: dict[str, str]) -> str:
    if isinstance(node, URIRef):
        return shorten(str(node), names)
    if isinstance(node, Literal) and node.datatype is not None:
        return f'{Literal(str(node)).n3()}^^{shorten(str(node.datatype), names)}'
    return node.n3()


def _path(path: Node, graph: Graph, names: dict[str, str]) -> str:
    """A SHACL property path in SPARQL property-path syntax."""
    if isinstance(path, URIRef):
        return _short(path, names)
    if (path, RDF.first, None) in graph:
        return "/".join(_path(p, graph, names) for p in Collection(graph, path))
    for predicate, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"),
                           (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return fmt.format(_path(inner, graph, names))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(p, graph, names) for p in Collection(graph, alternatives)) + ")"
    return path.n3()


def _shape_label(shape: Node, shapes: Graph, names: dict[str, str]) -> str:
    if not isinstance(shape, BNode):
        return _short(shape, names)
    parent = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    where = _path(path, shapes, names) if path is not None else "?"
    return f"{_short(parent, names) if parent is not None else '[]'} {where}"
