"""The overview map of a big view (ui/maps/viewport.py): counts from the store instead of every
issue in the page, bubbles that add up, escaped names, and a click found in the store."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import shapely

from geo.crs import wgs84_to_gcj02
from geo.filters import IssueFilter
from geo.schema import COMPOUNDS, VENUE_KINDS
from geo.stats import is_open, is_overdue
from ui import maps
from ui.maps import assets, layers, viewport
from ui.maps.widget import render_map
from yishi.services import dashboard


def _elements(fmap, builder: str) -> list:
    return [e for e in assets.walk(fmap) if getattr(e, "builder", None) == builder]


def test_the_counts_agree_with_the_issues_they_stand_for(demo_store):
    today = demo_store.today()
    issues = demo_store.load_layer("issues")
    where = dashboard.issue_where(IssueFilter(), today)
    summary = viewport.summarise(demo_store, where, today)
    assert summary.total == len(issues)
    assert summary.by_community == issues["community_id"].dropna().value_counts().to_dict()
    assert summary.open_by_community == issues[is_open(issues)]["community_id"].dropna().value_counts().to_dict()
    assert summary.overdue == int(is_overdue(issues, today).sum()) > 0
    assert summary.by_color == issues["stage"].value_counts().to_dict()
    # a filter narrows every count; the overdue ones stay within the filter's stages
    narrowed = dashboard.issue_where(IssueFilter(stages=("meeting",)), today)
    small = viewport.summarise(demo_store, narrowed, today, "category")
    meeting = issues[issues["stage"] == "meeting"]
    assert small.total == len(meeting) and small.by_color == meeting["category"].value_counts().to_dict()
    assert small.overdue == int(is_overdue(meeting, today).sum())


def test_a_big_view_embeds_bubbles_and_no_issue(demo_store):
    today = demo_store.today()
    where = dashboard.issue_where(IssueFilter(), today)
    summary = viewport.summarise(demo_store, where, today)
    places = viewport.places(demo_store, None)
    communities = places["communities"].copy()
    communities.loc[communities.index[0], "name"] = '<img src=x onerror=alert(1)>{{7*7}}'
    url = viewport.api_url("/yishi/", {"stages": "done,meeting", "region": "", "lang": "zh"})
    assert url == "/yishi/api/map/issues?stages=done%2Cmeeting&region=&lang=zh"
    fmap = maps.build_map(subdistrict=places["subdistrict"], communities=communities, venues=places["venues"],
                          compounds=places["compounds"], summary=summary, api_url=url, today=today)
    assert _elements(fmap, "issues") == []
    # compounds and venues come with the issues of the box at street zoom (web.map_api), not in
    # the page; the legend still names the venue kinds they will show
    assert _elements(fmap, "shapes") and _elements(fmap, "venues") == []
    assert all(e.layer_name != COMPOUNDS.label("zh") for e in _elements(fmap, "shapes"))
    (control,) = _elements(fmap, "viewport")
    data = control.data
    assert data["url"] == url and data["zoom"] == viewport.STREET_ZOOM
    assert sum(b[2] for b in data["bubbles"]) == sum(summary.by_community.values())
    assert sum(b[3] for b in data["bubbles"]) == summary.overdue
    assert "&lt;img src=x" in data["tips"][0] and "<img" not in data["tips"][0]
    rendered = render_map(fmap)
    assert "<img src=x" not in rendered.script and "{{7*7}}" in data["tips"][0]  # text, never evaluated
    # the legend counts the view from the summary
    (legend,) = [e for e in _elements(fmap, "legend")]
    assert f"({summary.overdue})" in legend.data["html"]
    assert VENUE_KINDS.label(str(places["venues"]["kind"].iloc[0]), "zh") in legend.data["html"]


def test_street_places_are_the_compounds_and_venues_of_the_box_drawn_as_the_small_map_draws_them(demo_store):
    places = viewport.places(demo_store, None)
    compounds, venues = places["compounds"], places["venues"]
    at = shapely.point_on_surface(compounds.geometry.iloc[0])
    box = (at.x - 0.003, at.y - 0.003, at.x + 0.003, at.y + 0.003)
    near = viewport.street_places(demo_store, None, box, lang="en", basemap="osm")
    # what the store's spatial index answers: the rows whose bounding box meets the box
    meets = [shapely.intersects(shapely.envelope(g), shapely.box(*box)) for g in compounds.geometry]
    assert len(near["compounds"]["fc"]["features"]) == sum(meets) < len(compounds)
    assert near["compounds"] == layers.compound_layer(compounds[meets], "en", "osm").data  # as the page embeds
    inside = venues[venues.geometry.intersects(shapely.box(*box))]
    assert 0 < len(inside) < len(venues)
    assert near["venues"] == layers.venue_layer(inside, "en", "osm").data
    # another region's node gets nothing of Pingyuan's, an empty box nothing at all
    assert viewport.street_places(demo_store, "411403", box, lang="zh", basemap="osm") == \
        {"compounds": None, "venues": None}
    assert viewport.street_places(demo_store, None, (100.0, 20.0, 100.01, 20.01), lang="zh", basemap="osm") == \
        {"compounds": None, "venues": None}


def test_a_click_is_found_in_the_store_by_its_position(demo_store):
    today = demo_store.today()
    where = dashboard.issue_where(IssueFilter(), today)
    issue = demo_store.load_layer("issues").iloc[10]
    x, y = issue.geometry.x, issue.geometry.y
    found = maps.issue_near(demo_store, where, {"last_object_clicked": {"lat": round(y, 5), "lng": round(x, 5)}})
    assert found is not None and found["issue_id"] == issue["issue_id"]
    assert isinstance(found, pd.Series) and "reporter_phone" not in found.index
    gx, gy = wgs84_to_gcj02(x, y)
    on_amap = maps.issue_near(demo_store, where, {"last_object_clicked": {"lat": gy, "lng": gx}}, basemap="amap")
    assert on_amap is not None and on_amap["issue_id"] == issue["issue_id"]
    # 20 m beside it, or nothing clicked: no issue
    assert maps.issue_near(demo_store, where, {"last_object_clicked": {"lat": y + 0.0002, "lng": x}}) is None
    assert maps.issue_near(demo_store, where, {"last_object_clicked": None}) is None
    # an issue the view leaves out cannot be opened from the map
    other = "done" if issue["stage"] != "done" else "meeting"
    outside = replace(where, any_of={"stage": (other,)})
    assert maps.issue_near(demo_store, outside, {"last_object_clicked": {"lat": y, "lng": x}}) is None
