"""The print view's parts: which scope (the whole subdistrict under the URL's filters, or one
community), its figures, full tables as plain HTML and the print button.

Tables here are HTML tables with every row, not the grid (`st.dataframe` draws only the rows in
view, so a printout would stop after about ten). Every cell goes through `ui.tables.text`
("—" when missing, invisible characters out) and is HTML-escaped.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from html import escape

import pandas as pd
import streamlit as st

from geo import stats
from geo.filters import IssueFilter, from_query
from geo.schema import CATEGORIES, FOCUS_AREAS, STAGES
from geo.words import base
from ui.i18n import enum_label, t
from ui.tables import grouped, rating_text, text

#: The scope picker's value for the whole subdistrict.
ALL = ""
_PICK, _URL_SEEN = "_rp_scope", "_rp_url_seen"
#: A column whose longest cell is longer than this may wrap; shorter ones (dates, stages) never do.
WRAP_CHARS = 12


def choose_scope(names: dict[str, str], lang: str) -> str | None:
    """Draw the scope picker; return the chosen community id, or None for the whole subdistrict.

    `?community=` in the URL chooses once per new value (an unknown id falls back to the whole
    subdistrict); the choice is written back to the URL, so the printed page's address says
    what it shows."""
    wanted = st.query_params.get("community", ALL)
    if wanted != st.session_state.get(_URL_SEEN):
        st.session_state[_URL_SEEN] = wanted
        st.session_state[_PICK] = wanted if wanted in names else ALL
    st.selectbox(t("rp_scope", lang), [ALL, *names], key=_PICK,
                 format_func=lambda c: t("rp_all", lang) if c == ALL else names.get(c, c))
    chosen = st.session_state[_PICK]
    if chosen == ALL:
        st.query_params.pop("community", None)
    else:
        st.query_params["community"] = chosen
    st.session_state[_URL_SEEN] = chosen
    return chosen or None


def url_filter(names: dict[str, str]) -> IssueFilter:
    """The overview's filter as its URL carries it (unknown values are ignored here: the
    overview names them)."""
    return from_query(st.query_params.to_dict(), names)[0]


def filter_text(chosen: IssueFilter, names: dict[str, str], lang: str) -> str:
    """What a filter keeps, in words ("none" when it keeps everything)."""
    parts, comma, semicolon = [], *(("、", "；") if lang == "zh" else (", ", "; "))
    for key, codes, label in (("f_category", chosen.categories, lambda c: enum_label(CATEGORIES, c, lang)),
                              ("f_focus", chosen.focus, lambda c: enum_label(FOCUS_AREAS, c, lang)),
                              ("f_stage", chosen.stages, lambda c: enum_label(STAGES, c, lang)),
                              ("f_community", chosen.communities, lambda c: names.get(c, c))):
        if codes:
            parts.append(f"{t(key, lang)}: {comma.join(label(c) for c in codes)}")
    if chosen.date_from or chosen.date_to:
        parts.append(f"{t('f_date', lang)}: {chosen.date_from or '…'} – {chosen.date_to or '…'}")
    if chosen.overdue_only:
        parts.append(t("f_overdue", lang))
    return semicolon.join(parts) or t("rp_no_filters", lang)


def overview_figures(issues: pd.DataFrame, meetings: pd.DataFrame, ratings: pd.DataFrame, today: date,
                     lang: str) -> list[tuple[str, str]]:
    """The overview's eight figures as (label, value) pairs; `ratings` are residents' own,
    counted for the issues shown."""
    values = {**stats.published_figures(issues, meetings), "open": int(stats.is_open(issues).sum()),
              "overdue": int(stats.is_overdue(issues, today).sum()),
              "satisfaction": stats.mean_satisfaction(issues),
              "rating": stats.overall_rating(ratings[ratings["issue_id"].isin(issues["issue_id"])])}
    return figure_pairs(values, lang)


#: From this many, a figure is rounded (186万, 1.86M): six digits no longer fit one of the
#: overview's eight columns, and the browser would break the number in two.
ROUNDED_FROM = 100_000


def figure_text(n: int, lang: str) -> str:
    """A count as a figure shows it: whole below ROUNDED_FROM, else rounded in the reader's
    units (万 in Chinese, K and M in English); `ui.tables.grouped` gives the whole number."""
    if n < ROUNDED_FROM:
        return str(n)
    if base(lang) == "zh":  # three digits: 90.0万, 186万
        return t("num_wan", lang, n=f"{n / 10_000:.1f}" if n < 1_000_000 else f"{n / 10_000:.0f}")
    return f"{n / 1_000_000:.2f}M" if n >= 1_000_000 else f"{n / 1000:.0f}K"


#: The counted figures in the order they show: (name in the figures' values, label).
_COUNTED = (("meetings", "kpi_meetings"), ("consensus", "kpi_consensus"), ("implemented", "kpi_implemented"),
            ("in_progress", "kpi_in_progress"), ("open", "kpi_open"), ("overdue", "kpi_overdue"))


def figure_pairs(values: dict[str, object], lang: str) -> list[tuple[str, str]]:
    """The eight figures as (label, value) pairs from their values by name (the overview asks
    the store for them: `yishi.services.dashboard.Figures.values`)."""
    satisfaction = values["satisfaction"]
    return [*((t(label, lang), figure_text(values[name], lang)) for name, label in _COUNTED),
            (t("kpi_satisfaction", lang), "—" if satisfaction is None else f"{satisfaction:.2f} / 5"),
            (t("tri_kpi_rating", lang), rating_text(*values["rating"], lang))]


def figure_tips(values: dict[str, object]) -> list[str | None]:
    """Each figure's tooltip, in `figure_pairs`' order: the whole number where it is rounded."""
    counted = [values[name] for name, _ in _COUNTED]
    return [grouped(n) if n >= ROUNDED_FROM else None for n in counted] + [None, None]


def compare_table(issues: pd.DataFrame, communities: pd.DataFrame, ratings: pd.DataFrame, today: date,
                  lang: str) -> pd.DataFrame:
    """The community comparison, labelled: where the open issues are first, with residents'
    rating and how many rated next to it (the overview and the print view show the same)."""
    shown = ratings[ratings["issue_id"].isin(issues["issue_id"])]
    return compare_labelled(stats.per_community(issues, communities, today, shown), lang)


def compare_labelled(per_community: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`geo.stats.per_community` (with ratings) as the comparison shows it: most open first."""
    compare = (per_community
               .sort_values(["open", "overdue", "name"], ascending=[False, False, True], kind="stable")
               .drop(columns="community_id"))
    compare.columns = [t("f_community", lang), t("total", lang), t("open", lang), t("overdue", lang),
                       t("done", lang), t("kpi_satisfaction", lang), t("tri_rating_mean", lang),
                       t("tri_rating_count", lang)]
    return compare


