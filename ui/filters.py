"""The issue filter widgets: seeded from the URL once, kept in a plain session key, written back."""

from __future__ import annotations

import streamlit as st

from geo.filters import IssueFilter, from_query
from geo.schema import CATEGORIES, FOCUS_AREAS, STAGES
from ui.i18n import choice, enum_label, t
from ui.safe import token

_STATE = "issue_filter"
_OVERDUE = "f_overdue"


def set_overdue_only(on: bool) -> None:
    """Show only overdue issues (or all again): a callback for the overview's 逾期 figure. The
    sidebar toggle follows, and the URL keeps it (`overdue_only=1`)."""
    st.session_state[_OVERDUE] = on


def issue_filter(names: dict[str, str], lang: str) -> IssueFilter:
    """Draw the filters in the sidebar and return what they select.

    The first run of a session reads the shared URL (unknown values dropped with a notice);
    afterwards the filter lives in a plain session key, so it survives page switches, and
    is written back to the URL so the view can be shared.
    """
    if _STATE not in st.session_state:
        parsed, dropped = from_query(st.query_params.to_dict(), names)
        st.session_state[_STATE] = parsed
        st.session_state[_STATE + "_dropped"] = dropped
    saved: IssueFilter = st.session_state[_STATE]
    seeds = {"f_cat": list(saved.categories), "f_focus": list(saved.focus),
             "f_stage": list(saved.stages), "f_comm": list(saved.communities),
             _OVERDUE: saved.overdue_only,
             "f_dates": tuple(d for d in (saved.date_from, saved.date_to) if d)}
    for key, value in seeds.items():
        st.session_state.setdefault(key, value)

    dropped = st.session_state.get(_STATE + "_dropped")
    if dropped:
        st.warning(t("f_dropped", lang) + ", ".join(token(d) for d in dropped))

    with st.sidebar:
        st.subheader(t("filters", lang))
        for key, label, enum in (("f_cat", "f_category", CATEGORIES), ("f_focus", "f_focus", FOCUS_AREAS),
                                 ("f_stage", "f_stage", STAGES)):
            choice(st.multiselect, t(label, lang), enum.codes, key=key, lang=lang, placeholder=t("all", lang),
                   format_func=lambda c, e=enum: enum_label(e, c, lang))
        st.multiselect(t("f_community", lang), list(names), key="f_comm", format_func=names.get,
                       placeholder=t("all", lang))
        st.date_input(t("f_date", lang), key="f_dates", format="YYYY-MM-DD")
        st.toggle(t("f_overdue", lang), key=_OVERDUE)

    dates = tuple(st.session_state["f_dates"] or ())
    current = IssueFilter(
        categories=tuple(st.session_state["f_cat"]), focus=tuple(st.session_state["f_focus"]),
        stages=tuple(st.session_state["f_stage"]), communities=tuple(st.session_state["f_comm"]),
        date_from=dates[0] if len(dates) > 0 else None,
        date_to=dates[1] if len(dates) > 1 else None,
        overdue_only=bool(st.session_state[_OVERDUE]))
    st.session_state[_STATE] = current
    st.query_params.from_dict({**current.to_query(), "lang": lang})
    return current
