"""Open311 API keys: issued once, kept hashed, listed without secrets, refused once revoked;
the same through `python -m geo apikeys`."""

from __future__ import annotations

import hashlib

import pytest

from geo.errors import InputError
from yishi.services import apikeys
from yishi.storage import open_store


def test_an_issued_key_is_checked_by_its_hash_only(demo_store):
    issued = apikeys.issue(demo_store, "市民热线 12345", by="admin")
    assert issued.key.startswith(apikeys.PREFIX) and len(issued.key) > 40
    assert apikeys.check(demo_store, issued.key) == "市民热线 12345"
    stored = demo_store.list_api_keys()
    assert issued.key not in stored.to_string()  # only the hash is kept
    assert stored["key_hash"].tolist() == [hashlib.sha256(issued.key.encode()).hexdigest()]
    assert apikeys.check(demo_store, issued.key[:-1] + ("A" if issued.key[-1] != "A" else "B")) is None
    assert apikeys.check(demo_store, None) is None and apikeys.check(demo_store, "") is None


def test_two_keys_differ_and_a_live_name_is_not_given_out_twice(demo_store):
    first = apikeys.issue(demo_store, "city app", by="admin")
    with pytest.raises(InputError, match="city app"):
        apikeys.issue(demo_store, "city app", by="admin")
    apikeys.revoke(demo_store, first.key_id, by="admin")
    second = apikeys.issue(demo_store, "city app", by="admin")  # a replacement after revoking
    assert second.key != first.key and second.key_id != first.key_id


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "bad\nname", "tab\there"])
def test_a_key_name_must_be_short_printable_text(demo_store, name):
    with pytest.raises(InputError, match="1 to 64"):
        apikeys.issue(demo_store, name, by="admin")
    assert demo_store.list_api_keys().empty


def test_a_revoked_key_is_refused_from_then_on_and_revoking_twice_says_so(demo_store):
    issued = apikeys.issue(demo_store, "city app", by="admin")
    apikeys.revoke(demo_store, issued.key_id, by="root")
    assert apikeys.check(demo_store, issued.key) is None
    with pytest.raises(InputError, match=issued.key_id):
        apikeys.revoke(demo_store, issued.key_id, by="root")
    with pytest.raises(InputError, match="K999"):
        apikeys.revoke(demo_store, "K999", by="root")
    listed = apikeys.listing(demo_store)
    assert listed.columns.tolist() == apikeys.LISTING_COLUMNS  # never the hash
    assert listed["revoked_at"].notna().all()


def test_the_cli_prints_the_key_once_lists_no_secret_and_revokes(cli, demo_store_path, monkeypatch):
    monkeypatch.setenv("YISHI_LANG", "en")
    code, out, err = cli("apikeys", "add", "city app", "--by", "cli:admin")
    assert code == 0
    key = out.strip()
    assert key.startswith(apikeys.PREFIX) and "\n" not in key  # stdout is the key alone: KEY=$(...)
    assert "K001" in err and "shown this once" in err
    with open_store(demo_store_path) as store:
        assert apikeys.check(store, key) == "city app"
        top = store.audit_trail().iloc[0]
        assert (top["who"], top["action"], top["target"]) == ("cli:admin", "apikey_add", "K001")

    code, out, err = cli("apikeys", "list")
    assert code == 0 and "K001" in out and "city app" in out
    assert key not in out and hashlib.sha256(key.encode()).hexdigest() not in out

    code, out, err = cli("apikeys", "revoke", "K001")
    assert code == 0 and "K001 revoked" in out
    with open_store(demo_store_path) as store:
        assert apikeys.check(store, key) is None

    code, out, err = cli("apikeys", "revoke", "K001")
    assert code == 2 and "No key in use has the id K001" in err


def test_the_cli_says_when_there_are_no_keys_and_refuses_a_taken_name(cli, monkeypatch):
    monkeypatch.setenv("YISHI_LANG", "zh")
    assert cli("apikeys", "list")[:2] == (0, "还没有发放接口密钥。\n")
    assert cli("apikeys", "add", "甲")[0] == 0
    code, out, err = cli("apikeys", "add", "甲")
    assert code == 2 and out == "" and "已有名为“甲”的有效密钥" in err
