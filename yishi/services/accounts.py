"""Account writes: add users, reset passwords, disable, change roles, and sign in.

Every write acts as an admin read from the store at that moment (`acting`), and no write may
lock the house: no one disables or demotes their own account, the last enabled admin stays,
and a disabled account, a new role or a new password ends the account's sessions at once.
New passwords follow `yishi.passwords`. Every change and failed sign-in is audited in the
store (a successful one by the session that starts). Refusals are `InputError` /
`SignInRefused` carrying a bilingual `Message` (words in `geo.words.accounts`), so the pages
show them in the reader's language and the command line in English.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

import pandas as pd

from geo.errors import InputError, Message, PermissionDenied, WorkflowError, msg
from geo.schema import NAME_CHARS
from geo.text import strip_invisible
from yishi import accounts as model
from yishi.accounts import (ROLES, USERNAME_CHARS, User, hash_password, password_matches, require,
                            role_term, term, user_from_row)
from yishi.passwords import check_password, password_problems
from yishi.storage import Store

__all__ = ["ACCOUNT_FREE_FAILURES", "BASE_WAIT", "AccountRefused", "acting", "FREE_FAILURES", "MAX_WAIT",
           "SignInRefused", "account_user", "add_user", "authenticate", "list_users",
           "set_disabled", "set_display_name", "set_password", "set_region", "set_role", "wait_after"]

#: Failures in a row from one address before sign-in to the account slows down there, and
#: the first wait. Counting per (account, address) means whoever types wrong passwords slows
#: themselves, not the account's owner elsewhere.
FREE_FAILURES = 5
BASE_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(hours=1)
#: Failures in a row from all addresses before the account slows down everywhere: only many
#: addresses together get there (one address, waiting ever longer, needs days), and a guess
#: rate over many addresses must still be bounded.
ACCOUNT_FREE_FAILURES = 100


class AccountRefused(WorkflowError, InputError):
    """A new account refused: `problems` lists every reason (an InputError too); each
    problem's key says which field it is about, so a form shows it there (`ui.forms`)."""

    HEADING = "acc_refused_add"

    def __init__(self, username: str, problems: list[Message]):
        super().__init__(username, problems)


class SignInRefused(PermissionDenied):
    """Wrong name or password, disabled account, or throttled; `retry_after` in seconds."""

    def __init__(self, message: Message, retry_after: int = 0):
        super().__init__(message)
        self.retry_after = retry_after


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InputError(msg("account_unknown_role", role=role,
                             choices=[role_term(r) for r in ROLES]))


def _member_needs_community() -> InputError:
    return InputError(msg("account_member_needs_community", field=term("acc_community")))


def acting(store: Store, user: User | None, verb: str) -> User:
    """`user` as the store knows them at this moment, allowed to `verb`; else PermissionDenied.

    A page resolves its user from the session cookie when the run starts; reading the account
    again at the write means a role an admin changed, or an account disabled, a moment ago
    already counts. The command line's operator is not an account and keeps its role.
    """
    if user is not None and not user.operator:
        row = store.get_user(user.username)
        user = user_from_row(row) if row is not None and not row["disabled"] else None
    return require(user, verb)


def _check_new_password(store: Store, password: str, username: str) -> None:
    """The password policy; the demo store (marked by its builder) may use the demo passwords."""
    check_password(password, username=username, demo_store=store.meta("demo") == "1")


def _display_name(display_name: str | None) -> tuple[str | None, list[Message]]:
    """A person's name as signed (invisible characters out, trimmed; None when blank)."""
    name = strip_invisible(display_name or "").strip() or None
    if name is not None and len(name) > NAME_CHARS:
        return None, [msg("account_display_name_long", n=NAME_CHARS)]
    return name, []


