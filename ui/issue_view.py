"""The issue and new-issue pages' widgets: which issue (URL, map click, picker), its record, place,
timeline and meetings as tables, writing (the action forms are `ui.issue_actions`), and placing
and saving a new issue.

yishi.services.workflow decides what may happen and checks every write, geo.joins.place says
where a point falls (over the cached snapshot); these helpers only gather the inputs, draw the
answers, and show a refusal with all of its reasons in the reader's language. Private fields
appear only in the tables of a caller that passes `private=True` (a role that may `view_private`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from geo import procedure, stats
from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02
from geo.errors import Message, msg
from geo.joins import place
from geo.schema import CATEGORIES, EVENT_KINDS, FOCUS_AREAS, ISSUES, METHODS, STAGES, WGS84
from geo.text import strip_invisible
from geo.words import CATALOGUE
from geo.values import is_blank
from yishi.accounts import User
from yishi.services import workflow
from yishi.services.snapshot import Snapshot
from yishi.storage import Store
from ui import forms
from ui.i18n import enum_label, field_label, t
from ui.safe import max_chars, md, token
from ui.tables import ISSUE_ENUMS, members_text, metres_text, satisfaction_text, text, text_cells


SELECTED = "selected_issue"  # plain key shared by the overview, community and new-issue pages
_PICK, _URL_SEEN, _FLASH = "_issue_pick", "_issue_url_seen", "_issue_flash"

POINT = "new_issue_point"  # plain key: the new issue's (lon, lat) in WGS84
#: The new issue just saved (its id, and its title), until its page is opened or another is saved.
CREATED, _CREATED_TITLE, _SHOW_CREATED = "_ni_created", "_ni_created_title", "_ni_show_created"
#: Keeps the saved notice (container key "ni_created") in view for 15 s after the save: the
#: map above reloads without the point and shifts the page meanwhile. A scroll, touch or key
#: of the user's stops it at once.
_KEEP_IN_VIEW = """<script>(() => {
  let stop = false, n = 0;
  for (const e of ["wheel", "touchstart", "keydown"]) addEventListener(e, () => { stop = true; }, {once: true, passive: true});
  const keep = () => {
    const box = document.querySelector(".st-key-ni_created");
    if (stop) return;
    if (box) {
      const r = box.getBoundingClientRect();
      if (r.top < 0 || r.bottom > innerHeight) box.scrollIntoView({block: "nearest"});
    }
    if (++n < 100) setTimeout(keep, 150);  // 15 s: the map may reload late on a busy server
  };
  keep();
})();</script>"""
_SEEN, _SEEDED = "_ni_click_seen", "_ni_seeded"
_LON, _LAT = "_ni_lon", "_ni_lat"
NEW_ISSUE_FORM = "new_issue_form"
#: The new-issue widgets as an empty form shows them: set (not popped) after a save, so that the
#: browser empties them too (see ui.forms).
NEW_ISSUE_DEFAULTS: dict[str, Any] = {
    "ni_title": "", "ni_category": CATEGORIES.codes[0], "ni_focus": None, "ni_residents": None,
    "ni_description": "", "ni_reporter_name": "", "ni_reporter_phone": "", POINT: None}


def select_issue(issue_id: str) -> None:
    """Make `issue_id` the issue page's choice (before switching to it)."""
    st.session_state[SELECTED] = issue_id


# ------------------------------------------------------------------ which issue


def wanted_issue() -> str | None:
    """The issue asked for: `?issue=` in the URL (once per new value), else the plain key
    SELECTED that other pages set."""
    wanted = st.query_params.get("issue")
    if wanted is not None and wanted != st.session_state.get(_URL_SEEN):
        st.session_state[_URL_SEEN] = wanted
        st.session_state[SELECTED] = wanted
    return st.session_state.get(SELECTED)


