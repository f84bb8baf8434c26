"""Accounts, roles and what each role may see and do; passwords hashed with argon2id.

Accounts live in the store, so a subdistrict office runs them itself on an intranet
with no outside identity provider. Every sign-in, failure and role change is audited.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.errors import InputError, PermissionDenied
from yishi.storage import Store

ROLES = ("leader", "member", "staff", "admin")
ROLE_LABELS = {"leader": ("领导", "Leader"), "member": ("委员", "Member"),
               "staff": ("工作人员", "Staff"), "admin": ("管理员", "Admin")}

#: What each role may do. Reading the public result board needs no account at all.
PERMISSIONS: dict[str, frozenset[str]] = {
    "leader": frozenset({"view_map", "view_issue"}),
    "member": frozenset({"view_map", "view_issue", "supervise"}),
    "staff": frozenset({"view_map", "view_issue", "supervise", "advance", "create_issue",
                        "upload", "view_private"}),
    "admin": frozenset({"view_map", "view_issue", "manage_accounts"}),
}

#: Failures in a row before sign-in slows down, and the first wait.
FREE_FAILURES = 5
BASE_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(hours=1)

_hasher = PasswordHasher()  # argon2id, memory-hard


@dataclass(frozen=True)
class User:
    """A signed-in account: what the pages need to decide what to show."""

    username: str
    role: str
    community_id: str | None = None
    member_id: str | None = None

    def can(self, action: str) -> bool:
        return action in PERMISSIONS.get(self.role, frozenset())


def can(user: User | None, action: str) -> bool:
    return user is not None and user.can(action)


def require(user: User | None, action: str) -> User:
    """The user, or PermissionDenied when the role may not `action` (checked on every write)."""
    if not can(user, action):
        who = user.role if user else "anonymous"
        raise PermissionDenied(f"role {who!r} may not {action}")
    assert user is not None
    return user


def _normalise(password: str) -> bytes:
    """NFC so the same Chinese password typed on two systems hashes the same."""
    return unicodedata.normalize("NFC", password).encode("utf-8")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _check_name(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 64 or any(c.isspace() or not c.isprintable() for c in name):
        raise InputError(f"invalid user name {username!r}: 1-64 printable characters, no spaces")
    return name


def add_user(store: Store, username: str, password: str, *, role: str, by: str,
             community_id: str | None = None, member_id: str | None = None) -> None:
    """Create an account; members must name the community they are linked to."""
    name = _check_name(username)
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")
    if role == "member" and not community_id:
        raise InputError("a member account needs --community (the linked community id)")
    if community_id and store.get_row("communities", community_id) is None:
        raise InputError(f"there is no community {community_id!r}")
    if not password:
        raise InputError("the password must not be empty")
    if store.get_user(name) is not None:
        raise InputError(f"user {name!r} exists already")
    store.put_user({"username": name, "role": role, "community_id": community_id,
                    "member_id": member_id, "password_hash": _hasher.hash(_normalise(password)),
                    "disabled": 0, "failed_count": 0, "locked_until": None,
                    "created_at": _now().isoformat(timespec="seconds")},
                   by=by, action="user_add", detail={"role": role, "community_id": community_id})


def _existing(store: Store, username: str) -> dict:
    user = store.get_user(username)
    if user is None:
        raise InputError(f"there is no user {username!r}")
    return user


def set_password(store: Store, username: str, password: str, *, by: str) -> None:
    if not password:
        raise InputError("the password must not be empty")
    user = _existing(store, username)
    store.put_user({"username": user["username"], "password_hash": _hasher.hash(_normalise(password)),
                    "failed_count": 0, "locked_until": None}, by=by, action="user_passwd")


def set_disabled(store: Store, username: str, disabled: bool, *, by: str) -> None:
    user = _existing(store, username)
    store.put_user({"username": user["username"], "disabled": int(disabled)}, by=by,
                   action="user_disable" if disabled else "user_enable")


def set_role(store: Store, username: str, role: str, *, by: str,
             community_id: str | None = None) -> None:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")
    user = _existing(store, username)
    if role == "member" and not (community_id or user["community_id"]):
        raise InputError("a member account needs a linked community")
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


class SignInRefused(PermissionDenied):
    """Wrong name or password, disabled account, or throttled; `retry_after` in seconds."""

    def __init__(self, message: str, retry_after: int = 0):
        super().__init__(message)
        self.retry_after = retry_after


def authenticate(store: Store, username: str, password: str, *, now: datetime | None = None) -> User:
    """The user for these credentials, or SignInRefused; every outcome is audited."""
    now = now or _now()
    name = username.strip()
    user = store.get_user(name)
    if user is None:
        store.log(by=name or "?", action="signin_failed", target=name, layer="users",
                  detail={"reason": "unknown user"})
        raise SignInRefused("wrong user name or password")
    if user["locked_until"] and datetime.fromisoformat(user["locked_until"]) > now:
        wait = int((datetime.fromisoformat(user["locked_until"]) - now).total_seconds()) + 1
        store.log(by=name, action="signin_throttled", target=name, layer="users",
                  detail={"retry_after": wait})
        raise SignInRefused(f"too many failed sign-ins; try again in {wait} s", retry_after=wait)
    try:
        _hasher.verify(user["password_hash"], _normalise(password))
    except (VerificationError, InvalidHashError):
        failed = int(user["failed_count"]) + 1
        wait = wait_after(failed)
        locked = (now + wait).isoformat(timespec="seconds") if wait else None
        store.put_user({"username": name, "failed_count": failed, "locked_until": locked}, by=name,
                       action="signin_failed", detail={"failed_in_a_row": failed})
        raise SignInRefused("wrong user name or password", retry_after=int(wait.total_seconds())) from None
    if user["disabled"]:
        store.log(by=name, action="signin_failed", target=name, layer="users",
                  detail={"reason": "disabled"})
        raise SignInRefused("this account is disabled")
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
