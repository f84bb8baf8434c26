"""What a signed-out visitor may read: the public board (search, filters, pages of 20) and one
issue's public page.

Pure queries over the Store protocol and the frames it returns, no UI. Only PUBLIC_FIELDS of an
issue leave this module (an allow-list, so a field added to the schema later stays private until
someone decides otherwise), issues are always loaded without residents' personal fields, and the
timeline gives stage steps only: dates and stages, never who signed them or their notes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import stats
from geo.schema import CATEGORIES, ID_CHARS, ISSUES, SET_ASIDE, STAGE_ORDER, STAGES
from geo.text import strip_invisible
from geo.values import is_missing
from yishi.services import workflow
from yishi.storage import Store

#: The issue fields a public page may show or search (never a private one).
PUBLIC_FIELDS: tuple[str, ...] = (
    "issue_id", "title", "description", "category", "stage", "reported_on", "consensus_on",
    "done_on", "responsible_unit", "result_public", "source", "triage", "merged_into",
    "declined_reason", "me_too",
)
assert not set(PUBLIC_FIELDS) & set(ISSUES.private_fields)
assert set(PUBLIC_FIELDS) <= set(ISSUES.field_names)

#: Derived columns the board adds to PUBLIC_FIELDS (place, status, residents' rating).
BOARD_COLUMNS: tuple[str, ...] = (*PUBLIC_FIELDS, "community_id", "compound_id", "status",
                                  "rating_mean", "rating_count")

PAGE_SIZE = 20
#: What staff decided about a resident's report, shown instead of its stage ("collected").
TRIAGE_STATUSES: tuple[str, ...] = ("pending", "merged", "declined")
#: The board's stage filter: the stages, then the states of a resident's report.
STATUSES: tuple[str, ...] = (*STAGES.codes, *TRIAGE_STATUSES)
#: Reports that carry no work of their own: listed on the board, left off the map.
OFF_MAP: tuple[str, ...] = SET_ASIDE
#: A search longer than this is cut (a URL is no place for an essay).
SEARCH_CHARS = 100

_ISSUE_ID = re.compile(r"[A-Za-z]{1,4}\d{1,8}")
_PAGE = re.compile(r"\d{1,6}")


def clean_search(q: str) -> str:
    """A search as the board keeps it: invisible characters out, spaces collapsed, cut short."""
    return " ".join(strip_invisible(q or "").split())[:SEARCH_CHARS]


@dataclass(frozen=True)
class BoardQuery:
    """What the board shows: a search, three filters and a page number (all kept in the URL)."""

    q: str = ""
    community: str | None = None
    category: str | None = None
    status: str | None = None
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, Any], communities: Collection[str]) -> BoardQuery:
        """The query a URL asks for; unknown values are dropped (a stale link still opens)."""
        def one(name: str) -> str:
            value = params.get(name)
            if isinstance(value, (list, tuple)):
                value = value[0] if value else None
            return "" if value is None else str(value)

        q = clean_search(one("q"))
        community = one("community")
        category = one("category")
        status = one("stage")
        page = one("page")
        return cls(q=q, community=community if community in communities else None,
                   category=category if category in CATEGORIES.codes else None,
                   status=status if status in STATUSES else None,
                   page=max(1, int(page)) if _PAGE.fullmatch(page) else 1)

    def to_params(self) -> dict[str, str]:
        """The URL query for this view, defaults left out."""
        params = {"q": self.q, "community": self.community or "", "category": self.category or "",
                  "stage": self.status or "", "page": str(self.page) if self.page > 1 else ""}
        return {k: v for k, v in params.items() if v}


@dataclass(frozen=True)
class BoardPage:
    """One page of the board: its rows only (sliced before anything is drawn)."""

    rows: pd.DataFrame
    number: int
    pages: int
    total: int


@dataclass(frozen=True)
class PublicIssue:
    """One issue as its public page shows it: allow-listed fields and derived facts only."""

    fields: dict[str, Any]
    status: str
    community_id: str | None
    community_name: str | None
    compound_id: str | None
    compound_name: str | None
    #: The date each stage on the path was reached (a step back forgets the stages after it).
    stage_dates: dict[str, str]
    #: Stage steps, oldest first: (date, from stage or None, to stage).
    steps: list[tuple[str, str | None, str]] = field(default_factory=list)
    rating_mean: float | None = None
    rating_count: int = 0
    #: The title of the issue a merged report joined (None when it is gone).
    merged_title: str | None = None


def status_of(issues: pd.DataFrame) -> pd.Series:
    """What the board calls each issue's state: a resident's report awaiting triage, merged or
    declined shows as such; every other issue by its stage."""
    triage = (issues["triage"] if "triage" in issues.columns
              else pd.Series(None, index=issues.index, dtype=object))
    return issues["stage"].astype(object).where(~triage.isin(TRIAGE_STATUSES), triage)


def public_frame(issues: pd.DataFrame) -> pd.DataFrame:
    """Only PUBLIC_FIELDS (missing ones as None), the place columns and geometry, and `status`."""
    keep = [*PUBLIC_FIELDS, "community_id", "compound_id"]
    out = pd.DataFrame({name: issues[name] if name in issues.columns
                        else pd.Series(None, index=issues.index, dtype=object) for name in keep})
    out["status"] = status_of(out)
    if isinstance(issues, gpd.GeoDataFrame):  # the map needs the points; the board never sends them
        out = gpd.GeoDataFrame(out, geometry=issues.geometry, crs=issues.crs)
    return out


def search(issues: pd.DataFrame, q: str) -> pd.DataFrame:
    """Issues whose id is `q` (any case), or whose title or description holds every word of it
    (literal text, any case)."""
    terms = q.casefold().split()
    if not terms:
        return issues
    by_id = issues["issue_id"].astype(str).str.casefold() == q.strip().casefold()
    if len(terms) == 1 and _ISSUE_ID.fullmatch(terms[0]) and by_id.any():
        return issues[by_id]
    hay = (issues["title"].fillna("").astype(str) + "\n"
           + issues["description"].fillna("").astype(str)).map(strip_invisible).str.casefold()
    hit = pd.Series(True, index=issues.index)
    for term in terms:
        hit &= hay.str.contains(term, regex=False)
    return issues[hit | by_id]


def matching(issues: pd.DataFrame, query: BoardQuery) -> pd.DataFrame:
    """The public issues `query` selects (every page), newest first (then the higher id)."""
    frame = issues if "status" in issues.columns else public_frame(issues)
    if query.community:
        frame = frame[frame["community_id"] == query.community]
    if query.category:
        frame = frame[frame["category"] == query.category]
    if query.status:
        frame = frame[frame["status"] == query.status]
    frame = search(frame, query.q)
    return frame.sort_values(["reported_on", "issue_id"], ascending=False, kind="stable",
                             na_position="last")


def on_map(frame: pd.DataFrame) -> pd.DataFrame:
    """The issues a public map draws: all but merged and declined reports."""
    return frame[~frame["status"].isin(OFF_MAP)]


def page_of(frame: pd.DataFrame, page: int, ratings: pd.DataFrame | None = None, *,
            size: int = PAGE_SIZE) -> BoardPage:
    """Page `page` (clamped to the last) of `frame`, with the residents' rating on its rows."""
    total = len(frame)
    pages = max(1, math.ceil(total / size))
    number = min(max(1, page), pages)
    rows = frame.iloc[(number - 1) * size: number * size]
    rows = pd.DataFrame(rows.drop(columns="geometry", errors="ignore"))
    rollup = ratings if ratings is not None else stats.ratings_summary(pd.DataFrame(), "issue_id")
    rows = rows.merge(rollup[["issue_id", "rating_mean", "rating_count"]], on="issue_id", how="left")
    rows["rating_count"] = rows["rating_count"].fillna(0).astype(int)
    return BoardPage(rows=rows[[c for c in BOARD_COLUMNS if c in rows.columns]].reset_index(drop=True),
                     number=number, pages=pages, total=total)