def choose_issue(titles: dict[str, str], lang: str) -> str | None:
    """Draw the issue picker; return the chosen issue id, or None when there is none.

    `?issue=` in the URL chooses once per new value; otherwise the plain key SELECTED (set by
    other pages). An unknown id gets a translated "not found" with a way back, and no issue
    is chosen for the user: opening some other issue instead would mislead. The choice is
    written back to the URL so the view can be shared.
    """
    def picked() -> None:
        st.session_state[SELECTED] = st.session_state[_PICK]

    issue_id = wanted_issue()
    if issue_id is not None and issue_id not in titles:
        st.error(t("iss_not_found", lang, issue_id=token(str(issue_id))))
        st.page_link("pages/overview.py", label=t("iss_back_to_overview", lang), icon=":material/arrow_back:")
        issue_id = None
    st.session_state[_PICK] = issue_id
    st.selectbox(t("iss_choose", lang), list(titles), key=_PICK, on_change=picked, index=None,
                 placeholder=t("iss_choose_placeholder", lang),
                 format_func=lambda i: f"{i} · {strip_invisible(str(titles.get(i, '')))}")
    if issue_id is None:
        st.query_params.pop("issue", None)
        return None
    st.query_params["issue"] = issue_id
    st.session_state[_URL_SEEN] = issue_id
    return issue_id


def pop_flash() -> str | None:
    """The message a successful action left for the rerun it caused (shown once, and as a toast:
    the forms are at the bottom of the page, where the eye is after a click)."""
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.toast(md(flash), icon=":material/check_circle:")
    return flash


# ------------------------------------------------------------------ record and place


def summary_line(issue: pd.Series, names: dict[str, str], lang: str) -> str:
    """Markdown: stage, category, focus and community of the issue (stored text escaped)."""
    return (f"{t('iss_stage_now', lang)} **{md(enum_label(STAGES, str(issue['stage']), lang))}** · "
            f"{md(enum_label(CATEGORIES, issue['category'], lang))} · "
            f"{md(enum_label(FOCUS_AREAS, issue['focus'], lang))} · "
            f"{md(names.get(issue['community_id'], t('unassigned', lang)))}")


def record_table(issue: pd.Series, *, private: bool, lang: str) -> pd.DataFrame:
    """Every field of the issue (private ones only when `private`), as text, then its lon/lat."""
    fields = ISSUES.field_names if private else ISSUES.public_fields
    rows = []
    for name in fields:
        value = issue.get(name)
        if name in ISSUE_ENUMS and not is_blank(value):
            value = enum_label(ISSUE_ENUMS[name], value, lang)
        elif name == "satisfaction":
            value = satisfaction_text(value)
        rows.append((field_label("issues", name, lang), text(value)))
    geom = issue.geometry
    if geom is not None and not geom.is_empty:
        rows.append((t("iss_lonlat", lang), f"{geom.x:.6f}, {geom.y:.6f}"))
    return pd.DataFrame(rows, columns=[t("iss_field", lang), t("iss_value", lang)])


def place_of(point: tuple[float, float], snap: Snapshot) -> pd.Series:
    """Where a (lon, lat) point falls among the snapshot's layers (`geo.joins.place`, no store
    read): the columns `place_table` shows. An issue of the snapshot carries them already."""
    return place(gpd.GeoSeries([shapely.Point(*point)], crs=WGS84), communities=snap.communities,
                 compounds=snap.compounds, venues=snap.venues, members=snap.members).iloc[0]


def place_table(hit: Mapping[str, Any], snap: Snapshot, lang: str) -> pd.DataFrame:
    """Where a point falls, from the join's ids (an issue of the snapshot, or `place_of`):
    community, compound, nearest venue and its distance, linked members, named from `snap`."""
    def name(layer: pd.DataFrame, id_field: str) -> str:
        names = layer.loc[layer[id_field] == hit.get(id_field), "name"]
        return text(names.iloc[0] if len(names) else None)

    rows = [
        (field_label("communities", "name", lang),
         t("unassigned", lang) if hit.get("unassigned", True) else name(snap.communities, "community_id")),
        (field_label("compounds", "name", lang), name(snap.compounds, "compound_id")),
        (t("iss_nearest_venue", lang), name(snap.venues, "venue_id")),
        (t("venue_distance_m", lang), metres_text(hit.get("venue_distance_m"))),
        (t("members_linked", lang), members_text(hit.get("member_ids"), snap.members, lang)),
    ]
    return pd.DataFrame(rows, columns=[t("iss_field", lang), t("iss_value", lang)])


def field_line(issue: pd.Series, fields: tuple[str, ...], lang: str) -> str:
    """Markdown "label: value · label: value" for issue fields (values escaped, "—" if missing)."""
    return " · ".join(f"{field_label('issues', name, lang)}: {md(text(issue.get(name)))}" for name in fields)


