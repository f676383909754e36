"""The entailments the ontology needs, computed inside pyoxigraph; owlrl as the reference.

:func:`infer` returns only what is new and worth querying: the subclass and subproperty
closure into the standard vocabularies, domains and ranges, inverse and symmetric properties,
the transitive citation closure and the property chains the ontology declares. It leaves
out the noise a complete OWL 2 RL closure carries: axiomatic triples, ``x owl:sameAs x``,
typing of literals and datatypes, ``rdf:type owl:Thing`` / ``rdfs:Resource``, reflexive
``rdfs:subClassOf`` and the like, and statements about the standard vocabularies themselves.

**How.** The OWL 2 RL rules over the *schema* (``scm-*``: subclass and subproperty
closure, domains and ranges inherited along them, equivalences) run with owlrl on the
schema statements alone (about a thousand triples, whatever the size of the data). The
closed schema is then compiled into one SPARQL update per rule family over the instance
data (``cax-sco``, ``prp-spo1``, ``prp-dom``, ``prp-rng``, ``prp-inv1/2``, ``prp-symp``,
``prp-trp``, ``prp-spo2`` for ``owl:propertyChainAxiom``), each with the schema pairs as a
``VALUES`` table, and run semi-naively to a fixpoint in an in-memory pyoxigraph store: in
each round every rule takes at least one premise from the previous round's new triples.

**Incremental** (:class:`IncrementalReasoner`, used for writes). Added statements are the
first round's delta of the same semi-naive loop. Removed statements are handled with DRed
(delete and re-derive): everything derivable through a removed statement is over-deleted
(the same loop, run against the state before the removal), then whatever of it the
remaining statements still derive in one step is put back and closed again. A change to
the schema (an RDFS/OWL axiom) recomputes everything.

**Coverage.** The compiled rules cover the constructs the ontology uses. When the schema
uses anything else (restrictions, ``owl:sameAs``, functional or disjoint properties,
``owl:Nothing`` ...), :func:`infer` falls back to the reference engine, owlrl, for the whole
closure (:func:`infer_owlrl`, which the tests also use to check that both engines agree).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import owlrl
import pyoxigraph as ox
from owlrl.OWLRL import OWLRL_Semantics
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from .errors import BaselKgError
from .namespaces import GRAPH, PREFIXES, bind_prefixes
from .terms import to_ox, triple_to_ox, triple_to_rdflib, without_history

__all__ = [
    "infer", "infer_in_store", "infer_owlrl", "IncrementalReasoner", "InferredDelta", "ReasoningError", "RULES", "Rule",
    "STANDARD_VOCABULARIES", "is_schema",
]

# Namespaces whose terms are vocabulary, not data: statements *about* them are not ours to infer.
STANDARD_VOCABULARIES: tuple[str, ...] = tuple(
    iri for prefix, iri in PREFIXES.items() if prefix not in ("bkg", "basel", "wd")
) + ("http://www.w3.org/ns/sparql-service-description#",)

_NOISE_TYPES = frozenset({OWL.Thing, RDFS.Resource, RDFS.Class, OWL.Class, RDF.Property, RDFS.Datatype,
                          RDFS.Literal, OWL.NamedIndividual})
_REFLEXIVE_NOISE = frozenset({OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
                              OWL.equivalentProperty})
_ERROR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"
_ANNOTATIONS = frozenset({RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo})

# The schema vocabulary the compiled rules cover; any other RDFS/OWL axiom sends the whole
# closure to owlrl.
_COVERED_PREDICATES = frozenset({
    RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf, OWL.equivalentClass,
    OWL.equivalentProperty, OWL.propertyChainAxiom, RDF.first, RDF.rest, OWL.versionIRI, OWL.imports,
    OWL.priorVersion, OWL.backwardCompatibleWith, OWL.incompatibleWith, OWL.deprecated,
})
_COVERED_TYPES = frozenset({
    OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property,
    OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.Ontology, OWL.NamedIndividual, RDFS.Datatype,
    OWL.Thing, RDFS.Resource, OWL.DeprecatedClass, OWL.DeprecatedProperty, OWL.OntologyProperty,
})
_TRIVIAL_TARGETS = frozenset({OWL.Thing, RDFS.Resource})

Triple = tuple[Node, Node, Node]

# Graphs of the working store: all statements (asserted + inferred) are in the default graph.
_INFERRED = ox.NamedNode("urn:x-basel-kg:reasoning:inferred")
_DELTA = ox.NamedNode("urn:x-basel-kg:reasoning:delta")
_NEW = ox.NamedNode("urn:x-basel-kg:reasoning:new")
_GONE = ox.NamedNode("urn:x-basel-kg:reasoning:gone")


@dataclass(frozen=True)
class Rule:
    """An entailment the ontology documents but OWL 2 RL cannot express: ``head`` (one triple
    pattern) from the ``premises`` (triple patterns) and a ``condition`` (a FILTER)."""

    head: str
    premises: tuple[str, ...]
    condition: str = ""

    @property
    def construct(self) -> str:
        """The rule as a SPARQL CONSTRUCT query (full IRIs, no prefixes needed)."""
        return f"CONSTRUCT {{ {self.head} }} WHERE {{ {' '.join(self.premises)} {self.condition} }}"

    @property
    def predicates(self) -> set[URIRef]:
        return {URIRef(iri) for iri in re.findall(r"<([^>]+)>", " ".join(self.premises))}


_BKG = PREFIXES["bkg"]

# bkg:cooperatesWith links two *different* agents of one activity: as a property chain
# (participatesIn o participant) it would also link every agent to itself.
RULES: tuple[Rule, ...] = (
    Rule(f"?a <{_BKG}cooperatesWith> ?b .",
         (f"?activity <{_BKG}participant> ?a .", f"?activity <{_BKG}participant> ?b ."),
         "FILTER (?a != ?b)"),
)


class ReasoningError(BaselKgError, ValueError):
    """The data contradicts the ontology (owlrl reported inconsistencies)."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("the data is inconsistent with the ontology:\n" + "\n".join(f"  {m}" for m in messages))


