"""What the server benchmarks share: a free port, a server process started and stopped around a
measurement, the published-query mix sent to an endpoint, validated writes of a 100-triple
document, and the peak memory and the CPU by part of a process tree.

Used by ``endpoint.py``, ``writes.py`` and ``scale.py`` (run as scripts from this folder, so
``import harness`` finds this file).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ACCEPT = "application/sparql-results+json"
BASE = "https://w3id.org/basel-kg/"
PASSAGE = BASE + "source/002_2e5438f9604e1223#annex-wco"
TOKEN = "benchmark-writes-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    """The ``oxigraph`` command-line server of the bench extras (beside this Python), else on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.is_file() else "oxigraph"


class TreeMemory:
    """Samples a process and all its descendants every ``every`` seconds (psutil) and keeps the
    peak of their summed resident memory: RSS (pages shared by forked processes counted in each)
    and PSS (each shared page divided among the processes sharing it: what the tree really uses)."""

    def __init__(self, pid: int, every: float = 0.25):
        import psutil

        self._root = psutil.Process(pid)
        self._every = every
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="tree-memory")

    def sample(self) -> None:
        import psutil

        try:
            processes = [self._root, *self._root.children(recursive=True)]
        except psutil.Error:
            return
        rss = pss = 0
        for process in processes:
            try:
                info = process.memory_full_info()
            except psutil.Error:
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_processes = max(self.peak_processes, len(processes))

    def reset(self) -> None:
        """Forget the peaks so far: the next ones are measured from now."""
        self.peak_rss = self.peak_pss = self.peak_processes = 0

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.sample()

    def __enter__(self) -> TreeMemory:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


#: The parts of a ``basel-kg serve`` tree :func:`tree_cpu` tells apart, in the order printed.
CPU_PARTS = ("web process", "store process, Python threads", "store process, RocksDB compactions",
             "store process, RocksDB flushes", "parser processes", "the rest")


