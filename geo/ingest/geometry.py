"""GeoJSON geometries, read position by position, with the reason when one is broken.

This is the slow path of the GeoJSON reader (`geo.ingest.geojson` reads a plain
``[float, float]`` point itself): anything unusual comes here and is either turned into
a point or a shapely polygon, or reported once, with words a staff member can act on.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

from geo.ingest.raw import MISSING, DupDict, Int, describe
from geo.ingest.report import Report, both

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                  "MultiPolygon", "GeometryCollection")


def expected(kind: str) -> dict[str, str]:
    """The ``expected``/``expected_zh`` message parameters: the geometry a layer needs."""
    en, zh = both(f"ingest.kind.{kind}")
    return {"expected": en, "expected_zh": zh}


class GeomError(Exception):
    """A broken geometry found while reading positions: (code, en detail, zh detail)."""

    def __init__(self, code: str, detail: str, detail_zh: str):
        super().__init__(detail)
        self.code, self.detail, self.detail_zh = code, detail, detail_zh


def _position(c: Any) -> tuple[float, float, bool]:
    """(x, y, had_z) from a GeoJSON position, or GeomError saying what is wrong."""
    if type(c) is not list:
        what = describe(c)
        raise GeomError("bad_coordinates", f"a position must be [longitude, latitude], found {what[0]}",
                        f"位置应为 [经度, 纬度]，实际是{what[1]}")
    if len(c) < 2:
        raise GeomError("bad_coordinates",
                        f"a position has {len(c)} number(s); it needs two: [longitude, latitude]",
                        f"一个位置只有 {len(c)} 个数，应为两个：[经度, 纬度]")
    if len(c) > 3:
        raise GeomError("bad_coordinates",
                        f"a position has {len(c)} numbers; it needs [longitude, latitude] "
                        "(and at most a height)",
                        f"一个位置有 {len(c)} 个数，应为 [经度, 纬度]（最多再加高程）")
    out = []
    for v in c:
        t = type(v)
        if t is float:
            if not math.isfinite(v):
                raise GeomError("bad_coordinates", f"{v!r} is not a finite number",
                                f"{v!r} 不是有效数字")
            out.append(v)
        elif t is Int:
            out.append(float(v))
        elif v is None:
            raise GeomError("bad_coordinates", "a coordinate is empty (null)", "有坐标为空（null）")
        elif t is str:
            raise GeomError("bad_coordinates",
                            f"the coordinate {v!r} is text, not a number (remove the quotes)",
                            f"坐标“{v}”是文本而不是数字（请去掉引号）")
        else:
            what = describe(v)
            raise GeomError("bad_coordinates", f"a coordinate is {what[0]}, not a number",
                            f"有坐标是{what[1]}，不是数字")
    return out[0], out[1], len(c) == 3


def _positions(c: Any, what: str, what_zh: str) -> tuple[np.ndarray, bool]:
    """An (n, 2) array from a list of positions."""
    if type(c) is not list or not c:
        found = describe(c)
        raise GeomError("bad_coordinates", f"{what} must be a non-empty list of positions, found {found[0]}",
                        f"{what_zh}应为非空的位置列表，实际是{found[1]}")
    xyz = [_position(p) for p in c]
    return np.array([(x, y) for x, y, _ in xyz]), any(z for _, _, z in xyz)


def _ring(c: Any) -> tuple[np.ndarray, bool]:
    arr, z = _positions(c, "a ring", "环")
    if len(arr) < 4:
        raise GeomError("invalid_geometry",
                        f"a ring has only {len(arr)} position(s); it needs at least 4, the last "
                        "equal to the first (too few points)",
                        f"环只有 {len(arr)} 个点，至少需要 4 个且首尾相同（点数太少）")
    if not np.array_equal(arr[0], arr[-1]):
        raise GeomError("invalid_geometry",
                        "a ring is not closed: its last position must repeat the first",
                        "环没有闭合：最后一个点应与第一个点相同")
    return arr, z


def _polygon(c: Any) -> tuple[shapely.Polygon, bool]:
    if type(c) is not list or not c:
        found = describe(c)
        raise GeomError("bad_coordinates", f"a polygon must be a list of rings, found {found[0]}",
                        f"多边形应为环的列表，实际是{found[1]}")
    rings = [_ring(r) for r in c]
    z = any(rz for _, rz in rings)
    return shapely.Polygon(rings[0][0], [r for r, _ in rings[1:]]), z


def read_geometry(g: Any, kind: str, num: int, report: Report,
                  counts: dict[str, int]) -> tuple[float, float] | shapely.Geometry | None:
    """Check one geometry (slow path): a point's (x, y), a polygon, or None (reported)."""
    if g is None:
        report.add("no_geometry", num, "geometry", what="null", what_zh="空（null）",
                   **expected(kind))
        return None
    if not isinstance(g, dict):
        what = describe(g)
        report.add("bad_geometry", num, "geometry", detail=f"found {what[0]}",
                   detail_zh=f"实际是{what[1]}")
        return None
    if isinstance(g, DupDict):
        report.add("duplicate_key", num, "geometry", name=g.dups[0], where="the geometry",
                   where_zh="几何对象")
        return None
    gtype = g.get("type")
    if gtype not in GEOMETRY_TYPES:
        what = describe(gtype)
        hint = ""
        if isinstance(gtype, str):
            right = {t.lower(): t for t in GEOMETRY_TYPES}.get(gtype.lower())
            hint = f' (write "{right}": capitals matter)' if right else ""
        report.add("bad_geometry", num, "geometry",
                   detail=f"unknown geometry type {what[0]}{hint}",
                   detail_zh=f"未知的几何类型{what[1]}" + ("（区分大小写）" if hint else ""))
        return None
    if gtype == "GeometryCollection":
        exp = expected(kind)
        report.add("geometry_type", num, "geometry", found="GeometryCollection",
                   layer=report.layer_en, layer_zh=report.layer_zh, **exp,
                   hint=f"a GeometryCollection is not accepted: give each feature one {exp['expected']}",
                   hint_zh=f"不接受 GeometryCollection：每个要素只能有一个{exp['expected_zh']}")
        return None
    c = g.get("coordinates", MISSING)
    if c is MISSING or c is None:
        report.add("bad_coordinates", num, "geometry",
                   detail=f"the {gtype} has no coordinates", detail_zh=f"{gtype} 没有坐标")
        return None
    try:
        if kind == "Point":
            if gtype == "Point":
                x, y, z = _position(c)
            elif gtype == "MultiPoint" and type(c) is list and len(c) == 1:
                x, y, z = _position(c[0])
                counts["multipoint_single"] += 1
            else:
                wrong_type(report, num, gtype, kind, c)
                return None
            counts["z"] += z
            return x, y
        if gtype == "Polygon":
            poly, z = _polygon(c)
        elif gtype == "MultiPolygon":
            if type(c) is not list or not c:
                found = describe(c)
                raise GeomError("bad_coordinates",
                                f"a MultiPolygon must be a list of polygons, found {found[0]}",
                                f"MultiPolygon 应为多边形的列表，实际是{found[1]}")
            parts = [_polygon(p) for p in c]
            poly, z = shapely.multipolygons([p for p, _ in parts]), any(pz for _, pz in parts)
        else:
            wrong_type(report, num, gtype, kind, c)
            return None
        counts["z"] += z
        return poly
    except GeomError as err:
        if err.code == "invalid_geometry":
            report.add("invalid_geometry", num, "geometry", reason=err.detail, reason_zh=err.detail_zh)
        else:
            report.add(err.code, num, "geometry", detail=err.detail, detail_zh=err.detail_zh)
        return None


def wrong_type(report: Report, num: int, gtype: str, kind: str, c: Any) -> None:
    """Report a geometry of the wrong type for the layer, with what to do about it."""
    if kind == "Point" and gtype == "MultiPoint":
        n = len(c) if isinstance(c, list) else 0
        hint, hint_zh = (f"the MultiPoint has {n} points: split it into one feature per point",
                         f"该 MultiPoint 含 {n} 个点：请拆成每个点一个要素")
    elif kind == "Point":
        hint, hint_zh = ("give each feature a single point, e.g. its centre",
                         "每个要素只用一个点表示，例如其中心点")
    else:
        hint, hint_zh = ("draw the area as a closed polygon", "请把范围画成闭合的多边形")
    report.add("geometry_type", num, "geometry", found=gtype, layer=report.layer_en,
               layer_zh=report.layer_zh, **expected(kind), hint=hint, hint_zh=hint_zh)
