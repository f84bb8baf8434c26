"""Routes for operators and their monitors: is the store reachable, what code is running."""

from __future__ import annotations

import streamlit
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from yishi import settings
from yishi.storage import open_store

_NO_STORE = {"Cache-Control": "no-store"}


def _store_state() -> dict:
    with open_store() as store:
        return {"store": "reachable", "revision": store.revision,
                "schema_version": store.meta("schema_version")}


async def healthz(request: Request) -> JSONResponse:
    """200 with the store's revision when it answers; 503 (no details: paths stay private)."""
    try:
        state = await run_in_threadpool(_store_state)
    except Exception:  # noqa: BLE001 - any failure means "not healthy"; the log has no secrets to add
        return JSONResponse({"status": "unavailable", "store": "unreachable"}, status_code=503,
                            headers=_NO_STORE)
    return JSONResponse({"status": "ok", **state}, headers=_NO_STORE)


async def version(request: Request) -> JSONResponse:
    return JSONResponse({"version": settings.version(), "streamlit": streamlit.__version__},
                        headers=_NO_STORE)