def due_notice(issue_row: pd.DataFrame, today: date, lang: str) -> None:
    """Draw how far past its deadline the issue is (an error), or how many days are left."""
    issue = issue_row.iloc[0]
    if bool(stats.is_overdue(issue_row, today).iloc[0]):
        days = int(stats.overdue(issue_row, today)["days_overdue"].iloc[0])
        st.error(t("iss_overdue_by", lang, n=days))
    elif not is_blank(issue.get("due_on")) and bool(stats.is_open(issue_row).iloc[0]):
        left_days = (pd.Timestamp(issue["due_on"]) - pd.Timestamp(today)).days
        st.info(t("iss_due_in", lang, n=left_days))


# ------------------------------------------------------------------ timeline and meetings


def events_of(events: pd.DataFrame, issue_id: str) -> pd.DataFrame:
    """The issue's events in the order they happened."""
    return events[events["issue_id"] == issue_id].sort_values(["at", "event_id"], kind="stable")


def _stage_changes(events: pd.DataFrame) -> pd.Series:
    return events["kind"].isna() | (events["kind"] == "stage")


def signature(by: Any, role: Any, lang: str) -> str:
    """Who wrote a timeline row: "王建国（政协委员）" for a row signed from an account (its
    `by_role`), the stored free text alone for imported and demo rows ("—" when none)."""
    name = text(by)
    if is_blank(role) or is_blank(by) or f"sig_role_{role}" not in CATALOGUE:
        return name
    return t("sig", lang, name=name, role=t(f"sig_role_{role}", lang))


def signed(events: pd.DataFrame, lang: str) -> pd.Series:
    """The `signature` of every row of `events`."""
    roles = events["by_role"] if "by_role" in events else pd.Series(None, index=events.index, dtype=object)
    return pd.Series([signature(b, r, lang) for b, r in zip(events["by"], roles)], index=events.index,
                     dtype=object)


