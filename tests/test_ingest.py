"""Reading uploads: every bad case names the feature number, the field and the problem."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer

from geo import crs as coords
from geo.errors import InputError, Problem, ValidationError
from geo.ingest import (
    DEFAULT_MAX_BYTES,
    PROBLEM_CODES,
    SOURCE_CRS,
    UNREADABLE_CODES,
    Upload,
    read_upload,
    validate_file,
)
from geo.schema import ISSUES, LAYERS, SHANGQIU_BBOX, UPLOADABLE

GEOD = Geod(ellps="WGS84")
HERE = (115.6505, 34.4150)  # WGS84, central Shangqiu

# ---- building test files ---------------------------------------------------------------


def issue_props(i: int = 1, **changes) -> dict:
    props = {
        "issue_id": f"PY-{i:03d}", "title": "福荣街停车难", "description": "乱停车，需要划线",
        "category": "parking", "focus": "livelihood", "stage": "done", "method": "on_site",
        "reported_on": "2022-03-01", "consensus_on": "2022-03-20", "due_on": "2022-05-31",
        "done_on": "2022-05-20", "responsible_unit": "平原街道办事处", "residents_affected": 300,
        "satisfaction": 4.5, "reporter_name": "李四", "reporter_phone": "13912345678",
    }
    props.update(changes)
    return {k: v for k, v in props.items() if v is not ...}  # `...` removes a property


def point(x: float = HERE[0], y: float = HERE[1]) -> dict:
    return {"type": "Point", "coordinates": [x, y]}


def square(x: float = HERE[0], y: float = HERE[1], d: float = 0.002) -> dict:
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(props: dict | None = None, geometry: dict | None | type(...) = ..., **members) -> dict:
    f = {"type": "Feature", "properties": issue_props() if props is None else props,
         "geometry": point() if geometry is ... else geometry}
    f.update(members)
    return f


def collection(*features, **members) -> dict:
    return {"type": "FeatureCollection", **members, "features": list(features)}


def encode(obj, encoding: str = "utf-8") -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode(encoding)


def read(obj, layer: str = "issues", *, filename: str = "upload.geojson", **kw) -> Upload:
    data = obj if isinstance(obj, bytes) else encode(obj)
    return read_upload(data, filename=filename, layer=layer, **kw)


def issues(n: int = 3, **changes_for) -> list[dict]:
    """n good issue features; changes_for={'f2': {...}} changes feature 2's properties."""
    out = []
    for i in range(1, n + 1):
        props = issue_props(i, **changes_for.get(f"f{i}", {}))
        out.append(feature(props, point(HERE[0] + i * 1e-3, HERE[1])))
    return out


def only(upload: Upload, code: str) -> Problem:
    """The one problem with `code` (the test fails with the whole report otherwise)."""
    found = [p for p in upload.problems if p.code == code]
    assert len(found) == 1, "\n".join(map(str, upload.problems))
    return found[0]


def assert_problem(upload: Upload, code: str, feature: int | None, field: str | None,
                   *phrases: str) -> Problem:
    """A problem with this code, feature number and field exists; its text has `phrases`."""
    matches = [p for p in upload.problems
               if p.code == code and p.feature == feature and p.field == field]
    assert matches, f"no {code} at feature {feature}, field {field}:\n" + \
        "\n".join(map(str, upload.problems))
    p = matches[0]
    text = f"{p.message} {p.hint} {p.message_zh} {p.hint_zh}"
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in {text!r}"
    assert p.message and p.message_zh and p.hint and p.hint_zh, p
    if feature is not None:
        assert feature in upload.rejected and feature not in upload.frame.index
    return p


def metres(lon1, lat1, lon2, lat2) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


# ---- the good case and the result's shape ----------------------------------------------


def test_a_good_file_is_ok_and_typed():
    up = read(collection(*issues(3)))
    assert up.ok and up.problems == [] and up.rejected == [] and up.n_features == 3
    assert up.source_format == "geojson"
    frame = up.frame
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs == "EPSG:4326"
    assert list(frame.columns) == [*ISSUES.field_names, "geometry"]
    assert list(frame.index) == [1, 2, 3] and frame.index.name == "feature"
    assert frame["residents_affected"].dtype == "Int64"
    assert frame["satisfaction"].dtype == "float64"
    assert frame["issue_id"].dtype == object and frame["reported_on"].dtype == object
    assert frame.loc[1, "title"] == "福荣街停车难"
    assert frame.loc[1, "reported_on"] == "2022-03-01"
    assert frame.loc[1, "closed_reason"] is None  # absent optional text: None, not NaN
    assert frame.geometry.geom_type.eq("Point").all()
    assert frame.loc[1, "geometry"].x == pytest.approx(HERE[0] + 1e-3)


@pytest.mark.parametrize("layer, geometry", [
    ("venues", point()), ("issues", point()), ("compounds", square()), ("communities", square()),
])
def test_every_uploadable_layer_reads_a_minimal_good_feature(layer, geometry):
    props = {
        "venues": {"venue_id": "V1", "name": "福荣街议事亭", "kind": "pavilion", "has_sign": True,
                   "opened_on": "2021-05-01"},
        "issues": issue_props(),
        "compounds": {"compound_id": "C1", "name": "烟厂家属院", "households": 120,
                      "built_year": 1988, "is_old_compound": "是", "property_management": "none"},
        "communities": {"community_id": "411402001004", "name": "福禄社区", "team_size": 12},
    }[layer]
    up = read(collection(feature(props, geometry)), layer)
    assert up.ok, up.problems
    assert len(up.frame) == 1 and set(UPLOADABLE) >= {layer}


