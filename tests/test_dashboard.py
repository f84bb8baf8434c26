"""The overview's queries: the store answers a view with the same issues the filter picks in memory."""

from __future__ import annotations

from datetime import date

import pytest

from geo.filters import IssueFilter
from yishi.accounts import User
from yishi.services.dashboard import issue_where, region_of
from yishi.services.snapshot import take_snapshot

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
