"""Issue filters shared by the pages and the URL: parse, drop what is unknown, apply."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date

import pandas as pd

from geo.schema import CATEGORIES, FOCUS_AREAS, STAGES
from geo.stats import is_overdue


@dataclass(frozen=True)
class IssueFilter:
    """What a leader narrowed the view to; empty tuples mean 'all'."""

    categories: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    communities: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    overdue_only: bool = False

    def apply(self, issues: pd.DataFrame, today: date) -> pd.DataFrame:
        """The issues that pass every set criterion (dates compare with reported_on)."""
        keep = pd.Series(True, index=issues.index)
        for column, chosen in (("category", self.categories), ("focus", self.focus),
                               ("stage", self.stages), ("community_id", self.communities)):
            if chosen:
                keep &= issues[column].isin(chosen)
        reported = pd.to_datetime(issues["reported_on"], errors="coerce", format="%Y-%m-%d")
        if self.date_from:
            keep &= reported >= pd.Timestamp(self.date_from)
        if self.date_to:
            keep &= reported <= pd.Timestamp(self.date_to)
        if self.overdue_only:
            keep &= is_overdue(issues, today)
        return issues[keep.fillna(False).astype(bool)]

    def to_query(self) -> dict[str, str]:
        """URL query parameters for a shareable view (only what is set)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple) and value:
                out[f.name] = ",".join(value)
            elif isinstance(value, date):
                out[f.name] = value.isoformat()
            elif value is True:
                out[f.name] = "1"
        return out


def _split(raw: str | Iterable[str]) -> list[str]:
    parts = raw.split(",") if isinstance(raw, str) else [p for r in raw for p in str(r).split(",")]
    return [p.strip() for p in parts if p.strip()]


def from_query(params: Mapping[str, str | Iterable[str]],
               community_ids: Iterable[str]) -> tuple[IssueFilter, list[str]]:
    """Parse URL parameters; unknown or stale values are dropped and listed, never raised."""
    allowed = {"categories": set(CATEGORIES.codes), "focus": set(FOCUS_AREAS.codes),
               "stages": set(STAGES.codes), "communities": set(community_ids)}
    dropped: list[str] = []
    result = IssueFilter()
    for name, codes in allowed.items():
        if name not in params:
            continue
        values = _split(params[name])
        good = tuple(v for v in values if v in codes)
        dropped += [f"{name}={v}" for v in values if v not in codes]
        result = replace(result, **{name: good})
    for name in ("date_from", "date_to"):
        if name in params:
            raw = _split(params[name])
            try:
                result = replace(result, **{name: date.fromisoformat(raw[0])})
            except (IndexError, ValueError):
                dropped.append(f"{name}={','.join(raw)}")
    if "overdue_only" in params:
        raw = ",".join(_split(params["overdue_only"]))
        if raw in ("1", "true"):
            result = replace(result, overdue_only=True)
        elif raw not in ("0", "false", ""):
            dropped.append(f"overdue_only={raw}")
    if result.date_from and result.date_to and result.date_from > result.date_to:
        dropped.append(f"date_from={result.date_from} > date_to={result.date_to}")
        result = replace(result, date_from=None, date_to=None)
    return result, dropped
