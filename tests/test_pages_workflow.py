"""The issue, new-issue and community pages (Streamlit AppTest): the issue forms write through
yishi.services.workflow and show every refusal, and a resident's phone number reaches staff only.
(That every page renders for every role that may see it is tests/test_pages.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo import stats
from geo.joins import assign
from geo.schema import WGS84
from yishi.services.snapshot import take_snapshot
from yishi.storage import open_store
from ui.nav import pages_for
from tests.helpers import USERS, rendered, run_page, too_big_to_read_whole

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PHONE = re.compile(r"1990000\d{4}")
MEMBER_COMMUNITY = "411402001007"
#: Demo issues at stage meeting (each has a meeting recorded): one per test that writes.
AT_MEETING = "I0094"


def form_ids(at: AppTest) -> set[str]:
    return {b.proto.form_id for b in at.button if b.proto.form_id}


def figures(path: Path) -> dict[str, int]:
    with open_store(path) as store:
        return stats.published_figures(store.load_layer("issues"), store.load_layer("meetings"))


def stage_of(path: Path, issue_id: str) -> str:
    with open_store(path) as store:
        return store.get_row("issues", issue_id)["stage"]


# ------------------------------------------------------------------ every page renders


def test_the_pages_are_listed_with_their_permissions():
    assert {s.file for s in pages_for(USERS["leader"])} >= {"issue.py", "community.py"}
    assert "new_issue.py" not in {s.file for s in pages_for(USERS["member"])}
    assert "new_issue.py" in {s.file for s in pages_for(USERS["staff"])}


@pytest.mark.parametrize("issue_id, stage, expected", [
    ("I0095", "collected", {"advance", "close", "comment", "correct"}),  # no step back from the first
    ("I0103", "selected", {"advance", "close", "comment", "correct", "step_back"}),
    ("I0101", "stakeholders", {"advance", "close", "comment", "correct", "step_back"}),
    (AT_MEETING, "meeting", {"advance", "record_meeting", "close", "comment", "correct", "step_back"}),
    ("I0067", "implementing", {"advance", "comment", "correct", "step_back"}),
    ("I0001", "done", {"comment", "evaluate", "correct", "step_back"}),
])
def test_staff_sees_one_form_per_allowed_action_at_every_stage(demo_store_path, issue_id, stage,
                                                               expected):
    assert stage_of(demo_store_path, issue_id) == stage
    for lang in ("zh", "en"):
        at = run_page("issue.py", USERS["staff"], lang, selected_issue=issue_id)
        assert {f.split("-")[1] for f in form_ids(at)} == expected


# ------------------------------------------------------------------ the issue forms


def test_staff_moves_an_issue_from_meeting_to_consensus(demo_store_path):
    before = figures(demo_store_path)
    at = run_page("issue.py", USERS["staff"], selected_issue=AT_MEETING)
    assert at.selectbox(key="_issue_pick").value == AT_MEETING
    form = f"act-advance-{AT_MEETING}-meeting"
    at.text_area(key=f"{form}-consensus_text").input("划定停车位，物业每月巡查一次")
    at.button(key=f"{form}-submit").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("达成共识" in s.value for s in at.success)
    assert stage_of(demo_store_path, AT_MEETING) == "consensus"
    after = figures(demo_store_path)
    assert after["consensus"] == before["consensus"] + 1
    assert after["meetings"] == before["meetings"]
    # the page now shows the new stage and offers the next step (implementing)
    assert any("当前阶段 **达成共识**" in m.value for m in at.markdown)
    assert f"act-advance-{AT_MEETING}-consensus" in form_ids(at)
    with open_store(demo_store_path) as store:
        row = store.get_row("issues", AT_MEETING)
        events = store.load_layer("issue_events")
    assert row["consensus_text"] == "划定停车位，物业每月巡查一次"
    last = events[events["issue_id"] == AT_MEETING].iloc[-1]
    # signed by the person behind the demo staff account, with the account's role
    assert (last["from_stage"], last["to_stage"], last["by"], last["by_role"]) == (
        "meeting", "consensus", "李晓燕", "staff")


def test_a_missing_field_is_refused_with_the_reason_and_nothing_changes(demo_store_path):
    with open_store(demo_store_path) as store:
        revision = store.revision
    before = figures(demo_store_path)
    at = run_page("issue.py", USERS["staff"], "en", selected_issue=AT_MEETING)
    at.button(key=f"act-advance-{AT_MEETING}-meeting-submit").click()
    at.run()
    assert not at.exception
    errors = shown_errors(at)
    assert "Agreed text is required to move to Consensus" in errors, errors
    assert not at.success
    assert stage_of(demo_store_path, AT_MEETING) == "meeting"
    assert figures(demo_store_path) == before
    with open_store(demo_store_path) as store:
        assert store.revision == revision


def shown_errors(at: AppTest) -> str:
    """The error notices as a reader sees them (markdown escapes removed)."""
    return " ".join(re.sub(r"\\(.)", r"\1", e.value) for e in at.error)


@pytest.mark.parametrize("lang, heading, reason, foreign", [
    ("zh", "未保存，原因如下：", "进入“达成共识”需要填写共识内容", "required"),
    ("en", "Not saved, because:",
     "Agreed text is required to move to Consensus", "consensus_text"),
])
def test_a_refusal_is_shown_in_the_users_language(demo_store_path, lang, heading, reason, foreign):
    at = run_page("issue.py", USERS["staff"], lang, selected_issue=AT_MEETING)
    at.button(key=f"act-advance-{AT_MEETING}-meeting-submit").click()
    at.run()
    errors = shown_errors(at)
    assert errors.startswith(heading) and reason in errors, errors
    assert foreign not in errors  # nothing of the other language, no field codes
    assert stage_of(demo_store_path, AT_MEETING) == "meeting"


@pytest.mark.parametrize("lang, reason, foreign", [
    ("zh", "请填写议题", "required"), ("en", "Title is required", "议题"),
])
def test_a_new_issue_refusal_is_shown_in_the_users_language(demo_store_path, lang, reason,
                                                             foreign):
    at = run_page("new_issue.py", USERS["staff"], lang,
                  new_issue_point=_point_in(demo_store_path, MEMBER_COMMUNITY))
    at.button(key="ni_save").click()
    at.run()
    errors = shown_errors(at)
    assert reason in errors and foreign not in errors, errors


def test_a_meeting_form_lists_every_problem_at_once(demo_store_path):
    at = run_page("issue.py", USERS["staff"], "en", selected_issue=AT_MEETING)
    form = f"act-record_meeting-{AT_MEETING}-meeting"
    assert at.selectbox(key=f"{form}-venue").value  # the nearest venue is chosen already
    at.button(key=f"{form}-submit").click()
    at.run()
    errors = shown_errors(at)
    assert "Method is required" in errors and "Participants is required" in errors, errors
    at.selectbox(key=f"{form}-method").set_value("on_site")
    at.number_input(key=f"{form}-participants").set_value(12)
    at.button(key=f"{form}-submit").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    with open_store(demo_store_path) as store:
        meetings = store.load_layer("meetings")
    assert len(meetings[meetings["issue_id"] == AT_MEETING]) == 2
    assert figures(demo_store_path)["meetings"] == 231


def test_a_member_may_comment_but_not_advance(demo_store_path):
    at = run_page("issue.py", USERS["member"], selected_issue=AT_MEETING)
    assert form_ids(at) == {f"act-comment-{AT_MEETING}-meeting"}
    at.text_area(key=f"act-comment-{AT_MEETING}-meeting-note").input("请尽快形成共识")
    at.button(key=f"act-comment-{AT_MEETING}-meeting-submit").click()
    at.run()
    assert not at.error and at.success
    assert stage_of(demo_store_path, AT_MEETING) == "meeting"
    notes = at.dataframe[3].value  # supervision notes, shown apart from the stage timeline
    assert "请尽快形成共识" in set(notes.iloc[:, -1])


def test_a_leader_sees_no_forms(demo_store_path):
    at = run_page("issue.py", USERS["leader"], selected_issue=AT_MEETING)
    assert not form_ids(at)
    assert not at.text_area and not at.text_input


def test_the_issue_comes_from_the_url(demo_store_path):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["user"] = USERS["leader"]
    at.run()
    at.switch_page("pages/issue.py")
    at.query_params["issue"] = "I0130"
    at.run()
    assert at.selectbox(key="_issue_pick").value == "I0130"


def test_staff_can_evaluate_a_done_issue(demo_store_path):
    at = run_page("issue.py", USERS["staff"], selected_issue="I0001")
    at.slider(key="act-evaluate-I0001-done-satisfaction").set_value(3.5)
    at.button(key="act-evaluate-I0001-done-submit").click()
    at.run()
    assert not at.error
    with open_store(demo_store_path) as store:
        assert store.get_row("issues", "I0001")["satisfaction"] == 3.5


# ------------------------------------------------------------------ residents' data


def test_the_reporter_phone_reaches_staff_only(demo_store_path):
    with open_store(demo_store_path) as store:
        phone = store.get_row("issues", AT_MEETING)["reporter_phone"]
    assert PHONE.fullmatch(phone)
    staff = run_page("issue.py", USERS["staff"], selected_issue=AT_MEETING)
    assert phone in rendered(staff)
    assert phone in set(staff.dataframe[0].value.iloc[:, 1])
    for role in ("leader", "member"):
        at = run_page("issue.py", USERS[role], selected_issue=AT_MEETING)
        assert not PHONE.search(rendered(at)), role
        assert not PHONE.search(str(at))
        for frame in at.dataframe:
            assert not frame.value.astype(str).apply(lambda c: c.str.contains(PHONE.pattern)).any().any()


# ------------------------------------------------------------------ the community page


def test_a_member_starts_at_the_linked_community_with_its_overdue_issues(demo_store, store_size):
    snap = take_snapshot(demo_store)
    here = snap.issues[snap.issues["community_id"] == MEMBER_COMMUNITY]
    overdue_here = set(stats.overdue(here, snap.today)["issue_id"])
    assert overdue_here == {"I0067"}
    at = run_page("community.py", USERS["member"])
    assert at.selectbox(key="_cm_community").value == MEMBER_COMMUNITY
    assert at.selectbox(key="_cm_member").value == "M001"
    todo = at.dataframe[-1].value
    assert overdue_here <= set(todo["议题编号"])
    assert set(todo["议题编号"]) <= set(here["issue_id"])  # only this community's issues
    row = todo[todo["议题编号"] == "I0067"].iloc[0]
    assert row["逾期天数"] == "21" and "落实超过办结时限" in row["督办原因"]  # text: gaps show "—"
    assert (todo["停留天数"].dropna() >= 0).all()


def test_choosing_a_member_switches_to_the_linked_community(demo_store_path, store_size):
    at = run_page("community.py", USERS["leader"], "en")
    at.selectbox(key="_cm_member").set_value("M002")
    at.run()
    assert not at.exception
    assert at.selectbox(key="_cm_community").value == "411402001022"
    assert at.metric[0].label == "Total" and at.metric[0].value == "16"


def test_the_venue_table_shows_the_five_haves(demo_store_path):
    at = run_page("community.py", USERS["staff"])
    venues = at.dataframe[0].value
    assert {"有机构", "有牌子", "有人员", "有制度", "有活动", "达标项"} <= set(venues.columns)
    assert set(venues["有机构"]) <= {"✓", "✗"}


# ------------------------------------------------------------------ the new-issue page


def _point_in(demo_store_path, community_id: str) -> tuple[float, float]:
    with open_store(demo_store_path) as store:
        communities = store.load_layer("communities")
    polygon = communities.loc[communities["community_id"] == community_id, "geometry"].iloc[0]
    p = polygon.representative_point()
    return round(p.x, 6), round(p.y, 6)


def test_a_typed_point_is_placed_before_saving_and_saved_as_a_new_issue(demo_store_path, store_size):
    lon, lat = _point_in(demo_store_path, MEMBER_COMMUNITY)
    at = run_page("new_issue.py", USERS["staff"])
    assert any("尚未选择位置" in i.value for i in at.info)
    at.number_input(key="_ni_lon").set_value(lon)
    at.run()
    at.number_input(key="_ni_lat").set_value(lat)
    at.run()
    assert not at.exception
    place = at.dataframe[0].value
    assert "和谐社区" in set(place.iloc[:, 1])
    assert "苏保国" in place.iloc[-1, 1]  # the linked member, before anything is saved
    with open_store(demo_store_path) as store:
        count = len(store.load_layer("issues"))
    at.text_input(key="ni_title").input("和谐路夜间路灯不亮")
    at.selectbox(key="ni_category").set_value("other")
    at.text_input(key="ni_reporter_phone").input("19900009999")
    at.button(key="ni_save").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with open_store(demo_store_path) as store:
        issues = store.load_layer("issues", include_private=True)
    assert len(issues) == count + 1
    new = issues.iloc[-1]
    assert (new["title"], new["stage"], new["reporter_phone"]) == ("和谐路夜间路灯不亮", "collected", "19900009999")
    assert (round(new.geometry.x, 6), round(new.geometry.y, 6)) == (lon, lat)
    assert any(new["issue_id"] in s.value for s in at.success)
    at.button(key="ni_open").click()
    at.run()
    assert not at.exception
    assert at.selectbox(key="_issue_pick").value == new["issue_id"]


def test_on_a_city_the_new_issue_map_draws_what_lies_near_the_point(demo_store_path, monkeypatch):
    """A city's 10^6 issues and 3,600 compounds and venues are not drawn: those around the point are."""
    from ui import maps
    from ui.maps import nearby

    drawn = []
    build = maps.build_map
    monkeypatch.setattr(maps, "build_map", lambda **kw: drawn.append(kw) or build(**kw))
    lon, lat = _point_in(demo_store_path, MEMBER_COMMUNITY)
    at = run_page("new_issue.py", USERS["staff"])
    every = {name: set(drawn[-1][name].index) for name in ("compounds", "venues")}
    assert len(drawn[-1]["issues"]) == 137  # the demo: everything
    too_big_to_read_whole(monkeypatch)
    monkeypatch.setattr(nearby, "MARKERS_MAX", 10)
    at = run_page("new_issue.py", USERS["staff"])
    assert all(drawn[-1][name].empty for name in ("compounds", "venues", "issues"))  # no point yet
    at.number_input(key="_ni_lon").set_value(lon).run()
    at.number_input(key="_ni_lat").set_value(lat).run()
    assert not at.exception
    minx, miny, maxx, maxy = nearby.box_around((lon, lat))
    issues = drawn[-1]["issues"]
    assert 0 < len(issues) < 137 and issues.geometry.x.between(minx, maxx).all()
    assert 0 < len(drawn[-1]["venues"]) < len(every["venues"])