def test_every_problem_code_has_messages_in_both_languages():
    assert "too_large" in PROBLEM_CODES and "swapped_coordinates" in PROBLEM_CODES
    assert UNREADABLE_CODES <= set(PROBLEM_CODES)


def test_raise_for_problems_raises_one_error_listing_all():
    up = read(collection(*issues(2, f1={"title": ...}, f2={"stage": "??"})))
    with pytest.raises(ValidationError) as err:
        up.raise_for_problems()
    assert len(err.value.problems) == 2 and "feature 1" in str(err.value)
    read(collection(*issues(1))).raise_for_problems()  # ok: nothing raised


def test_every_problem_is_collected_not_just_the_first():
    feats = issues(5, f1={"title": ...}, f3={"residents_affected": "abc"}, f5={"stage": "x"})
    feats[1]["geometry"] = point(HERE[1], HERE[0])
    feats[3]["geometry"] = None
    up = read(collection(*feats))
    assert [(p.feature, p.code) for p in up.problems] == [
        (1, "missing_field"), (2, "swapped_coordinates"), (3, "bad_type"),
        (4, "no_geometry"), (5, "bad_enum")]
    assert up.rejected == [1, 2, 3, 4, 5] and up.frame.empty


def test_valid_rows_are_kept_beside_rejected_ones():
    up = read(collection(*issues(3, f2={"category": "nope"})))
    assert not up.ok and up.rejected == [2]
    assert list(up.frame.index) == [1, 3]
    assert list(up.frame["issue_id"]) == ["PY-001", "PY-003"]


# ---- the file as a whole ----------------------------------------------------------------


def test_not_json_names_line_column_and_character():
    data = b'{\n  "type": "FeatureCollection"\n  "features": []\n}'
    up = read(data)
    p = assert_problem(up, "not_json", None, None, "line 3, column 3", "character 35", "第 3 行第 3 列",
                       "缺少逗号")
    assert "features" in p.hint  # an excerpt of the text around the error
    assert up.frame.empty and up.n_features == 0


