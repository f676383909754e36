"""Packaging hook: a wheel carries the project's sources and the built web assets.

``python -m build --wheel`` (after ``npm ci``) copies ``ontology/``, ``data/``, ``shapes/``,
``queries/`` and the web assets :data:`basel_kg.project.WEB_ASSETS` names (from
``node_modules/``) into ``basel_kg/_project/`` inside the wheel, where
:mod:`basel_kg.project` finds them when basel-kg runs outside a checkout. Editable installs
(``pip install -e .``) read the checkout itself and copy nothing. Everything else about the
package is in pyproject.toml.
"""

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SOURCES = ("ontology", "data", "shapes", "queries")


def _web_assets():
    sys.path.insert(0, str(HERE / "src"))
    try:
        from basel_kg.project import WEB_ASSETS  # stdlib-only module: importable before the dependencies
    finally:
        sys.path.pop(0)
    return WEB_ASSETS


class BuildWithProject(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "basel_kg" / "_project"
        shutil.rmtree(target, ignore_errors=True)
        for name in SOURCES:
            shutil.copytree(HERE / name, target / name, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        missing = []
        for folder, files in _web_assets().values():
            for file in files:
                source = HERE / "node_modules" / folder / file
                if not source.is_file():
                    missing.append(str(source))
                    continue
                (target / "web" / folder).mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / "web" / folder / file)
        if missing:
            raise SystemExit("basel-kg wheel: web assets missing (run 'npm ci' first): " + ", ".join(missing))


setup(cmdclass={"build_py": BuildWithProject})
