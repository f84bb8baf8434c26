"""总览 Overview: where the problems are, how far along, what is overdue, how communities compare."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from geo import stats
from geo.regions import subdistricts_under
from ui import access, auth, charts, data, errors, lazy, maps, report_view, triage_view
from ui.filters import issue_filter, region_picker, set_overdue_only
from ui.i18n import choice, t
from ui.maps import viewport
from ui.maps.card import issue_card
from ui.maps.widget import show_cached_map
from ui.shell import header
from ui.tables import dashed, lazy_csv_chunks, paged_table
from yishi.services import dashboard

if TYPE_CHECKING:
    import folium

# Every figure, chart and table below asks the store for counts or one page of rows
# (yishi/services/dashboard.py), never for a whole layer of issues; only the small layers
# (regions, communities, compounds) are read whole, once per revision.
user = auth.require("view_map")
state = data.state()
location, revision, today = state
lang = header("nav_overview", as_of=today.isoformat())
region = dashboard.region_of(user, region_picker(data.small_layer("regions", state), user.region_id, lang))
communities = dashboard.communities_in(data.small_layer("communities", state), region)
compounds = dashboard.communities_in(data.small_layer("compounds", state), region)
if user.can("triage"):
    with data.open_store() as store:
        triage_view.pending_banner(dashboard.pending_reports(store, region), lang)
names = dict(zip(communities["community_id"], communities["name"]))
view = issue_filter(names, lang)
where = dashboard.issue_where(view, today, region)
view_key = (location, revision, today, view, region)


def counted() -> dashboard.Figures:
    """The view's figures (shared read-only per view): the first thing the page shows."""
    with data.open_store() as store:
        return dashboard.figures(store, where, today)


def charted() -> dict[str, object]:
    """What the part below the map shows of the view, from aggregate queries (shared read-only
    per view): asked only there, so after a write the map does not wait for it."""
    regions = data.small_layer("regions", state)
    with data.open_store() as store:
        several = len(subdistricts_under(regions, region) if region else
                      regions.loc[regions["level"] == "subdistrict", "region_id"]) > 1
        return {"categories": dashboard.category_counts(store, where), "monthly": dashboard.monthly(store, where),
                "compare": dashboard.per_community(store, where, today, communities),
                "rollup": dashboard.rollup(store, where, today, regions, region) if several else None}


counts = data.once(("overview", *view_key), counted)
figures = report_view.figure_pairs(counts.values(), lang)  # the print view's rules and labels
tips = report_view.figure_tips(counts.values())
total = counts.issues
with st.container(key="yishi-kpis-overview"):  # a two-column grid on a phone (ui/styles/phone.css)
    for column, (label, value), tip in zip(st.columns(len(figures)), figures, tips):
        column.metric(label, value, help=tip)
        if label == t("kpi_overdue", lang):  # the figure leads to the overdue issues (and back)
            column.button(t("ov_show_all" if view.overdue_only else "ov_show_overdue"), key="ov_overdue_kpi",
                          type="tertiary", on_click=set_overdue_only, args=(not view.overdue_only,))


@st.fragment
@errors.guarded  # a fragment's own rerun does not pass through the page's guard
def issue_map() -> None:
    """The map options, the map, and the clicked issue's card beside it (under it on a phone);
    a click reruns only this fragment, which finds the map already rendered (`show_cached_map`).

    It draws the page's view (`where`, `view_key`, its `total` from the page's figures): a view of
    at most `viewport.EMBED_MAX` issues embeds them all; a bigger one embeds counts per
    community and its script fetches the issues in view at street zoom (ui/maps/viewport.py),
    and a click is looked up in the store by its position."""
    pick_basemap, pick_color = st.columns(2)
    with pick_basemap:
        basemap = choice(st.radio, t("basemap"), maps.BASEMAPS, key="ov_basemap", lang=lang, horizontal=True,
                         format_func=lambda b: t(f"basemap_{b}", lang))
    with pick_color:
        color_by = choice(st.radio, t("color_by"), maps.COLOR_BY, key="ov_color", lang=lang, horizontal=True,
                          format_func=lambda c: t(f"color_{c}", lang))
    big = total > viewport.EMBED_MAX
    with data.open_store() as store:
        places = data.once(("map_places", location, revision, today, region), lambda: viewport.places(store, region))
        rows = None if big else data.once(("map_rows", *view_key), lambda: store.select("issues", where))

        def build() -> folium.Map:
            common = {**places, "lang": lang, "basemap": basemap, "color_by": color_by, "today": today}
            if big:
                query = {**view.to_query(), "region": region or "", "basemap": basemap, "lang": lang}
                return maps.build_map(**common, summary=viewport.summarise(store, where, today, color_by),
                                      api_url=viewport.api_url(st.get_option("server.baseUrlPath"), query))
            open_counts = rows[stats.is_open(rows)]["community_id"].value_counts().to_dict()
            return maps.build_map(**common, issues=rows, open_counts=open_counts)

        left, right = st.columns([3, 1])
        with left:
            clicked = show_cached_map(build, cache_key=(*view_key, basemap, color_by, lang), key="overview_map",
                                      height=560, returned_objects=maps.RETURNED_OBJECTS, lang=lang)
        with right:
            st.subheader(t("selected_issue"))
            if big:
                issue = maps.issue_near(store, where, clicked, basemap=basemap)
            else:
                issue_id = maps.clicked_issue_id(clicked, rows, basemap=basemap)
                issue = None if issue_id is None else rows[rows["issue_id"] == issue_id].iloc[0]
            if issue is None:
                st.caption(t("click_hint"))
                return
            st.session_state["selected_issue"] = issue["issue_id"]
            issue_card(issue, names, today, lang, key="ov")


