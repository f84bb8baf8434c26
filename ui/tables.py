"""Issue tables for display and download: allow-listed columns, translated headers and values.

Stored text reaches a cell without direction-control or zero-width characters (`geo.text`), also
text stored before uploads removed them: a grid cell is drawn as plain text, but still in the
order such characters dictate.

A missing value is shown as "—" (`MISSING`), never as the grid's "None", "nan" or "NaT"; a CSV
download writes it as an empty cell."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geo.export import to_csv_text
from geo.schema import CATEGORIES, FOCUS_AREAS, MEMBER_ROLES, METHODS, STAGES
from geo.text import INVISIBLE, strip_invisible
from geo.values import is_blank
from yishi import settings
from ui.i18n import enum_label, field_label, t

#: The columns a table of issues shows, in order (never the reporter's personal data).
ISSUE_COLUMNS = ("issue_id", "title", "category", "focus", "stage", "community", "reported_on",
                 "due_on", "done_on", "responsible_unit", "satisfaction")
#: How a table shows a missing value.
MISSING = "—"
#: Issue fields that hold enumeration codes (shown as their labels).
ISSUE_ENUMS = {"category": CATEGORIES, "focus": FOCUS_AREAS, "stage": STAGES, "method": METHODS}


def community_names(communities: pd.DataFrame) -> dict[str, str]:
    return dict(zip(communities["community_id"], communities["name"]))


def issue_table(issues: pd.DataFrame, communities: pd.DataFrame, lang: str,
                columns: tuple[str, ...] = ISSUE_COLUMNS, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Issues as a display table: enum codes as labels, community names, translated headers,
    "—" where a value is missing."""
    names = community_names(communities)
    frame = pd.DataFrame(index=issues.index)
    for column in (*columns, *extra):
        if column == "community":
            frame[column] = visible(issues["community_id"].map(names))
        elif column in ISSUE_ENUMS:
            frame[column] = issues[column].map(lambda c, e=ISSUE_ENUMS[column]: enum_label(e, c, lang))
        else:
            frame[column] = visible(issues[column])
    frame = frame.rename(columns=lambda c: field_label("issues", c, lang) if c != "community"
                         else field_label("communities", "name", lang))
    return dashed(frame.reset_index(drop=True))


def dashed(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every missing or blank cell as MISSING: a grid draws a null as "None".

    Only columns that have a missing cell change: they become text throughout (a grid cannot
    mix numbers and text in a column); the others keep their type, so numbers still sort as
    numbers."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        gaps = series.isna()
        if series.dtype == object or pd.api.types.is_string_dtype(series):  # blank text too, vectorised
            gaps |= series.astype("string").str.strip().eq("").fillna(False).astype(bool)
        if gaps.any():
            out[column] = [MISSING if gap else _cell_text(v) for v, gap in zip(series, gaps)]
    return out


def _cell_text(value: Any) -> str:
    """A present value of a column that also has gaps, as text (numbers short: 4.0 -> "4",
    592.543 -> "592.54")."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """CSV for download (UTF-8 with BOM for spreadsheet tools; formula cells neutralised); a cell
    shown as MISSING is written empty."""
    cells = table.copy()
    for column in cells.columns:
        shown = cells[column].map(lambda v: isinstance(v, str) and v == MISSING).astype(bool)
        if shown.any():
            cells[column] = cells[column].astype(object).where(~shown, "")
    return to_csv_text(cells).encode("utf-8-sig")


def visible(series: pd.Series) -> pd.Series:
    """`series` with its text values' invisible characters removed (other values as they are)."""
    if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)):
        return series
    dirty = series.str.contains(INVISIBLE.pattern, regex=True, na=False)  # rarely any: one scan
    return series.where(~dirty, series[dirty].map(strip_invisible)) if dirty.any() else series


def text(value: Any) -> str:
    """A value as display text, "—" when missing (never "None" or "nan")."""
    return MISSING if is_blank(value) else strip_invisible(str(value))


def local_times(at: pd.Series) -> pd.Series:
    """Stored UTC times as local "YYYY-MM-DD HH:MM" (YISHI_TIMEZONE, `settings.timezone`); "—" for
    none; text that is not a time stays as it is."""
    parsed = pd.to_datetime(at, utc=True, errors="coerce", format="ISO8601")
    local = parsed.dt.tz_convert(settings.timezone()).dt.strftime("%Y-%m-%d %H:%M")
    return local.where(parsed.notna(), at.map(text))


def text_cells(series: pd.Series) -> pd.Series:
    """Text cells for a table: missing values as empty cells (not "None")."""
    return series.map(lambda v: "" if is_blank(v) else strip_invisible(str(v)))


def tick_cells(series: pd.Series) -> pd.Series:
    """✓ for a stored True, ✗ for anything else (false, missing), as the five-haves tables show."""
    return series.map(lambda f: "✓" if f is True else "✗")


def satisfaction_text(value: Any) -> str:
    """A satisfaction score as "4.5 / 5", "—" when there is none."""
    return "—" if is_blank(value) else f"{float(value):.1f} / 5"


def whole(value: Any) -> int:
    """A stored count as an int, 0 when there is none (an old row's empty me_too)."""
    return 0 if is_blank(value) else int(value)


def rating_text(mean: float | None, count: int, lang: str) -> str:
    """Residents' rating with how many rated ("4.25 / 5（12 人评价）"), or that nobody has."""
    return t("tri_no_ratings", lang) if mean is None else t("tri_rating_value", lang, mean=mean, n=count)


def metres_text(value: Any) -> str:
    """A distance in whole metres with thousands separators, "—" when there is none."""
    return "—" if is_blank(value) else f"{float(value):,.0f}"


def members_text(member_ids: Any, members: pd.DataFrame, lang: str) -> str:
    """Members as "name（role）" joined by 、, in the given order; unknown ids are skipped.

    `member_ids` is a list or tuple (anything else counts as none: a spatial join may leave a
    missing value); `members` has `member_id`, `name` and `role` columns.
    """
    by_id = members.set_index("member_id")
    linked = [f"{text(by_id.loc[m, 'name'])}（{enum_label(MEMBER_ROLES, by_id.loc[m, 'role'], lang)}）"
              for m in (member_ids if isinstance(member_ids, (list, tuple)) else []) if m in by_id.index]
    return "、".join(linked) or t("none", lang)
