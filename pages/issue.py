"""议题详情 Issue: one issue's whole record, where it falls, its timeline and meetings, and the
forms for the next step this account may take (geo.workflow decides and checks; this page draws).

The chosen issue lives in the plain session key `selected_issue` (the overview sets it on a map
click); `?issue=I0001` in the URL chooses one too. Reporter name and phone are read (and shown)
only for roles that may `view_private`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import stats, workflow
from geo.errors import InputError, PermissionDenied, WorkflowError
from geo.schema import (CATEGORIES, EVENT_KINDS, FOCUS_AREAS, ISSUES, MEMBER_ROLES, METHODS,
                        METRIC_CRS, STAGES)
from ui import auth, data
from ui.i18n import enum_label, field_label, t
from ui.safe import md, token
from ui.shell import header

SELECTED = "selected_issue"  # plain key shared with the overview
_PICK, _URL_SEEN, _FLASH = "_issue_pick", "_issue_url_seen", "_issue_flash"
_ENUMS = {"category": CATEGORIES, "focus": FOCUS_AREAS, "stage": STAGES, "method": METHODS}

user = auth.require("view_issue")
private = user.can("view_private")
snap = data.snapshot(include_private=private)
lang = header("nav_issue", as_of=snap.today.isoformat())

issues = snap.issues
if issues.empty:
    st.info(t("no_issues"))
    st.stop()
titles = dict(zip(issues["issue_id"], issues["title"]))


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    return "—" if _blank(value) else str(value)


def _cells(series: pd.Series) -> pd.Series:
    """Text cells for a table: missing values as empty cells (not "None")."""
    return series.map(lambda v: "" if _blank(v) else str(v))


# ------------------------------------------------------------------ which issue


def _picked() -> None:
    st.session_state[SELECTED] = st.session_state[_PICK]


wanted = st.query_params.get("issue")
if wanted is not None and wanted != st.session_state.get(_URL_SEEN):
    st.session_state[_URL_SEEN] = wanted
    if wanted in titles:
        st.session_state[SELECTED] = wanted
    else:
        st.warning(t("iss_unknown", lang) + token(wanted))
issue_id = st.session_state.get(SELECTED)
if issue_id not in titles:
    issue_id = issues["issue_id"].iloc[0]
st.session_state[SELECTED] = st.session_state[_PICK] = issue_id
st.selectbox(t("iss_choose", lang), list(titles), key=_PICK, on_change=_picked,
             format_func=lambda i: f"{i} · {titles.get(i, '')}")
st.query_params["issue"] = issue_id
st.session_state[_URL_SEEN] = issue_id

flash = st.session_state.pop(_FLASH, None)
if flash:
    st.success(md(flash))

issue = issues[issues["issue_id"] == issue_id].iloc[0]
stage = str(issue["stage"])
names = dict(zip(snap.communities["community_id"], snap.communities["name"]))
st.subheader(f"{md(issue_id)} · {md(issue['title'])}")
st.markdown(f"{t('iss_stage_now', lang)} **{md(enum_label(STAGES, stage, lang))}** · "
            f"{md(enum_label(CATEGORIES, issue['category'], lang))} · "
            f"{md(enum_label(FOCUS_AREAS, issue['focus'], lang))} · "
            f"{md(names.get(issue['community_id'], t('unassigned', lang)))}")

# ------------------------------------------------------------------ record and place


def record_table() -> pd.DataFrame:
    """Every field of the issue (private ones only for roles allowed to see them), as text."""
    fields = ISSUES.field_names if private else ISSUES.public_fields
    rows = []
    for name in fields:
        value = issue.get(name)
        if name in _ENUMS and not _blank(value):
            value = enum_label(_ENUMS[name], value, lang)
        elif name == "satisfaction" and not _blank(value):
            value = f"{float(value):.1f} / 5"
        rows.append((field_label("issues", name, lang), _text(value)))
    geom = issue.geometry
    if geom is not None and not geom.is_empty:
        rows.append((t("iss_lonlat", lang), f"{geom.x:.6f}, {geom.y:.6f}"))
    return pd.DataFrame(rows, columns=[t("iss_field", lang), t("iss_value", lang)])


def place_table() -> pd.DataFrame:
    """The derived facts: community, compound, nearest venue and distance, linked members."""
    compounds = dict(zip(snap.compounds["compound_id"], snap.compounds["name"]))
    venues = dict(zip(snap.venues["venue_id"], snap.venues["name"]))
    members = snap.members.set_index("member_id")
    linked = []
    member_ids = issue.get("member_ids")
    for member_id in member_ids if isinstance(member_ids, (list, tuple)) else []:
        if member_id in members.index:
            member = members.loc[member_id]
            linked.append(f"{member['name']}（{enum_label(MEMBER_ROLES, member['role'], lang)}）")
    distance = issue.get("venue_distance_m")
    rows = [
        (field_label("communities", "name", lang), names.get(issue.get("community_id"), t("unassigned", lang))),
        (field_label("compounds", "name", lang), _text(compounds.get(issue.get("compound_id")))),
        (t("iss_nearest_venue", lang), _text(venues.get(issue.get("venue_id")))),
        (t("venue_distance_m", lang), "—" if _blank(distance) else f"{float(distance):,.0f}"),
        (t("members_linked", lang), "、".join(linked) or t("none", lang)),
    ]
    return pd.DataFrame(rows, columns=[t("iss_field", lang), t("iss_value", lang)])


left, right = st.columns([3, 2])
with left:
    st.markdown(f"**{t('iss_record', lang)}**")
    st.dataframe(record_table(), hide_index=True, width="stretch", height="content",
                 column_config={t("iss_value", lang): st.column_config.TextColumn(width="large")})
with right:
    st.markdown(f"**{t('iss_place', lang)}**")
    st.dataframe(place_table(), hide_index=True, width="stretch")

    st.markdown(f"**{t('iss_follow_up', lang)}**")
    st.markdown(f"{field_label('issues', 'stakeholders', lang)}: {md(_text(issue.get('stakeholders')))}")
    st.markdown(f"{field_label('issues', 'responsible_unit', lang)}: {md(_text(issue.get('responsible_unit')))} · "
                f"{field_label('issues', 'responsible_person', lang)}: {md(_text(issue.get('responsible_person')))} · "
                f"{field_label('issues', 'due_on', lang)}: {md(_text(issue.get('due_on')))}")
    frame = issues[issues["issue_id"] == issue_id]
    if bool(stats.is_overdue(frame, snap.today).iloc[0]):
        days = int(stats.overdue(frame, snap.today)["days_overdue"].iloc[0])
        st.error(t("iss_overdue_by", lang).format(n=days))
    elif not _blank(issue.get("due_on")) and bool(stats.is_open(frame).iloc[0]):
        left_days = (pd.Timestamp(issue["due_on"]) - pd.Timestamp(snap.today)).days
        st.info(t("iss_due_in", lang).format(n=left_days))
    st.markdown(f"{field_label('issues', 'result_public', lang)}: {md(_text(issue.get('result_public')))}")
    sat = issue.get("satisfaction")
    st.metric(field_label("issues", "satisfaction", lang), "—" if _blank(sat) else f"{float(sat):.1f} / 5")

# ------------------------------------------------------------------ timeline and meetings

events = snap.events[snap.events["issue_id"] == issue_id].sort_values(["at", "event_id"], kind="stable")
is_stage = events["kind"].isna() | (events["kind"] == "stage")
st.markdown(f"**{t('iss_timeline', lang)}**")
steps = pd.DataFrame({
    field_label("issue_events", "at", lang): events.loc[is_stage, "at"],
    field_label("issue_events", "from_stage", lang): events.loc[is_stage, "from_stage"].map(
        lambda c: enum_label(STAGES, None if _blank(c) else c, lang)),
    field_label("issue_events", "to_stage", lang): events.loc[is_stage, "to_stage"].map(
        lambda c: enum_label(STAGES, c, lang)),
    field_label("issue_events", "by", lang): _cells(events.loc[is_stage, "by"]),
    field_label("issue_events", "note", lang): _cells(events.loc[is_stage, "note"]),
})
st.dataframe(steps, hide_index=True, width="stretch", height="content")

notes_col, meetings_col = st.columns(2)
with notes_col:
    st.markdown(f"**{t('iss_notes', lang)}**")
    notes = events[~is_stage]
    if notes.empty:
        st.caption(t("iss_no_notes", lang))
    else:
        st.dataframe(pd.DataFrame({
            field_label("issue_events", "at", lang): notes["at"],
            field_label("issue_events", "kind", lang): notes["kind"].map(lambda k: enum_label(EVENT_KINDS, k, lang)),
            field_label("issue_events", "by", lang): _cells(notes["by"]),
            field_label("issue_events", "note", lang): _cells(notes["note"]),
        }), hide_index=True, width="stretch")
with meetings_col:
    st.markdown(f"**{t('iss_meetings', lang)}**")
    held = snap.meetings[snap.meetings["issue_id"] == issue_id].sort_values(["held_on", "meeting_id"])
    venue_names = dict(zip(snap.venues["venue_id"], snap.venues["name"]))
    if held.empty:
        st.caption(t("iss_no_meetings", lang))
    else:
        st.dataframe(pd.DataFrame({
            field_label("meetings", "held_on", lang): held["held_on"],
            field_label("meetings", "venue_id", lang): held["venue_id"].map(lambda v: venue_names.get(v, _text(v))),
            field_label("meetings", "method", lang): held["method"].map(lambda m: enum_label(METHODS, m, lang)),
            field_label("meetings", "participants", lang): held["participants"],
            field_label("meetings", "consensus", lang): held["consensus"].map(lambda c: "✓" if c is True else "✗"),
        }), hide_index=True, width="stretch")

# ------------------------------------------------------------------ actions

st.subheader(t("iss_actions", lang))
actions = workflow.allowed_actions(issue.to_dict(), user)
if not actions:
    st.caption(t("iss_no_actions", lang))


def _label(name: str) -> str:
    return field_label("meetings" if name in ("held_on", "venue_id", "participants") else "issues", name, lang)


def venues_by_distance() -> dict[str, float]:
    """Venue id -> metres from the issue (UTM 50N), nearest first: the default is the nearest."""
    venues = snap.venues
    geom = issue.geometry
    if venues.empty or geom is None or geom.is_empty:
        return {v: float("nan") for v in venues["venue_id"]}
    point = gpd.GeoSeries([geom], crs=issues.crs).to_crs(METRIC_CRS).iloc[0]
    metres = venues.geometry.to_crs(METRIC_CRS).distance(point).sort_values(kind="stable")
    return dict(zip(venues.loc[metres.index, "venue_id"], metres.round().to_numpy()))


def meeting_fields(key: str) -> dict[str, Any]:
    metres = venues_by_distance()
    venue_ids = list(metres)
    venue_names = dict(zip(snap.venues["venue_id"], snap.venues["name"]))
    a, b = st.columns(2)
    held_on = a.date_input(_label("held_on"), value=snap.today, max_value=snap.today, format="YYYY-MM-DD",
                           key=f"{key}-held_on")
    venue = b.selectbox(_label("venue_id"), venue_ids, index=0 if venue_ids else None, key=f"{key}-venue",
                        format_func=lambda v: venue_names.get(v, v) + (
                            f" ({metres[v]:,.0f} m)" if metres.get(v) == metres.get(v) else ""))
    method = a.selectbox(_label("method"), METHODS.codes, index=None, key=f"{key}-method",
                         format_func=lambda c: enum_label(METHODS, c, lang), placeholder=t("iss_choose_one", lang))
    participants = b.number_input(_label("participants"), min_value=0, value=None, step=1, key=f"{key}-participants")
    return {"held_on": held_on, "venue_id": venue, "method": method, "participants": participants}


def stage_fields(to: str, key: str) -> dict[str, Any]:
    """The inputs a move to `to` needs (see workflow.requirements)."""
    if to == "stakeholders":
        return {"stakeholders": st.text_area(_label("stakeholders"), key=f"{key}-stakeholders",
                                             placeholder=t("iss_stakeholders_hint", lang))}
    if to == "meeting":
        return meeting_fields(key)
    if to == "consensus":
        return {"consensus_text": st.text_area(_label("consensus_text"), key=f"{key}-consensus_text")}
    if to == "implementing":
        a, b, c = st.columns(3)
        return {"responsible_unit": a.text_input(_label("responsible_unit"), key=f"{key}-unit"),
                "responsible_person": b.text_input(_label("responsible_person"), key=f"{key}-person"),
                "due_on": c.date_input(_label("due_on"), value=None, min_value=snap.today,
                                       format="YYYY-MM-DD", key=f"{key}-due")}
    if to == "done":
        return {"result_public": st.text_area(_label("result_public"), key=f"{key}-result")}
    if to == "closed":
        return {"closed_reason": st.text_area(_label("closed_reason"), key=f"{key}-reason")}
    return {}


def submit(run: Callable[[Any], Any], done_text: str) -> None:
    """Write through geo.workflow; success reruns the page, a refusal lists every reason."""
    try:
        with data.open_store() as store:
            run(store)
    except (WorkflowError, PermissionDenied, InputError) as refused:
        problems = getattr(refused, "problems", None) or [str(refused)]
        st.error(t("act_refused", lang) + "\n\n" + "\n".join(f"- {md(p)}" for p in problems))
        return
    st.session_state[_FLASH] = t("act_saved", lang).format(what=done_text)
    st.rerun()


def action_form(action: str) -> None:
    key = f"act-{action}-{issue_id}-{stage}"
    if action == "advance":
        to = workflow.next_stage(stage)
        title = t("act_advance", lang).format(stage=enum_label(STAGES, to, lang))
    elif action == "record_meeting":
        to, title = "meeting", t("act_record_meeting", lang)
    elif action == "close":
        to, title = "closed", t("act_close", lang)
    else:
        to, title = None, t(f"act_{action}", lang)
    with st.form(key, border=True):
        st.markdown(f"**{title}**")
        if to is not None:
            needed = workflow.requirements(to)
            st.caption(t("iss_needs", lang) + "、".join(_label(n) for n in needed) if needed
                       else t("iss_needs_nothing", lang))
            values = stage_fields(to, key)
            values["note"] = st.text_input(t("act_note", lang), key=f"{key}-note")
        elif action == "comment":
            st.caption(t("iss_needs", lang) + t("act_note_text", lang))
            values = {"note": st.text_area(t("act_note_text", lang), key=f"{key}-note")}
        else:  # evaluate
            values = {"satisfaction": st.slider(field_label("issues", "satisfaction", lang), 1.0, 5.0, 4.0, 0.1,
                                                key=f"{key}-satisfaction")}
        if not st.form_submit_button(t("act_submit", lang), type="primary", key=f"{key}-submit"):
            return
    by = user.username
    if action == "comment":
        submit(lambda s: workflow.comment(s, issue_id, values["note"], by=by, user=user), title)
    elif action == "evaluate":
        submit(lambda s: workflow.evaluate(s, issue_id, values["satisfaction"], by=by, user=user), title)
    else:
        submit(lambda s: workflow.advance(s, issue_id, to, values, by=by, user=user), title)


for name in actions:
    action_form(name)

if not private:
    st.caption(t("iss_private_hidden", lang))
