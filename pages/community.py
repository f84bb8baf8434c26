"""社区 Community: one community as its linked CPPCC member sees it: the map zoomed to it, its
venues against the five-haves standard, what to supervise next (overdue, stuck), and its
figures next to the subdistrict average; the supervision list downloads as CSV and GeoJSON.

The chosen community lives in the plain session key `selected_community`; a member account
starts at its own linked community.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import stats
from geo.export import to_geojson_text
from geo.schema import CATEGORIES, CPPCC_ROLES, FIVE_HAVES, MEMBER_ROLES, STAGES, VENUE_KINDS
from ui import auth, data, maps
from ui.i18n import enum_label, field_label, t
from ui.safe import md
from ui.shell import header
from ui.tables import csv_bytes

SELECTED = "selected_community"
SELECTED_ISSUE = "selected_issue"
_PICK_COMM, _PICK_MEMBER = "_cm_community", "_cm_member"
#: An open issue whose last stage change is older than this is on the supervision list.
STUCK_DAYS = 30
#: The only issue fields the supervision GeoJSON carries (never a resident's data).
EXPORT_FIELDS = ("issue_id", "title", "category", "stage", "community_id", "reported_on", "due_on",
                 "responsible_unit", "days_overdue", "days_in_stage", "reasons")

user = auth.require("view_map")
snap = data.snapshot()  # public fields only
lang = header("nav_community", as_of=snap.today.isoformat())

communities = snap.communities
if communities.empty:
    st.info(t("cm_no_community", lang))
    st.stop()
names = dict(zip(communities["community_id"], communities["name"]))
cppcc = snap.members[snap.members["role"].isin(CPPCC_ROLES)
                     & snap.members["linked_community_id"].isin(names)].sort_values("member_id")
member_of: dict[str, list[str]] = {}
for m in cppcc.itertuples():
    member_of.setdefault(m.linked_community_id, []).append(m.member_id)
member_names = dict(zip(cppcc["member_id"], cppcc["name"]))
member_roles = dict(zip(cppcc["member_id"], cppcc["role"]))
member_community = dict(zip(cppcc["member_id"], cppcc["linked_community_id"]))

# ------------------------------------------------------------------ which community

if st.session_state.get(SELECTED) not in names:
    own = user.community_id if user.role == "member" else None
    st.session_state[SELECTED] = own if own in names else next(iter(names))


def _community_picked() -> None:
    st.session_state[SELECTED] = st.session_state[_PICK_COMM]


def _member_picked() -> None:
    member = st.session_state.get(_PICK_MEMBER)
    if member in member_community:
        st.session_state[SELECTED] = member_community[member]


cid = st.session_state[SELECTED]
st.session_state[_PICK_COMM] = cid
st.session_state[_PICK_MEMBER] = (member_of.get(cid) or [None])[0]
left, right = st.columns(2)
left.selectbox(t("cm_choose_member", lang), list(member_names), key=_PICK_MEMBER, index=None,
               on_change=_member_picked, placeholder=t("cm_member_none", lang),
               format_func=lambda m: f"{member_names.get(m, m)} · "
                                     f"{enum_label(MEMBER_ROLES, member_roles.get(m), lang)} · "
                                     f"{names.get(member_community.get(m), '')}")
right.selectbox(t("f_community", lang), list(names), key=_PICK_COMM, on_change=_community_picked,
                format_func=lambda c: names.get(c, c))

linked = [f"{member_names[m]}（{enum_label(MEMBER_ROLES, member_roles[m], lang)}）"
          for m in member_of.get(cid, [])]
st.markdown(f"**{md(names[cid])}** · {t('members_linked', lang)}: {md('、'.join(linked) or t('none', lang))}")

issues = snap.issues[snap.issues["community_id"] == cid]
compounds = snap.compounds[snap.compounds["community_id"] == cid]
venues = snap.venues[snap.venues["community_id"] == cid]

# ------------------------------------------------------------------ figures next to the average

per = stats.per_community(snap.issues, communities, snap.today)
mine = per[per["community_id"] == cid].iloc[0]
average = per[["total", "open", "overdue", "done", "satisfaction"]].mean(numeric_only=True)
st.markdown(f"**{t('cm_figures', lang)}**")
figures = (("total", "total", "off"), ("open", "open", "inverse"), ("overdue", "overdue", "inverse"),
           ("done", "done", "normal"), ("satisfaction", "kpi_satisfaction", "normal"))
for column, (field, key, colour) in zip(st.columns(len(figures)), figures):
    value, avg = mine[field], average[field]
    if pd.isna(value):
        column.metric(t(key, lang), "—")
        continue
    digits = 2 if field == "satisfaction" else 0
    column.metric(t(key, lang), f"{value:.{digits}f}", delta=f"{value - avg:+.{max(digits, 1)}f}",
                  delta_color=colour, delta_description=t("cm_vs_avg", lang).format(v=f"{avg:.{max(digits, 1)}f}"))


# ------------------------------------------------------------------ the map


@st.fragment
def community_map() -> None:
    """The community's compounds, venues and issues, zoomed to its polygon."""
    map_col, side = st.columns([3, 1])
    with side:
        basemap = st.radio(t("basemap", lang), maps.BASEMAPS, key="cm_basemap",
                           format_func=lambda b: t(f"basemap_{b}", lang))
    polygon = communities[communities["community_id"] == cid]
    bounds = tuple(float(v) for v in polygon.total_bounds)
    open_counts = snap.issues[stats.is_open(snap.issues)]["community_id"].value_counts().to_dict()
    fmap = maps.build_map(subdistrict=snap.subdistrict, communities=communities, compounds=compounds,
                          venues=venues, issues=issues, lang=lang, basemap=basemap,
                          open_counts=open_counts, focus_bounds=bounds)
    with map_col:
        clicked = st_folium(fmap, key="community_map", height=480, width="stretch",
                            returned_objects=maps.RETURNED_OBJECTS)
    with side:
        issue_id = maps.clicked_issue_id(clicked, issues, basemap=basemap)
        if issue_id is None:
            st.caption(t("click_hint", lang))
            return
        st.markdown(f"**{md(issue_id)} · {md(issues.loc[issues['issue_id'] == issue_id, 'title'].iloc[0])}**")
        if st.button(t("open_issue_page", lang), key="cm_open_issue"):
            st.session_state[SELECTED_ISSUE] = issue_id
            st.switch_page("pages/issue.py")


