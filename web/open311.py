"""Open311 GeoReport v2 over HTTP, under /open311/v2/: every resource as .json and .xml.

The answers are `yishi.services.open311`'s plain data; this module only reads the call
(format, language, query or form), opens the store (in a worker thread: SQLite blocks), and
writes the answer: JSON as is, XML built with ElementTree (escaped by construction) in the
spec's shapes (<services><service>, <service_requests><request>, <errors><error>). A refusal
is the spec's error list with its HTTP status: 400 bad input (and, as the spec says, a
service that cannot answer), 403 a missing, unknown or revoked api_key, 404 an unknown
resource, 429 too many POSTs for one key (or token look-ups from one address).

POST requests is for other systems, not browsers: its credential is the api_key in the
form, not a cookie, so there is nothing for another site to ride on and no Origin check.
"""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from geo.errors import YishiError, msg
from geo.text import shorten
from yishi.services import apikeys, limits
from yishi.services import open311 as service
from yishi.services.open311 import Open311Error
from yishi.storage import Store, open_store
from web import forms, open311_openapi
from web.security import client_address
from yishi.services.limits import RateLimit

log = logging.getLogger(__name__)

PREFIX = "/open311/v2"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
#: A report is a description of at most 500 characters and a few short fields.
MAX_BODY = 16_384
#: POSTs per API key per hour (a refused one is given back). Token look-ups count against the
#: residents' own tracking-code limit per address (`limits.LOOKUPS`): a tracking code is a
#: bearer secret, and this must not be a second door for guessing it.
POSTS = RateLimit(60, 3600)

#: The element each list's items are written as (the Spark convention of the spec).
_ITEMS = {"services": "service", "service_requests": "request", "endpoints": "endpoint",
          "formats": "format", "attributes": "attribute", "values": "value", "errors": "error"}
#: Characters XML 1.0 cannot carry at all (control characters): dropped from text.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