class UnsupportedSchema(Exception):
    """The schema uses a construct the compiled rules do not cover."""


# ---------------------------------------------------------------------------- public API


def infer(dataset: Dataset | Graph) -> Graph:
    """The entailments of ``dataset`` that are not already asserted, without noise.

    ``dataset`` holds the ontology and the asserted data (a Dataset is read as the union of
    its graphs, leaving out ``graph/inferred`` and ``graph/shapes``). Raises
    :class:`ReasoningError` when the data is inconsistent with the ontology.
    """
    try:
        reasoner = IncrementalReasoner(dataset)  # reads the asserted graphs in place, no union copy
    except UnsupportedSchema:
        return infer_owlrl(dataset)
    return reasoner.inferred()


def infer_in_store(store: ox.Store) -> list[ox.Quad]:
    """The entailments :func:`infer` gives for the statements of the default graph of
    ``store`` (ontology and asserted data), as default-graph quads, computed without rdflib:
    the statements a rule can match are copied, term for term, into a working store where the
    rules run semi-naively (what the build does). ``store`` is only read: the caller adds the
    result where it wants it (a store's removals stay behind as versions every later query
    steps over, so the working graphs come and go in a store of their own). Same rules, same
    fixpoint, same noise left out as :func:`infer` (``tests/test_reasoning_engine.py`` holds
    them equal); a schema the rules do not cover goes to owlrl through an rdflib copy.
    """
    schema = _schema_in_store(store)
    try:
        _check_coverage(schema)
    except UnsupportedSchema:
        asserted = Graph()
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            asserted.add(triple_to_rdflib(q))
        return [ox.Quad(*map(to_ox, t)) for t in infer_owlrl(asserted)]
    work = Graph()
    for t in schema:
        work.add(t)
    closed = _owlrl_expand(work)  # the schema's own closure (scm-* rules), owlrl on the schema alone
    rules = _compile(closed)
    # every statement a rule can match: types, the schema, predicates the schema names (see _relevant)
    predicates = {RDF.type, *_RULE_PREDICATES, *(p for _, p, _ in schema),
                  *(n for s, _, o in schema for n in (s, o) if isinstance(n, URIRef))}
    default = ox.DefaultGraph()
    scratch = ox.Store()
    scratch.extend(q for p in sorted(predicates) for q in store.quads_for_pattern(None, to_ox(p), None, default))
    scratch.extend(q for rule in rules for q in rule.table)
    scratch.update(f"INSERT {{ GRAPH {_DELTA} {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}")
    extra = [q for q in (ox.Quad(*map(to_ox, t)) for t in closed) if q not in store]
    scratch.extend(ox.Quad(q.subject, q.predicate, q.object, g) for q in extra for g in (default, _INFERRED, _DELTA))
    names = itertools.count(1)  # semi-naive, from the delta graph holding every statement
    _fixpoint(scratch, rules, _DELTA, lambda: ox.NamedNode(f"urn:x-basel-kg:reasoning:scratch:{next(names)}"))
    # the noise (see _worth_keeping) is left out
    found = scratch.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH {_INFERRED} {{ ?s ?p ?o }} FILTER (!({_NOISE_FILTER})) }}")
    return [ox.Quad(row[0], row[1], row[2]) for row in found]


def _bind(update: str, **graphs: ox.NamedNode) -> str:
    """A compiled rule's update with its working graphs (``delta``, ``new``, ``gone``) renamed
    to this round's."""
    for name, graph in graphs.items():
        update = update.replace(str({"delta": _DELTA, "new": _NEW, "gone": _GONE}[name]), str(graph))
    return update


