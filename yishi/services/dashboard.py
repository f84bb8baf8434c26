"""What the overview asks the store: the rows and counts of one view, never whole layers.

A view is the leader's filter (`geo.filters.IssueFilter`), the region node picked (or the
account's own), and the store's today. `issue_where` turns it into the one `Where` every
query of the page uses (figures, charts, tables, the map's viewport), so they always agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd

from geo import regions as geo_regions
from geo import stats
from geo.filters import IssueFilter
from geo.schema import CATEGORIES, FOCUS_AREAS, OPEN_STAGES, STAGES
from geo.text import strip_invisible
from yishi.accounts import User
from yishi.storage import Store, Where


def region_of(user: User | None, picked: str | None) -> str | None:
    """The region node a view covers: the one picked when it lies in the account's own (NBS
    codes nest by prefix), else the account's own node (None: the whole store)."""
    own = user.region_id if user is not None else None
    if picked and (own is None or picked.startswith(own)):
        return picked
    return own


def issue_where(view: IssueFilter, today: date, region_id: str | None = None) -> Where:
    """The issues a view shows: every criterion of the filter (dates compare with reported_on;
    overdue means still open and due before today) within the region node."""
    any_of = {column: chosen for column, chosen in (
        ("category", view.categories), ("focus", view.focus), ("stage", view.stages),
        ("community_id", view.communities)) if chosen}
    below = {}
    if view.overdue_only:
        allowed = tuple(s for s in (view.stages or OPEN_STAGES) if s in OPEN_STAGES)
        any_of["stage"] = allowed
        below["due_on"] = today.isoformat()
    between = {}
    if view.date_from or view.date_to:
        between["reported_on"] = (view.date_from.isoformat() if view.date_from else None,
                                  view.date_to.isoformat() if view.date_to else None)
    prefix = {"subdistrict_id": (region_id,)} if region_id else {}
    return Where(any_of=any_of, between=between, below=below, prefix=prefix)


# ---------------------------------------------------------------------------- narrowing a view


def narrowed(where: Where, *, any_of: Mapping[str, tuple[Any, ...]] | None = None,
             below: Mapping[str, Any] | None = None) -> Where:
    """`where` with more conditions, each kept together with one the view already has on the
    same field (allowed values intersected, the lower bound of `below` kept)."""
    chosen = dict(where.any_of)
    for name, values in (any_of or {}).items():
        chosen[name] = tuple(v for v in chosen[name] if v in values) if name in chosen else tuple(values)
    under = dict(where.below)
    for name, value in (below or {}).items():
        under[name] = min(under[name], value) if name in under else value
    return replace(where, any_of=chosen, below=under)


def overdue_where(where: Where, today: date) -> Where:
    """The overdue issues of a view (`geo.stats.is_overdue`'s rule: open, due before today)."""
    return narrowed(where, any_of={"stage": OPEN_STAGES}, below={"due_on": today.isoformat()})


def meetings_of(where: Where) -> Where:
    """The meetings held about the issues of a view. The database answers it as a sub-query
    (`Where.refers_to`), so the count stays one query however many issues a view holds; the
    alternative, summarising meetings by issue id, sends one row per issue at 10^6."""
    return Where(refers_to={"issue_id": ("issues", where)})


# ---------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figures:
    """The overview's counts of one view: issues per stage, meetings, overdue, satisfaction
    (sum and how many recorded), residents' ratings (sum and how many)."""

    stages: dict[object, int]
    meetings: int
    overdue: int
    satisfaction: tuple[float, int]
    ratings: tuple[float, int]

    @property
    def issues(self) -> int:
        return int(sum(self.stages.values()))

    def values(self) -> dict[str, object]:
        """The eight figures by name (`geo.stats` rules): meetings, consensus, implemented,
        in_progress, open, overdue, satisfaction (mean or None), rating ((mean or None, count))."""
        return {**stats.published_from_counts(self.stages, self.meetings),
                "open": stats.open_from_counts(self.stages), "overdue": self.overdue,
                "satisfaction": stats.mean_from(*self.satisfaction),
                "rating": (stats.mean_from(*self.ratings), self.ratings[1])}


def _one(frame: pd.DataFrame, column: str) -> float:
    """A summary's single value (0 when the sum has no value)."""
    value = frame[column].iloc[0] if len(frame) else 0
    return 0 if pd.isna(value) else value


