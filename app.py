"""Yishi Map 议事地图: page config and the role-based navigation. No widgets, no logic."""

from pathlib import Path

import streamlit as st

from ui import nav

# A local icon: a Material or emoji icon would be fetched from a font CDN the intranet cannot reach.
st.set_page_config(page_title="议事地图 Yishi Map", page_icon=str(Path(__file__).parent / "ui" / "icon.png"),
                   layout="wide")
nav.run()
