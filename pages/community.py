"""社区 Community: one community as its linked CPPCC member sees it: the map zoomed to it, its
venues against the five-haves standard, what to supervise next (overdue, stuck), and its
figures next to the subdistrict average; the supervision list downloads as CSV and GeoJSON.

The chosen community lives in the plain session key `selected_community`; a member account
starts at its own linked community.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import stats
from geo.filters import IssueFilter
from ui import access, auth, community_view, data, errors, maps
from ui.i18n import choice, t
from ui.maps.card import issue_card
from ui.maps.widget import show_map
from ui.posters import poster_panel
from ui.shell import header
from ui.tables import csv_bytes
from yishi.services import dashboard

user = auth.require("view_map")
places = data.snapshot(issue_ids=())  # the places and members, for the pickers
lang = header("nav_community", as_of=places.today.isoformat())

if places.communities.empty:
    st.info(t("cm_no_community", lang))
    st.stop()
names = dict(zip(places.communities["community_id"], places.communities["name"]))
cppcc = community_view.cppcc_members(places.members, names)
cid = community_view.choose_community(names, cppcc, user, lang)
st.markdown(community_view.heading(cid, names, cppcc, lang))

# This community's issues with their timeline; its figures against its subdistrict's
# communities from counts the store makes (public fields only, whatever the store's size).
snap = data.snapshot(community_id=cid)
subdistrict = community_view.subdistrict_of(snap.communities, cid)
communities = dashboard.communities_in(snap.communities, subdistrict)
issues = snap.issues
compounds = snap.compounds[snap.compounds["community_id"] == cid]
venues = snap.venues[snap.venues["community_id"] == cid]


def compared() -> pd.DataFrame:
    with data.open_store() as store:
        return dashboard.per_community(store, dashboard.issue_where(IssueFilter(), snap.today, subdistrict),
                                       snap.today, communities)


per = data.once(("community_figures", *data.state(), subdistrict), compared)
st.markdown(f"**{t('cm_figures', lang)}**")
metrics = community_view.figure_metrics(per, cid, lang)
with st.container(key="yishi-kpis-community"):  # a two-column grid on a phone (ui/styles/phone.css)
    for column, metric in zip(st.columns(len(metrics)), metrics):
        column.metric(**metric)


@st.fragment
@errors.guarded  # a fragment's own rerun does not pass through the page's guard
def community_map() -> None:
    """The community's compounds, venues and issues, zoomed to its polygon, and the clicked
    issue's card beside the map (under it on a phone)."""
    basemap = choice(st.radio, t("basemap", lang), maps.BASEMAPS, key="cm_basemap", lang=lang,
                     horizontal=True, format_func=lambda b: t(f"basemap_{b}", lang))
    polygon = communities[communities["community_id"] == cid]
    bounds = tuple(float(v) for v in polygon.total_bounds)
    open_counts = dict(zip(per["community_id"], per["open"]))
    fmap = maps.build_map(subdistrict=snap.subdistrict, communities=communities, compounds=compounds,
                          venues=venues, issues=issues, lang=lang, basemap=basemap,
                          open_counts=open_counts, focus_bounds=bounds, today=snap.today)
    map_col, side = st.columns([3, 1])
    with map_col:
        clicked = show_map(fmap, key="community_map", height=480, returned_objects=maps.RETURNED_OBJECTS,
                           lang=lang)
    with side:
        issue_id = maps.clicked_issue_id(clicked, issues, basemap=basemap)
        if issue_id is None:
            st.caption(t("click_hint", lang))
            return
        issue_card(issues[issues["issue_id"] == issue_id].iloc[0], names, snap.today, lang, key="cm")


st.subheader(t("map", lang))
access.toolbar(lang)
community_map()
access.issue_list(issues, snap.today, lang)

st.subheader(t("cm_venues", lang))
if venues.empty:
    st.caption(t("cm_no_venues", lang))
else:
    st.dataframe(community_view.five_haves_table(venues, lang), hide_index=True, width="stretch")
poster_panel(user, cid, venues, lang)  # staff only: the venues' QR posters

todo = stats.supervision_list(issues, snap.events, snap.today, days=community_view.STUCK_DAYS)
st.subheader(f"{t('cm_supervision', lang)} ({len(todo)})")
if todo.empty:
    st.info(t("cm_nothing", lang))
shown = community_view.supervision_table(todo, lang)
st.dataframe(shown, hide_index=True, width="stretch")
d1, d2 = st.columns(2)
d1.download_button(t("download_csv", lang), csv_bytes(shown), file_name=f"supervision-{cid}.csv", mime="text/csv",
                   key="cm_csv")
d2.download_button(t("download_geojson", lang), community_view.supervision_geojson(todo),
                   file_name=f"supervision-{cid}.geojson", mime="application/geo+json", key="cm_geojson")
