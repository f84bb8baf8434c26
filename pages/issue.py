"""议题详情 Issue: one issue's whole record, where it falls, its timeline and meetings, and the
forms this account may use (`ui.issue_actions`: the next step, notes, corrections, stepping back,
closing; yishi.services.workflow decides and checks; this page draws).

The chosen issue lives in the plain session key `selected_issue` (the overview sets it on a map
click); `?issue=I0001` in the URL chooses one too. Reporter name and phone are read (and shown)
only for roles that may `view_private`.
"""

from __future__ import annotations

import streamlit as st

from ui import auth, data, issue_actions, issue_view, ratings_view
from ui.i18n import field_label, t
from ui.safe import md
from ui.shell import header
from ui.tables import satisfaction_text

user = auth.require("view_issue")
private = user.can("view_private")
# A store too big to read whole gives the asked-for issue alone: the others are opened from the
# overview's map, list or table, which page through the store.
whole = data.snapshot_fits()
wanted = None if whole else issue_view.wanted_issue()
snap = data.snapshot(include_private=private, issue_ids=None if whole else (wanted,) if wanted else ())
lang = header("nav_issue", as_of=snap.today.isoformat())

issues = snap.issues
if whole and issues.empty:
    st.info(t("no_issues"))
    st.stop()
if not whole:
    st.caption(t("iss_open_from_overview", lang))
issue_id = issue_view.choose_issue(dict(zip(issues["issue_id"], issues["title"])), lang)
if issue_id is None:
    st.stop()
flash = issue_view.pop_flash()
if flash:
    st.success(md(flash))

issue_row = issues[issues["issue_id"] == issue_id]
issue = issue_row.iloc[0]
names = dict(zip(snap.communities["community_id"], snap.communities["name"]))
st.subheader(f"{md(issue_id)} · {md(issue['title'])}")
st.markdown(issue_view.summary_line(issue, names, lang))

left, right = st.columns([3, 2])
with left:
    st.markdown(f"**{t('iss_record', lang)}**")
    st.dataframe(issue_view.record_table(issue, private=private, lang=lang), hide_index=True, width="stretch",
                 height="content", column_config={t("iss_value", lang): st.column_config.TextColumn(width="large")})
with right:
    st.markdown(f"**{t('iss_place', lang)}**")
    st.dataframe(issue_view.place_table(issue, snap, lang), hide_index=True, width="stretch")
    st.markdown(f"**{t('iss_follow_up', lang)}**")
    st.markdown(issue_view.field_line(issue, ("stakeholders",), lang))
    st.markdown(issue_view.field_line(issue, ("responsible_unit", "responsible_person", "due_on"), lang))
    issue_view.due_notice(issue_row, snap.today, lang)
    st.markdown(issue_view.field_line(issue, ("result_public",), lang))
    st.metric(field_label("issues", "satisfaction", lang), satisfaction_text(issue.get("satisfaction")))
    st.markdown(f"**{t('tri_residents', lang)}**")
    ratings_view.residents_section(issue, snap.ratings, user, lang)

events = issue_view.events_of(snap.events, issue_id)
st.markdown(f"**{t('iss_timeline', lang)}**")
st.dataframe(issue_view.timeline_table(events, lang), hide_index=True, width="stretch", height="content")

notes_col, meetings_col = st.columns(2)
with notes_col:
    st.markdown(f"**{t('iss_notes', lang)}**")
    notes = issue_view.notes_table(events, lang)
    if notes.empty:
        st.caption(t("iss_no_notes", lang))
    else:
        st.dataframe(notes, hide_index=True, width="stretch")
with meetings_col:
    st.markdown(f"**{t('iss_meetings', lang)}**")
    held = issue_view.meetings_table(snap.meetings, snap.venues, issue_id, lang)
    if held.empty:
        st.caption(t("iss_no_meetings", lang))
    else:
        st.dataframe(held, hide_index=True, width="stretch")

st.subheader(t("iss_actions", lang))
issue_actions.draw(issue, user, snap, events, lang)

if not private:
    st.caption(t("iss_private_hidden", lang))