def _fixpoint(store: ox.Store, rules: list[_Rule], delta: ox.NamedNode, fresh: Callable[[], ox.NamedNode],
              seen: Callable[[ox.NamedNode], None] | None = None) -> None:
    """Run ``rules`` semi-naively in ``store`` from the ``delta`` graph to a fixpoint: each
    round's rules take a premise from the previous round's new statements, which go into a graph
    named by ``fresh()`` (a name never used before: the in-memory store keeps a dropped graph's
    entries as history that later scans of the same name step over), are shown to ``seen`` and
    added to the inferred graph; every delta is dropped on the way. The build and the
    incremental reasoner both run this loop."""
    while True:
        new = fresh()
        present = _predicates(store, delta)
        for rule in rules:
            if rule.reads & present:
                store.update(_bind(rule.insert, delta=delta, new=new))
        store.update(f"DROP SILENT GRAPH {delta}")
        if next(store.quads_for_pattern(None, None, None, new), None) is None:
            return
        if seen is not None:
            seen(new)
        store.update(f"ADD SILENT GRAPH {new} TO GRAPH {_INFERRED}")
        delta = new


def _predicates(store: ox.Store, graph: ox.NamedNode) -> set[ox.NamedNode]:
    """The predicates of the statements in ``graph`` (a rule none of whose premises can match
    them is not run: most rounds of a write's change need two or three of the rules)."""
    return {row[0] for row in store.query(f"SELECT DISTINCT ?p WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")}


def _schema_in_store(store: ox.Store) -> set[Triple]:
    """The schema statements (:func:`is_schema`) of the default graph of ``store``, as rdflib triples."""
    found: set[Triple] = set()
    default = ox.DefaultGraph()
    for row in store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }"):
        p = row["p"]
        if p == _TYPE_NODE:
            for cls in store.query("SELECT DISTINCT ?o WHERE { ?s a ?o }"):
                o = cls["o"]
                if _is_schema_iri(_TYPE_IRI, o.value if isinstance(o, ox.NamedNode) else None):
                    found.update(map(triple_to_rdflib, store.quads_for_pattern(None, p, o, default)))
        elif _is_schema_iri(p.value, None):
            found.update(map(triple_to_rdflib, store.quads_for_pattern(None, p, None, default)))
    return found


def infer_owlrl(dataset: Dataset | Graph) -> Graph:
    """The same entailments computed by owlrl (the reference engine): slower, complete OWL 2 RL."""
    asserted = _asserted(dataset)
    work = Graph()
    for triple in _relevant(asserted):
        work.add(triple)
    return _owlrl_closure(work, asserted)


@dataclass(frozen=True)
class InferredDelta:
    """What a change did to the inferred graph (statements in pyoxigraph's terms)."""

    add: frozenset[ox.Triple]
    remove: frozenset[ox.Triple]
    full: bool = False  # the schema changed: everything was recomputed


