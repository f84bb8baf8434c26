"""The storage contract for checks and backups, through the `Store` protocol only (every backend)."""

from __future__ import annotations

import pytest

from geo.errors import InputError
from geo.schema import LAYERS
from tests.storage.test_contract import content, venue
from yishi.storage import open_store


def test_check_says_intact_with_rows_per_layer_and_the_schema_version(store):
    report = store.check()
    assert report.ok and report.problems == () and not report.read_only
    assert report.counts == {name: 0 for name in LAYERS} and report.schema_version
    store.write_batch("venues", [venue("VN1"), venue("VN2")], by="test")
    assert store.check().counts["venues"] == 2


def test_a_backup_holds_everything_and_never_overwrites_by_accident(backend, store, tmp_path):
    store.write_batch("venues", [venue("VN1")], by="test")
    (tmp_path / "backups").mkdir()
    target = tmp_path / "backups" / "backup.sqlite"
    store.backup(str(target))
    with open_store(backend.restore(target)) as copy:
        assert content(copy) == content(store) and copy.check().ok

    store.write_batch("venues", [venue("VN2")], by="test")
    with pytest.raises(InputError, match="exists already"):
        store.backup(str(target))
    with open_store(backend.restore(target)) as copy:
        assert copy.check().counts["venues"] == 1
    store.backup(str(target), replace=True)
    with open_store(backend.restore(target)) as copy:
        assert content(copy) == content(store)
    assert [p.name for p in target.parent.iterdir()] == ["backup.sqlite"]  # no partial copy left
