"""The embedded demo data set: the published figures, the named cases, and sound geometry.

These tests read the committed files in data/ (via yishi.datasets.get_path) and assert what a
user of the dashboard sees: the report's numbers, the places it names, and geometry that
tiles, nests and contains as the joins assume.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from yishi.datasets import DEMO_AS_OF, DEMO_FILES, get_path
from geo.schema import (CATEGORIES, CPPCC_ROLES, FOCUS_AREAS, METHODS, METRIC_CRS, STAGE_ORDER,
                        VENUE_KINDS, get_layer)

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date.fromisoformat(DEMO_AS_OF)
UNIVERSITY = Point(115.616914, 34.436628)
#: The 16 community committees of 平原街道 (NBS division codes, 2022).
COMMUNITY_CODES = {
    "411402001001": "新区社区", "411402001002": "保湾社区", "411402001003": "侯庄社区",
    "411402001004": "福禄社区", "411402001005": "崔曹社区", "411402001006": "老君台社区",
    "411402001007": "和谐社区", "411402001016": "方庄社区", "411402001017": "桂林社区",
    "411402001018": "八一社区", "411402001019": "福荣社区", "411402001020": "民西社区",
    "411402001021": "师院社区", "411402001022": "刘庄社区", "411402001023": "苏庄社区",
    "411402001024": "季庄社区",
}


# ---------------------------------------------------------------------------- loaders


def features(layer: str) -> list[dict]:
    return json.loads(get_path(layer).read_text(encoding="utf-8"))["features"]


def props(layer: str) -> list[dict]:
    return [f["properties"] for f in features(layer)]


def rows(layer: str) -> list[dict]:
    with get_path(layer).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def day(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def metric(layer: str) -> gpd.GeoDataFrame:
    return gpd.read_file(get_path(layer)).to_crs(METRIC_CRS)


@pytest.fixture(scope="module")
def issues() -> list[dict]:
    return props("issues")


@pytest.fixture(scope="module")
def meetings() -> list[dict]:
    return rows("meetings")


@pytest.fixture(scope="module")
def communities() -> list[tuple[dict, object]]:
    return [(f["properties"], shape(f["geometry"])) for f in features("communities")]


@pytest.fixture(scope="module")
def compounds() -> list[tuple[dict, object]]:
    return [(f["properties"], shape(f["geometry"])) for f in features("compounds")]


def the_issue(issues: list[dict], *words: str) -> dict:
    found = [i for i in issues if all(w in i["title"] for w in words)]
    assert len(found) == 1, f"expected one issue titled with {words}, found {[i['title'] for i in found]}"
    return found[0]


def issue_point(issue: dict):
    return next(shape(f["geometry"]) for f in features("issues")
                if f["properties"]["issue_id"] == issue["issue_id"])


def community_of(point, communities) -> list[str]:
    return [p["name"] for p, poly in communities if poly.contains(point)]


# ---------------------------------------------------------------------------- published figures


def test_published_figures(issues, meetings):
    stages = Counter(i["stage"] for i in issues)
    assert len(meetings) == 230
    assert sum(stages[s] for s in ("consensus", "implementing", "done")) == 108
    assert stages["done"] == 85
    assert stages["implementing"] == 23
    assert stages["consensus"] == 0


def test_open_and_closed_issues_exist(issues):
    stages = Counter(i["stage"] for i in issues)
    assert 20 <= sum(stages[s] for s in ("collected", "selected", "stakeholders", "meeting")) <= 30
    assert all(stages[s] > 0 for s in ("collected", "selected", "stakeholders", "meeting"))
    closed = [i for i in issues if i["stage"] == "closed"]
    assert closed and all(i["closed_reason"] for i in closed)
    assert all(i["closed_reason"] is None for i in issues if i["stage"] != "closed")


def test_twelve_cppcc_members_each_linked_to_a_different_community():
    members = rows("members")
    cppcc = [m for m in members if m["role"] in CPPCC_ROLES]
    assert len(cppcc) == 12
    assert {m["role"] for m in cppcc} == set(CPPCC_ROLES)
    linked = [m["linked_community_id"] for m in cppcc]
    assert len(set(linked)) == 12 and set(linked) <= set(COMMUNITY_CODES)
    assert all(m["level"] == "subdistrict" for m in cppcc)
    assert not [m for m in members if m["linked_community_id"] and m["role"] not in CPPCC_ROLES]


def test_teams_match_the_report():
    members = rows("members")
    assert len({m["member_id"] for m in members}) == len(members)
    assert len({m["name"] for m in members}) == len(members)
    subdistrict = [m for m in members if m["level"] == "subdistrict"]
    assert 25 <= len(subdistrict) <= 32  # 近30人的协商队伍
    assert {m["role"] for m in subdistrict} == {*CPPCC_ROLES, "party_rep", "resident_rep", "enterprise_rep"}
    team = Counter(m["team_community_id"] for m in members if m["level"] == "community")
    sizes = {p["community_id"]: p["team_size"] for p in props("communities")}
    assert team == Counter(sizes)  # team_size is the number of listed team members
    assert all(10 <= n <= 16 for n in sizes.values())  # 10多人的协商议事队伍
    roles = {m["role"] for m in members if m["level"] == "community"}
    assert roles == {"grid_worker", "party_household", "resident_rep", "party_rep"}


# ---------------------------------------------------------------------------- named cases


def test_furong_street_parking(issues, communities):
    i = the_issue(issues, "福荣街")
    assert (i["category"], i["focus"], i["stage"]) == ("parking", "livelihood", "done")
    spaces = int(re.search(r"停车位(\d+)个", i["result_public"]).group(1))
    assert spaces >= 100
    assert community_of(issue_point(i), communities) == ["福荣社区"]


def test_xicheng_yinxiang_flats_handed_over(issues):
    i = the_issue(issues, "西城印象")
    assert (i["category"], i["focus"], i["stage"]) == ("housing", "hard_case", "done")
    assert "490套" in i["result_public"]


def test_tianrui_cement_plant_relocated(issues):
    i = the_issue(issues, "天瑞水泥厂")
    assert i["category"] == "environment" and i["focus"] in ("development", "harmony")
    assert i["stage"] == "done" and "外迁" in i["result_public"]


def test_fulu_demolition_dispute_settled_in_three_days(issues, meetings, communities):
    i = the_issue(issues, "同信地产")
    assert "福禄" in i["title"]
    assert (i["category"], i["focus"], i["stage"]) == ("housing", "hard_case", "done")
    held = sorted(day(m["held_on"]) for m in meetings if m["issue_id"] == i["issue_id"])
    assert held[-1] == day(i["consensus_on"])
    assert (held[-1] - held[0]).days + 1 == 3  # three calendar days from first meeting to consensus
    assert (day(i["consensus_on"]) - day(i["reported_on"])).days + 1 <= 3
    assert i["result_public"] and "公示" in i["result_public"]
    assert community_of(issue_point(i), communities) == ["福禄社区"]


def test_tobacco_compound_renovation_with_donations(issues):
    i = the_issue(issues, "烟厂家属院")
    assert (i["category"], i["focus"], i["stage"]) == ("renovation", "livelihood", "done")
    amount = float(re.search(r"捐款([\d.]+)万元", i["result_public"]).group(1))
    assert amount * 10_000 >= 20_000


def test_six_water_compounds(issues, compounds):
    water = [i for i in issues if "水压低" in i["title"]]
    assert len(water) == 6
    assert all((i["category"], i["focus"], i["stage"]) == ("water", "livelihood", "done") for i in water)
    names = {p["name"] for p, _ in compounds}
    places = {next(n for n in names if i["title"].startswith(n)) for i in water}
    assert len(places) == 6 and {"盐业局小区", "体育局小区"} <= places
    assert sum(i["residents_affected"] for i in water) >= 1000  # 上千名群众


@pytest.mark.parametrize("topic", ["产业集聚区", "商丘师院", "中原车城", "医药健康城", "大学科技园"])
def test_development_topics(issues, topic):
    i = the_issue(issues, topic)
    assert i["focus"] == "development" and i["category"] == "development"
    assert i["stage"] in ("implementing", "done")


def test_every_category_and_focus_area_is_used(issues):
    assert {i["category"] for i in issues} == set(CATEGORIES.codes)
    assert {i["focus"] for i in issues} == set(FOCUS_AREAS.codes)
    assert {i["method"] for i in issues if i["method"]} == set(METHODS.codes)


# ---------------------------------------------------------------------------- geometry


def test_communities_tile_the_subdistrict():
    outline = metric("subdistrict")
    com = metric("communities")
    assert list(outline["name"]) == ["平原街道"]
    assert dict(zip(com["community_id"], com["name"])) == COMMUNITY_CODES
    assert com.geometry.is_valid.all() and outline.geometry.is_valid.all()
    area = outline.geometry.iloc[0].area
    union = unary_union(list(com.geometry))
    assert abs(union.area - area) / area < 1e-9
    assert union.symmetric_difference(outline.geometry.iloc[0]).area / area < 1e-9
    assert abs(com.geometry.area.sum() - area) / area < 1e-9
    for a, b in itertools.combinations(com.geometry, 2):
        assert a.intersection(b).area < 1e-3  # square metres


def test_subdistrict_is_a_realistic_size():
    minx, miny, maxx, maxy = metric("subdistrict").total_bounds
    assert 5_000 <= maxx - minx <= 7_500 and 5_000 <= maxy - miny <= 7_500


def test_university_lies_in_shiyuan_community(communities):
    assert community_of(UNIVERSITY, communities) == ["师院社区"]


def test_compounds_nest_in_one_community_without_overlap(compounds, communities):
    assert len(compounds) >= 40
    names = [p["name"] for p, _ in compounds]
    assert len(set(names)) == len(names)
    for name in ("烟厂家属院", "盐业局小区", "体育局小区", "西城印象"):
        assert name in names
    for p, poly in compounds:
        assert poly.is_valid
        assert [c["name"] for c, cpoly in communities if cpoly.contains_properly(poly)] != [], p["name"]
        assert sum(cpoly.intersects(poly) for _, cpoly in communities) == 1, p["name"]
    for (pa, a), (pb, b) in itertools.combinations(compounds, 2):
        assert not a.intersects(b), (pa["name"], pb["name"])


def test_compound_attributes(compounds):
    gdf = metric("compounds")
    sides = gdf.geometry.apply(lambda g: g.minimum_rotated_rectangle.exterior.length / 4)
    assert sides.between(80, 320).all()  # small blocks of ~100-300 m
    for p, _ in compounds:
        assert p["is_old_compound"] is (p["built_year"] < 2000), p["name"]
        assert p["property_management"] in ("company", "self_managed", "unit", "none")
        assert isinstance(p["households"], int) and p["households"] > 0
    named = {p["name"]: p for p, _ in compounds}
    assert named["烟厂家属院"]["is_old_compound"] and 1980 <= named["烟厂家属院"]["built_year"] < 2000
    assert not named["西城印象"]["is_old_compound"] and named["西城印象"]["households"] >= 490


def test_every_issue_lies_in_exactly_one_community(communities, compounds):
    by_name = {p["name"]: poly for p, poly in compounds}
    for f in features("issues"):
        point, p = shape(f["geometry"]), f["properties"]
        assert len(community_of(point, communities)) == 1, p["issue_id"]
        about = [n for n in by_name if p["title"].startswith(n)]
        if about:  # an issue about a compound lies inside it
            assert by_name[about[0]].contains(point), (p["issue_id"], p["title"])


def test_venues(compounds, communities):
    venues = features("venues")
    assert len({f["properties"]["venue_id"] for f in venues}) == len(venues)
    assert {f["properties"]["kind"] for f in venues} == set(VENUE_KINDS.codes)
    with_venue = set()
    for f in venues:
        point, p = shape(f["geometry"]), f["properties"]
        assert len(community_of(point, communities)) == 1, p["name"]
        inside = [c["name"] for c, poly in compounds if poly.contains(point)]
        if inside:
            assert p["name"].startswith(inside[0]), p["name"]  # named after its compound
            with_venue.add(inside[0])
        else:  # only the subdistrict's and the communities' own rooms stand outside compounds
            assert p["kind"] == "room" and re.fullmatch(r"(平原街道|\w+社区)协商议事室", p["name"]), p["name"]
        assert dt.date(2020, 1, 1) <= day(p["opened_on"]) <= dt.date(2021, 12, 31)
    assert len(with_venue) >= 30  # 30余个居民小区
    assert "烟厂家属院协商议事亭" in {f["properties"]["name"] for f in venues}
    flags = [[f["properties"][k] for k in ("has_organisation", "has_sign", "has_staff", "has_rules",
                                           "has_activities")] for f in venues]
    assert all(isinstance(v, bool) for fl in flags for v in fl)
    complete = sum(all(fl) for fl in flags)
    assert len(flags) / 2 < complete < len(flags)  # most meet the five-haves, some do not


# ---------------------------------------------------------------------------- stages and dates


def test_reporters_are_obviously_fake_and_unique(issues):
    phones = [i["reporter_phone"] for i in issues if i["reporter_phone"]]
    assert all(re.fullmatch(r"1990000\d{4}", p) for p in phones)
    assert len(set(phones)) == len(phones) >= len(issues) - 10
    assert all(re.fullmatch(r"虚构居民\d{3}", i["reporter_name"]) for i in issues if i["reporter_name"])
    assert all(i["reporter_phone"] for i in issues if i["stage"] == "done" and i["focus"] != "development")


REQUIRED = {
    "done": ("method", "stakeholders", "consensus_on", "due_on", "done_on", "responsible_unit",
             "responsible_person", "result_public", "satisfaction", "consensus_text"),
    "implementing": ("method", "stakeholders", "consensus_on", "due_on", "responsible_unit",
                     "responsible_person", "consensus_text"),
    "meeting": ("method", "stakeholders"),
    "stakeholders": ("stakeholders",),
}
ABSENT = {
    "implementing": ("done_on", "satisfaction", "result_public"),
    "meeting": ("consensus_on", "due_on", "done_on", "responsible_unit", "satisfaction", "consensus_text"),
    "stakeholders": ("method", "consensus_on", "done_on"),
    "selected": ("method", "stakeholders", "consensus_on", "done_on"),
    "collected": ("method", "stakeholders", "consensus_on", "done_on"),
}


def test_fields_match_the_stage(issues):
    for i in issues:
        for name in REQUIRED.get(i["stage"], ()):
            assert i[name] not in (None, ""), (i["issue_id"], i["stage"], name)
        for name in ABSENT.get(i["stage"], ()):
            assert i[name] is None, (i["issue_id"], i["stage"], name)
    ratings = [i["satisfaction"] for i in issues if i["stage"] == "done"]
    assert all(1 <= r <= 5 and round(r, 1) == r for r in ratings)
    assert sum(r >= 4 for r in ratings) / len(ratings) > 0.75


def test_dates_are_ordered_and_not_after_the_as_of_date(issues):
    for i in issues:
        rep, con, done = day(i["reported_on"]), day(i["consensus_on"]), day(i["done_on"])
        assert dt.date(2021, 1, 1) <= rep <= AS_OF, i["issue_id"]
        if con:
            assert rep <= con <= AS_OF and day(i["due_on"]) >= con, i["issue_id"]
        if done:
            assert con <= done <= AS_OF, i["issue_id"]
    due = [day(i["due_on"]) for i in issues if i["stage"] == "implementing"]
    assert any(d < AS_OF for d in due) and any(d > AS_OF for d in due)  # some overdue, some not


def test_meetings(issues, meetings):
    assert len({m["meeting_id"] for m in meetings}) == len(meetings)
    venues = {f["properties"]["venue_id"]: f["properties"] for f in features("venues")}
    by_issue = defaultdict(list)
    for m in meetings:
        by_issue[m["issue_id"]].append(m)
        assert m["method"] in METHODS.codes and 5 <= int(m["participants"]) <= 40
        assert dt.date(2021, 1, 1) <= day(m["held_on"]) <= AS_OF
        assert day(venues[m["venue_id"]]["opened_on"]) <= day(m["held_on"]), m["meeting_id"]
    ids = {i["issue_id"] for i in issues}
    assert set(by_issue) <= ids
    for i in issues:
        held = sorted(by_issue.get(i["issue_id"], []), key=lambda m: m["held_on"])
        reached_meeting = i["stage"] in ("meeting", "consensus", "implementing", "done") or (
            i["stage"] == "closed" and i["method"])
        assert bool(held) == bool(reached_meeting), i["issue_id"]
        if i["stage"] in ("implementing", "done"):
            assert held[-1]["consensus"] == "true" and held[-1]["held_on"] == i["consensus_on"]
            assert [m["consensus"] for m in held[:-1]] == ["false"] * (len(held) - 1)
            assert held[-1]["method"] == i["method"]
        else:
            assert all(m["consensus"] == "false" for m in held)
        assert all(m["held_on"] >= i["reported_on"] for m in held)


def test_timeline_follows_the_procedure(issues):
    events = rows("issue_events")
    assert len({e["event_id"] for e in events}) == len(events)
    by_issue = defaultdict(list)
    for e in events:
        by_issue[e["issue_id"]].append(e)
    assert set(by_issue) == {i["issue_id"] for i in issues}
    for i in issues:
        evs = by_issue[i["issue_id"]]
        steps = [e for e in evs if e["kind"] in ("", "stage")]
        path = [e["to_stage"] for e in steps]
        stop = len(path) - 1 if i["stage"] == "closed" else len(path)
        assert path[:stop] == list(STAGE_ORDER[:stop]), i["issue_id"]
        assert path[-1] == i["stage"]
        assert [e["from_stage"] for e in steps] == ["", *path[:-1]]
        dates = [e["at"] for e in evs]
        assert dates == sorted(dates) and dates[-1] <= DEMO_AS_OF, i["issue_id"]
        at = {e["to_stage"]: e["at"] for e in steps}
        assert at["collected"] == i["reported_on"]
        assert at.get("consensus") == i["consensus_on"] and at.get("done") == i["done_on"]
        assert all(e["by"] for e in evs)


# ---------------------------------------------------------------------------- files


@pytest.mark.parametrize("layer", [n for n, f in DEMO_FILES.items() if f.endswith(".geojson")])
def test_geojson_files_follow_the_schema(layer):
    text = get_path(layer).read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert "\\u" not in text  # Chinese written as UTF-8, not escaped
    # one subdistrict: its code is filled in by the loader from the region tree (data/regions.csv)
    fields = [f.name for f in get_layer(layer).input_fields if f.name != "subdistrict_id"]
    kind = get_layer(layer).geometry
    for f in doc["features"]:
        assert list(f["properties"]) == fields
        assert f["geometry"]["type"] == kind
        coords = f["geometry"]["coordinates"]
        flat = [coords] if kind == "Point" else coords[0]
        for lon, lat in flat:
            assert 115.5 < lon < 115.7 and 34.38 < lat < 34.5  # lon, lat order, in Shangqiu
            assert round(lon, 6) == lon and round(lat, 6) == lat
        if kind == "Polygon":
            assert shape(f["geometry"]).exterior.is_ccw  # RFC 7946 right-hand rule
        ids = get_layer(layer).id_field
        assert isinstance(f["properties"][ids], str)


@pytest.mark.parametrize("layer", [n for n, f in DEMO_FILES.items() if f.endswith(".csv")])
def test_csv_headers_follow_the_schema(layer):
    with get_path(layer).open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == list(get_layer(layer).field_names)


def test_generator_is_deterministic(tmp_path):
    subprocess.run([sys.executable, "-m", "data.generate", "--out", str(tmp_path)],
                   check=True, cwd=ROOT)
    for name in set(DEMO_FILES.values()) - {"regions.csv"}:  # the NBS codes are reference data
        assert (tmp_path / name).read_bytes() == (ROOT / "data" / name).read_bytes(), (
            f"{name} differs from a fresh run of data/generate.py: regenerate and commit")
