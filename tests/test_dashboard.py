"""The overview's queries: the store answers a view with the same issues the filter picks in memory."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo import stats
from geo.filters import IssueFilter
from ui import report_view, tables
from yishi.accounts import User
from yishi.services import dashboard
from yishi.services.dashboard import issue_where, region_of
from yishi.services.snapshot import take_snapshot
from yishi.storage import Where, open_store

pytestmark = pytest.mark.backends("sqlite", "postgis")

VIEWS = [
    IssueFilter(),
    IssueFilter(overdue_only=True),
    IssueFilter(stages=("implementing", "done"), overdue_only=True),
    IssueFilter(categories=("parking", "water"), date_from=date(2022, 1, 1), date_to=date(2022, 5, 31)),
    IssueFilter(communities=("411402001007", "411402001021"), focus=("livelihood",)),
    IssueFilter(stages=("meeting",), communities=("nowhere",)),
]


@pytest.mark.parametrize("view", VIEWS, ids=range(len(VIEWS)))
def test_the_store_picks_the_issues_the_filter_picks(demo_store, view):
    snap = take_snapshot(demo_store)
    wanted = view.apply(snap.issues, snap.today)["issue_id"].tolist()
    assert demo_store.select("issues", issue_where(view, snap.today))["issue_id"].tolist() == wanted


def test_a_view_stays_inside_the_accounts_region(demo_store):
    district = User("qu", "leader", region_id="411402")
    assert region_of(district, "411402001") == "411402001"  # a node under its own
    assert region_of(district, "411403") == "411402"        # not above or beside it
    assert region_of(User("city", "leader"), None) is None   # the whole store
    today = demo_store.today()
    assert len(demo_store.select("issues", issue_where(IssueFilter(), today, "411403"))) == 0
    assert len(demo_store.select("issues", issue_where(IssueFilter(), today, "411402"))) == 137


# ---------------------------------------------------------------------------- the page's answers

#: A small city (python -m data.generate's generator): 9 subdistricts in 9 districts, 400 issues.
CITY_ISSUES = 400


def build_city(target: Path) -> Path:
    """A generated city store at `target` (about 2 s): many subdistricts, illustrative data."""
    from data.city import generate_city
    from yishi.citydata import build_store_from_dir

    generate_city(target.parent / "city_files", n_issues=CITY_ISSUES, n_subdistricts=3)
    build_store_from_dir(target, target.parent / "city_files")
    return target


@pytest.fixture(scope="session")
def city_file(tmp_path_factory) -> Path:
    return build_city(tmp_path_factory.mktemp("city") / "city.sqlite")


@pytest.fixture
def city_store(city_file, tmp_path):
    copy = tmp_path / "city.sqlite"
    shutil.copy(city_file, copy)
    with open_store(copy) as store:
        yield store


def in_memory(snap, view):
    """What the overview computed from the whole snapshot before: the reference."""
    issues = view.apply(snap.issues, snap.today)
    return issues, snap.meetings[snap.meetings["issue_id"].isin(issues["issue_id"])]


@pytest.mark.parametrize("view", VIEWS, ids=range(len(VIEWS)))
def test_figures_from_the_store_are_the_published_ones(demo_store, view):
    snap = take_snapshot(demo_store)
    issues, meetings = in_memory(snap, view)
    asked = dashboard.figures(demo_store, issue_where(view, snap.today), snap.today)
    assert (report_view.figure_pairs(asked.values(), "zh")
            == report_view.overview_figures(issues, meetings, snap.ratings, snap.today, "zh"))
    assert asked.issues == len(issues)
    assert dashboard.monthly(demo_store, issue_where(view, snap.today)).equals(stats.monthly(issues))
    assert stats.funnel_from_counts(asked.stages).equals(stats.funnel(issues))


def test_the_demos_published_figures_stay_as_they_were(demo_store):
    figures = dashboard.figures(demo_store, issue_where(IssueFilter(), demo_store.today()), demo_store.today())
    assert {k: v for k, v in figures.values().items() if k in ("meetings", "consensus", "implemented",
                                                                "in_progress", "open", "overdue")} == {
        "meetings": 230, "consensus": 108, "implemented": 85, "in_progress": 23, "open": 49, "overdue": 7}


def test_residents_ratings_count_for_the_issues_of_the_view_and_their_community(demo_store):
    snap = take_snapshot(demo_store)
    done = snap.issues[snap.issues["stage"] == "done"].sort_values("issue_id")
    a, b = done.iloc[0], done[done["community_id"] != done.iloc[0]["community_id"]].iloc[0]
    demo_store.write_batch("ratings", [
        {"rating_id": "R1", "issue_id": a["issue_id"], "score": 5, "at": "2022-06-01", "via": "link"},
        {"rating_id": "R2", "issue_id": a["issue_id"], "score": 2, "at": "2022-06-02", "via": "link"},
        {"rating_id": "R3", "issue_id": b["issue_id"], "score": 4, "at": "2022-06-03", "via": "link"}], by="test")
    snap = take_snapshot(demo_store)
    for view in (IssueFilter(), IssueFilter(communities=(a["community_id"],))):
        issues, meetings = in_memory(snap, view)
        where = issue_where(view, snap.today)
        asked = dashboard.figures(demo_store, where, snap.today)
        assert (report_view.figure_pairs(asked.values(), "en")
                == report_view.overview_figures(issues, meetings, snap.ratings, snap.today, "en"))
        pd.testing.assert_frame_equal(
            dashboard.per_community(demo_store, where, snap.today, snap.communities),
            stats.per_community(issues, snap.communities, snap.today,
                                snap.ratings[snap.ratings["issue_id"].isin(issues["issue_id"])]))
    assert dashboard.figures(demo_store, issue_where(IssueFilter(), snap.today), snap.today).values()["rating"] \
        == (3.67, 3)


@pytest.mark.parametrize("sort_by", tables.ISSUE_COLUMNS)
def test_a_page_of_the_table_is_the_page_the_frame_gives(demo_store, sort_by):
    snap = take_snapshot(demo_store)
    for view in VIEWS[:2]:
        issues, _ = in_memory(snap, view)
        for query in ("", "停车", "保湾", "烟厂 停车", "i0004", "没有这个"):
            for descending in (False, True):
                for page in (1, 2, 9):
                    mine = dashboard.issue_page(demo_store, issue_where(view, snap.today),
                                                communities=snap.communities, compounds=snap.compounds,
                                                query=query, sort_by=sort_by, descending=descending,
                                                page=page, per_page=20)
                    frame = tables.issue_page(issues, communities=snap.communities, compounds=snap.compounds,
                                              query=query, sort_by=sort_by, descending=descending, page=page,
                                              per_page=20)
                    assert (mine.page, mine.pages, mine.matches) == (frame.page, frame.pages, frame.matches)
                    assert list(mine.rows["issue_id"]) == list(frame.rows["issue_id"]), (query, descending, page)


def test_the_csv_reads_every_issue_of_the_view_in_chunks(demo_store):
    snap = take_snapshot(demo_store)
    where = issue_where(IssueFilter(), snap.today)
    chunks = list(dashboard.issue_chunks(demo_store, where, chunk=40))
    assert [len(c) for c in chunks] == [40, 40, 40, 17]
    made = tables.lazy_csv_chunks(lambda: chunks, snap.communities, "zh")()
    assert made == tables.csv_bytes(tables.issue_table(snap.issues, snap.communities, "zh"))  # the same file as before


def test_the_keyboard_list_is_capped_overdue_first_then_newest(demo_store):
    today = demo_store.today()
    where = issue_where(IssueFilter(), today)
    rows = dashboard.keyboard_rows(demo_store, where, today, 137, cap=20)
    late = stats.overdue(take_snapshot(demo_store).issues, today)
    assert len(rows) == 20
    assert set(rows["issue_id"][:7]) == set(late["issue_id"])
    rest = rows["reported_on"][7:].tolist()
    assert rest == sorted(rest, reverse=True)
    html = access_html(rows, today, 137)
    assert html.count("<li>") == 20 and "另有 117 个议题未列出" in html and "（137）" in html
    city = access_html(rows, today, 1_000_000)  # a city's counts keep their thousands apart
    assert "另有 999,980 个议题未列出" in city and "地图上的议题（1,000,000）" in city


def access_html(rows, today, total):
    from ui import access
    return access.list_html(rows, today, "zh", total=total)


def test_the_rollup_sums_subdistricts_up_the_tree(city_store):
    today = city_store.today()
    regions = city_store.load_layer("regions")
    where = issue_where(IssueFilter(), today)
    table = dashboard.rollup(city_store, where, today, regions, None).set_index("region_id")
    per_sub = city_store.summarise("issues", where, by=("subdistrict_id",)).set_index("subdistrict_id")["n"]
    assert table.loc["4114", "total"] == CITY_ISSUES == per_sub.sum()
    for code, n in per_sub.items():
        assert table.loc[code, "total"] == n == table.loc[code[:6], "total"]  # one subdistrict per district
    opened = dashboard.figures(city_store, where, today).values()["open"]
    assert table.loc["4114", "open"] == opened
    # a district's roll-up, with the communities of its subdistrict under it
    communities = dashboard.communities_in(city_store.load_layer("communities"), "411402001")
    mine = dashboard.rollup(city_store, where, today, regions, "411402", communities)
    assert list(mine["level"][:2]) == ["district", "subdistrict"]
    assert set(mine["level"][2:]) == {"community"} and len(mine) == 2 + len(communities)
    assert mine[mine["level"] == "community"]["total"].sum() == per_sub["411402001"]


def test_a_district_view_holds_only_its_districts_issues(city_store):
    today = city_store.today()
    where = issue_where(IssueFilter(), today, region_of(User("qu", "leader", region_id="411402"), "411403"))
    own = city_store.summarise("issues", Where(prefix={"subdistrict_id": ("411402",)}))["n"].iloc[0]
    assert dashboard.figures(city_store, where, today).issues == own
    rows = pd.concat(list(dashboard.issue_chunks(city_store, where)))
    assert len(rows) == own and rows["issue_id"].isin(
        city_store.select("issues", Where(prefix={"subdistrict_id": ("411402",)}))["issue_id"]).all()
    page = dashboard.issue_page(city_store, where, communities=city_store.load_layer("communities"), per_page=500)
    assert set(page.rows["issue_id"]) == set(rows["issue_id"])


def test_the_page_s_questions_never_load_a_whole_layer(city_store, monkeypatch):
    loaded = []
    original = type(city_store).load_layer
    monkeypatch.setattr(type(city_store), "load_layer",
                        lambda self, name, **kw: loaded.append(name) or original(self, name, **kw))
    today = city_store.today()
    where = issue_where(IssueFilter(), today)
    figures = dashboard.figures(city_store, where, today)
    dashboard.monthly(city_store, where)
    dashboard.category_counts(city_store, where)
    dashboard.per_community(city_store, where, today, pd.DataFrame({"community_id": [], "name": []}))
    dashboard.issue_page(city_store, where, communities=pd.DataFrame({"community_id": [], "name": []}),
                         query="I0001", sort_by="stage")
    dashboard.keyboard_rows(city_store, where, today, figures.issues)
    list(dashboard.issue_chunks(city_store, where))
    assert loaded == []
