"""The region tree: NBS codes that nest, a node's subdistricts, and which subdistrict a place is in."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from geo.regions import ancestors, rollup, subdistrict_ids, subdistricts_under, tree_problems

TREE = pd.DataFrame([
    ("4114", "商丘市", "city", None),
    ("411402", "梁园区", "district", "4114"),
    ("411403", "睢阳区", "district", "4114"),
    ("411402001", "平原街道", "subdistrict", "411402"),
    ("411402002", "中州街道", "subdistrict", "411402"),
    ("411403001", "古城街道", "subdistrict", "411403"),
], columns=["region_id", "name", "level", "parent_id"])


def test_a_sound_tree_has_no_problems():
    assert tree_problems(TREE) == []


def test_every_problem_of_a_tree_is_reported_at_once_in_both_languages():
    bad = pd.concat([TREE, pd.DataFrame([
        ("41140", "坏区", "district", "4114"),           # five digits
        ("411499001", "错挂街道", "subdistrict", "411402"),  # not nested in its parent
        ("411402003", "孤儿街道", "subdistrict", "411409"),  # parent missing
        ("411403002", "越级街道", "subdistrict", "4114"),    # parent is a city
        ("411402001", "重复街道", "subdistrict", "411402"),  # given twice
        ("411402004", "怪街道", "town", "411402"),          # unknown level
    ], columns=TREE.columns)], ignore_index=True)
    found = [p.text("zh") for p in tree_problems(bad)]
    assert len(found) == 6
    assert any("41140" in t and "6 位" in t for t in found)
    assert any("411499001" in t and "不以上级编码 411402 开头" in t for t in found)
    assert any("411409" in t and "不在区划表中" in t for t in found)
    assert any("411403002" in t and "区/县" in t for t in found)
    assert any("411402001" in t and "不止一次" in t for t in found)
    assert any("town" in t for t in found)
    english = [p.text("en") for p in tree_problems(bad)]
    assert any("should have 6 digits" in t for t in english)


def test_a_node_holds_the_subdistricts_whose_codes_start_with_its_own():
    assert subdistricts_under(TREE, "4114") == ["411402001", "411402002", "411403001"]
    assert subdistricts_under(TREE, "411402") == ["411402001", "411402002"]
    assert subdistricts_under(TREE, "411403001") == ["411403001"]
    assert subdistricts_under(TREE, "9999") == []
    assert ancestors(TREE, "411402002") == ["4114", "411402", "411402002"]


def test_a_place_gets_the_code_of_the_subdistrict_it_lies_in():
    outlines = gpd.GeoDataFrame({"name": ["甲", "乙", "未编码"], "subdistrict_id": ["411402002", "411402001", None]},
                                geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs="EPSG:4326")
    where = [Point(0.5, 0.5), Point(1.5, 0.5), Point(1.0, 0.5), Point(2.5, 0.5), Point(9, 9), box(0.1, 0.1, 0.4, 0.4)]
    assert subdistrict_ids(where, outlines).tolist() == [
        "411402002", "411402001",
        "411402001",  # on the shared edge: the smaller code
        None, None,   # in an outline without a code; outside every outline
        "411402002",  # a polygon by a point inside it
    ]


def test_figures_per_subdistrict_roll_up_to_every_node_above():
    counts = pd.DataFrame({"subdistrict_id": ["411402001", "411402001", "411402002", "411403001", "999999999"],
                           "total": [3, 2, 4, 7, 100], "open": [1, 0, 2, 3, 100]})
    table = rollup(counts, TREE).set_index("region_id")
    assert table.loc["411402001", ["total", "open"]].tolist() == [5, 1]
    assert table.loc["411402", ["total", "open"]].tolist() == [9, 3]
    assert table.loc["411403", ["total", "open"]].tolist() == [7, 3]
    assert table.loc["4114", ["total", "open"]].tolist() == [16, 6]  # the uncoded 100 are in no node
    assert list(table.index) == ["4114", "411402", "411402001", "411402002", "411403", "411403001"]