st.subheader(t("map", lang))
community_map()

# ------------------------------------------------------------------ venues: the five haves

st.subheader(t("cm_venues", lang))
if venues.empty:
    st.caption(t("cm_no_venues", lang))
else:
    table = pd.DataFrame({
        field_label("venues", "name", lang): venues["name"],
        field_label("venues", "kind", lang): venues["kind"].map(lambda k: enum_label(VENUE_KINDS, k, lang)),
        **{FIVE_HAVES.label(code, lang): venues[code].map(lambda f: "✓" if f is True else "✗")
           for code in FIVE_HAVES.codes},
        t("cm_five_count", lang): venues[list(FIVE_HAVES.codes)].eq(True).sum(axis=1).map(lambda n: f"{n}/5"),
    })
    st.dataframe(table, hide_index=True, width="stretch")

# ------------------------------------------------------------------ supervision list


def supervision() -> pd.DataFrame:
    """Open issues to push on: overdue (implementing past its deadline) or stuck > STUCK_DAYS."""
    stage_events = snap.events[snap.events["kind"].isna() | (snap.events["kind"] == "stage")]
    late = stats.overdue(issues, snap.today).set_index("issue_id")["days_overdue"]
    in_stage = stats.stuck(issues, stage_events, snap.today, days=-10**6).set_index("issue_id")["days_in_stage"]
    stuck_ids = set(in_stage[in_stage > STUCK_DAYS].index)
    chosen = issues[issues["issue_id"].isin(set(late.index) | stuck_ids)].copy()
    chosen["days_overdue"] = chosen["issue_id"].map(late).astype("Int64")
    chosen["days_in_stage"] = chosen["issue_id"].map(in_stage).astype("Int64")

    def reasons(row: pd.Series) -> str:
        out = []
        if row["issue_id"] in late.index:
            out.append("implementing_overdue" if row["stage"] == "implementing" else "overdue")
        if row["issue_id"] in stuck_ids:
            out.append("stuck")
        return ",".join(out)

    chosen["reasons"] = chosen.apply(reasons, axis=1) if len(chosen) else pd.Series(dtype=str)
    return chosen.sort_values(["days_overdue", "days_in_stage"], ascending=False, na_position="last")


def reason_label(codes: str) -> str:
    return "；".join(t(f"cm_reason_{c}", lang).format(d=STUCK_DAYS) for c in codes.split(",") if c)


todo = supervision()
st.subheader(f"{t('cm_supervision', lang)} ({len(todo)})")
if todo.empty:
    st.info(t("cm_nothing", lang))
shown = pd.DataFrame({
    field_label("issues", "issue_id", lang): todo["issue_id"],
    field_label("issues", "title", lang): todo["title"],
    field_label("issues", "category", lang): todo["category"].map(lambda c: enum_label(CATEGORIES, c, lang)),
    field_label("issues", "stage", lang): todo["stage"].map(lambda c: enum_label(STAGES, c, lang)),
    field_label("issues", "due_on", lang): todo["due_on"].fillna(""),
    field_label("issues", "responsible_unit", lang): todo["responsible_unit"].fillna(""),
    t("days_overdue", lang): todo["days_overdue"],
    t("days_in_stage", lang): todo["days_in_stage"],
    t("cm_reason", lang): todo["reasons"].map(reason_label),
})
st.dataframe(shown, hide_index=True, width="stretch")
d1, d2 = st.columns(2)
d1.download_button(t("download_csv", lang), csv_bytes(shown), file_name=f"supervision-{cid}.csv", mime="text/csv", key="cm_csv")
d2.download_button(t("download_geojson", lang), to_geojson_text(todo[[*EXPORT_FIELDS, "geometry"]]).encode("utf-8"),
                   file_name=f"supervision-{cid}.geojson", mime="application/geo+json", key="cm_geojson")
