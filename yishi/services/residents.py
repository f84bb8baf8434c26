"""The residents' channel 群众需求上平台 / 群众评价看效果: reports, "me too"s, tracking codes,
staff triage and residents' own ratings, over the `Store` protocol.

A resident (or another system through Open311) reports a problem without an account: the
report is checked like any new issue (inside the subdistrict, a known category, every length)
plus the shorter limit a public text has, and written as ONE batch: the issue at stage
collected marked ``triage = pending``, its first timeline row and a tracking row, with the
audit row. The resident gets a tracking code; the store keeps only its SHA-256, so a leaked
store does not hand out the right to rate.

Staff then accept a report (it goes on through the four steps as any issue), merge it into an
issue that already carries the same work (its codes and voices follow that issue), or decline
it with a reason everybody may read. Once an issue is done, residents rate it 1-5: once per
tracking code, or once per browser with the evaluation link staff print for walk-up
residents (`rating_key`). The rating's id is derived from who rated, so a second rating by
the same hand is refused by the store itself, atomically. Ratings live apart from the
satisfaction staff record (`workflow.evaluate`).

Rate limits per address are the web layer's (`yishi.services.limits`); this module keeps the
store consistent whoever calls it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo import procedure, stats
from geo.errors import InputError, Message, WorkflowError, msg
from geo.schema import ISSUES, METRIC_CRS, OPEN_STAGES, RATINGS, REPORT_CHARS, SET_ASIDE, TITLE_CHARS, WGS84
from geo.text import strip_invisible
from geo.values import is_blank
from yishi import signing
from yishi.accounts import User, require_within
from yishi.services import workflow
from yishi.services.accounts import acting
from yishi.storage import Row, Store, Where

#: Crockford's base 32: no I, L, O or U, so a code read aloud or typed from paper survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 8
_SPELLING = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: How far "already reported nearby?" looks, in metres.
NEARBY_M = 200.0
#: Degrees that surely cover NEARBY_M around Shangqiu (34 deg N), for the store's bbox query.
_NEARBY_DEG = 0.004
#: A resident's description: the issue's field with the shorter public limit.
_REPORT_TEXT = dataclasses.replace(ISSUES.get("description"), max_length=REPORT_CHARS)
#: A title made from a resident's description: its first line, this long at most.
_TITLE_FROM_TEXT = 40


@dataclass(frozen=True)
class Receipt:
    """What a resident keeps: the issue and the tracking code (shown once, stored hashed)."""

    issue_id: str
    code: str


# --- tracking codes ---------------------------------------------------------------------


def new_code() -> str:
    """A fresh tracking code, e.g. ``K7QM-3XPA`` (40 bits: guessing is hopeless at the
    lookup rate the web layer allows)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str | None) -> str:
    """A code as typed (any case, spaces, dashes, O for 0) in its one spelling."""
    letters = re.sub(r"[^0-9A-Za-z]", "", code or "").upper().translate(_SPELLING)
    return f"{letters[:4]}-{letters[4:]}" if len(letters) == _CODE_LENGTH else letters


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def _tracking_row(store: Store, code: str, issue_id: str, kind: str) -> Row:
    return {"code_hash": code_hash(code), "issue_id": issue_id, "kind": kind,
            "created_on": store.today().isoformat()}


def follow(store: Store, code: str | None) -> str | None:
    """The issue a tracking code follows now (a merged report's code follows the issue it
    joined); None for a code never handed out."""
    if len(normalise_code(code)) != _CODE_LENGTH + 1:
        return None
    row = store.get_row("tracking", code_hash(code or ""))
    issue_id = row["issue_id"] if row else None
    for _ in range(10):  # merges chain at most a few deep; never loop forever
        issue = store.get_row("issues", issue_id, include_private=False) if issue_id else None
        if issue is None or issue.get("triage") != "merged" or not issue.get("merged_into"):
            break
        issue_id = issue["merged_into"]
    return issue_id


# --- reporting -------------------------------------------------------------------------


def _title_from(description: str) -> str:
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    limit = min(_TITLE_FROM_TEXT, TITLE_CHARS)
    return first if len(first) <= limit else first[: limit - 1] + "…"