def add_user(store: Store, username: str, password: str, *, role: str, by: User,
             community_id: str | None = None, member_id: str | None = None,
             display_name: str | None = None, region_id: str | None = None) -> None:
    """Create an account, refusing it with every problem at once (`AccountRefused`).

    `region_id` scopes a leader's, staff's or admin's account to a node of the region tree
    (None: the whole store); a member is scoped by their community instead.

    Members must name the community they are linked to; one linked to a CPPCC member record
    (`member_id`) without a community takes that member's. `display_name` is the person's
    name, which signs their notes.
    """
    acting(store, by, "manage_accounts")
    problems: list[Message] = []
    name = username.strip()
    if not name or len(name) > USERNAME_CHARS or any(c.isspace() or not c.isprintable() for c in name):
        problems.append(msg("account_bad_name", name=username))
    elif store.get_user(name) is not None:
        problems.append(msg("account_exists", name=name))
    shown, name_problems = _display_name(display_name)
    problems += name_problems
    if role not in ROLES:
        problems.append(msg("account_unknown_role", role=role, choices=[role_term(r) for r in ROLES]))
    member = store.get_row("members", member_id) if member_id else None
    if member_id and member is None:
        problems.append(msg("account_no_member", member_id=member_id))
    community_id = community_id or (member or {}).get("linked_community_id") or None
    if role == "member" and not community_id:
        problems.append(msg("account_member_needs_community", field=term("acc_community")))
    if community_id and store.get_row("communities", community_id) is None:
        problems.append(msg("account_no_community", community_id=community_id))
    problems += _region_problems(store, role, region_id)
    problems += password_problems(password, username=name, demo_store=store.meta("demo") == "1")
    if problems:
        raise AccountRefused(name or username, problems)
    store.put_user({"username": name, "role": role, "community_id": community_id,
                    "member_id": member_id, "password_hash": hash_password(password),
                    "disabled": 0, "failed_count": 0, "locked_until": None,
                    "created_at": _now().isoformat(timespec="seconds"), "display_name": shown,
                    "region_id": region_id or None},
                   by=by.username, action="user_add",
                   detail={"role": role, "community_id": community_id, "member_id": member_id,
                           "region_id": region_id or None})


def _region_problems(store: Store, role: str, region_id: str | None) -> list[Message]:
    """Why `region_id` cannot scope an account of `role` (none: it can, or there is none)."""
    if not region_id:
        return []
    if role == "member":
        return [msg("account_member_region")]
    if store.get_row("regions", region_id) is None:
        return [msg("account_no_region", region_id=region_id)]
    return []


def set_region(store: Store, username: str, region_id: str | None, *, by: User) -> None:
    """Scope an account to a region node (None: the whole store), audited; it counts at the
    account's next action, since every write reads the account again (`acting`)."""
    acting(store, by, "manage_accounts")
    user = _existing(store, username)
    problems = _region_problems(store, user["role"], region_id)
    if problems:
        raise AccountRefused(user["username"], problems)
    store.put_user({"username": user["username"], "region_id": region_id or None}, by=by.username,
                   action="user_region", detail={"from": user.get("region_id"), "to": region_id or None})


def set_display_name(store: Store, username: str, display_name: str | None, *, by: User) -> None:
    """Change the name an account's notes are signed with (notes already written keep theirs)."""
    acting(store, by, "manage_accounts")
    user = _existing(store, username)
    shown, problems = _display_name(display_name)
    if problems:
        raise AccountRefused(user["username"], problems)
    store.put_user({"username": user["username"], "display_name": shown}, by=by.username,
                   action="user_rename", detail={"from": user.get("display_name"), "to": shown})


def _existing(store: Store, username: str) -> dict:
    user = store.get_user(username)
    if user is None:
        raise InputError(msg("account_no_user", name=username))
    return user


def set_password(store: Store, username: str, password: str, *, by: User) -> None:
    """Reset a password; the failure count and wait start over, and every session of the
    account ends (whoever knew the old password is signed out too)."""
    acting(store, by, "manage_accounts")
    user = _existing(store, username)
    _check_new_password(store, password, user["username"])
    store.put_user({"username": user["username"], "password_hash": hash_password(password),
                    "failed_count": 0, "locked_until": None}, by=by.username,
                   action="user_passwd", end_sessions=True)


def set_disabled(store: Store, username: str, disabled: bool, *, by: User) -> None:
    """Disable (its sessions end at once) or enable an account; never one's own, and never
    the last enabled admin."""
    acting(store, by, "manage_accounts")
    user = _existing(store, username)
    if disabled:
        if user["username"] == by.username:
            raise InputError(msg("account_self_disable", name=user["username"]))
    store.put_user({"username": user["username"], "disabled": int(disabled)}, by=by.username,
                   action="user_disable" if disabled else "user_enable", end_sessions=disabled,
                   keep_an_admin=disabled)


