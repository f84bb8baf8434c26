"""Keyboard ways around a map page: a skip link and a print-view link above the map, and below
it a list of the issues the map shows, each a real link to its issue page.

The map is Leaflet in an iframe: its issue dots cannot take keyboard focus, and Tab walks
through every venue icon in it first. The list mirrors the map (the same issues, stage and
overdue mark), so every issue can be reached with Tab and opened with Enter; the skip link jumps
over the map to it. Links are plain anchors (a full page load signs in again from the cookie);
stored titles are escaped and lose their invisible characters (`ui.tables.text`).
"""

from __future__ import annotations

from datetime import date
from html import escape
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from geo import stats
from geo.schema import STAGES
from ui import data
from ui.i18n import enum_label, t
from ui.maps.style import GREY, STAGE_COLORS
from ui.tables import grouped, text

#: The list's element id: the skip link's target.
LIST_ID = "yishi-issue-list"


def issue_href(issue_id: str, lang: str) -> str:
    """The issue page's address for `issue_id`, relative to the current page."""
    return "issue?" + urlencode({"issue": issue_id, "lang": lang})


def report_href(lang: str) -> str:
    """The print view of what this page shows: its URL query (filters, community) carried over."""
    query = {k: v for k, v in st.query_params.to_dict().items() if k != "lang"}
    return "report?" + urlencode({**query, "lang": lang})


def toolbar(lang: str, *, skip: bool = True) -> None:
    """A row of two links: over the map to the issue list (`skip`), and to the print view
    (where it is listed: it reads the whole store)."""
    links = []
    if skip:
        links.append(f'<a class="yishi-skip" href="#{LIST_ID}">{escape(t("ax_skip", lang))}</a>')
    if data.snapshot_fits():
        links.append(f'<a class="yishi-print-link" href="{escape(report_href(lang))}">'
                     f'{escape(t("ax_print_view", lang))}</a>')
    st.html(f'<div class="yishi-toolbar">{"".join(links)}</div>')


def ordered(issues: pd.DataFrame, today: date) -> pd.DataFrame:
    """Issues in list order: overdue first (most days late first), then open, then the rest;
    by issue id within each group. Adds `days_overdue` (missing when not overdue)."""
    late = stats.overdue(issues, today)["days_overdue"].reindex(issues.index)
    group = pd.Series(2, index=issues.index).mask(stats.is_open(issues), 1).mask(late.notna(), 0)
    frame = issues.assign(days_overdue=late, _group=group, _late=-late.fillna(0))
    return frame.sort_values(["_group", "_late", "issue_id"], kind="stable").drop(columns=["_group", "_late"])


def list_html(issues: pd.DataFrame, today: date, lang: str, *, total: int | None = None) -> str:
    """The issue list's markup: one item per issue, a link (id and title), its stage with the
    map's colour, and "N days overdue" where it is late. With `total` above the rows given
    (a capped list: `yishi.services.dashboard.keyboard_rows`), the rows keep their order
    and a line says how many more there are and that the table's search finds them."""
    items = []
    capped = total is not None and total > len(issues)
    rows = issues.assign(days_overdue=stats.overdue(issues, today)["days_overdue"].reindex(issues.index)) \
        if capped else ordered(issues, today)
    for _, row in rows.iterrows():
        stage = row["stage"]
        late = ("" if pd.isna(row["days_overdue"]) else
                f' <span class="yishi-late">⚠ {escape(t("ax_overdue_days", lang, d=int(row["days_overdue"])))}</span>')
        items.append(
            f'<li><a href="{escape(issue_href(str(row["issue_id"]), lang))}">'
            f'{escape(text(row["issue_id"]))} · {escape(text(row["title"]))}</a> '
            f'<span class="yishi-stage"><span class="yishi-dot" aria-hidden="true" '
            f'style="background:{STAGE_COLORS.get(stage, GREY)}"></span>'
            f'{escape(enum_label(STAGES, stage, lang))}</span>{late}</li>')
    title = escape(t("ax_list_title", lang, n=grouped(total if capped else len(items))))
    body = f'<ul>{"".join(items)}</ul>' if items else f'<p>{escape(t("no_issues", lang))}</p>'
    if capped:
        more = t("db_list_more", lang, n=grouped(total - len(items)))
        body += f'<p class="yishi-hint yishi-list-more">{escape(more)}</p>'
    return (f'<nav id="{LIST_ID}" class="yishi-issue-list" tabindex="-1" aria-label="{title}">'
            f'<p class="yishi-list-title"><strong>{title}</strong></p>'
            f'<p class="yishi-hint">{escape(t("ax_list_hint", lang))}</p>{body}</nav>')


def issue_list(issues: pd.DataFrame, today: date, lang: str) -> None:
    """Draw the keyboard list of `issues` (the ones the map above shows)."""
    st.html(list_html(issues, today, lang))