def timeline_table(events: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The stage changes among `events`: when, from, to, who signed, note."""
    steps = events[_stage_changes(events)]
    return pd.DataFrame({
        field_label("issue_events", "at", lang): steps["at"],
        field_label("issue_events", "from_stage", lang): steps["from_stage"].map(
            lambda c: enum_label(STAGES, None if is_blank(c) else c, lang)),
        field_label("issue_events", "to_stage", lang): steps["to_stage"].map(lambda c: enum_label(STAGES, c, lang)),
        field_label("issue_events", "by", lang): signed(steps, lang),
        field_label("issue_events", "note", lang): text_cells(steps["note"]),
    })


def notes_table(events: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The other events (supervision notes, evaluations, corrections), kept apart from the stages."""
    notes = events[~_stage_changes(events)]
    return pd.DataFrame({
        field_label("issue_events", "at", lang): notes["at"],
        field_label("issue_events", "kind", lang): notes["kind"].map(lambda k: enum_label(EVENT_KINDS, k, lang)),
        field_label("issue_events", "by", lang): signed(notes, lang),
        field_label("issue_events", "note", lang): text_cells(notes["note"]),
    })


def meetings_table(meetings: pd.DataFrame, venues: pd.DataFrame, issue_id: str, lang: str) -> pd.DataFrame:
    """The issue's meetings by date: venue name, method, participants, consensus ✓/✗."""
    held = meetings[meetings["issue_id"] == issue_id].sort_values(["held_on", "meeting_id"])
    venue_names = dict(zip(venues["venue_id"], venues["name"]))
    return pd.DataFrame({
        field_label("meetings", "held_on", lang): held["held_on"],
        field_label("meetings", "venue_id", lang): held["venue_id"].map(lambda v: text(venue_names.get(v, v))),
        field_label("meetings", "method", lang): held["method"].map(lambda m: enum_label(METHODS, m, lang)),
        field_label("meetings", "participants", lang): held["participants"],
        field_label("meetings", "consensus", lang): held["consensus"].map(lambda c: "✓" if c is True else "✗"),
    })


# ------------------------------------------------------------------ writing


# ------------------------------------------------------------------ the action forms (ui.issue_actions)


def _submit(run: Callable[[Store], Any], done_text: str, lang: str, *, form: str | None = None) -> None:
    """Write; success reruns the page with a one-time notice (and a toast), a refusal stays on the
    form. `form` (the st.form key, prefix of its widget keys) makes a repeated submit a no-op."""
    if forms.write(run, lang, form=form)[0]:
        st.session_state[_FLASH] = t("act_saved", lang, what=done_text)
        st.rerun()


# ------------------------------------------------------------------ a new issue


def set_point(lon: float, lat: float) -> None:
    """Choose the new issue's place (WGS84, rounded to 1e-6 degrees, about 0.1 m)."""
    st.session_state[POINT] = (round(float(lon), 6), round(float(lat), 6))


def add_point_marker(fmap: folium.Map, point: tuple[float, float] | None, basemap: str) -> None:
    """Mark the chosen point on the map (shifted to GCJ-02 over AMap tiles)."""
    if not point:
        return
    lon, lat = wgs84_to_gcj02(*point) if basemap == "amap" else point
    folium.CircleMarker([float(lat), float(lon)], radius=9, color="#b71c1c", weight=3,
                        fill=True, fill_color="#ff5252", fill_opacity=0.9).add_to(fmap)


def new_click(clicked: Mapping[str, Any] | None, basemap: str) -> tuple[float, float] | None:
    """The WGS84 (lon, lat) of a map click not seen before, else None (AMap tiles are GCJ-02)."""
    where = (clicked or {}).get("last_clicked")
    if not isinstance(where, dict) or where == st.session_state.get(_SEEN):
        return None
    st.session_state[_SEEN] = where
    lon, lat = where.get("lng"), where.get("lat")
    if not (isinstance(lon, (int, float)) and isinstance(lat, (int, float))):
        return None
    return gcj02_to_wgs84(lon, lat) if basemap == "amap" else (lon, lat)


def point_inputs(lang: str) -> tuple[float, float] | None:
    """Draw the typed lon/lat inputs; return the chosen point.

    A new point (map click, page switch) is shown in the inputs; a half-typed pair is kept
    until both numbers are finite.
    """
    def typed() -> None:
        lon, lat = st.session_state.get(_LON), st.session_state.get(_LAT)
        if lon is not None and lat is not None and math.isfinite(lon) and math.isfinite(lat):
            set_point(lon, lat)

    point = st.session_state.get(POINT)
    if st.session_state.get(_SEEDED) != point or _LON not in st.session_state:
        st.session_state[_LON], st.session_state[_LAT] = point if point else (None, None)
        st.session_state[_SEEDED] = point
    a, b = st.columns(2)
    a.number_input(t("ni_lon", lang), value=None, step=0.0001, format="%.6f", key=_LON, on_change=typed)
    b.number_input(t("ni_lat", lang), value=None, step=0.0001, format="%.6f", key=_LAT, on_change=typed)
    return point


@dataclass(frozen=True)
class NewIssue:
    """What the new-issue form gathered; `values` holds only the optional fields filled in."""

    title: str
    category: str
    focus: str | None
    values: dict[str, Any]


def new_issue_form(*, private: bool, lang: str) -> NewIssue | None:
    """Draw the details form (reporter name and phone only when `private`), with a place for the
    summary of a refusal at its top and for each field's problems below it; the submission, or
    None when the form was not submitted on this run. Call `forms.begin(NEW_ISSUE_FORM, ...)` first."""
    form = NEW_ISSUE_FORM
    with st.form(form):
        forms.summary(form)
        title = st.text_input(field_label("issues", "title", lang) + " *", key="ni_title",
                              max_chars=max_chars("issues", "title"))
        forms.under(form, "title")
        c1, c2, c3 = st.columns(3)
        category = c1.selectbox(field_label("issues", "category", lang) + " *", CATEGORIES.codes, key="ni_category",
                                placeholder=t("bw_choose_option", lang),
                                format_func=lambda c: enum_label(CATEGORIES, c, lang))
        forms.under(form, "category", c1)
        focus = c2.selectbox(field_label("issues", "focus", lang), FOCUS_AREAS.codes, index=None, key="ni_focus",
                             format_func=lambda c: enum_label(FOCUS_AREAS, c, lang),
                             placeholder=t("ni_focus_auto", lang))
        forms.under(form, "focus", c2)
        residents = c3.number_input(field_label("issues", "residents_affected", lang), min_value=0, value=None,
                                    step=1, key="ni_residents")
        forms.under(form, "residents_affected", c3)
        description = st.text_area(field_label("issues", "description", lang), key="ni_description",
                                   max_chars=max_chars("issues", "description"))
        forms.under(form, "description")
        values: dict[str, Any] = {"description": description, "residents_affected": residents}
        if private:
            st.caption(t("ni_reporter", lang))
            r1, r2 = st.columns(2)
            values["reporter_name"] = r1.text_input(field_label("issues", "reporter_name", lang),
                                                    key="ni_reporter_name",
                                                    max_chars=max_chars("issues", "reporter_name"))
            forms.under(form, "reporter_name", r1)
            values["reporter_phone"] = r2.text_input(field_label("issues", "reporter_phone", lang),
                                                     key="ni_reporter_phone",
                                                     max_chars=max_chars("issues", "reporter_phone"))
            forms.under(form, "reporter_phone", r2)
        saved = st.form_submit_button(t("ni_save", lang), type="primary", key="ni_save")
    if not saved:
        return None
    return NewIssue(title, category, focus, {k: v for k, v in values.items() if v not in (None, "")})


def _problems_without_point(new: NewIssue) -> list[Message]:
    """Every problem of `new` when no place is chosen yet: "pick the place" and the rest at once."""
    problems, _ = procedure.new_issue(lon=None, lat=None, title=new.title, category=new.category,
                                      focus=new.focus, values=new.values, area=(0.0, 0.0, 0.0, 0.0),
                                      area_name=msg("wf_area_city"))
    return [msg("ni_need_point"), *(p for p in problems if forms.field_of(p) != "point")]


def save_new_issue(point: tuple[float, float] | None, new: NewIssue, user: User, lang: str) -> None:
    """Create the issue through yishi.services.workflow. Success remembers its id (CREATED, SELECTED),
    clears the point, leaves a toast and reruns (`forms.begin` then empties the form); a refusal
    shows every reason, each beside its field. A repeat of the last save (a double click, the
    same issue again, or the emptied form clicked again at once) writes nothing."""
    form, content = NEW_ISSUE_FORM, (point, new)
    if forms.repeated(form, content):
        done = forms.last_result(form)
        if done is not None and st.session_state.get(CREATED) != done:
            _announce(done, new.title, lang)  # the run that wrote it was stopped by this submit
        st.session_state[_SHOW_CREATED] = CREATED in st.session_state  # the saved one, brought into view
        forms.repeat_notice(lang)
        return
    st.session_state.pop(CREATED, None)
    if point is None:
        forms.show(form, _problems_without_point(new), lang)
        return
    ok, new_id = forms.write(lambda store: workflow.create_issue(
        store, lon=point[0], lat=point[1], title=new.title, category=new.category, focus=new.focus,
        values=new.values, by=user.username, user=user), lang, form=form, content=content)
    if ok:
        _announce(new_id, new.title, lang)


def _announce(new_id: str, title: str, lang: str) -> None:
    """After a save: remember the new issue (CREATED, SELECTED), clear the point, toast, rerun."""
    st.session_state[CREATED], st.session_state[_CREATED_TITLE] = new_id, title
    st.session_state[_SHOW_CREATED] = True
    select_issue(new_id)
    st.session_state[POINT] = None
    forms.toast_later(t("ni_saved", lang, id=new_id))
    st.rerun()


def created_notice(lang: str) -> None:
    """The issue just saved, where the eye is after the click (right below the form): its id and
    title, that the form is empty for the next one, and a button to its page."""
    created = st.session_state.get(CREATED)
    if not created:
        return
    with st.container(border=True, key="ni_created"):
        st.success(t("ni_saved_title", lang, id=md(created), title=md(st.session_state.get(_CREATED_TITLE, ""))),
                   icon=":material/check_circle:")
        st.caption(t("ni_form_cleared", lang))
        if st.button(t("open_issue_page", lang), key="ni_open", type="primary", icon=":material/open_in_new:"):
            select_issue(created)
            st.session_state.pop(CREATED, None)
            st.switch_page("pages/issue.py")
    if st.session_state.pop(_SHOW_CREATED, False):  # the run right after the save only
        st.html(_KEEP_IN_VIEW, unsafe_allow_javascript=True)
