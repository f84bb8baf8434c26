"""The issue map itself: a canvas map with a basemap (or the offline background), its layers,
legend and controls, fitted to the subdistrict; scripts from static/vendor, never a CDN.

A layer that cannot be built is left out, logged and named in the legend and in
`Map.failed_layers`, so one bad record never takes the whole page down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
from branca.element import Element
from folium.plugins import Fullscreen

from geo.schema import COMMUNITIES, COMPOUNDS, ISSUES, SUBDISTRICT, VENUES
from ui.i18n import t
from ui.maps import layers, viewport
from ui.maps.assets import localize
from ui.maps.display import display_xy
from ui.maps.elements import MapControl
from ui.maps.legend import legend, legend_html
from ui.maps.payload import allowed, escape
from ui.maps.style import bins

log = logging.getLogger(__name__)

Basemap = Literal["osm", "amap", "none"]
ColorBy = Literal["stage", "category"]
Bounds = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat (WGS84)

BASEMAPS: tuple[str, ...] = ("osm", "amap", "none")
COLOR_BY: tuple[str, ...] = ("stage", "category")

AMAP_TILES = ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
              "&style=8&x={x}&y={y}&z={z}")
#: Pingyuan subdistrict, Shangqiu: the view when no layer has a geometry.
DEFAULT_CENTER = (34.4366, 115.6169)
MAX_ZOOM = 19


def new_map(lang: str = "zh") -> folium.Map:
    """An empty canvas map that can cluster even with no tile layer, and that behaves on a phone
    (fills its shorter frame; one finger scrolls the page, two move the map: `phone`)."""
    m = folium.Map(location=DEFAULT_CENTER, zoom_start=14, tiles=None, prefer_canvas=True,
                   control_scale=True)
    m.options["maxZoom"] = MAX_ZOOM  # clustering needs it when there is no tile layer
    phone(lang).add_to(m)
    return m


def phone(lang: str) -> MapControl:
    """The map on a phone: fills its frame, two-finger panning on touch screens (with a hint)."""
    return MapControl("phone", {"hint": escape(t("map_two_fingers", lang))})


def background(color: str = "#eef1f4") -> MapControl:
    """A light background for the tile-less (intranet) basemap."""
    return MapControl("background", {"color": color})


def _add_basemap(m: folium.Map, basemap: str, lang: str) -> None:
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name=t("map_osm", lang), max_zoom=MAX_ZOOM).add_to(m)
    elif basemap == "amap":
        folium.TileLayer(tiles=AMAP_TILES, attr=t("map_amap_attr", lang), name=t("map_amap", lang),
                         subdomains="1234", max_native_zoom=18, max_zoom=MAX_ZOOM).add_to(m)
    else:
        background().add_to(m)


def _bounds(focus: Bounds | None, frames: Sequence[gpd.GeoDataFrame],
            basemap: str) -> list[list[float]] | None:
    """[[south, west], [north, east]] on `basemap`: the focus box, else the first layer with shapes."""
    box: Sequence[float] | None = focus
    if box is None:
        for frame in frames:
            geoms = frame.geometry
            if len(frame) and not (geoms.isna() | geoms.is_empty).all():
                box = geoms.total_bounds
                break
    if box is None or not np.all(np.isfinite(box)):
        return None
    xs, ys = display_xy(np.array([box[0], box[2]], float), np.array([box[1], box[3]], float), basemap)
    return [[float(ys[0]), float(xs[0])], [float(ys[1]), float(xs[1])]]


def _guarded(failed: list[str], label: str, make: Callable[[], Any]) -> Any:
    """What `make` returns, or None when it raises: one bad layer must not take the page down.

    The trace goes to the server log; `label` joins `failed`, which the legend and the page
    show as a notice.
    """
    try:
        return make()
    except Exception:
        log.exception("map layer %r left out: it could not be drawn", label)
        failed.append(label)
        return None


def _add(m: folium.Map, layer: Element | None) -> None:
    if layer is not None:
        layer.add_to(m)


def _check(value: str, choices: Sequence[str], what: str) -> None:
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; choose one of: {', '.join(choices)}")


def build_map(*, subdistrict: gpd.GeoDataFrame | None, communities: gpd.GeoDataFrame | None,
              compounds: gpd.GeoDataFrame | None = None, venues: gpd.GeoDataFrame | None = None,
              issues: gpd.GeoDataFrame | None = None, lang: str = "zh", basemap: Basemap = "osm",
              color_by: ColorBy = "stage", open_counts: Mapping[str, int] | None = None,
              focus_bounds: Bounds | None = None, asset_base: str | None = None, today: date | None = None,
              cluster_above: int = layers.CLUSTER_ABOVE, max_titles: int = layers.MAX_TITLES,
              summary: viewport.Summary | None = None, api_url: str | None = None) -> folium.Map:
    """The issue map: communities shaded by open issues, compounds, venues, issues, outline.

    Layers arrive in EPSG:4326 with the schema's column names; only ALLOWED_FIELDS are read.
    `focus_bounds` is (min lon, min lat, max lon, max lat) in WGS84; default the subdistrict.
    With `today`, open issues past their due date are ringed as overdue (only that flag
    reaches the page, not the date). Scripts load from static/vendor (`asset_base`, default
    /app/static/vendor).

    With `summary` (a big view's counts, `ui.maps.viewport`) no issue, compound or venue is
    embedded: communities are shaded by its open counts and carry a count bubble, and from
    street zoom the map asks `api_url` for the issues, compounds and venues in view.
    """
    _check(basemap, BASEMAPS, "basemap")
    _check(color_by, COLOR_BY, "color_by")
    frames = {name: allowed(frame, name) for name, frame in (
        ("subdistrict", subdistrict), ("communities", communities), ("compounds", compounds),
        ("venues", venues), ("issues", issues))}
    comm = frames["communities"]
    names = {str(c): n for c, n in zip(comm["community_id"], comm["name"])}
    if summary is not None:
        open_counts = summary.open_by_community
    counts = {str(k): int(v) for k, v in (open_counts if open_counts is not None
                                          else layers.open_counts_by_community(issues)).items()}
    classes = bins(max((counts.get(c, 0) for c in names), default=0))

    m = new_map(lang)
    m.options["zoomSnap"] = 0.25  # fit the subdistrict snugly, not to the next whole zoom level
    _add_basemap(m, basemap, lang)
    failed: list[str] = []
    # looked up on `layers` when called, so a test can make one builder fail
    polygon_layers: list[tuple[str, Callable[[], Any]]] = [
        (COMMUNITIES.label(lang), lambda: layers.community_layer(comm, counts, classes, lang, basemap)
         if len(comm) else None),
        (COMPOUNDS.label(lang), lambda: layers.compound_layer(frames["compounds"], lang, basemap)
         if len(frames["compounds"]) and summary is None else None),
        (SUBDISTRICT.label(lang), lambda: layers.subdistrict_layer(frames["subdistrict"], lang, basemap)
         if len(frames["subdistrict"]) else None),
    ]
    for label, make in polygon_layers:
        _add(m, _guarded(failed, label, make))
    if summary is not None:
        payload = viewport.legend_payload(summary, lang, color_by)
        _add(m, _guarded(failed, ISSUES.label(lang), lambda: viewport.viewport_control(
            summary, comm, url=api_url or viewport.api_url("", {}), lang=lang, color_by=color_by,
            basemap=basemap)))
    else:
        payload = _guarded(failed, ISSUES.label(lang), lambda: layers.issue_payload(
            frames["issues"], community_names=names, lang=lang, color_by=color_by, basemap=basemap,
            max_titles=max_titles, overdue=layers.overdue_mask(issues, today)))
    if payload is None:  # the issues failed: the legend still shows the shading
        payload = layers.issue_payload(None, community_names=names, lang=lang, color_by=color_by)
    if payload.get("k"):
        cluster = len(payload["k"]) > cluster_above
        _add(m, layers.issue_layer(payload, name=ISSUES.label(lang), cluster=cluster))
    # a big view (counts per community) gets its compounds and venues with the issues of the box
    # at street zoom (viewport.STREET_PLACES); the legend still names the venue kinds
    _add(m, _guarded(failed, VENUES.label(lang), lambda: layers.venue_layer(frames["venues"], lang, basemap)
                     if len(frames["venues"]) and summary is None else None))
    kinds = sorted({str(k) for k in frames["venues"]["kind"]})
    legend(legend_html(payload, classes, lang, color_by, kinds, failed), lang=lang).add_to(m)
    m.failed_layers = failed
    Fullscreen(position="topleft", title=t("map_fullscreen", lang),
               title_cancel=t("map_exit_fullscreen", lang)).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    bounds = _bounds(focus_bounds, [frames["subdistrict"], comm, frames["issues"]], basemap)
    if bounds:
        m.fit_bounds(bounds)
    return localize(m, base=asset_base)
