"""The residents' channel service: reports with tracking codes, "me too", triage, ratings."""

from __future__ import annotations

import pytest

from geo.errors import InputError, WorkflowError
from geo.schema import REPORT_CHARS
from tests.helpers import USERS, add_accounts, drive_to_done, dump
from yishi.services import residents
from yishi.services.workflow import issue_record

pytestmark = pytest.mark.backends("sqlite", "postgis")

STAFF = USERS["staff"]
HERE = (115.64965, 34.45685)  # in demo compound C001 盐业局小区


@pytest.fixture
def store(demo_store):
    add_accounts(demo_store, STAFF)
    return demo_store


def report(store, **kw):
    values = {"lon": HERE[0], "lat": HERE[1], "category": "parking",
              "description": "小区门口晚上乱停车，消防通道被堵", **kw}
    return residents.report(store, **values)


def test_a_report_is_an_issue_awaiting_triage_with_a_code_that_follows_it(store):
    receipt = report(store, name="王大妈", phone="13900001111")
    row = store.get_row("issues", receipt.issue_id)
    assert (row["stage"], row["source"], row["triage"], row["me_too"]) == ("collected", "resident", "pending", 0)
    assert row["title"] == "小区门口晚上乱停车，消防通道被堵"
    assert (row["reporter_name"], row["reporter_phone"]) == ("王大妈", "13900001111")
    assert residents.follow(store, receipt.code) == receipt.issue_id
    # typed carelessly: lower case, no dash, spaces, O for 0
    sloppy = receipt.code.lower().replace("-", " ").replace("0", "o")
    assert residents.follow(store, sloppy) == receipt.issue_id
    assert residents.follow(store, "AAAA-AAAA") is None
    # the code itself is nowhere in the store: only its hash
    assert receipt.code not in repr(dump(store.location))
    audit = store.audit_trail()
    assert audit.iloc[0]["action"] == "report" and audit.iloc[0]["who"] == "resident"
    assert issue_record(store, receipt.issue_id)["community_id"] is not None


def test_a_bad_report_lists_every_problem_and_writes_nothing(store):
    before = dump(store.location)
    with pytest.raises(WorkflowError) as refused:
        report(store, lon=100.0, lat=20.0, category="ufo", description="x" * (REPORT_CHARS + 1),
               phone="call me")
    text = refused.value.text("zh")
    assert "描述" in text and f"最多 {REPORT_CHARS}" in text  # the public limit, not the staff one
    assert "ufo" in text and "联系电话" in text
    assert len(refused.value.problems) == 4  # text, place, category, phone: the title comes from the text
    with pytest.raises(WorkflowError, match="required"):
        report(store, description="   ")
    assert dump(store.location) == before


def test_nearby_open_issues_of_the_category_and_me_too(store):
    first = report(store)
    other = report(store, category="water", description="水压低")
    near = residents.nearby(store, lon=HERE[0] + 0.0005, lat=HERE[1], category="parking")
    assert first.issue_id in near["issue_id"].tolist()
    assert other.issue_id not in near["issue_id"].tolist()  # another category
    assert near["distance_m"].max() <= 200
    far = residents.nearby(store, lon=HERE[0] + 0.01, lat=HERE[1], category="parking")  # ~900 m
    assert first.issue_id not in far["issue_id"].tolist()

    voice = residents.me_too(store, first.issue_id)
    assert voice.issue_id == first.issue_id and voice.code != first.code
    assert store.get_row("issues", first.issue_id)["me_too"] == 1
    assert residents.follow(store, voice.code) == first.issue_id


def test_the_triage_page_of_a_big_store_reads_the_waiting_reports_and_their_merge_candidates(store):
    accepted = report(store)
    residents.accept(store, accepted.issue_id, user=STAFF)  # open, no longer waiting: a candidate
    waiting = report(store, lon=HERE[0] + 0.0005)
    water = report(store, category="water", description="水压低", lon=HERE[0] - 0.02)
    elsewhere = report(store, description="远处乱停车", lon=HERE[0] - 0.02)
    residents.accept(store, elsewhere.issue_id, user=STAFF)  # open, but near no waiting report

    ids = residents.triage_issue_ids(store)
    assert {waiting.issue_id, water.issue_id, accepted.issue_id} <= set(ids)
    assert elsewhere.issue_id not in ids
    for r in (waiting, water):  # every candidate the page offers is read
        row = store.get_row("issues", r.issue_id)
        near = residents.nearby(store, lon=row["geom"].x, lat=row["geom"].y, category=row["category"])
        assert set(near["issue_id"]) <= set(ids)
    assert len(ids) < len(store.load_layer("issues")) / 4  # not the whole store


