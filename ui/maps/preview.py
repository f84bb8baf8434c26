"""The upload preview: the valid features of a file coloured by what importing would do."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.schema import WGS84
from ui.i18n import t
from ui.maps.assets import localize
from ui.maps.base import background, new_map
from ui.maps.display import collection, display_polygons
from ui.maps.elements import YishiLayer
from ui.maps.layers import subdistrict_layer
from ui.maps.legend import legend
from ui.maps.payload import allowed, escape, short
from ui.maps.style import GREY, PREVIEW_COLORS, swatch

#: The preview draws at most this many features (the counts above it cover all of them).
PREVIEW_LIMIT = 5000


def preview_map(frame: gpd.GeoDataFrame, *, statuses: Sequence[str], label_field: str,
                outline: gpd.GeoDataFrame | None = None, lang: str = "zh") -> folium.Map:
    """The valid features of an upload coloured by what importing would do (new/updated/unchanged).

    Only `label_field` reaches the page, escaped, with the status word; nothing else of the file.
    """
    shown = frame.iloc[:PREVIEW_LIMIT]
    words = {k: t(f"map_status_{k}", lang) for k in PREVIEW_COLORS}
    labels = shown[label_field] if label_field in shown.columns else pd.Series("", index=shown.index)
    tips = [f"<b>{short(label)}</b><br>{escape(words.get(s, s))}" for label, s in zip(labels, statuses)]
    order = list(PREVIEW_COLORS)
    styles = [order.index(s) if s in PREVIEW_COLORS else len(order) for s in statuses[:len(shown)]]
    table = [{"color": c, "fillColor": c, "weight": 2, "fillOpacity": 0.5}
             for c in (*PREVIEW_COLORS.values(), GREY)]
    m = new_map(lang)
    background().add_to(m)
    if outline is not None and len(outline):
        subdistrict_layer(allowed(outline, "subdistrict"), lang, "none").add_to(m)
    plain = gpd.GeoDataFrame(geometry=shown.geometry.reset_index(drop=True), crs=WGS84)
    is_point = plain.geometry.geom_type.eq("Point").to_numpy()
    point_pos, poly_pos = np.flatnonzero(is_point), np.flatnonzero(~is_point)
    snapped = shapely.transform(plain.geometry.to_numpy()[is_point], lambda c: np.round(c, 6))
    items = [(int(i), shapely.geometry.mapping(g)) for i, g in zip(point_pos, snapped)]
    items += [(int(poly_pos[i]), g) for i, g in display_polygons(plain[~is_point], "none")]
    data = {"fc": collection(sorted(items), tips, styles), "styles": table, "interactive": True,
            "hover": None, "sticky": False, "radius": 6}
    YishiLayer("shapes", data, name=t("map_preview", lang)).add_to(m)
    legend("".join(f"<div>{swatch(PREVIEW_COLORS[k])} {escape(words[k])}</div>"
                   for k in PREVIEW_COLORS), lang=lang).add_to(m)
    if len(shown):
        minx, miny, maxx, maxy = shown.total_bounds
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    return localize(m)
