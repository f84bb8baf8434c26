"""The web layer: what the server answers itself, beside Streamlit's pages (server.py mounts it).

- `web.auth`: the sign-in and sign-out forms and their POST routes (cookies can only be set
  by an HTTP response, never by a Streamlit script).
- `web.guard`: a protected page opened without a session is sent to sign-in and back; an
  unknown path goes to the front door instead of Streamlit's English "Page not found".
- `web.ops`: /healthz and /version for operators.
- `web.open311`: Open311 GeoReport v2 under /open311/v2/ (JSON and XML; POST with an API key),
  described by `web.open311_openapi` at /open311/v2/openapi.json.
- `web.uploads`: Streamlit's file-upload endpoint takes files from signed-in staff only,
  capped in size and rate.
- `web.map_api`: /api/map/issues, the issues inside the overview map's viewport (signed in).
- `web.security`: same-origin checks, safe `next=` targets, per-address throttling;
  `web.forms`: per-form tokens; `web.html`: the two small pages, escaped.

Imports flow web -> ui.nav (the page list) -> yishi services -> storage / geo.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from web import auth, guard, map_api, open311, ops, uploads


def routes() -> list[BaseRoute]:
    return [
        Route("/auth/signin", auth.signin_page, methods=["GET"]),
        Route("/auth/signin", auth.signin, methods=["POST"]),
        Route("/auth/signout", auth.signout_page, methods=["GET"]),
        Route("/auth/signout", auth.signout, methods=["POST"]),
        Route("/healthz", ops.healthz, methods=["GET"]),
        Route("/version", ops.version, methods=["GET"]),
        *open311.routes(),
        *map_api.routes(),
    ]


def middleware() -> list[Middleware]:
    return [Middleware(guard.PageGuard), Middleware(uploads.UploadGate)]
