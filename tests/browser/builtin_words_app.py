"""A page of Streamlit's own widgets under ui.builtin_words, for test_builtin_words_browser.py.

The language comes from ?lang= (ui.i18n), and a switch changes it within the session."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pandas as pd
import streamlit as st

from ui import builtin_words, i18n
from ui.i18n import t

lang = i18n.lang()
st.session_state["bw_lang"] = lang
st.radio("lang", i18n.LANGS, key="bw_lang", horizontal=True, on_change=lambda: i18n.set_lang(st.session_state["bw_lang"]))
builtin_words.apply(lang)

st.file_uploader("file", type=["geojson", "json", "zip", "gpkg"], key="file")
st.selectbox("one", ["a", "b"], index=None, key="one", placeholder=t("bw_choose_option", lang))
st.multiselect("many", ["apple", "apricot", "banana"], key="many", placeholder=t("bw_choose_options", lang))
st.dataframe(pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "c"]}), hide_index=True)
st.number_input("lon", value=None, key="lon")
st.date_input("when", value=None, key="when", format="YYYY-MM-DD")
with st.form("form"):
    st.text_input("title", key="title", max_chars=20)
    st.form_submit_button("save")
