"""Every file of the public GeoJSON test corpora, read as an upload: a decided outcome each.

The corpora (tests/fixtures/geojson, with their licences; see its README) were written by other projects for
their own validators. Here each file is read for the point layer 'issues' and the polygon
layer 'communities'. Reading never raises, and the set of problem codes is the one decided
below, file by file. Two facts hold for the whole corpus, so they appear in most rows:

- none of its files carries our fields, so every feature it has lacks the required ones
  (``missing_field``); and
- none of its coordinates lies in Shangqiu, so a shape that passes every other check is
  still refused for its place (``outside_area``): "shape accepted" in the table means
  exactly that: no problem about the geometry itself.

Decisions (why each row is what it is):

- A bare geometry as the whole file (many "good" geojsonhint files) is refused with
  ``not_geojson``: an upload needs features with properties. The geometry inside is then
  judged on its own in WRAPPED, by wrapping it in a Feature.
- Style-only rules are not enforced: right-hand-rule winding, bbox members (even malformed
  ones), excessive coordinate precision, foreign members that "change semantics".
- Duplicate names in the top-level object are refused: which one was meant is unknowable.
- ``"properties": null`` or missing is read as no properties: the report then lists the
  missing required fields. A feature-level ``id`` must be text or a number.
- Positions must be 2 or 3 numbers; a third (height) is dropped, even when positions of one
  ring mix 2 and 3 numbers. Text, null and a 4th number are refused.
- MultiPoint with exactly one point is read as a point; with more it is the wrong type.
- GeometryCollection is always refused (st_folium crashes on it; one shape per feature).
- Polygon validity is shapely's (GEOS) definition: self-intersections, spikes, punctures,
  holes touching the shell at two points, overlapping parts are refused; a hole touching
  at one point and multipolygon parts touching at a point are accepted. Rings must be
  closed and have 4+ positions (checked before shapely, which would silently close them).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from geo.errors import InputError
from geo.ingest import PROBLEM_CODES, read_upload


#: The public GeoJSON corpora, vendored with their licences (tests/fixtures/geojson/README.md).
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "geojson"
FILES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.geojson"))
LAYERS = ("issues", "communities")

# Shorthands for the table.
ROOT = {"not_geojson"}                    # the file is not a FeatureCollection or Feature
MISSING = "missing_field"                 # no feature of the corpus has our fields
WRONG_TYPE = {"geometry_type", MISSING}   # point given for polygons, or the other way
PLACE = {"outside_area", MISSING}         # shape accepted; refused only for where it is
NOT_VALID = {"invalid_geometry", "outside_area", MISSING}   # shapely says not valid

#: file -> (codes for 'issues', codes for 'communities', why)
EXPECTED: dict[str, tuple[set[str], set[str], str]] = {
    # check-geojson
    "check-geojson/badfeature-no-properties.geojson": (
        {"no_geometry", MISSING}, {"no_geometry", MISSING},
        "geometry null; no properties member is read as {}"),
    "check-geojson/multipoint-nocoordinates.geojson": (ROOT, ROOT, "bare geometry"),
    # geojsonhint/bad
    "geojsonhint/bad/bad-duplicate-properties.geojson": (
        {"duplicate_key"}, {"duplicate_key"}, "'type' twice at the top: refused, nothing guessed"),
    "geojsonhint/bad/bad-featurelist.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/bad-json.geojson": ({"not_json"}, {"not_json"}, "missing comma"),
    "geojsonhint/bad/bad-object-type.geojson": (ROOT, ROOT, "type is an object"),
    "geojsonhint/bad/bad-polygon-interiorring-rhr.geojson": (ROOT, ROOT, "bare geometry (winding: see WRAPPED)"),
    "geojsonhint/bad/bad-polygonloop.geojson": (
        WRONG_TYPE, {"bad_coordinates", MISSING}, "Polygon whose coordinates are one ring's positions"),
    "geojsonhint/bad/bad-properties-as-array.geojson": (
        {"bad_properties", "no_geometry", MISSING}, {"bad_properties", "no_geometry", MISSING},
        "properties is a list; geometry null"),
    "geojsonhint/bad/badcoord.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/badcoordtype.geojson": (
        WRONG_TYPE, {"bad_coordinates", MISSING}, "MultiPolygon [[[1]]]"),
    "geojsonhint/bad/badfeature.geojson": ({"bad_feature", MISSING}, {"bad_feature", MISSING}, "feature is null"),
    "geojsonhint/bad/badfeatureid.geojson": (
        {"bad_id", "outside_area", MISSING}, {"bad_id", "geometry_type", MISSING}, "feature id is {}"),
    "geojsonhint/bad/bbox-4or6elements.geojson": (ROOT, ROOT, "bare geometry (bbox ignored: see WRAPPED)"),
    "geojsonhint/bad/bbox-contains-string.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/bbox-string.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/different-first-last.geojson": (ROOT, ROOT, "bare geometry (unclosed: see WRAPPED)"),
    "geojsonhint/bad/different-first-size.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/excessive_precision_truncated.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/expected_object.geojson": (
        {"bad_properties", "no_geometry", MISSING}, {"bad_properties", "no_geometry", MISSING},
        "properties is 123; geometry null"),
    "geojsonhint/bad/false.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/feature_changed_semantics.geojson": (
        PLACE, WRONG_TYPE, "foreign members 'features'/'coordinates' on a Feature are ignored"),
    "geojsonhint/bad/featurecollection-obj.geojson": (
        {"features_not_list"}, {"features_not_list"}, "features is an object"),
    "geojsonhint/bad/featurecollection-type-case.geojson": (ROOT, ROOT, "'featurecollection' in lower case"),
    "geojsonhint/bad/featurecollection.geojson": (
        {"features_not_list"}, {"features_not_list"}, "no features member"),
    "geojsonhint/bad/featurecollection_changed_semantics.geojson": (
        {"geometry_type", "outside_area", MISSING}, {"geometry_type", "outside_area", MISSING},
        "foreign members ignored; Point, LineString, Polygon features"),
    "geojsonhint/bad/geometry_changed_semantics.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/geometrycollection_nested.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/geometrycollection_single.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/multiple_problems.geojson": (
        {"bad_coordinates", "bad_feature", "bad_id", "outside_area", MISSING},
        {"bad_feature", "bad_id", "geometry_type", MISSING},
        "all four features' problems reported at once"),
    "geojsonhint/bad/multipoint-multidimension.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/multipoint-nondimension.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/nofeaturetype.geojson": (
        {"bad_feature", "outside_area", MISSING}, {"bad_feature", "geometry_type", MISSING},
        "'Featre'; its geometry is still checked"),
    "geojsonhint/bad/notype.geojson": (ROOT, ROOT, "{} with no type"),
    "geojsonhint/bad/point-labeled-as-a-multipolygon.geojson": (
        WRONG_TYPE, {"bad_coordinates", MISSING}, "MultiPolygon with a position as coordinates"),
    "geojsonhint/bad/point-string.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/point-toofew.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/point-toomany.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/point.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/polygon_winding_order.geojson": (ROOT, ROOT, "bare geometry (winding: see WRAPPED)"),
    "geojsonhint/bad/rootstring.geojson": (ROOT, ROOT, "the file is just null"),
    "geojsonhint/bad/short-line.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/short-linearring.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/short-multilinestring.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/bad/stringcoord.geojson": (
        {"bad_coordinates", "outside_area", MISSING}, WRONG_TYPE, "a latitude written as text"),
    "geojsonhint/bad/unknowntype.geojson": (ROOT, ROOT, "type FooBar"),
    # geojsonhint/good
    "geojsonhint/good/good-feature-with-id.geojson": (PLACE, WRONG_TYPE, "numeric feature id"),
    "geojsonhint/good/good-feature-with-string-id.geojson": (PLACE, WRONG_TYPE, "text feature id"),
    "geojsonhint/good/good-feature.geojson": (PLACE, WRONG_TYPE, "feature with bbox"),
    "geojsonhint/good/good-featurecollection-bbox.geojson": (PLACE, WRONG_TYPE, "bbox ignored"),
    "geojsonhint/good/good-featurecollection-bbox3d.geojson": (PLACE, WRONG_TYPE, "3D points: Z dropped"),
    "geojsonhint/good/good-featurecollection-extensions.geojson": (
        {"geometry_type", "outside_area", MISSING}, {"geometry_type", "outside_area", MISSING},
        "custom members ignored; nested property is an unknown field, dropped"),
    "geojsonhint/good/good-featurecollection.geojson": (
        {"geometry_type", "outside_area", MISSING}, {"geometry_type", "outside_area", MISSING},
        "Point, LineString, Polygon"),
    "geojsonhint/good/good-geometrycollection.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/good/good-linestring.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/good/good-multilinestring.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/good/good-multipoint.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/good/good-point-3d.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/good/good-point.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/good/good-polygon.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/good/issue82.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/good/multipolygon.geojson": (ROOT, ROOT, "bare geometry"),
    "geojsonhint/good/nullgeometry.geojson": (
        {"no_geometry", MISSING}, {"no_geometry", MISSING}, "geometry null: no location to map"),
    "geojsonhint/good/nullproperties.geojson": (PLACE, WRONG_TYPE, "properties null read as {}"),
    # turf-boolean-valid/false
    "turf-boolean-valid/false/GeometryCollection/empty-geometry-collection.geojson": (
        WRONG_TYPE, WRONG_TYPE, "GeometryCollection refused"),
    "turf-boolean-valid/false/GeometryCollection/malformed-geometry-in-collection.geojson": (
        WRONG_TYPE, WRONG_TYPE, "GeometryCollection refused"),
    "turf-boolean-valid/false/GeometryCollection/nested-collection.geojson": (
        WRONG_TYPE, WRONG_TYPE, "GeometryCollection refused"),
    "turf-boolean-valid/false/GeometryCollection/no-type-in-nested-geometry.geojson": (
        WRONG_TYPE, WRONG_TYPE, "GeometryCollection refused"),
    "turf-boolean-valid/false/GeometryCollection/non-geometry-in-collection.geojson": (
        WRONG_TYPE, WRONG_TYPE, "GeometryCollection refused"),
    "turf-boolean-valid/false/MultiPoint/multipoint.geojson": (
        WRONG_TYPE, WRONG_TYPE, "MultiPoint of 2 is not one point"),
    "turf-boolean-valid/false/MultiPolygon/multipoly-with-2-vertices-touching.geojson": (
        WRONG_TYPE, NOT_VALID, "hole touches shell twice: interior disconnected"),
    "turf-boolean-valid/false/MultiPolygon/multipolygons-overlap.geojson": (
        WRONG_TYPE, NOT_VALID, "parts overlap"),
    "turf-boolean-valid/false/MultiPolygon/not-enough-coords.geojson": (
        WRONG_TYPE, {"invalid_geometry", MISSING}, "ring of 3 positions (too few points)"),
    "turf-boolean-valid/false/Point/point.geojson": (
        {"bad_coordinates", MISSING}, WRONG_TYPE, "position with one number"),
    "turf-boolean-valid/false/Polygon/not-closing-ring.geojson": (
        WRONG_TYPE, {"invalid_geometry", MISSING}, "ring not closed"),
    "turf-boolean-valid/false/Polygon/not-enough-coords.geojson": (
        WRONG_TYPE, {"invalid_geometry", MISSING}, "ring of 3 positions"),
    "turf-boolean-valid/false/Polygon/polygon-with-hole-2-vertices-touching.geojson": (
        WRONG_TYPE, NOT_VALID, "interior disconnected"),
    "turf-boolean-valid/false/Polygon/polygon-with-puncture.geojson": (
        WRONG_TYPE, NOT_VALID, "puncture: self-intersection"),
    "turf-boolean-valid/false/Polygon/polygon-with-spike.geojson": (
        WRONG_TYPE, NOT_VALID, "spike: ring self-intersection"),
    # turf-boolean-valid/true
    "turf-boolean-valid/true/GeometryCollection/geometry-collection.geojson": (
        WRONG_TYPE, WRONG_TYPE, "GeometryCollection refused even when valid"),
    "turf-boolean-valid/true/LineString/linestring.geojson": (WRONG_TYPE, WRONG_TYPE, "lines fit no layer"),
    "turf-boolean-valid/true/MultiLineString/multilinestring.geojson": (WRONG_TYPE, WRONG_TYPE, "lines"),
    "turf-boolean-valid/true/MultiPoint/multipoint-with-z.geojson": (WRONG_TYPE, WRONG_TYPE, "2 points"),
    "turf-boolean-valid/true/MultiPoint/multipoint.geojson": (WRONG_TYPE, WRONG_TYPE, "2 points"),
    "turf-boolean-valid/true/MultiPolygon/multipolygon-touch.geojson": (
        WRONG_TYPE, PLACE, "parts touching at a point: valid"),
    "turf-boolean-valid/true/MultiPolygon/multipolygon-with-hole.geojson": (WRONG_TYPE, PLACE, "valid"),
    "turf-boolean-valid/true/MultiPolygon/multipolygon.geojson": (WRONG_TYPE, PLACE, "valid"),
    "turf-boolean-valid/true/Point/point-with-z.geojson": (PLACE, WRONG_TYPE, "Z dropped"),
    "turf-boolean-valid/true/Point/point.geojson": (PLACE, WRONG_TYPE, "valid point"),
    "turf-boolean-valid/true/Polygon/polygon-internal-hole.geojson": (WRONG_TYPE, PLACE, "valid"),
    "turf-boolean-valid/true/Polygon/polygon-with-hole-1-vertice-touching.geojson": (
        WRONG_TYPE, PLACE, "hole touching the shell at one point: valid"),
    "turf-boolean-valid/true/Polygon/polygon.geojson": (WRONG_TYPE, PLACE, "valid"),
    # turf-kinks
    "turf-kinks/hourglass.geojson": (WRONG_TYPE, NOT_VALID, "bow-tie self-intersection"),
    "turf-kinks/issue-2627.geojson": (ROOT, ROOT, "bare geometry (kinked: see WRAPPED)"),
    "turf-kinks/multi-linestring.geojson": (WRONG_TYPE, WRONG_TYPE, "lines"),
    "turf-kinks/multi-polygon.geojson": (WRONG_TYPE, NOT_VALID, "parts overlap"),
    "turf-kinks/open-hourglass.geojson": (WRONG_TYPE, WRONG_TYPE, "a line"),
    "turf-kinks/switzerlandKinked.geojson": (WRONG_TYPE, NOT_VALID, "real outline with 2 kinks"),
    "turf-kinks/triple.geojson": (WRONG_TYPE, NOT_VALID, "three self-intersections"),
}

#: Bare-geometry files, wrapped as {"type": "Feature", "properties": {}, "geometry": <file>}:
#: how the geometry itself is judged. file -> (codes for 'issues', for 'communities', why)
WRAPPED: dict[str, tuple[set[str], set[str], str]] = {
    "check-geojson/multipoint-nocoordinates.geojson": (
        {"bad_coordinates", MISSING}, {"bad_coordinates", MISSING}, "no coordinates member"),
    "geojsonhint/bad/bad-featurelist.geojson": (
        WRONG_TYPE, {"bad_coordinates", MISSING}, "Polygon coordinates [5]"),
    "geojsonhint/bad/bad-polygon-interiorring-rhr.geojson": (
        WRONG_TYPE, PLACE, "hole wound clockwise-wrong: winding not enforced"),
    "geojsonhint/bad/badcoord.geojson": ({"bad_coordinates", MISSING}, WRONG_TYPE, "[1, 2, 'f']"),
    "geojsonhint/bad/bbox-4or6elements.geojson": (PLACE, WRONG_TYPE, "bbox ignored"),
    "geojsonhint/bad/bbox-contains-string.geojson": (PLACE, WRONG_TYPE, "bbox ignored"),
    "geojsonhint/bad/bbox-string.geojson": (PLACE, WRONG_TYPE, "bbox ignored"),
    "geojsonhint/bad/different-first-last.geojson": (
        WRONG_TYPE, {"invalid_geometry", MISSING}, "ring not closed"),
    "geojsonhint/bad/different-first-size.geojson": (
        WRONG_TYPE, PLACE, "2D and 3D positions mixed: Z dropped, accepted"),
    "geojsonhint/bad/excessive_precision_truncated.geojson": (WRONG_TYPE, WRONG_TYPE, "a line"),
    "geojsonhint/bad/false.geojson": (WRONG_TYPE, WRONG_TYPE, "GeometryCollection refused"),
    "geojsonhint/bad/geometry_changed_semantics.geojson": (PLACE, WRONG_TYPE, "foreign members ignored"),
    "geojsonhint/bad/geometrycollection_nested.geojson": (WRONG_TYPE, WRONG_TYPE, "GeometryCollection"),
    "geojsonhint/bad/geometrycollection_single.geojson": (WRONG_TYPE, WRONG_TYPE, "GeometryCollection"),
    "geojsonhint/bad/multipoint-multidimension.geojson": (
        {"bad_coordinates", MISSING}, WRONG_TYPE, "a position that is a list of positions"),
    "geojsonhint/bad/multipoint-nondimension.geojson": (
        WRONG_TYPE, WRONG_TYPE, "MultiPoint [0, 0]: not one point"),
    "geojsonhint/bad/point-string.geojson": ({"bad_coordinates", MISSING}, WRONG_TYPE, "['foo', 2]"),
    "geojsonhint/bad/point-toofew.geojson": ({"bad_coordinates", MISSING}, WRONG_TYPE, "[2]"),
    "geojsonhint/bad/point-toomany.geojson": ({"bad_coordinates", MISSING}, WRONG_TYPE, "[2, 4, 6, 8]"),
    "geojsonhint/bad/point.geojson": (
        {"bad_coordinates", MISSING}, {"bad_coordinates", MISSING}, "no coordinates member"),
    "geojsonhint/bad/polygon_winding_order.geojson": (WRONG_TYPE, PLACE, "clockwise shell: accepted"),
    "geojsonhint/bad/short-line.geojson": (WRONG_TYPE, WRONG_TYPE, "a line"),
    "geojsonhint/bad/short-linearring.geojson": (
        WRONG_TYPE, {"invalid_geometry", MISSING}, "ring of 3 positions"),
    "geojsonhint/bad/short-multilinestring.geojson": (WRONG_TYPE, WRONG_TYPE, "lines"),
    "geojsonhint/good/good-geometrycollection.geojson": (WRONG_TYPE, WRONG_TYPE, "GeometryCollection"),
    "geojsonhint/good/good-linestring.geojson": (WRONG_TYPE, WRONG_TYPE, "a line"),
    "geojsonhint/good/good-multilinestring.geojson": (WRONG_TYPE, WRONG_TYPE, "lines"),
    "geojsonhint/good/good-multipoint.geojson": (PLACE, WRONG_TYPE, "MultiPoint of one: a point"),
    "geojsonhint/good/good-point-3d.geojson": (PLACE, WRONG_TYPE, "Z dropped"),
    "geojsonhint/good/good-point.geojson": (PLACE, WRONG_TYPE, "a point"),
    "geojsonhint/good/good-polygon.geojson": (WRONG_TYPE, PLACE, "a polygon"),
    "geojsonhint/good/issue82.geojson": (
        WRONG_TYPE, PLACE, "valid multipolygon, but lon -259 / lat -134 are not degrees"),
    "geojsonhint/good/multipolygon.geojson": (WRONG_TYPE, PLACE, "a multipolygon with a hole"),
    "turf-kinks/issue-2627.geojson": (WRONG_TYPE, NOT_VALID, "ring self-intersection"),
}


def _read(data: bytes, name: str, layer: str):
    return read_upload(data, filename=Path(name).name, layer=layer)


def _check_report(up, layer: str) -> None:
    """What holds for every report: codes known, texts in both languages, numbers in range."""
    assert up.layer == layer
    for p in up.problems + up.notes:
        assert p.message and p.message_zh, p
    for p in up.problems:
        assert p.code in PROBLEM_CODES, p
        assert p.hint and p.hint_zh, p
        if p.feature is not None:
            assert 1 <= p.feature <= up.n_features, p
            assert p.field, p
    assert up.rejected == sorted({p.feature for p in up.problems if p.feature is not None})
    assert set(up.frame.index).isdisjoint(up.rejected)


def test_the_table_covers_exactly_the_corpus():
    assert sorted(EXPECTED) == FILES
    assert set(WRAPPED) <= set(FILES)
    bare = {name for name, (issues, communities, _) in EXPECTED.items() if issues == ROOT and
            json.loads((FIXTURES / name).read_bytes()).__class__ is dict and
            json.loads((FIXTURES / name).read_bytes()).get("type") in
            ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
             "GeometryCollection")}
    assert bare == set(WRAPPED)


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("name", FILES)
def test_corpus_file_has_its_decided_outcome(name, layer):
    data = (FIXTURES / name).read_bytes()
    up = _read(data, name, layer)  # never raises: InputError is only for bad arguments
    issues, communities, why = EXPECTED[name]
    expected = issues if layer == "issues" else communities
    assert {p.code for p in up.problems} == expected, \
        f"{name} ({why}):\n" + "\n".join(map(str, up.problems))
    assert up.frame.empty  # nothing in the corpus is a usable Shangqiu feature
    _check_report(up, layer)
    if expected & {"not_geojson", "not_json", "duplicate_key", "features_not_list"}:
        assert up.n_features == 0 and all(p.feature is None for p in up.problems)
    else:
        assert up.n_features >= 1 and up.rejected == list(range(1, up.n_features + 1))


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("name", sorted(WRAPPED) or ["(no corpus)"])
def test_bare_geometry_wrapped_in_a_feature(name, layer):
    geometry = json.loads((FIXTURES / name).read_bytes())
    data = json.dumps({"type": "Feature", "properties": {}, "geometry": geometry}).encode()
    up = _read(data, name, layer)
    issues, communities, why = WRAPPED[name]
    expected = issues if layer == "issues" else communities
    assert {p.code for p in up.problems} == expected, \
        f"{name} ({why}):\n" + "\n".join(map(str, up.problems))
    _check_report(up, layer)


_ODD_VALUES = [None, True, 0, -1, 1e308, "", "x", "115.6", [], [[]], {}, {"type": "Point"},
               [115.65, 34.41], "Feature", float("nan")]


def _mutations(obj, rng: random.Random, count: int):
    """`count` copies of obj, each with one random node replaced by an odd value."""
    paths: list[tuple] = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node[:20]):
                walk(v, path + (i,))

    walk(obj, ())
    for _ in range(count):
        path = rng.choice(paths)
        copy = json.loads(json.dumps(obj))
        value = rng.choice(_ODD_VALUES)
        if not path:
            yield value
            continue
        node = copy
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        yield copy


@pytest.mark.parametrize("name", FILES)
def test_mutated_and_truncated_corpus_files_never_raise(name):
    """Robustness: random damage to every corpus file gives a report, never an exception."""
    rng = random.Random(name)
    data = (FIXTURES / name).read_bytes()
    for layer in LAYERS:
        for cut in sorted(rng.sample(range(len(data)), min(5, len(data)))):
            up = _read(data[:cut], name, layer)
            assert not up.ok
            _check_report(up, layer)
    try:
        obj = json.loads(data)
    except ValueError:
        return
    for i, mutated in enumerate(_mutations(obj, rng, 12)):
        text = json.dumps(mutated, allow_nan=True).encode()
        up = _read(text, name, LAYERS[i % 2])
        _check_report(up, LAYERS[i % 2])


def test_bad_arguments_are_the_only_exceptions():
    with pytest.raises(InputError):
        read_upload(b"{}", filename="x.geojson", layer="meetings")
    with pytest.raises(InputError):
        read_upload(b"{}", filename="x.geojson", layer="issues", source_crs="utm")
