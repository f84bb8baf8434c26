"""进度查询 Track a report (public): by tracking code (typed, or `?code=` from the receipt), or by
the printed evaluation link `?issue=ID&key=...`; the issue's public page, then the residents'
1-5 rating once it is done. The logic lives in ui.track_view."""

from __future__ import annotations

import streamlit as st

from ui import data, forms, public_view, track_view
from ui.shell import header

snap = data.snapshot(issue_ids=())  # the places only: the issue followed is read by its id
lang = header("res_nav_track")
forms.show_toast()
issue_id = st.query_params.get("issue")
following = (track_view.by_link(issue_id, st.query_params.get("key"), lang) if issue_id
             else track_view.by_code(lang))
if following is not None:
    with st.container(border=True, key="res_tracked"):
        public_view.issue_page(snap, following.issue_id, lang)
    track_view.rating_section(snap, following, lang)