class IncrementalReasoner:
    """The closure of a set of asserted statements, kept up to date as statements come and go.

    Holds the statements an OWL 2 RL rule can use (see :func:`_relevant`) and their
    entailments in an in-memory pyoxigraph store. :meth:`change` applies added and removed
    asserted statements and returns the change to the inferred graph (see the module
    docstring). ``asserted`` is read again, whole, when a change touches the schema, so
    it must already hold the after-state when :meth:`change` is called. Raises
    :class:`UnsupportedSchema` when the schema needs the reference engine.
    """

    def __init__(self, asserted: Graph | Dataset):
        # a Dataset is read as its asserted graphs (see _asserted); a source with an ``ox_quads()``
        # method (the write guard's copy) is read through it, in pyoxigraph's terms
        self._source = asserted
        self._load()

    def _load(self) -> None:
        source = self._source
        quads = list(_relevant_quads(source.ox_quads if hasattr(source, "ox_quads") else _quads_of(source)))
        self._schema: set[ox.Triple] = {q.triple for q in quads if _is_schema_quad(q)}
        self._schema_terms = {n for t in self._schema for n in (t.subject, t.object)}
        self._recompute(quads)  # held only while the store is made from them

    def tidy(self) -> None:
        """Copy the store's live statements into a fresh store once more statements have
        gone through it (the working graphs of every round, deletions) than it holds: the
        in-memory store keeps what was removed as history, which costs memory and, for reads
        of the same keys, time. Cost in proportion to the store, at most once per as many
        changed statements (``change`` never does it itself: a caller may run under a memory
        limit)."""
        fresh = without_history(self._store, self._churn, self._size)  # between changes the working graphs are empty
        if fresh is not None:
            self._store, self._churn, self._size = fresh, 0, len(fresh)

    # -- reading
    def inferred(self) -> Graph:
        """The entailments, without noise, as an rdflib Graph."""
        graph = bind_prefixes(Graph())
        for triple in self._inferred_triples():
            graph.add(triple)
        return graph

    def _inferred_triples(self) -> set[Triple]:
        return set(map(triple_to_rdflib, self._entailments()))

    # -- writing
    def change(self, *, add: Iterable[ox.Triple] = (), remove: Iterable[ox.Triple] = ()) -> InferredDelta:
        """Apply asserted statements added and removed (union level); return the inferred change.
        Statements in pyoxigraph's terms, in and out: the reasoner works in its store, and its
        caller (the write guard) in its copy, both pyoxigraph's."""
        terms = self._schema_terms
        add = {t for t in add if _is_relevant_triple(t, terms)}
        remove = {t for t in remove if self._is_asserted(t)} - add
        add = {t for t in add if not self._is_asserted(t)}
        if not (add or remove):
            return InferredDelta(frozenset(), frozenset())
        if any(t in self._schema for t in remove) or any(_is_schema_quad(t) and t not in self._schema for t in add):
            before = self._entailments()  # the schema changed: everything again, from the source
            self._load()
            after = self._entailments()
            return InferredDelta(frozenset(after - before), frozenset(before - after), full=True)
        gained: set[ox.Triple] = set()
        lost: set[ox.Triple] = set()
        if remove:
            lost_now, gained_now = self._delete(remove)
            lost |= lost_now
            gained |= gained_now
        if add:
            store = self._store
            quads = [ox.Quad(t.subject, t.predicate, t.object) for t in add]
            was_inferred = {t for t in add if ox.Quad(t.subject, t.predicate, t.object, _INFERRED) in store}
            for quad in quads:
                store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, _INFERRED))
            store.extend(quads)
            delta = self._scratch()
            store.extend(ox.Quad(q.subject, q.predicate, q.object, delta) for q in quads)
            self._churn += len(quads) + len(was_inferred)
            new = self._fixpoint(delta)
            gained |= new
            lost |= was_inferred
        gained, lost = gained - lost, lost - gained
        return InferredDelta(frozenset(t for t in gained if _worth_keeping(t)),
                             frozenset(t for t in lost if _worth_keeping(t)))

    # -- internals
    def _is_asserted(self, triple: ox.Triple) -> bool:
        """Is ``triple`` one of the asserted statements the reasoner holds? (They are in its
        store's default graph and, unlike entailments, not in its inferred graph: the store
        is the only copy kept, no Python set of them.)"""
        s, p, o = triple.subject, triple.predicate, triple.object
        return ox.Quad(s, p, o) in self._store and ox.Quad(s, p, o, _INFERRED) not in self._store

    def _entailments(self) -> set[ox.Triple]:
        """The entailments, without noise, in pyoxigraph's terms."""
        return {q.triple for q in self._store.quads_for_pattern(None, None, None, _INFERRED) if _worth_keeping(q)}

    def _recompute(self, quads: list[ox.Quad]) -> None:
        axioms = set(map(triple_to_rdflib, self._schema))  # rdflib's, for owlrl
        _check_coverage(axioms)
        # the schema's own closure (scm-* rules), from the reference engine on the schema alone
        schema = Graph()
        for t in axioms:
            schema.add(t)
        closed = _owlrl_expand(schema)
        self._rules = _compile(closed)
        store = self._store = ox.Store()
        store.extend(quads)
        store.extend(q for rule in self._rules for q in rule.table)
        self._size = len(quads)
        self._churn = self._size  # the first round's delta below: everything
        del quads[:]
        extra = [t for t in closed if ox.Quad(*map(to_ox, t)) not in store]
        store.extend(ox.Quad(*map(to_ox, t), g) for t in extra for g in (ox.DefaultGraph(), _INFERRED))
        delta = self._scratch()
        store.update(f"INSERT {{ GRAPH {delta} {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}")
        self._fixpoint(delta, collect=False)

    def _scratch(self) -> ox.NamedNode:
        """A graph name never used before in this store, for one round's delta (or the
        over-deleted set). The in-memory store keeps the entries of dropped graphs as history
        that scans of the same graph name still step over, so reusing one name would make
        every round read everything the previous ones held (the whole graph, after the first
        computation); a fresh name per round keeps each scan to what the round holds."""
        self._generation = getattr(self, "_generation", 0) + 1
        return ox.NamedNode(f"urn:x-basel-kg:reasoning:scratch:{self._generation}")

    def _fixpoint(self, delta: ox.NamedNode, *, collect: bool = True) -> set[ox.Triple]:
        """Run the rules semi-naively from the ``delta`` graph (dropped on the way); returns
        every new triple (with ``collect``; a full computation reads them from the store
        instead)."""
        new_triples: set[ox.Triple] = set()

        def seen(new: ox.NamedNode) -> None:
            added = list(self._store.quads_for_pattern(None, None, None, new))
            self._churn += len(added)
            if collect:
                new_triples.update(q.triple for q in added)

        _fixpoint(self._store, self._rules, delta, self._scratch, seen)
        return new_triples

    def _delete(self, removed: set[ox.Triple]) -> tuple[set[ox.Triple], set[ox.Triple]]:
        """DRed: over-delete from ``removed``, then re-derive. Returns (lost, gained) inferred."""
        store = self._store
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in removed]
        # 1. over-delete: what the removed statements derive, transitively, in the old state
        delta, gone = self._scratch(), self._scratch()
        store.extend(ox.Quad(q.subject, q.predicate, q.object, delta) for q in quads)
        store.extend(ox.Quad(q.subject, q.predicate, q.object, gone) for q in quads)
        while True:
            new = self._scratch()
            present = _predicates(store, delta)
            for rule in self._rules:
                if rule.reads & present:
                    store.update(_bind(rule.overdelete, delta=delta, new=new, gone=gone))
            added = list(store.quads_for_pattern(None, None, None, new))
            store.update(f"DROP SILENT GRAPH {delta}")
            self._churn += 2 * len(added)
            if not added:
                break
            store.update(f"ADD SILENT GRAPH {new} TO GRAPH {gone}")
            delta = new
        gone_quads = list(store.quads_for_pattern(None, None, None, gone))
        was_inferred = {q.triple for q in gone_quads if ox.Quad(q.subject, q.predicate, q.object, _INFERRED) in store}
        store.update(f"DELETE {{ ?s ?p ?o . GRAPH {_INFERRED} {{ ?s ?p ?o }} }} "
                     f"WHERE {{ GRAPH {gone} {{ ?s ?p ?o }} }}")
        # 2. re-derive in one step what the remaining statements still give, then close again
        new = self._scratch()
        present = _predicates(store, gone)
        for rule in self._rules:
            if rule.concludes & present:
                store.update(_bind(rule.rederive, new=new, gone=gone))
        store.update(f"DROP SILENT GRAPH {gone}")
        back = {q.triple for q in store.quads_for_pattern(None, None, None, new)}
        self._churn += 2 * len(quads) + 2 * len(gone_quads) + 2 * len(back)
        delta = self._scratch()
        store.update(f"INSERT {{ ?s ?p ?o . GRAPH {_INFERRED} {{ ?s ?p ?o }} GRAPH {delta} {{ ?s ?p ?o }} }} "
                     f"WHERE {{ GRAPH {new} {{ ?s ?p ?o }} }}; DROP SILENT GRAPH {new}")
        back |= self._fixpoint(delta)
        now_inferred = {t for t in back if ox.Quad(t.subject, t.predicate, t.object, _INFERRED) in store}
        return was_inferred - now_inferred, now_inferred - was_inferred


