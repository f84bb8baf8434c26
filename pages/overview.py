"""总览 Overview: where the problems are, how far along, what is overdue, how communities compare."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from geo import stats
from ui import access, auth, charts, data, errors, maps, report_view, triage_view
from ui.filters import issue_filter, set_overdue_only
from ui.i18n import choice, t
from ui.maps.card import issue_card
from ui.maps.widget import show_cached_map
from ui.shell import header
from ui.tables import dashed, lazy_csv, paged_issue_table

if TYPE_CHECKING:
    import folium

user = auth.require("view_map")
snap = data.snapshot()
lang = header("nav_overview", as_of=snap.today.isoformat())
if user.can("triage"):
    triage_view.pending_banner(snap, lang)
names = dict(zip(snap.communities["community_id"], snap.communities["name"]))
view = issue_filter(names, lang)
issues = view.apply(snap.issues, snap.today)
meetings = snap.meetings[snap.meetings["issue_id"].isin(issues["issue_id"])]

figures = report_view.overview_figures(issues, meetings, snap.ratings, snap.today, lang)  # the print view's too
with st.container(key="yishi-kpis-overview"):  # a two-column grid on a phone (ui/styles/phone.css)
    for column, (label, value) in zip(st.columns(len(figures)), figures):
        column.metric(label, value)
        if label == t("kpi_overdue", lang):  # the figure leads to the overdue issues (and back)
            column.button(t("ov_show_all" if view.overdue_only else "ov_show_overdue"), key="ov_overdue_kpi",
                          type="tertiary", on_click=set_overdue_only, args=(not view.overdue_only,))


@st.fragment
@errors.guarded  # a fragment's own rerun does not pass through the page's guard
def issue_map() -> None:
    """The map options, the map, and the clicked issue's card beside it (under it on a phone);
    a click reruns only this fragment, which finds the map already rendered (`show_cached_map`)."""
    pick_basemap, pick_color = st.columns(2)
    with pick_basemap:
        basemap = choice(st.radio, t("basemap"), maps.BASEMAPS, key="ov_basemap", lang=lang, horizontal=True,
                         format_func=lambda b: t(f"basemap_{b}", lang))
    with pick_color:
        color_by = choice(st.radio, t("color_by"), maps.COLOR_BY, key="ov_color", lang=lang, horizontal=True,
                          format_func=lambda c: t(f"color_{c}", lang))

    def build() -> folium.Map:
        open_counts = issues[stats.is_open(issues)]["community_id"].value_counts().to_dict()
        return maps.build_map(subdistrict=snap.subdistrict, communities=snap.communities,
                              compounds=snap.compounds, venues=snap.venues, issues=issues, lang=lang,
                              basemap=basemap, color_by=color_by, open_counts=open_counts, today=snap.today)

    left, right = st.columns([3, 1])
    with left:
        clicked = show_cached_map(build, cache_key=(data.location(), snap.revision, snap.today, view, basemap,
                                                    color_by, lang),
                                  key="overview_map", height=560, returned_objects=maps.RETURNED_OBJECTS, lang=lang)
    with right:
        st.subheader(t("selected_issue"))
        issue_id = maps.clicked_issue_id(clicked, issues, basemap=basemap)
        if issue_id is None:
            st.caption(t("click_hint"))
            return
        st.session_state["selected_issue"] = issue_id
        issue_card(issues[issues["issue_id"] == issue_id].iloc[0], names, snap.today, lang, key="ov")


st.subheader(t("map"))
access.toolbar(lang)
issue_map()
# the keyboard list of every issue the map shows, written once per view (1.5 s at 10^4 issues)
st.html(data.once(("issue_list", data.location(), snap.revision, snap.today, view, lang),
                  lambda: access.list_html(issues, snap.today, lang)))

left, middle, right = st.columns(3)
left.markdown(f"**{t('chart_funnel')}**")
left.altair_chart(charts.funnel_chart(issues, lang), width="stretch")
middle.markdown(f"**{t('chart_by_category')}**")
middle.altair_chart(charts.category_chart(issues, names, lang), width="stretch")
right.markdown(f"**{t('chart_monthly')}**")
right.altair_chart(charts.monthly_chart(issues, lang), width="stretch")

st.subheader(t("community_compare"))
compare = report_view.compare_table(issues, snap.communities, snap.ratings, snap.today, lang)
st.dataframe(dashed(compare), width="stretch", hide_index=True)

st.subheader(f"{t('issues_table')} ({len(issues)})")
if issues.empty:
    st.info(t("no_issues"))


@st.fragment
@errors.guarded
def issues_table() -> None:
    """The issues as pages of 50 (search, sort, pager: a page turn reruns only this)."""
    st.caption(t("ov_table_hint"))
    paged_issue_table(issues, snap.communities, snap.compounds, lang, key="ov_issues")


issues_table()
# the CSV holds every filtered issue and is built only when someone clicks
st.download_button(t("download_csv"), lazy_csv(issues, snap.communities, lang), file_name="issues.csv",
                   mime="text/csv", key="ov_download")
