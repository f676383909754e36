"""The built knowledge graph, kept on disk and reused until a source changes.

Parsing and reasoning take seconds; ``basel-kg query``, ``stats``, ``export`` and ``validate``
on an unchanged project should not pay them again. :func:`built` returns the build of the
sources as they are now: from the cache when an entry for their fingerprint exists, else
built, written to a temporary folder in the cache and renamed into place (atomic, so
concurrent processes either see a complete entry or none, and the first rename wins).

The cache folder is ``$BASEL_KG_CACHE``, else ``$XDG_CACHE_HOME/basel-kg``, else
``~/.cache/basel-kg``. An entry ``<fingerprint>/`` holds ``dataset.nq`` (every named graph,
``graph/inferred`` and the VoID description ``graph/void`` included, no shapes: the dataset
``basel-kg query``, the library and ``basel-kg serve`` all answer from) and ``meta.json``;
``releases/release-VERSION/`` holds the release files ``basel-kg serve`` wrote when ``dist/``
did not have them. The fingerprint covers every
source file (ontology, data, shapes: names and bytes) and the code of this package, so a new
version of the reasoner is never served an old build. Only the newest entries are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CACHE_ENV", "RELEASES", "Built", "cache_dir", "fingerprint", "built", "open_built_store", "built_dataset",
           "built_oxigraph"]

CACHE_ENV = "BASEL_KG_CACHE"
_FORMAT = "1"  # bump when the layout of an entry changes
_KEEP = 4  # entries kept (the newest)
#: Sub-folder for the releases ``basel-kg serve`` writes for itself (one per version); pruning
#: the build entries leaves it alone, so a release a server is serving is never deleted under it.
RELEASES = "releases"


@dataclass(frozen=True)
class Built:
    """A cache entry: the built dataset of one state of the sources."""

    directory: Path
    fingerprint: str
    version: str  # the knowledge graph's content version (see build.content_version)
    graph_sizes: dict[str, int]

    @property
    def nquads(self) -> Path:
        return self.directory / "dataset.nq"


def cache_dir() -> Path:
    """Where built knowledge graphs are kept (see the module docstring)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "basel-kg"