# --- writing answers ----------------------------------------------------------------------


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _add(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, list):
        for item in value:
            _add(element, _ITEMS[name], item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _add(element, key, item)
    elif value is not None:
        element.text = _xml_text(value)


def to_xml(root: str, data: dict[str, Any] | list[Any]) -> bytes:
    """`data` as the spec's XML: a list under `root` as its items, a dict as `root`'s children."""
    element = ET.Element(root)
    for key, value in (data.items() if isinstance(data, dict) else ((_ITEMS[root], v) for v in data)):
        _add(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8",
                                                                     xml_declaration=False)


def _answer(fmt: str, root: str, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if fmt == "xml":
        body, media = to_xml(root, data), XML_TYPE
    else:
        body, media = json.dumps(data, ensure_ascii=False).encode(), JSON_TYPE
    return Response(body, status_code=status, headers={**_HEADERS, **(headers or {}), "Content-Type": media})


def _refusal(fmt: str, refused: Open311Error, lang: str) -> Response:
    headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
    return _answer(fmt, "errors", refused.errors(lang), refused.status, headers)


# --- reading calls ------------------------------------------------------------------------


def _lang(request: Request, fields: dict[str, str] | None = None) -> str:
    given = (fields or {}).get("lang") or (fields or {}).get("locale") \
        or request.query_params.get("lang") or request.query_params.get("locale")
    return service.pick_lang(given, request.headers.get("accept-language"))


def _format(request: Request) -> str | None:
    fmt = request.path_params.get("format", "")
    return fmt if fmt in ("json", "xml") else None


def _bad_format(request: Request, lang: str) -> Response:
    what = msg("o311_bad_format", fmt=shorten(request.path_params.get("format", "")))
    return _refusal("json", Open311Error(404, [what]), lang)


def _with_store(read: Callable[[Store], Any]) -> Any:
    """`read(store)` on the deployment's store (in a worker thread: callers await it)."""
    try:
        with open_store() as store:
            return read(store)
    except YishiError as exc:  # missing, busy, full, read-only, damaged: the spec's general error
        log.warning("Open311 could not use the store: %s", exc.text("en"))
        raise Open311Error(400, [msg("o311_store_unavailable")]) from exc


async def _serve(request: Request, root: str, read: Callable[[Store, str], Any]) -> Response:
    lang = _lang(request)
    fmt = _format(request)
    if fmt is None:
        return _bad_format(request, lang)
    try:
        data = await run_in_threadpool(_with_store, lambda store: read(store, lang))
    except Open311Error as refused:
        return _refusal(fmt, refused, lang)
    return _answer(fmt, root, data)


# --- routes -------------------------------------------------------------------------------


async def discovery(request: Request) -> Response:
    lang, fmt = _lang(request), _format(request)
    if fmt is None:
        return _bad_format(request, lang)
    return _answer(fmt, "discovery", service.discovery(lang))


async def services(request: Request) -> Response:
    lang, fmt = _lang(request), _format(request)
    if fmt is None:
        return _bad_format(request, lang)
    return _answer(fmt, "services", service.services(lang))


async def service_definition(request: Request) -> Response:
    lang, fmt = _lang(request), _format(request)
    if fmt is None:
        return _bad_format(request, lang)
    try:
        return _answer(fmt, "service_definition", service.service_definition(request.path_params["service_code"]))
    except Open311Error as refused:
        return _refusal(fmt, refused, lang)


async def get_requests(request: Request) -> Response:
    params = dict(request.query_params)
    return await _serve(request, "service_requests", lambda store, lang: service.requests(store, params, lang))


async def get_request(request: Request) -> Response:
    request_id = request.path_params["service_request_id"]
    return await _serve(request, "service_requests", lambda store, lang: service.request(store, request_id, lang))


async def get_token(request: Request) -> Response:
    lang, fmt = _lang(request), _format(request)
    if fmt is None:
        return _bad_format(request, lang)
    wait = limits.LOOKUPS.hit(client_address(request))
    if wait:
        return _refusal(fmt, Open311Error(429, [msg("o311_too_many_lookups", seconds=wait)], retry_after=wait), lang)
    code = request.path_params["token"]
    return await _serve(request, "service_requests", lambda store, _lang: service.token(store, code))


def _post(fields: dict[str, str], key: str | None, lang: str) -> list[dict[str, Any]]:
    """Check the key, count it, then report (one worker thread, one store)."""
    def run(store: Store) -> list[dict[str, Any]]:
        client = apikeys.check(store, key)
        if client is None:
            raise Open311Error(403, [msg("o311_key_invalid" if key else "o311_key_missing")])
        wait = POSTS.hit(client)
        if wait:
            raise Open311Error(429, [msg("o311_rate_limited", limit=POSTS.limit, seconds=wait)], retry_after=wait)
        try:
            return service.post_request(store, fields, client=client, lang=lang)
        except Open311Error:
            POSTS.release(client)  # nothing was written: fixing a refused request is not hammering
            raise
    return _with_store(run)


async def post_requests(request: Request) -> Response:
    fmt = _format(request)
    if fmt is None:
        return _bad_format(request, _lang(request))
    fields = (await forms.read_form(request, max_body=MAX_BODY, max_fields=50)
              if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded") else None)
    lang = _lang(request, fields)
    if fields is None:
        return _refusal(fmt, Open311Error(400, [msg("o311_too_large")]), lang)
    key = fields.get("api_key") or request.query_params.get("api_key")
    try:
        data = await run_in_threadpool(_post, fields, key, lang)
    except Open311Error as refused:
        return _refusal(fmt, refused, lang)
    return _answer(fmt, "service_requests", data)


async def openapi(request: Request) -> Response:
    return _answer("json", "", open311_openapi.document())


def routes() -> list[BaseRoute]:
    """The GeoReport v2 endpoints (listed in `web.routes`)."""
    return [
        Route(f"{PREFIX}/openapi.json", openapi, methods=["GET"]),
        Route(PREFIX + "/discovery.{format}", discovery, methods=["GET"]),
        Route(PREFIX + "/services.{format}", services, methods=["GET"]),
        Route(PREFIX + "/services/{service_code}.{format}", service_definition, methods=["GET"]),
        Route(PREFIX + "/requests.{format}", get_requests, methods=["GET"]),
        Route(PREFIX + "/requests.{format}", post_requests, methods=["POST"]),
        Route(PREFIX + "/requests/{service_request_id}.{format}", get_request, methods=["GET"]),
        Route(PREFIX + "/tokens/{token}.{format}", get_token, methods=["GET"]),
    ]