def figures(store: Store, where: Where, today: date) -> Figures:
    """The overview's figures of the view `where`: five aggregate queries, no rows."""
    by_stage = store.summarise("issues", where, by=("stage",), sums=("satisfaction",))
    stages = {(None if pd.isna(s) else s): int(n) for s, n in zip(by_stage["stage"], by_stage["n"])}
    meetings = store.summarise("meetings", meetings_of(where))
    overdue = store.summarise("issues", overdue_where(where, today))
    rated = store.summarise("ratings", meetings_of(where), sums=("score",))
    return Figures(stages=stages, meetings=int(_one(meetings, "n")), overdue=int(_one(overdue, "n")),
                   satisfaction=(float(by_stage["satisfaction_sum"].fillna(0).sum()),
                                 int(by_stage["satisfaction_n"].sum())),
                   ratings=(float(_one(rated, "score_sum")), int(_one(rated, "score_n"))))


def monthly(store: Store, where: Where) -> pd.DataFrame:
    """Issues reported and done per month (`geo.stats.monthly`), from two month summaries."""
    reported = store.summarise("issues", where, by=("reported_on:month",))
    done = store.summarise("issues", where, by=("done_on:month",))
    return stats.monthly_from_counts(dict(zip(reported["reported_on:month"], reported["n"])),
                                     dict(zip(done["done_on:month"], done["n"])))


def category_counts(store: Store, where: Where) -> pd.DataFrame:
    """Issues per (community_id, category): the stacked chart's bars."""
    return store.summarise("issues", where, by=("community_id", "category"))


# ---------------------------------------------------------------------------- per place


def _place_counts(store: Store, where: Where, today: date, key: str) -> pd.DataFrame:
    """Per value of `key`: total, open, overdue, done, satisfaction_sum, satisfaction_n."""
    frame = store.summarise("issues", where, by=(key, "stage"), sums=("satisfaction",))
    frame = frame.assign(open=frame["n"].where(frame["stage"].isin(OPEN_STAGES), 0),
                         done=frame["n"].where(frame["stage"] == "done", 0))
    counts = (frame.groupby(key, dropna=True)
              .agg(total=("n", "sum"), open=("open", "sum"), done=("done", "sum"),
                   satisfaction_sum=("satisfaction_sum", "sum"), satisfaction_n=("satisfaction_n", "sum"))
              .reset_index())
    late = store.summarise("issues", overdue_where(where, today), by=(key,))
    counts["overdue"] = counts[key].map(dict(zip(late[key], late["n"]))).fillna(0).astype(int)
    return counts[[key, "total", "open", "overdue", "done", "satisfaction_sum", "satisfaction_n"]]


#: Issue ids asked for at once (SQLite allows 32766 parameters; PostgreSQL far more).
CHUNK = 500


def ratings_per_community(store: Store, where: Where) -> pd.DataFrame:
    """Residents' ratings of the view's issues per community: community_id, rating_sum,
    rating_n. Ratings are summed per rated issue in the database, then the communities of the
    rated issues are read in chunks: bounded by the rated issues, never by the view's."""
    per_issue = store.summarise("ratings", meetings_of(where), by=("issue_id",), sums=("score",))
    if per_issue.empty:
        return pd.DataFrame({"community_id": pd.Series(dtype=object), "rating_sum": pd.Series(dtype=float),
                             "rating_n": pd.Series(dtype=int)})
    ids = per_issue["issue_id"].tolist()
    places = pd.concat([store.select("issues", Where(any_of={"issue_id": tuple(ids[i:i + CHUNK])}),
                                     fields=("community_id",))[["issue_id", "community_id"]]
                        for i in range(0, len(ids), CHUNK)])
    rated = per_issue.merge(places, on="issue_id", how="left")
    return (rated.groupby("community_id").agg(rating_sum=("score_sum", "sum"), rating_n=("score_n", "sum"))
            .reset_index())


def communities_in(communities: pd.DataFrame, region_id: str | None) -> pd.DataFrame:
    """The communities of a region node (all of them for None)."""
    if not region_id or "subdistrict_id" not in communities.columns:
        return communities
    return communities[communities["subdistrict_id"].fillna("").astype(str).str.startswith(region_id)]


def per_community(store: Store, where: Where, today: date, communities: pd.DataFrame) -> pd.DataFrame:
    """`geo.stats.per_community` of the view, with residents' ratings: one row per community
    of `communities` (give those of the view's region)."""
    counts = _place_counts(store, where, today, "community_id")
    return stats.per_community_from_counts(counts, communities, ratings_per_community(store, where))


