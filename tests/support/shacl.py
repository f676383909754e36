"""Run SHACL the way the project validates: one union graph, no inference; read results back.

Used by tests/test_shapes.py and tests/test_shipped_data_conforms.py.

The data graph is the library's ``PreparedQueryGraph``, which parses each SPARQL constraint
once instead of once per focus node (a full run on the shipped data: ~30 s -> a few seconds).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from basel_kg.namespaces import PREFIXES
from basel_kg.validation import PreparedQueryGraph as CachingGraph

SHAPES_NS = "https://w3id.org/basel-kg/shapes#"
CURIE_PREFIXES = {**PREFIXES, "bkgsh": SHAPES_NS}


def union_graph(graphs: Iterable[Graph]) -> CachingGraph:
    """The union of the triples of ``graphs`` (named graphs of a Dataset, or plain graphs)."""
    out = CachingGraph()
    for g in graphs:
        for triple in g.triples((None, None, None)):
            out.add(triple)
    return out


def curie(term: Node | None) -> str:
    """A short, stable spelling of a term: a CURIE for IRIs in known namespaces, '-' for None."""
    if term is None:
        return "-"
    if isinstance(term, URIRef):
        text = str(term)
        best = max(
            ((p, ns) for p, ns in CURIE_PREFIXES.items() if text.startswith(ns) and len(text) > len(ns)),
            key=lambda pn: len(pn[1]),
            default=None,
        )
        return f"{best[0]}:{text[len(best[1]):]}" if best else f"<{text}>"
    if isinstance(term, Literal):
        return repr(str(term))
    return "_:"


def path_text(graph: Graph, path: Node | None) -> str:
    """A SHACL property path as SPARQL-like text: bkg:p, ^bkg:p, (a|b), a/b, p*, p+, p?."""
    if path is None:
        return "-"
    if isinstance(path, URIRef):
        return curie(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return path_text(graph, inner) + suffix
    if (path, RDF.first, None) in graph:
        return "/".join(path_text(graph, p) for p in Collection(graph, path))
    return "_:"


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult, with the named shape it belongs to."""

    severity: str
    component: str
    shape: str  # the named (IRI) shape: the source shape, or the node shape holding the property shape
    path: str
    constraint: str  # sh:sourceConstraint for SPARQL-based constraints, '-' otherwise
    focus: str
    value: str
    message: str

    @property
    def key(self) -> tuple[str, ...]:
        """What an example's `# expect:` line names: component, shape, path (+ constraint)."""
        base = (self.component, self.shape, self.path)
        return base + (self.constraint,) if self.component == "sh:SPARQLConstraintComponent" else base

    def line(self) -> str:
        return f"{self.severity} | {self.focus} | {self.path} | {self.value} | {self.message}"


def owner_shape(shapes: Graph, shape: Node) -> Node:
    """The named shape a (possibly blank) property shape hangs off via sh:property."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = shapes.value(None, SH.property, shape)
        if parent is None:
            break
        shape = parent
    return shape


def run(data: Graph, shapes: Graph, *, engine: str = "turbo") -> list[Result]:
    """Validate ``data`` against ``shapes`` (SHACL Core + SPARQL, no inference) with ``engine``:
    pyshacl-turbo (the library's default) or pySHACL (the reference)."""
    if engine == "turbo":
        from basel_kg.validation import _compiled

        compiled = _compiled(shapes)  # compiled once per shapes graph
        if compiled is None:
            raise AssertionError("pyshacl-turbo refuses the shapes")
        _conforms, report, text = compiled.validate(data, allow_warnings=False)
    else:
        _conforms, report, text = validate(
            data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=False
        )
    if not isinstance(report, Graph):
        raise AssertionError(f"{engine} failed: {text}")
    return results_of(report, shapes)


def results_of(report: Graph, shapes: Graph) -> list[Result]:
    """The top-level results of a SHACL report graph, sorted."""
    results = []
    # only top-level results: nested ones (sh:detail of sh:node, sh:or ...) are explanations
    for r in report.objects(None, SH.result):
        source = report.value(r, SH.sourceShape)
        constraint = report.value(r, SH.sourceConstraint)
        component = report.value(r, SH.sourceConstraintComponent)
        messages = sorted(str(m) for m in report.objects(r, SH.resultMessage))
        results.append(
            Result(
                severity=curie(report.value(r, SH.resultSeverity)),
                component=curie(component),
                shape=curie(owner_shape(shapes, source)),
                path=path_text(report, report.value(r, SH.resultPath)),
                constraint=curie(constraint) if component == SH.SPARQLConstraintComponent else "-",
                focus=curie(report.value(r, SH.focusNode)),
                value=curie(report.value(r, SH.value)),
                message=" / ".join(messages),
            )
        )
    return sorted(results, key=lambda x: (x.shape, x.focus, x.path, x.value, x.component, x.message))


def report_text(results: list[Result]) -> str:
    """One line per result: severity | focus node | path | value | message."""
    return "\n".join(r.line() for r in results)


EXPECT = re.compile(r"^#\s*expect:\s*(.+?)\s*$")


def normalise(token: str) -> str:
    if token.startswith("<") and token.endswith(">"):
        return curie(URIRef(token[1:-1]))
    return token


def expectations(path: Path) -> Counter:
    """The results an example file's ``# expect:`` lines announce (focus, path, shape...), counted."""
    expected = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = EXPECT.match(line)
        if m:
            expected[tuple(normalise(t) for t in m.group(1).split())] += 1
    return expected
