"""GET /api/map/issues: the issues inside a map's viewport, for the overview map at street zoom.

Why a route: at city scale the overview cannot embed every issue in the page (10^5 issues
were 19 MB over the websocket). The map embeds community counts instead, and its script
(ui/js/yishi-map.js, `YishiMap.viewport`) asks here for the box it shows once zoomed in far
enough; pan and zoom never rerun the Streamlit script.

Who may ask: a signed-in session (the page's cookie) whose role may `view_map`; rows come
from the account's region only (`dashboard.region_of`) and match the view's filter, parsed as
the page's URL is (`geo.filters.from_query`: unknown values dropped), through the one
`dashboard.issue_where`. The bbox is checked (four finite numbers, lon/lat ranges, west <
east, south < north, at most MAX_SPAN degrees a side) and every problem is named in a 400.
Only the allow-listed fields leave, as compact rows: [issue_id, lon, lat, stage, category,
overdue (0/1), title]; at most MAX_ROWS, with `more` when the box holds more. `places` holds
the compounds and venues of the box (within the region) as the small map embeds them
(`ui.maps.viewport.street_places`: allow-listed fields, escaped tooltips).
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from typing import Any

import numpy as np
import shapely
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02
from geo.errors import YishiError
from geo.filters import from_query
from geo.stats import is_overdue
from geo.text import strip_invisible
from geo.words import LANGS, say
from ui.maps.viewport import street_places
from yishi.accounts import User, can
from yishi.services import dashboard, sessions
from yishi.services.limits import RateLimit
from yishi.storage import Store, open_store

log = logging.getLogger(__name__)

PATH = "/api/map/issues"
#: Rows in one answer; a box holding more answers these and `more: true` (zoom in).
MAX_ROWS = 2000
#: The widest box asked for, in degrees a side (street zoom on a large screen is ~0.2).
MAX_SPAN = 0.5
#: Titles are cut to this many characters (the tooltip's length, ui.maps.payload.TIP_CHARS).
TITLE_CHARS = 40
#: Requests per session in any minute: a map panned fast asks a few a second at most.
PER_SESSION = RateLimit(300, 60)
#: What leaves, besides the position: no private field is ever read.
FIELDS = ("issue_id", "title", "stage", "category", "due_on")
#: Margin (degrees) around a box given in GCJ-02 (AMap) once turned back to WGS84.
_GCJ_PAD = 0.0005
_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _lang(value: str | None) -> str:
    return value if value in LANGS else "zh"


def _refusal(status: int, lang: str, key: str, problems: list[str] | None = None, **headers: str) -> JSONResponse:
    body: dict[str, Any] = {"error": say(key, lang)}
    if problems:
        body["error"] = "; ".join(problems) if lang != "zh" else "；".join(problems)
        body["problems"] = problems
    return JSONResponse(body, status_code=status, headers={**_HEADERS, **headers})


def parse_bbox(raw: str | None, lang: str = "zh") -> tuple[tuple[float, float, float, float] | None, list[str]]:
    """(west, south, east, north) from "w,s,e,n", or None and every problem, said in `lang`."""
    if raw is None or not raw.strip():
        return None, [say("vp_bbox_missing", lang)]
    parts = raw.split(",")
    if len(parts) != 4:
        return None, [say("vp_bbox_count", lang, n=len(parts))]
    problems: list[str] = []
    values: list[float] = []
    for i, part in enumerate(parts, start=1):
        try:
            value = float(part)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            problems.append(say("vp_bbox_number", lang, i=i, value=part.strip()[:20]))
        values.append(value)
    if problems:
        return None, problems
    west, south, east, north = values
    problems += [say("vp_bbox_lon", lang, value=v) for v in (west, east) if not -180 <= v <= 180]
    problems += [say("vp_bbox_lat", lang, value=v) for v in (south, north) if not -90 <= v <= 90]
    if west >= east or south >= north:
        problems.append(say("vp_bbox_order", lang))
    elif east - west > MAX_SPAN or north - south > MAX_SPAN:
        problems.append(say("vp_bbox_span", lang, max=MAX_SPAN))
    return (None, problems) if problems else ((west, south, east, north), [])


def _to_store_box(box: tuple[float, float, float, float], gcj: bool) -> tuple[float, float, float, float]:
    """The box in the store's WGS84: an AMap box (GCJ-02) turned back, with a small margin."""
    if not gcj:
        return box
    xs, ys = gcj02_to_wgs84(np.array([box[0], box[2]]), np.array([box[1], box[3]]))
    return (float(xs[0]) - _GCJ_PAD, float(ys[0]) - _GCJ_PAD, float(xs[1]) + _GCJ_PAD, float(ys[1]) + _GCJ_PAD)