def test_truncated_file_says_it_was_cut_off_with_the_position():
    text = json.dumps(collection(*issues(2)), indent=1)
    cut = text[: len(text) // 2]
    up = read(cut.encode())
    lines = cut.rstrip().split("\n")
    assert_problem(up, "truncated", None, None, "cut off", f"line {len(lines)}",
                   f"character {len(cut.rstrip()) + 1}", "提前结束")


def test_unterminated_string_at_the_end_is_truncated():
    assert only(read(b'{"type": "FeatureCollection", "features": [{"type": "Feat'), "truncated")


def test_several_json_documents_are_not_json():
    data = encode(collection(*issues(1))) + b"\n" + encode(collection(*issues(1)))
    assert_problem(read(data), "not_json", None, None, "Extra data", "多余的内容")


@pytest.mark.parametrize("root, phrase", [
    (point(), "bare Point geometry"),
    ([feature()], "a list"),
    ("FeatureCollection", "only the text"),
    (None, "only null"),
    ({"type": "featurecollection", "features": []}, 'exactly "FeatureCollection"'),
    ({"type": "Topology"}, 'type "Topology"'),
    ({"features": []}, 'without a "type"'),
], ids=["bare-geometry", "list", "string", "null", "lowercase", "other-type", "no-type"])
def test_wrong_root(root, phrase):
    up = read(root)
    assert_problem(up, "not_geojson", None, None, phrase)
    assert len(up.problems) == 1 and up.n_features == 0


def test_a_single_feature_root_is_accepted():
    up = read(feature())
    assert up.ok and up.n_features == 1 and list(up.frame.index) == [1]


@pytest.mark.parametrize("features, phrase", [
    ({}, "an object"), ("x", "the text"), (..., "no 'features' member"),
])
def test_features_not_a_list(features, phrase):
    obj = {"type": "FeatureCollection"} if features is ... else \
        {"type": "FeatureCollection", "features": features}
    assert_problem(read(obj), "features_not_list", None, None, phrase, "要素列表")


def test_no_features():
    assert_problem(read(collection()), "no_features", None, None, "no features")


def test_empty_file():
    assert_problem(read(b"  \n"), "empty", None, None, "empty", "空")


def test_size_cap_names_size_and_cap_and_reads_nothing():
    data = encode(collection(*issues(50)))
    up = read(data, max_bytes=2 * 1024)
    p = assert_problem(up, "too_large", None, None, "MB", f"{len(data) / 2**20:.1f} MB")
    assert "0 MB limit" in p.message or "MB limit" in p.message
    assert up.n_features == 0 and up.frame.empty
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024
    big = read(b" " * (DEFAULT_MAX_BYTES + 1))
    assert_problem(big, "too_large", None, None, "more than the 50 MB limit", "50 MB 的上限")


def test_size_cap_applies_to_validate_file_without_reading(tmp_path):
    path = tmp_path / "big.geojson"
    path.write_bytes(b" " * 5000)
    up = validate_file(path, layer="issues", max_bytes=1000)
    assert only(up, "too_large")


def test_duplicate_key_at_the_top_is_refused():
    data = b'{"type": "FeatureCollection", "type": "Feature", "features": []}'
    assert_problem(read(data), "duplicate_key", None, None, "'type'", "top-level")


def test_duplicate_property_names_name_the_feature_and_field():
    good = json.dumps(feature(issue_props(1)), ensure_ascii=False)
    bad = '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [115.65, 34.41]}, ' \
          '"properties": {"issue_id": "PY-002", "title": "a", "title": "b", "category": "parking", ' \
          '"focus": "livelihood", "stage": "done", "reported_on": "2022-03-01"}}'
    data = f'{{"type": "FeatureCollection", "features": [{good}, {bad}]}}'.encode()
    up = read(data)
    assert_problem(up, "duplicate_key", 2, "title", "'title'", "more than once")
    assert up.rejected == [2]


# ---- features ---------------------------------------------------------------------------


def test_feature_without_type():
    f = feature()
    del f["type"]
    up = read(collection(*issues(1), f))
    assert_problem(up, "bad_feature", 2, "type", 'no "type"')


def test_feature_with_a_misspelt_type():
    up = read(collection(feature(type="feature")))
    assert_problem(up, "bad_feature", 1, "type", '"Feature" (capitals matter)')


def test_a_feature_that_is_not_an_object():
    up = read(collection(*issues(1), None, 5))
    assert_problem(up, "bad_feature", 2, "type", "null")
    assert_problem(up, "bad_feature", 3, "type", "the number 5")


def test_feature_without_geometry_member():
    f = feature()
    del f["geometry"]
    assert_problem(read(collection(f)), "no_geometry", 1, "geometry", "missing")


def test_feature_with_null_geometry():
    assert_problem(read(collection(feature(geometry=None))), "no_geometry", 1, "geometry",
                   "no location", "Point")


def test_null_properties_mean_no_fields_so_required_ones_are_missing():
    up = read(collection(feature(props=None) | {"properties": None}))
    missing = {p.field for p in up.problems if p.code == "missing_field" and p.feature == 1}
    assert missing == {f.name for f in ISSUES.fields if f.required}
    assert {p.code for p in up.problems} == {"missing_field"}


def test_feature_without_properties_member_is_treated_like_null():
    f = feature()
    del f["properties"]
    up = read(collection(f))
    assert {p.code for p in up.problems} == {"missing_field"}


def test_properties_that_are_not_an_object():
    up = read(collection(feature(props=None) | {"properties": [1, 2]}))
    assert_problem(up, "bad_properties", 1, "properties", "a list")


def test_feature_level_id_supplies_the_id_field():
    f = feature(issue_props(issue_id=...), id="PY-900")
    g = feature(issue_props(issue_id=...) | {"title": "x"}, point(HERE[0] + 0.01, HERE[1]), id=901)
    up = read(collection(f, g))
    assert up.ok, up.problems
    assert list(up.frame["issue_id"]) == ["PY-900", "901"]
    assert any(n.code == "feature_id_used" for n in up.notes)


def test_feature_level_id_that_is_an_object():
    up = read(collection(feature(id={"a": 1})))
    assert_problem(up, "bad_id", 1, "id", "an object")


# ---- geometry ---------------------------------------------------------------------------


@pytest.mark.parametrize("layer, geometry, found, expected", [
    ("venues", square(), "Polygon", "Point"),
    ("issues", {"type": "LineString", "coordinates": [[115.6, 34.4], [115.7, 34.4]]},
     "LineString", "Point"),
    ("compounds", point(), "Point", "Polygon or MultiPolygon"),
    ("communities", point(), "Point", "Polygon or MultiPolygon"),
])
def test_wrong_geometry_type_for_the_layer(layer, geometry, found, expected):
    up = read(collection(feature({}, geometry)), layer)
    assert_problem(up, "geometry_type", 1, "geometry", f"is a {found}", f"need a {expected}")


def test_multipolygon_is_accepted_for_polygon_layers():
    geom = {"type": "MultiPolygon", "coordinates": [square()["coordinates"],
                                                    square(HERE[0] + 0.01)["coordinates"]]}
    up = read(collection(feature({"community_id": "C1", "name": "新区社区"}, geom)), "communities")
    assert up.ok, up.problems
    assert up.frame.geometry.iloc[0].geom_type == "MultiPolygon"


def test_multipoint_with_one_point_is_read_as_a_point():
    """Decision: QGIS often exports point layers as MultiPoint; one point is unambiguous."""
    geom = {"type": "MultiPoint", "coordinates": [list(HERE)]}
    up = read(collection(feature(geometry=geom)))
    assert up.ok, up.problems
    assert up.frame.geometry.iloc[0].geom_type == "Point"
    assert any(n.code == "multipoint_single" for n in up.notes)


def test_multipoint_with_several_points_is_refused():
    geom = {"type": "MultiPoint", "coordinates": [list(HERE), [HERE[0] + 0.01, HERE[1]]]}
    assert_problem(read(collection(feature(geometry=geom))), "geometry_type", 1, "geometry",
                   "MultiPoint", "2 points")


def test_geometry_collection_is_refused():
    geom = {"type": "GeometryCollection", "geometries": [point()]}
    assert_problem(read(collection(feature(geometry=geom))), "geometry_type", 1, "geometry",
                   "GeometryCollection is not accepted", "不接受 GeometryCollection")


def test_unknown_geometry_type():
    geom = {"type": "point", "coordinates": list(HERE)}
    assert_problem(read(collection(feature(geometry=geom))), "bad_geometry", 1, "geometry",
                   '"Point": capitals matter')


@pytest.mark.parametrize("coordinates, phrase", [
    (None, "no coordinates"),
    ([], "0 number(s)"),
    ([HERE[0], None], "empty (null)"),
    ([HERE[0], "34.41"], "is text, not a number"),
    ([HERE[0]], "1 number(s)"),
    ([HERE[0], HERE[1], 10.0, 5.0], "4 numbers"),
    ("115.6,34.4", "the text"),
    ([HERE[0], True], "true"),
], ids=["null", "empty", "null-coordinate", "string", "one", "four", "string-pair", "bool"])
def test_bad_coordinates(coordinates, phrase):
    up = read(collection(*issues(1), feature(geometry={"type": "Point", "coordinates": coordinates})))
    assert_problem(up, "bad_coordinates", 2, "geometry", phrase)


def test_nan_coordinates():
    data = encode(collection(*issues(1))).replace(b'[115.6515, 34.415]', b'[NaN, 34.415]')
    assert b"NaN" in data
    assert_problem(read(data), "bad_coordinates", 1, "geometry", "not a finite number")


def test_swapped_coordinates():
    up = read(collection(*issues(1), feature(geometry=point(HERE[1], HERE[0]))))
    assert_problem(up, "swapped_coordinates", 2, "geometry", "look swapped (lat, lon)", "swap?",
                   "坐标疑似经纬度颠倒", "经纬度是否颠倒")


def test_point_far_outside_shangqiu():
    up = read(collection(feature(geometry=point(116.397, 39.909))))  # Beijing
    p = assert_problem(up, "outside_area", 1, "geometry", "far outside Shangqiu", "116.397",
                       "商丘市范围之外")
    assert "coordinate system" in p.hint


def test_web_mercator_numbers_get_a_hint():
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(*HERE)
    up = read(collection(feature(geometry=point(x, y))))
    assert_problem(up, "outside_area", 1, "geometry", "Web Mercator", "EPSG:3857")


def test_projected_metres_get_a_hint():
    up = read(collection(feature(geometry=point(500000.0, 3811000.0))))  # a CGCS2000 GK metre pair
    assert_problem(up, "outside_area", 1, "geometry", "metres")


def test_polygon_partly_outside_shangqiu_is_refused():
    up = read(collection(feature({"community_id": "C1", "name": "x"},
                                 square(SHANGQIU_BBOX[2] - 0.001, 34.4, d=0.01))), "communities")
    assert_problem(up, "outside_area", 1, "geometry", "far outside")


@pytest.mark.parametrize("ring, reason, reason_zh", [
    ([[115.60, 34.40], [115.62, 34.42], [115.62, 34.40], [115.60, 34.42], [115.60, 34.40]],
     "Self-intersection", "边自相交"),
    ([[115.60, 34.40], [115.62, 34.40], [115.62, 34.42], [115.60, 34.42]],
     "not closed", "没有闭合"),
    ([[115.60, 34.40], [115.62, 34.40], [115.60, 34.40]], "too few points", "点数太少"),
], ids=["self-intersection", "unclosed", "too-few-points"])
def test_invalid_polygon_gives_the_reason(ring, reason, reason_zh):
    good = feature({"community_id": "C0", "name": "ok"}, square())
    bad = feature({"community_id": "C1", "name": "bad"}, {"type": "Polygon", "coordinates": [ring]})
    up = read(collection(good, bad), "communities")
    assert_problem(up, "invalid_geometry", 2, "geometry", reason, reason_zh, "QGIS")
    assert up.rejected == [2]


def test_polygon_with_string_coordinates():
    ring = [[115.60, 34.40], [115.62, "34.40"], [115.62, 34.42], [115.60, 34.40]]
    up = read(collection(feature({"community_id": "C1", "name": "x"},
                                 {"type": "Polygon", "coordinates": [ring]})), "communities")
    assert_problem(up, "bad_coordinates", 1, "geometry", "is text")


def test_z_values_are_dropped():
    up = read(collection(feature(geometry={"type": "Point", "coordinates": [*HERE, 52.5]})))
    assert up.ok, up.problems
    assert not up.frame.geometry.has_z.any()
    assert any(n.code == "z_dropped" for n in up.notes)


def test_z_values_are_dropped_from_polygons():
    ring = [[x, y, 40.0] for x, y in square()["coordinates"][0]]
    up = read(collection(feature({"community_id": "C1", "name": "x"},
                                 {"type": "Polygon", "coordinates": [ring]})), "communities")
    assert up.ok, up.problems
    assert not up.frame.geometry.has_z.any()


def test_integer_coordinates_are_numbers():
    up = read(collection(feature(geometry={"type": "Point", "coordinates": [116, 34]})))
    assert up.ok, up.problems


# ---- coordinate systems ----------------------------------------------------------------


def _legacy(name: str) -> dict:
    return {"type": "name", "properties": {"name": name}}


@pytest.mark.parametrize("name", [
    "urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326",
    "urn:ogc:def:crs:EPSG::4490", "EPSG:4490",
], ids=["crs84", "4326", "4326-urn", "4490-urn", "4490"])
def test_lon_lat_legacy_crs_is_read_as_wgs84(name):
    """EPSG:4490 (CGCS2000) differs from WGS84 by centimetres: taken as is."""
    up = read(collection(*issues(2), crs=_legacy(name)))
    assert up.ok, up.problems
    assert up.frame.geometry.iloc[0].x == pytest.approx(HERE[0] + 1e-3)


def test_web_mercator_legacy_crs_is_converted():
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(*HERE)
    up = read(collection(feature(geometry=point(x, y)), crs=_legacy("urn:ogc:def:crs:EPSG::3857")))
    assert up.ok, up.problems
    g = up.frame.geometry.iloc[0]
    assert metres(g.x, g.y, *HERE) < 0.01
    assert any(n.code == "crs_converted" and "3857" in n.message for n in up.notes)


def test_cgcs2000_gauss_kruger_legacy_crs_is_converted():
    x, y = Transformer.from_crs(4326, 4548, always_xy=True).transform(*HERE)  # CGCS2000 / 3-degree GK CM 117E
    up = read(collection(feature(geometry=point(x, y)), crs=_legacy("EPSG:4548")))
    assert up.ok, up.problems
    g = up.frame.geometry.iloc[0]
    assert metres(g.x, g.y, *HERE) < 0.01


@pytest.mark.parametrize("crs, phrase", [
    (_legacy("EPSG:4214"), "Beijing 1954"),
    (_legacy("not a crs"), "'not a crs'"),
    ({"type": "link", "properties": {"href": "http://example.com/crs/42"}}, "an object"),
], ids=["beijing54", "nonsense", "link"])
def test_unsupported_legacy_crs(crs, phrase):
    up = read(collection(*issues(2), crs=crs))
    assert_problem(up, "bad_crs", None, None, phrase, "EPSG:4326", "不支持坐标系")
    assert up.frame.empty and up.n_features == 2


@pytest.mark.parametrize("source, forward", [
    ("gcj02", coords.wgs84_to_gcj02), ("bd09", coords.wgs84_to_bd09),
])
def test_declared_chinese_coordinates_are_converted_to_wgs84(source, forward):
    """A known WGS84 point, written in GCJ-02 / BD-09, comes back within 1 m."""
    wgs = (115.616914, 34.436628)  # 商丘师范学院, shared/reference/places.csv
    shifted = forward(*wgs)
    assert metres(*shifted, *wgs) > 400
    up = read(collection(feature(geometry=point(*shifted))), source_crs=source)
    assert up.ok, up.problems
    g = up.frame.geometry.iloc[0]
    assert metres(g.x, g.y, *wgs) < 1.0


def test_reference_gcj_point_converts_to_the_reference_wgs_point():
    up = read(collection(feature(geometry=point(115.622370, 34.435220))), source_crs="gcj02")
    g = up.frame.geometry.iloc[0]
    assert metres(g.x, g.y, 115.616914, 34.436628) < 1.0


def test_declared_gcj_polygons_are_converted():
    up = read(collection(feature({"community_id": "C1", "name": "x"}, square())), "communities",
              source_crs="gcj02")
    assert up.ok, up.problems
    got = shapely.get_coordinates(up.frame.geometry.iloc[0])[0]
    expected = coords.gcj02_to_wgs84(*HERE)
    assert metres(*got, *expected) < 0.01


def test_source_crs_is_case_insensitive_and_unknown_ones_raise():
    assert read(collection(*issues(1)), source_crs="GCJ02").ok
    assert SOURCE_CRS == ("wgs84", "gcj02", "bd09")
    with pytest.raises(InputError, match="wgs84, gcj02, bd09"):
        read(collection(*issues(1)), source_crs="beijing54")


@pytest.mark.parametrize("layer", ["members", "meetings", "nope"])
def test_unknown_or_not_uploadable_layer_raises(layer):
    with pytest.raises(InputError, match="venues, compounds, issues, communities"):
        read(collection(*issues(1)), layer)


# ---- encodings --------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, prefix", [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("gb18030", b""),
], ids=["utf-8", "utf-8-bom", "gbk", "gb18030"])
def test_chinese_names_survive_every_encoding(encoding, prefix):
    title = "盐业局小区供水压力低𠀀" if encoding == "gb18030" else "盐业局小区供水压力低"
    data = prefix + encode(collection(feature(issue_props(title=title, responsible_unit="商丘市自来水公司"))),
                           encoding)
    up = read(data)
    assert up.ok, up.problems
    assert up.frame.loc[1, "title"] == title
    assert up.frame.loc[1, "responsible_unit"] == "商丘市自来水公司"
    assert any(n.code == "encoding_used" for n in up.notes) == (encoding in ("gbk", "gb18030"))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_utf16_and_utf32_are_refused_clearly(encoding):
    up = read(encode(collection(*issues(1)), encoding))
    p = assert_problem(up, "encoding", None, None, "UTF-8")
    assert "UTF-16" in p.message or "UTF-32" in p.message or "zero bytes" in p.message


