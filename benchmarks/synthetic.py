"""A synthetic project N times the size of the shipped one, still conforming to every shape.

Replica k (2..N) of every data file is the file with every instance IRI of ours renamed:
``-rK`` inserted in its path, e.g. ``org/sbc`` -> ``org/sbc-r2``,
ontology terms (``ontology#...``), outside IRIs (Wikidata, ISO codes...) and the IRIs the
shapes derive from a literal (countries, source texts and passages, documents, external
links) are kept, shared by all replicas: described once (by the original files), linked to by
every replica. Each replica is its own named graph
(``graph/002-oewg7-cooperation-r2``); the ontology, shapes and queries are copied as they are.
The marker goes where the shapes that derive one IRI from another expect it (see
:func:`rename`: after the first slug, after a body's slug in decisions and meetings, on both
ends of a membership), so the replicas conform like the original (``benchmarks/scale.py``
reports the results in replicas, expected 0).

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


# IRIs the shapes derive from a governing body's IRI: decision/{body-slug}-{number},
# meeting/{body-slug}-{session} (and what hangs under a meeting: agenda-item/...),
# decision/draft/{meeting-slug}-{topic}
DERIVED_FROM_BODY = ("decision/", "meeting/")


def rename(term, suffix: str, bodies: tuple[str, ...] = (), kept: frozenset[str] = frozenset()):
    """``term`` in replica ``suffix``: the marker goes after the first slug of the path
    (``org/sbc`` -> ``org/sbc-r2``, ``workplan/x/item/3`` -> ``workplan/x-r2/item/3``), and in
    an IRI derived from a body's slug (``bodies``, longest first), right after that slug
    (``decision/basel-oewg-VI-19`` -> ``decision/basel-oewg-r2-VI-19``), so that the IRIs the
    shapes derive from one another stay derived. A membership's IRI names its member and
    organisation: each gets the marker unless it is shared (its slug in ``kept``)."""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        if iri.startswith(BASE) and not iri.startswith(KEPT) and len(iri) > len(BASE):
            path, hash_, fragment = iri.partition("#")
            kind, _, rest = path[len(BASE):].partition("/")
            if not rest:
                return ox.NamedNode(path + suffix + hash_ + fragment)
            if kind == "membership" and rest.count("--") == 2:  # membership/{member}--{role}--{organisation}
                member, role, organisation = rest.split("--")
                ends = [end if end in kept else end + suffix for end in (member, organisation)]
                return ox.NamedNode(f"{BASE}membership/{ends[0]}--{role}--{ends[1]}{hash_}{fragment}")
            if kind == "decision" and rest.startswith("draft/"):  # decision/draft/{meeting-slug}-{topic}
                kind, rest = "decision/draft", rest[len("draft/"):]
            slug, slash, tail = rest.partition("/")
            cut = len(slug)
            if kind.split("/")[0] + "/" in DERIVED_FROM_BODY:
                body = next((b for b in bodies if slug.startswith(b + "-")), None)
                if body is not None:
                    cut = len(body)
            rest = rest[:cut] + suffix + rest[cut:]
            return ox.NamedNode(BASE + kind + "/" + rest + hash_ + fragment)
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
    files = {path: list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
             for path in sorted((source / "data").glob("*.ttl"))}
    bodies = tuple(sorted({t.subject.value[len(BASE + "body/"):] for triples in files.values() for t in triples
                           if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(BASE + "body/")},
                          key=len, reverse=True))
    kept = frozenset(n.value.rsplit("/", 1)[-1] for triples in files.values() for t in triples
                     for n in (t.subject, t.object) if _kept(n) or (isinstance(n, ox.NamedNode)
                                                                   and not n.value.startswith(BASE)))
    for path, triples in files.items():
        shutil.copyfile(path, data / path.name)
        for k in range(2, factor + 1):
            suffix = f"-r{k}"
            renamed = (ox.Triple(rename(t.subject, suffix, bodies, kept), t.predicate,
                                  rename(t.object, suffix, bodies, kept))
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
