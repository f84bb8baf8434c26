"""The map on a page: st_folium plus the notice for layers that could not be drawn, and the map's
option radios (basemap, colour by), which keep their choice across a language switch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from ui.i18n import t


def show_map(fmap: folium.Map, *, key: str, height: int, returned_objects: Sequence[str],
             lang: str) -> dict[str, Any] | None:
    """Draw `fmap` full width; name the layers the builders had to leave out (their trace is logged).

    `returned_objects` is what a click reports back (an empty list: the map never reruns the page).
    """
    failed = getattr(fmap, "failed_layers", [])
    if failed:
        st.warning(t("map_layers_failed", lang, layers=tuple(failed)))
    return st_folium(fmap, key=key, height=height, width="stretch", returned_objects=list(returned_objects))


def coded_radio(label: str, options: Sequence[str], *, key: str, lang: str,
                format_func: Callable[[str], str], **kwargs: Any) -> str:
    """A radio whose choice is kept by its code in the plain session key `key`.

    Why: Streamlit keeps a radio's value as the label it shows, so after a language switch
    the old label matches no option and the radio shows nothing selected (or falls back to
    the first). Here the widget's own key carries the language, is seeded from `key` on
    every run, and writes a new choice back to it.
    """
    options = list(options)
    value = st.session_state.get(key)
    if value not in options:
        value = st.session_state[key] = options[0]
    widget = f"_{key}_{lang}"
    st.session_state[widget] = value

    def keep() -> None:
        st.session_state[key] = st.session_state[widget]

    return st.radio(label, options, key=widget, on_change=keep, format_func=format_func, **kwargs)
