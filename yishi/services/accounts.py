"""Account writes: add users, reset passwords, disable, change roles, and sign in.

Every sign-in, failure and change is audited in the store. Refusals are `InputError` /
`SignInRefused` carrying a bilingual `Message` (words in `geo.words.accounts`), so the pages
show them in the reader's language and the command line in English.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd

from geo.errors import InputError, Message, PermissionDenied, msg
from yishi.accounts import ROLES, User, hash_password, password_matches, role_term, term
from yishi.storage import Store

__all__ = ["BASE_WAIT", "FREE_FAILURES", "MAX_WAIT", "SignInRefused", "account_user",
           "add_user", "authenticate", "list_users", "set_disabled", "set_password", "set_role",
           "wait_after"]

#: Failures in a row before sign-in slows down, and the first wait.
FREE_FAILURES = 5
BASE_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(hours=1)


class SignInRefused(PermissionDenied):
    """Wrong name or password, disabled account, or throttled; `retry_after` in seconds."""

    def __init__(self, message: Message, retry_after: int = 0):
        super().__init__(message)
        self.retry_after = retry_after


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _check_name(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 64 or any(c.isspace() or not c.isprintable() for c in name):
        raise InputError(msg("account_bad_name", name=username))
    return name


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InputError(msg("account_unknown_role", role=role,
                             choices=[role_term(r) for r in ROLES]))


def _check_password(password: str) -> None:
    if not password:
        raise InputError(msg("account_empty", field=term("password")))


def _member_needs_community() -> InputError:
    return InputError(msg("account_member_needs_community", field=term("acc_community")))


def add_user(store: Store, username: str, password: str, *, role: str, by: str,
             community_id: str | None = None, member_id: str | None = None) -> None:
    """Create an account; members must name the community they are linked to."""
    name = _check_name(username)
    _check_role(role)
    if role == "member" and not community_id:
        raise _member_needs_community()
    if community_id and store.get_row("communities", community_id) is None:
        raise InputError(msg("account_no_community", community_id=community_id))
    _check_password(password)
    if store.get_user(name) is not None:
        raise InputError(msg("account_exists", name=name))
    store.put_user({"username": name, "role": role, "community_id": community_id,
                    "member_id": member_id, "password_hash": hash_password(password),
                    "disabled": 0, "failed_count": 0, "locked_until": None,
                    "created_at": _now().isoformat(timespec="seconds")},
                   by=by, action="user_add", detail={"role": role, "community_id": community_id})


def _existing(store: Store, username: str) -> dict:
    user = store.get_user(username)
    if user is None:
        raise InputError(msg("account_no_user", name=username))
    return user


def set_password(store: Store, username: str, password: str, *, by: str) -> None:
    """Reset a password; the account's failure count and wait start over."""
    _check_password(password)
    user = _existing(store, username)
    store.put_user({"username": user["username"], "password_hash": hash_password(password),
                    "failed_count": 0, "locked_until": None}, by=by, action="user_passwd")


def set_disabled(store: Store, username: str, disabled: bool, *, by: str) -> None:
    user = _existing(store, username)
    store.put_user({"username": user["username"], "disabled": int(disabled)}, by=by,
                   action="user_disable" if disabled else "user_enable")


def set_role(store: Store, username: str, role: str, *, by: str,
             community_id: str | None = None) -> None:
    """Change a role; a new member keeps the community already linked unless one is given."""
    _check_role(role)
    user = _existing(store, username)
    if role == "member" and not (community_id or user["community_id"]):
        raise _member_needs_community()
    store.put_user({"username": user["username"], "role": role,
                    "community_id": community_id or user["community_id"]}, by=by,
                   action="role_change", detail={"from": user["role"], "to": role})


def list_users(store: Store) -> pd.DataFrame:
    """Accounts without their password hashes."""
    users = store.load_users()
    return users.drop(columns=["password_hash"], errors="ignore")


def wait_after(failed_count: int) -> timedelta:
    """How long sign-in is refused after `failed_count` failures in a row (grows, capped)."""
    if failed_count < FREE_FAILURES:
        return timedelta(0)
    return min(BASE_WAIT * 2 ** (failed_count - FREE_FAILURES), MAX_WAIT)


def _throttled(seconds: int) -> SignInRefused:
    return SignInRefused(msg("signin_throttled", seconds=seconds), retry_after=seconds)


def authenticate(store: Store, username: str, password: str, *, now: datetime | None = None) -> User:
    """The user for these credentials, or SignInRefused; every outcome is audited.

    An unknown name and a wrong password get the same words, so names cannot be probed.
    """
    now = now or _now()
    name = username.strip()
    user = store.get_user(name)
    if user is None:
        store.log(by=name or "?", action="signin_failed", target=name, layer="users",
                  detail={"reason": "unknown user"})
        raise SignInRefused(msg("signin_wrong"))
    if user["locked_until"] and datetime.fromisoformat(user["locked_until"]) > now:
        wait = int((datetime.fromisoformat(user["locked_until"]) - now).total_seconds()) + 1
        store.log(by=name, action="signin_throttled", target=name, layer="users",
                  detail={"retry_after": wait})
        raise _throttled(wait)
    if not password_matches(user["password_hash"], password):
        failed = int(user["failed_count"]) + 1
        wait = wait_after(failed)
        locked = (now + wait).isoformat(timespec="seconds") if wait else None
        store.put_user({"username": name, "failed_count": failed, "locked_until": locked}, by=name,
                       action="signin_failed", detail={"failed_in_a_row": failed})
        raise _throttled(int(wait.total_seconds())) if wait else SignInRefused(msg("signin_wrong"))
    if user["disabled"]:
        store.log(by=name, action="signin_failed", target=name, layer="users",
                  detail={"reason": "disabled"})
        raise SignInRefused(msg("signin_disabled"))
    store.put_user({"username": name, "failed_count": 0, "locked_until": None}, by=name,
                   action="signin")
    return User(name, user["role"], user["community_id"], user["member_id"])


def account_user(store: Store, username: str, *, via: str) -> User | None:
    """The enabled account `username`, signed in by an outside identity provider (`via`), or None.

    The provider proves who it is; the store still decides the role. Audited either way.
    """
    user = store.get_user(username.strip()) if username.strip() else None
    if user is None or user["disabled"]:
        store.log(by=username or "?", action="signin_failed", target=username, layer="users",
                  detail={"via": via, "reason": "no enabled account"})
        return None
    store.log(by=username, action="signin", target=username, layer="users", detail={"via": via})
    return User(user["username"], user["role"], user["community_id"], user["member_id"])
