"""A synthetic project N times the size of the shipped one, still conforming to every shape.

Replica k (2..N) of every data file is the file with every instance IRI of ours renamed:
``-rK`` appended to its path (before any ``#fragment``), e.g. ``org/sbc`` -> ``org/sbc-r2``,
ontology terms (``ontology#...``), outside IRIs (Wikidata, ISO codes...) and the IRIs the
shapes derive from a literal (countries, source texts and passages, documents, external
links) are kept, shared by all replicas: described once (by the original files), linked to by
every replica. Each replica is its own named graph
(``graph/002-oewg7-cooperation-r2``); the ontology, shapes and queries are copied as they are.
Not every replica conforms: shapes that derive an IRI from another one (a work-plan item
from its plan, a membership from its member and organisation, a decision from its body)
see the suffix in the wrong place; ``benchmarks/scale.py`` reports how many results that
gives, and times validation all the same.

    .venv/bin/python benchmarks/synthetic.py 10 /tmp/basel-kg-10x     # writes a project folder
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pyoxigraph as ox

BASE = "https://w3id.org/basel-kg/"
ONTOLOGY = BASE + "ontology"
# shared by every replica: IRIs the shapes derive from a literal (a code, a symbol, a file name)
KEPT = tuple(BASE + p for p in ("ontology", "country/", "source/", "document/", "link/"))


def rename(term, suffix: str):
    if isinstance(term, ox.NamedNode):
        iri = term.value
        if iri.startswith(BASE) and not iri.startswith(KEPT) and len(iri) > len(BASE):
            path, hash_, fragment = iri.partition("#")
            return ox.NamedNode(path + suffix + hash_ + fragment)
        return term
    if isinstance(term, ox.BlankNode):
        return ox.BlankNode(term.value + suffix.replace("-", "_"))
    return term


def _kept(term) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(KEPT)


def make_project(factor: int, folder: Path, *, source: Path) -> Path:
    """A project folder under ``folder`` with ``factor`` replicas of ``source``'s data."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(source / name, folder / name, dirs_exist_ok=True)
    data = folder / "data"
    data.mkdir(exist_ok=True)
    if (source / "data" / "sources").is_dir():
        shutil.copytree(source / "data" / "sources", data / "sources", dirs_exist_ok=True)
    for path in sorted((source / "data").glob("*.ttl")):
        shutil.copyfile(path, data / path.name)
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        for k in range(2, factor + 1):
            suffix = f"-r{k}"
            renamed = (ox.Triple(rename(t.subject, suffix), t.predicate, rename(t.object, suffix))
                       for t in triples if not _kept(t.subject))
            ox.serialize(renamed, str(data / f"{path.stem}{suffix}.ttl"), format=ox.RdfFormat.N_TRIPLES)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("factor", type=int, help="how many copies of the shipped data")
    parser.add_argument("out", type=Path, help="the project folder to write")
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the project to replicate (default: this checkout)")
    args = parser.parse_args()
    make_project(args.factor, args.out, source=args.source)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