# ---------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class _Rule:
    name: str
    insert: str  # semi-naive step: conclusions with a premise in the delta, into NEW + INFERRED + default
    overdelete: str  # DRed: inferred conclusions with a premise in the delta, into NEW (not yet GONE)
    rederive: str  # DRed: GONE conclusions the remaining statements derive, into NEW
    reads: frozenset[ox.NamedNode]  # the predicates its premise from the delta can have
    concludes: frozenset[ox.NamedNode]  # the predicates of its conclusions
    table: tuple[ox.Quad, ...] = ()  # the schema pairs the rule reads (see _table): put in the working store


def _rule(name: str, head: str, bodies: list[str], reads: Iterable[Node], concludes: Iterable[Node],
          table: tuple[str, tuple[ox.Quad, ...]] = ("", ())) -> _Rule:
    """One rule family: ``head`` (its predicate one of ``concludes``) from any of ``bodies``
    (each with one premise in the delta, its predicate one of ``reads``), for each row of
    ``table`` (:func:`_table`).

    ``bodies`` use ``DELTA(...)`` for the premise taken from the delta graph; other premises
    match the default graph (every statement, asserted and inferred).
    """
    values, rows = table
    def body(delta: str, extra: str) -> str:
        union = " UNION ".join("{ " + b.replace("DELTA(", f"GRAPH {delta} {{ ").replace(")DELTA", " }") + " }"
                               for b in bodies)
        return f"{values} {union} {extra}"

    insert = (f"INSERT {{ {head} GRAPH {_NEW} {{ {head} }} }} "
              f"WHERE {{ {body(_DELTA, f'FILTER NOT EXISTS {{ {head} }}')} }}")
    overdelete = (f"INSERT {{ GRAPH {_NEW} {{ {head} }} }} "
                  f"WHERE {{ {body(_DELTA, f'FILTER EXISTS {{ GRAPH {_INFERRED} {{ {head} }} }} FILTER NOT EXISTS {{ GRAPH {_GONE} {{ {head} }} }}')} }}")
    plain = " UNION ".join("{ " + b.replace("DELTA(", "").replace(")DELTA", "") + " }" for b in bodies)
    rederive = (f"INSERT {{ GRAPH {_NEW} {{ {head} }} }} "
                f"WHERE {{ {values} GRAPH {_GONE} {{ {head} }} {plain} FILTER NOT EXISTS {{ {head} }} }}")
    return _Rule(name, insert, overdelete, rederive, frozenset(map(to_ox, reads)), frozenset(map(to_ox, concludes)),
                 rows)


_TABLE = "urn:x-basel-kg:reasoning:table:"
_ROW = ox.NamedNode("urn:x-basel-kg:reasoning:row")


def _table(name: str, names: str, rows: Iterable[tuple[Node, ...]]) -> tuple[str, tuple[ox.Quad, ...]]:
    """The schema rows a rule family reads (pairs of terms, or single terms) as statements of
    a named graph of the working store, and the pattern that binds ``names`` from them. A
    ``VALUES`` table written into the update would be parsed again on every round of every
    change: for a write that was most of the incremental reasoner's time (about 1 ms a round
    for the 224 subclass pairs of the shipped ontology, against 0.2 ms for this pattern)."""
    graph = ox.NamedNode(_TABLE + name)
    first, *second = names.split()
    quads = tuple(ox.Quad(to_ox(row[0]), _ROW, to_ox(row[1]) if second else _ROW, graph) for row in sorted(set(rows)))
    return f"GRAPH {graph} {{ {first} {_ROW} {second[0] if second else _ROW} }}", quads


