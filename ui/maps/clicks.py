"""Which issue a click on the map meant.

Ask st_folium for RETURNED_OBJECTS (only "last_object_clicked": the page reruns on a click,
not on pan or zoom) and pass its answer to `clicked_issue_id`. An issue marker is a small
CircleMarker, so Leaflet reports the marker's own position (not the mouse's), which
`issue_at` matches within a few metres, shifted to GCJ-02 first when the basemap is AMap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np

from geo.crs import degrees_for, distance_m
from ui.maps.base import Basemap
from ui.maps.display import points
from ui.maps.payload import allowed

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
