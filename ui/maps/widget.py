"""The map on a page: st_folium plus the notice for layers that could not be drawn."""

from __future__ import annotations

from collections.abc import Sequence
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