def test_binary_data_is_refused_clearly():
    up = read(bytes(range(256)) * 4)
    assert_problem(up, "encoding", None, None, "binary")


def test_undecodable_bytes_are_refused_with_the_position():
    data = b'{"type": "FeatureCollection", "features": [\x80\xff]}'
    assert_problem(read(data), "encoding", None, None, "byte 43", "UTF-8", "GBK")


# ---- properties -------------------------------------------------------------------------


def test_missing_required_fields():
    up = read(collection(*issues(2, f2={"title": ..., "category": "  "})))
    assert_problem(up, "missing_field", 2, "title", "required field title", "缺少必填字段 title（议题）")
    assert_problem(up, "missing_field", 2, "category", "required field category")
    assert up.rejected == [2]


def test_wrong_type_in_an_int_field():
    up = read(collection(*issues(2, f2={"residents_affected": "abc"})))
    assert_problem(up, "bad_type", 2, "residents_affected", "must be a whole number",
                   "the text 'abc'", "应为整数")


@pytest.mark.parametrize("value, expected", [
    ("120", 120), (" 7 ", 7), (120.0, 120), ("", None), (None, None),
], ids=["text", "spaces", "whole-float", "blank", "null"])
def test_int_fields_accept_numbers_written_as_text(value, expected):
    up = read(collection(*issues(1, f1={"residents_affected": value})))
    assert up.ok, up.problems
    got = up.frame.loc[1, "residents_affected"]
    assert (got is pd.NA) if expected is None else got == expected


