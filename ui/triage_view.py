"""The staff triage queue of residents' reports: each report with where it falls, who sent it
(private fields, staff only), the open issues near it of the same category, and the three
decisions (`yishi.services.residents`: accept, merge, decline)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.schema import CATEGORIES, SOURCES
from yishi.accounts import User
from yishi.services import residents
from yishi.services.snapshot import Snapshot
from ui import forms, issue_view
from ui.i18n import enum_label, field_label, t
from ui.safe import md
from ui.tables import text, whole


def _candidates(issue: pd.Series, snap: Snapshot) -> dict[str, str]:
    """Issues this report could join: open ones of its category within 200 m, nearest first."""
    near = residents.nearby_in(snap.issues, lon=issue.geometry.x, lat=issue.geometry.y,
                               category=str(issue["category"]))
    near = near[near["issue_id"] != issue["issue_id"]]
    return {row.issue_id: f"{row.issue_id} · {row.title} · {int(row.distance_m)} m"
            for row in near.itertuples()}


def _decide(run, done: str, lang: str, form: str) -> None:
    if forms.write(run, lang, form=form)[0]:
        forms.toast_later(done)
        st.rerun()


def report_card(issue: pd.Series, user: User, snap: Snapshot, lang: str) -> None:
    """One pending report and its decisions (every text from the resident escaped)."""
    issue_id = str(issue["issue_id"])
    with st.container(border=True, key=f"yishi-triage-{issue_id}"):
        st.markdown(f"**{md(issue_id)} · {md(issue['title'])}**")
        facts = [enum_label(CATEGORIES, issue["category"], lang),
                 f"{field_label('issues', 'reported_on', lang)} {text(issue['reported_on'])}",
                 enum_label(SOURCES, issue.get("source") or "staff", lang),
                 t("pub_me_too", lang, n=whole(issue.get("me_too")))]
        st.caption(md(" · ".join(facts)))
        st.text(text(issue.get("description")))
        left, right = st.columns(2)
        with left:
            st.dataframe(issue_view.place_table(issue, snap, lang), hide_index=True, width="stretch")
        with right:
            if user.can("view_private"):
                st.markdown(issue_view.field_line(issue, ("reporter_name", "reporter_phone"), lang))
            st.page_link("pages/issue.py", label=t("tri_open_issue", lang), query_params={"issue": issue_id},
                         icon=":material/open_in_new:")
        accept_col, merge_col, decline_col = st.columns(3)
        with accept_col:
            key = f"tri-accept-{issue_id}"
            forms.begin(key)
            with st.form(key, border=False):
                st.caption(t("tri_accept_hint", lang))
                if st.form_submit_button(t("tri_btn_accept", lang), type="primary", key=f"{key}-submit"):
                    _decide(lambda s: residents.accept(s, issue_id, user=user, by=user.display_name or None),
                            t("tri_accepted", lang, issue_id=issue_id), lang, key)
        with merge_col:
            key = f"tri-merge-{issue_id}"
            forms.begin(key)
            options = _candidates(issue, snap)
            with st.form(key, border=False):
                if options:
                    into = st.selectbox(t("tri_merge_into", lang), list(options), format_func=options.get,
                                        key=f"{key}-into")
                else:
                    into = st.text_input(t("tri_merge_into_id", lang), key=f"{key}-into", max_chars=40)
                    st.caption(t("tri_no_candidates", lang))
                if st.form_submit_button(t("tri_btn_merge", lang), key=f"{key}-submit"):
                    target = (into or "").strip().upper()
                    _decide(lambda s: residents.merge(s, issue_id, target, user=user, by=user.display_name or None),
                            t("tri_merged", lang, issue_id=issue_id, into=target), lang, key)
        with decline_col, st.container(key=f"{forms.DANGER}-decline-{issue_id}"):
            key = f"tri-decline-{issue_id}"
            forms.begin(key)
            with st.form(key, border=False):
                forms.summary(key)
                reason = st.text_input(t("tri_decline_reason", lang), key=f"{key}-reason", max_chars=200)
                forms.under(key, "declined_reason")
                confirmed = st.checkbox(t("tri_decline_confirm", lang), key=f"{key}-confirm")
                if st.form_submit_button(t("tri_btn_decline", lang), type="secondary", key=f"{key}-submit"):
                    if not confirmed:
                        st.error(t("tri_decline_unconfirmed", lang))
                    else:
                        _decide(lambda s: residents.decline(s, issue_id, reason, user=user,
                                                            by=user.display_name or None),
                                t("tri_declined", lang, issue_id=issue_id), lang, key)


def pending_banner(waiting: int, lang: str) -> None:
    """A line on the overview for whoever triages: how many reports wait, with the way there."""
    if waiting:
        with st.container(key="yishi-triage-banner"):
            st.page_link("pages/triage.py", label=t("tri_banner", lang, n=waiting), icon=":material/inbox:")

