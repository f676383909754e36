"""The SHACL shapes in shapes/, tested with the examples in tests/shapes/.

Layout: tests/shapes/{ShapeLocalName}/{case}.conforms.ttl and {case}.violates.ttl. Each example
is validated together with the ontology and tests/shapes/fixture.ttl (shared context: a source
text, passages, a few reference entities), as the shipped data is validated: one union graph,
no inference. A conforming example produces no result at all; a violating one produces exactly
the results its leading comment lines announce, and nothing else:

    # expect: sh:MinCountConstraintComponent bkgsh:DecisionShape bkg:adoptedBy
    # expect: sh:SPARQLConstraintComponent bkgsh:DecisionShape bkg:decisionNumber bkgsh:DecisionNumberRequiredConstraint

i.e. the constraint component, the named shape (the node shape a property shape belongs to),
the result path ('-' for none; ^p, (a|b) for inverse and alternative paths) and, for
SPARQL-based constraints, the constraint. Terms are CURIEs (prefixes of basel_kg.namespaces
plus bkgsh:) or <full IRIs>.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from basel_kg.namespaces import BKG_URI, ONTOLOGY_FILE
from basel_kg.sources import load_shapes
from support.shacl import expectations, normalise  # noqa: F401
from support.shacl import SHAPES_NS, curie, run, union_graph

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = Path(__file__).resolve().parent / "shapes"
FIXTURE = EXAMPLES / "fixture.ttl"
FILES = sorted(EXAMPLES.glob("*/*.ttl"))
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@cache
def shapes() -> Graph:
    return load_shapes(ROOT)


@cache
def context() -> Graph:
    """Ontology + fixture, parsed once; each test validates a copy plus its example."""
    g = Graph().parse(ONTOLOGY_FILE, format="turtle")
    g.parse(FIXTURE, format="turtle")
    return g


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def validate_with_context(path: Path | None):
    data = union_graph([context()] + ([Graph().parse(path, format="turtle")] if path else []))
    return run(data, shapes())


def targeted_shapes() -> list[URIRef]:
    """Named shapes that select focus nodes themselves (the ones examples are written for)."""
    g = shapes()
    return sorted(
        {s for t in TARGETS for s in g.subjects(t, None) if isinstance(s, URIRef)},
        key=str,
    )


def local(term: URIRef) -> str:
    return str(term)[len(SHAPES_NS):]


# --- one test per example file -------------------------------------------------------------


def test_fixture_conforms():
    results = validate_with_context(None)
    assert results == [], "\n".join(r.line() for r in results)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example(path: Path):
    results = validate_with_context(path)
    if path.name.endswith(".conforms.ttl"):
        assert not expectations(path), f"{path.name}: a conforming example expects nothing"
        assert results == [], "unexpected results:\n" + "\n".join(r.line() for r in results)
        return
    assert path.name.endswith(".violates.ttl"), f"{path.name}: name it *.conforms.ttl or *.violates.ttl"
    expected = expectations(path)
    assert expected, f"{path.name}: a violating example needs at least one '# expect:' line"
    actual = Counter(r.key for r in results)
    assert actual == expected, (
        "results differ from the '# expect:' lines\n"
        + "\n".join(f"  {' '.join(k)}  | {r.focus} | {r.value} | {r.message}" for r in results for k in [r.key])
    )
    for r in results:
        assert r.message and not re.search(r"\{[?$]\w+\}", r.message), f"message not filled in: {r.message}"


# --- every shape has examples; every constraint is exercised ---------------------------------


def example_dirs() -> set[str]:
    return {p.parent.name for p in FILES}


@pytest.mark.parametrize("shape", targeted_shapes(), ids=local)
def test_every_shape_has_conforming_and_violating_examples(shape: URIRef):
    folder = EXAMPLES / local(shape)
    conforming = sorted(folder.glob("*.conforms.ttl"))
    violating = sorted(folder.glob("*.violates.ttl"))
    assert conforming, f"no tests/shapes/{local(shape)}/*.conforms.ttl"
    assert violating, f"no tests/shapes/{local(shape)}/*.violates.ttl"
    for path in violating:
        assert any(key[1] == curie(shape) for key in expectations(path)), (
            f"{path.name} expects no result from {curie(shape)}"
        )


def test_every_example_folder_is_a_shape():
    assert example_dirs() <= {local(s) for s in targeted_shapes()}


def test_every_sparql_constraint_and_component_is_exercised():
    g = shapes()
    expected = Counter()
    for path in EXAMPLES.glob("*/*.violates.ttl"):
        expected.update(expectations(path))
    named = {k[3] for k in expected if len(k) > 3}
    components = {k[0] for k in expected}
    constraints = {curie(c) for c in g.objects(None, SH.sparql)}
    assert constraints - named == set(), "SPARQL constraints without a violating example"
    custom = {curie(c) for c in g.subjects(RDF.type, SH.ConstraintComponent)}
    assert custom - components == set(), "constraint components without a violating example"


# --- every constraint has a message, every shape a name ---------------------------------------

NODE_LEVEL = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minExclusive, SH.minInclusive, SH.maxExclusive,
    SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern, SH.languageIn, SH["not"], SH["and"],
    SH["or"], SH.xone, SH.node, SH.closed, SH.hasValue, SH["in"],
}


def property_shapes() -> list[tuple[URIRef, BNode | URIRef]]:
    g = shapes()
    return [(s, p) for s in targeted_shapes() for p in g.objects(s, SH.property)]


@pytest.mark.parametrize("shape", targeted_shapes(), ids=local)
def test_named_shape_is_labelled_and_every_constraint_has_a_message(shape: URIRef):
    g = shapes()
    assert g.value(shape, RDFS.label) is not None, "no rdfs:label"
    own = set(g.predicates(shape, None)) & NODE_LEVEL
    custom = {p for p in g.predicates(shape, None) if str(p).startswith(SHAPES_NS)}
    has_message = g.value(shape, SH.message) is not None
    if own:
        assert has_message, f"node-level constraints {sorted(map(curie, own))} without sh:message"
    if list(g.objects(shape, SH.sparql)) or custom:
        # pySHACL adds a shape's own sh:message to the results of its SPARQL-based constraints;
        # keep one message per result by giving such shapes no shape-level message.
        assert not has_message, "shape with SPARQL-based constraints has a shape-level sh:message"
    for prop in g.objects(shape, SH.property):
        assert g.value(prop, SH.name) is not None, f"property shape on {curie(g.value(prop, SH.path))}: no sh:name"
        assert g.value(prop, SH.message) is not None, f"property shape {g.value(prop, SH.name)}: no sh:message"
    for constraint in g.objects(shape, SH.sparql):
        assert g.value(constraint, SH.message) is not None, f"{curie(constraint)}: no sh:message"
        assert g.value(constraint, RDFS.label) is not None, f"{curie(constraint)}: no rdfs:label"


def test_constraint_components_have_messages():
    g = shapes()
    for component in g.subjects(RDF.type, SH.ConstraintComponent):
        validators = [v for p in (SH.validator, SH.nodeValidator, SH.propertyValidator) for v in g.objects(component, p)]
        assert validators, f"{curie(component)}: no validator"
        for v in validators:
            assert g.value(v, SH.message) is not None, f"{curie(component)}: validator without sh:message"


# --- standard SHACL only ----------------------------------------------------------------------

CORE = """NodeShape PropertyShape Shape targetClass targetNode targetSubjectsOf targetObjectsOf path
inversePath alternativePath zeroOrMorePath oneOrMorePath zeroOrOnePath class datatype nodeKind
minCount maxCount minExclusive minInclusive maxExclusive maxInclusive minLength maxLength pattern
flags languageIn uniqueLang equals disjoint lessThan lessThanOrEquals not and or xone node property
qualifiedValueShape qualifiedMinCount qualifiedMaxCount qualifiedValueShapesDisjoint closed
ignoredProperties hasValue in message severity deactivated name description order group
defaultValue IRI BlankNode Literal BlankNodeOrIRI BlankNodeOrLiteral IRIOrLiteral Violation
Warning Info""".split()
SPARQL = """sparql select ask prefixes declare prefix namespace SPARQLConstraint ConstraintComponent
parameter optional validator nodeValidator propertyValidator SPARQLSelectValidator
SPARQLAskValidator labelTemplate""".split()


def test_only_shacl_core_and_sparql_vocabulary():
    g = shapes()
    used = {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(str(SH))}
    allowed = {SH[n] for n in CORE + SPARQL}
    assert sorted(map(curie, used - allowed)) == []


def test_sparql_queries_respect_shacl_syntax_rules():
    """SHACL 5.2: no VALUES, MINUS or SERVICE, and prefixes come from sh:prefixes declarations."""
    g = shapes()
    for node, query in [(n, q) for p in (SH.select, SH.ask) for n, q in g.subject_objects(p)]:
        text = re.sub(r'"[^"\n]*"', '""', str(query))
        assert not re.search(r"\b(VALUES|MINUS|SERVICE)\b", text), f"{curie(node)}: forbidden keyword"
        assert "PREFIX" not in text.upper().split("SELECT")[0], f"{curie(node)}: declare prefixes with sh:declare"
        assert g.value(node, SH.prefixes) is not None, f"{curie(node)}: no sh:prefixes"


def test_regular_expressions_are_portable():
    """XPath/XSD regex syntax: no non-capturing groups, lookaround, backreferences or \\b."""
    g = shapes()
    patterns = [str(p) for p in g.objects(None, SH.pattern)]
    for query in g.objects(None, SH.select):
        patterns += re.findall(r'REGEX\([^,]+,\s*"([^"]*)"', str(query))
    assert patterns
    for p in patterns:
        assert not re.search(r"\(\?|\\b|\\[1-9]", p), f"non-portable regex: {p}"
        re.compile(p)


# --- every class of the ontology is covered -----------------------------------------------------


def superclasses(cls: URIRef) -> set[URIRef]:
    g, seen, todo = ontology(), {cls}, [cls]
    while todo:
        for sup in g.objects(todo.pop(), RDFS.subClassOf):
            if isinstance(sup, URIRef) and sup not in seen:
                seen.add(sup)
                todo.append(sup)
    return seen


ONTOLOGY_CLASSES = sorted(
    (c for c in ontology().subjects(RDF.type, OWL.Class) if str(c).startswith(BKG_URI)), key=str
)
GENERIC = {URIRef(SHAPES_NS + n) for n in ("LabelShape", "ProvenanceShape", "TypedSubjectShape")}


@pytest.mark.parametrize("cls", ONTOLOGY_CLASSES, ids=lambda c: str(c)[len(BKG_URI):])
def test_every_ontology_class_is_targeted(cls: URIRef):
    """By a provenance rule (all but the provenance classes) and by some class-specific shape."""
    g = shapes()
    sup = superclasses(cls)
    provenance = set(g.objects(URIRef(SHAPES_NS + "ProvenanceShape"), SH.targetClass))
    if cls not in (URIRef(BKG_URI + "SourceText"), URIRef(BKG_URI + "SourcePassage")):
        assert sup & provenance, "not a target of bkgsh:ProvenanceShape"
    specific = {s for s, t in g.subject_objects(SH.targetClass) if t in sup and s not in GENERIC}
    allowed_generic_only = {URIRef(BKG_URI + "Fund")}
    assert specific or cls in allowed_generic_only, "no class-specific shape targets this class"


def test_sh_in_lists_are_well_formed():
    g = shapes()
    for node in g.objects(None, SH["in"]):
        assert len(list(Collection(g, node))) > 0
