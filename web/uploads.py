"""The gate in front of Streamlit's file-upload endpoint (`PUT /_stcore/upload_file/...`).

Streamlit accepts a file from any open browser session, signed in or not, and keeps it in
server memory for the life of that session. Only the staff upload page takes files, so the
gate lets through only requests from a signed-in account that may upload, of at most the
size an upload may have, at a bounded rate per account. Everything else is refused before a
byte of the body is read. (A reverse proxy should cap bodies too: see README, Deployment.)
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo.ingest import DEFAULT_MAX_BYTES
from yishi.services.limits import RateLimit
from yishi.accounts import User, can
from yishi.services import sessions
from yishi.storage import open_store

#: Streamlit's upload endpoint (under any base path).
UPLOAD_PATH = "/_stcore/upload_file/"
#: A file of the largest size an upload may have, and its multipart envelope.
MAX_BODY = DEFAULT_MAX_BYTES + 64 * 1024
#: Uploads per account in any ten minutes: a staff member fixing and re-sending a file many
#: times stays well below it.
PER_ACCOUNT = RateLimit(30, 600)


def _uploader(request: Request) -> User | None:
    """The signed-in account of this request when it may upload, else None."""
    cookie = request.cookies.get(sessions.COOKIE)
    if not cookie or sessions.session_hash(cookie) is None:
        return None
    try:
        with open_store() as store:
            user = sessions.resolve(store, cookie)
    except Exception:  # noqa: BLE001 - a store that cannot answer lets nothing in
        return None
    return user if user is not None and can(user, "upload") else None


def _refusal(status: int, reason: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status, headers=headers)


class UploadGate:
    """ASGI middleware: uploads only from signed-in staff, capped in size and rate."""

    def __init__(self, app: ASGIApp, *, max_body: int = MAX_BODY, rate: RateLimit = PER_ACCOUNT):
        self.app, self.max_body, self.rate = app, max_body, rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or UPLOAD_PATH not in scope["path"] or scope["method"] not in ("PUT", "POST"):
            await self.app(scope, receive, send)
            return
        refusal = await self._refusal(Request(scope))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, _capped(receive, int(Request(scope).headers["content-length"])), send)

    async def _refusal(self, request: Request) -> JSONResponse | None:
        """Why this upload is refused (a response), or None to let it through."""
        user = await run_in_threadpool(_uploader, request)
        if user is None:
            return _refusal(403, "uploads need a signed-in account that may upload")
        length = request.headers.get("content-length", "")
        if not length.isdigit():
            return _refusal(411, "an upload must say its length")
        if int(length) > self.max_body:
            return _refusal(413, f"an upload may be at most {self.max_body} bytes")
        wait = self.rate.hit(user.username)
        if wait:
            return _refusal(429, "too many uploads: try again later", **{"Retry-After": str(wait)})
        return None


def _capped(receive: Receive, declared: int) -> Receive:
    """`receive` that ends the request when the body runs past its declared length."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > declared:
                return {"type": "http.disconnect"}
        return message

    return capped
