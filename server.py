"""The launcher: Streamlit's pages (app.py) plus the routes the server answers itself
(sign-in/out, health, version; see `web`). `make run` serves it: `streamlit run server.py`."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

import web

# app.py always builds its pages with st.navigation. Streamlit only learns that when a first
# run calls it; until then a pages/ folder makes it run pages/<name>.py directly for a deep
# link (/issue), skipping the navigation that signs the user in. Say so from the start.
PagesManager.uses_pages_directory = False

app = st.App("app.py", routes=web.routes(), middleware=web.middleware())