def rollup(store: Store, where: Where, today: date, regions: pd.DataFrame, region_id: str | None,
           communities: pd.DataFrame | None = None) -> pd.DataFrame:
    """The roll-up table of the view: region_id, name, level, parent_id, total, open, overdue,
    done for every node at or under `region_id` (`geo.regions.rollup`, tree order); with
    `communities` (those of one subdistrict) their rows follow their subdistrict's, with
    level "community"."""
    counts = _place_counts(store, where, today, "subdistrict_id")
    numbers = ["total", "open", "overdue", "done"]
    table = geo_regions.rollup(counts[["subdistrict_id", *numbers]], regions)
    if region_id:
        table = table[table["region_id"].astype(str).str.startswith(region_id)]
    table = table.reset_index(drop=True)
    for column in numbers:
        table[column] = table[column].astype(int)
    if communities is None or communities.empty:
        return table
    per = stats.per_community_from_counts(_place_counts(store, where, today, "community_id"), communities)
    rows = pd.DataFrame({"region_id": per["community_id"], "name": per["name"], "level": "community",
                         "parent_id": communities.set_index("community_id").loc[per["community_id"],
                                                                              "subdistrict_id"].to_numpy(),
                         **{c: per[c] for c in numbers}})
    parts = []
    for _, node in table.iterrows():
        parts.append(node.to_frame().T)
        if node["level"] == "subdistrict":
            parts.append(rows[rows["parent_id"] == node["region_id"]])
    return pd.concat(parts, ignore_index=True).astype({c: int for c in numbers})


# ---------------------------------------------------------------------------- rows


#: The issue table's sortable columns whose order is not the stored text's: sorted by groups
#: (a stage in procedure order, an enumeration by its label, a community by its name).
_GROUPED = ("stage", "category", "focus", "community")
#: Fields the table, the keyboard list and the CSV need.
TABLE_FIELDS = ("issue_id", "title", "category", "focus", "stage", "community_id", "compound_id",
                "reported_on", "due_on", "done_on", "responsible_unit", "satisfaction")


def search_where(where: Where, query: str, communities: pd.DataFrame,
                 compounds: pd.DataFrame | None = None) -> Where:
    """`where` narrowed to issues whose id, title, community or compound name holds every
    word of `query` (case and invisible characters ignored); a name is looked up in the small
    layers and searched as the ids it names. Each further word is one more sub-query."""
    words = strip_invisible(query).casefold().split()
    current = where
    for k, word in enumerate(words):
        also: dict[str, tuple[str, ...]] = {}
        for field_, frame in (("community_id", communities), ("compound_id", compounds)):
            if frame is None or frame.empty:
                continue
            names = frame["name"].astype("string").fillna("").map(strip_invisible).str.casefold()
            also[field_] = tuple(frame.loc[names.str.contains(word, regex=False).to_numpy(bool), field_])
        if k == 0:
            current = replace(where, search=(word, ("issue_id", "title")), search_also=also)
        else:
            current = Where(search=(word, ("issue_id", "title")), search_also=also,
                            refers_to={"issue_id": ("issues", current)})
    return current


@dataclass(frozen=True)
class IssuePage:
    """One page of the view's issue table (`ui.tables.TablePage`'s fields)."""

    rows: pd.DataFrame  # this page's issues (TABLE_FIELDS), in order
    page: int  # 1-based, within 1..pages
    pages: int  # at least 1, also with no rows
    matches: int  # issues that match the view and the search


#: Rows of the issue table per page.
PAGE_ROWS = 50


def _group_order(column: str, lang: str, communities: pd.DataFrame) -> list[tuple[str, ...]]:
    """The groups of a grouped column's values, in the table's order (`ui.tables._sort_key`'s
    rules): issues of one group sort by id (communities of one name are one group)."""
    if column == "stage":
        return [(code,) for code in STAGES.codes]
    if column == "community_id":
        named = communities[["community_id", "name"]].astype({"name": "string"}).dropna()
        return [tuple(ids) for _, ids in named.groupby("name", sort=True)["community_id"]]
    enum = {"category": CATEGORIES, "focus": FOCUS_AREAS}[column]
    by_label: dict[str, list[str]] = {}
    for code in enum.codes:
        by_label.setdefault(enum.label(code, lang), []).append(code)
    return [tuple(by_label[label]) for label in sorted(by_label)]


