"""新建议题 New issue: pick the place (map click or typed WGS84 coordinates), see at once where
it falls (community, compound, nearest venue, linked members: geo.joins.assign), then save it
through geo.workflow.create_issue and go on to its page.

The chosen point lives in the plain session key `new_issue_point` ((lon, lat), WGS84), so a
rerun of the map fragment, a typed coordinate and a page switch all see the same place.
"""

from __future__ import annotations

import math
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from geo import workflow
from geo.coords import gcj02_to_wgs84, wgs84_to_gcj02
from geo.errors import InputError, PermissionDenied, WorkflowError
from geo.joins import assign
from geo.schema import CATEGORIES, FOCUS_AREAS, MEMBER_ROLES, WGS84
from ui import auth, data, maps
from ui.i18n import enum_label, field_label, t
from ui.safe import md
from ui.shell import header

POINT = "new_issue_point"
SELECTED = "selected_issue"
#: The picking map reports only where it was clicked (no rerun on pan or zoom).
PICK_RETURNED = ["last_clicked"]
_SEEN, _SEEDED, _CREATED = "_ni_click_seen", "_ni_seeded", "_ni_created"
_LON, _LAT = "_ni_lon", "_ni_lat"
_FORM_KEYS = ("ni_title", "ni_category", "ni_focus", "ni_description", "ni_residents",
              "ni_reporter_name", "ni_reporter_phone")

user = auth.require("create_issue")
snap = data.snapshot()  # the layers only: no resident's data is needed to place a point
lang = header("nav_new_issue", as_of=snap.today.isoformat())

created = st.session_state.get(_CREATED)
if created:
    st.success(t("ni_saved", lang).format(id=created))
    if st.button(t("open_issue_page", lang), key="ni_open", type="primary"):
        st.session_state[SELECTED] = created
        st.session_state.pop(_CREATED, None)
        st.switch_page("pages/issue.py")

st.caption(t("ni_intro", lang))


def _set_point(lon: float, lat: float) -> None:
    st.session_state[POINT] = (round(float(lon), 6), round(float(lat), 6))


@st.fragment
def pick_map() -> None:
    """The map; a click anywhere becomes the point (the whole page reruns to show its place)."""
    basemap = st.radio(t("basemap", lang), maps.BASEMAPS, key="ni_basemap", horizontal=True,
                       format_func=lambda b: t(f"basemap_{b}", lang))
    fmap = maps.build_map(subdistrict=snap.subdistrict, communities=snap.communities,
                          compounds=snap.compounds, venues=snap.venues, issues=snap.issues,
                          lang=lang, basemap=basemap)
    point = st.session_state.get(POINT)
    if point:
        lon, lat = wgs84_to_gcj02(*point) if basemap == "amap" else point
        folium.CircleMarker([float(lat), float(lon)], radius=9, color="#b71c1c", weight=3,
                            fill=True, fill_color="#ff5252", fill_opacity=0.9).add_to(fmap)
    clicked = st_folium(fmap, key="new_issue_map", height=520, width="stretch",
                        returned_objects=PICK_RETURNED)
    where = (clicked or {}).get("last_clicked")
    if isinstance(where, dict) and where != st.session_state.get(_SEEN):
        st.session_state[_SEEN] = where
        lon, lat = where.get("lng"), where.get("lat")
        if isinstance(lon, (int, float)) and isinstance(lat, (int, float)):
            if basemap == "amap":  # AMap tiles are GCJ-02: store WGS84
                lon, lat = gcj02_to_wgs84(lon, lat)
            _set_point(lon, lat)
            st.rerun(scope="app")


def _typed() -> None:
    lon, lat = st.session_state.get(_LON), st.session_state.get(_LAT)
    if lon is not None and lat is not None and math.isfinite(lon) and math.isfinite(lat):
        _set_point(lon, lat)


pick_map()

point = st.session_state.get(POINT)
if st.session_state.get(_SEEDED) != point or _LON not in st.session_state:
    # show a new point (map click, page switch) in the inputs; keep a half-typed pair otherwise
    st.session_state[_LON], st.session_state[_LAT] = point if point else (None, None)
    st.session_state[_SEEDED] = point
a, b = st.columns(2)
a.number_input(t("ni_lon", lang), value=None, step=0.0001, format="%.6f", key=_LON, on_change=_typed)
b.number_input(t("ni_lat", lang), value=None, step=0.0001, format="%.6f", key=_LAT, on_change=_typed)