def test_fractional_number_in_an_int_field():
    up = read(collection(*issues(1, f1={"residents_affected": 2.5})))
    assert_problem(up, "bad_type", 1, "residents_affected", "whole number", "the number 2.5")


def test_bool_in_a_number_field():
    up = read(collection(*issues(1, f1={"satisfaction": True})))
    assert_problem(up, "bad_type", 1, "satisfaction", "must be a number", "true")


def test_values_outside_an_enumeration_list_the_allowed_codes():
    up = read(collection(*issues(2, f2={"category": "traffic"})))
    p = assert_problem(up, "bad_enum", 2, "category", "'traffic'", "parking (停车/Parking)",
                       "water", "可选值", "parking（停车）")
    assert "other" in p.hint


@pytest.mark.parametrize("value", ["停车", "Parking", "PARKING", " parking "])
def test_enum_labels_in_chinese_or_english_become_codes(value):
    up = read(collection(*issues(1, f1={"category": value, "stage": "已落实", "focus": "民生"})))
    assert up.ok, up.problems
    assert up.frame.loc[1, ["category", "stage", "focus"]].tolist() == ["parking", "done", "livelihood"]


def test_numbers_out_of_range():
    up = read(collection(*issues(3, f1={"satisfaction": 7}, f2={"residents_affected": -1},
                                 f3={"satisfaction": "0.5"})))
    assert_problem(up, "out_of_range", 1, "satisfaction", "is 7", "1..5")
    assert_problem(up, "out_of_range", 2, "residents_affected", "is -1", "0..")
    assert_problem(up, "out_of_range", 3, "satisfaction", "0.5")