def tree_cpu(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by every thread of the process tree under ``pid``,
    summed by part (:data:`CPU_PARTS`): the store process is the one running the holder, its
    threads named ``rocksdb:low`` / ``rocksdb:high`` are RocksDB's compaction and flush threads
    (psutil gives each thread's times; Linux's /proc gives its name), the parser processes run
    ``uploads``, the web process is the server's other Python process. Two calls around a
    measurement give what it cost each part (threads or processes that ended in between are
    not counted)."""
    import psutil

    def part(pid: int, command: str, thread: int) -> str:
        if "store.holder" in command:
            try:
                name = Path(f"/proc/{pid}/task/{thread}/comm").read_text().strip()
            except OSError:
                name = ""
            return {"rocksdb:low": "store process, RocksDB compactions",
                    "rocksdb:high": "store process, RocksDB flushes"}.get(name, "store process, Python threads")
        if "uploads" in command:
            return "parser processes"
        return "web process" if "multiprocessing" in command else "the rest"

    parts = dict.fromkeys(CPU_PARTS, 0.0)
    root = psutil.Process(pid)
    for process in (root, *root.children(recursive=True)):
        try:
            command, threads = " ".join(process.cmdline()), process.threads()
        except psutil.Error:
            continue
        for thread in threads:
            parts[part(process.pid, command, thread.id)] += thread.user_time + thread.system_time
    return parts


class Server:
    """A server process, started by ``with`` (returns once ``url`` answers ``ASK {}``) and stopped
    (SIGTERM, then SIGKILL) at the end. ``started`` is the seconds it took to answer; ``memory``
    (with ``watch_memory=True``) the peak memory of its process tree while it ran. Its standard
    error goes to a temporary file (a pipe nobody reads would stall a talkative server), whose
    last lines ``log_tail()`` returns, for a report of a failed step."""

    def __init__(self, name: str, command: list[str], url: str, cwd: Path | None = None, *,
                 env: dict[str, str] | None = None, start_timeout: float = 180, watch_memory: bool = False):
        self.name, self.command, self.url, self.cwd = name, command, url, cwd
        self.env = env
        self.start_timeout = start_timeout
        self.watch_memory = watch_memory
        self.process: subprocess.Popen | None = None
        self.memory: TreeMemory | None = None
        self.started = 0.0
        self.log = tempfile.TemporaryFile()

    def __enter__(self) -> Server:
        begin = time.perf_counter()
        self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=self.log)
        if self.watch_memory:
            self.memory = TreeMemory(self.process.pid).__enter__()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._stop_watching()
                tail = self.log_tail()
                self.log.close()
                raise RuntimeError(f"{self.name} exited: {tail}")
            try:
                if httpx.get(self.url, params={"query": "ASK {}"}, headers={"Accept": ACCEPT}, timeout=5).status_code == 200:
                    self.started = time.perf_counter() - begin
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.__exit__()
        raise RuntimeError(f"{self.name} did not start in {self.start_timeout:.0f} s")

    def log_tail(self, chars: int = 2000) -> str:
        """The last ``chars`` characters the server wrote to its standard error so far."""
        self.log.flush()
        self.log.seek(0, os.SEEK_END)
        self.log.seek(max(0, self.log.tell() - chars))
        return self.log.read().decode(errors="replace")

    def _stop_watching(self) -> None:
        if self.memory is not None:
            self.memory.__exit__()

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self._stop_watching()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def published_queries(root: Path | None = None) -> list[tuple[str, str]]:
    """Every published query of the project under ``root`` (default: this checkout), as
    (name, SPARQL text with the parameters at their defaults); queries that need a value
    without a default are left out."""
    from basel_kg.queries import load_registry

    queries = []
    for query in load_registry(root).published():
        try:
            queries.append((query.name, query.bind().sparql))
        except Exception:  # noqa: BLE001 - a parameter without a default
            continue
    return queries


@dataclass
class Figures:
    server: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else float("nan")


async def load(url: str, queries: list[tuple[str, str]], concurrency: int, seconds: float) -> Figures:
    """Send the queries round-robin (POST, JSON results) from ``concurrency`` clients for
    ``seconds`` (after one warm-up pass) and count the answers."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=300) as client:

        async def one(i: int) -> None:
            _, query = queries[i % len(queries)]
            await client.post(url, data={"query": query}, headers={"Accept": ACCEPT})

        for i in range(len(queries)):  # warm up: every query once
            await one(i)
        stop = time.monotonic() + seconds

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            while time.monotonic() < stop:
                _, query = queries[i % len(queries)]
                start = time.perf_counter()
                response = await client.post(url, data={"query": query}, headers={"Accept": ACCEPT})
                latencies.append(time.perf_counter() - start)
                errors += response.status_code != 200
                i += 1

        started = time.monotonic()
        await asyncio.gather(*(worker(k * 3) for k in range(concurrency)))
        elapsed = time.monotonic() - started
    return Figures("", concurrency, len(latencies), errors, elapsed, latencies)


def answers(url: str, queries: list[tuple[str, str]], repeat: int = 1) -> dict[str, tuple[int, float]]:
    """Rows per query and the median seconds of ``repeat`` requests, per query name."""
    rows = {}
    with httpx.Client(timeout=600) as client:
        for name, query in queries:
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                response = client.post(url, data={"query": query}, headers={"Accept": ACCEPT})
                times.append(time.perf_counter() - start)
                response.raise_for_status()
            rows[name] = (len(json.loads(response.text)["results"]["bindings"]), statistics.median(times))
    return rows


def document(tag: str, triples: int) -> str:
    """``triples`` statements about new intergovernmental organisations (4 each), members of
    the Secretariat, derived from a passage of the shipped data: a conforming contribution."""
    lines = ["@prefix bkg: <https://w3id.org/basel-kg/ontology#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             "@prefix prov: <http://www.w3.org/ns/prov#> .", "@prefix org: <http://www.w3.org/ns/org#> ."]
    for i in range(triples // 4):
        lines.append(f'<{BASE}org/bench-{tag}-{i}> a bkg:IntergovernmentalOrganisation ; '
                     f'rdfs:label "Benchmark organisation {tag} {i}"@en ; org:memberOf <{BASE}org/sbc> ; '
                     f"prov:wasDerivedFrom <{PASSAGE}> .")
    return "\n".join(lines)


def _write(client: httpx.Client, url: str, tag: str, replace: bool) -> None:
    """One 100-triple document written through the Graph Store Protocol at ``url + "store"``:
    PUT replacing one graph (``replace``), else POST of a new graph named by ``tag``."""
    graph = "https://example.org/bench/replaced" if replace else f"https://example.org/bench/{tag}"
    response = client.request("PUT" if replace else "POST", url + "store", params={"graph": graph},
                              content=document(tag, 100))
    assert response.status_code in (200, 201, 204), response.text[:2000]


def _writer(token: str) -> httpx.Client:
    # an hour: the first write may wait for the server to make its write guard's copy of the graph
    return httpx.Client(timeout=3600, headers={"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"})


def first_write_seconds(url: str, *, token: str = TOKEN) -> float:
    """Seconds the first validated 100-triple PUT takes on a server that just answered its first
    query (it waits for the write guard's copy of the graph, unless that was made already)."""
    with _writer(token) as client:
        start = time.perf_counter()
        _write(client, url, "first", replace=True)
        return time.perf_counter() - start


def first_search_seconds(url: str) -> float:
    """Seconds of the server's first search (``/search``), which builds its search index: from
    then on each validated write hands the index the subjects it touched (the next search
    re-reads them)."""
    start = time.perf_counter()
    httpx.get(url + "search", params={"q": "basel", "format": "json"}, timeout=3600).raise_for_status()
    return time.perf_counter() - start


def writes_per_second(url: str, writes: int, *, replace: bool, token: str = TOKEN, run: int = 0) -> float:
    """Writes of a 100-triple document per second through the Graph Store Protocol at
    ``url + "store"`` (one client): see :func:`write_latencies`."""
    return writes / sum(write_latencies(url, writes, replace=replace, token=token, run=run))


def write_latencies(url: str, writes: int, *, replace: bool, token: str = TOKEN, run: int = 0) -> list[float]:
    """Seconds of each of ``writes`` writes in a row of a 100-triple document through the Graph
    Store Protocol at ``url + "store"`` (one client): PUT replacing one graph (``replace``), else
    POST of a new graph each time. The first write (not timed) warms the server up. ``run``: a
    number that makes the documents (and POST's graphs) of a repeated measurement new ones
    (posting the same document into the same graph again changes nothing, which a store
    answers at once)."""
    times = []
    with _writer(token) as client:
        def write(n: int) -> None:
            kind = "r" if replace else "p"
            _write(client, url, f"{kind}{run}n{n}" if run else f"{kind}{n}", replace)

        write(-1)
        for n in range(writes):
            start = time.perf_counter()
            write(n)
            times.append(time.perf_counter() - start)
    return times


def child_env(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}


def print_rows(rows: list[tuple[str, str]]) -> None:
    """Print (measure, value) rows as two aligned columns under a header."""
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  -----")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
