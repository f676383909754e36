"""The options of ``basel-kg ingest`` and the command itself (the CLI module only registers it)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["add_ingest_arguments", "ingest_from_args", "TOKEN_ENV"]

TOKEN_ENV = "BASEL_KG_TOKEN"


def add_ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="documents to ingest: .txt, .html, .pdf (with a text layer) or .docx; English and/or Chinese")
    parser.add_argument("--symbol", metavar="SYMBOL",
                        help="the document's UN symbol when its text does not state it (one FILE only)")
    parser.add_argument("--into", type=Path, metavar="data/NNN-slug.ttl",
                        help="write the draft graph as this data file (loaded as graph/NNN-slug) and the text as "
                             "data/sources/NNN_{hash}.txt; refused unless it conforms (one FILE only)")
    parser.add_argument("--print", action="store_true", dest="print_turtle",
                        help="print the draft graph (Turtle) on standard output")
    parser.add_argument("--report", choices=["text", "html", "json"], default="text",
                        help="the review of every mention: matched, new, unresolved with its passage (default: text)")
    parser.add_argument("--report-file", type=Path, metavar="FILE",
                        help="write the review to FILE instead of standard error (text) or standard output")
    parser.add_argument("--endpoint", metavar="URL",
                        help="also write the draft graph, with its source text (shown at /source/{stem}), through a "
                             "running basel-kg server's guarded write path (its Graph Store endpoint, e.g. "
                             "http://127.0.0.1:8000/store; the server's write size limit applies); needs --token")
    parser.add_argument("--token", metavar="SECRET",
                        help=f"the server's write token; prefer the environment variable {TOKEN_ENV}")
    parser.add_argument("--max-size", type=float, default=50.0, metavar="MB",
                        help="refuse files larger than this, before reading them (default 50)")
    parser.add_argument("--no-validate", action="store_true",
                        help="skip SHACL validation of the draft (faster; --into still validates, and a server validates "
                             "what --endpoint sends)")


def ingest_from_args(args: argparse.Namespace) -> int:
    """Run ``basel-kg ingest``: 0 done (and conforms), 1 the draft does not conform or the server refused it,
    2 bad input (the message names the file and the problem; nothing is written)."""
    from . import (Context, IngestError, draft_turtle, ingest_file, read_document, validate_draft, with_source_text,
                   write_into)
    from .report import to_html, to_json, to_text

    def fail(message: str, code: int = 2) -> int:
        print(f"basel-kg ingest: {message}", file=sys.stderr)
        return code

    if (args.into or args.symbol) and len(args.files) > 1:
        return fail("--into and --symbol take one FILE")
    token = args.token or os.environ.get(TOKEN_ENV)
    if args.endpoint and not token:
        return fail(f"--endpoint needs a write token (--token or {TOKEN_ENV})")
    if args.into is not None and args.into.exists():
        return fail(f"{args.into}: exists already; choose another NNN-slug.ttl (nothing written)")
    try:
        documents = [read_document(f, max_bytes=int(args.max_size * 1e6)) for f in args.files]  # refuse bad input first
        context = Context.load()
        drafts = [ingest_file(d.path, context, into=args.into, symbol=args.symbol, document=d) for d in documents]
    except IngestError as exc:
        return fail(f"{exc} (nothing written)")
    must_validate = not args.no_validate or args.into is not None  # --endpoint: the server's write guard validates
    validations = [validate_draft(d, context) for d in drafts] if must_validate else None
    conforms = all(v.conforms for v in validations) if validations else True

    if args.print_turtle:
        for d in drafts:
            sys.stdout.write(draft_turtle(d))
    if args.report == "text":
        report = "".join(to_text(d, validations[i] if validations else None) for i, d in enumerate(drafts))
    elif args.report == "json":
        report = to_json(drafts, validations)
    else:
        report = to_html(drafts, validations)
    if args.report_file:
        args.report_file.write_text(report, encoding="utf-8")
    elif args.report == "text" or args.print_turtle:
        sys.stderr.write(report)
    else:
        sys.stdout.write(report)

    if not conforms:
        return fail("the draft does not conform to the shapes (see the report); nothing written", 1) \
            if (args.into or args.endpoint) else 1
    if args.into is not None:
        try:
            data_file, text_file = write_into(drafts[0], args.into)
        except (IngestError, OSError) as exc:
            return fail(f"{exc}")
        print(f"wrote {data_file} (graph {drafts[0].graph_name}) and {text_file}", file=sys.stderr)
    if args.endpoint:
        from ..store.remote import Endpoints, RemoteStore, make_auth
        from ..store import StoreError

        try:
            with RemoteStore(Endpoints(query=args.endpoint, update=None, store=args.endpoint),
                             auth=make_auth(f"bearer:{token}")) as store:
                for d in drafts:  # the graph carries the source text, for the server's /source/{stem}
                    store.put_graph(str(d.graph_name), with_source_text(d).serialize(format="nt", encoding="utf-8"))
        except StoreError as exc:
            return fail(f"the server refused the draft (with its source text): {exc}", 1)
        print(f"wrote {len(drafts)} graph(s) to {args.endpoint}", file=sys.stderr)
    return 0
