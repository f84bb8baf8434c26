"""Yishi Map 议事地图: page config and the role-based navigation. No widgets, no logic."""

import streamlit as st

from ui import nav

st.set_page_config(page_title="议事地图 Yishi Map", page_icon=":material/forum:", layout="wide")
nav.run()