def test_a_point_outside_every_community_warns_but_may_be_saved(demo_store_path):
    with open_store(demo_store_path) as store:
        layers = {n: store.load_layer(n) for n in ("subdistrict", "communities")}
    minx, miny, maxx, maxy = layers["subdistrict"].total_bounds
    candidates = [(minx + (maxx - minx) * i / 20, miny + (maxy - miny) * j / 20)
                  for i in range(1, 20) for j in range(1, 20)]
    points = gpd.GeoDataFrame(geometry=[shapely.Point(c) for c in candidates], crs=WGS84)
    placed = assign(points, communities=layers["communities"])
    outside = [c for c, u in zip(candidates, placed["unassigned"]) if u]
    assert outside, "the demo communities leave gaps inside the subdistrict's box"
    lon, lat = (round(v, 6) for v in outside[0])
    at = run_page("new_issue.py", USERS["staff"], "en", new_issue_point=(lon, lat))
    assert any("outside every community" in w.value for w in at.warning)
    at.text_input(key="ni_title").input("Outside test")
    at.button(key="ni_save").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert at.success


def test_saving_without_a_place_or_title_is_refused(demo_store_path):
    at = run_page("new_issue.py", USERS["staff"], "en")
    at.button(key="ni_save").click()
    at.run()
    assert any("Pick the place first" in e.value for e in at.error)
    lon, lat = _point_in(demo_store_path, MEMBER_COMMUNITY)
    at.session_state["new_issue_point"] = (lon, lat)
    at.run()
    at.button(key="ni_save").click()
    at.run()
    assert "Title is required" in shown_errors(at)


def test_the_community_figures_are_its_counts_against_its_subdistricts_mean(demo_store, store_size):
    """Counted by the store (any size): the same figures the whole snapshot gives."""
    snap = take_snapshot(demo_store)
    per = stats.per_community(snap.issues, snap.communities, snap.today, snap.ratings)
    mine = per[per["community_id"] == MEMBER_COMMUNITY].iloc[0]
    at = run_page("community.py", USERS["member"])
    shown = {m.label: m.value for m in at.metric}
    assert shown["合计"] == str(int(mine["total"])) and shown["在办"] == str(int(mine["open"]))
    assert shown["逾期"] == str(int(mine["overdue"])) == "1"
    deltas = [m.proto.delta for m in at.metric if m.proto.delta]
    assert deltas[0] == f"{mine['total'] - per['total'].mean():+.1f}"
    # the print view reads the whole store: linked only where it is listed
    assert ("yishi-print-link" in rendered(at)) == (store_size == "small")
