"""Accounts: argon2 hashes, any password (Chinese too), roles, throttling, audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from yishi import accounts
from yishi.accounts import SignInRefused, authenticate
from geo.errors import InputError, PermissionDenied
from yishi.storage import create_store


@pytest.fixture
def store(tmp_path):
    with create_store(tmp_path / "s.sqlite") as s:
        accounts.add_user(s, "wang", "议事地图·密码🔑" * 20, role="staff", by="test")
        yield s


def test_long_chinese_password_signs_in_and_hash_is_argon2(store):
    user = authenticate(store, "wang", "议事地图·密码🔑" * 20)
    assert (user.username, user.role) == ("wang", "staff")
    assert store.get_user("wang")["password_hash"].startswith("$argon2id$")


def test_wrong_password_and_unknown_user_give_the_same_message(store):
    with pytest.raises(SignInRefused) as wrong:
        authenticate(store, "wang", "nope")
    with pytest.raises(SignInRefused) as unknown:
        authenticate(store, "nobody", "nope")
    assert str(wrong.value) == str(unknown.value)


def test_five_failures_in_a_row_then_a_growing_wait(store):
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for _ in range(4):
        with pytest.raises(SignInRefused) as refused:
            authenticate(store, "wang", "bad", now=now)
        assert refused.value.retry_after == 0
    with pytest.raises(SignInRefused) as fifth:
        authenticate(store, "wang", "bad", now=now)
    assert fifth.value.retry_after == 30
    # even the right password is refused while the wait lasts
    with pytest.raises(SignInRefused, match="too many"):
        authenticate(store, "wang", "议事地图·密码🔑" * 20, now=now + timedelta(seconds=10))
    with pytest.raises(SignInRefused) as sixth:
        authenticate(store, "wang", "bad", now=now + timedelta(seconds=31))
    assert sixth.value.retry_after == 60
    assert authenticate(store, "wang", "议事地图·密码🔑" * 20, now=now + timedelta(seconds=92)).role == "staff"
    assert store.get_user("wang")["failed_count"] == 0


def test_disabled_account_cannot_sign_in(store):
    accounts.set_disabled(store, "wang", True, by="admin")
    with pytest.raises(SignInRefused, match="disabled"):
        authenticate(store, "wang", "议事地图·密码🔑" * 20)


def test_sign_ins_failures_and_role_changes_are_audited(store):
    with pytest.raises(SignInRefused):
        authenticate(store, "wang", "bad")
    authenticate(store, "wang", "议事地图·密码🔑" * 20)
    accounts.set_role(store, "wang", "leader", by="admin")
    actions = store.audit_trail()["action"].tolist()
    assert actions[:3] == ["role_change", "signin", "signin_failed"]


def test_member_needs_a_community_and_roles_are_checked(store):
    with pytest.raises(InputError, match="community"):
        accounts.add_user(store, "li", "pw", role="member", by="test")
    with pytest.raises(InputError, match="unknown role"):
        accounts.add_user(store, "li", "pw", role="boss", by="test")
    with pytest.raises(InputError, match="exists"):
        accounts.add_user(store, "wang", "pw", role="staff", by="test")


@pytest.mark.parametrize("role, action, allowed", [
    ("leader", "view_map", True), ("leader", "upload", False), ("leader", "view_private", False),
    ("member", "supervise", True), ("member", "advance", False), ("member", "upload", False),
    ("staff", "upload", True), ("staff", "view_private", True), ("staff", "manage_accounts", False),
    ("admin", "manage_accounts", True), ("admin", "view_private", False),
])
def test_permissions(role, action, allowed):
    user = accounts.User("x", role, "c")
    assert accounts.can(user, action) is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            accounts.require(user, action)
    assert not accounts.can(None, action)


def test_an_outside_identity_maps_to_an_enabled_store_account_only(store):
    assert accounts.account_user(store, "wang", via="oidc").role == "staff"
    assert accounts.account_user(store, "stranger@example.gov.cn", via="oidc") is None
    accounts.set_disabled(store, "wang", True, by="admin")
    assert accounts.account_user(store, "wang", via="oidc") is None
    trail = store.audit_trail()
    assert trail["action"].tolist()[:4] == ["signin_failed", "user_disable", "signin_failed", "signin"]
