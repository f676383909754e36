"""``basel-kg serve`` keeps serving when one of its processes dies: the web server process and
the store process are each killed with SIGKILL, the supervisor starts them again, and what was
written is still there."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from support.net import free_port, small_project

pytestmark = pytest.mark.slow

TOKEN = "supervised-token-0123456789"
GRAPH = "https://example.org/supervised"
DOC = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"


def _health(url: str) -> dict | None:
    try:
        response = httpx.get(url + "health", timeout=2)
    except httpx.HTTPError:
        return None
    return response.json() if response.status_code == 200 else None


def _wait_for_new(url: str, old: dict, key: str, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        health = _health(url)
        if health is not None and health[key] != old[key]:
            return health
        time.sleep(0.2)
    raise AssertionError(f"no new {key} after {seconds} s")


@contextlib.contextmanager
def _serving(tmp_path) -> Iterator[str]:
    """``basel-kg serve`` (supervised, a store on disk, writes on) of a small project, for the
    ``with`` block; its URL. Stopped as Ctrl-C would stop it: it must then exit 0. When the block
    fails, the server's standard error is printed (pytest shows it under the failure)."""
    project = small_project(tmp_path)
    port = free_port()
    env = dict(os.environ, BASEL_KG_ROOT=str(project), BASEL_KG_WRITE_TOKEN=f"tester={TOKEN}")
    process = subprocess.Popen([sys.executable, "-m", "basel_kg.server", "--port", str(port), "--quiet",
                                "--store", str(tmp_path / "store"), "--dumps", str(tmp_path), "--workers", "2"],
                               env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    except BaseException:
        print(_stop(process)[-8000:], file=sys.stderr)
        raise
    err = _stop(process)
    assert process.returncode == 0, err


def test_a_killed_server_process_or_store_process_is_restarted_with_the_data(tmp_path):
    with _serving(tmp_path) as url:
        first = _wait_for_new(url, {"process": None}, "process", 120)
        assert first["status"] == "ok" and first["writable"] is True
        written = httpx.put(url + "store", params={"graph": GRAPH}, content=DOC,
                            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"})
        assert written.status_code == 201, written.text

        os.kill(first["process"], signal.SIGKILL)  # the web server process
        second = _wait_for_new(url, first, "process")
        assert second["store_process"] != first["store_process"]
        assert httpx.get(url + "store", params={"graph": GRAPH}).status_code == 200

        os.kill(second["store_process"], signal.SIGKILL)  # the store process
        third = _wait_for_new(url, second, "store_process")
        assert httpx.get(url + "store", params={"graph": GRAPH}).status_code == 200
        assert third["version"] == second["version"]


def test_a_server_process_that_dies_while_the_supervisor_waits_for_its_ping_is_restarted_at_once(tmp_path):
    """uvicorn's supervisor pings the server process every 0.5 s and waits up to 300 s for the
    answer; the process is stopped (so a ping waits), then killed: the death ends the wait."""
    with _serving(tmp_path) as url:
        first = _wait_for_new(url, {"process": None}, "process", 120)
        os.kill(first["process"], signal.SIGSTOP)
        time.sleep(2)  # the supervisor has sent a ping the stopped process cannot answer
        os.kill(first["process"], signal.SIGKILL)
        _wait_for_new(url, first, "process", 60)


def _stop(process: subprocess.Popen) -> str:
    """Stops ``basel-kg serve`` as Ctrl-C would (killing its process group after 30 s); its standard error."""
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate()
    return err
