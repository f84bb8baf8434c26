"""The uploads service: one life for a file, whoever brings it (the upload page, the CLI)."""

from __future__ import annotations

import json

import pytest

from geo.errors import PermissionDenied, ValidationError
from geo.ingest import Upload, read_upload
from yishi.accounts import User
from yishi.services import uploads
from tests.helpers import add_accounts, dump

pytestmark = pytest.mark.backends("sqlite", "postgis")

STAFF = User("wang", "staff")


def venue(i: int, lon: float = 115.6169, lat: float = 34.4366, **props) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"venue_id": f"VS{i:03d}", "name": f"服务测试点{i}", "kind": "corner",
                           **props}}


def read(*features: dict) -> Upload:
    data = json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()
    return read_upload(data, filename="v.geojson", layer="venues")


@pytest.fixture
def demo_store(demo_store):
    """The demo store with the account of STAFF (services read who acts from the store)."""
    add_accounts(demo_store, STAFF)
    return demo_store


def data_tables(path) -> dict:
    """The layers only: the batch log and audit trail record every attempt."""
    return dump(path, data_only=True)


def test_a_refused_file_is_audited_as_rejected_and_writes_no_data(demo_store, demo_store_path):
    before = data_tables(demo_store_path)
    upload = read(venue(1, kind="castle"), venue(2))
    checked = uploads.check(demo_store, upload, source="v.geojson", user=STAFF)
    assert not checked.ok and checked.rejected_batch is not None
    assert checked.preview is not None and len(checked.preview.new) == 1  # the valid one
    with pytest.raises(ValidationError) as refused:
        uploads.commit(demo_store, upload, source="v.geojson", user=STAFF)
    assert [p.feature for p in refused.value.problems] == [1]
    assert data_tables(demo_store_path) == before
    last = demo_store.history().iloc[0]
    assert (last["batch_id"], last["status"], last["who"]) == (checked.rejected_batch, "rejected",
                                                               "wang")


def test_preview_commit_again_then_undo(demo_store, demo_store_path):
    before = data_tables(demo_store_path)
    upload = read(venue(1), venue(2, lon=115.62))
    checked = uploads.check(demo_store, upload, source="v.geojson", user=STAFF)
    assert (checked.ok, checked.changes, checked.rejected_batch) == (True, 2, None)
    assert data_tables(demo_store_path) == before  # previewing writes nothing
    result = uploads.commit(demo_store, upload, source="v.geojson", user=STAFF)
    assert len(result.new) == 2
    again = uploads.check(demo_store, read(venue(1), venue(2, lon=115.62, name="改名")),
                          source="v2.geojson", user=STAFF)
    assert (len(again.preview.updated), len(again.preview.unchanged)) == (1, 1)
    assert uploads.undoable(demo_store.history())[0] == result.batch_id
    uploads.undo(demo_store, result.batch_id, user=STAFF)
    assert data_tables(demo_store_path) == before
    assert result.batch_id not in uploads.undoable(demo_store.history())


@pytest.mark.parametrize("role", ["leader", "member", "admin"])
def test_only_staff_may_upload_and_a_refusal_writes_nothing(demo_store, demo_store_path, role):
    user = User("someone", role, "411402001007" if role == "member" else None)
    add_accounts(demo_store, user)  # an account whose stored role may not upload
    before = dump(demo_store_path)
    upload = read(venue(1, kind="castle"))
    with pytest.raises(PermissionDenied):
        uploads.check(demo_store, upload, source="v.geojson", user=user)
    with pytest.raises(PermissionDenied):
        uploads.commit(demo_store, read(venue(1)), source="v.geojson", user=user)
    with pytest.raises(PermissionDenied):
        uploads.undo(demo_store, 1, user=user)
    with pytest.raises(PermissionDenied):
        uploads.check(demo_store, upload, source="v.geojson", user=None)
    assert dump(demo_store_path) == before


@pytest.mark.parametrize("change, action", [({"disabled": 1}, "user_disable"),
                                            ({"role": "leader"}, "role_change")],
                         ids=["disabled", "demoted"])
def test_a_staff_account_changed_a_moment_ago_uploads_nothing(demo_store, demo_store_path, change,
                                                              action):
    """The role in the caller's User is not trusted: the account as stored now decides."""
    demo_store.put_user({"username": STAFF.username, **change}, by="admin", action=action)
    before = dump(demo_store_path)
    with pytest.raises(PermissionDenied):
        uploads.check(demo_store, read(venue(1)), source="v.geojson", user=STAFF)
    with pytest.raises(PermissionDenied):
        uploads.commit(demo_store, read(venue(1)), source="v.geojson", user=STAFF)
    assert dump(demo_store_path) == before


def test_the_command_lines_operator_uploads_without_an_account(demo_store, demo_store_path):
    from yishi.services.workflow import operator

    assert demo_store.get_user("cli") is None
    result = uploads.commit(demo_store, read(venue(1)), source="v.geojson", user=operator("cli"))
    assert len(result.new) == 1 and demo_store.history().iloc[0]["who"] == "cli"


def test_unreadable_tells_a_broken_file_from_bad_values():
    assert uploads.unreadable(read_upload(b"{not json", filename="v.geojson", layer="venues"))
    bad_values = read(venue(1, kind="castle"))
    assert not bad_values.ok and not uploads.unreadable(bad_values)