def _compile(closed: Graph) -> list[_Rule]:
    """The instance-level OWL 2 RL rules for the ``closed`` schema, as SPARQL updates."""

    def pairs(p):
        return [(s, o) for s, o in closed.subject_objects(p)
                if s != o and isinstance(s, URIRef) and isinstance(o, URIRef) and o not in _TRIVIAL_TARGETS]

    def first(rows):
        return {row[0] for row in rows}

    def second(rows):
        return {row[1] for row in rows}

    rules: list[_Rule] = []
    if sco := pairs(RDFS.subClassOf):
        rules.append(_rule("cax-sco", "?x a ?d .", ["DELTA(?x a ?c .)DELTA"], [RDF.type], [RDF.type],
                           _table("cax-sco", "?c ?d", sco)))
    if spo := pairs(RDFS.subPropertyOf):
        rules.append(_rule("prp-spo1", "?x ?q ?y .", ["DELTA(?x ?p ?y .)DELTA"], first(spo), second(spo),
                           _table("prp-spo1", "?p ?q", spo)))
    if dom := pairs(RDFS.domain):
        rules.append(_rule("prp-dom", "?x a ?c .", ["DELTA(?x ?p ?y .)DELTA"], first(dom), [RDF.type],
                           _table("prp-dom", "?p ?c", dom)))
    if rng := pairs(RDFS.range):
        rules.append(_rule("prp-rng", "?y a ?c .", ["DELTA(?x ?p ?y .)DELTA FILTER(!isLiteral(?y))"], first(rng),
                           [RDF.type], _table("prp-rng", "?p ?c", rng)))
    inverse = [(p, q) for p, q in closed.subject_objects(OWL.inverseOf) if isinstance(p, URIRef) and isinstance(q, URIRef)]
    inverse += [(q, p) for p, q in inverse]
    symmetric = [(p, p) for p in closed.subjects(RDF.type, OWL.SymmetricProperty) if isinstance(p, URIRef)]
    if inverse or symmetric:  # prp-inv1, prp-inv2, prp-symp
        rows = inverse + symmetric
        rules.append(_rule("prp-inv", "?y ?q ?x .", ["DELTA(?x ?p ?y .)DELTA FILTER(!isLiteral(?y))"], first(rows),
                           second(rows), _table("prp-inv", "?p ?q", rows)))
    transitive = [(p,) for p in closed.subjects(RDF.type, OWL.TransitiveProperty) if isinstance(p, URIRef)]
    if transitive:
        rules.append(_rule("prp-trp", "?x ?p ?z .",
                           ["DELTA(?x ?p ?y .)DELTA ?y ?p ?z .", "DELTA(?y ?p ?z .)DELTA ?x ?p ?y ."],
                           first(transitive), first(transitive), _table("prp-trp", "?p", transitive)))
    for rule in RULES:  # each premise in turn from the delta
        # the premise from the delta first: the store evaluates the patterns in this order
        bodies = [" ".join([f"DELTA({rule.premises[j]})DELTA", *(p for i, p in enumerate(rule.premises) if i != j)])
                  + " " + rule.condition for j in range(len(rule.premises))]
        rules.append(_rule(f"rule {rule.head}", rule.head, bodies, _predicates_of(rule.premises),
                           _predicates_of([rule.head])))
    for prop, chain_node in closed.subject_objects(OWL.propertyChainAxiom):
        chain = list(Collection(closed, chain_node))
        if not isinstance(prop, URIRef) or not chain or not all(isinstance(c, URIRef) for c in chain):
            raise UnsupportedSchema(f"property chain of {prop}")
        steps = [f"?v{i} {c.n3()} ?v{i + 1} ." for i, c in enumerate(chain)]
        bodies = [" ".join([f"DELTA({steps[j]})DELTA", *(s for i, s in enumerate(steps) if i != j)])
                  for j in range(len(steps))]
        rules.append(_rule(f"prp-spo2 {prop}", f"?v0 {prop.n3()} ?v{len(chain)} .", bodies, chain, [prop]))
    return rules


def _predicates_of(patterns: Iterable[str]) -> list[URIRef]:
    """The predicates of triple patterns written with full IRIs (a :class:`Rule`'s)."""
    predicates = [pattern.split()[1] for pattern in patterns]
    if not all(p.startswith("<") and p.endswith(">") for p in predicates):
        raise UnsupportedSchema(f"a rule with a variable or prefixed predicate: {' '.join(patterns)}")
    return [URIRef(p[1:-1]) for p in predicates]


