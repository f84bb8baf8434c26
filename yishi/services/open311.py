"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) as plain data: what each resource
answers, as dicts and lists the web layer (`web.open311`) writes as JSON or XML.

- A *service* is an issue category (`geo.schema.CATEGORIES`), named in the reader's language;
  none needs a definition (`metadata` false), so `services/{code}` lists no attributes.
- A *request* is an issue. Its `status` is closed when the issue is done or closed, or a
  resident's report was declined or merged into another issue; open otherwise.
  `status_notes` names the four-step stage in Chinese and English ("开好会 / Meeting held"),
  or for a declined report the public reason; `agency_responsible` is the responsible unit;
  `address` the compound and community the point falls in (one spatial join for all rows).
- Never a reporter's name or phone: issues are read without private fields.
- A POST (an API key's holder, `yishi.services.apikeys`) is a resident's report
  (`yishi.services.residents.report`, source open311), audited by that write as
  ``open311:KEY NAME``. Its answer carries both the new id and the tracking code as `token`
  (`tokens/{token}` follows the code, through a merge too): the spec says a server gives one
  or the other, but the code is what lets the client's resident rate the result.

Refusals raise `Open311Error` (an HTTP status and every reason found), written by the route as
the spec's error list. Times are the deployment's time zone (`yishi.settings.timezone`); the
store keeps dates, so a date is given as that day's midnight.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputError, Message, WorkflowError, YishiError, msg
from geo.joins import place as place_points
from geo.procedure import default_focus
from geo.schema import CATEGORIES, FINAL_STAGES, FOCUS_AREAS, OPEN_STAGES, SET_ASIDE, STAGES, TRIAGE, WGS84
from geo.text import shorten, strip_invisible
from geo.values import is_missing
from geo.words import say
from yishi import settings
from yishi.services import residents
from yishi.storage import Store, Where

__all__ = ["MAX_REQUESTS", "Open311Error", "SPEC", "WINDOW_DAYS", "discovery", "endpoint_url", "pick_lang",
           "post_request", "request", "requests", "service_definition", "services", "token"]

SPEC = "http://wiki.open311.org/GeoReport_v2"
#: When the discovery document or the service list last changed (bump it with CATEGORIES).
CHANGESET = "2026-12-01T00:00:00Z"
#: The spec's default window and its cap on one answer.
WINDOW_DAYS = 90
MAX_REQUESTS = 1000
FORMATS = ("text/xml", "application/json")


class Open311Error(Exception):
    """A refused call: the HTTP status and every reason (messages, or a service's error
    with its own list), said in the caller's language by `errors`."""

    def __init__(self, status: int, messages: Sequence[Message] = (), *, error: YishiError | None = None,
                 retry_after: int | None = None):
        self.status = status
        self.messages = list(messages)
        self.error = error
        #: Seconds to wait before trying again (a rate limit's 429).
        self.retry_after = retry_after
        super().__init__("; ".join(str(m) for m in self.messages) or str(error))

    def descriptions(self, lang: str) -> list[str]:
        return [m.text(lang) for m in self.messages] + (self.error.lines(lang) if self.error else [])

    def errors(self, lang: str) -> list[dict[str, Any]]:
        """The spec's error list: one {code, description} per reason."""
        return [{"code": self.status, "description": text} for text in self.descriptions(lang)]


# --- language -----------------------------------------------------------------------------


def _accepted(header: str | None) -> list[str]:
    """The tags of an Accept-Language header, most wanted first (q=0 left out)."""
    tags: list[tuple[float, int, str]] = []
    for n, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            tags.append((-q, n, tag))
    return [tag for _, _, tag in sorted(tags)]


def pick_lang(param: str | None, accept_language: str | None = None) -> str:
    """zh or en: the `lang`/`locale` parameter (zh_CN, en-US...), else the first of the
    Accept-Language header's choices that is one of them, else Chinese (as the app)."""
    for tag in ([param] if param else []) + _accepted(accept_language):
        tag = tag.strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


# --- discovery and services ---------------------------------------------------------------


def endpoint_url() -> str:
    """Where this deployment serves GeoReport v2 (from YISHI_PUBLIC_URL)."""
    return f"{settings.public_url()}/open311/v2"


def discovery(lang: str) -> dict[str, Any]:
    """The service discovery document (wiki.open311.org/Service_Discovery)."""
    return {"changeset": CHANGESET, "contact": say("o311_contact", lang),
            "key_service": say("o311_key_service", lang),
            "endpoints": [{"specification": SPEC, "url": endpoint_url(), "changeset": CHANGESET,
                           "type": "production", "formats": list(FORMATS)}]}


def services(lang: str) -> list[dict[str, Any]]:
    """One service per issue category; `group` is the focus area the category implies."""
    out = []
    for code, (zh, en) in CATEGORIES.labels.items():
        name = CATEGORIES.label(code, lang)
        out.append({"service_code": code, "service_name": name,
                    "description": say("o311_service_description", lang, name=name),
                    "metadata": False, "type": "realtime", "keywords": f"{zh}, {en}",
                    "group": FOCUS_AREAS.label(default_focus(code), lang)})
    return out


def service_definition(code: str) -> dict[str, Any]:
    """A category's definition: no attributes (a description and a place are all it needs)."""
    if code not in CATEGORIES.codes:
        raise Open311Error(404, [msg("o311_not_found", what=f"services/{shorten(code)}")])
    return {"service_code": code, "attributes": []}


# --- requests: asked of the store, a page of rows at a time -------------------------------------

#: The public fields an answer is made from (no private field is read).
_FIELDS = ("stage", "triage", "category", "title", "description", "responsible_unit", "reported_on", "due_on",
           "declined_reason", "merged_into")
_NEWEST_FIRST = (("reported_on", True), ("issue_id", True))


@dataclass(frozen=True)
class _Areas:
    """The areas a request's place is named from, at one store revision."""

    revision: int
    communities: gpd.GeoDataFrame
    compounds: gpd.GeoDataFrame


_AREAS: dict[str, _Areas] = {}
_AREAS_LOCK = threading.Lock()


def _areas(store: Store) -> _Areas:
    """This store's communities and compounds, read once per revision (a write bumps it)."""
    with _AREAS_LOCK:
        cached = _AREAS.get(store.location)
    if cached is not None and cached.revision == store.revision:
        return cached
    areas = _Areas(store.revision, store.load_layer("communities"), store.load_layer("compounds"))
    with _AREAS_LOCK:
        _AREAS[store.location] = areas
    return areas


def _chosen(store: Store, wheres: Sequence[Where], limit: int) -> pd.DataFrame:
    """The newest `limit` issues matching any of `wheres` (disjoint), with what an answer says
    besides the stored fields: status, the requested time, the latest timeline date, x and y."""
    parts = [store.select("issues", where, fields=_FIELDS, order_by=_NEWEST_FIRST, limit=limit)
             for where in wheres]
    issues = parts[0] if len(parts) == 1 else pd.concat(parts).sort_values(
        ["reported_on", "issue_id"], ascending=False).head(limit).reset_index(drop=True)
    rows = pd.DataFrame(issues.drop(columns="geometry")).astype(object)
    if rows.empty:
        return rows
    rows["status"] = np.where(rows["stage"].isin(FINAL_STAGES) | rows["triage"].isin(SET_ASIDE),
                              "closed", "open")
    rows["requested"] = pd.to_datetime(issues["reported_on"]).dt.tz_localize(settings.timezone())
    events = store.select("issue_events", Where(any_of={"issue_id": tuple(rows["issue_id"])}),
                          fields=("issue_id", "at"))
    latest = events.groupby("issue_id")["at"].max().to_dict()
    stepped = pd.Series([latest.get(i, r) for i, r in zip(rows["issue_id"], rows["reported_on"])],
                        index=rows.index, dtype=object).astype(str)
    reported = rows["reported_on"].astype(str)
    rows["updated"] = np.where(stepped > reported, stepped, reported)
    rows["x"], rows["y"] = issues.geometry.x, issues.geometry.y  # exact: places are joined on these
    return rows


def _midnight(day: str | None) -> datetime | None:
    if not day:
        return None
    return datetime.combine(date.fromisoformat(str(day)[:10]), time(), tzinfo=settings.timezone())


def _w3(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _text(value: Any) -> str | None:
    """Stored free text as it goes out: None for missing, invisible characters removed."""
    if is_missing(value):
        return None
    text = strip_invisible(str(value)).strip()
    return text or None


def _both(enum_labels: Mapping[str, tuple[str, str]], code: str) -> str:
    zh, en = enum_labels.get(code, (code, code))
    return f"{zh} / {en}"


def _notes(row: Mapping[str, Any]) -> str:
    """The stage in both languages; for a declined report its public reason, for a merged one
    the issue that carries the work. A closed issue's `closed_reason` is staff's text, not
    published (as on the public board), so it is not given."""
    stage, triage = row["stage"], _text(row.get("triage"))
    if triage in SET_ASIDE:
        head = _both(TRIAGE.labels, triage)
        detail = _text(row.get("declined_reason" if triage == "declined" else "merged_into"))
        return f"{head}: {detail}" if detail else head
    head = _both(STAGES.labels, stage)
    return f"{head} ({_both(TRIAGE.labels, triage)})" if triage == "pending" else head


def _description(title: str | None, description: str | None) -> str | None:
    """The title, then the description unless it only repeats the title."""
    if not description or (title and description.startswith(title.rstrip("…. "))):
        return description or title
    return f"{title}\n{description}" if title else description


#: The columns an answer is made from.
_USED = ("issue_id", "status", "stage", "triage", "category", "title", "description", "responsible_unit",
         "requested", "updated", "due_on", "x", "y", "declined_reason", "merged_into")


def _answers(areas: _Areas, chosen: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """The chosen issues as requests in the spec's field order; their places by one spatial
    join (compound and community, most specific first)."""
    if chosen.empty:
        return []
    points = gpd.GeoSeries(gpd.points_from_xy(chosen["x"].astype(float), chosen["y"].astype(float)), crs=WGS84)
    where = place_points(points, communities=areas.communities, compounds=areas.compounds).to_dict("records")
    out = []
    for row, place in zip(chosen[list(_USED)].to_dict("records"), where):
        names = [n for n in (_text(place["compound_name"]), _text(place["community_name"])) if n]
        out.append({
            "service_request_id": row["issue_id"], "status": row["status"], "status_notes": _notes(row),
            "service_name": CATEGORIES.label(row["category"], lang), "service_code": row["category"],
            "description": _description(_text(row.get("title")), _text(row.get("description"))),
            "agency_responsible": _text(row.get("responsible_unit")), "service_notice": None,
            "requested_datetime": _w3(row["requested"].to_pydatetime()),
            "updated_datetime": _w3(_midnight(row["updated"])),
            "expected_datetime": _w3(_midnight(_text(row.get("due_on")))),
            "address": ", ".join(names) or None,
            "address_id": _text(place["compound_id"]) or _text(place["community_id"]),
            "zipcode": None, "lat": round(float(row["y"]), 6), "long": round(float(row["x"]), 6), "media_url": None})
    return out


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _when(params: Mapping[str, str], name: str, problems: list[Message]) -> datetime | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value) if len(value) <= 40 else None
    except ValueError:
        moment = None
    if moment is None:
        problems.append(msg("o311_bad_date", field=name, value=shorten(value)))
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.timezone())


def _window(params: Mapping[str, str], today: date, problems: list[Message]) -> tuple[datetime, datetime]:
    """[start, end] of a query: as given, else the spec's 90 days (ending today, or after the
    start given, or before the end given); a span longer than that is refused."""
    start, end = _when(params, "start_date", problems), _when(params, "end_date", problems)
    span = timedelta(days=WINDOW_DAYS)
    tz = settings.timezone()
    if start is None and end is None:
        end = datetime.combine(today, time.max, tzinfo=tz)
        start = datetime.combine(today - span, time(), tzinfo=tz)
    elif start is None:
        start = end - span
    elif end is None:
        end = start + span
    elif start > end:
        problems.append(msg("o311_dates_reversed"))
    elif (end.astimezone(tz).date() - start.astimezone(tz).date()).days > WINDOW_DAYS:
        problems.append(msg("o311_span_too_long", days=WINDOW_DAYS))
    return start, end


def requests(store: Store, params: Mapping[str, str], lang: str) -> list[dict[str, Any]]:
    """GET requests: by `service_request_id` (a comma list, overriding every other filter),
    else by `service_code` and `status` (comma lists) within `start_date`..`end_date` (the
    last 90 days by default); newest first, at most `MAX_REQUESTS`. Every bad parameter is
    refused at once (400)."""
    problems: list[Message] = []
    ids = _split(params.get("service_request_id"))
    if ids:
        if len(ids) > MAX_REQUESTS:
            raise Open311Error(400, [msg("o311_too_many_ids", n=MAX_REQUESTS)])
        return _answers(_areas(store), _chosen(store, [Where(any_of={"issue_id": tuple(ids)})], MAX_REQUESTS), lang)
    codes = _split(params.get("service_code"))
    for code in codes:
        if code not in CATEGORIES.codes:
            problems.append(msg("o311_unknown_service", code=shorten(code), codes=", ".join(CATEGORIES.codes)))
    statuses = set(_split(params.get("status")))
    for status in sorted(statuses - {"open", "closed"}):
        problems.append(msg("o311_bad_status", value=shorten(status)))
    start, end = _window(params, store.today(), problems)
    if problems:
        raise Open311Error(400, problems)
    base = Where(any_of={"category": tuple(codes)} if codes else {},
                 between={"reported_on": (_first_day(start).isoformat(),
                                          end.astimezone(settings.timezone()).date().isoformat())})
    return _answers(_areas(store), _chosen(store, _by_status(base, statuses), MAX_REQUESTS), lang)


def _first_day(moment: datetime) -> date:
    """The first day whose midnight is at `moment` or after it."""
    local = moment.astimezone(settings.timezone())
    return local.date() if local.time() == time() else local.date() + timedelta(days=1)


def _by_status(base: Where, statuses: set[str]) -> list[Where]:
    """`base` narrowed to the statuses asked (none or both: every issue), as disjoint Wheres:
    closed is a closing stage, or an open stage with a report set aside."""
    if statuses != {"open"} and statuses != {"closed"}:
        return [base]
    if statuses == {"open"}:
        return [replace(base, any_of={**base.any_of, "stage": OPEN_STAGES}, none_of={"triage": SET_ASIDE})]
    return [replace(base, any_of={**base.any_of, "stage": FINAL_STAGES}),
            replace(base, any_of={**base.any_of, "stage": OPEN_STAGES, "triage": SET_ASIDE})]


def request(store: Store, request_id: str, lang: str) -> list[dict[str, Any]]:
    """GET requests/{id}: a list of the one request (as the spec has it); 404 if none."""
    chosen = _chosen(store, [Where(any_of={"issue_id": (request_id,)})], 1)
    if chosen.empty:
        raise Open311Error(404, [msg("o311_not_found", what=f"requests/{shorten(request_id)}")])
    return _answers(_areas(store), chosen, lang)


def token(store: Store, code: str) -> list[dict[str, Any]]:
    """GET tokens/{token}: the request a tracking code follows now (a merge repoints it)."""
    issue_id = residents.follow(store, code) if code and len(code) <= 40 else None
    if issue_id is None:
        raise Open311Error(404, [msg("o311_not_found", what=f"tokens/{shorten(code)}")])
    return [{"service_request_id": issue_id, "token": code}]


# --- POST requests ------------------------------------------------------------------------


def _number(fields: Mapping[str, str], name: str, problems: list[Message]) -> float | None:
    raw = fields.get(name, "").strip()
    try:
        value = float(raw) if len(raw) <= 40 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(msg("o311_bad_coordinate", field=name, value=shorten(raw)))
        return None
    return value


def _compound_point(store: Store, address: str) -> tuple[float, float] | None:
    """The representative point of the compound `address` names: its name exactly, else the
    longest compound name it contains ("盐业局小区 3号楼"); None if it names none."""
    compounds = store.load_layer("compounds")
    if compounds.empty:
        return None
    wanted = address.strip().casefold()
    names = compounds["name"].astype(str).str.strip().str.casefold()
    exact = compounds[names == wanted]
    if exact.empty:
        inside = names[[bool(n) and n in wanted for n in names]]
        if inside.empty:
            return None
        exact = compounds.loc[[inside.str.len().sort_values(ascending=False, kind="stable").index[0]]]
    point = exact.geometry.iloc[0].representative_point()
    return point.x, point.y


def _location(store: Store, fields: Mapping[str, str], problems: list[Message]) -> tuple[float, float] | None:
    """(lon, lat): from lat and long, else from an address_string naming a compound."""
    has_lat, has_long = bool(fields.get("lat", "").strip()), bool(fields.get("long", "").strip())
    if has_lat or has_long:
        if not (has_lat and has_long):
            problems.append(msg("o311_half_coordinate"))
            return None
        lat, lon = _number(fields, "lat", problems), _number(fields, "long", problems)
        return (lon, lat) if lat is not None and lon is not None else None
    address = fields.get("address_string", "").strip()
    if not address:
        problems.append(msg("o311_no_location"))
        return None
    point = _compound_point(store, address)
    if point is None:
        problems.append(msg("o311_unknown_address", value=shorten(address)))
    return point


def _person(first: str, last: str) -> str | None:
    """The reporter's name as written in their script: 姓名 without a space, else "First Last"."""
    first, last = first.strip(), last.strip()
    if not (first or last):
        return None
    if any("\u4e00" <= c <= "\u9fff" for c in first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def post_request(store: Store, fields: Mapping[str, str], *, client: str, lang: str) -> list[dict[str, Any]]:
    """POST requests: a resident's report from the API key holder `client`.

    Needs `service_code` (a category), `description`, and lat/long or an address_string naming
    a compound; `first_name`/`last_name` and `phone` become the private reporter fields.
    `email`, `device_id`, `account_id`, `media_url` and attributes are not kept. The report
    itself is checked and written by `residents.report` (inside the subdistrict, lengths), whose
    refusal comes back as a 400 listing its reasons."""
    problems: list[Message] = []
    code = fields.get("service_code", "").strip()
    if not code:
        problems.append(msg("o311_no_service_code"))
    elif code not in CATEGORIES.codes:
        problems.append(msg("o311_unknown_service", code=shorten(code), codes=", ".join(CATEGORIES.codes)))
    description = fields.get("description", "").strip()
    if not description:
        problems.append(msg("o311_no_description"))
    where = _location(store, fields, problems)
    if problems or where is None:
        raise Open311Error(400, problems)
    try:
        receipt = residents.report(
            store, lon=where[0], lat=where[1], category=code, description=description,
            name=_person(fields.get("first_name", ""), fields.get("last_name", "")),
            phone=fields.get("phone", "").strip() or None, source="open311", by=f"open311:{client}")
    except (WorkflowError, InputError) as exc:  # refused as input; a store that cannot write is not
        raise Open311Error(400, error=exc) from exc
    url = f"{settings.public_url()}/track?code={receipt.code}"
    return [{"service_request_id": receipt.issue_id, "token": receipt.code,
             "service_notice": say("o311_notice", lang, code=receipt.code, url=url)}]
