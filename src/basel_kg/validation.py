"""SHACL validation with pySHACL, standalone or in the context of the knowledge graph.

:func:`validate` returns a :class:`ValidationReport`: ``conforms`` (no result of severity
``sh:Violation``; warnings and infos are reported but do not fail), one
:class:`ValidationResult` per SHACL result, the report as text (one sorted line per result:
focus node, path, value, shape, message), as Turtle and as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

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

__all__ = ["PreparedQueryGraph", "ValidationResult", "ValidationReport", "report_from_graph", "shacl_report", "validate"]


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
) -> ValidationReport:
    """Validate ``data`` against ``shapes`` (default: the project's ``shapes/``).

    With ``context`` (e.g. the knowledge graph's dataset, or just the ontology), ``data`` is
    validated together with it, so new statements may refer to existing entities; only the
    nodes ``data`` mentions, and the fixed nodes of whole-graph checks (``sh:targetNode``), are
    then validated (all nodes when ``data`` has blank-node subjects, which cannot be named as
    focus nodes). A Dataset is read as the union of its graphs, leaving out ``graph/shapes``.
    """
    if shapes is None:
        from .sources import load_shapes

        shapes = load_shapes()
    data_graph = bind_prefixes(PreparedQueryGraph())
    _merge(data, data_graph)
    focus: list[URIRef] | None = None
    if context is not None:
        focus = _mentioned(data_graph)
        if focus == []:  # no statements: nothing to validate (pySHACL would read [] as "all nodes")
            return report_from_graph(Graph(), data_graph, shapes)
        if focus is not None:
            # Shapes aimed at one fixed node (sh:targetNode) are whole-graph checks, e.g. "every
            # bkg: class is defined": they must see the new statements too.
            focus = sorted(set(focus) | {n for n in shapes.objects(None, SH.targetNode) if isinstance(n, URIRef)})
        _merge(context, data_graph)
    report_graph = shacl_report(data_graph, shapes, focus=focus)
    return report_from_graph(report_graph, data_graph, shapes)


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


def shacl_report(data_graph: Graph, shapes: Graph | ShapesGraph, *, focus: Iterable[Node] | None = None) -> Graph:
    """The pySHACL validation report graph of ``data_graph``.

    With ``focus``, each shape is run on the nodes it targets among ``focus`` only. pySHACL's
    own ``focus_nodes=`` option is not used for this: it also filters the value nodes that
    nested shapes (``sh:or``, ``sh:node``, qualified value shapes) check, so a literal checked
    by a nested shape would always pass. Used by :func:`validate` and by the write guard.
    """
    if focus is None:
        _conforms, graph, _text = shacl_validate(
            data_graph, shacl_graph=shapes.graph if isinstance(shapes, ShapesGraph) else shapes,
            inference=None, inplace=True, allow_warnings=True)
        return graph
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


def _merge(source: Graph | Dataset, into: Graph) -> None:
    if isinstance(source, Dataset):
        for graph in source.graphs():
            if graph.identifier != GRAPH.SHAPES:
                into += graph
    else:
        into += source


def _mentioned(graph: Graph) -> list[URIRef] | None:
    """IRIs the data talks about (subjects and IRI objects), or None when a subject is a blank node."""
    nodes: set[URIRef] = set()
    for s, p, o in graph:
        if isinstance(s, BNode):
            return None
        nodes.add(s)
        if isinstance(o, URIRef) and p != RDF.type:
            nodes.add(o)
    return sorted(nodes)


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
