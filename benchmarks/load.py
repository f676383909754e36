"""Load: many clients at once over a realistic mix, to tell a slow machine from a server that
collapses under concurrency.

The server (as `basel-kg serve` runs it: our app, the embedded store with its query processes,
a write token) serves the built knowledge graph. Clients loop over a mix: published queries
(``/queries/{name}.json``), entity pages as HTML and as Turtle, SPARQL queries at ``/sparql``,
``/search`` when this server has it; one more client is a validated writer (``POST /validate``
then ``PUT /store`` of a small conforming graph, so the dataset version changes and caches
turn over). The same mix runs with 8 and with 50 clients, and the table gives throughput,
errors and latency percentiles of each; the target is no error and, at 50 clients, at least
0.8 of the throughput at 8 (no collapse).

    .venv/bin/python benchmarks/load.py [--seconds 60] [--clients 8 50]

Run it on a quiet machine: other work on the same cores shows up in every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from harness import free_port

TOKEN = "load-benchmark-token-0123456789"
JSON = "application/sparql-results+json"


@dataclass
class Run:
    clients: int
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    writes: int = 0
    write_errors: Counter = field(default_factory=Counter)
    retries: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)

    def record(self, kind: str, seconds: float, status: int) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        self.statuses[status] += 1
        if status >= 400:
            self.errors[f"{kind} {status}"] += 1

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float, kind: str | None = None) -> float:
        values = sorted(self.latencies.get(kind, []) if kind else [x for v in self.latencies.values() for x in v])
        return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000 if values else float("nan")


def serve(nquads: Path, port: int) -> None:
    """Child-process mode: the server, as `basel-kg serve --write-token` runs it."""
    import uvicorn

    from basel_kg.server import Settings, create_app
    from basel_kg.store import EmbeddedStore

    with EmbeddedStore() as store:
        store.load_dataset(nquads)
        app = create_app(Settings(store=store, write_tokens=(("loader", TOKEN),)))
        # keep-alive longer than uvicorn's 5 s default, as behind a proxy: a connection the server
        # closes while the next request goes out is a client-side race, not what is measured here
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, timeout_keep_alive=30)


def contribution(base: str, n: int) -> str:
    """A small graph that conforms to the shapes (an organisation, member of the SBC)."""
    passage = base + "source/002_2e5438f9604e1223#annex-wco"
    return (f"@base <{base}> .\n@prefix bkg: <https://w3id.org/basel-kg/ontology#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n@prefix prov: <http://www.w3.org/ns/prov#> .\n"
            "@prefix org: <http://www.w3.org/ns/org#> .\n"
            f'<org/load-{n}> a bkg:IntergovernmentalOrganisation ; rdfs:label "Load test {n}"@en ; '
            f"org:memberOf <org/sbc> ; prov:wasDerivedFrom <{passage}> .\n")


SPARQL = [
    "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) LIMIT 20",
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label "
    "FILTER(CONTAINS(LCASE(STR(?label)), 'waste')) } LIMIT 50",
    "ASK { ?s ?p ?o }",
]


class Mix:
    def __init__(self, client: httpx.Client, base: str):
        from basel_kg.queries import load_registry

        self.published = [q.name for q in load_registry().published()]
        rows = client.get("sparql", params={"query": f"SELECT DISTINCT ?s WHERE {{ ?s a ?c "
                                                      f"FILTER(STRSTARTS(STR(?s), '{base}')) }} LIMIT 300"},
                          headers={"Accept": JSON}).json()["results"]["bindings"]
        self.entities = ["/" + r["s"]["value"][len(base):] for r in rows]
        self.search = client.get("search", params={"q": "waste"}).status_code == 200
        kinds = ["published", "entity-html", "entity-turtle", "sparql"] + (["search"] if self.search else [])
        self.kinds = kinds

    def request(self, rng: random.Random) -> tuple[str, str, str, dict, dict]:
        kind = rng.choice(self.kinds)
        if kind == "published":
            return kind, "GET", f"queries/{rng.choice(self.published)}.json", {}, {}
        if kind == "entity-html":
            return kind, "GET", rng.choice(self.entities).lstrip("/"), {}, {"Accept": "text/html"}
        if kind == "entity-turtle":
            return kind, "GET", rng.choice(self.entities).lstrip("/"), {}, {"Accept": "text/turtle"}
        if kind == "search":
            return kind, "GET", "search", {"q": rng.choice(["waste", "mercury", "decision", "partnership"])}, {}
        return kind, "GET", "sparql", {"query": rng.choice(SPARQL)}, {"Accept": JSON}


async def run(url: str, mix: Mix, base: str, clients: int, seconds: float) -> Run:
    result = Run(clients)
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:
        stop = time.monotonic() + seconds

        async def reader(k: int) -> None:
            rng = random.Random(k)
            while time.monotonic() < stop:
                kind, method, path, params, headers = mix.request(rng)
                start = time.perf_counter()
                status = 599
                for attempt in range(2):
                    try:
                        response = await client.request(method, path, params=params, headers=headers)
                        status = response.status_code
                        break
                    except httpx.RemoteProtocolError as exc:
                        # the server closed an idle keep-alive connection as the request went out:
                        # HTTP clients retry an idempotent request then (RFC 9112, 9.3.1); counted
                        if attempt == 0:
                            result.retries[type(exc).__name__] += 1
                            continue
                        result.failures[f"{kind} {type(exc).__name__}: {exc}"] += 1
                    except httpx.HTTPError as exc:
                        result.failures[f"{kind} {type(exc).__name__}: {exc}"] += 1
                        break
                result.record(kind, time.perf_counter() - start, status)

        async def writer() -> None:
            n = 0
            headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
            while time.monotonic() < stop:
                n += 1
                document = contribution(base, n % 20)
                start = time.perf_counter()
                checked = await client.post("validate", content=document, headers={"Content-Type": "text/turtle"})
                written = await client.put("store", params={"graph": f"https://example.org/load/{n % 20}"},
                                           content=document, headers=headers)
                result.record("write", time.perf_counter() - start, max(checked.status_code, written.status_code))
                if checked.status_code >= 400 or written.status_code >= 400:
                    result.write_errors[f"{checked.status_code}/{written.status_code}"] += 1
                else:
                    result.writes += 1

        started = time.monotonic()
        await asyncio.gather(writer(), *(reader(k) for k in range(clients)))
        result.seconds = time.monotonic() - started
    return result


def report(runs: list[Run], mix: Mix) -> None:
    print(f"\nLoad mix: {', '.join(mix.kinds)} + one validated writer; {os.cpu_count()} CPUs; "
          f"{len(mix.published)} published queries, {len(mix.entities)} entities\n")
    print(f"{'clients':>8}{'requests':>10}{'req/s':>9}{'errors':>8}"
          f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'writes':>8}")
    for r in runs:
        print(f"{r.clients:>8}{r.requests:>10}{r.throughput:>9.1f}{sum(r.errors.values()):>8}{r.percentile(50):>9.1f}"
              f"{r.percentile(95):>9.1f}{r.percentile(99):>9.1f}{r.writes:>8}")
    print(f"\n{'p50 / p95 ms by kind':<22}" + "".join(f"{r.clients:>18}" for r in runs))
    for kind in [*mix.kinds, "write"]:
        print(f"{kind:<22}" + "".join(f"{r.percentile(50, kind):>9.1f}{r.percentile(95, kind):>9.1f}" for r in runs))
    for r in runs:
        if r.errors:
            print(f"errors at {r.clients} clients: " + ", ".join(f"{k}: {v}" for k, v in r.errors.most_common()))
        for failure, n in r.failures.most_common():
            print(f"  client-side failure at {r.clients} clients ({n}x): {failure}")
        if r.retries:
            print(f"retried once at {r.clients} clients (keep-alive race): " +
                  ", ".join(f"{k}: {v}" for k, v in r.retries.items()))
    if len(runs) >= 2:
        low, high = runs[0], runs[-1]
        ratio = high.throughput / low.throughput if low.throughput else float("nan")
        verdict = "ok" if ratio >= 0.8 and not any(r.errors for r in runs) else "BELOW TARGET"
        print(f"\nthroughput at {high.clients} clients / at {low.clients} clients: {ratio:.2f} "
              f"(target >= 0.80, no errors): {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measuring time per client count (default 60)")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 50], help="concurrent readers (default 8 50)")
    parser.add_argument("--serve", nargs=2, metavar=("NQUADS", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]))
        return 0

    from basel_kg.build import build_knowledge_graph
    from basel_kg.namespaces import BASE

    with tempfile.TemporaryDirectory(prefix="basel-kg-load-") as tmp:
        print("building the knowledge graph ...", file=sys.stderr)
        nquads = Path(tmp) / "kg.nq"
        nquads.write_bytes(build_knowledge_graph(validate=False).dataset.serialize(format="nquads", encoding="utf-8"))
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        process = subprocess.Popen([sys.executable, __file__, "--serve", str(nquads), str(port)])
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    if httpx.get(url + "health", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start")
                time.sleep(0.3)
            with httpx.Client(base_url=url, timeout=60) as client:
                mix = Mix(client, BASE)
            runs = []
            for clients in args.clients:
                print(f"{clients} clients for {args.seconds:g} s ...", file=sys.stderr)
                runs.append(asyncio.run(run(url, mix, BASE, clients, args.seconds)))
        finally:
            process.terminate()
            process.wait(timeout=30)
    report(runs, mix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
