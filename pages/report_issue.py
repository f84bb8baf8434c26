"""我要反映 Report a problem (public, phone first): where, what, optional contact; "already
reported nearby?" offers a "me too" instead; saving gives a tracking code. The logic lives in
ui.resident_forms; yishi.services.residents checks and writes."""

from __future__ import annotations

import streamlit as st

from ui import data, forms, resident_forms as rf
from ui.i18n import t
from ui.shell import header

snap = data.snapshot(issue_ids=())  # the places only (nearby issues are asked of the store)
lang = header("res_nav_report")
# Before any widget of the form: after a save it starts empty (the browser too); a second
# click on the form as drawn before the save writes nothing (ui.forms).
forms.begin(rf.REPORT_FORM, defaults=rf.REPORT_DEFAULTS)
if rf.receipt(lang):
    st.stop()
st.caption(t("res_intro", lang))

options = rf.places(snap)
rf.place_from_url(options)
st.subheader(t("res_step_place", lang))
rf.place_picker(options, lang)
st.caption(t("res_or_map", lang))
rf.pick_map(snap, lang)
point = st.session_state.get(rf.POINT)
rf.place_caption(point, options, snap, lang)
forms.under(rf.REPORT_FORM, "point")

st.subheader(t("res_step_what", lang))
category = rf.category_picker(lang)
forms.under(rf.REPORT_FORM, "category")
rf.nearby_offers(point, category, lang)
entry = rf.report_form(lang)
if entry is not None:
    rf.save_report(point, category, entry, lang)
