"""总览 Overview: where the problems are, how far along, what is overdue, how communities compare."""

from __future__ import annotations

import streamlit as st

from geo import stats
from ui import auth, charts, data, errors, maps
from ui.filters import issue_filter
from ui.i18n import t
from ui.maps.widget import show_map
from ui.safe import md
from ui.shell import header
from ui.tables import csv_bytes, issue_table

auth.require("view_map")
snap = data.snapshot()
lang = header("nav_overview", as_of=snap.today.isoformat())
names = dict(zip(snap.communities["community_id"], snap.communities["name"]))
issues = issue_filter(names, lang).apply(snap.issues, snap.today)
meetings = snap.meetings[snap.meetings["issue_id"].isin(issues["issue_id"])]

figures = stats.published_figures(issues, meetings)
satisfaction = stats.mean_satisfaction(issues)
kpis = [("kpi_meetings", figures["meetings"]), ("kpi_consensus", figures["consensus"]),
        ("kpi_implemented", figures["implemented"]), ("kpi_in_progress", figures["in_progress"]),
        ("kpi_open", int(stats.is_open(issues).sum())),
        ("kpi_overdue", int(stats.is_overdue(issues, snap.today).sum())),
        ("kpi_satisfaction", "—" if satisfaction is None else f"{satisfaction:.2f} / 5")]
for column, (key, value) in zip(st.columns(len(kpis)), kpis):
    column.metric(t(key), value)


@st.fragment
@errors.guarded  # a fragment's own rerun does not pass through the page's guard
def issue_map() -> None:
    """The map and the clicked issue's record; a click reruns only this fragment."""
    left, right = st.columns([3, 1])
    with right:
        basemap = st.radio(t("basemap"), maps.BASEMAPS, key="ov_basemap",
                           format_func=lambda b: t(f"basemap_{b}", lang))
        color_by = st.radio(t("color_by"), maps.COLOR_BY, key="ov_color", horizontal=True,
                            format_func=lambda c: t(f"color_{c}", lang))
    open_counts = issues[stats.is_open(issues)]["community_id"].value_counts().to_dict()
    fmap = maps.build_map(subdistrict=snap.subdistrict, communities=snap.communities,
                          compounds=snap.compounds, venues=snap.venues, issues=issues, lang=lang,
                          basemap=basemap, color_by=color_by, open_counts=open_counts)
    with left:
        clicked = show_map(fmap, key="overview_map", height=560, returned_objects=maps.RETURNED_OBJECTS,
                           lang=lang)
    with right:
        st.subheader(t("selected_issue"))
        issue_id = maps.clicked_issue_id(clicked, issues, basemap=basemap)
        if issue_id is None:
            st.caption(t("click_hint"))
            return
        chosen = issues[issues["issue_id"] == issue_id]
        st.markdown(f"**{md(chosen['title'].iloc[0])}**")
        st.dataframe(issue_table(chosen, snap.communities, lang, extra=("venue_distance_m",)).T,
                     width="stretch")
        st.session_state["selected_issue"] = issue_id


st.subheader(t("map"))
issue_map()

left, middle, right = st.columns(3)
left.markdown(f"**{t('chart_funnel')}**")
left.altair_chart(charts.funnel_chart(issues, lang), width="stretch")
middle.markdown(f"**{t('chart_by_category')}**")
middle.altair_chart(charts.category_chart(issues, names, lang), width="stretch")
right.markdown(f"**{t('chart_monthly')}**")
right.altair_chart(charts.monthly_chart(issues, lang), width="stretch")

st.subheader(t("community_compare"))
compare = stats.per_community(issues, snap.communities, snap.today).drop(columns="community_id")
compare.columns = [t("f_community"), t("total"), t("open"), t("overdue"), t("done"),
                   t("kpi_satisfaction")]
st.dataframe(compare, width="stretch", hide_index=True)

st.subheader(f"{t('issues_table')} ({len(issues)})")
if issues.empty:
    st.info(t("no_issues"))
table = issue_table(issues, snap.communities, lang)
st.dataframe(table, width="stretch", hide_index=True)
st.download_button(t("download_csv"), csv_bytes(table), file_name="issues.csv", mime="text/csv",
                   key="ov_download")
