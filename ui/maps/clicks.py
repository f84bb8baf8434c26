"""Which issue a click on the map meant.

Ask st_folium for RETURNED_OBJECTS (only "last_object_clicked": the page reruns on a click,
not on pan or zoom) and pass its answer to `clicked_issue_id`. An issue marker is a small
CircleMarker, so Leaflet reports the marker's own position (not the mouse's), which
`issue_at` matches within a few metres, shifted to GCJ-02 first when the basemap is AMap.
On a big view's map (ui.maps.viewport) the issues are not in the page: `issue_near` asks the
store for the view's issues in a small box around the click and matches them the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import degrees_for, distance_m, gcj02_to_wgs84
from ui.maps.base import Basemap
from ui.maps.display import points
from ui.maps.payload import allowed
from yishi.storage import Store, Where

#: What st_folium should report: a click on an object (reruns only then, not on pan/zoom).
RETURNED_OBJECTS: list[str] = ["last_object_clicked"]


def issue_at(issues: gpd.GeoDataFrame | None, lat: float, lng: float, *, basemap: Basemap = "osm",
             tolerance_m: float = 3.0) -> str | None:
    """The issue_id drawn at (lat, lng) on `basemap`, if one lies within `tolerance_m`.

    A click on an issue reports the marker's position (rounded to 1e-5 degrees, ~1 m), so a
    few metres suffice; a click elsewhere matches nothing. Ties go to the first issue.
    """
    if issues is None or len(issues) == 0 or lat is None or lng is None:
        return None
    lat, lng = float(lat), float(lng)
    pos, lon, la = points(allowed(issues, "issues"), basemap)
    # geodesic metres only for the markers in a box around the click, twice the size needed
    reach = 2 * degrees_for(tolerance_m, lat)
    near = np.flatnonzero((np.abs(la - lat) <= reach)
                          & (np.abs(lon - lng) <= reach / max(np.cos(np.radians(lat)), 1e-6)))
    if len(near) == 0:
        return None
    metres = np.atleast_1d(distance_m(lon[near], la[near], lng, lat))
    best = int(np.argmin(metres))  # the first of equals: `near` keeps the issues' order
    if metres[best] > tolerance_m:
        return None
    return str(issues["issue_id"].iloc[pos[near[best]]])


def clicked_issue_id(returned: Mapping[str, Any] | None, issues: gpd.GeoDataFrame | None, *,
                     basemap: Basemap = "osm") -> str | None:
    """The issue clicked on the map, from st_folium's answer (ask for RETURNED_OBJECTS)."""
    point = (returned or {}).get("last_object_clicked")
    if not isinstance(point, Mapping):
        return None
    return issue_at(issues, point.get("lat"), point.get("lng"), basemap=basemap)


def issue_near(store: Store, where: Where, returned: Mapping[str, Any] | None, *,
               basemap: Basemap = "osm", tolerance_m: float = 3.0) -> pd.Series | None:
    """The issue clicked on a big view's map (ui.maps.viewport) as a row of its public fields, or
    None: the store is asked for the view's issues in a small box around the click (a bbox
    query on the spatial index), then `issue_at` picks the one drawn there."""
    point = (returned or {}).get("last_object_clicked")
    if not isinstance(point, Mapping) or point.get("lat") is None or point.get("lng") is None:
        return None
    lat, lng = float(point["lat"]), float(point["lng"])
    x, y = gcj02_to_wgs84(lng, lat) if basemap == "amap" else (lng, lat)
    reach = 4 * degrees_for(tolerance_m, lat)  # twice issue_at's box: the GCJ-02 round trip errs by cm
    wide = reach / max(np.cos(np.radians(lat)), 1e-6)
    near = store.select("issues", replace(where, bbox=(float(x) - wide, float(y) - reach,
                                                      float(x) + wide, float(y) + reach)), limit=100)
    issue_id = issue_at(near, lat, lng, basemap=basemap, tolerance_m=tolerance_m)
    return None if issue_id is None else near[near["issue_id"] == issue_id].iloc[0]