def report(store: Store, *, lon: float, lat: float, category: str, description: str,
           name: str | None = None, phone: str | None = None, title: str | None = None,
           source: str = "resident", by: str = "resident") -> Receipt:
    """Record a resident's report as a new issue awaiting triage; returns its tracking code.

    Checked like a new issue from staff (every problem at once, nothing written on any), with
    the description required and at most REPORT_CHARS; name and phone are private fields.
    """
    raw = description if isinstance(description, str) else ""
    description, problem = procedure.field_value(_REPORT_TEXT, description)
    problems: list[Message] = [problem] if problem else []
    if problem is None and is_blank(description):
        problems.append(msg("wf_required_plain", field=_REPORT_TEXT))
    values = {"description": description if not is_blank(description) else None,
              "reporter_name": None if is_blank(name) else name,
              "reporter_phone": None if is_blank(phone) else phone}
    area, area_name = workflow.issue_area(store)
    more, row = procedure.new_issue(lon=lon, lat=lat, category=category, focus=None,
                                    title=title or _title_from(strip_invisible(raw)) or None,
                                    values={k: v for k, v in values.items() if v is not None},
                                    area=area, area_name=area_name)
    problems += more
    if problems:
        raise WorkflowError(msg("rsv_what_report"), problems)
    code = new_code()
    kind = "open311" if source == "open311" else "report"
    row.update({"source": source, "triage": "pending", "me_too": 0})
    issue_id = workflow.insert_issue(
        store, row, shapely.Point(float(lon), float(lat)), by=by, actor=None, note=None,
        action="report", detail={"source": source},
        more=lambda issue_id: {"tracking": [_tracking_row(store, code, issue_id, kind)]})
    return Receipt(issue_id, code)


def nearby(store: Store, *, lon: float, lat: float, category: str,
           radius_m: float = NEARBY_M) -> pd.DataFrame:
    """Open issues of `category` within `radius_m` of the point, nearest first: what a resident
    may join with a "me too" instead of reporting again (declined and merged ones left out)."""
    d = _NEARBY_DEG * max(1.0, radius_m / NEARBY_M)
    issues = store.load_layer("issues", bbox=(lon - d, lat - d, lon + d, lat + d),
                              where={"category": category})
    return nearby_in(issues, lon=lon, lat=lat, category=category, radius_m=radius_m)


def triage_issue_ids(store: Store) -> tuple[str, ...]:
    """The reports awaiting staff and every issue of the same category near one of them (a
    merge candidate): what the triage page reads of a store too big to read whole."""
    pending = store.select("issues", Where(any_of={"triage": ("pending",)}), fields=("category",))
    ids = set(pending["issue_id"])
    d = _NEARBY_DEG
    for category, point in zip(pending["category"], pending.geometry):
        near = store.select("issues", Where(any_of={"category": (category,)},
                                            bbox=(point.x - d, point.y - d, point.x + d, point.y + d)),
                            fields=("issue_id",))
        ids.update(near["issue_id"])
    return tuple(sorted(ids))


