"""Browser sessions: start one at sign-in, resolve the user from its cookie on every page run,
end one at sign-out, and let an admin list and revoke them.

The cookie carries a random id, signed (`yishi.signing`); the store keeps only its SHA-256, so
a copy of the store or a session listing cannot be replayed as a cookie. A session ends when
it is idle too long, when it is too old (`yishi.settings`), at sign-out, or when its account
is disabled or changes role or password (`yishi.services.accounts` ends them all at once).
The user is read from the store on every resolve, so a change counts at the next click.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from contextlib import suppress
from datetime import datetime, timedelta, timezone

import pandas as pd

from geo.errors import StoreReadOnly
from yishi import settings, signing
from yishi.accounts import User, user_from_row
from yishi.storage import Store

__all__ = ["COOKIE", "end", "form_token", "form_token_ok", "listing", "resolve", "revoke", "start",
           "sweep"]

#: The cookie's name (the __Host- prefix would forbid plain-HTTP intranets).
COOKIE = "yishi_session"
_PURPOSE = "session"
#: Last-seen is written at most this often (a page run must not always write).
_TOUCH_EVERY = timedelta(minutes=1)
#: How much of the hashed id a listing shows and `revoke` accepts.
ID_LENGTH = 12


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(store: Store, user: User, *, user_agent: str = "", address: str = "",
          now: datetime | None = None) -> str:
    """Open a session for `user` (just authenticated); returns the signed cookie value.

    One transaction stores the session, clears the account's failed sign-ins and audits it."""
    now = now or _now()
    session_id = secrets.token_urlsafe(32)
    store.add_session({"session_hash": _hash(session_id), "username": user.username,
                       "created_at": _iso(now), "last_seen": _iso(now),
                       "expires_at": _iso(now + settings.session_max_age()),
                       "user_agent": user_agent[:300], "address": address[:64]},
                      detail={"via": "password", "address": address[:64]})
    return signing.sign(session_id, _PURPOSE)


def session_hash(cookie: str | None) -> str | None:
    """The stored key of a signed cookie value, or None for a forged or empty one."""
    session_id = signing.unsign(cookie, _PURPOSE)
    return _hash(session_id) if session_id else None


def form_token(cookie: str | None) -> str | None:
    """The token a form acting for this session carries (sign-out): bound to the session, so
    another site cannot make one; None without a valid cookie."""
    key = session_hash(cookie)
    return signing.sign(key[:32], "form:session") if key else None


def form_token_ok(token: str | None, cookie: str | None) -> bool:
    expected = form_token(cookie)
    return bool(expected and token and hmac.compare_digest(expected, token))


def resolve(store: Store, cookie: str | None, *, now: datetime | None = None) -> User | None:
    """The signed-in user for this cookie, as the store knows them now; None when the cookie is
    forged, the session ended or expired, or the account is gone or disabled."""
    key = session_hash(cookie)
    row = store.get_session(key) if key else None
    if row is None:
        return None
    now = now or _now()
    last_seen = datetime.fromisoformat(row["last_seen"])
    if now >= datetime.fromisoformat(row["expires_at"]) or now - last_seen >= settings.session_idle():
        with suppress(StoreReadOnly):  # the sweep ends it once the store can be written again
            store.end_sessions(by=row["username"], action="session_expired", session_hash=key)
        return None
    account = store.get_user(row["username"])
    if account is None or account["disabled"]:
        return None
    if now - last_seen >= _TOUCH_EVERY:
        with suppress(StoreReadOnly):  # bookkeeping only: a read-only store still lets its readers in
            store.touch_session(key, _iso(now))
    return user_from_row(account)


def end(store: Store, cookie: str | None) -> bool:
    """Sign out: end the session of this cookie (audited); False when there was none."""
    key = session_hash(cookie)
    row = store.get_session(key) if key else None
    if row is None:
        return False
    return bool(store.end_sessions(by=row["username"], action="signout", session_hash=key))


def listing(store: Store) -> pd.DataFrame:
    """Sessions for an operator: a short id, who, since, last seen, expiry, browser, address."""
    rows = store.list_sessions()
    if rows.empty:
        return pd.DataFrame(columns=["id", "username", "created_at", "last_seen", "expires_at",
                                     "user_agent", "address"])
    return rows.assign(id=rows["session_hash"].str[:ID_LENGTH]).drop(columns=["session_hash"])[
        ["id", "username", "created_at", "last_seen", "expires_at", "user_agent", "address"]]


def revoke(store: Store, *, by: str, username: str | None = None,
           session_id: str | None = None) -> int:
    """End one session (by the short id a listing shows) or all of a user's; how many ended."""
    if session_id:
        rows = store.list_sessions()
        matches = rows[rows["session_hash"].str.startswith(session_id)] if len(session_id) >= 6 \
            else rows.iloc[0:0]
        if len(matches) != 1:
            return 0
        return store.end_sessions(by=by, action="session_revoke",
                                  session_hash=matches["session_hash"].iloc[0])
    if username:
        return store.end_sessions(by=by, action="session_revoke", username=username)
    raise ValueError("revoke needs a user name or a session id")


def sweep(store: Store, *, now: datetime | None = None) -> int:
    """End sessions idle longer than the idle limit (run at sign-in: the table stays small)."""
    before = _iso((now or _now()) - settings.session_idle())
    return store.end_sessions(by="system", action="session_expired", before=before)
