"""Opening an issue from a map page: the clicked issue's card, and table rows that open an issue.

Why a card: the clicked issue used to show as a transposed table with a "0" header and raw
"None". The card says what a leader asks first (what, how far along, late or not, where, who
is on it) in the reader's language, with a button to the issue page. Blank values show as
"—". Imported from ui.maps.card (it loads Streamlit and the issue page's helpers, which the
map builders do not need).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from geo.schema import OPEN_STAGES, STAGES
from geo.values import is_blank
from ui import issue_view
from ui.i18n import enum_label, field_label, t
from ui.safe import md
from ui.tables import text

ISSUE_PAGE = "pages/issue.py"


def _date(value: Any) -> date | None:
    if is_blank(value):
        return None
    parsed = pd.to_datetime(str(value), errors="coerce", format="%Y-%m-%d")
    return None if pd.isna(parsed) else parsed.date()


def timing(issue: Mapping[str, Any], today: date, lang: str) -> tuple[str, bool]:
    """(how the issue stands against its due date, whether it is overdue).

    Overdue means what geo.stats.is_overdue means: still open and the due date has passed.
    """
    stage = issue.get("stage")
    if stage == "done":
        done_on = _date(issue.get("done_on"))
        return t("card_done_on", lang, d=done_on.isoformat() if done_on else "—"), False
    if stage not in OPEN_STAGES:
        return t("card_closed", lang), False
    due = _date(issue.get("due_on"))
    if due is None:
        return t("card_no_due", lang), False
    days = (due - today).days
    if days < 0:
        return t("card_overdue_day" if days == -1 else "card_overdue_days", lang, n=-days), True
    if days == 0:
        return t("card_due_today", lang), False
    return t("card_left_day" if days == 1 else "card_left_days", lang, n=days, due=due.isoformat()), False


def card_facts(issue: Mapping[str, Any], names: Mapping[str, str], today: date,
               lang: str) -> list[tuple[str, str, bool]]:
    """(label, value, stands out) per line of the card, below its title; never "None"."""
    when, late = timing(issue, today, lang)
    community = names.get(issue.get("community_id"), issue.get("community_id"))
    return [
        (field_label("issues", "stage", lang), enum_label(STAGES, issue.get("stage"), lang), False),
        (t("card_timing", lang), when, late),
        (t("f_community", lang), text(community), False),
        (field_label("issues", "responsible_unit", lang), text(issue.get("responsible_unit")), False),
    ]


def open_issue(issue_id: str) -> None:
    """Open the issue page on `issue_id`."""
    issue_view.select_issue(issue_id)
    st.switch_page(ISSUE_PAGE)


def issue_card(issue: Mapping[str, Any], names: Mapping[str, str], today: date, lang: str, *,
               key: str, may_open: bool = True) -> None:
    """The clicked issue as a small card: title, stage, days overdue or left (or done),
    community, responsible unit, and (when `may_open`) a button to its page."""
    sep = t("map_colon", lang)
    with st.container(border=True, key=f"yishi-card-{key}"):
        st.markdown(f"**{md(text(issue.get('title')))}**  \n{md(issue.get('issue_id'))}")
        lines = [f"{md(label)}{md(sep)}" + (f":red[**{md(value)}**]" if late else md(value))
                 for label, value, late in card_facts(issue, names, today, lang)]
        st.markdown("  \n".join(lines))
        if may_open and st.button(t("open_issue_page", lang), key=f"{key}_open", type="primary",
                                  icon=":material/open_in_new:", width="stretch"):
            open_issue(str(issue.get("issue_id")))


def table_opening_issues(table: pd.DataFrame, issue_ids: Sequence[str], *, key: str) -> None:
    """`table` (one row per issue of `issue_ids`, same order); selecting a row opens that issue.

    The widget's key moves on after each use: coming back to the page then finds no row still
    selected, which would switch pages again at once.
    """
    turn = st.session_state.get(f"_{key}_turn", 0)
    event = st.dataframe(table, width="stretch", hide_index=True, on_select="rerun",
                         selection_mode="single-row", key=f"{key}_{turn}")
    rows = list(event.selection.rows) if event is not None else []
    if rows and 0 <= rows[0] < len(issue_ids):
        st.session_state[f"_{key}_turn"] = turn + 1
        open_issue(str(issue_ids[rows[0]]))
