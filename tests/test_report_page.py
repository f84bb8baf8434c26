"""The print view (pages/report.py): every row of every table, the figures, a map that prints,
the print button; the URL chooses the scope. And the keyboard issue list under the maps."""

from __future__ import annotations

import re
import xml.dom.minidom
from datetime import date

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo import stats
from geo.filters import IssueFilter
from tests.helpers import USERS, run_page, run_path
from ui import access
from ui.report_map import svg_map
from yishi.services.snapshot import take_snapshot

MEMBER_COMMUNITY = USERS["member"].community_id


def _html(at, name: str) -> str:
    """The st.html body that holds the table (or part) with class `name`."""
    bodies = [h.proto.body for h in at.get("html")
              if name in h.proto.body and not h.proto.body.startswith("<style>")]  # not the CSS
    assert len(bodies) == 1, f"{name}: {len(bodies)} blocks"
    return bodies[0]


def _rows(body: str) -> list[list[str]]:
    tbody = body.split("<tbody>", 1)[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", tbody)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_subdistrict_report_lists_every_issue(demo_store, lang):
    snap = take_snapshot(demo_store)
    at = run_path("report", USERS["leader"], lang)
    rows = _rows(_html(at, "yishi-issues"))
    assert len(rows) == len(snap.issues) > 10  # not the grid's ten visible rows
    assert {r[0] for r in rows} == set(snap.issues["issue_id"])
    assert len(_rows(_html(at, "yishi-compare"))) == len(snap.communities)
    cells = {c for r in rows for c in r}
    assert not {"None", "nan", "NaT", "&lt;NA&gt;"} & cells and "—" in cells
    figures = _html(at, "yishi-figures")
    open_now = int(stats.is_open(snap.issues).sum())
    assert f'<div class="yishi-figure-value">{open_now}</div>' in figures
    assert 'id="yishi-print"' in _html(at, "yishi-print-bar")
    (image,) = at.get("image")  # the map, as SVG: it prints without tiles
    assert "svg" in str(image.proto)


def test_the_overviews_filters_in_the_url_choose_what_is_printed(demo_store):
    snap = take_snapshot(demo_store)
    at = run_path("report", USERS["leader"], "en", stages="collected,selected", overdue_only="0")
    wanted = IssueFilter(stages=("collected", "selected")).apply(snap.issues, snap.today)
    assert 0 < len(wanted) < len(snap.issues)
    assert {r[0] for r in _rows(_html(at, "yishi-issues"))} == set(wanted["issue_id"])
    shown = [m.value.replace("\\", "") for m in at.markdown]  # markdown escapes dropped
    assert "**Filters**: Stage: Collected, Issue selected" in shown  # what the printout says


def test_a_community_report_from_the_url(demo_store):
    snap = take_snapshot(demo_store)
    here = snap.issues[snap.issues["community_id"] == MEMBER_COMMUNITY]
    at = run_path("report", USERS["member"], "zh", community=MEMBER_COMMUNITY)
    assert at.selectbox(key="_rp_scope").value == MEMBER_COMMUNITY
    assert {r[0] for r in _rows(_html(at, "yishi-issues"))} == set(here["issue_id"])
    todo = _rows(_html(at, "yishi-supervision"))
    assert "I0067" in {r[0] for r in todo}
    assert len(_rows(_html(at, "yishi-venues"))) == (snap.venues["community_id"] == MEMBER_COMMUNITY).sum()
    assert at.query_params["community"] == MEMBER_COMMUNITY


def test_an_unknown_community_prints_the_whole_subdistrict(demo_store):
    snap = take_snapshot(demo_store)
    at = run_path("report", USERS["leader"], "zh", community="nope")
    assert at.selectbox(key="_rp_scope").value == ""
    assert len(_rows(_html(at, "yishi-issues"))) == len(snap.issues)


def test_signed_out_the_report_asks_to_sign_in(demo_store_path):
    at = run_path("report", None, "zh")
    assert not at.get("html") or all("yishi-issues" not in h.proto.body for h in at.get("html"))


def test_the_report_is_in_the_navigation_for_map_roles(demo_store_path):
    from ui.nav import pages_for

    for role in ("leader", "member", "staff", "admin"):
        assert "report.py" in {p.file for p in pages_for(USERS[role])}
    assert "report.py" not in {p.file for p in pages_for(None)}


# ------------------------------------------------------------------ the printed map


def test_the_map_draws_every_issue_and_rings_the_overdue(demo_store):
    snap = take_snapshot(demo_store)
    svg = svg_map(subdistrict=snap.subdistrict, communities=snap.communities, issues=snap.issues,
                  today=snap.today, lang="zh")
    xml.dom.minidom.parseString(svg)
    late = int(stats.is_overdue(snap.issues, snap.today).sum())
    assert svg.count('r="6.5"') == len(snap.issues)
    assert svg.count('r="11"') == late > 0
    assert all(name in svg for name in snap.communities["name"])


def test_hostile_names_cannot_break_the_drawing():
    communities = gpd.GeoDataFrame({"community_id": ["a", "b"],
                                    "name": ['</text><script>alert(1)</script>', "x\x00\x1b\u202e&y"]},
                                   geometry=[box(115.0, 34.0, 115.01, 34.01), box(115.01, 34.0, 115.02, 34.01)],
                                   crs="EPSG:4326")
    issues = gpd.GeoDataFrame({"issue_id": ["I1"], "stage": ["collected"], "due_on": [None]},
                              geometry=[Point(115.005, 34.005)], crs="EPSG:4326")
    empty = communities.iloc[0:0]
    svg = svg_map(subdistrict=empty, communities=communities, issues=issues, today=date(2022, 6, 17),
                  lang="en")
    doc = xml.dom.minidom.parseString(svg)  # still well-formed XML
    assert not doc.getElementsByTagName("script")
    assert "&lt;/text&gt;&lt;script&gt;" in svg and "x&amp;y" in svg


# ------------------------------------------------------------------ the keyboard issue list


def test_the_keyboard_list_mirrors_the_map_overdue_first(demo_store):
    snap = take_snapshot(demo_store)
    body = access.list_html(snap.issues, snap.today, "en")
    links = re.findall(r'<a href="issue\?issue=(\w+)&amp;lang=en">', body)
    assert sorted(links) == sorted(snap.issues["issue_id"])
    late = stats.overdue(snap.issues, snap.today)
    assert links[:len(late)] == list(late["issue_id"])  # most overdue first
    assert body.count("days overdue") == len(late)


@pytest.mark.parametrize("file, user", [("overview.py", "leader"), ("community.py", "member")])
def test_the_map_pages_draw_the_keyboard_list_and_the_print_link(demo_store, file, user):
    snap = take_snapshot(demo_store)
    at = run_page(file, USERS[user], "zh")
    shown = snap.issues if file == "overview.py" else snap.issues[snap.issues["community_id"] == MEMBER_COMMUNITY]
    body = _html(at, 'class="yishi-issue-list"')
    assert len(re.findall(r'<a href="issue\?issue=', body)) == len(shown)
    tools = _html(at, "yishi-toolbar")
    assert f'href="#{access.LIST_ID}"' in tools and 'href="report?' in tools
    if file == "community.py":
        assert f"community={MEMBER_COMMUNITY}" in tools