def test_triage_accept_merge_and_decline(store):
    keep, dup, junk = report(store), report(store, description="门口停车乱"), report(store, description="广告")
    residents.me_too(store, dup.issue_id)
    assert residents.pending(store)["issue_id"].tolist()[-3:] == [keep.issue_id, dup.issue_id, junk.issue_id]

    residents.accept(store, keep.issue_id, user=STAFF)
    residents.merge(store, dup.issue_id, keep.issue_id, user=STAFF)
    residents.decline(store, junk.issue_id, "属于商业广告，不在议事范围", user=STAFF)

    assert residents.pending(store).query("source == 'resident'").empty
    kept = store.get_row("issues", keep.issue_id)
    assert kept["triage"] == "accepted" and kept["me_too"] == 2  # the merged report and its me too
    merged = store.get_row("issues", dup.issue_id)
    assert (merged["triage"], merged["merged_into"], merged["stage"]) == ("merged", keep.issue_id, "closed")
    assert residents.follow(store, dup.code) == keep.issue_id  # the code follows the work
    declined = store.get_row("issues", junk.issue_id)
    assert (declined["stage"], declined["declined_reason"]) == ("closed", "属于商业广告，不在议事范围")

    with pytest.raises(WorkflowError, match="not a report awaiting triage"):
        residents.accept(store, keep.issue_id, user=STAFF)
    with pytest.raises(WorkflowError, match="cannot|Cannot"):
        residents.merge(store, report(store).issue_id, dup.issue_id, user=STAFF)  # into a merged one
    from yishi.accounts import PermissionDenied
    with pytest.raises(PermissionDenied):
        residents.accept(store, report(store).issue_id, user=USERS["member"])


def test_ratings_once_per_code_or_voter_only_when_done(store):
    receipt = report(store)
    with pytest.raises(WorkflowError, match="not done"):
        residents.rate(store, receipt.issue_id, 5, code=receipt.code)
    residents.accept(store, receipt.issue_id, user=STAFF)
    drive_to_done(store, receipt.issue_id, STAFF)

    residents.rate(store, receipt.issue_id, 4, "停车位划好了", code=receipt.code)
    with pytest.raises(WorkflowError, match="rated already"):
        residents.rate(store, receipt.issue_id, 1, code=receipt.code.lower())
    residents.rate(store, receipt.issue_id, 2, voter="browser-1")
    with pytest.raises(WorkflowError, match="rated already"):
        residents.rate(store, receipt.issue_id, 5, voter="browser-1")
    with pytest.raises(WorkflowError) as bad:
        residents.rate(store, receipt.issue_id, 6, "x" * 301, voter="browser-2")
    assert len(bad.value.problems) == 2
    with pytest.raises(WorkflowError, match="does not belong"):
        residents.rate(store, "I0001", 5, code=receipt.code)

    summary = residents.ratings_by_issue(store).set_index("issue_id").loc[receipt.issue_id]
    assert (summary["rating_mean"], summary["rating_count"]) == (3.0, 2)
    assert store.get_row("issues", receipt.issue_id)["satisfaction"] is None  # apart from staff's


def test_the_printed_rating_link_key_is_per_issue(store):
    key = residents.rating_key("I0067")
    assert residents.rating_key_ok("I0067", key)
    assert not residents.rating_key_ok("I0068", key)
    assert not residents.rating_key_ok("I0067", key[:-1] + ("A" if key[-1] != "A" else "B"))
    assert not residents.rating_key_ok("I0067", None)


def test_a_me_too_on_an_unknown_or_closed_issue_is_refused(store):
    with pytest.raises(InputError):
        residents.me_too(store, "I9999")
    closed = report(store)
    residents.decline(store, closed.issue_id, "重复", user=STAFF)
    with pytest.raises(WorkflowError, match="closed"):
        residents.me_too(store, closed.issue_id)
