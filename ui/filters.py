"""The issue filter widgets: seeded from the URL once, kept in a plain session key, written back."""

from __future__ import annotations

import pandas as pd
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
    # a community of another region (the region picker changed) is no longer a choice
    st.session_state["f_comm"] = [c for c in st.session_state["f_comm"] if c in names]

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
    kept = {k: st.query_params[k] for k in _KEPT if k in st.query_params}  # the region picker's
    st.query_params.from_dict({**current.to_query(), **kept, "lang": lang})
    return current


#: URL keys written by other pickers of the page, kept when the filter rewrites the URL.
_KEPT = ("region",)
_REGION, _REGION_PICK = "region_pick", "f_region"
#: The picker's value for the whole store (an account without a region).
ALL_REGIONS = ""
_DEPTH = {"city": 0, "district": 1, "subdistrict": 2}


def region_picker(regions: pd.DataFrame, own: str | None, lang: str) -> str | None:
    """Draw the region picker in the sidebar (city > district > subdistrict, the nodes at or
    under the account's own `own`) and return the node picked (None: the whole store).

    Seeded from `?region=` on a session's first run, like the filters (a node outside the
    account's falls back to its own), kept in a plain session key and written back to the URL.
    Hidden, giving `own`, when the store holds one subdistrict."""
    nodes = regions.sort_values("region_id", kind="stable")
    codes = nodes["region_id"].astype(str)
    if (nodes["level"] == "subdistrict").sum() <= 1:
        return own
    under = nodes[codes.str.startswith(own)] if own else nodes
    options = [own or ALL_REGIONS, *(c for c in under["region_id"].astype(str) if c != own)]
    names = dict(zip(codes, nodes["name"].astype(str)))
    depth = dict(zip(codes, nodes["level"].map(_DEPTH).fillna(0).astype(int)))
    top = depth.get(own, -1) + 1 if own else 0
    if _REGION not in st.session_state:
        wanted = str(st.query_params.get("region", ""))
        st.session_state[_REGION] = wanted if wanted in options else options[0]
    if st.session_state[_REGION] not in options:
        st.session_state[_REGION] = options[0]
    st.session_state.setdefault(_REGION_PICK, st.session_state[_REGION])
    if st.session_state[_REGION_PICK] not in options:
        st.session_state[_REGION_PICK] = options[0]

    def label(code: str) -> str:
        if code == ALL_REGIONS:
            return t("db_region_all", lang)
        return "\u3000" * max(0, depth.get(code, 0) - top + (1 if own and code != own else 0)) + names.get(code, code)

    with st.sidebar:
        st.selectbox(t("db_region", lang), options, key=_REGION_PICK, format_func=label)
    chosen = st.session_state[_REGION_PICK]
    st.session_state[_REGION] = chosen
    if chosen in (ALL_REGIONS, own):
        st.query_params.pop("region", None)
    else:
        st.query_params["region"] = chosen
    return chosen or own or None
