"""WGS84 <-> GCJ-02 <-> BD-09, vectorised over numpy arrays, and distances in metres.

Maps served in China are drawn in shifted coordinate systems: GCJ-02 (AMap/Gaode, Tencent)
moves Shangqiu about 530 m from WGS84, BD-09 (Baidu) about 1.2 km. Staff export points from
those apps, and the app draws on AMap tiles, so both directions are needed. These are the
standard published formulas (as in eviltransform / coordtransform); the inverses have no
closed form and are solved by fixed-point iteration to well below 1 cm.

Outside China GCJ-02 equals WGS84 (the shift is only applied inside mainland China's rough
box), which is also what every published implementation does.

Metres come from pyproj's geodesic on the WGS84 ellipsoid (`distance_m`, `degrees_for`),
never from a flat-earth "metres per degree" constant: those are off by up to 1 % at
Shangqiu's latitude and differ between longitude and latitude.

Examples
--------
>>> lon, lat = wgs84_to_gcj02(115.616914, 34.436628)
>>> round(float(lon), 4), round(float(lat), 4)
(115.6224, 34.4352)
>>> lon, lat = gcj02_to_wgs84(lon, lat)
>>> round(float(lon), 6), round(float(lat), 6)
(115.616914, 34.436628)
>>> round(float(distance_m(115.6, 34.42, 115.6, 34.43)), 1)
1109.3
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

import numpy as np
import shapely
from pyproj import Geod

__all__ = [
    "SourceCRS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "degrees_for",
    "distance_m",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "geometry_to_gcj02",
    "geometry_to_wgs84",
    "out_of_china",
    "to_wgs84",
    "transform_geometry",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

SourceCRS = Literal["wgs84", "gcj02", "bd09"]
ArrayLike = float | np.ndarray

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
#: Iterations stop when the correction is below this many degrees (~1 mm).
_TOLERANCE = 1e-8
_MAX_ITERATIONS = 30

G = TypeVar("G")

_GEOD = Geod(ellps="WGS84")


def distance_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> ArrayLike:
    """Geodesic distance in metres between WGS84 positions; arrays broadcast, scalars give a float."""
    x1, y1, x2, y2 = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (lon1, lat1, lon2, lat2)))
    metres = np.asarray(_GEOD.inv(x1, y1, x2, y2)[2], dtype="float64")
    return float(metres) if metres.ndim == 0 else metres


def degrees_for(metres: float, lat: float) -> float:
    """The angle in degrees that spans at most `metres` on the ground near latitude `lat`.

    Why: shapely simplifies in the units of the coordinates, so a tolerance "about 20 m" on
    lon/lat data needs degrees; the longer of one degree north-south and one degree east-west
    is used, so the tolerance never exceeds `metres` in either direction.
    """
    lat = float(np.clip(lat, -89.0, 89.0))
    along_meridian = distance_m(0.0, lat - 0.5, 0.0, lat + 0.5)
    along_parallel = distance_m(-0.5, lat, 0.5, lat)
    return float(metres) / max(along_meridian, along_parallel)


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray, bool]:
    x = np.asarray(lon, dtype="float64")
    y = np.asarray(lat, dtype="float64")
    return x, y, x.ndim == 0 and y.ndim == 0


def _out(x: np.ndarray, y: np.ndarray, scalar: bool) -> tuple[ArrayLike, ArrayLike]:
    if scalar:
        return float(x), float(y)
    return x, y


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray | bool:
    """True where the point lies outside the box in which GCJ-02 shifts coordinates."""
    x, y, scalar = _arrays(lon, lat)
    out = (x < 72.004) | (x > 137.8347) | (y < 0.8293) | (y > 55.8271)
    return bool(out) if scalar else out


def _delta(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset (degrees) at WGS84 position (x, y); zero outside China."""
    dx0 = x - 105.0
    dy0 = y - 35.0
    sqrt_abs_dx = np.sqrt(np.abs(dx0))
    common = (20.0 * np.sin(6.0 * dx0 * np.pi) + 20.0 * np.sin(2.0 * dx0 * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * dx0 + 3.0 * dy0 + 0.2 * dy0 * dy0 + 0.1 * dx0 * dy0 + 0.2 * sqrt_abs_dx
    dlat += common
    dlat += (20.0 * np.sin(dy0 * np.pi) + 40.0 * np.sin(dy0 / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(dy0 / 12.0 * np.pi) + 320.0 * np.sin(dy0 * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + dx0 + 2.0 * dy0 + 0.1 * dx0 * dx0 + 0.1 * dx0 * dy0 + 0.1 * sqrt_abs_dx
    dlon += common
    dlon += (20.0 * np.sin(dx0 * np.pi) + 40.0 * np.sin(dx0 / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(dx0 / 12.0 * np.pi) + 300.0 * np.sin(dx0 / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = y / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(radlat) * np.pi)
    outside = out_of_china(x, y)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """WGS84 (GPS, CGCS2000) to GCJ-02 (AMap/Gaode, Tencent)."""
    x, y, scalar = _arrays(lon, lat)
    dx, dy = _delta(x, y)
    return _out(x + dx, y + dy, scalar)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """GCJ-02 to WGS84 by fixed-point iteration (the forward shift has no closed inverse)."""
    gx, gy, scalar = _arrays(lon, lat)
    return _out(*_invert(wgs84_to_gcj02, gx, gy, gx.copy(), gy.copy()), scalar)


def _invert(forward: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
            tx: np.ndarray, ty: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (x, y) that `forward` maps onto (tx, ty), refined from a first guess until it holds."""
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(x, y)
        ex, ey = fx - tx, fy - ty
        x = x - ex
        y = y - ey
        if not np.any(np.abs(ex) > _TOLERANCE) and not np.any(np.abs(ey) > _TOLERANCE):
            break
    return x, y


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """GCJ-02 to BD-09 (Baidu)."""
    x, y, scalar = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _out(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006, scalar)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """BD-09 to GCJ-02: the published approximate inverse, refined by fixed-point iteration."""
    bx, by, scalar = _arrays(lon, lat)
    x0, y0 = bx - 0.0065, by - 0.006
    z = np.sqrt(x0 * x0 + y0 * y0) - 0.00002 * np.sin(y0 * _X_PI)
    theta = np.arctan2(y0, x0) - 0.000003 * np.cos(x0 * _X_PI)
    return _out(*_invert(gcj02_to_bd09, bx, by, z * np.cos(theta), z * np.sin(theta)), scalar)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """WGS84 to BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """BD-09 to WGS84 (through GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def _identity(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    x, y, scalar = _arrays(lon, lat)
    return _out(x.copy(), y.copy(), scalar)


_TO_WGS84: dict[str, Callable[[ArrayLike, ArrayLike], tuple[ArrayLike, ArrayLike]]] = {
    "wgs84": _identity,
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}


def to_wgs84(lon: ArrayLike, lat: ArrayLike, source: SourceCRS) -> tuple[ArrayLike, ArrayLike]:
    """Convert from the named source system to WGS84 (``'wgs84'`` returns the input)."""
    try:
        convert = _TO_WGS84[source]
    except KeyError:
        raise ValueError(f"unknown coordinate system {source!r}; choose one of: "
                         f"{', '.join(_TO_WGS84)}") from None
    return convert(lon, lat)


def transform_geometry(geoms: G, func: Callable[[ArrayLike, ArrayLike], tuple[ArrayLike, ArrayLike]]) -> G:
    """Apply a vectorised (lon, lat) -> (lon, lat) function to every vertex.

    Accepts a shapely geometry, an array of them or a GeoSeries (index and CRS kept; a
    GeoDataFrame gives its geometry column back as a GeoSeries). The result is 2D.
    """
    def _xy(coords: np.ndarray) -> np.ndarray:
        x, y = func(coords[:, 0], coords[:, 1])
        out = coords.copy()
        out[:, 0] = x
        out[:, 1] = y
        return out

    if hasattr(geoms, "geometry") and hasattr(geoms, "crs"):  # GeoSeries / GeoDataFrame
        from geopandas import GeoSeries

        series = geoms.geometry
        return GeoSeries(shapely.transform(series.values, _xy, include_z=False),
                         index=series.index, crs=series.crs)
    return shapely.transform(geoms, _xy, include_z=False)


def geometry_to_gcj02(geoms: G) -> G:
    """Shift WGS84 geometries to GCJ-02 so they sit right on AMap/Gaode tiles.

    Display only: the result is still labelled EPSG:4326, because map libraries want a
    lon/lat label, but it must never be stored or measured.
    """
    return transform_geometry(geoms, wgs84_to_gcj02)


def geometry_to_wgs84(geoms: G, source: SourceCRS) -> G:
    """Convert geometries from the named Chinese system to WGS84."""
    if source == "wgs84":
        return geoms
    return transform_geometry(geoms, lambda x, y: to_wgs84(x, y, source))