def fingerprint(root: Path | None = None) -> str:
    """A digest of the sources under ``root`` and of this package's code."""
    from .project import project_root
    from .sources import discover

    root = root or project_root()
    digest = hashlib.sha256(f"basel-kg cache {_FORMAT}\0".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    for source in discover(root):
        digest.update(f"{source.role}\0{source.graph}\0".encode() + source.path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def built(root: Path | None = None, *, progress: bool = False, kg=None) -> Built:
    """The build (parsed and reasoned, not validated) of the sources under ``root``.

    ``kg``: that build, when the caller already made it (e.g. to write a release too): written
    to the cache instead of building again. Raises what
    :func:`basel_kg.build.build_knowledge_graph` raises when a build is needed.
    """
    from .project import project_root

    root = root or project_root()
    key = fingerprint(root)
    folder = cache_dir()
    entry = folder / key
    cached = _read(entry, key)
    if cached is not None:
        return cached
    from .build import build_knowledge_graph

    import pyoxigraph as ox

    from .namespaces import GRAPH
    from .terms import to_ox
    from .release import void_description

    if kg is None:
        kg = build_knowledge_graph(root=root, validate=False, progress=progress)
    void = void_description(kg)  # served with the data, as every door sees it (kg itself is left as it is)
    sizes = {str(g): n for g, n in kg.graph_sizes.items()} | {str(GRAPH.VOID): len(void)}
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.tmp-", dir=folder))
    try:
        with (tmp / "dataset.nq").open("wb") as out:
            kg.store.dump(out, format=ox.RdfFormat.N_QUADS)  # the build's named graphs (its default graph is empty)
            name = ox.NamedNode(str(GRAPH.VOID))
            out.write(ox.serialize((ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in void),
                                   format=ox.RdfFormat.N_QUADS))
        meta = {"version": kg.version, "graphs": sizes, "root": str(root)}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        try:
            tmp.rename(entry)
        except OSError:  # another process renamed its entry first: use that one
            if _read(entry, key) is None:
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(folder, keep=entry)
    result = _read(entry, key)
    assert result is not None
    return result


def _read(entry: Path, key: str) -> Built | None:
    try:
        meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (entry / "dataset.nq").is_file():
        return None
    return Built(entry, key, meta["version"], dict(meta["graphs"]))


def _prune(folder: Path, *, keep: Path) -> None:
    entries = [p for p in folder.iterdir()
               if p.is_dir() and not p.name.startswith(".") and p != keep and p.name != RELEASES]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[_KEEP - 1:]:
        shutil.rmtree(old, ignore_errors=True)


def open_built_store(root: Path | None = None, *, progress: bool = False):
    """An in-process :class:`~basel_kg.store.EmbeddedStore` holding the current build.

    The last one opened is kept for the life of the process and handed out again while the
    sources have not changed (its data is never written: queries only)."""
    from .store import EmbeddedStore

    build = built(root, progress=progress)
    if _last_opened and _last_opened[0] == build.fingerprint:
        return _last_opened[1]
    store = EmbeddedStore(processes=False)
    store.load_dataset(build.nquads, version=build.version, source=build.fingerprint)
    _last_opened[:] = [build.fingerprint, store]
    return store


_last_opened: list = []


def built_dataset(build: Built):
    """The knowledge graph of ``build`` as an rdflib Dataset: every named graph but the VoID
    description (what ``export`` writes and ``validate`` checks against)."""
    import pyoxigraph as ox
    from rdflib import Dataset

    from .namespaces import GRAPH, bind_prefixes

    void = ox.NamedNode(str(GRAPH.VOID))
    quads = (q for q in ox.parse(path=build.nquads, format=ox.RdfFormat.N_QUADS) if q.graph_name != void)
    dataset = bind_prefixes(Dataset(default_union=True))
    dataset.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    return dataset


def read_plan(build: Built, shapes):
    """The read plan of ``shapes`` (:func:`basel_kg.validation.read_plan`), the project's
    shapes of ``build``, kept in its cache entry: making it parses every SPARQL constraint
    (about a second), reading it back takes a millisecond. The entry's fingerprint covers
    the shapes and the code, so a kept plan is always the plan of these shapes."""
    import pickle

    from . import validation

    path = build.directory / "read-plan.pickle"
    try:
        plan = pickle.loads(path.read_bytes())  # noqa: S301 - written by this package, in the user's cache
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        plan = validation.read_plan(shapes)
        fd, tmp = tempfile.mkstemp(prefix=".read-plan.tmp-", dir=build.directory)
        try:
            with os.fdopen(fd, "wb") as out:
                pickle.dump(plan, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:  # a read-only cache: the plan is simply made again next time
            Path(tmp).unlink(missing_ok=True)
        return plan
    validation.remember_read_plan(shapes, plan)
    return plan


def built_oxigraph(build: Built):
    """The dataset of ``build`` as an on-disk pyoxigraph store, opened read-only (what
    ``basel-kg validate FILE`` reads the neighbourhood of a file from, through the store's
    indexes, instead of copying the graph into rdflib).

    Made once per cache entry (bulk-loaded into a temporary folder, renamed into place), then
    only opened: opening does not read the data, so it costs the same at any size."""
    import pyoxigraph as ox

    folder = build.directory / "oxigraph"
    if not folder.is_dir():
        tmp = Path(tempfile.mkdtemp(prefix=".oxigraph.tmp-", dir=build.directory))
        try:
            store = ox.Store(str(tmp))
            store.bulk_load(path=build.nquads, format=ox.RdfFormat.N_QUADS)
            store.flush()
            del store
            try:
                tmp.rename(folder)
            except OSError:  # another process made it first
                if not folder.is_dir():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return ox.Store.read_only(str(folder))
