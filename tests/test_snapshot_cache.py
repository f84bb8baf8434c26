"""The snapshot pages read is one shared object per store revision (`ui.data`, st.cache_resource):
every session gets the same one, a write gives a new one, and no page changes it."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import shapely

from tests.helpers import USERS, run_page
from ui import data
from yishi.services.snapshot import Snapshot, take_snapshot
from yishi.storage import Where, open_store


#: What each snapshot `seen` recorded was asked for (data.snapshot's keywords), by its id.
asked: dict[int, dict] = {}


@pytest.fixture
def seen(monkeypatch) -> list[Snapshot]:
    """Every snapshot a page was handed, in order (the loader itself runs as it is)."""
    handed: list[Snapshot] = []
    original = data.snapshot

    def recording(**kwargs):
        snap = original(**kwargs)
        handed.append(snap)
        asked[id(snap)] = kwargs
        return snap

    monkeypatch.setattr(data, "snapshot", recording)
    return handed


def add_issue(path) -> None:
    """One new issue, written as an import would (a new store revision)."""
    with open_store(path) as store:
        minx, miny, maxx, maxy = store.load_layer("communities").total_bounds
        issue_id = store.next_id("issues", "I", width=4)
        store.write_batch("issues", [{
            "issue_id": issue_id, "title": "新写入的议题", "description": "缓存之后写入", "category": "water",
            "focus": "livelihood", "stage": "collected", "reported_on": (store.today() - timedelta(days=1)).isoformat(),
            "source": "staff", "geom": shapely.Point((minx + maxx) / 2, (miny + maxy) / 2)}],
            by="test", action="import", source="test")


def test_two_sessions_share_one_snapshot_and_a_write_gives_a_new_one(demo_store_path, seen):
    # the print view reads the snapshot (the overview asks the store for counts instead)
    run_page("report.py", USERS["leader"], "zh")
    run_page("report.py", USERS["leader"], "en")  # another session (another AppTest)
    first = seen[0]
    assert len(seen) >= 2 and all(s is first for s in seen), "each session got its own copy"
    add_issue(demo_store_path)
    seen.clear()
    at = run_page("report.py", USERS["leader"], "zh")
    assert seen and all(s is seen[0] for s in seen)
    fresh = seen[0]
    assert fresh is not first and fresh.revision > first.revision
    assert "新写入的议题" in set(fresh.issues["title"]) and "新写入的议题" not in set(first.issues["title"])
    assert any(f"{len(fresh.issues)}" in m.value for m in at.markdown)  # the page shows the new count


def test_private_and_public_snapshots_are_kept_apart(demo_store_path):
    public, private = data.snapshot(), data.snapshot(include_private=True)
    assert public is not private and data.snapshot() is public
    assert "reporter_phone" not in public.issues.columns and "reporter_phone" in private.issues.columns


def _same(shared: Snapshot, fresh: Snapshot) -> None:
    for name, frame in shared.layers().items():
        pd.testing.assert_frame_equal(pd.DataFrame(frame), pd.DataFrame(fresh.layers()[name]), obj=name)
    pd.testing.assert_frame_equal(shared.ratings, fresh.ratings, obj="ratings")


@pytest.mark.parametrize("user, pages", [
    ("leader", ["overview.py", "community.py", "report.py"]),
    ("staff", ["overview.py", "issue.py", "triage.py"]),
])
def test_no_page_changes_the_shared_snapshot(demo_store_path, seen, user, pages):
    for page in pages:
        run_page(page, USERS[user], "zh")
    assert seen
    for snap in {id(s): s for s in seen}.values():
        kw = asked[id(snap)]  # the whole store, or some issues (issue_ids=, community_id=)
        some = (Where(any_of={"issue_id": kw["issue_ids"]}) if kw.get("issue_ids") is not None else
                Where(any_of={"community_id": (kw["community_id"],)}) if kw.get("community_id") else None)
        with open_store(demo_store_path) as store:
            _same(snap, take_snapshot(store, include_private=kw.get("include_private", False), issues=some))
