"""Unknown page paths go to the front door with a translated notice, instead of Streamlit's
English "Page not found" dialog over whatever page it opens by default."""

from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ui.nav import url_paths

#: First path segments served by Streamlit or by our routes (never a page).
RESERVED = frozenset({"_stcore", "static", "app", "media", "component", "auth", "healthz",
                      "version", "api", "open311"})


def is_unknown_page(path: str) -> bool:
    """True for a one-segment path that looks like a page ("/isue") but names none of ours.

    Deeper paths are left to Streamlit: its frontend probes "/issue/_stcore/health" to find
    its base path and must get a 404 there, not a redirect."""
    parts = [p for p in path.split("/") if p]
    if len(parts) != 1 or parts[0] in RESERVED or "." in parts[0]:
        return False
    return parts[0] not in url_paths()


class PageGuard:
    """ASGI middleware: GET of an unknown page path -> 303 to / with `notfound=1`."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and is_unknown_page(scope["path"]):
            response = RedirectResponse("/?notfound=1", status_code=303)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
