"""The snapshot pages read: every issue carries where it falls, whatever the store holds."""

from __future__ import annotations

import shapely

from geo.joins import OUTPUT_COLUMNS
from yishi.services.snapshot import take_snapshot
from yishi.storage import Where, create_store


def test_issues_in_a_store_without_communities_are_unassigned_but_placed(tmp_path):
    """A store may hold issues before its communities: pages still find every place column."""
    with create_store(tmp_path / "s.sqlite") as store:
        store.write_batch("venues", [{"venue_id": "V1", "name": "议事室", "kind": "room",
                                      "geom": shapely.Point(115.61, 34.43)}], by="t")
        store.write_batch("issues", [{"issue_id": "I0001", "title": "停车", "category": "parking",
                                      "focus": "livelihood", "stage": "collected",
                                      "reported_on": "2022-01-01",
                                      "geom": shapely.Point(115.611, 34.431)}], by="t")
        snap = take_snapshot(store)
    issue = snap.issues.iloc[0]
    assert set(OUTPUT_COLUMNS) <= set(snap.issues.columns)
    assert issue["unassigned"] and issue["community_id"] is None
    assert issue["venue_id"] == "V1" and 100 < issue["venue_distance_m"] < 200
    assert snap.venues["community_id"].tolist() == [None]


def test_every_demo_issue_falls_in_a_community_with_a_nearest_venue(demo_store):
    snap = take_snapshot(demo_store)
    assert not snap.issues["unassigned"].any()
    assert snap.issues["community_id"].notna().all() and snap.issues["venue_id"].notna().all()


def test_a_snapshot_of_some_issues_is_the_whole_one_cut_to_them(demo_store):
    """What the issue and triage pages read of a store too big to read whole: the same rows,
    columns and types as the whole snapshot gives for those issues."""
    import pandas as pd

    ids = ["I0010", "I0082", "I9999"]  # six meetings, four, and no such issue
    for private in (False, True):
        whole = take_snapshot(demo_store, include_private=private)
        some = take_snapshot(demo_store, include_private=private, issues=Where(any_of={"issue_id": tuple(ids)}))
        for name in ("issues", "meetings", "events", "ratings"):
            cut = getattr(whole, name)
            cut = cut[cut["issue_id"].isin(ids)].reset_index(drop=True)
            pd.testing.assert_frame_equal(pd.DataFrame(getattr(some, name)).reset_index(drop=True),
                                          pd.DataFrame(cut))
        assert some.issues["issue_id"].tolist() == ["I0010", "I0082"] and len(some.meetings) == 10
        assert ("reporter_phone" in some.issues.columns) == private
        assert some.communities.equals(whole.communities) and some.venues.equals(whole.venues)
    assert take_snapshot(demo_store, issues=Where(any_of={"issue_id": ()})).issues.empty
    # one community's: its issues and what refers to them, as the community page reads it
    whole = take_snapshot(demo_store)
    mine = take_snapshot(demo_store, issues=Where(any_of={"community_id": ("411402001002",)}))
    ids = whole.issues.loc[whole.issues["community_id"] == "411402001002", "issue_id"].tolist()
    assert ids and mine.issues["issue_id"].tolist() == ids
    for name in ("meetings", "events"):
        cut = getattr(whole, name)
        pd.testing.assert_frame_equal(pd.DataFrame(getattr(mine, name)).reset_index(drop=True),
                                      pd.DataFrame(cut[cut["issue_id"].isin(ids)]).reset_index(drop=True))
