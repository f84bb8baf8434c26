"""Issue tables for display and download: allow-listed columns, translated headers and values.

Stored text reaches a cell without direction-control or zero-width characters (`geo.text`), also
text stored before uploads removed them: a grid cell is drawn as plain text, but still in the
order such characters dictate.

A missing value is shown as "—" (`MISSING`), never as the grid's "None", "nan" or "NaT"; a CSV
download writes it as an empty cell."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.export import to_csv_text
from geo.schema import CATEGORIES, FOCUS_AREAS, MEMBER_ROLES, METHODS, STAGES
from geo.text import INVISIBLE, strip_invisible
from geo.values import is_blank
from ui.i18n import enum_label, field_label, t
from yishi import settings

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


def lazy_csv_chunks(chunks: Callable[[], Iterable[pd.DataFrame]], communities: pd.DataFrame,
                    lang: str) -> Callable[[], bytes]:
    """The issue table's CSV from chunks of issues (the store read a chunk at a time), built
    when called: one header, formulas neutralised, the same cells as `csv_bytes`."""
    def build() -> bytes:
        out = bytearray()
        for rows in chunks():
            body = csv_bytes(issue_table(rows, communities, lang))
            out += body if not out else body[len(b"\xef\xbb\xbf"):].split(b"\r\n", 1)[1]
        return bytes(out) or csv_bytes(issue_table(pd.DataFrame(columns=ISSUE_COLUMNS_STORED), communities, lang))
    return build


#: The stored fields issue_table reads.
ISSUE_COLUMNS_STORED = ("issue_id", "title", "category", "focus", "stage", "community_id", "reported_on",
                        "due_on", "done_on", "responsible_unit", "satisfaction")


# ---------------------------------------------------------------------------- a paged table

#: Rows of the issue table per page: only the page's rows go to the browser.
PAGE_ROWS = 50


@dataclass(frozen=True)
class TablePage:
    """One page of a searched and sorted table of issues."""

    rows: pd.DataFrame  # this page's issues (the input's rows and columns), in order
    page: int  # 1-based, within 1..pages
    pages: int  # at least 1, also with no rows
    matches: int  # issues that match the search (all of them without one)


def _sort_key(issues: pd.DataFrame, column: str, names: dict[str, str], lang: str) -> pd.Series:
    """What `column` sorts by: the procedure's order for stages, labels for other enumerations,
    community names, numbers as numbers; missing values as NA (they go last)."""
    if column == "community":
        return issues["community_id"].map(names)
    if column == "stage":
        return issues["stage"].map({code: k for k, code in enumerate(STAGES.codes)})
    if column in ISSUE_ENUMS:
        enum = ISSUE_ENUMS[column]
        return issues[column].map({code: enum.label(code, lang) for code in enum.codes})
    values = issues[column]
    if values.dtype == object:
        values = values.where(~values.map(is_blank).astype(bool))
    return values


def _haystack(issues: pd.DataFrame, names: dict[str, str], compound_names: dict[str, str]) -> pd.Series:
    """Per issue, its id, title, community and compound name in one case-folded text."""
    parts = [issues["issue_id"], issues["title"], issues["community_id"].map(names)]
    if "compound_id" in issues.columns:
        parts.append(issues["compound_id"].map(compound_names))
    text = parts[0].astype("string").fillna("")
    for part in parts[1:]:
        text = text + "\n" + part.astype("string").fillna("")
    dirty = text.str.contains(INVISIBLE.pattern, regex=True)  # rarely any: one scan
    if dirty.any():
        text = text.where(~dirty, text[dirty].map(strip_invisible))
    return text.str.casefold()


def issue_page(issues: pd.DataFrame, *, communities: pd.DataFrame, compounds: pd.DataFrame | None = None,
               query: str = "", sort_by: str = "issue_id", descending: bool = False, page: int = 1,
               per_page: int = PAGE_ROWS, lang: str = "zh") -> TablePage:
    """The `page`-th `per_page` issues that match `query`, sorted by `sort_by` (an ISSUE_COLUMNS
    name). Pure: the caller draws only `rows`, so a table of 10^5 issues sends 50 to the browser.

    The search keeps issues whose id, title, community or compound name holds every word of
    `query` (case and invisible characters ignored). Missing values sort last either way; equal
    ones by issue id. A page beyond the last gives the last (a filter may have shrunk the list).
    """
    if sort_by not in ISSUE_COLUMNS:
        raise ValueError(f"cannot sort by {sort_by!r}; choose one of: {', '.join(ISSUE_COLUMNS)}")
    names = community_names(communities)
    chosen = issues
    words = strip_invisible(query).casefold().split()
    if words and len(issues):
        compound_names = ({} if compounds is None or "compound_id" not in compounds.columns
                          else dict(zip(compounds["compound_id"], compounds["name"])))
        hay = _haystack(issues, names, compound_names)
        keep = np.ones(len(issues), bool)
        for word in words:
            keep &= hay.str.contains(word, regex=False).to_numpy(bool)
        chosen = issues[keep]
    order = pd.DataFrame({"key": _sort_key(chosen, sort_by, names, lang).to_numpy(),
                          "id": chosen["issue_id"].astype(str).to_numpy()})
    order = order.sort_values(["key", "id"], ascending=[not descending, True], na_position="last",
                              kind="stable")
    pages = max(1, math.ceil(len(chosen) / per_page))
    page = min(max(1, int(page)), pages)
    at = order.index.to_numpy()[(page - 1) * per_page: page * per_page]
    return TablePage(rows=chosen.iloc[at], page=page, pages=pages, matches=len(chosen))


def paged_table(fetch: Callable[[str, str, bool, int], Any], communities: pd.DataFrame, lang: str, *,
                key: str) -> Any:
    """The issue table as pages of PAGE_ROWS: a search box, the column to sort by and its
    direction, the page's rows (selecting one opens that issue) and a "第 N / M 页" pager; a
    new search or sort starts again at the first page. `fetch(query, sort_by, descending, page)`
    gives a page with TablePage's fields (the overview asks the store:
    `yishi.services.dashboard.issue_page`; `issue_page` here is the same over a frame)."""
    import streamlit as st  # the glue only: the pure helpers above need no Streamlit

    from ui.i18n import choice
    from ui.maps.card import table_opening_issues  # it imports this module

    search, sort, direction = st.columns([3, 2, 1], vertical_alignment="bottom")
    query = search.text_input(t("pg_search", lang), key=f"{key}_q", placeholder=t("pg_search_hint", lang))
    with sort:
        sort_by = choice(st.selectbox, t("pg_sort_by", lang), ISSUE_COLUMNS, key=f"{key}_sort", lang=lang,
                         format_func=lambda c: _header(c, lang))
    descending = direction.toggle(t("pg_descending", lang), key=f"{key}_desc")
    view, page_key = (query, sort_by, descending), f"{key}_page"
    if st.session_state.get(f"_{key}_view") != view:
        st.session_state[f"_{key}_view"] = view
        st.session_state[page_key] = 1
    shown = fetch(query, sort_by, descending, st.session_state.get(page_key, 1))
    st.session_state[page_key] = shown.page
    if query and not shown.matches:
        st.info(t("pg_no_match", lang))
    table_opening_issues(issue_table(shown.rows, communities, lang), list(shown.rows["issue_id"]), key=key)

    def go(to: int) -> None:
        st.session_state[page_key] = to

    # a button that leads nowhere is left out, not greyed (a disabled one is hard to read)
    back, where, forward = st.columns([1, 2, 1], vertical_alignment="center")
    if shown.page > 1:
        back.button(t("pg_prev", lang), key=f"{key}_prev", on_click=go, args=(shown.page - 1,),
                    icon=":material/chevron_left:", width="stretch")
    where.caption(f"{t('pg_page', lang, n=grouped(shown.page), m=grouped(shown.pages))} · "
                  f"{t('pg_matches', lang, n=grouped(shown.matches))}",
                  text_alignment="center")
    if shown.page < shown.pages:
        forward.button(t("pg_next", lang), key=f"{key}_next", on_click=go, args=(shown.page + 1,),
                       icon=":material/chevron_right:", width="stretch")
    return shown


def _header(column: str, lang: str) -> str:
    """A column's header as issue_table names it."""
    return field_label("communities", "name", lang) if column == "community" else field_label("issues", column, lang)


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


def grouped(n: int) -> str:
    """A count with its thousands apart (1,861,098): a city's counts, readable at a glance."""
    return f"{n:,}"


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