def viewport_rows(store: Store, user: User, params: dict[str, str], box: tuple[float, float, float, float],
                  *, gcj: bool = False) -> dict[str, Any]:
    """The compact answer for `box` (in display degrees: GCJ-02 when `gcj`): the view's filter
    from `params` within the account's region."""
    # the community ids alone (a count per id: no outline is read)
    communities = store.summarise("communities", by=("community_id",))["community_id"].astype(str)
    view, _dropped = from_query(params, communities)
    today = store.today()
    region = dashboard.region_of(user, params.get("region") or None)
    store_box = _to_store_box(box, gcj)
    where = replace(dashboard.issue_where(view, today, region), bbox=store_box)
    frame = store.select("issues", where, fields=FIELDS, limit=MAX_ROWS + 1)
    more = len(frame) > MAX_ROWS
    frame = frame.iloc[:MAX_ROWS]
    geoms = frame.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    frame, geoms = frame[ok], geoms[ok]
    lon, lat = shapely.get_x(geoms), shapely.get_y(geoms)
    if gcj:
        lon, lat = wgs84_to_gcj02(lon, lat)
    west, south, east, north = box
    inside = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    late = is_overdue(frame, today).to_numpy(dtype=bool)
    rows = [[str(i), round(float(x), 5), round(float(y), 5), str(s or ""), str(c or ""), int(o),
             _title(t)]
            for i, x, y, s, c, o, t, keep in zip(frame["issue_id"], np.atleast_1d(lon), np.atleast_1d(lat),
                                                 frame["stage"], frame["category"], late, frame["title"],
                                                 inside) if keep]
    places = street_places(store, region, store_box, lang=_lang(params.get("lang")),
                           basemap="amap" if gcj else "osm")
    return {"rows": rows, "more": more, "places": places}


def _title(value: Any) -> str:
    """Stored text as plain text (the map sets it as text, never as HTML), cut short."""
    text = strip_invisible(value) if isinstance(value, str) else ""
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"


def _who(cookie: str | None) -> User | None:
    with open_store() as store:
        return sessions.resolve(store, cookie)


def _rows(user: User, params: dict[str, str], box: tuple[float, float, float, float], gcj: bool) -> dict[str, Any]:
    with open_store() as store:
        return viewport_rows(store, user, params, box, gcj=gcj)


async def issues(request: Request) -> JSONResponse:
    """GET: the compact rows of the issues in `bbox` (see the module's note)."""
    params = dict(request.query_params)
    lang = _lang(params.get("lang"))
    cookie = request.cookies.get(sessions.COOKIE)
    key = sessions.session_hash(cookie) if cookie else None
    if key is None:
        return _refusal(401, lang, "vp_signed_out")
    wait = PER_SESSION.hit(key)
    if wait:
        return _refusal(429, lang, "vp_throttled", **{"Retry-After": str(wait)})
    try:
        user = await run_in_threadpool(_who, cookie)
        # who asks is checked before the box is judged: a signed-out caller learns nothing
        if user is None:
            return _refusal(401, lang, "vp_signed_out")
        if not can(user, "view_map"):
            return _refusal(403, lang, "vp_denied")
        box, problems = parse_bbox(params.get("bbox"), lang)
        if box is None:
            return _refusal(400, lang, "vp_bbox_missing", problems)
        body = await run_in_threadpool(_rows, user, params, box, params.get("basemap") == "amap")
    except YishiError:
        log.exception("the map's viewport could not be read")
        return _refusal(503, lang, "vp_store_unavailable")
    return JSONResponse(body, headers=_HEADERS)


def routes() -> list[BaseRoute]:
    return [Route(PATH, issues, methods=["GET"])]
