"""The basel-kg command line, through its real entry points: ``cli.main([...])`` in process, and
``python -m basel_kg`` in a subprocess where the process boundary matters (exit codes, streams).

`build` and `export` have their own files (test_release.py, test_export.py).
"""

from __future__ import annotations

import csv
import http.server
import importlib.util
import io
import json
import re
import urllib.parse

import pyoxigraph as ox
import pytest
from rdflib import Graph
from support.net import local_http

from basel_kg import cli

NUMBERS = "SELECT ?n WHERE { ?d a bkg:Decision ; bkg:decisionNumber ?n } ORDER BY ?n"
IX_9 = "https://w3id.org/basel-kg/decision/basel-cop-IX-9"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --- general ----------------------------------------------------------------------------------------

def test_no_command_is_a_usage_error(run_cli):
    proc = run_cli()
    assert proc.returncode == 2
    assert "usage: basel-kg" in proc.stderr


def test_unknown_option_is_a_usage_error(capsys):
    code, _, err = run(capsys, "stats", "--colour")
    assert code == 2 and "unrecognized arguments: --colour" in err


def test_console_script_and_library_surface():
    from importlib.metadata import entry_points

    import basel_kg

    [script] = [e for e in entry_points(group="console_scripts") if e.name == "basel-kg"]
    assert script.load() is cli.main
    for name in basel_kg.__all__:
        assert getattr(basel_kg, name) is not None, name
    from basel_kg.build import build_knowledge_graph

    assert basel_kg.build_knowledge_graph is build_knowledge_graph


def test_version(run_cli):
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("basel-kg ")


@pytest.mark.parametrize("command", ["build", "validate", "query", "export", "stats", "queries"])
def test_every_option_has_a_help_line(command, capsys):
    parser = cli.build_parser([command])
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    for action in sub._actions:
        assert action.help, (command, action.option_strings or action.dest)
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and "exit codes:" in out


def test_serve_is_wired_to_the_server_module(capsys):
    code, out, err = run(capsys, "serve", "--help")
    if importlib.util.find_spec("basel_kg.server") is None:
        assert code == 2 and "web server is not available" in err
    else:
        assert code == 0 and "usage: basel-kg serve" in out


# --- validate ---------------------------------------------------------------------------------------

GOOD = """@prefix bkg: <https://w3id.org/basel-kg/ontology#> .
<https://w3id.org/basel-kg/decision/basel-cop-IX-1> a bkg:Decision ; bkg:decisionNumber "IX/1" ;
    bkg:adoptedBy <https://w3id.org/basel-kg/body/basel-cop> .
"""
BAD = """@prefix bkg: <https://w3id.org/basel-kg/ontology#> .
<https://w3id.org/basel-kg/decision/z> a bkg:Decision ; bkg:decisionNumber "nine" , "IX/9" .
<https://w3id.org/basel-kg/decision/a> a bkg:Decision ; bkg:adoptedBy <https://w3id.org/basel-kg/body/basel-cop> .
"""


@pytest.fixture
def files(mini_root, tmp_path):
    good, bad = tmp_path / "good.ttl", tmp_path / "bad.ttl"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    return good, bad


def test_validate_conforming_file_in_context(files, run_cli):
    proc = run_cli("validate", files[0])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Conforms: 0 result(s)\n"


def test_validate_standalone_misses_the_knowledge_graph(files, capsys):
    code, out, _ = run(capsys, "validate", "--standalone", str(files[0]))
    assert code == 1
    assert "bkg:adoptedBy  basel:body/basel-cop  t:DecisionShape bkg:adoptedBy" in out


def test_validate_violations_one_sorted_line_each(files, run_cli):
    proc = run_cli("validate", files[1])
    assert proc.returncode == 1
    header, *lines = proc.stdout.splitlines()
    assert header == "Does not conform: 4 result(s)"
    assert lines == sorted(lines)
    focus_nodes = [ln.split("  ")[0] for ln in lines]
    assert focus_nodes == ["basel:decision/a", "basel:decision/z", "basel:decision/z", "basel:decision/z"]
    assert 'basel:decision/z  bkg:decisionNumber  "nine"  t:DecisionNumber  A decision has one number such as IX/9.' in lines