def _check_coverage(schema: set[Triple]) -> None:
    for s, p, o in schema:
        if p == RDF.type:
            if o not in _COVERED_TYPES:
                raise UnsupportedSchema(f"{s} rdf:type {o}")
        elif p not in _COVERED_PREDICATES and p not in _ANNOTATIONS:
            raise UnsupportedSchema(f"{s} {p} {o}")


# ---------------------------------------------------------------------------- owlrl (reference)


class _LeanOWLRL(OWLRL_Semantics):
    """OWL 2 RL without the eq-ref rule's ``x owl:sameAs x`` for every term."""

    def _equality(self, triple, cycle_num):
        s, p, o = triple
        if p == OWL.sameAs or (p == RDF.type and o == OWL.AllDifferent):
            super()._equality(triple, cycle_num)


def _owlrl_expand(work: Graph) -> Graph:
    """``work`` expanded in place by owlrl to its OWL 2 RL closure (no axiomatic triples)."""
    owlrl.DeductiveClosure(
        _LeanOWLRL, improved_datatypes=False, axiomatic_triples=False, datatype_axioms=False
    ).expand(work)
    errors = sorted(str(o) for o in work.objects(None, URIRef(_ERROR_NS + "error")))
    if errors:
        raise ReasoningError(errors)
    for triple in list(work.triples((None, None, None))):
        if str(triple[1]).startswith(_ERROR_NS):
            work.remove(triple)
    return work


def _owlrl_closure(work: Graph, asserted: Graph) -> Graph:
    """owlrl's entailments of ``work`` (expanded in place) with the :data:`RULES`, to a
    fixpoint, less ``asserted`` and the noise."""
    before = len(work)
    while True:
        _owlrl_expand(work)
        size = len(work)
        for rule in RULES:
            for triple in list(work.query(rule.construct)):
                work.add(triple)
        if len(work) == size:
            break
    inferred = bind_prefixes(Graph())
    if len(work) == before:
        return inferred
    for triple in work:
        if triple not in asserted and _worth_keeping_rdflib(triple):
            inferred.add(triple)
    return inferred


# ---------------------------------------------------------------------------- helpers


def _asserted(dataset: Dataset | Graph) -> Graph:
    if not isinstance(dataset, Dataset):
        return dataset
    union = Graph()
    for graph in dataset.graphs():
        if graph.identifier not in (GRAPH.INFERRED, GRAPH.SHAPES):
            union += graph
    return union


def _triples_of(source: Dataset | Graph):
    """A function iterating the statements of ``source``: a Graph's, or those of a Dataset's
    asserted graphs (``graph/inferred`` and ``graph/shapes`` left out), read in place; a
    statement in several graphs comes once per graph."""
    if not isinstance(source, Dataset):
        return lambda: iter(source)
    return lambda: (t for g in source.graphs() if g.identifier not in (GRAPH.INFERRED, GRAPH.SHAPES) for t in g)


def _relevant(graph: Graph | Dataset) -> Iterable[Triple]:
    """The statements of an rdflib graph an OWL 2 RL rule can use (see :func:`_relevant_quads`)."""
    return map(triple_to_rdflib, _relevant_quads(_quads_of(graph)))


def _quads_of(graph: Graph | Dataset) -> Callable[[], Iterable[ox.Quad]]:
    """A function iterating the statements of ``graph`` (see :func:`_triples_of`) as pyoxigraph quads."""
    triples = _triples_of(graph)
    return lambda: (ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples())


def _relevant_quads(quads: Callable[[], Iterable[ox.Quad]]) -> Iterable[ox.Quad]:
    """The statements an OWL 2 RL rule can use, of those ``quads()`` iterates (it is called
    twice), as default-graph quads: the schema, ``rdf:type`` and ``owl:sameAs`` statements,
    statements whose predicate the schema mentions, and every statement about a resource in an
    ``owl:sameAs`` link. Labels, definitions, provenance links and other annotations can match
    no rule, so they only slow every round down. Read in pyoxigraph's terms: a copy of the
    graph in pyoxigraph (the write guard's) gives them without a term converted to rdflib's."""
    schema: set = set()
    aliased: set = set()
    for q in quads():
        p = q.predicate.value
        if _is_schema_quad(q):
            schema.add(q.subject)
            schema.add(q.object)
        if p == _SAME_AS_IRI:
            aliased.add(q.subject)
            aliased.add(q.object)
    schema |= _RULE_PREDICATE_NODES
    for q in quads():
        s, p, o = q.subject, q.predicate, q.object
        if p == _TYPE_NODE or p in schema or _is_schema_quad(q) or s in aliased or o in aliased:
            yield ox.Quad(s, p, o)


