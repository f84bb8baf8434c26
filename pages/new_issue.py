"""新建议题 New issue: pick the place (map click or typed WGS84 coordinates), see at once where
it falls (community, compound, nearest venue, linked members: geo.joins.place over the cached layers),
then save it through yishi.services.workflow.create_issue and go on to its page. After a save the
form is empty again and the new issue is announced below it (where the click was) and in a toast;
a second click on the same submission writes nothing (ui.forms).

The chosen point lives in the plain session key `new_issue_point` ((lon, lat), WGS84), so a
rerun of the map fragment, a typed coordinate and a page switch all see the same place.
"""

from __future__ import annotations

import streamlit as st

from ui import auth, data, errors, forms, issue_view, maps
from ui.i18n import choice, t
from ui.maps import nearby
from ui.maps.widget import show_map
from ui.shell import header

#: The picking map reports only where it was clicked (no rerun on pan or zoom).
PICK_RETURNED = ["last_clicked"]

user = auth.require("create")
# The layers only (no resident's data is needed to place a point); a store too big to read
# whole gives its places, and the map the issues around the chosen point.
whole = data.snapshot_fits()
snap = data.snapshot(issue_ids=None if whole else ())
lang = header("nav_new_issue", as_of=snap.today.isoformat())

# Before any widget of the form: after a save it starts empty (in the browser too), and a
# second click on the form as it was drawn before the save writes nothing (ui.forms).
forms.begin(issue_view.NEW_ISSUE_FORM, defaults=issue_view.NEW_ISSUE_DEFAULTS)
forms.show_toast()
st.caption(t("ni_intro", lang))


@st.fragment
@errors.guarded  # a fragment's own rerun does not pass through the page's guard
def pick_map() -> None:
    """The map; a click anywhere becomes the point (the whole page reruns to show its place)."""
    basemap = choice(st.radio, t("basemap", lang), maps.BASEMAPS, key="ni_basemap", lang=lang,
                     horizontal=True, format_func=lambda b: t(f"basemap_{b}", lang))
    point = st.session_state.get(issue_view.POINT)
    compounds, venues = nearby.places_to_draw(snap.compounds, snap.venues, point)
    around = nearby.box_around(point) if point and not whole else None  # a city: zoomed to the point
    issues = data.issues_in(around) if around else snap.issues
    fmap = maps.build_map(subdistrict=snap.subdistrict, communities=snap.communities, compounds=compounds,
                          venues=venues, issues=issues, lang=lang, basemap=basemap, focus_bounds=around)
    issue_view.add_point_marker(fmap, point, basemap)
    clicked = show_map(fmap, key="new_issue_map", height=520, returned_objects=PICK_RETURNED, lang=lang)
    where = issue_view.new_click(clicked, basemap)
    if where is not None:
        issue_view.set_point(*where)
        st.rerun(scope="app")


pick_map()
point = issue_view.point_inputs(lang)
forms.under(issue_view.NEW_ISSUE_FORM, "point")

st.markdown(f"**{t('ni_place', lang)}**")
if point is None:
    st.info(t("ni_no_point", lang))
else:
    hit = issue_view.place_of(point, snap)
    if hit["unassigned"]:
        st.warning(t("ni_outside", lang))
    st.dataframe(issue_view.place_table(hit, snap, lang), hide_index=True, width="stretch")

st.markdown(f"**{t('ni_details', lang)}**")
new = issue_view.new_issue_form(private=user.can("view_private"), lang=lang)
if new is not None:
    issue_view.save_new_issue(point, new, user, lang)
issue_view.created_notice(lang)  # below the save button: where the eye is after the click
