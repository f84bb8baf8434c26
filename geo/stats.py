"""The figures leaders read: published totals, counts, the four-step funnel, trends, overdue lists.

Functions take plain frames (issues with the schema's columns, dates as ISO text) and an
explicit `today`, so the same numbers come out of the page, the CLI and the tests. The rules
also take counts (`*_from_counts`: stage -> issues, month -> issues, sums and how many), which
a store answers with aggregate queries (`yishi.services.dashboard`): the frame versions count
first and call them, so a figure has one rule whichever way it is asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from geo.schema import CONSENSUS_STAGES, OPEN_STAGES, STAGE_ORDER, STAGES


def published_figures(issues: pd.DataFrame, meetings: pd.DataFrame) -> dict[str, int]:
    """Meetings held, issues with consensus, implemented (done), in progress (implementing)."""
    return published_from_counts(stage_counts(issues), len(meetings))


def stage_counts(issues: pd.DataFrame) -> dict[object, int]:
    """Issues per stage code (a missing stage under NaN)."""
    return {k: int(v) for k, v in issues["stage"].value_counts(dropna=False).items()}


def _total(counts: Mapping[object, int], codes: Iterable[str]) -> int:
    return int(sum(counts.get(code, 0) for code in codes))


def published_from_counts(stages: Mapping[object, int], meetings: int) -> dict[str, int]:
    """`published_figures` from issues per stage and the number of meetings."""
    return {"meetings": int(meetings), "consensus": _total(stages, CONSENSUS_STAGES),
            "implemented": _total(stages, ("done",)), "in_progress": _total(stages, ("implementing",))}


def open_from_counts(stages: Mapping[object, int]) -> int:
    """Issues still on the procedure, from issues per stage (`is_open`'s rule)."""
    return _total(stages, OPEN_STAGES)


def mean_from(total: float | None, n: int) -> float | None:
    """A mean to 2 decimals from a sum and how many values it adds (None when there are none).
    The sum is rounded to 6 decimals first: a database and pandas add floats in different
    orders, and a mean on a .xx5 edge must round the same way from either."""
    return round(round(float(total), 6) / n, 2) if n else None


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce", format="%Y-%m-%d")


def is_open(issues: pd.DataFrame) -> pd.Series:
    """True for issues still on the procedure (neither done nor closed)."""
    return issues["stage"].isin(OPEN_STAGES)


def is_overdue(issues: pd.DataFrame, today: date) -> pd.Series:
    """True where the due date has passed and the issue is still open."""
    due = _dates(issues["due_on"])
    return (due < pd.Timestamp(today)).fillna(False).astype(bool) & is_open(issues)


def overdue(issues: pd.DataFrame, today: date) -> pd.DataFrame:
    """Overdue issues, most overdue first, with `days_overdue`."""
    late = issues[is_overdue(issues, today)].copy()
    late["days_overdue"] = (pd.Timestamp(today) - _dates(late["due_on"])).dt.days
    return late.sort_values(["days_overdue", "issue_id"], ascending=[False, True])


def counts_by(issues: pd.DataFrame, column: str, codes: Iterable[str] | None = None) -> pd.Series:
    """Issue counts per value of `column`, with every code of `codes` present (zeros kept)."""
    counts = issues[column].value_counts()
    if codes is not None:
        counts = counts.reindex(list(codes), fill_value=0)
    return counts.astype(int)


def stage_rank(stage: pd.Series) -> pd.Series:
    """Position of each stage on the procedure; closed issues count as collected."""
    ranks = {code: i for i, code in enumerate(STAGE_ORDER)}
    return stage.map(ranks).fillna(0).astype(int)


def funnel(issues: pd.DataFrame) -> pd.DataFrame:
    """Per stage: issues now at it, and issues that have reached it or gone further."""
    return funnel_from_counts(stage_counts(issues))


def funnel_from_counts(stages: Mapping[object, int]) -> pd.DataFrame:
    """`funnel` from issues per stage (closed and unknown stages count as collected)."""
    ranks = {code: i for i, code in enumerate(STAGE_ORDER)}
    rows = [{"stage": code, "current": int(stages.get(code, 0)),
             "reached": int(sum(n for stage, n in stages.items() if ranks.get(stage, 0) >= i))}
            for i, code in enumerate(STAGE_ORDER)]
    return pd.DataFrame(rows)


def mean_days_consensus_to_done(issues: pd.DataFrame) -> float | None:
    """Mean days from consensus to done over done issues; None when there are none."""
    done = issues[issues["stage"] == "done"]
    days = (_dates(done["done_on"]) - _dates(done["consensus_on"])).dt.days.dropna()
    return round(float(days.mean()), 1) if len(days) else None


def mean_satisfaction(issues: pd.DataFrame) -> float | None:
    values = pd.to_numeric(issues["satisfaction"], errors="coerce").dropna()
    return mean_from(values.sum(), len(values))


def ratings_summary(ratings: pd.DataFrame, by: str) -> pd.DataFrame:
    """Residents' ratings per `by` (a column of `ratings`): `rating_mean` (2 decimals) with
    `rating_count` beside it, because a mean means little without how many rated."""
    if ratings.empty or "score" not in ratings.columns:
        return pd.DataFrame({by: pd.Series(dtype=object), "rating_mean": pd.Series(dtype=float),
                             "rating_count": pd.Series(dtype=int)})
    grouped = ratings.groupby(by)["score"].agg(rating_mean="mean", rating_count="count").reset_index()
    return grouped.assign(rating_mean=grouped["rating_mean"].round(2))


def overall_rating(ratings: pd.DataFrame) -> tuple[float | None, int]:
    """The mean of every rating (None when there is none) and how many there are."""
    scores = pd.to_numeric(ratings["score"], errors="coerce").dropna() if len(ratings) else pd.Series()
    return mean_from(scores.sum(), len(scores)), int(len(scores))


def monthly(issues: pd.DataFrame) -> pd.DataFrame:
    """Issues reported and done per calendar month (YYYY-MM), months without any kept as 0."""
    reported = _dates(issues["reported_on"]).dt.strftime("%Y-%m").value_counts()
    done = _dates(issues["done_on"]).dt.strftime("%Y-%m").value_counts()
    return monthly_from_counts(reported.to_dict(), done.to_dict())


def monthly_from_counts(reported: Mapping[str, int], done: Mapping[str, int]) -> pd.DataFrame:
    """`monthly` from issues reported and done per YYYY-MM (a missing month key is left out)."""
    reported = pd.Series({k: v for k, v in reported.items() if isinstance(k, str)}, dtype="int64")
    done = pd.Series({k: v for k, v in done.items() if isinstance(k, str)}, dtype="int64")
    frame = pd.DataFrame({"reported": reported, "done": done}).fillna(0).astype(int)
    if frame.empty:
        return pd.DataFrame(columns=["month", "reported", "done"])
    months = pd.period_range(min(frame.index), max(frame.index), freq="M").strftime("%Y-%m")
    frame = frame.reindex(months, fill_value=0)
    return frame.rename_axis("month").reset_index()


def per_community(issues: pd.DataFrame, communities: pd.DataFrame, today: date,
                  ratings: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per community: total, open, overdue, done issues and mean satisfaction; with
    `ratings` (carrying community_id) also residents' rating mean and count."""
    frame = issues.assign(_open=is_open(issues), _overdue=is_overdue(issues, today),
                          _done=issues["stage"] == "done",
                          _sat=pd.to_numeric(issues["satisfaction"], errors="coerce"))
    grouped = frame.groupby("community_id").agg(
        total=("issue_id", "count"), open=("_open", "sum"), overdue=("_overdue", "sum"),
        done=("_done", "sum"), satisfaction_sum=("_sat", "sum"), satisfaction_n=("_sat", "count"))
    rated = None
    if ratings is not None:
        scores = pd.to_numeric(ratings["score"], errors="coerce") if len(ratings) else pd.Series(dtype=float)
        rated = (ratings[["community_id"]].assign(score=scores)
                 .groupby("community_id")["score"].agg(rating_sum="sum", rating_n="count").reset_index())
    return per_community_from_counts(grouped.reset_index(), communities, rated)


#: per_community's columns, in order (a labelled table names them by position).
PER_COMMUNITY = ("community_id", "name", "total", "open", "overdue", "done", "satisfaction")


def per_community_from_counts(counts: pd.DataFrame, communities: pd.DataFrame,
                              ratings: pd.DataFrame | None = None) -> pd.DataFrame:
    """`per_community` from counts per community_id (total, open, overdue, done,
    satisfaction_sum, satisfaction_n) and, when given, residents' ratings per community_id
    (rating_sum, rating_n). Every community of `communities` gets a row, zeros where it has
    no issue; counts of other communities (or none) are left out."""
    wanted = ["total", "open", "overdue", "done", "satisfaction_sum", "satisfaction_n"]
    table = communities[["community_id", "name"]].set_index("community_id").join(
        counts.set_index("community_id")[wanted])
    number = ["total", "open", "overdue", "done"]
    table[number] = table[number].fillna(0).astype(int)
    sat_n = table["satisfaction_n"].fillna(0).astype(int)
    table["satisfaction"] = pd.Series([mean_from(t, n) for t, n in zip(table["satisfaction_sum"], sat_n)],
                                      index=table.index, dtype=float)
    columns = list(PER_COMMUNITY)
    if ratings is not None:
        table = table.join(ratings.set_index("community_id")[["rating_sum", "rating_n"]])
        table["rating_count"] = table["rating_n"].fillna(0).astype(int)
        table["rating_mean"] = pd.Series([mean_from(t, n) for t, n in zip(table["rating_sum"], table["rating_count"])],
                                         index=table.index, dtype=float)
        columns += ["rating_mean", "rating_count"]
    return table.reset_index()[columns]


def category_by_community(issues: pd.DataFrame) -> pd.DataFrame:
    """A community x category table of issue counts (for the stacked bar chart)."""
    return pd.crosstab(issues["community_id"], issues["category"])


def stuck(issues: pd.DataFrame, events: pd.DataFrame, today: date, *, days: int = 30) -> pd.DataFrame:
    """Open issues whose last stage change is more than `days` ago, with `days_in_stage`."""
    last = _dates(events.groupby("issue_id")["at"].max())
    since = issues["issue_id"].map(last).fillna(_dates(issues["reported_on"]))
    frame = issues.assign(days_in_stage=(pd.Timestamp(today) - since).dt.days)
    return frame[is_open(frame) & (frame["days_in_stage"] > days)]


def supervision_list(issues: pd.DataFrame, events: pd.DataFrame, today: date, *,
                     days: int = 30) -> pd.DataFrame:
    """Open issues a supervising member should push on: past their due date, or stuck.

    Stuck means no stage change (events of kind "stage" or without a kind; notes do not count)
    for more than `days`. Adds `days_overdue` and `days_in_stage` (nullable integers) and
    `reasons`, comma-joined codes: "implementing_overdue" (implementing past its deadline),
    "overdue" (another open stage past its due date), "stuck". Most overdue first, then the
    longest in their stage.
    """
    stage_events = events[events["kind"].isna() | (events["kind"] == "stage")]
    late = overdue(issues, today).set_index("issue_id")["days_overdue"]
    in_stage = stuck(issues, stage_events, today, days=-10**6).set_index("issue_id")["days_in_stage"]
    stuck_ids = set(in_stage[in_stage > days].index)
    chosen = issues[issues["issue_id"].isin(set(late.index) | stuck_ids)].copy()
    chosen["days_overdue"] = chosen["issue_id"].map(late).astype("Int64")
    chosen["days_in_stage"] = chosen["issue_id"].map(in_stage).astype("Int64")

    def reasons(row: pd.Series) -> str:
        out = []
        if row["issue_id"] in late.index:
            out.append("implementing_overdue" if row["stage"] == "implementing" else "overdue")
        if row["issue_id"] in stuck_ids:
            out.append("stuck")
        return ",".join(out)

    chosen["reasons"] = chosen.apply(reasons, axis=1) if len(chosen) else pd.Series(dtype=str)
    return chosen.sort_values(["days_overdue", "days_in_stage"], ascending=False, na_position="last")


def summary(layers: dict[str, pd.DataFrame], today: date) -> dict[str, object]:
    """The figures `python -m geo summary` prints: published totals and layer counts."""
    issues, venues = layers["issues"], layers["venues"]
    members = layers["members"]
    figures = published_figures(issues, layers["meetings"])
    kinds = counts_by(venues, "kind").to_dict()
    return {
        **figures,
        "communities": int(len(layers["communities"])),
        "compounds": int(len(layers["compounds"])),
        "venues": int(len(venues)),
        "venue_kinds": {k: int(v) for k, v in kinds.items()},
        "members": int(len(members)),
        "members_cppcc": int(members["role"].isin(["city_cppcc", "district_cppcc"]).sum()),
        "issues": int(len(issues)),
        "issues_open": int(is_open(issues).sum()),
        "overdue": int(is_overdue(issues, today).sum()),
        "unassigned": int(issues["community_id"].isna().sum()) if "community_id" in issues else 0,
        "by_stage": counts_by(issues, "stage", STAGES.codes).to_dict(),
        "mean_days_consensus_to_done": mean_days_consensus_to_done(issues),
        "mean_satisfaction": mean_satisfaction(issues),
        "as_of": today.isoformat(),
    }
