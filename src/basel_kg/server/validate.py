"""``POST /validate``: check a document against the shapes in the context of the graph, as a
write would be checked, without writing anything. No token needed."""

from __future__ import annotations

import uuid
import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from .common import settings_of
from .uploads import disconnect_event
from .writes import RDF_MEDIA_TYPES, WriteDenied, denied_response, read_document, report_response

__all__ = ["router"]

router = APIRouter(tags=["Validation"])


@router.post("/validate", summary="Validate an RDF document in the context of the knowledge graph",
             description="The document's triples are checked as if they were added to the graph (in a new "
                         "named graph; the named graphs of N-Quads/TriG as they are): the entailments they "
                         "bring, then SHACL on what they touch. The report lists the violations the document "
                         "would introduce (JSON by default; Turtle or text by Accept). Nothing is written.",
             openapi_extra={"requestBody": {"content": {m: {"schema": {"type": "string"}} for m in RDF_MEDIA_TYPES}},
                            "responses": {"200": {"description": "The validation report ('conforms' says it all)"},
                                          "400": {"description": "The document does not parse"},
                                          "415": {"description": "Not an RDF media type we read"}}},
             response_class=Response)
async def validate(request: Request) -> Response:
    settings = settings_of(request)
    service = request.app.state.writes
    if not service.validating:
        return denied_response(WriteDenied(403, "This store cannot be validated against (it cannot be exported)."))
    body = await request.body()
    quads = await read_document(request, body, base_iri=settings.base)
    fresh = ox.NamedNode(f"urn:x-basel-kg:validate:{uuid.uuid4()}")
    quads = [q if isinstance(q.graph_name, ox.NamedNode) else ox.Quad(q.subject, q.predicate, q.object, fresh)
             for q in quads]
    report = await request.app.state.validator.validate(quads, disconnected=disconnect_event(request).wait)
    return report_response(request, report, 200)
