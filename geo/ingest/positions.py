"""Where the features are: the file's coordinate system, Shangqiu's extent, valid shapes.

Positions arrive as lon/lat (or as projected metres with a function to lon/lat), in the
coordinate system the staff member chose for the upload (WGS84, GCJ-02, BD-09), and leave
as WGS84 shapely geometries; a position far from Shangqiu is reported with the likely
cause (swapped, metres), a broken polygon with GEOS's reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely

from geo import crs as coords
from geo.ingest.raw import Raw
from geo.ingest.report import Report
from geo.schema import SHANGQIU_BBOX, Layer
from geo.words import say


def crs_transformer(crs: Any, report: Report) -> tuple[bool, Callable | None]:
    """(supported, projected->lon/lat function or None) for a file's CRS.

    Lon/lat on WGS84 or CGCS2000 needs nothing (the two differ by centimetres); projected
    systems on those datums (EPSG:3857, CGCS2000 Gauss-Kruger) are converted; anything else
    (Beijing 1954, Xian 1980, unknown) cannot be converted without losing ~100 m: refused.
    """
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    label = crs if isinstance(crs, str) else getattr(crs, "name", str(crs))
    try:
        parsed = crs if isinstance(crs, CRS) else CRS.from_user_input(crs)
    except (CRSError, TypeError, ValueError):
        report.add("bad_crs", crs=repr(label))
        return False, None
    datum = (parsed.geodetic_crs.datum.name if parsed.geodetic_crs is not None else "") or ""
    if not ("World Geodetic System 1984" in datum or datum == "China 2000"):
        report.add("bad_crs", crs=_crs_label(parsed))
        return False, None
    if parsed.is_geographic:
        return True, None
    transformer = Transformer.from_crs(parsed, "EPSG:4326", always_xy=True)
    report.note("crs_converted", crs=_crs_label(parsed))
    return True, lambda x, y: transformer.transform(x, y)


def _crs_label(crs: Any) -> str:
    try:
        code = crs.to_epsg()
    except Exception:  # pragma: no cover - pyproj internals
        code = None
    return f"EPSG:{code} ({crs.name})" if code else repr(crs.name)


_MIN_LON, _MIN_LAT, _MAX_LON, _MAX_LAT = SHANGQIU_BBOX
_MERCATOR_MAX = 20037508.342789244


def _inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x >= _MIN_LON) & (x <= _MAX_LON) & (y >= _MIN_LAT) & (y <= _MAX_LAT)


def check_positions(raw: Raw, layer: Layer, source: str, report: Report) -> np.ndarray:
    """WGS84 geometries (None where refused); location and validity problems reported."""
    if raw.xs is not None:
        x, y = raw.xs, raw.ys
        if raw.to_lonlat is not None:
            x, y = (np.asarray(a, dtype="float64") for a in raw.to_lonlat(x, y))
        good = np.isfinite(x) & np.isfinite(y)
        if not raw.crs_ok:
            return np.full(raw.n, None, dtype=object)
        wx, wy = coords.to_wgs84(x, y, source)
        outside = good & ~_inside(wx, wy)
        for i in np.flatnonzero(outside):
            _report_outside(report, int(i) + 1, float(x[i]), float(y[i]), float(raw.xs[i]),
                            float(raw.ys[i]), raw.to_lonlat is not None)
        ok = good & ~outside
        geoms = np.full(raw.n, None, dtype=object)
        geoms[ok] = shapely.points(np.column_stack([wx[ok], wy[ok]]))
        return geoms
    geoms = raw.geoms
    present = ~shapely.is_missing(geoms)
    if not raw.crs_ok:
        return np.full(raw.n, None, dtype=object)
    lonlat = geoms
    if raw.to_lonlat is not None and present.any():
        lonlat = geoms.copy()
        lonlat[present] = coords.transform_geometry(geoms[present], raw.to_lonlat)
    wgs = lonlat.copy()
    if source != "wgs84" and present.any():
        wgs[present] = coords.geometry_to_wgs84(lonlat[present], source)  # type: ignore[arg-type]
    bounds = shapely.bounds(wgs)
    outside = present & ~(_inside(bounds[:, 0], bounds[:, 1]) & _inside(bounds[:, 2], bounds[:, 3]))
    for i in np.flatnonzero(outside):
        point = shapely.get_coordinates(lonlat[i])[0]
        first = shapely.get_coordinates(geoms[i])[0]
        _report_outside(report, int(i) + 1, float(point[0]), float(point[1]), float(first[0]),
                        float(first[1]), raw.to_lonlat is not None)
    reasons = np.full(raw.n, "Valid Geometry", dtype=object)
    if present.any():
        reasons[present] = shapely.is_valid_reason(wgs[present])
    for i in np.flatnonzero(present & (reasons != "Valid Geometry")):
        reason = str(reasons[i])
        report.add("invalid_geometry", int(i) + 1, "geometry", reason=reason,
                   reason_zh=_reason_zh(reason))
    return np.where(present & ~outside & (reasons == "Valid Geometry"), wgs, None)


def _report_outside(report: Report, num: int, x: float, y: float, rx: float, ry: float,
                    projected: bool) -> None:
    """Outside Shangqiu: say why it may be (swapped, metres), else just where it is."""
    if _inside(np.array(y), np.array(x)):
        report.add("swapped_coordinates", num, "geometry", x=_num(x), y=_num(y))
        return
    hint = "check the coordinates, and the coordinate system chosen for the upload"
    hint_zh = "请检查坐标，以及上传时选择的坐标系"
    if not projected and (abs(rx) > 180 or abs(ry) > 90):
        if abs(rx) <= _MERCATOR_MAX and abs(ry) <= _MERCATOR_MAX:
            lon = math.degrees(rx / 6378137.0)
            lat = math.degrees(2 * math.atan(math.exp(ry / 6378137.0)) - math.pi / 2)
            if _inside(np.array(lon), np.array(lat)):
                hint = ("these numbers look like Web Mercator metres (EPSG:3857); export the layer "
                        "as EPSG:4326, or keep the file's crs member")
                hint_zh = "这些数字像是 Web 墨卡托（EPSG:3857）的米制坐标；请以 EPSG:4326 导出，或在文件中保留 crs 声明"
            else:
                hint = ("these numbers look like metres in a projected system, not degrees; export "
                        "the layer as EPSG:4326 (WGS84)")
                hint_zh = "这些数字像是投影坐标（米），不是经纬度；请以 EPSG:4326（WGS84）导出"
        else:
            hint = "longitude and latitude must be degrees (-180..180, -90..90)"
            hint_zh = "经纬度应为度数（经度 -180..180，纬度 -90..90）"
    report.add("outside_area", num, "geometry", x=_num(x), y=_num(y), hint=hint, hint_zh=hint_zh)


def _num(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".")


#: GEOS's reasons for an invalid shape -> their words in the catalogue (ingest.reason.<name>).
_REASONS = {
    "Self-intersection": "self_intersection",
    "Ring Self-intersection": "ring_self_intersection",
    "Too few points": "too_few_points",
    "Interior is disconnected": "interior_disconnected",
    "Hole lies outside shell": "hole_outside_shell",
    "Nested holes": "nested_holes",
    "Nested shells": "nested_shells",
    "Duplicate Rings": "duplicate_rings",
    "Invalid Coordinate": "invalid_coordinate",
    "Ring is not closed": "ring_not_closed",
}


def _reason_zh(reason: str) -> str:
    """GEOS's reason ('Self-intersection[115.6 34.4]') in Chinese, with its position."""
    m = re.match(r"^([A-Za-z \-]+?)\s*(\[.*\])?$", reason)
    if m and m.group(1) in _REASONS:
        words = say(f"ingest.reason.{_REASONS[m.group(1)]}", "zh")
        return say("ingest.reason_at", "zh", reason=words, at=m.group(2)) if m.group(2) else words
    return reason
