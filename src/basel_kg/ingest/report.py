"""The review of a draft: what matched the graph, what is new, what could not be resolved (each
with its passages), as terminal text, JSON or a self-contained HTML page."""

from __future__ import annotations

import html
import json
from collections import OrderedDict

from .extract import Draft

__all__ = ["grouped", "to_text", "to_json", "to_html"]

ORDER = ["document", "meeting", "agenda item", "body", "decision", "symbol", "organisation", "activity", "person", "date"]


def grouped(draft: Draft) -> dict[str, list[dict]]:
    """Mentions by status, one entry per (kind, entity or text) with the passages it occurs in."""
    out: dict[str, OrderedDict] = {"matched": OrderedDict(), "new": OrderedDict(), "unresolved": OrderedDict()}
    for m in draft.mentions:
        key = (m.kind, m.iri or m.text, m.note if m.status == "unresolved" else "")
        entry = out[m.status].setdefault(key, {"kind": m.kind, "text": m.text, "iri": m.iri, "note": m.note,
                                               "value": m.value, "passages": []})
        if m.passage not in entry["passages"]:
            entry["passages"].append(m.passage)
    return {status: sorted(entries.values(), key=lambda e: (ORDER.index(e["kind"]) if e["kind"] in ORDER else 99,
                                                             e["text"]))
            for status, entries in out.items()}


def _passage_info(draft: Draft) -> dict[str, tuple[str, int, int, str]]:
    return {p.anchor: (p.locator, p.line_start, p.line_end, p.text) for p in draft.passages}


def to_text(draft: Draft, validation=None) -> str:
    groups = grouped(draft)
    info = _passage_info(draft)
    lines = [f"{draft.file}: {draft.graph_name}",
             f"  document {draft.document_iri}; source text {draft.stem}.txt, {len(draft.passages)} passages",
             f"  {len(groups['matched'])} matched, {len(groups['new'])} new, {len(groups['unresolved'])} unresolved"]
    if validation is not None:
        lines.append("  SHACL in the context of the graph: " + ("conforms" if validation.conforms else
                                                                 f"{len(validation.violations)} violation(s)"))
    for status in ("matched", "new", "unresolved"):
        lines.append(f"\n{status.upper()}")
        for e in groups[status]:
            where = ", ".join(e["passages"][:6]) + (f" (+{len(e['passages']) - 6})" if len(e["passages"]) > 6 else "")
            target = f" -> {e['iri']}" if e["iri"] else ""
            lines.append(f"  {e['kind']:<12} {e['text']}{target}  [{where}]")
            if status == "unresolved":
                p = info.get(e["passages"][0])
                if e["note"]:
                    lines.append(f"               why: {e['note']}")
                if p:
                    lines.append(f"               {p[0]}, lines {p[1]}-{p[2]}: {p[3][:160]}")
    if validation is not None and not validation.conforms:
        lines.append("\nSHACL")
        lines.append(validation.text)
    return "\n".join(lines) + "\n"


def to_json(drafts: list[Draft], validations: list | None = None) -> str:
    items = []
    for i, d in enumerate(drafts):
        v = validations[i] if validations else None
        items.append({
            "file": d.file, "graph": str(d.graph_name), "document": str(d.document_iri), "sourceText": f"{d.stem}.txt",
            "passages": [{"anchor": p.anchor, "locator": p.locator, "lineStart": p.line_start, "lineEnd": p.line_end}
                         for p in d.passages],
            **grouped(d),
            "triples": len(d.graph),
            **({"conforms": v.conforms, "validation": json.loads(v.to_json())["results"]} if v is not None else {}),
        })
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def to_html(drafts: list[Draft], validations: list | None = None) -> str:
    e = html.escape
    parts = ["<!doctype html><html lang=en><meta charset=utf-8><title>basel-kg ingest review</title>",
             "<style>body{font:15px/1.45 system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;width:100%}"
             "td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}"
             ".unresolved{background:#fff4e5}.new{background:#eef7ee}blockquote{margin:.2em 0;color:#444;font-size:90%}"
             "code{font-size:90%}</style><h1>Ingest review</h1>"]
    for i, d in enumerate(drafts):
        v = validations[i] if validations else None
        groups = grouped(d)
        info = _passage_info(d)
        parts.append(f"<h2>{e(d.file)}</h2><p>Graph <code>{e(str(d.graph_name))}</code>, document "
                     f"<code>{e(str(d.document_iri))}</code>, source text <code>{e(d.stem)}.txt</code> "
                     f"({len(d.passages)} passages, {len(d.graph)} triples).")
        if v is not None:
            parts.append("<p><strong>SHACL in the context of the graph: " +
                         ("conforms" if v.conforms else f"{len(v.violations)} violation(s)") + "</strong>")
            if not v.conforms:
                parts.append(f"<pre>{e(v.text)}</pre>")
        for status in ("unresolved", "new", "matched"):
            parts.append(f"<h3>{status.capitalize()} ({len(groups[status])})</h3><table class={status}>"
                         "<tr><th>kind<th>as written<th>entity<th>passages<th>note")
            for m in groups[status]:
                quotes = "".join(
                    f"<blockquote><b>{e(a)}</b> ({e(info[a][0])}, lines {info[a][1]}–{info[a][2]}): {e(info[a][3][:300])}</blockquote>"
                    for a in m["passages"][:3] if a in info) if status != "matched" else e(", ".join(m["passages"][:8]))
                parts.append(f"<tr><td>{e(m['kind'])}<td>{e(m['text'])}<td>{e(m['iri'] or '')}<td>{quotes}<td>{e(m['note'])}")
            parts.append("</table>")
    return "".join(parts) + "\n"