def nearby_in(issues: gpd.GeoDataFrame, *, lon: float, lat: float, category: str,
              radius_m: float = NEARBY_M) -> pd.DataFrame:
    """`nearby` over issues already read (a page's snapshot): no second trip to the store."""
    columns = ["issue_id", "title", "stage", "distance_m", "me_too"]
    issues = issues[(issues["category"] == category) & issues["stage"].isin(OPEN_STAGES)
                    & ~issues["triage"].isin(SET_ASIDE)]
    if issues.empty:
        return pd.DataFrame(columns=columns)
    here = gpd.GeoSeries([shapely.Point(lon, lat)], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    issues = issues.assign(distance_m=issues.geometry.to_crs(METRIC_CRS).distance(here).round(0),
                           me_too=issues["me_too"].fillna(0).astype(int))
    near = issues[issues["distance_m"] <= radius_m].sort_values(["distance_m", "issue_id"])
    return pd.DataFrame(near[columns]).reset_index(drop=True)


def me_too(store: Store, issue_id: str, *, by: str = "resident") -> Receipt:
    """Add a resident's voice to an open issue ("me too", counted) and give them a code to
    follow it; one batch with its audit row."""
    issue = store.get_row("issues", issue_id, include_private=False)
    if issue is None:
        raise InputError(msg("wf_no_issue", issue_id=issue_id))
    if issue["stage"] not in OPEN_STAGES or issue.get("triage") in SET_ASIDE:
        raise WorkflowError(msg("rsv_what_me_too", issue_id=issue_id),
                            [msg("rsv_me_too_closed", issue_id=issue_id)])
    code = new_code()
    store.write_batch("issues", [{"issue_id": issue_id, "me_too": int(issue.get("me_too") or 0) + 1}],
                      by=by, action="me_too", source="residents", detail={"issue_id": issue_id},
                      extra={"tracking": [_tracking_row(store, code, issue_id, "me_too")]})
    return Receipt(issue_id, code)


# --- triage ----------------------------------------------------------------------------


def pending(store: Store) -> pd.DataFrame:
    """Reports awaiting triage, oldest first (staff see them before anything else)."""
    rows = store.load_layer("issues", where={"triage": "pending"})
    return rows.sort_values(["reported_on", "issue_id"]).reset_index(drop=True)


def _pending_report(store: Store, issue_id: str, what: Message) -> Row:
    issue = store.get_row("issues", issue_id, include_private=False)
    if issue is None:
        raise InputError(msg("wf_no_issue", issue_id=issue_id))
    if issue.get("triage") != "pending":
        raise WorkflowError(what, [msg("rsv_not_pending", issue_id=issue_id)])
    return issue


def _triage(store: Store, issue_id: str, *, user: User | None, update: Row, by: str | None,
            close_note: str | None = None, extra: dict[str, list[Row]] | None = None,
            updatable: tuple[str, ...] = (), detail: dict[str, Any]) -> None:
    """One triage decision as one batch (closing ones leave a timeline row)."""
    actor = acting(store, user, "triage")
    require_within(actor, (store.get_row("issues", issue_id) or {}).get("subdistrict_id"), "triage")
    signer = by or actor.username
    more = dict(extra or {})
    if close_note is not None:
        event_id = workflow.next_event_id(store, issue_id)
        more["issue_events"] = [workflow.timeline_row(store, event_id, issue_id, from_stage="collected",
                                               to_stage="closed", by=signer, note=close_note,
                                               kind="stage", actor=actor)]
    store.write_batch("issues", [{"issue_id": issue_id, **update}], by=signer, action="triage",
                      source="residents", detail={"issue_id": issue_id, **detail}, extra=more,
                      extra_updatable=updatable)


def accept(store: Store, issue_id: str, *, user: User | None, by: str | None = None) -> None:
    """Take a report on: from here it goes through the four steps like any issue."""
    _pending_report(store, issue_id, msg("rsv_what_accept", issue_id=issue_id))
    _triage(store, issue_id, user=user, by=by, update={"triage": "accepted"},
            detail={"decision": "accepted"})


def merge(store: Store, issue_id: str, into: str, *, user: User | None, by: str | None = None) -> None:
    """Fold a report into the issue that already carries the work: the report closes, its
    tracking codes follow `into`, and its voice (plus its "me too"s) counts there."""
    what = msg("rsv_what_merge", issue_id=issue_id, into=into)
    report_row = _pending_report(store, issue_id, what)
    target = store.get_row("issues", into, include_private=False)
    if target is None or into == issue_id or target.get("triage") in SET_ASIDE:
        raise WorkflowError(what, [msg("rsv_bad_merge_target", into=into)])
    codes = store.load_layer("tracking", where={"issue_id": issue_id})
    voices = 1 + int(report_row.get("me_too") or 0)
    _triage(store, issue_id, user=user, by=by,
            update={"triage": "merged", "merged_into": into, "stage": "closed",
                    "closed_reason": f"合并至 {into} / merged into {into}"},
            close_note=f"合并至 {into} / merged into {into}",
            extra={"issues": [{"issue_id": into, "me_too": int(target.get("me_too") or 0) + voices}],
                   "tracking": [{"code_hash": h, "issue_id": into} for h in codes["code_hash"]]},
            updatable=("issues", "tracking"), detail={"decision": "merged", "into": into})


def decline(store: Store, issue_id: str, reason: str, *, user: User | None, by: str | None = None) -> None:
    """Decline a report with a reason everybody may read (it closes)."""
    what = msg("rsv_what_decline", issue_id=issue_id)
    _pending_report(store, issue_id, what)
    written, problems = procedure.note_value(reason)
    if not problems and is_blank(written):
        problems = [msg("wf_required_plain", field=ISSUES.get("declined_reason"))]
    if problems:
        raise WorkflowError(what, problems)
    _triage(store, issue_id, user=user, by=by,
            update={"triage": "declined", "declined_reason": written, "stage": "closed",
                    "closed_reason": written},
            close_note=written, detail={"decision": "declined"})


# --- residents' ratings ------------------------------------------------------------------


def rating_key(issue_id: str) -> str:
    """The key of an issue's printed evaluation link (`/track?issue=ID&key=...`)."""
    return signing.sign(issue_id, "rating").rpartition(".")[2]


def rating_key_ok(issue_id: str, key: str | None) -> bool:
    return signing.unsign(f"{issue_id}.{key or ''}", "rating") == issue_id


def rate(store: Store, issue_id: str, score: int, comment: str | None = None, *,
         code: str | None = None, voter: str | None = None) -> str:
    """A resident's rating of a done issue, once per tracking code (`code`) or per browser
    with the printed link (`voter`, an id the page keeps); returns the rating's id."""
    what = msg("rsv_what_rate", issue_id=issue_id)
    if (code is None) == (voter is None):
        raise ValueError("rate needs exactly one of code and voter")
    problems: list[Message] = []
    if code is not None and follow(store, code) != issue_id:
        problems.append(msg("rsv_code_not_this_issue", issue_id=issue_id))
    issue = store.get_row("issues", issue_id, include_private=False)
    if issue is None:
        raise InputError(msg("wf_no_issue", issue_id=issue_id))
    if issue["stage"] != "done":
        problems.append(msg("rsv_rate_not_done", issue_id=issue_id))
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        problems.append(msg("rsv_bad_score", raw=str(score)))
    written, problem = procedure.field_value(RATINGS.get("comment"), comment)
    problems += [problem] if problem else []
    if problems:
        raise WorkflowError(what, problems)
    who = f"code:{code_hash(code)}" if code is not None else f"voter:{voter}"
    rating_id = "R" + hashlib.sha256(f"{issue_id}\x00{who}".encode()).hexdigest()[:24]
    if store.get_row("ratings", rating_id) is not None:
        raise WorkflowError(what, [msg("rsv_already_rated", issue_id=issue_id)])
    row = {"rating_id": rating_id, "issue_id": issue_id, "score": score, "comment": written,
           "at": store.today().isoformat(), "via": "code" if code is not None else "link"}
    try:
        store.write_batch("ratings", [row], by="resident", action="rate", source="residents",
                          detail={"issue_id": issue_id, "score": score}, new_only=True)
    except InputError:  # the same hand rated a moment ago, from another tab
        raise WorkflowError(what, [msg("rsv_already_rated", issue_id=issue_id)]) from None
    return rating_id


def ratings_by_issue(store: Store) -> pd.DataFrame:
    """Each rated issue's mean rating and how many rated it."""
    return stats.ratings_summary(store.load_layer("ratings"), "issue_id")


def ratings_by_community(store: Store, issue_communities: pd.DataFrame) -> pd.DataFrame:
    """Mean and count per community; `issue_communities` maps issue_id to community_id (the
    snapshot's assignment: communities are derived by a spatial join, never stored)."""
    ratings = store.load_layer("ratings").merge(issue_communities[["issue_id", "community_id"]],
                                                on="issue_id", how="inner")
    return stats.ratings_summary(ratings, "community_id")