def board(issues: pd.DataFrame, query: BoardQuery, ratings: pd.DataFrame | None = None, *,
          size: int = PAGE_SIZE) -> BoardPage:
    """The board's page for `query`: filter, search, newest first, then only that page."""
    return page_of(matching(issues, query), query.page, ratings, size=size)


# ---------------------------------------------------------------------------- one issue


def _is_stage_step(kind: Any) -> bool:
    return is_missing(kind) or kind == "stage"


def stage_steps(events: pd.DataFrame) -> list[tuple[str, str | None, str]]:
    """The stage changes among an issue's `events`, oldest first: (date, from, to)."""
    if events.empty:
        return []
    ordered = events.sort_values(["at", "event_id"], kind="stable")
    return [(str(e["at"]), workflow.plain_value(e["from_stage"]), str(e["to_stage"]))
            for _, e in ordered.iterrows() if _is_stage_step(e.get("kind"))]


def stage_dates(steps: list[tuple[str, str | None, str]], reported_on: str | None) -> dict[str, str]:
    """When each stage on the path was reached; a step back forgets the stages after it."""
    dates: dict[str, str] = {}
    if reported_on:
        dates["collected"] = str(reported_on)
    for at, _, to in steps:
        if to in STAGE_ORDER:
            later = STAGE_ORDER[STAGE_ORDER.index(to) + 1:]
            dates = {s: d for s, d in dates.items() if s not in later}
        dates[to] = at
    return dates


def public_issue(store: Store, issue_id: str) -> PublicIssue | None:
    """The public page's facts of `issue_id`, or None when there is no such issue."""
    issue_id = str(issue_id).strip()
    if not issue_id or len(issue_id) > ID_CHARS:
        return None
    row = store.get_row("issues", issue_id, include_private=False)
    if row is None:
        return None
    fields = {name: workflow.plain_value(row.get(name)) for name in PUBLIC_FIELDS}
    status = str(status_of(pd.DataFrame([fields])).iloc[0])
    geom = row.get("geom")
    where = workflow.place(store, geom) if geom is not None and not geom.is_empty else {}
    steps = stage_steps(store.load_layer("issue_events", where={"issue_id": issue_id}))
    rating = stats.ratings_summary(store.load_layer("ratings", where={"issue_id": issue_id}), "issue_id")
    merged_title = None
    if fields["merged_into"]:
        target = store.get_row("issues", str(fields["merged_into"]), include_private=False)
        merged_title = workflow.plain_value(target.get("title")) if target else None
    return PublicIssue(
        fields=fields, status=status, community_id=where.get("community_id"),
        community_name=where.get("community_name"), compound_id=where.get("compound_id"),
        compound_name=where.get("compound_name"), stage_dates=stage_dates(steps, fields["reported_on"]),
        steps=steps,
        rating_mean=float(rating["rating_mean"].iloc[0]) if len(rating) else None,
        rating_count=int(rating["rating_count"].iloc[0]) if len(rating) else 0,
        merged_title=merged_title)
