"""basel-kg installs anywhere: the wheel carries the sources and the web assets, and works
from a fresh virtual environment outside the checkout; a missing asset is an error at start."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from basel_kg import project
from support.net import free_port

ROOT = Path(__file__).resolve().parents[1]
COPY = ("src", "ontology", "data", "shapes", "queries", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md",
        "package.json")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel built (``python -m build --wheel``, from a copy of the checkout) and installed
    into a fresh venv whose only other packages are the dependencies (a .pth to this venv's)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "checkout"
    source.mkdir()
    for name in COPY:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, source / name)
    (source / "node_modules").symlink_to(ROOT / "node_modules")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp / "dist"), str(source)],
                   check=True, capture_output=True, cwd=tmp, timeout=180)
    wheel = next((tmp / "dist").glob("basel_kg-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("basel_kg/py.typed", "basel_kg/_project/ontology/basel-kg.ttl",
                     "basel_kg/_project/web/@zazuko/yasgui/build/yasgui.min.js",
                     "basel_kg/_project/web/swagger-ui-dist/swagger-ui-bundle.js"):
        assert required in names, required
    assert any(n.startswith("basel_kg/_project/queries/published/") for n in names)
    assert any(n.startswith("basel_kg/_project/shapes/") for n in names)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # not our editable install
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)],
                   check=True, capture_output=True, timeout=120)
    return venv


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BASEL_KG_ROOT", "PYTHONPATH")}
    return env


def test_the_installed_wheel_queries_outside_the_checkout(installed, tmp_path):
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import basel_kg.project as p, basel_kg.namespaces as n; print(p.project_root()); print(n.BKG.Decision)"],
                           capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=60)
    assert where.returncode == 0, where.stderr
    root, decision = where.stdout.split()
    assert root.startswith(str(installed)) and root.endswith("basel_kg/_project")
    assert decision == "https://w3id.org/basel-kg/ontology#Decision"
    proc = subprocess.run([str(installed / "bin" / "basel-kg"), "query", "--format", "csv",
                           "SELECT (COUNT(*) AS ?n) WHERE { ?d a bkg:Decision }"],
                          capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.split()[1]) > 10


@pytest.mark.slow
def test_the_installed_wheel_serves_with_its_web_assets(installed, tmp_path):
    port = free_port()
    process = subprocess.Popen([str(installed / "bin" / "basel-kg"), "serve", "--port", str(port), "--quiet",
                                "--dumps", str(tmp_path)], cwd=tmp_path, env=_env(), stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stderr.read()
            try:
                answer = httpx.get(url + "sparql", params={"query": "ASK { ?d a bkg:Decision }"}, timeout=5,
                                   headers={"Accept": "application/sparql-results+json"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        script = httpx.get(url + "static/yasgui/yasgui.min.js", timeout=10)
        assert script.status_code == 200 and len(script.content) > 100_000
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def test_a_missing_web_asset_is_an_error_at_start(tmp_path, monkeypatch):
    from basel_kg.server import Settings, create_app

    monkeypatch.setattr(project, "checkout", lambda: tmp_path)  # a checkout where npm never ran
    with pytest.raises(project.MissingAssetError, match="yasgui.min.js.*npm ci"):
        create_app(Settings(store=None))