st.subheader(t("map"))
access.toolbar(lang)
issue_map()


def keyboard_list() -> str:
    """The keyboard list of the view's issues: every one up to dashboard.LIST_CAP, else the
    overdue and the newest with a line saying how many more the table's search finds."""
    with data.open_store() as store:
        rows = dashboard.keyboard_rows(store, where, today, total)
    return access.list_html(rows, today, lang, total=total)


@st.fragment
@errors.guarded
def issues_table() -> None:
    """The issues as pages of 50 read from the store (search, sort, pager: a page turn
    reruns only this)."""
    st.caption(t("ov_table_hint"))

    def fetch(query: str, sort_by: str, descending: bool, page: int) -> dashboard.IssuePage:
        with data.open_store() as store:
            return dashboard.issue_page(store, where, communities=communities, compounds=compounds, query=query,
                                        sort_by=sort_by, descending=descending, page=page, lang=lang)

    paged_table(fetch, communities, lang, key="ov_issues")


def issue_chunks() -> Iterator[pd.DataFrame]:
    with data.open_store() as store:
        yield from dashboard.issue_chunks(store, where)


@st.fragment
@errors.guarded
def below_map() -> None:
    """Everything under the map, sent once the browser has drawn the map (ui/lazy.py): the
    keyboard list, the roll-up, the charts, the community comparison and the issue table."""
    if not lazy.map_drawn("ov_map_drawn"):
        st.caption(t("below_map_waiting"))
        return
    st.html(data.once(("issue_list", *view_key, lang), keyboard_list))
    charted_view = data.once(("overview_charts", *view_key), charted)

    if charted_view["rollup"] is not None:  # the view covers several subdistricts
        st.subheader(t("db_rollup"))
        st.caption(t("db_rollup_hint"))
        st.dataframe(report_view.rollup_labelled(charted_view["rollup"], lang), width="stretch", hide_index=True,
                     key="ov_rollup", column_config=report_view.rollup_columns(lang))

    left, middle, right = st.columns(3)
    left.markdown(f"**{t('chart_funnel')}**")
    left.altair_chart(charts.funnel_chart_from(stats.funnel_from_counts(counts.stages), lang), width="stretch")
    middle.markdown(f"**{t('chart_by_category')}**")
    middle.altair_chart(charts.category_chart_from(charted_view["categories"], names, lang), width="stretch")
    right.markdown(f"**{t('chart_monthly')}**")
    right.altair_chart(charts.monthly_chart_from(charted_view["monthly"], lang), width="stretch")

    st.subheader(t("community_compare"))
    compare = report_view.compare_labelled(charted_view["compare"], lang)
    st.dataframe(dashed(compare), width="stretch", hide_index=True)

    st.subheader(f"{t('issues_table')} ({total})")
    if not total:
        st.info(t("no_issues"))
    issues_table()
    # the CSV holds every filtered issue, read a chunk at a time, and is built only when someone clicks
    st.download_button(t("download_csv"), lazy_csv_chunks(issue_chunks, communities, lang), file_name="issues.csv",
                       mime="text/csv", key="ov_download")


below_map()
