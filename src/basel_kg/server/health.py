"""``GET /health``: whether this server can answer, for load balancers, container health
checks and supervisors. 200 when the store answers a query; 503 when its process is gone
(``basel-kg serve`` restarts it) or a query cannot be run."""

from __future__ import annotations

import os

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from ..errors import BaselKgError
from .common import settings_of

__all__ = ["router"]

router = APIRouter(tags=["Service"])

_SCHEMA = {
    "type": "object",
    "required": ["status", "version", "writable"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "version": {"type": ["string", "null"], "description": "The dataset version"},
        "writable": {"type": "boolean", "description": "Writes are switched on and the store can take them "
                                                       "(false when its disk was full at start)"},
        "process": {"type": "integer", "description": "The web worker's process id"},
        "store_process": {"type": ["integer", "null"], "description": "The store process's id (embedded store)"},
        "message": {"type": "string"},
    },
}


@router.get("/health", summary="Is the server able to answer", response_class=JSONResponse, responses={
    200: {"description": "The store answers queries", "content": {"application/json": {"schema": _SCHEMA}}},
    503: {"description": "The store is not available (being restarted)",
          "content": {"application/json": {"schema": _SCHEMA}}},
})
async def health(request: Request) -> JSONResponse:
    settings = settings_of(request)
    store = settings.store
    alive = getattr(store, "alive", None)
    body = {"status": "ok", "version": None, "writable": False, "process": os.getpid(),
            "store_process": getattr(store, "process_id", None)}
    try:
        if alive is not None and not alive():
            raise BaselKgError("the store process is not running")
        await run_in_threadpool(store.query, "ASK {}", timeout=min(settings.timeout, 10.0))
        body["version"] = store.version
    except BaselKgError as exc:
        body.update(status="unavailable", message=str(exc))
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5", "Cache-Control": "no-store"})
    body["writable"] = bool(request.app.state.writes.enabled and not getattr(store, "read_only", False))
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