def test_built_year_range_on_compounds():
    props = {"compound_id": "C1", "name": "x", "built_year": 1850}
    up = read(collection(feature(props, square())), "compounds")
    assert_problem(up, "out_of_range", 1, "built_year", "1850", "1900..2100")


def test_duplicate_ids_name_the_first_use():
    up = read(collection(*issues(3, f3={"issue_id": "PY-001"})))
    assert_problem(up, "duplicate_id", 3, "issue_id", "'PY-001'", "first by feature 1",
                   "第 1 个要素")
    assert up.rejected == [3] and list(up.frame.index) == [1, 2]


def test_ids_and_phones_given_as_json_numbers_keep_their_digits():
    up = read(collection(*issues(1, f1={"issue_id": 12345678901234567890123,
                                        "reporter_phone": 13912345678})))
    assert up.ok, up.problems
    assert up.frame.loc[1, "issue_id"] == "12345678901234567890123"
    assert up.frame.loc[1, "reporter_phone"] == "13912345678"


def test_an_id_written_as_a_float_is_refused():
    up = read(collection(*issues(2, f1={"issue_id": 1.5e3}, f2={"reporter_phone": 13912345678.0})))
    assert_problem(up, "bad_type", 1, "issue_id", "the number 1500.0", "as text")
    assert_problem(up, "bad_type", 2, "reporter_phone", "13912345678.0", "13912345678")


def test_a_number_in_a_free_text_field_is_kept_as_text():
    up = read(collection(*issues(1, f1={"description": 42, "result_public": 2.5})))
    assert up.ok, up.problems
    assert up.frame.loc[1, "description"] == "42" and up.frame.loc[1, "result_public"] == "2.5"


def test_bool_in_a_text_field():
    assert_problem(read(collection(*issues(1, f1={"title": False}))), "bad_type", 1, "title",
                   "must be text", "false")


@pytest.mark.parametrize("value, what", [({"zh": "停车"}, "an object"), (["a", "b"], "a list")])
def test_nested_property_values_name_the_field(value, what):
    up = read(collection(*issues(2, f2={"description": value})))
    assert_problem(up, "nested_value", 2, "description", f"holds {what}", "应为单个值")