def test_validate_json_and_turtle_reports(files, capsys):
    code, out, _ = run(capsys, "validate", "--report", "json", str(files[1]))
    assert code == 1
    doc = json.loads(out)
    assert doc["conforms"] is False and len(doc["results"]) == 4
    code, out, _ = run(capsys, "validate", "--report", "turtle", str(files[1]))
    assert code == 1
    assert len(Graph().parse(data=out, format="turtle")) > 0


def test_validate_several_files_and_formats(files, tmp_path, capsys):
    nt = tmp_path / "good.data"
    nt.write_text(Graph().parse(data=GOOD, format="turtle").serialize(format="nt"), encoding="utf-8")
    code, out, err = run(capsys, "validate", "--format", "nt", str(nt))
    assert (code, out) == (0, "Conforms: 0 result(s)\n"), err
    code, _, err = run(capsys, "validate", str(nt))
    assert code == 2 and "cannot tell the RDF format" in err
    code, out, _ = run(capsys, "validate", str(files[0]), str(files[1]))
    assert code == 1 and out.startswith("Does not conform: 4 result(s)")


def test_validate_parse_error_names_file_line_and_column(files, tmp_path, run_cli):
    broken = tmp_path / "broken.ttl"
    broken.write_text('@prefix bkg: <https://w3id.org/basel-kg/ontology#> .\n<https://w3id.org/basel-kg/x> bkg:p "open .\n')
    proc = run_cli("validate", broken)
    assert proc.returncode == 2
    assert f"{broken}:2:" in proc.stderr
    assert proc.stdout == ""


def test_validate_parse_error_in_json_ld(files, tmp_path, capsys):
    broken = tmp_path / "broken.jsonld"
    broken.write_text('{"@id": "https://w3id.org/basel-kg/x",\n  "https://w3id.org/basel-kg/ontology#p": }')
    code, _, err = run(capsys, "validate", str(broken))
    assert code == 2 and re.search(re.escape(str(broken)) + r":2:\d+: Expecting value", err)


def test_validate_missing_file(files, tmp_path, capsys):
    code, out, err = run(capsys, "validate", str(tmp_path / "nope.ttl"))
    assert code == 2 and out == ""
    assert "cannot read" in err and "nope.ttl" in err


# --- query --------------------------------------------------------------------------------------------

def test_query_table_is_aligned(mini_root, run_cli):
    proc = run_cli("query", NUMBERS)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["n", "------", "IX/10", "IX/9", "VIII/1", "(3 rows)"]
    proc = run_cli("query", "SELECT ?d ?l WHERE { ?d bkg:decisionNumber 'IX/9' ; rdfs:label ?l }")
    header, rule, row, count = proc.stdout.splitlines()
    assert header.index("l") == rule.index(" -") + 1 == row.index("Decision IX/9@en")
    assert count == "(1 row)"


@pytest.mark.parametrize("fmt", ["json", "tsv", "xml"])
def test_query_result_formats(mini_root, capsys, fmt):
    code, out, _ = run(capsys, "query", NUMBERS, "--format", fmt)
    assert code == 0
    parsed = ox.parse_query_results(out.encode(), ox.QueryResultsFormat.from_extension(fmt))
    assert [s["n"].value for s in parsed] == ["IX/10", "IX/9", "VIII/1"]


def test_query_csv(mini_root, capsys):
    code, out, _ = run(capsys, "query", NUMBERS, "--format", "csv")
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [["n"], ["IX/10"], ["IX/9"], ["VIII/1"]]


def test_query_construct_defaults_to_turtle(mini_root, capsys):
    code, out, _ = run(capsys, "query", "CONSTRUCT { ?d a bkg:Decision } WHERE { ?d a bkg:Decision }")
    assert code == 0
    assert len(Graph().parse(data=out, format="turtle")) == 3
    code, out, _ = run(capsys, "query", "CONSTRUCT { ?d a bkg:Decision } WHERE { ?d a bkg:Decision }", "--format", "json-ld")
    assert code == 0 and len(Graph().parse(data=out, format="json-ld")) == 3
    code, _, err = run(capsys, "query", "CONSTRUCT WHERE { ?d a bkg:Decision }", "--format", "csv")
    assert code == 2 and "does not suit a CONSTRUCT/DESCRIBE query" in err


def test_query_ask(mini_root, capsys):
    assert run(capsys, "query", "ASK { ?d bkg:establishes ?p }")[:2] == (0, "true\n")
    assert run(capsys, "query", "ASK { ?d bkg:establishes bkg:Decision }")[:2] == (0, "false\n")


