"""Where basel-kg finds its files, in a checkout or in an installed wheel.

- The hand-edited sources (``ontology/``, ``data/``, ``shapes/``, ``queries/``):
  ``$BASEL_KG_ROOT`` wins; else the checkout this package runs from (an editable install);
  else the copy the wheel carries (``basel_kg/_project/``); else the current directory.
- The web assets (YASGUI, Swagger UI, the explore views' libraries), which npm installs:
  the checkout's ``node_modules/``, else the wheel's ``basel_kg/_project/web/``. They do not
  follow ``$BASEL_KG_ROOT`` (a project folder holds data, not a JavaScript build).

Nothing here reads a file at import time.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import BaselKgError

__all__ = [
    "PACKAGED",
    "WEB_ASSETS",
    "MissingAssetError",
    "checkout",
    "project_root",
    "ontology_file",
    "source_texts_dir",
    "source_text",
    "web_asset_dir",
    "web_asset_dirs",
]

PACKAGE = Path(__file__).resolve().parent
#: The copy of the sources and web assets a wheel carries (written by the build, see setup.py).
PACKAGED = PACKAGE / "_project"

#: Web assets: name -> (folder under node_modules/ or _project/web/, the files the pages use).
#: The server serves each folder at /static/yasgui, /static/swagger-ui, /static/lib/NAME.
WEB_ASSETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "yasgui": ("@zazuko/yasgui/build", ("yasgui.min.js", "yasgui.min.css")),
    "swagger-ui": ("swagger-ui-dist", ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE")),
    "cytoscape": ("cytoscape/dist", ("cytoscape.min.js",)),
    "vis-timeline": ("vis-timeline/styles", ("vis-timeline-graph2d.min.css",)),
    "vis-timeline-js": ("vis-timeline/standalone/umd", ("vis-timeline-graph2d.min.js",)),
    "chart.js": ("chart.js/dist", ("chart.umd.min.js",)),
}

_STEM = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


class MissingAssetError(BaselKgError):
    """A file the installation needs is absent (a web asset not built, a source folder missing)."""


def checkout() -> Path | None:
    """The source checkout this package runs from (an editable install), or None."""
    here = PACKAGE.parents[1]
    if (here / "pyproject.toml").is_file() and (here / "ontology").is_dir():
        return here
    return None


def project_root() -> Path:
    """The folder holding ``ontology/``, ``data/``, ``shapes/``, ``queries/`` (see the module docstring)."""
    env = os.environ.get("BASEL_KG_ROOT")
    if env:
        return Path(env).resolve()
    here = checkout()
    if here is not None:
        return here
    if (PACKAGED / "ontology").is_dir():
        return PACKAGED
    return Path.cwd()


def ontology_file(root: Path | None = None) -> Path:
    """The ontology of the project at ``root`` (default: :func:`project_root`)."""
    return (root or project_root()) / "ontology" / "basel-kg.ttl"


def source_texts_dir(root: Path | None = None) -> Path:
    """The source texts (``data/sources/{stem}.txt``: the seeds and every ingested document)."""
    return (root or project_root()) / "data" / "sources"


def source_text(stem: str, root: Path | None = None) -> str | None:
    """The shipped text of source ``stem``, or None."""
    if not _STEM.match(stem):
        return None
    path = source_texts_dir(root) / f"{stem}.txt"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def web_asset_dir(name: str) -> Path:
    """The folder of web asset ``name`` (a key of :data:`WEB_ASSETS`); it may be missing."""
    folder, _ = WEB_ASSETS[name]
    here = checkout()
    if here is not None:
        return here / "node_modules" / folder
    return PACKAGED / "web" / folder


def web_asset_dirs() -> dict[str, Path]:
    """Every web asset's folder; :class:`MissingAssetError` naming those that are absent."""
    dirs = {name: web_asset_dir(name) for name in WEB_ASSETS}
    missing = [str(dirs[name] / file) for name, (_, files) in WEB_ASSETS.items() for file in files
               if not (dirs[name] / file).is_file()]
    if missing:
        hint = "run 'npm ci' in the checkout" if checkout() is not None else "reinstall basel-kg from a complete wheel"
        raise MissingAssetError(f"the web assets are missing: {', '.join(missing)}; {hint}")
    return dirs
