"""The overview map of a big view (ui/maps/viewport.py): counts from the store instead of every
issue in the page, bubbles that add up, escaped names, and a click found in the store."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from geo.crs import wgs84_to_gcj02
from geo.filters import IssueFilter
from geo.stats import is_open, is_overdue
from ui import maps
from ui.maps import assets, viewport
from ui.maps.widget import render_map
from yishi.services import dashboard


def _elements(fmap, builder: str) -> list:
    return [e for e in assets._walk(fmap) if getattr(e, "builder", None) == builder]


def test_the_counts_agree_with_the_issues_they_stand_for(demo_store):
    today = demo_store.today()
    issues = demo_store.load_layer("issues")
    where = dashboard.issue_where(IssueFilter(), today)
    summary = viewport.summarise(demo_store, where, today)
    assert summary.total == viewport.count(demo_store, where) == len(issues)
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