def test_query_from_a_file(mini_root, tmp_path, capsys):
    path = tmp_path / "q.rq"
    path.write_text(NUMBERS)
    code, out, _ = run(capsys, "query", "-f", str(path), "--format", "csv")
    assert code == 0 and out.split() == ["n", "IX/10", "IX/9", "VIII/1"]
    code, _, err = run(capsys, "query", "-f", str(tmp_path / "missing.rq"))
    assert code == 2 and "missing.rq" in err


def test_query_no_inference_leaves_the_inferred_graph_out(mini_root, capsys):
    q = f"ASK {{ <{IX_9}> eli:cites ?x }}"  # eli:cites comes from bkg:recalls by inference only
    assert run(capsys, "query", q)[:2] == (0, "true\n")
    assert run(capsys, "query", q, "--no-inference")[:2] == (0, "false\n")


def test_query_published_with_parameters(mini_root, run_cli):
    proc = run_cli("query", "--name", "decisions-of-body", "--param", "number=IX/9", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert list(csv.reader(io.StringIO(proc.stdout))) == [["decision", "number"], [IX_9, "IX/9"]]


@pytest.mark.parametrize("args, message", [
    (["--name", "nope"], "no published query named 'nope'"),
    (["--name", "decisions-of-body", "--param", "body=x> <y"], "parameter body (iri)"),
    (["--name", "decisions-of-body", "--param", "colour=red"], "no parameter 'colour'"),
    (["--name", "decisions-of-body", "--param", "number"], "--param expects KEY=VALUE"),
    ([NUMBERS, "--param", "n=1"], "--param only applies to a published query"),
    (["SELECT * WHERE { ?s ?p }"], "syntax error in the query"),
    ([NUMBERS, "--endpoint", "ftp://example.org/sparql"], "must be an http(s) URL"),
    ([NUMBERS, "--endpoint", "http://127.0.0.1:9/sparql", "--no-inference"], "--no-inference applies to local"),
])
def test_query_input_errors(mini_root, capsys, args, message):
    code, out, err = run(capsys, "query", *args)
    assert code == 2 and out == ""
    assert message in err


def test_query_needs_exactly_one_query(mini_root, capsys):
    assert run(capsys, "query")[0] == 2
    code, _, err = run(capsys, "query", NUMBERS, "--name", "decisions-of-body")
    assert code == 2 and "not allowed with argument" in err


class Endpoint:
    """A SPARQL 1.1 endpoint on a local port, answering from a pyoxigraph store."""

    def __init__(self, store: ox.Store):
        self.queries: list[str] = []
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                query = urllib.parse.parse_qs(body)["query"][0]
                endpoint.queries.append(query)
                try:
                    result = store.query(query)
                except SyntaxError as exc:
                    self.send_response(400)
                    self.end_headers()
                    self.wfile.write(str(exc).encode())
                    return
                if isinstance(result, ox.QueryTriples):
                    data, media = ox.serialize(list(result), format=ox.RdfFormat.TURTLE), "text/turtle"
                else:
                    data, media = result.serialize(format=ox.QueryResultsFormat.JSON), "application/sparql-results+json"
                self.send_response(200)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server, origin = local_http(Handler)
        self.url = origin + "/sparql"


@pytest.fixture
def endpoint():
    store = ox.Store()
    bkg = "https://w3id.org/basel-kg/ontology#"
    for n in ("I/1", "II/2"):
        d = ox.NamedNode("https://w3id.org/basel-kg/decision/remote-" + n.replace("/", "-"))
        store.add(ox.Quad(d, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(bkg + "Decision")))
        store.add(ox.Quad(d, ox.NamedNode(bkg + "decisionNumber"), ox.Literal(n)))
        store.add(ox.Quad(d, ox.NamedNode(bkg + "adoptedBy"), ox.NamedNode("https://w3id.org/basel-kg/body/basel-cop")))
    e = Endpoint(store)
    yield e
    e.server.shutdown()
    e.server.server_close()


def test_query_remote_endpoint(endpoint, mini_root, capsys):
    code, out, err = run(capsys, "query", NUMBERS, "--endpoint", endpoint.url)
    assert code == 0, err
    assert out.splitlines()[2:] == ["I/1", "II/2", "(2 rows)"]
    code, out, _ = run(capsys, "query", "CONSTRUCT WHERE { ?d a bkg:Decision }", "--endpoint", endpoint.url)
    assert code == 0 and len(Graph().parse(data=out, format="turtle")) == 2


def test_query_remote_published_query_binds_the_same_way(endpoint, mini_root, capsys):
    code, out, _ = run(capsys, "query", "--name", "decisions-of-body", "--param", "number=II/2",
                       "--endpoint", endpoint.url, "--format", "csv")
    assert code == 0
    assert out.split()[1:] == ["https://w3id.org/basel-kg/decision/remote-II-2,II/2"]
    assert 'VALUES (?body ?number) { (<https://w3id.org/basel-kg/body/basel-cop> "II/2") }' in endpoint.queries[-1]


def test_query_remote_errors(endpoint, mini_root, capsys):
    code, _, err = run(capsys, "query", "SELECT * WHERE { ?s ?p }", "--endpoint", endpoint.url)
    assert code == 2 and "malformed" in err
    endpoint.server.shutdown()
    endpoint.server.server_close()
    code, _, err = run(capsys, "query", NUMBERS, "--endpoint", endpoint.url)
    assert code == 1 and "cannot reach" in err


# --- stats and queries -------------------------------------------------------------------------------

def test_stats_json(mini_root, capsys):
    code, out, _ = run(capsys, "stats", "--format", "json")
    assert code == 0
    stats = json.loads(out)
    assert stats["classes"]["https://w3id.org/basel-kg/ontology#Decision"] == 3
    assert stats["properties"]["https://w3id.org/basel-kg/ontology#decisionNumber"] == 3
    assert stats["languages"]["zh"] >= 2
    assert stats["graphs"]["https://w3id.org/basel-kg/graph/000-decisions"] > 0
    assert "https://w3id.org/basel-kg/graph/inferred" in stats["graphs"]
    from basel_kg.build import build_knowledge_graph

    kg = build_knowledge_graph(root=mini_root, validate=False)
    assert stats["triples"] == len({t for g in kg.dataset.graphs() for t in g})  # distinct triples of the union


def test_stats_table_and_no_inference(mini_root, run_cli, capsys):
    proc = run_cli("stats")
    assert proc.returncode == 0
    for title in ("Triples by graph", "Instances by class", "Triples by property", "Literals by language"):
        assert title in proc.stdout
    assert "basel:graph/inferred" in proc.stdout
    code, out, _ = run(capsys, "stats", "--no-inference", "--format", "json")
    stats = json.loads(out)
    assert "https://w3id.org/basel-kg/graph/inferred" not in stats["graphs"]
    assert stats["classes"]["https://w3id.org/basel-kg/ontology#Decision"] == 2  # the draft is not inferred to be one


def test_queries_lists_titles_and_parameters(mini_root, run_cli, capsys):
    proc = run_cli("queries")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["name", "kind", "title", "parameters"]
    row = next(ln for ln in lines if ln.startswith("decisions-of-body"))
    assert "Decisions of a body" in row
    assert "body (iri) = https://w3id.org/basel-kg/body/basel-cop, number (string)" in row
    code, out, _ = run(capsys, "queries", "--format", "json")
    items = {q["name"]: q for q in json.loads(out)}
    assert items["what-established-pace"]["kind"] == "cq"
    assert [p["name"] for p in items["decisions-of-body"]["parameters"]] == ["body", "number"]


def test_queries_reports_a_broken_query_file(mini_root, capsys):
    (mini_root / "queries" / "published" / "broken.rq").write_text("# title: t\n# param: x (colour)\nSELECT ?x {}\n")
    code, _, err = run(capsys, "queries")
    assert code == 2 and "broken.rq" in err and "unknown parameter type 'colour'" in err


@pytest.mark.parametrize("load, message", [("x", "--load needs GRAPH_IRI=FILE"),
                                           ("urn:x-g=/nonexistent.ttl", "no such file")])
def test_serve_with_a_bad_load_is_a_usage_error(mini_root, capsys, load, message):
    """Exit 2, as documented for bad input, with the reason on stderr; nothing is served."""
    code, out, err = run(capsys, "serve", "--load", load, "--port", "1")
    assert code == 2 and message in err and out == ""