def test_unknown_fields_are_dropped_with_a_note_not_an_error():
    up = read(collection(*issues(2, f1={"colour": "red", "nested": {"a": 1}})))
    assert up.ok, up.problems
    assert "colour" not in up.frame.columns
    notes = {n.field: n for n in up.notes if n.code == "unknown_field"}
    assert set(notes) == {"colour", "nested"}
    assert "ignored" in notes["colour"].message and "已忽略" in notes["colour"].message_zh


def test_an_ignored_property_names_the_closest_known_column():
    up = read(collection(*issues(1, f1={"标题": "路灯不亮", "reportedon": "2022-01-02", "颜色": "红"})))
    hints = {n.field: (n.hint, n.hint_zh) for n in up.notes if n.code == "unknown_field"}
    assert hints["reportedon"][0].startswith("the closest known column is 'reported_on' (Reported on)")
    assert hints["标题"][1].startswith("最接近的已知列是“议题”（议题）")
    assert hints["颜色"] == (None, None)  # nothing close enough to guess


def test_columns_named_by_their_chinese_label_are_read():
    props = {"议题编号": "PY-1", "议题": "停车", "类别": "停车", "四个围绕": "民生", "阶段": "收集",
             "收集日期": "2022-01-02"}
    up = read(collection(feature(props)))
    assert up.ok, up.problems
    assert up.frame.loc[1, ["issue_id", "category", "stage"]].tolist() == ["PY-1", "parking", "collected"]
    assert any(n.code == "field_renamed" for n in up.notes)


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), ("是", True), ("否", False), ("true", True), ("FALSE", False),
    ("1", True), ("0", False), (1, True), (0, False), ("yes", True), ("有", True), ("无", False),
    (None, None), ("", None),
])
def test_bool_values_accepted(value, expected):
    props = {"venue_id": "V1", "name": "x", "kind": "room", "has_sign": value}
    up = read(collection(feature(props)), "venues")
    assert up.ok, up.problems
    got = up.frame.loc[1, "has_sign"]
    assert (got is pd.NA) if expected is None else bool(got) is expected
    assert up.frame["has_sign"].dtype == "boolean"


@pytest.mark.parametrize("value", ["maybe", 2, "也许"])
def test_bad_bool(value):
    props = {"venue_id": "V1", "name": "x", "kind": "room", "has_staff": value}
    up = read(collection(feature(props)), "venues")
    assert_problem(up, "bad_bool", 1, "has_staff", "not yes or no", "是/否")


@pytest.mark.parametrize("value, expected", [
    ("2022-06-17", "2022-06-17"), ("2022/06/17", "2022-06-17"), ("2022/6/7", "2022-06-07"),
    ("2022.6.7", "2022-06-07"), ("2022年6月7日", "2022-06-07"), ("2022-06-17T08:30:00", "2022-06-17"),
])
def test_dates_accepted_and_written_as_iso(value, expected):
    up = read(collection(*issues(1, f1={"reported_on": value})))
    assert up.ok, up.problems
    assert up.frame.loc[1, "reported_on"] == expected


@pytest.mark.parametrize("value", ["17/06/2022", "2022-02-30", "yesterday", 20220617, "2022-13-01"])
def test_bad_dates(value):
    up = read(collection(*issues(1, f1={"due_on": value})))
    assert_problem(up, "bad_date", 1, "due_on", "not a date", "YYYY-MM-DD", "不是有效日期")


# ---- Shapefile and GeoPackage ------------------------------------------------------------


def venue_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "venue_id": ["V1", "V2"], "name": ["福荣街议事亭", "烟厂家属院议事长廊"],
        "kind": ["pavilion", "corridor"], "has_organisation": [1, 0], "has_activities": [1, 1],
        "opened_on": ["2021-05-01", "2022-01-15"],
    }, geometry=[shapely.Point(*HERE), shapely.Point(HERE[0] + 0.01, HERE[1])], crs="EPSG:4326")