def place_of(lon: float, lat: float) -> pd.Series:
    """Where the point falls, by the same spatial join as every stored issue."""
    points = gpd.GeoDataFrame(geometry=[shapely.Point(lon, lat)], crs=WGS84)
    return assign(points, communities=snap.communities, compounds=snap.compounds,
                  venues=snap.venues, members=snap.members).iloc[0]


def place_table(hit: pd.Series) -> pd.DataFrame:
    communities = dict(zip(snap.communities["community_id"], snap.communities["name"]))
    compounds = dict(zip(snap.compounds["compound_id"], snap.compounds["name"]))
    venues = dict(zip(snap.venues["venue_id"], snap.venues["name"]))
    members = snap.members.set_index("member_id")
    linked = [f"{members.loc[m, 'name']}（{enum_label(MEMBER_ROLES, members.loc[m, 'role'], lang)}）"
              for m in (hit["member_ids"] if isinstance(hit["member_ids"], (list, tuple)) else [])
              if m in members.index]
    distance = hit["venue_distance_m"]
    rows = [
        (field_label("communities", "name", lang), communities.get(hit["community_id"], t("unassigned", lang))),
        (field_label("compounds", "name", lang), compounds.get(hit["compound_id"], "—")),
        (t("iss_nearest_venue", lang), venues.get(hit["venue_id"], "—")),
        (t("venue_distance_m", lang), "—" if pd.isna(distance) else f"{float(distance):,.0f}"),
        (t("members_linked", lang), "、".join(linked) or t("none", lang)),
    ]
    return pd.DataFrame(rows, columns=[t("iss_field", lang), t("iss_value", lang)])


st.markdown(f"**{t('ni_place', lang)}**")
if point is None:
    st.info(t("ni_no_point", lang))
else:
    hit = place_of(*point)
    if bool(hit["unassigned"]):
        st.warning(t("ni_outside", lang))
    st.dataframe(place_table(hit), hide_index=True, width="stretch")


def _save(values: dict[str, Any], title: str, category: str, focus: str | None) -> None:
    if point is None:
        st.error(t("ni_need_point", lang))
        return
    try:
        with data.open_store() as store:
            new_id = workflow.create_issue(store, lon=point[0], lat=point[1], title=title,
                                           category=category, focus=focus, values=values,
                                           by=user.username, user=user)
    except (WorkflowError, PermissionDenied, InputError) as refused:
        problems = getattr(refused, "problems", None) or [str(refused)]
        st.error(t("act_refused", lang) + "\n\n" + "\n".join(f"- {md(p)}" for p in problems))
        return
    st.session_state[_CREATED] = new_id
    st.session_state[SELECTED] = new_id
    st.session_state[POINT] = None
    for key in _FORM_KEYS:
        st.session_state.pop(key, None)
    st.rerun()


st.markdown(f"**{t('ni_details', lang)}**")
with st.form("new_issue_form"):
    title = st.text_input(field_label("issues", "title", lang) + " *", key="ni_title", max_chars=200)
    c1, c2, c3 = st.columns(3)
    category = c1.selectbox(field_label("issues", "category", lang) + " *", CATEGORIES.codes, key="ni_category",
                            format_func=lambda c: enum_label(CATEGORIES, c, lang))
    focus = c2.selectbox(field_label("issues", "focus", lang), FOCUS_AREAS.codes, index=None, key="ni_focus",
                         format_func=lambda c: enum_label(FOCUS_AREAS, c, lang),
                         placeholder=t("ni_focus_auto", lang))
    residents = c3.number_input(field_label("issues", "residents_affected", lang), min_value=0, value=None,
                                step=1, key="ni_residents")
    description = st.text_area(field_label("issues", "description", lang), key="ni_description")
    values: dict[str, Any] = {"description": description, "residents_affected": residents}
    if user.can("view_private"):
        st.caption(t("ni_reporter", lang))
        r1, r2 = st.columns(2)
        values["reporter_name"] = r1.text_input(field_label("issues", "reporter_name", lang), key="ni_reporter_name")
        values["reporter_phone"] = r2.text_input(field_label("issues", "reporter_phone", lang),
                                                 key="ni_reporter_phone")
    saved = st.form_submit_button(t("ni_save", lang), type="primary", key="ni_save")
if saved:
    st.session_state.pop(_CREATED, None)
    _save({k: v for k, v in values.items() if v not in (None, "")}, title, category, focus)
