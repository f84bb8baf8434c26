"""geo.joins.assign and place: tiny hand-built geometries whose right answers are known by eye."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pyproj import Geod
from shapely.geometry import Point, Polygon, box

from geo.errors import InputError
from geo.joins import (OUTPUT_COLUMNS, PLACE_COLUMNS, _nearest, _nearest_brute_force, assign, place,
                       venues_by_distance)

WGS84 = "EPSG:4326"


def _communities(rows: list[tuple[str, shapely.Geometry]], crs: str | None = WGS84):
    return gpd.GeoDataFrame({"community_id": [r[0] for r in rows]},
                            geometry=[r[1] for r in rows], crs=crs)


def _points(geoms: list, crs: str | None = WGS84, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=crs)


#: Two unit squares sharing the edge x = 1.
TWO_SQUARES = [("A", box(0, 0, 1, 1)), ("B", box(1, 0, 2, 1))]
#: Four unit squares meeting at the vertex (1, 1).
FOUR_SQUARES = [("A", box(0, 0, 1, 1)), ("B", box(1, 0, 2, 1)),
                ("C", box(0, 1, 1, 2)), ("D", box(1, 1, 2, 2))]


# --- ties on boundaries ---------------------------------------------------------------


@pytest.mark.parametrize("order", list(itertools.permutations(range(2))))
@pytest.mark.parametrize("names, expected", [(("A", "B"), "A"), (("B", "A"), "A"),
                                             (("b10", "b09"), "b09")])
def test_point_on_shared_edge_goes_to_smallest_id_whatever_the_row_order(order, names, expected):
    rows = [(names[k], TWO_SQUARES[k][1]) for k in order]
    result = assign(_points([Point(1, 0.5), Point(1, 0), Point(1, 1)]),
                    communities=_communities(rows))
    assert result["community_id"].tolist() == [expected] * 3
    assert not result["unassigned"].any()


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_point_on_shared_vertex_goes_to_one_community(order):
    rows = [FOUR_SQUARES[k] for k in order]
    result = assign(_points([Point(1, 1), Point(1, 1.5), Point(1.5, 1), Point(1.5, 1.5)]),
                    communities=_communities(rows))
    assert result["community_id"].tolist() == ["A", "C", "B", "D"]


def test_point_outside_every_community_is_kept_and_flagged():
    points = _points([Point(0.5, 0.5), Point(9, 9), Point(2.0000001, 0.5)],
                     name=["in", "far", "near"])
    points.index = [30, 10, 20]
    result = assign(points, communities=_communities(TWO_SQUARES))
    assert result.index.tolist() == [30, 10, 20]
    assert result["name"].tolist() == ["in", "far", "near"]
    assert result["community_id"].tolist() == ["A", None, None]
    assert result["unassigned"].tolist() == [False, True, True]
    assert result["member_ids"].tolist() == [None, None, None]


SHELL = [(0, 0), (4, 0), (4, 4), (0, 4)]
HOLE = [(1, 1), (3, 1), (3, 3), (1, 3)]


@pytest.mark.parametrize("island, expected", [
    (False, [None, "ring", "ring", "ring"]),
    (True, ["z-island", "ring", "ring", "ring"]),
])
def test_point_in_a_hole_is_outside_the_polygon(island, expected):
    rows = [("ring", Polygon(SHELL, [HOLE]))] + ([("z-island", Polygon(HOLE))] if island else [])
    # in the hole; in the ring; on the hole's edge (the ring's boundary); on the outer edge
    points = _points([Point(2, 2), Point(0.5, 2), Point(1, 2), Point(0, 2)])
    result = assign(points, communities=_communities(rows))
    assert result["community_id"].tolist() == expected
    assert result["unassigned"].tolist() == [v is None for v in expected]


def test_multipolygon_community():
    multi = shapely.MultiPolygon([box(0, 0, 1, 1), box(5, 5, 6, 6)])
    result = assign(_points([Point(5.5, 5.5), Point(3, 3)]),
                    communities=_communities([("M", multi)]))
    assert result["community_id"].tolist() == ["M", None]


# --- the frame that comes back ----------------------------------------------------------


def test_full_result_for_a_small_case():
    points = _points([Point(0.5, 0.5), Point(1.5, 0.5), Point(7, 7)], issue_id=["i1", "i2", "i3"])
    points.index = [5, 5, 2]  # not unique, not sorted: must survive as it is
    members = pd.DataFrame({"member_id": ["m2", "m1", "m3", "m4", "m5"],
                            "linked_community_id": ["A", "A", "Q", None, "B"],
                            "role": ["city_cppcc"] * 5})
    compounds = gpd.GeoDataFrame({"compound_id": ["c1"]}, geometry=[box(1.25, 0.25, 1.75, 0.75)],
                                 crs=WGS84)
    result = assign(points, communities=_communities(TWO_SQUARES), compounds=compounds,
                    members=members)
    expected = points.copy()
    expected["community_id"] = pd.Series(["A", "B", None], index=points.index, dtype=object)
    expected["compound_id"] = pd.Series([None, "c1", None], index=points.index, dtype=object)
    expected["venue_id"] = pd.Series([None, None, None], index=points.index, dtype=object)
    expected["venue_distance_m"] = np.full(3, np.nan)
    expected["member_ids"] = pd.Series([["m1", "m2"], ["m5"], None], index=points.index,
                                       dtype=object)
    expected["unassigned"] = [False, False, True]
    assert_geodataframe_equal(result, expected)
    assert list(result.columns) == ["issue_id", "geometry", *OUTPUT_COLUMNS]


def test_input_frames_are_not_changed():
    points = _points([Point(0.5, 0.5)], issue_id=["i1"])
    communities = _communities(TWO_SQUARES)
    before = points.copy(), communities.copy()
    assign(points, communities=communities)
    assert_geodataframe_equal(points, before[0])
    assert_geodataframe_equal(communities, before[1])


def test_existing_output_columns_are_overwritten_in_place():
    points = _points([Point(1.5, 0.5)], community_id=["stale"])
    result = assign(points, communities=_communities(TWO_SQUARES))
    assert result["community_id"].tolist() == ["B"]
    assert list(result.columns)[:2] == ["community_id", "geometry"]


@pytest.mark.parametrize("crs", [WGS84, None])
def test_empty_points_give_an_empty_frame_with_the_columns(crs):
    points = _points([], crs=crs, issue_id=pd.Series([], dtype=object))
    result = assign(points, communities=_communities(TWO_SQUARES))
    assert len(result) == 0
    assert list(result.columns) == ["issue_id", "geometry", *OUTPUT_COLUMNS]
    assert result["venue_distance_m"].dtype == np.float64
    assert result["unassigned"].dtype == bool
    assert result["community_id"].dtype == object


@pytest.mark.parametrize("missing", [None, Point()])
def test_null_and_empty_geometries_are_kept_unassigned(missing):
    venues = gpd.GeoDataFrame({"venue_id": ["v1"]}, geometry=[Point(0.5, 0.5)], crs=WGS84)
    points = _points([missing, Point(0.5, 0.5)], issue_id=["lost", "found"])
    result = assign(points, communities=_communities(TWO_SQUARES), venues=venues)
    assert result["issue_id"].tolist() == ["lost", "found"]
    assert result["community_id"].tolist() == [None, "A"]
    assert result["unassigned"].tolist() == [True, False]
    assert result["venue_id"].tolist() == [None, "v1"]
    assert np.isnan(result["venue_distance_m"].iloc[0])
    assert result["venue_distance_m"].iloc[1] == pytest.approx(0.0)


def test_null_and_empty_community_polygons_match_nothing():
    rows = [("0-null", None), ("0-empty", Polygon()), *TWO_SQUARES]
    result = assign(_points([Point(0.5, 0.5)]), communities=_communities(rows))
    assert result["community_id"].tolist() == ["A"]


@pytest.mark.parametrize("crs", [WGS84, "EPSG:4979"])
def test_z_is_ignored(crs):
    points_2d = _points([Point(1, 0.5), Point(1.5, 0.5), Point(3, 3)])
    points_3d = _points([Point(1, 0.5, 80.0), Point(1.5, 0.5, -3.0), Point(3, 3, 0.0)], crs=crs)
    communities = _communities(TWO_SQUARES)
    got = assign(points_3d, communities=communities)
    want = assign(points_2d, communities=communities)
    assert got["community_id"].tolist() == want["community_id"].tolist() == ["A", "B", None]
    assert got.geometry.has_z.all()  # the points themselves are not altered


# --- members --------------------------------------------------------------------------------


def test_member_ids_follow_the_linked_community():
    members = pd.DataFrame({"member_id": ["m3", "m1", "m2", "m9"],
                            "linked_community_id": ["B", "B", "C", None]})
    points = _points([Point(1.5, 1.5), Point(1.5, 0.5), Point(0.5, 1.5), Point(0.5, 0.5)])
    result = assign(points, communities=_communities(FOUR_SQUARES), members=members)
    assert result["member_ids"].tolist() == [None, ["m1", "m3"], ["m2"], None]


def test_member_ids_none_without_members():
    result = assign(_points([Point(0.5, 0.5)]), communities=_communities(TWO_SQUARES))
    assert result["member_ids"].tolist() == [None]


# --- nearest venue ------------------------------------------------------------------------


def test_nearest_venue_distance_in_metres():
    # 0.01 degree of latitude near 34.4 N is about 1109 m; check against the geodesic.
    communities = _communities([("c", box(115.5, 34.3, 115.7, 34.5))])
    venues = gpd.GeoDataFrame({"venue_id": ["far", "near"]},
                              geometry=[Point(115.60, 34.43), Point(115.60, 34.41)], crs=WGS84)
    result = assign(_points([Point(115.60, 34.40)]), communities=communities, venues=venues)
    _, _, geodesic = Geod(ellps="WGS84").inv(115.60, 34.40, 115.60, 34.41)
    assert result["venue_id"].tolist() == ["near"]
    assert result["venue_distance_m"].iloc[0] == pytest.approx(geodesic, abs=1.0)
    assert result["venue_distance_m"].iloc[0] == pytest.approx(1109, abs=2)


@pytest.mark.parametrize("reverse", [False, True])
def test_equally_near_venues_resolve_to_smallest_id(reverse):
    communities = _communities([("c", box(115.5, 34.3, 115.7, 34.5))])
    rows = [("v2", Point(115.61, 34.40)), ("v1", Point(115.61, 34.40)), ("v3", Point(115.7, 34.4))]
    rows = rows[::-1] if reverse else rows
    venues = gpd.GeoDataFrame({"venue_id": [r[0] for r in rows]}, geometry=[r[1] for r in rows],
                              crs=WGS84)
    result = assign(_points([Point(115.60, 34.40)]), communities=communities, venues=venues)
    assert result["venue_id"].tolist() == ["v1"]


@pytest.mark.parametrize("brute_force_max", [0, 10_000])
def test_nearest_tree_and_brute_force_agree_with_exact_answer(brute_force_max):
    rng = np.random.default_rng(7)
    px, py = rng.uniform(0, 5000, 500), rng.uniform(0, 5000, 500)
    vx, vy = rng.integers(0, 50, 80) * 100.0, rng.integers(0, 50, 80) * 100.0
    vx[1], vy[1] = vx[0], vy[0]  # a duplicate location: a tie for its neighbours
    rank, dist = _nearest(px, py, vx, vy, brute_force_max=brute_force_max)
    d = np.hypot(px[:, None] - vx, py[:, None] - vy)
    want_dist = d.min(axis=1)
    want_rank = np.array([np.flatnonzero(row == row.min())[0] for row in d])
    np.testing.assert_allclose(dist, want_dist, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(rank, want_rank)


@pytest.mark.parametrize("chunk_pairs", [1, 7 * 3, 10**6])
def test_brute_force_chunks_give_the_same_answer(chunk_pairs):
    rng = np.random.default_rng(11)
    px, py = rng.uniform(0, 100, 50), rng.uniform(0, 100, 50)
    vx, vy = np.array([0.0, 100.0, 50.0]), np.array([0.0, 100.0, 50.0])
    rank, dist = _nearest_brute_force(px, py, vx, vy, chunk_pairs=chunk_pairs)
    d = np.hypot(px[:, None] - vx, py[:, None] - vy)
    np.testing.assert_array_equal(rank, d.argmin(axis=1))
    np.testing.assert_allclose(dist, d.min(axis=1))


# --- agreement with geopandas on a bigger case ------------------------------------------------


def test_agrees_with_sjoin_away_from_boundaries():
    xs, ys = np.linspace(115.58, 115.66, 11), np.linspace(34.40, 34.47, 9)
    cells = [(f"c{i:02d}{j:02d}", box(xs[i], ys[j], xs[i + 1], ys[j + 1]))
             for i in range(10) for j in range(8)]
    rng = np.random.default_rng(3)
    points = _points(list(shapely.points(rng.uniform(115.57, 115.67, 3000),
                                         rng.uniform(34.39, 34.48, 3000))))
    communities = _communities(cells)[::-1]
    result = assign(points, communities=communities)
    joined = gpd.sjoin(points, communities, predicate="within", how="left")
    want = joined["community_id"].astype(object).where(joined["community_id"].notna(), None)
    assert result["community_id"].tolist() == want.tolist()
    assert result["unassigned"].sum() == joined["community_id"].isna().sum() > 0


# --- errors ----------------------------------------------------------------------------------


def test_empty_communities_is_an_error_naming_the_layer():
    with pytest.raises(InputError, match="communities layer is empty") as caught:
        assign(_points([Point(0, 0)]), communities=_communities([]))
    assert isinstance(caught.value, InputError)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("layer", ["points", "communities", "compounds", "venues"])
@pytest.mark.parametrize("bad_crs, shown", [("EPSG:3857", "EPSG:3857"), (None, "no CRS")])
def test_crs_mismatch_names_both_crs(layer, bad_crs, shown):
    frames = {
        "points": _points([Point(0.5, 0.5)]),
        "communities": _communities(TWO_SQUARES),
        "compounds": gpd.GeoDataFrame({"compound_id": ["k"]}, geometry=[box(0, 0, 1, 1)],
                                      crs=WGS84),
        "venues": gpd.GeoDataFrame({"venue_id": ["v"]}, geometry=[Point(1, 1)], crs=WGS84),
    }
    frame = frames[layer]
    frames[layer] = frame.to_crs(bad_crs) if bad_crs else frame.set_crs(None, allow_override=True)
    with pytest.raises(InputError) as caught:
        assign(frames["points"], communities=frames["communities"], compounds=frames["compounds"],
               venues=frames["venues"])
    message = str(caught.value)
    assert f"{layer} {shown}" in message
    assert "EPSG:4326" in message
    other = "communities" if layer == "points" else "points"
    assert f"{other} EPSG:4326" in message


def test_every_problem_is_reported_at_once():
    points = _points([box(0, 0, 1, 1), Point(0, 0)], crs="EPSG:3857")
    communities = _communities([("A", box(0, 0, 1, 1)), ("A", Point(3, 3)),
                                (None, box(1, 1, 2, 2))])
    members = pd.DataFrame({"member_id": ["m1"]})
    with pytest.raises(InputError) as caught:
        assign(points, communities=communities, members=members)
    message = str(caught.value)
    for part in ("6 problem(s)", "points EPSG:3857",
                 "points: 1 geometry is Polygon, expected Point",
                 "communities: 1 geometry is Point", "community_id is not unique: A",
                 "community_id is empty in rows 2", "members has no column(s) linked_community_id"):
        assert part in message


def test_missing_id_column_and_wrong_frame_type():
    with pytest.raises(InputError, match="venues has no column 'venue_id'"):
        assign(_points([Point(0, 0)]), communities=_communities(TWO_SQUARES),
               venues=gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(0, 0)], crs=WGS84))
    with pytest.raises(InputError, match="points must be a GeoDataFrame, got GeoSeries"):
        assign(gpd.GeoSeries([Point(0, 0)], crs=WGS84), communities=_communities(TWO_SQUARES))


# --- place: where points fall, with names -----------------------------------------------------


NAMED = gpd.GeoDataFrame({"community_id": ["A", "B"], "name": ["甲社区", "乙社区"]},
                         geometry=[box(115.5, 34.3, 115.6, 34.5), box(115.6, 34.3, 115.7, 34.5)],
                         crs=WGS84)
NAMED_VENUES = gpd.GeoDataFrame({"venue_id": ["V2", "V1"], "name": ["乙议事室", "甲议事亭"]},
                                geometry=[Point(115.65, 34.40), Point(115.55, 34.40)], crs=WGS84)
NAMED_COMPOUNDS = gpd.GeoDataFrame({"compound_id": ["K1"], "name": ["丙小区"]},
                                   geometry=[box(115.54, 34.39, 115.56, 34.41)], crs=WGS84)


def test_place_names_what_assign_finds():
    points = gpd.GeoSeries([Point(115.55, 34.40), Point(115.66, 34.41), Point(116, 34.4)],
                           index=[7, 3, 5], crs=WGS84)
    members = pd.DataFrame({"member_id": ["m2", "m1"], "linked_community_id": ["A", "A"]})
    placed = place(points, communities=NAMED, compounds=NAMED_COMPOUNDS, venues=NAMED_VENUES,
                   members=members)
    assert list(placed.columns) == list(PLACE_COLUMNS) and placed.index.tolist() == [7, 3, 5]
    assert placed["community_name"].tolist() == ["甲社区", "乙社区", None]
    assert placed["compound_name"].tolist() == ["丙小区", None, None]
    assert placed["venue_name"].tolist() == ["甲议事亭", "乙议事室", "乙议事室"]
    assert placed["member_ids"].tolist() == [["m1", "m2"], None, None]
    assert placed["unassigned"].tolist() == [False, False, True]
    assigned = assign(gpd.GeoDataFrame(geometry=points), communities=NAMED,
                      compounds=NAMED_COMPOUNDS, venues=NAMED_VENUES, members=members)
    for column in OUTPUT_COLUMNS:
        assert placed[column].tolist() == assigned[column].tolist(), column


@pytest.mark.parametrize("communities", [NAMED.iloc[:0], None])
def test_place_without_communities_still_finds_the_compound_and_the_nearest_venue(communities):
    """Only the communities near a point may be read: none near means unassigned, not an error."""
    placed = place(gpd.GeoSeries([Point(115.55, 34.40)], crs=WGS84), communities=communities,
                   compounds=NAMED_COMPOUNDS, venues=NAMED_VENUES)
    row = placed.iloc[0]
    assert (row["community_id"], row["unassigned"], row["member_ids"]) == (None, True, None)
    assert (row["compound_id"], row["venue_id"], row["venue_distance_m"]) == ("K1", "V1", 0.0)


def test_place_refuses_a_layer_in_another_crs():
    with pytest.raises(InputError, match="CRS mismatch"):
        place(gpd.GeoSeries([Point(0, 0)], crs=WGS84), communities=NAMED,
              venues=NAMED_VENUES.to_crs("EPSG:32650"))


def test_venues_by_distance_nearest_first_in_metres():
    venues = gpd.GeoDataFrame({"venue_id": ["far", "near", "none"]},
                              geometry=[Point(115.60, 34.43), Point(115.60, 34.41), None],
                              crs=WGS84)
    metres = venues_by_distance(Point(115.60, 34.40), venues)
    assert list(metres) == ["near", "far", "none"]
    _, _, geodesic = Geod(ellps="WGS84").inv(115.60, 34.40, 115.60, 34.41)
    assert metres["near"] == pytest.approx(geodesic, abs=1.5)
    assert np.isnan(metres["none"])
    unplaced = venues_by_distance(None, venues)
    assert list(unplaced) == ["far", "near", "none"] and all(np.isnan(list(unplaced.values())))