#: The roll-up's counts: shown with the reader's thousands separators (a city's 1,000,000).
ROLLUP_COUNTS = ("total", "open", "overdue", "done")


def rollup_columns(lang: str) -> dict[str, Any]:
    """The roll-up table's column settings: its counts with thousands separators."""
    return {t(c, lang): st.column_config.NumberColumn(format="localized") for c in ROLLUP_COUNTS}


def rollup_labelled(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The roll-up table (`yishi.services.dashboard.rollup`) as shown: each node's name indented
    by its depth (city > district > subdistrict > community), its level, its counts."""
    depth = {"city": 0, "district": 1, "subdistrict": 2, "community": 3}
    top = min((depth.get(level, 0) for level in table["level"]), default=0)
    names = ["\u3000" * (depth.get(level, 0) - top) + text(name) for name, level in zip(table["name"], table["level"])]
    levels = [t(f"db_level_{level}", lang) for level in table["level"]]
    return pd.DataFrame({t("db_name", lang): names, t("db_level", lang): levels,
                         t("total", lang): table["total"].to_numpy(), t("open", lang): table["open"].to_numpy(),
                         t("overdue", lang): table["overdue"].to_numpy(), t("done", lang): table["done"].to_numpy()})


def figures_html(pairs: list[tuple[str, str]], notes: list[str] | None = None) -> str:
    """Figures as a row of boxes (a grid that wraps on narrow paper), each label over its value,
    with an optional small note under the value."""
    notes = notes or [""] * len(pairs)
    boxes = "".join(f'<div class="yishi-figure"><div class="yishi-figure-label">{escape(label)}</div>'
                    f'<div class="yishi-figure-value">{escape(value)}</div>'
                    + (f'<div class="yishi-hint">{escape(note)}</div>' if note else "") + "</div>"
                    for (label, value), note in zip(pairs, notes))
    return f'<div class="yishi-figures">{boxes}</div>'


def html_table(frame: pd.DataFrame, *, name: str) -> str:
    """Every row of `frame` as an HTML table (headers and cells escaped, "—" for missing).
    `name` (a class) lets a test or a stylesheet find the table."""
    cells = frame.map(text) if len(frame.columns) else frame
    opens = ['<td class="yishi-wrap">' if len(cells) and cells[c].str.len().max() > WRAP_CHARS else "<td>"
             for c in cells.columns]
    head = "".join(f'<th scope="col">{escape(text(c))}</th>' for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"{td}{escape(v)}</td>" for v, td in zip(row, opens)) + "</tr>"
                   for row in cells.itertuples(index=False))
    if frame.empty:
        rows = f'<tr><td colspan="{max(len(frame.columns), 1)}">—</td></tr>'

    return (f'<div class="yishi-table-wrap"><table class="yishi-print-table {escape(name)}">'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")


def print_button(lang: str) -> None:
    """"Print / save as PDF": the browser's print dialog (our own constant script; the label is
    escaped). The print stylesheet hides the button, the sidebar and the header on paper."""
    label = escape(t("rp_print", lang))
    st.html(f'<div class="yishi-print-bar"><button type="button" id="yishi-print" class="yishi-print-button">'
            f'{label}</button><span class="yishi-hint">{escape(t("rp_print_hint", lang))}</span></div>'
            '<script>document.getElementById("yishi-print")'
            '.addEventListener("click", () => window.print());</script>',
            unsafe_allow_javascript=True)
