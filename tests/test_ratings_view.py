"""Residents' ratings in the staff pages (AppTest): on the issue page with its count and the
printed evaluation link, on the community's figures and in the overview's comparison."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.helpers import USERS, drive_to_done, run_page, run_path
from yishi.services import residents
from yishi.storage import open_store

HERE = (115.64965, 34.45685)  # in demo compound C001


def rated_issue(path) -> str:
    with open_store(path) as store:
        receipt = residents.report(store, lon=HERE[0], lat=HERE[1], category="parking",
                                   description="门口乱停车")
        residents.accept(store, receipt.issue_id, user=USERS["staff"])
        drive_to_done(store, receipt.issue_id, USERS["staff"])
        residents.rate(store, receipt.issue_id, 5, "<script>x</script>划线了", code=receipt.code)
        residents.rate(store, receipt.issue_id, 2, voter="walk-up-1")
    return receipt.issue_id


def test_the_issue_page_shows_residents_rating_and_the_evaluation_link(demo_store_path):
    issue_id = rated_issue(demo_store_path)
    at = run_page("issue.py", USERS["staff"], selected_issue=issue_id)
    assert "3.50 / 5（2 人评价）" in [m.value for m in at.metric]
    assert any("<script>x</script>划线了" in x.value for x in at.text)  # plain text, never markup
    link = urlsplit(at.code[0].value)
    query = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert link.path == "/track" and query["issue"] == issue_id
    assert residents.rating_key_ok(issue_id, query["key"])
    # a leader reads the rating but has no link to hand out
    leader = run_page("issue.py", USERS["leader"], selected_issue=issue_id)
    assert "3.50 / 5（2 人评价）" in [m.value for m in leader.metric] and not leader.code


def test_community_figures_and_overview_comparison_carry_mean_and_count(demo_store_path):
    rated_issue(demo_store_path)
    overview = run_path("overview", USERS["leader"])
    assert ("群众评价", "3.50 / 5（2 人评价）") in [(m.label, m.value) for m in overview.metric]
    compare = next(df.value for df in overview.dataframe if "评价人数" in df.value.columns)
    assert sorted(compare["评价人数"].tolist())[-1] == 2
    mine = run_path("community", USERS["leader"], community="411402001001")  # 新区社区, where C001 is
    assert ("群众评价", "3.50 / 5（2 人评价）") in [(m.label, m.value) for m in mine.metric]
    other = run_path("community", USERS["leader"], community="411402001007")
    assert ("群众评价", "暂无评价") in [(m.label, m.value) for m in other.metric]
