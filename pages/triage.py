"""群众反映 Triage: residents' reports awaiting staff, oldest first; accept, merge or decline."""

from __future__ import annotations

import streamlit as st

from ui import auth, data, forms, triage_view
from ui.i18n import t
from ui.shell import header

user = auth.require("triage")
# A store too big to read whole gives the waiting reports and their merge candidates alone.
snap = data.snapshot(include_private=user.can("view_private"),
                     issue_ids=None if data.snapshot_fits() else data.triage_issue_ids())
lang = header("tri_nav", as_of=snap.today.isoformat())
forms.show_toast()
st.caption(t("tri_intro", lang))

waiting = snap.issues[snap.issues["triage"] == "pending"].sort_values(["reported_on", "issue_id"])
st.markdown(t("tri_count", lang, n=len(waiting)))
if waiting.empty:
    st.info(t("tri_none", lang), icon=":material/done_all:")
for _, issue in waiting.iterrows():
    triage_view.report_card(issue, user, snap, lang)