def issue_page(store: Store, where: Where, *, communities: pd.DataFrame, compounds: pd.DataFrame | None = None,
               query: str = "", sort_by: str = "issue_id", descending: bool = False, page: int = 1,
               per_page: int = PAGE_ROWS, lang: str = "zh") -> IssuePage:
    """The `page`-th `per_page` issues of the view that match `query` (`search_where`), sorted
    by `sort_by` (a `ui.tables.ISSUE_COLUMNS` name) as `ui.tables.issue_page` sorts a frame:
    missing values last either way, equal ones by issue id. Only the page's rows are read:
    a column whose order is not its text's (stage, enumerations by label, community by name)
    is read group by group, skipping whole groups by their counts."""
    wanted = search_where(where, query, communities, compounds)
    column = "community_id" if sort_by == "community" else sort_by
    if sort_by in _GROUPED:
        counts = store.summarise("issues", wanted, by=(column,))
        count_of = {v: int(n) for v, n in zip(counts[column], counts["n"]) if isinstance(v, str)}
        matches = int(counts["n"].sum())
    else:
        matches = int(_one(store.summarise("issues", wanted), "n"))
    pages = max(1, math.ceil(matches / per_page))
    page = min(max(1, int(page)), pages)
    start, end = (page - 1) * per_page, min(page * per_page, matches)
    if sort_by not in _GROUPED:
        rows = store.select("issues", wanted, fields=TABLE_FIELDS, order_by=((column, descending),),
                            limit=per_page, offset=start)
        return IssuePage(rows=rows, page=page, pages=pages, matches=matches)
    order = [(g, sum(count_of.get(v, 0) for v in g)) for g in _group_order(column, lang, communities)]
    order = [(g, n) for g, n in order if n]
    if descending:
        order.reverse()
    parts, at = [], 0
    for group, n in order:
        if at < end and at + n > start:
            skip = max(0, start - at)
            parts.append(store.select("issues", narrowed(wanted, any_of={column: group}), fields=TABLE_FIELDS,
                                      limit=min(end, at + n) - at - skip, offset=skip))
        at += n
    if end > at:  # missing (and unknown) values last, by id: the end of the stored order
        parts.append(store.select("issues", wanted, fields=TABLE_FIELDS, order_by=((column, False),),
                                  limit=end - max(start, at), offset=max(start, at)))
    rows = pd.concat(parts, ignore_index=True) if parts else store.select("issues", wanted, fields=TABLE_FIELDS,
                                                                          limit=0)
    return IssuePage(rows=rows, page=page, pages=pages, matches=matches)


#: Rows read at once for the CSV.
CSV_CHUNK = 5000


def issue_chunks(store: Store, where: Where, *, chunk: int = CSV_CHUNK) -> Iterator[pd.DataFrame]:
    """Every issue of the view (TABLE_FIELDS), by id, `chunk` rows at a time: each read starts
    after the last id read (no OFFSET, which reads all the skipped rows again)."""
    last: str | None = None
    while True:
        after = where if last is None else replace(where, between={**where.between, "issue_id": (last, None)})
        rows = store.select("issues", after, fields=TABLE_FIELDS, limit=chunk + (last is not None))
        if last is not None:
            rows = rows[rows["issue_id"] != last]
        if rows.empty:
            return
        yield rows
        if len(rows) < chunk:
            return
        last = str(rows["issue_id"].iloc[-1])


#: Links the keyboard list holds at most (24 MB of links at 10^5 issues otherwise).
LIST_CAP = 200
LIST_FIELDS = ("issue_id", "title", "stage", "due_on", "reported_on")


def keyboard_rows(store: Store, where: Where, today: date, total: int, *, cap: int = LIST_CAP) -> pd.DataFrame:
    """The issues of the keyboard list: every one when the view holds at most `cap` (the list
    orders them itself), else the overdue ones first (most days late first), then the newest
    reported, `cap` in all."""
    if total <= cap:
        return store.select("issues", where, fields=LIST_FIELDS)
    late = store.select("issues", overdue_where(where, today), fields=LIST_FIELDS,
                        order_by=(("due_on", False),), limit=cap)
    newest = store.select("issues", where, fields=LIST_FIELDS, order_by=(("reported_on", True),), limit=cap)
    newest = newest[~newest["issue_id"].isin(late["issue_id"])]
    return pd.concat([late, newest], ignore_index=True).head(cap)


def pending_reports(store: Store, region_id: str | None) -> int:
    """Residents' reports waiting for triage in the region (the overview's banner)."""
    prefix = {"subdistrict_id": (region_id,)} if region_id else {}
    return int(_one(store.summarise("issues", Where(any_of={"triage": ("pending",)}, prefix=prefix)), "n"))
