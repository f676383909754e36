"""A write's :class:`~basel_kg.store.Delta` reaches the store's process pickled with its quads as
N-Quads (``Delta.__reduce__``): it must come back the same, term for term and in order."""

from __future__ import annotations

import pickle

import pyoxigraph as ox

from basel_kg.store import Delta

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_a_delta_comes_back_from_pickle_the_same():
    g = ox.NamedNode("urn:test:g")
    quads = (
        ox.Quad(ox.BlankNode("b1"), ox.NamedNode("urn:p"), ox.Literal('two\nlines "quoted"'), g),
        ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("Bâle", language="fr"), g),
        ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("01", datatype=ox.NamedNode(XSD + "integer"))),
        ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:q"), ox.BlankNode("b1"), ox.DefaultGraph()),
    )
    delta = Delta(remove=quads[:2], add=quads[2:] + quads[:1], drop=frozenset({"urn:test:old"}),
                  create=frozenset({"urn:test:new"}), base_version="v7")
    back = pickle.loads(pickle.dumps(delta, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == delta
    assert [str(q) for q in back.add] == [str(q) for q in delta.add]  # order and blank node labels kept
    assert pickle.loads(pickle.dumps(Delta())) == Delta()
