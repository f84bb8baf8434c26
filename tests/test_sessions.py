"""Sessions (yishi.services.sessions): a cookie resolves to the account as stored now, and
stops resolving when it is forged, idle, too old, signed out, revoked or its account changes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from yishi.services import accounts, sessions

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def signed_in(demo_store):
    """(store, cookie) for the demo staff account signed in at T0."""
    user = accounts.authenticate(demo_store, "staff", "staff-demo-2022")
    return demo_store, sessions.start(demo_store, user, user_agent="Chromium", address="10.0.0.7", now=T0)


def test_a_cookie_resolves_to_its_account_and_the_store_keeps_only_a_hash(signed_in):
    store, cookie = signed_in
    assert sessions.resolve(store, cookie, now=T0 + timedelta(minutes=5)).username == "staff"
    kept = store.list_sessions()
    assert len(kept) == 1 and cookie.split(".")[0] not in kept.iloc[0].to_dict().values()
    assert store.audit_trail().iloc[0]["action"] == "signin"


@pytest.mark.parametrize("forge", [lambda c: c[:-2] + "xx", lambda c: "x" + c, lambda c: c.split(".")[0],
                                   lambda c: "", lambda c: "a.b.c"])
def test_a_forged_or_damaged_cookie_resolves_to_nobody(signed_in, forge):
    store, cookie = signed_in
    assert sessions.resolve(store, forge(cookie), now=T0) is None


def test_an_idle_session_ends_after_eight_hours_and_a_busy_one_after_seven_days(signed_in, monkeypatch):
    store, cookie = signed_in
    for hours in range(7, 7 * 24, 7):  # used every 7 hours: never idle for 8
        assert sessions.resolve(store, cookie, now=T0 + timedelta(hours=hours)) is not None
    assert sessions.resolve(store, cookie, now=T0 + timedelta(days=7, minutes=1)) is None
    assert store.list_sessions().empty
    assert store.audit_trail().iloc[0]["action"] == "session_expired"

    cookie = sessions.start(store, accounts.authenticate(store, "staff", "staff-demo-2022"), now=T0)
    assert sessions.resolve(store, cookie, now=T0 + timedelta(hours=8, seconds=1)) is None


def test_the_lifetimes_are_configurable(signed_in, monkeypatch):
    store, cookie = signed_in
    monkeypatch.setenv("YISHI_SESSION_IDLE_HOURS", "0.5")
    assert sessions.resolve(store, cookie, now=T0 + timedelta(minutes=31)) is None


def test_last_seen_is_written_at_most_once_a_minute(signed_in):
    store, cookie = signed_in
    sessions.resolve(store, cookie, now=T0 + timedelta(seconds=30))
    assert store.list_sessions().iloc[0]["last_seen"] == T0.isoformat(timespec="seconds")
    sessions.resolve(store, cookie, now=T0 + timedelta(minutes=2))
    assert store.list_sessions().iloc[0]["last_seen"] == (T0 + timedelta(minutes=2)).isoformat(timespec="seconds")


def test_the_role_is_read_from_the_store_on_every_resolve(signed_in):
    store, cookie = signed_in
    store.put_user({"username": "staff", "role": "leader"}, by="t", action="role_change")  # no end
    assert sessions.resolve(store, cookie, now=T0).role == "leader"


def test_a_disabled_account_resolves_to_nobody_even_if_a_session_survived(signed_in):
    store, cookie = signed_in
    store.put_user({"username": "staff", "disabled": 1}, by="t", action="user_disable")
    assert sessions.resolve(store, cookie, now=T0) is None


def test_sign_out_ends_only_this_session(signed_in):
    store, cookie = signed_in
    other = sessions.start(store, accounts.authenticate(store, "staff", "staff-demo-2022"), now=T0)
    assert sessions.end(store, cookie) is True
    assert sessions.end(store, cookie) is False
    assert sessions.resolve(store, cookie, now=T0) is None
    assert sessions.resolve(store, other, now=T0).username == "staff"


def test_an_operator_lists_and_revokes_sessions_by_short_id_or_user(signed_in):
    store, cookie = signed_in
    sessions.start(store, accounts.authenticate(store, "leader", "leader-demo-2022"), now=T0)
    listing = sessions.listing(store)
    assert set(listing["username"]) == {"staff", "leader"}
    assert listing["id"].str.len().max() == sessions.ID_LENGTH and "session_hash" not in listing
    staff_id = listing.loc[listing["username"] == "staff", "id"].iloc[0]
    assert sessions.revoke(store, by="ops", session_id=staff_id[:3]) == 0  # too short to be sure
    assert sessions.revoke(store, by="ops", session_id=staff_id) == 1
    assert sessions.resolve(store, cookie, now=T0) is None
    assert sessions.revoke(store, by="ops", username="leader") == 1
    assert sessions.listing(store).empty
    assert store.audit_trail().iloc[0][["who", "action"]].tolist() == ["ops", "session_revoke"]


def test_a_form_token_is_bound_to_its_session(signed_in):
    store, cookie = signed_in
    other = sessions.start(store, accounts.authenticate(store, "leader", "leader-demo-2022"), now=T0)
    token = sessions.form_token(cookie)
    assert sessions.form_token_ok(token, cookie)
    assert not sessions.form_token_ok(token, other)
    assert not sessions.form_token_ok(None, cookie) and sessions.form_token(None) is None


def test_sweeping_ends_only_idle_sessions(signed_in):
    store, cookie = signed_in
    fresh = sessions.start(store, accounts.authenticate(store, "leader", "leader-demo-2022"),
                           now=T0 + timedelta(hours=9))
    assert sessions.sweep(store, now=T0 + timedelta(hours=9)) == 1
    assert sessions.listing(store)["username"].tolist() == ["leader"]
    assert sessions.resolve(store, fresh, now=T0 + timedelta(hours=9)) is not None
