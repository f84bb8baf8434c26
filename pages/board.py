"""公示栏 Public issues: the public map and the board of every public issue (search, filters and
pages in the URL); `?issue=ID` is that issue's public page. Signed out, phone first; the logic is
in ui/public_view.py and yishi/services/public.py."""

from __future__ import annotations

import streamlit as st

from ui import data, public_view
from ui.shell import header

snap = data.snapshot()  # never includes residents' personal fields
lang = header("nav_board", as_of=snap.today.isoformat())
issue_id = st.query_params.get("issue")
if issue_id:
    public_view.issue_page(snap, issue_id, lang)
else:
    public_view.board_page(snap, lang)