def set_role(store: Store, username: str, role: str, *, by: User,
             community_id: str | None = None) -> None:
    """Change a role; a new member keeps the community already linked unless one is given.

    The account's sessions end, so the new role counts from its next sign-in on. No one
    changes their own role, and the last enabled admin stays an admin.
    """
    acting(store, by, "manage_accounts")
    _check_role(role)
    user = _existing(store, username)
    if user["username"] == by.username:
        raise InputError(msg("account_self_role", name=user["username"]))
    if role == "member" and not (community_id or user["community_id"]):
        raise _member_needs_community()
    store.put_user({"username": user["username"], "role": role,
                    "community_id": community_id or user["community_id"]}, by=by.username,
                   action="role_change", detail={"from": user["role"], "to": role},
                   end_sessions=True, keep_an_admin=True)


def list_users(store: Store) -> pd.DataFrame:
    """Accounts without their password hashes."""
    users = store.load_users()
    return users.drop(columns=["password_hash"], errors="ignore")


def wait_after(failed_count: int, free: int = FREE_FAILURES) -> timedelta:
    """How long sign-in is refused after `failed_count` failures in a row, the first `free`
    of them without a wait (grows, capped)."""
    if failed_count < free:
        return timedelta(0)
    return min(BASE_WAIT * 2 ** (failed_count - free), MAX_WAIT)


def _throttled(seconds: int) -> SignInRefused:
    return SignInRefused(msg("signin_throttled", seconds=seconds), retry_after=seconds)


#: (hasher, a hash it made of a random secret): what an unknown name's password is checked
#: against. Made again when the hasher changes (tests swap in a cheap one).
_dummy: tuple[object, str] | None = None


def _dummy_hash() -> str:
    """A hash with the current hasher's cost, so an unknown name costs a known name's time."""
    global _dummy
    if _dummy is None or _dummy[0] is not model.hasher:
        _dummy = (model.hasher, hash_password(secrets.token_urlsafe(24)))
    return _dummy[1]


def authenticate(store: Store, username: str, password: str, *, address: str = "",
                 now: datetime | None = None) -> User:
    """The user for these credentials from client `address`, or SignInRefused; every refusal
    is audited.

    An unknown name and a wrong password get the same words and cost the same hashing time,
    so names cannot be probed. A wrong password is counted atomically in the store, per
    (account, address) and for the account in all, and earns a growing wait at that address
    (everywhere only after ACCOUNT_FREE_FAILURES). Success writes nothing: the caller starts
    the session, which clears the address's failures and audits the sign-in in one transaction.
    """
    now, address = now or _now(), address[:64]
    name = username.strip()
    user = store.get_user(name) if name else None
    if user is None:
        password_matches(_dummy_hash(), password)
        store.log(by=name or "?", action="signin_failed", target=name, layer="users",
                  detail={"reason": "unknown user", "address": address})
        raise SignInRefused(msg("signin_wrong"))
    name = user["username"]
    locks = [datetime.fromisoformat(t) for t in (store.signin_lock(name, address), user["locked_until"]) if t]
    if locks and max(locks) > now:
        wait = int((max(locks) - now).total_seconds()) + 1
        store.log(by=name, action="signin_throttled", target=name, layer="users",
                  detail={"retry_after": wait, "address": address})
        raise _throttled(wait)
    if not password_matches(user["password_hash"], password):
        def until(wait: timedelta) -> str | None:
            return (now + wait).isoformat(timespec="seconds") if wait else None

        from_address, in_all = store.count_failure(
            name, address=address, at=now.isoformat(timespec="seconds"),
            lock_for=lambda here, everywhere: (until(wait_after(here)),
                                               until(wait_after(everywhere, ACCOUNT_FREE_FAILURES))))
        wait = max(wait_after(from_address), wait_after(in_all, ACCOUNT_FREE_FAILURES))
        raise _throttled(int(wait.total_seconds())) if wait else SignInRefused(msg("signin_wrong"))
    if user["disabled"]:
        store.log(by=name, action="signin_failed", target=name, layer="users",
                  detail={"reason": "disabled"})
        raise SignInRefused(msg("signin_disabled"))
    return user_from_row(user)


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
    return user_from_row(user)
