"""The OpenAPI description is complete and true: every operation documents its request body
and, for each status, the media types and schema of what it answers; schemathesis, run against
a live server with a write token, finds no server error and nothing the description does not
announce (status, media type, JSON body)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.store import EmbeddedStore

pytestmark = pytest.mark.slow

TOKEN = "schemathesis-token-0123456789"
NO_BODY = {"201", "204", "303", "304"}


@pytest.fixture(scope="module")
def server(mini_release):
    kg, _ = mini_release
    with EmbeddedStore(timeout=10) as store:
        store.load_dataset(kg.dataset)
        with BackgroundServer(create_app(Settings(store=store, write_tokens=(("st", TOKEN),)))) as running:
            yield running


def test_every_response_of_every_operation_has_a_schema(server):
    spec = httpx.get(server.url + "openapi.json").json()
    operations = [(m, p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 18
    for method, path, operation in operations:
        statuses = operation["responses"]
        assert any(s.startswith("2") for s in statuses), (method, path)
        assert "500" not in statuses, (method, path)
        for status, response in statuses.items():
            if status in NO_BODY:
                continue
            content = response.get("content")
            assert content and all("schema" in c for c in content.values()), (method, path, status)
        if method in ("put", "post") and path != "/sparql":
            assert "text/turtle" in operation["requestBody"]["content"], (method, path)
    assert "HTTPValidationError" not in spec.get("components", {}).get("schemas", {})


def test_missing_npm_assets_are_404_not_500(mini_release, tmp_path):
    with EmbeddedStore() as store:
        app = create_app(Settings(store=store, editor_dir=tmp_path / "not-installed"))
        with BackgroundServer(app) as running:
            response = httpx.get(running.url + "static/yasgui/yasgui.min.js")
    assert response.status_code == 404 and "not installed" in response.text


def test_schemathesis_finds_no_server_error_and_no_schema_violation(server, tmp_path):
    """A bounded, reproducible run (fixed seed, few examples per operation, one worker)."""
    st = Path(sys.executable).with_name("st")
    if not st.exists():
        st = Path(shutil.which("st") or "st")
    done = subprocess.run(
        [str(st), "run", server.url + "openapi.json",
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                     "response_schema_conformance",
         "--max-examples", "6", "--seed", "20261130", "--workers", "1",
         "--request-timeout", "20", "--header", f"Authorization: Bearer {TOKEN}", "--no-color",
         "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=240)
    summary = done.stdout[done.stdout.find("SUMMARY"):] if "SUMMARY" in done.stdout else done.stdout[-3000:]
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "passed" in summary and "failures" not in summary.lower().split("warnings")[0], summary