# the terms the checks below compare with, looked up once (an attribute of rdflib's namespaces
# is a lookup through their metaclass, about a microsecond each, for each statement of each
# write); str() of a term before startswith(): rdflib's own startswith() takes no tuple
_TYPE, _SAME_AS, _FIRST, _REST = RDF.type, OWL.sameAs, RDF.first, RDF.rest
_TYPE_IRI, _SAME_AS_IRI, _FIRST_IRI, _REST_IRI = map(str, (_TYPE, _SAME_AS, _FIRST, _REST))
_TYPE_NODE, _SAME_AS_NODE = ox.NamedNode(_TYPE_IRI), ox.NamedNode(_SAME_AS_IRI)
_ANNOTATION_IRIS = frozenset(map(str, _ANNOTATIONS))
_SCHEMA_NS = (str(OWL), str(RDFS))
_XSD_NS = str(XSD)
_TRIVIAL_OBJECTS = frozenset({OWL.Thing, RDFS.Resource})
_TRIVIAL_AXIOMS = frozenset({RDFS.subClassOf, OWL.equivalentClass, RDFS.domain, RDFS.range})
# the same sets as pyoxigraph terms (what the statements of the reasoner's store are compared with)
_NOISE_TYPE_NODES, _REFLEXIVE_NOISE_NODES, _TRIVIAL_OBJECT_NODES, _TRIVIAL_AXIOM_NODES = (
    frozenset(map(to_ox, terms)) for terms in (_NOISE_TYPES, _REFLEXIVE_NOISE, _TRIVIAL_OBJECTS, _TRIVIAL_AXIOMS))


def _is_relevant_triple(triple: ox.Triple, schema_terms: set[ox.NamedNode | ox.BlankNode]) -> bool:
    p = triple.predicate
    return p == _TYPE_NODE or p == _SAME_AS_NODE or p in schema_terms or p in _RULE_PREDICATE_NODES \
        or _is_schema_quad(triple)


def is_schema(p: Node, o: Node) -> bool:
    """An RDFS/OWL axiom, as opposed to data or an annotation."""
    return _is_schema_iri(str(p), str(o) if isinstance(o, URIRef) else None)


def _is_schema_quad(q: ox.Quad | ox.Triple) -> bool:
    """:func:`is_schema` of a pyoxigraph statement."""
    o = q.object
    return _is_schema_iri(q.predicate.value, o.value if isinstance(o, ox.NamedNode) else None)


def _is_schema_iri(p: str, o: str | None) -> bool:
    """:func:`is_schema` on IRIs (``o``: None when the object is not an IRI)."""
    if p == _TYPE_IRI:
        return o is not None and o.startswith(_SCHEMA_NS)
    if p == _FIRST_IRI or p == _REST_IRI:
        return True
    return p.startswith(_SCHEMA_NS) and p not in _ANNOTATION_IRIS


def _worth_keeping(statement: ox.Triple | ox.Quad) -> bool:
    """Not noise (see the module docstring; :data:`_NOISE_FILTER` is the same test in SPARQL).
    A statement in a store: its subject is no literal, its predicate an IRI."""
    s, p, o = statement.subject, statement.predicate, statement.object
    if p.value.startswith(_ERROR_NS):
        return False
    if s == o and p in _REFLEXIVE_NOISE_NODES:
        return False
    if p == _TYPE_NODE and isinstance(o, ox.NamedNode) and (o in _NOISE_TYPE_NODES or o.value.startswith(_XSD_NS)):
        return False
    # owlrl gives every class and property these trivial axioms (e.g. p rdfs:domain owl:Thing).
    if o in _TRIVIAL_OBJECT_NODES and p in _TRIVIAL_AXIOM_NODES:
        return False
    if isinstance(s, ox.NamedNode) and s.value.startswith(STANDARD_VOCABULARIES):
        return False
    return True


def _worth_keeping_rdflib(triple: Triple) -> bool:
    """:func:`_worth_keeping` of an rdflib triple (owlrl's closure, whose subjects may be
    literals and predicates blank nodes: noise)."""
    s, p, o = triple
    if isinstance(s, Literal) or not isinstance(p, URIRef):
        return False
    return _worth_keeping(triple_to_ox(triple))


_RULE_PREDICATES = frozenset(p for rule in RULES for p in rule.predicates)
_RULE_PREDICATE_NODES = frozenset(map(to_ox, _RULE_PREDICATES))


def _iris(terms) -> str:
    return ", ".join(f"<{t}>" for t in sorted(terms))


# _worth_keeping as a SPARQL condition that holds for the noise (subjects are never literals
# and predicates never blank nodes in a store)
_NOISE_FILTER = " || ".join([
    f"STRSTARTS(STR(?p), {ox.Literal(_ERROR_NS)})",
    f"(sameTerm(?s, ?o) && ?p IN ({_iris(_REFLEXIVE_NOISE)}))",
    f"(sameTerm(?p, <{RDF.type}>) && isIRI(?o) && (?o IN ({_iris(_NOISE_TYPES)}) || STRSTARTS(STR(?o), {ox.Literal(str(XSD))})))",
    f"(isIRI(?o) && ?o IN (<{OWL.Thing}>, <{RDFS.Resource}>) && ?p IN ({_iris([RDFS.subClassOf, OWL.equivalentClass, RDFS.domain, RDFS.range])}))",
    "(isIRI(?s) && (" + " || ".join(f"STRSTARTS(STR(?s), {ox.Literal(v)})" for v in STANDARD_VOCABULARIES) + "))",
])
