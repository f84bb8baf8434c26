"""What a map for picking a place draws: a subdistrict's every compound and venue, but of a
city only those near the chosen point (3,600 markers covered a phone's map; the place list,
"my location" and the typed coordinates find the others)."""

from __future__ import annotations

import geopandas as gpd

#: Above this many compounds and venues only those near the point are drawn.
MARKERS_MAX = 400
#: How far around the point (degrees, about a kilometre).
NEAR_DEG = 0.01


def box_around(point: tuple[float, float]) -> tuple[float, float, float, float]:
    lon, lat = point
    return lon - NEAR_DEG, lat - NEAR_DEG, lon + NEAR_DEG, lat + NEAR_DEG


def near(frame: gpd.GeoDataFrame, point: tuple[float, float] | None) -> gpd.GeoDataFrame:
    """The rows within NEAR_DEG of the point (none without one)."""
    if point is None:
        return frame.iloc[:0]
    minx, miny, maxx, maxy = box_around(point)
    return frame.cx[minx:maxx, miny:maxy]


def places_to_draw(compounds: gpd.GeoDataFrame, venues: gpd.GeoDataFrame,
                   point: tuple[float, float] | None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The compounds and venues a picking map draws: all of them, or above MARKERS_MAX those
    near the point."""
    if len(compounds) + len(venues) <= MARKERS_MAX:
        return compounds, venues
    return near(compounds, point), near(venues, point)