def write_shp(frame: gpd.GeoDataFrame, path: Path, **kw) -> None:
    """Write a Shapefile; DBF cutting long names to 10 characters is what we want to test."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Column names longer than 10", UserWarning)
        warnings.filterwarnings("ignore", "Normalized/laundered field name", RuntimeWarning)
        frame.to_file(path, **kw)


def zip_folder(folder: Path, *, skip: tuple[str, ...] = (), subfolder: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in skip:
                zf.write(path, f"{subfolder}{path.name}")
    return buf.getvalue()


@pytest.mark.parametrize("encoding, skip", [
    ("utf-8", ()), ("gbk", ()), ("gbk", (".cpg",)),
], ids=["utf-8", "gbk-with-cpg", "gbk-without-cpg"])
def test_zipped_shapefile_round_trip(tmp_path, encoding, skip):
    write_shp(venue_frame(), tmp_path / "venues.shp", encoding=encoding)
    up = read(zip_folder(tmp_path, skip=skip, subfolder="export/"), "venues", filename="venues.zip")
    assert up.ok, up.problems
    assert up.source_format == "shapefile"
    assert list(up.frame["name"]) == ["福荣街议事亭", "烟厂家属院议事长廊"]
    # DBF cuts names to 10 characters: has_organisation -> has_organi is read back
    assert list(up.frame["has_organisation"]) == [True, False]
    assert list(up.frame["has_activities"]) == [True, True]
    assert up.frame.geometry.iloc[0].equals(shapely.Point(*HERE))


def test_zipped_shapefile_in_web_mercator_is_converted(tmp_path):
    write_shp(venue_frame().to_crs(3857), tmp_path / "venues.shp")
    up = read(zip_folder(tmp_path), "venues", filename="v.zip")
    assert up.ok, up.problems
    g = up.frame.geometry.iloc[0]
    assert metres(g.x, g.y, *HERE) < 0.01


def test_zipped_shapefile_problems_have_feature_numbers(tmp_path):
    frame = venue_frame()
    frame.loc[1, "kind"] = "hall"
    write_shp(frame, tmp_path / "venues.shp")
    up = read(zip_folder(tmp_path), "venues", filename="v.zip")
    assert_problem(up, "bad_enum", 2, "kind", "'hall'")


def test_zip_without_a_dbf(tmp_path):
    write_shp(venue_frame(), tmp_path / "venues.shp")
    up = read(zip_folder(tmp_path, skip=(".dbf",)), "venues", filename="v.zip")
    assert_problem(up, "unreadable", None, None, ".dbf")


def test_zip_with_several_shapefiles_picks_the_one_named_like_the_layer(tmp_path):
    write_shp(venue_frame(), tmp_path / "venues.shp")
    write_shp(venue_frame(), tmp_path / "other.shp")
    assert read(zip_folder(tmp_path), "venues", filename="v.zip").ok
    up = read(zip_folder(tmp_path), "issues", filename="v.zip")
    assert_problem(up, "ambiguous_layer", None, None, "several layers", "'issues'")


def test_a_broken_zip_is_unreadable():
    up = read(b"PK\x03\x04 this is not really a zip", filename="x.zip")
    assert_problem(up, "unreadable", None, None, "zip")


def test_a_lone_shp_is_an_unsupported_upload():
    up = read(b"\x00\x00\x27\x0a", filename="venues.shp")
    assert_problem(up, "unsupported_format", None, None, "'venues.shp'", "zip")


def test_geopackage_round_trip(tmp_path):
    path = tmp_path / "upload.gpkg"
    venue_frame().to_file(path, layer="议事点", driver="GPKG")
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=4326).to_file(
        path, layer="scratch", driver="GPKG")
    up = read(path.read_bytes(), "venues", filename="upload.gpkg")
    assert up.ok, up.problems
    assert up.source_format == "gpkg"
    assert list(up.frame["name"]) == ["福荣街议事亭", "烟厂家属院议事长廊"]
    assert list(up.frame["opened_on"]) == ["2021-05-01", "2022-01-15"]


def test_geopackage_with_several_unnamed_layers(tmp_path):
    path = tmp_path / "upload.gpkg"
    venue_frame().to_file(path, layer="a", driver="GPKG")
    venue_frame().to_file(path, layer="b", driver="GPKG")
    assert_problem(read(path.read_bytes(), "venues", filename="u.gpkg"), "ambiguous_layer", None,
                   None, "a, b")


def test_geopackage_gives_the_same_frame_as_geojson(tmp_path):
    feats = issues(3)
    from_json = read(collection(*feats))
    path = tmp_path / "issues.gpkg"
    from_json.frame.to_file(path, layer="issues", driver="GPKG")
    from_gpkg = read(path.read_bytes(), filename="issues.gpkg")
    assert from_gpkg.ok, from_gpkg.problems
    pd.testing.assert_frame_equal(from_gpkg.frame.drop(columns="geometry"),
                                  from_json.frame.drop(columns="geometry"))
    assert from_gpkg.frame.geometry.geom_equals(from_json.frame.geometry).all()


def test_geopackage_z_is_dropped(tmp_path):
    frame = venue_frame()
    frame["geometry"] = [shapely.Point(*HERE, 10.0), shapely.Point(HERE[0] + 0.01, HERE[1], 12.0)]
    path = tmp_path / "venues.gpkg"
    frame.to_file(path, layer="venues", driver="GPKG")
    up = read(path.read_bytes(), "venues", filename="venues.gpkg")
    assert up.ok, up.problems
    assert not up.frame.geometry.has_z.any()
    assert any(n.code == "z_dropped" for n in up.notes)


# ---- validate_file ------------------------------------------------------------------------


def test_validate_file_reads_the_path(tmp_path):
    path = tmp_path / "issues.geojson"
    path.write_bytes(encode(collection(*issues(2))))
    up = validate_file(path, layer="issues")
    assert up.ok and len(up.frame) == 2


def test_validate_file_missing_file_raises(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        validate_file(tmp_path / "nope.geojson", layer="issues")


def test_reading_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "issues.geojson"
    path.write_bytes(encode(collection(*issues(1))))
    before = sorted(p.name for p in tmp_path.iterdir())
    validate_file(path, layer="issues")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_layers_table_is_consistent_with_the_schema():
    assert set(UPLOADABLE) <= set(LAYERS)
    assert np.all([LAYERS[name].geometry in ("Point", "Polygon") for name in UPLOADABLE])


def test_geopackage_table_without_geometry(tmp_path):
    import pyogrio

    path = tmp_path / "venues.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"venue_id": ["V1"], "name": ["x"], "kind": ["room"]}),
                            path, layer="venues")
    up = read(path.read_bytes(), "venues", filename="venues.gpkg")
    assert_problem(up, "no_geometry", 1, "geometry", "no location")
