"""The city-scale benchmark data set (`python -m data.generate --scale city`) and its loader
(`python -m geo init --data DIR`): a small city (12 subdistricts, 2,000 issues) is built once
per module; what is checked is what a benchmark and a reader of the map rely on: the same
files every run, places that nest, issues inside their community, timelines the procedure
allows, and a store whose figures are the files'."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from data import city
from geo.procedure import transition_problems
from geo.regions import tree_problems
from geo.schema import STAGE_ORDER, get_layer
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
N_ISSUES = 2000
N_SUBDISTRICTS = 12
ARGS = ["--scale", "city", "--issues", str(N_ISSUES), "--subdistricts", str(N_SUBDISTRICTS)]
FILES = ("regions.csv", "subdistrict.geojson", "communities.geojson", "compounds.geojson",
         "venues.geojson", "issues.geojson", "members.csv", "meetings.csv", "issue_events.csv",
         "meta.json", "README.txt")


def run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={"PATH": "/usr/bin:/bin", "YISHI_LANG": "en",
                                                "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("city")
    done = run("-m", "data.generate", *ARGS, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    return out


def features(d: Path, name: str) -> list[dict]:
    return json.loads((d / name).read_text(encoding="utf-8"))["features"]


def rows(d: Path, name: str) -> list[dict]:
    with (d / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_two_runs_write_the_same_files(city_dir, tmp_path):
    city.generate_city(tmp_path, n_issues=N_ISSUES, n_subdistricts=N_SUBDISTRICTS)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (city_dir / name).read_bytes(), name


def test_another_seed_gives_another_city(city_dir, tmp_path):
    city.generate_city(tmp_path, n_issues=N_ISSUES, n_subdistricts=N_SUBDISTRICTS, seed=7)
    assert (tmp_path / "issues.geojson").read_bytes() != (city_dir / "issues.geojson").read_bytes()


def test_labelled_illustrative(city_dir):
    meta = json.loads((city_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["illustrative"] is True and meta["scale"] == "city" and meta["as_of"] == "2026-06-30"
    assert meta["rows"]["issues"] == N_ISSUES
    assert "ILLUSTRATIVE" in (city_dir / "README.txt").read_text(encoding="utf-8")


def test_files_follow_the_schema(city_dir):
    for name in FILES:
        if name.endswith(".csv"):
            with (city_dir / name).open(encoding="utf-8") as f:
                assert next(csv.reader(f)) == list(get_layer(name[:-4]).field_names), name
        elif name.endswith(".geojson"):
            layer = get_layer(name[: -len(".geojson")])
            for f in features(city_dir, name):
                assert list(f["properties"]) == list(layer.field_names), name
                assert f["geometry"]["type"] == layer.geometry


def test_region_tree_of_nbs_codes(city_dir):
    regions = rows(city_dir, "regions.csv")
    frame = pd.DataFrame(regions).replace({"": None})
    assert tree_problems(frame) == []
    by_level = Counter(r["level"] for r in regions)
    assert by_level == {"city": 1, "district": 9, "subdistrict": N_SUBDISTRICTS}
    digits = {"city": 4, "district": 6, "subdistrict": 9}
    ids = {r["region_id"] for r in regions}
    for r in regions:
        assert len(r["region_id"]) == digits[r["level"]] and r["region_id"].isdigit()
        assert r["parent_id"] in ids or (r["level"] == "city" and r["parent_id"] == "")
    subs = {r["region_id"] for r in regions if r["level"] == "subdistrict"}
    assert {f["properties"]["subdistrict_id"] for f in features(city_dir, "subdistrict.geojson")} == subs
    assert {"4114", "411402", "411403", "411481"} <= ids


def test_communities_tile_their_subdistrict(city_dir):
    subs = {f["properties"]["subdistrict_id"]: shape(f["geometry"])
            for f in features(city_dir, "subdistrict.geojson")}
    coms = features(city_dir, "communities.geojson")
    by_sub = defaultdict(list)
    for f in coms:
        code, sub = f["properties"]["community_id"], f["properties"]["subdistrict_id"]
        assert len(code) == 12 and code.startswith(sub), code
        poly = shape(f["geometry"])
        assert poly.is_valid and poly.within(subs[sub]), code
        by_sub[sub].append(poly)
    assert len({f["properties"]["community_id"] for f in coms}) == len(coms)
    for sub, polys in by_sub.items():  # no gap: the communities' areas add up to the subdistrict's
        assert sum(p.area for p in polys) == pytest.approx(subs[sub].area, rel=1e-9), sub
    minx, miny, maxx, maxy = shapely.total_bounds([shape(f["geometry"]) for f in coms])
    assert 114.8 < minx and maxx < 116.7 and 33.7 < miny and maxy < 34.9  # SHANGQIU_BBOX


def test_every_issue_lies_inside_one_community_of_its_subdistrict(city_dir):
    coms = features(city_dir, "communities.geojson")
    polys = [shape(f["geometry"]) for f in coms]
    issues = features(city_dir, "issues.geojson")
    points = shapely.points([f["geometry"]["coordinates"] for f in issues])
    which, hit = shapely.STRtree(polys).query(points, predicate="within")
    assert sorted(which.tolist()) == list(range(len(issues)))  # each in exactly one, none on an edge
    for w, h in zip(which, hit):
        assert issues[w]["properties"]["subdistrict_id"] == coms[h]["properties"]["subdistrict_id"]


def test_compounds_and_venues_nest(city_dir):
    coms = features(city_dir, "communities.geojson")
    polys = [shape(f["geometry"]) for f in coms]
    comps = [shape(f["geometry"]) for f in features(city_dir, "compounds.geojson")]
    which, hit = shapely.STRtree(polys).query(comps, predicate="within")
    assert sorted(which.tolist()) == list(range(len(comps)))
    a, b = shapely.STRtree(comps).query(comps, predicate="intersects")
    assert (a == b).all()  # no two compounds touch
    venues = features(city_dir, "venues.geojson")
    which, hit = shapely.STRtree(polys).query(
        shapely.points([f["geometry"]["coordinates"] for f in venues]), predicate="within")
    assert sorted(which.tolist()) == list(range(len(venues)))
    for w, h in zip(which, hit):
        assert venues[w]["properties"]["subdistrict_id"] == coms[h]["properties"]["subdistrict_id"]


def test_stage_mix_over_five_years(city_dir):
    issues = [f["properties"] for f in features(city_dir, "issues.geojson")]
    years = defaultdict(Counter)
    for i in issues:
        assert "2021-07-01" <= i["reported_on"] <= "2026-06-30"
        years[i["reported_on"][:4]][i["stage"] in ("done", "closed")] += 1
    assert set(years) == {"2021", "2022", "2023", "2024", "2025", "2026"}
    assert years["2022"][True] / sum(years["2022"].values()) > 0.85  # old ones mostly finished
    assert years["2026"][False] / sum(years["2026"].values()) > 0.3  # recent ones open
    stages = Counter(i["stage"] for i in issues)
    assert set(stages) == {*STAGE_ORDER, "closed"}
    overdue = [i for i in issues if i["stage"] == "implementing" and i["due_on"] < "2026-06-30"]
    assert overdue and len(overdue) < len(issues) * 0.05


def test_timelines_and_meetings_follow_the_procedure(city_dir):
    issues = {f["properties"]["issue_id"]: f["properties"] for f in features(city_dir, "issues.geojson")}
    events = defaultdict(list)
    for e in rows(city_dir, "issue_events.csv"):
        events[e["issue_id"]].append(e)
    meetings = defaultdict(list)
    for m in rows(city_dir, "meetings.csv"):
        meetings[m["issue_id"]].append(m)
    assert set(events) == set(issues)
    for issue_id, i in issues.items():
        evs = events[issue_id]
        steps = [e for e in evs if e["kind"] == "stage"]
        stage = None
        for e in steps:  # every step is one the procedure allows from the stage before
            assert e["from_stage"] == (stage or ""), issue_id
            if stage is not None:
                assert transition_problems(issue_id, stage, e["to_stage"]) == [], issue_id
            stage = e["to_stage"]
        assert stage == i["stage"], issue_id
        dates = [e["at"] for e in evs]
        assert dates == sorted(dates) and dates[-1] <= "2026-06-30", issue_id
        at = {e["to_stage"]: e["at"] for e in steps}
        assert at["collected"] == i["reported_on"]
        assert at.get("consensus") == i["consensus_on"] and at.get("done") == i["done_on"]
        held = sorted(meetings[issue_id], key=lambda m: m["held_on"])
        assert bool(held) == ("meeting" in at), issue_id
        if i["consensus_on"]:
            assert held[-1]["consensus"] == "true" and held[-1]["held_on"] == i["consensus_on"]
        assert sum(m["consensus"] == "true" for m in held) == (1 if i["consensus_on"] else 0)


def test_generated_folder_loads_into_a_store_whose_figures_are_the_files(city_dir, tmp_path):
    store = tmp_path / "city.sqlite"
    done = run("-m", "geo", "init", "--data", str(city_dir), "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert "issue_events" in done.stdout and "leader-demo-2022" in done.stdout
    summary = run("-m", "geo", "--store", str(store), "summary", "--json")
    assert summary.returncode == 0, summary.stderr
    figures = json.loads(summary.stdout)
    issues = [f["properties"] for f in features(city_dir, "issues.geojson")]
    assert figures["issues"] == N_ISSUES and figures["unassigned"] == 0
    assert figures["by_stage"] == {s: n for s, n in Counter(i["stage"] for i in issues).items()} | {
        s: 0 for s in (*STAGE_ORDER, "closed") if s not in {i["stage"] for i in issues}}
    assert figures["meetings"] == len(rows(city_dir, "meetings.csv"))
    assert figures["members"] == len(rows(city_dir, "members.csv"))
    assert figures["communities"] == len(features(city_dir, "communities.geojson"))
    assert figures["compounds"] == len(features(city_dir, "compounds.geojson"))
    assert figures["venues"] == len(features(city_dir, "venues.geojson"))
    assert figures["as_of"] == "2026-06-30"
    users = run("-m", "geo", "--store", str(store), "users", "list")
    assert users.returncode == 0 and all(u in users.stdout for u in ("leader", "member", "staff", "admin"))


def test_a_broken_folder_is_refused_with_every_problem_and_no_store(city_dir, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in FILES:
        (broken / name).write_bytes((city_dir / name).read_bytes())
    text = (broken / "issues.geojson").read_text(encoding="utf-8")
    (broken / "issues.geojson").write_text(text.replace('"stage":"done"', '"stage":"finished"', 1),
                                           encoding="utf-8")
    with (broken / "regions.csv").open("a", encoding="utf-8") as f:
        f.write("411499001,虚构街道,subdistrict,411499\n")
    store = tmp_path / "never.sqlite"
    done = run("-m", "geo", "init", "--data", str(broken), "--store", str(store))
    assert done.returncode == 1
    assert "stage" in done.stderr and "411499" in done.stderr
    assert not store.exists() and not list(tmp_path.glob(".yishi-*"))
