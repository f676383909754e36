"""SHACL validation, standalone or in the context of the knowledge graph.

Two engines give the same reports (a test runs both on every example of ``tests/shapes/``):
pyshacl-turbo (``engine="turbo"``, the default: a Rust SHACL engine with pySHACL's API,
18-22x faster) and pySHACL (``engine="pyshacl"``, the reference). The shapes follow SHACL 1.0
strictly (every SELECT of a SPARQL-based constraint projects ``$this``), which turbo requires.

In context (:func:`validate` with ``context=``), only the nodes the new data can affect are
validated: the nodes it mentions and their neighbours (see :func:`affected_nodes`); every
shape costs in proportion to its focus nodes (there is no whole-graph shape any more), so a
small file costs in proportion to the file.

:func:`validate` returns a :class:`ValidationReport`: ``conforms`` (no result of severity
``sh:Violation``; warnings and infos are reported but do not fail), one
:class:`ValidationResult` per SHACL result, the report as text (one sorted line per result:
focus node, path, value, shape, message), as Turtle and as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal as TypingLiteral

from pyshacl import Validator
from pyshacl import validate as shacl_validate
from pyshacl.pytypes import SHACLExecutor
from pyshacl.shapes_graph import ShapesGraph
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from .namespaces import GRAPH, PREFIXES, bind_prefixes, shorten

__all__ = ["PreparedQueryGraph", "ValidationResult", "ValidationReport", "affected_nodes", "report_from_graph",
           "shacl_report", "validate", "Engine"]

Engine = TypingLiteral["turbo", "pyshacl"]
HUB_DEGREE = 64


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
    context: Graph | Dataset | None = None,
    shapes: Graph | None = None,
    engine: Engine = "turbo",
) -> ValidationReport:
    """Validate ``data`` against ``shapes`` (default: the project's ``shapes/``).

    With ``context`` (e.g. the knowledge graph's dataset, or just the ontology), ``data`` is
    validated together with it, so new statements may refer to existing entities; only the
    nodes ``data`` can affect are validated (:func:`affected_nodes`). A Dataset is read as the
    union of its graphs, leaving out ``graph/shapes``.
    """
    if shapes is None:
        from .sources import load_shapes

        shapes = load_shapes()
    data_graph = bind_prefixes(PreparedQueryGraph())
    _merge(data, data_graph)
    focus: list[Node] | None = None
    if context is not None:
        new = Graph()
        for triple in data_graph:
            new.add(triple)
        _merge(context, data_graph)
        focus = affected_nodes(new, data_graph)
        if not focus:  # no statements: nothing to validate (an engine would read [] as "all nodes")
            return report_from_graph(Graph(), data_graph, shapes)
        # Shapes aimed at one fixed node (sh:targetNode) may check the whole graph: they must
        # see the new statements too.
        focus += sorted({n for n in shapes.objects(None, SH.targetNode) if isinstance(n, URIRef)} - set(focus))
    report_graph = shacl_report(data_graph, shapes, focus=focus, engine=engine)
    if context is not None and (None, SH.result, None) in report_graph:
        report_graph = _without_existing(report_graph, context, shapes, engine)
    return report_from_graph(report_graph, data_graph, shapes)


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


def affected_nodes(new: Iterable[tuple[Node, Node, Node]], graph: Graph, *,
                   is_vocabulary: Callable[[Node], bool] | None = None, hub_degree: int = HUB_DEGREE) -> list[Node]:
    """The nodes whose validation results new statements can change, in ``graph`` (which holds them).

    The subjects and (non-literal, non-class) objects of ``new``, and their direct neighbours
    (a shape may look one step away from its focus node, e.g. an inverse path or a count of
    links), except vocabulary terms (classes, properties: ``is_vocabulary``, by default
    :func:`is_vocabulary` on ``graph``) and the neighbours of hubs (nodes with more than
    ``hub_degree`` links, such as ``org/sbc``: the hub itself is validated, not all of its
    neighbours). Blank nodes lead to the IRI nodes that own them. Costs in proportion to
    ``new`` and the links of its nodes, never to the graph.
    """
    if is_vocabulary is None:
        def is_vocabulary(node: Node) -> bool:
            return _is_vocabulary(node, graph)
    endpoints: set[Node] = set()
    for s, p, o in new:
        endpoints.add(s)
        if p != RDF.type and not isinstance(o, Literal):
            endpoints.add(o)
    focus: set[Node] = set()
    for node in endpoints:
        if is_vocabulary(node):
            continue
        focus.add(node)
        focus.update(_owners(graph, node))
        neighbours = [o for p, o in graph.predicate_objects(node) if p != RDF.type and not isinstance(o, Literal)]
        neighbours += list(graph.subjects(None, node))
        if len(neighbours) > hub_degree:
            continue
        for n in neighbours:
            if is_vocabulary(n):
                continue
            focus.add(n)
            if isinstance(n, BNode):
                focus.update(_owners(graph, n))
    return sorted(focus, key=lambda n: (isinstance(n, BNode), str(n)))


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


def _owners(graph: Graph, node: Node, depth: int = 6) -> set[Node]:
    """The IRI nodes that reach the blank node ``node`` through blank nodes (none for an IRI)."""
    owners: set[Node] = set()
    frontier, seen = ([node] if isinstance(node, BNode) else []), {node}
    for _ in range(depth):
        following = []
        for n in frontier:
            for s in graph.subjects(None, n):
                if isinstance(s, URIRef):
                    owners.add(s)
                elif s not in seen:
                    seen.add(s)
                    following.append(s)
        frontier = following
    return owners


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


def shacl_report(data_graph: Graph, shapes: Graph | ShapesGraph, *, focus: Iterable[Node] | None = None,
                 engine: Engine = "turbo") -> Graph:
    """The SHACL validation report graph of ``data_graph``.

    With ``focus``, each shape is run on the nodes it targets among ``focus`` only (nested
    shapes still check every value node). Used by :func:`validate` and by the write guard.
    """
    if focus is not None:
        focus = list(focus)
    # turbo takes IRIs only as focus nodes: a blank focus node goes to pySHACL
    if engine == "turbo" and not (focus and any(isinstance(n, BNode) for n in focus)):
        compiled = _compiled(shapes.graph if isinstance(shapes, ShapesGraph) else shapes)
        if compiled is not None:
            _conforms, graph, _text = compiled.validate(
                data_graph, allow_warnings=True, allow_infos=True,
                focus_nodes=focus)
            return graph
    if focus is None:
        _conforms, graph, _text = shacl_validate(
            data_graph, shacl_graph=shapes.graph if isinstance(shapes, ShapesGraph) else shapes,
            inference=None, inplace=True, allow_warnings=True)
        return graph
    # pySHACL's own ``focus_nodes=`` also filters the value nodes that nested shapes (sh:or,
    # sh:node, qualified value shapes) check, so a literal checked by a nested shape would
    # always pass: run each shape on its targets among ``focus`` instead.
    shapes_graph = shapes if isinstance(shapes, ShapesGraph) else ShapesGraph(shapes)
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


_COMPILED: dict[int, tuple[Graph, object, int]] = {}


def _compiled(shapes: Graph):
    """pyshacl-turbo's compiled form of ``shapes`` (compiled once per shapes graph), or None
    when turbo refuses them (then pySHACL runs)."""
    key = id(shapes)
    cached = _COMPILED.get(key)
    if cached is not None and cached[0] is shapes and cached[2] == len(shapes):
        return cached[1]
    try:
        import pyshacl_turbo

        compiled = pyshacl_turbo.compile_shapes(shapes)
    except Exception:  # noqa: BLE001 - shapes turbo cannot run: the reference engine takes them
        compiled = None
    if len(_COMPILED) > 8:
        _COMPILED.clear()
    _COMPILED[key] = (shapes, compiled, len(shapes))
    return compiled


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
