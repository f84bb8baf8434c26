"""The map on a page: st_folium plus the notice for layers that could not be drawn.

`show_cached_map` keeps the rendered map (what st_folium sends to its component: the Leaflet
script with every layer's payload, the header, the links) in `st.cache_resource` under a key
the page gives (store revision, filters, basemap, colouring, language), so a click, which
reruns the map's fragment, neither rebuilds nor renders a map of 10^5 issues again. It calls
streamlit-folium's own helpers (pinned in requirements.txt) in the order st_folium does;
tests/test_map_cache.py checks it sends what st_folium sends.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import branca
import folium
import streamlit as st
import streamlit_folium
from folium.elements import JSCSSMixin
from streamlit_folium import st_folium

from ui.i18n import t
from ui.maps import assets


def show_map(fmap: folium.Map, *, key: str, height: int, returned_objects: Sequence[str],
             lang: str) -> dict[str, Any] | None:
    """Draw `fmap` full width; name the layers the builders had to leave out (their trace is logged).

    `returned_objects` is what a click reports back (an empty list: the map never reruns the page).
    """
    failed = getattr(fmap, "failed_layers", [])
    if failed:
        st.warning(t("map_layers_failed", lang, layers=tuple(failed)))
    return st_folium(fmap, key=key, height=height, width="stretch", returned_objects=list(returned_objects))


@dataclass(frozen=True)
class RenderedMap:
    """A map rendered once for st_folium's component: text only, shared by every session."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    bounds: Any
    zoom: Any
    failed: tuple[str, ...]


def render_map(fmap: folium.Map) -> RenderedMap:
    """What st_folium renders from `fmap` (streamlit-folium 0.27's steps, for a folium.Map)."""
    fmap.get_root().render()
    fmap.render()
    css: list[str] = []
    js: list[str] = []

    for element in assets.walk(fmap):
        if not isinstance(element, JSCSSMixin):
            continue
        if isinstance(element, branca.colormap.ColorMap):  # localize refuses them; never here
            raise TypeError("a ColorMap pulls d3 from a CDN")
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    try:
        bounds = fmap.get_bounds()
    except AttributeError:
        bounds = [[None, None], [None, None]]
    html = streamlit_folium._get_html(fmap)  # in st_folium's order: the script renames the map
    header = streamlit_folium._get_header(fmap)
    script = streamlit_folium._get_map_string(fmap)
    return RenderedMap(
        script=script, header=header, html=html, map_id=streamlit_folium.get_full_id(fmap),
        css_links=tuple(dict.fromkeys(css)), js_links=tuple(dict.fromkeys(js)), bounds=bounds,
        zoom=fmap.options.get("zoom"), failed=tuple(getattr(fmap, "failed_layers", [])))


@st.cache_resource(show_spinner=False, max_entries=16)
def _rendered(cache_key: Hashable, key: str, _build: Callable[[], folium.Map]) -> tuple[RenderedMap, str]:
    """The rendered map and its component key (st_folium's hash of the script and `key`)."""
    rendered = render_map(_build())
    return rendered, streamlit_folium.generate_js_hash(rendered.script, key, False)


def component_args(rendered: RenderedMap, hash_key: str, *, height: int,
                   returned_objects: Sequence[str]) -> dict[str, Any]:
    """The arguments st_folium(fmap, key=..., height=height, width="stretch",
    returned_objects=...) gives its component for the map `rendered` (on_change aside)."""
    (south, west), (north, east) = rendered.bounds
    defaults = {"last_clicked": None, "last_object_clicked": None, "last_object_clicked_count": None,
                "last_object_clicked_tooltip": None, "last_object_clicked_popup": None, "all_drawings": None,
                "last_active_drawing": None,
                "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
                "zoom": rendered.zoom, "last_circle_radius": None, "last_circle_polygon": None,
                "selected_layers": None, "selected_tags": None, "last_geocoder_result": None}
    return {"script": rendered.script, "header": rendered.header, "html": rendered.html, "id": rendered.map_id,
            "key": hash_key, "height": height, "width": "stretch", "returned_objects": list(returned_objects),
            "default": {k: v for k, v in defaults.items() if k in returned_objects}, "zoom": None,
            "center": None, "feature_group": None, "return_on_hover": False, "layer_control": None,
            "pixelated": False, "css_links": list(rendered.css_links), "js_links": list(rendered.js_links),
            "wrap_longitude": False}


def show_cached_map(build: Callable[[], folium.Map], *, cache_key: Hashable, key: str, height: int,
                    returned_objects: Sequence[str], lang: str) -> dict[str, Any] | None:
    """`show_map` of the map `build()` makes, built and rendered once per `cache_key`.

    `cache_key` must name everything the map depends on (the store and its revision, the
    filters, the basemap, the colouring, the language): the same key gives the same map to
    every session.
    """
    rendered, hash_key = _rendered(cache_key, key, build)
    if rendered.failed:
        st.warning(t("map_layers_failed", lang, layers=rendered.failed))

    def keep() -> None:  # as st_folium's own on_change
        st.session_state[key] = st.session_state.get(hash_key, {})

    return streamlit_folium._component_func(
        **component_args(rendered, hash_key, height=height, returned_objects=returned_objects), on_change=keep)
