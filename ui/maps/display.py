"""Where things are drawn: WGS84 shifted for the basemap (GCJ-02 for AMap), polygons made light.

AMap tiles are in GCJ-02: with basemap="amap" every layer is shifted for display, and
`clicks.issue_at` shifts the same way before matching a click. Polygons are simplified to
about SIMPLIFY_M metres and snapped to 1e-5 degrees (~1 m): community outlines shrink ~7x.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import degrees_for, transform_geometry, wgs84_to_gcj02
from geo.schema import WGS84

#: Polygons are simplified this many metres for display, then snapped to 1e-5 degrees.
SIMPLIFY_M = 20.0


def to_display(geoms: gpd.GeoSeries, basemap: str) -> gpd.GeoSeries:
    """WGS84 geometries as drawn on `basemap` (GCJ-02 for AMap tiles)."""
    return transform_geometry(geoms, wgs84_to_gcj02) if basemap == "amap" else geoms


def display_xy(lon: np.ndarray, lat: np.ndarray, basemap: str) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 positions as drawn on `basemap`, as float arrays."""
    if basemap == "amap":
        lon, lat = wgs84_to_gcj02(lon, lat)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def points(frame: gpd.GeoDataFrame, basemap: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions, lon, lat) of the drawable points of `frame` on `basemap`."""
    geoms = frame.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    pts = geoms[ok]
    not_point = shapely.get_type_id(pts) != 0
    if not_point.any():  # a polygon or multipoint stands at a point inside it
        pts = pts.copy()
        pts[not_point] = shapely.point_on_surface(pts[not_point])
    lon, lat = display_xy(shapely.get_x(pts), shapely.get_y(pts), basemap)
    return np.flatnonzero(ok), lon, lat


def _polygonal(geom: Any) -> Any:
    """The polygons of `geom` (collections crash st_folium), or None."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    polys = [p for g in parts for p in (g.geoms if g.geom_type == "MultiPolygon" else [g])]
    return shapely.MultiPolygon(polys) if polys else None


def display_polygons(frame: gpd.GeoDataFrame, basemap: str) -> list[tuple[int, dict]]:
    """(position, GeoJSON geometry) for each polygon, shifted, simplified ~20 m, snapped to 1e-5."""
    geoms = gpd.GeoSeries([_polygonal(g) for g in frame.geometry], crs=WGS84)
    keep = ~geoms.isna().to_numpy()
    shown = to_display(geoms[keep], basemap).to_numpy()
    if len(shown):
        lat = float(np.mean(shapely.total_bounds(shown)[[1, 3]]))
        shown = shapely.simplify(shown, degrees_for(SIMPLIFY_M, lat), preserve_topology=True)
    shown = shapely.transform(shown, lambda c: np.round(c, 5))
    return [(int(i), shapely.geometry.mapping(g)) for i, g in zip(np.flatnonzero(keep), shown)
            if g is not None and not g.is_empty]


def collection(items: list[tuple[int, dict]], tips: Sequence[str], styles: Sequence[int]) -> dict:
    """A FeatureCollection whose features hold only an escaped tooltip and a style index."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"tip": tips[i], "s": int(styles[i])}, "geometry": g}
        for i, g in items]}
