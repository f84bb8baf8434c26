"""GeoJSON: from the parsed text to features, in one pass, keeping every feature number.

The root must be a FeatureCollection (or one Feature); a legacy ``crs`` member is honoured.
Then one Python loop pulls out each feature's properties and position: a plain
``[float, float]`` point is taken on the spot (the fast path, nearly every feature of a
good file), anything else goes through `geo.ingest.geometry` and is reported if broken.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from geo.ingest.geometry import GEOMETRY_TYPES, expected, read_geometry
from geo.ingest.positions import crs_transformer
from geo.ingest.raw import MISSING, DupDict, Raw, describe
from geo.ingest.report import Report
from geo.ingest.sniff import decode, parse_json
from geo.schema import Layer


def read_geojson(data: bytes, layer: Layer, report: Report) -> Raw | None:
    """The features of a GeoJSON file, or None when the file as a whole is unusable."""
    text = decode(data, report)
    if text is None:
        return None
    ok, obj = parse_json(text, report)
    if not ok:
        return None
    features = _features_of(obj, report)
    if features is None:
        return None
    to_lonlat, crs_ok = None, True
    crs_member = obj.get("crs") if isinstance(obj, dict) else None
    if crs_member is not None:
        name = _crs_name(crs_member)
        if name is None:
            report.add("bad_crs", crs=repr(describe(crs_member)[0]))
            crs_ok = False
        elif _normal_crs_name(name) not in _LEGACY_CRS_OK:
            crs_ok, to_lonlat = crs_transformer(name, report)
    return _scan(features, layer, report, to_lonlat, crs_ok)


def _features_of(obj: Any, report: Report) -> list | None:
    """The list of features under the root, or None with a problem about the root."""
    if isinstance(obj, dict):
        if isinstance(obj, DupDict):
            report.add("duplicate_key", name=obj.dups[0], where="the top-level object",
                       where_zh="最外层对象")
            return None
        kind = obj.get("type")
        if kind == "FeatureCollection":
            features = obj.get("features", MISSING)
            if isinstance(features, list):
                if not features:
                    report.add("no_features")
                    return None
                return features
            what = ("nothing (no 'features' member)", "空（缺少 features）") if features is MISSING \
                else describe(features)
            report.add("features_not_list", what=what[0], what_zh=what[1])
            return None
        if kind == "Feature":
            return [obj]
        if kind in GEOMETRY_TYPES:
            report.add("not_geojson", what=f"a bare {kind} geometry without properties",
                       what_zh=f"单独的 {kind} 几何对象（没有属性）",
                       hint="export features with their attributes, as a FeatureCollection "
                            "(QGIS: Export > Save Features As > GeoJSON)",
                       hint_zh="请连同属性一起导出为要素集合 FeatureCollection"
                               "（QGIS：导出 > 要素另存为 > GeoJSON）")
            return None
        if isinstance(kind, str) and kind.lower() in ("featurecollection", "feature"):
            right = "FeatureCollection" if kind.lower() == "featurecollection" else "Feature"
            report.add("not_geojson", what=f'"type": "{kind}"', what_zh=f'"type": "{kind}"',
                       hint=f'the type must be written exactly "{right}" (capitals matter)',
                       hint_zh=f'type 必须严格写成 "{right}"（区分大小写）')
            return None
        if kind is None:
            what = ('an object without a "type"', "没有 type 的对象")
        elif isinstance(kind, str):
            what = (f'an object of type "{kind}"', f"类型为“{kind}”的对象")
        else:
            what = (f'an object whose "type" is {describe(kind)[0]}',
                    f"type 为{describe(kind)[1]}的对象")
        report.add("not_geojson", what=what[0], what_zh=what[1],
                   hint='a GeoJSON file starts with {"type": "FeatureCollection", "features": [...]}',
                   hint_zh='GeoJSON 文件应以 {"type": "FeatureCollection", "features": [...]} 开头')
        return None
    if isinstance(obj, list):
        report.add("not_geojson", what="a list [...]", what_zh="列表 [...]",
                   hint='wrap the features: {"type": "FeatureCollection", "features": [...]}',
                   hint_zh='请把要素放进 {"type": "FeatureCollection", "features": [...]}')
        return None
    what = describe(obj)
    report.add("not_geojson", what=f"only {what[0]}", what_zh=f"只有{what[1]}",
               hint="export the layer again as GeoJSON", hint_zh="请重新导出为 GeoJSON")
    return None


_LEGACY_CRS_OK = {"EPSG:4326", "OGC:CRS84", "OGC:1.3:CRS84", "EPSG:4490", "OGC:CRS84H"}


def _crs_name(member: Any) -> str | None:
    """The name in a legacy GeoJSON ``crs`` member ({"type": "name", ...}), else None."""
    if isinstance(member, dict) and member.get("type") == "name":
        props = member.get("properties")
        if isinstance(props, dict) and isinstance(props.get("name"), str):
            return props["name"]
    return None


def _normal_crs_name(name: str) -> str:
    """'urn:ogc:def:crs:EPSG::4326' -> 'EPSG:4326'; 'urn:ogc:def:crs:OGC:1.3:CRS84' -> 'OGC:1.3:CRS84'."""
    name = name.strip()
    m = re.match(r"(?i)^urn:ogc:def:crs:([a-z]+):[\d.]*:(\w+)$", name)
    if m:
        return f"{m.group(1).upper()}:{m.group(2).upper()}" if m.group(1).upper() == "EPSG" \
            else f"OGC:{m.group(2).upper()}"
    return name.upper()


def _scan(features: list, layer: Layer, report: Report, to_lonlat: Callable | None,
          crs_ok: bool) -> Raw:
    """One pass over the features: positions and properties out, broken structure reported."""
    n = len(features)
    kind = layer.geometry
    empty: dict = {}
    props: list[dict] = [empty] * n
    fids: list[Any] = [None] * n
    nan = math.nan
    xs: list[float] = [nan] * n
    ys: list[float] = [nan] * n
    geoms: list[Any] = [None] * n
    counts = {"z": 0, "multipoint_single": 0}
    point = kind == "Point"
    for i, f in enumerate(features):
        if type(f) is dict and f.get("type") == "Feature":
            p = f.get("properties")
            if type(p) is dict:
                props[i] = p
            elif p is not None:
                _bad_properties(p, i + 1, report, props, i)
            fid = f.get("id")
            if fid is not None:
                fids[i] = fid
            g = f.get("geometry", MISSING)
            if point and type(g) is dict and g.get("type") == "Point":  # the fast path
                c = g.get("coordinates")
                if type(c) is list and len(c) == 2:
                    x, y = c
                    if type(x) is float and type(y) is float and x - x == 0.0 and y - y == 0.0:
                        xs[i] = x
                        ys[i] = y
                        continue
        else:
            if _bad_feature(f, i + 1, report):
                continue
            p = f.get("properties")
            if isinstance(p, dict):
                props[i] = p
            elif p is not None:
                _bad_properties(p, i + 1, report, props, i)
            fids[i] = f.get("id")
            g = f.get("geometry", MISSING)
        if g is MISSING:
            report.add("no_geometry", i + 1, "geometry", what='missing (no "geometry" member)',
                       what_zh="缺失（没有 geometry）", **expected(kind))
            continue
        got = read_geometry(g, kind, i + 1, report, counts)
        if got is None:
            continue
        if point:
            xs[i], ys[i] = got
        else:
            geoms[i] = got
    if counts["z"]:
        report.note("z_dropped", count=counts["z"])
    if counts["multipoint_single"]:
        report.note("multipoint_single", count=counts["multipoint_single"])
    raw = Raw("geojson", n, props, fids, to_lonlat=to_lonlat, crs_ok=crs_ok)
    if point:
        raw.xs, raw.ys = np.array(xs, dtype="float64"), np.array(ys, dtype="float64")
    else:
        raw.geoms = np.fromiter(geoms, dtype=object, count=n)
    return raw


def _bad_feature(f: Any, num: int, report: Report) -> bool:
    """Report why `f` is not a usable Feature; True if it cannot be read further."""
    if not isinstance(f, dict):
        what = describe(f)
        report.add("bad_feature", num, "type", detail=f"found {what[0]}", detail_zh=f"实际是{what[1]}")
        return True
    if isinstance(f, DupDict):
        report.add("duplicate_key", num, f.dups[0], name=f.dups[0], where="the feature",
                   where_zh="要素")
    t = f.get("type", MISSING)
    if t == "Feature":
        return False
    if t is MISSING:
        detail, detail_zh = 'it has no "type"', "缺少 type"
    elif isinstance(t, str) and t.lower() == "feature":
        detail, detail_zh = f'"type" is {t!r}; write "Feature" (capitals matter)', \
            f'type 为“{t}”，应写成 "Feature"（区分大小写）'
    else:
        what = describe(t)
        detail, detail_zh = f'"type" is {what[0]}, not "Feature"', f'type 为{what[1]}，不是 "Feature"'
    report.add("bad_feature", num, "type", detail=detail, detail_zh=detail_zh)
    return False  # still look at its geometry and properties: report everything at once


def _bad_properties(p: Any, num: int, report: Report, props: list[dict], i: int) -> None:
    if isinstance(p, DupDict):
        report.add("duplicate_key", num, p.dups[0], name=p.dups[0], where="the properties",
                   where_zh="属性")
        props[i] = p
        return
    if isinstance(p, dict):
        props[i] = p
        return
    what = describe(p)
    report.add("bad_properties", num, "properties", what=what[0], what_zh=what[1])
