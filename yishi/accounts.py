"""What an account is and may do: roles, the one permission table, `can` / `require`, and
argon2id password hashes. The writes (adding users, signing in) are `yishi.services.accounts`.

Accounts live in the store, so a subdistrict office runs them itself on an intranet with no
outside identity provider. Pages ask `can` to show or hide; every service write calls
`require`, so pages and the command line share one rule.

Examples
--------
>>> can(User("li", "member", "411402001007"), "comment")
True
>>> can(None, "view_map")
False
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.errors import PermissionDenied, msg
from geo.words import CATALOGUE, Term

ROLES: tuple[str, ...] = ("leader", "member", "staff", "admin")
#: The longest user name an account may have.
USERNAME_CHARS = 64

#: Everything a role may be allowed: opening pages and seeing private fields, then the issue
#: actions under the same names as `yishi.services.workflow.ACTIONS` (buttons, audit), then the
#: repairs of a recorded issue (`workflow.correct`, `workflow.step_back`), then deciding on
#: residents' reports (`residents.accept`/`merge`/`decline`).
VERBS: tuple[str, ...] = ("view_map", "view_issue", "view_private", "upload", "manage_accounts",
                          "create", "advance", "record_meeting", "close", "comment", "evaluate",
                          "correct", "step_back", "triage")

_READ = frozenset({"view_map", "view_issue"})
#: What each role may do. Staff run the procedure; members supervise (notes only); leaders
#: read; admins manage accounts. Reading the public result board needs no account at all.
PERMISSIONS: dict[str, frozenset[str]] = {
    "leader": _READ,
    "member": _READ | {"comment"},
    "staff": _READ | {"view_private", "upload", "create", "advance", "record_meeting", "close",
                      "comment", "evaluate", "correct", "step_back", "triage"},
    "admin": _READ | {"manage_accounts"},
}

#: The production hasher (argon2id, memory-hard, the library's recommended cost). Tests swap
#: in a cheap one; each hash records its own cost, so any hash verifies under either.
hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    """A signed-in account: what the pages need to decide what to show."""

    username: str
    role: str
    community_id: str | None = None
    member_id: str | None = None
    #: The command line's own operator (`yishi.services.workflow.operator`): a person at the
    #: server's shell, not a store account, so there is no stored role to read again.
    operator: bool = False
    #: The person's name (王建国), which signs their notes (`yishi.services.workflow`).
    display_name: str | None = field(default=None, compare=False)
    #: The region node (an NBS code: city, district or subdistrict) the account works in;
    #: None: the whole store. A member's place is their community instead.
    region_id: str | None = None

    def can(self, verb: str) -> bool:
        return can(self, verb)


def user_from_row(row: dict) -> User:
    """The User of a stored account row (its role as stored now)."""
    return User(row["username"], row["role"], row.get("community_id"), row.get("member_id"),
                display_name=row.get("display_name") or None, region_id=row.get("region_id") or None)


def can(user: User | None, verb: str) -> bool:
    """True when `user`'s role may `verb`; nobody signed in may do nothing.

    An unknown verb is a programming error (a typo would silently hide a page), so it raises.
    """
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}; choose one of: {', '.join(VERBS)}")
    return user is not None and verb in PERMISSIONS.get(user.role, frozenset())


def require(user: User | None, verb: str) -> User:
    """`user`, or PermissionDenied naming the roles that may `verb` (checked on every write)."""
    if can(user, verb):
        assert user is not None
        return user
    allowed = [role_term(r) for r in ROLES if verb in PERMISSIONS[r]]
    if user is None:
        raise PermissionDenied(msg("denied_signed_out", verb=verb_term(verb), roles=allowed))
    raise PermissionDenied(msg("denied_role", role=role_term(user.role), verb=verb_term(verb),
                               roles=allowed))


def within(user: User, subdistrict_id: str | None) -> bool:
    """Whether a row of subdistrict `subdistrict_id` lies in `user`'s region (NBS codes nest by
    prefix); an account of the whole store, and the command line's operator, reach every row."""
    return user.region_id is None or user.operator or str(subdistrict_id or "").startswith(user.region_id)


def require_within(user: User, subdistrict_id: str | None, verb: str) -> None:
    """PermissionDenied unless `user` may `verb` a row of `subdistrict_id` (see `within`)."""
    if not within(user, subdistrict_id):
        raise PermissionDenied(msg("denied_region", verb=verb_term(verb), region=user.region_id,
                                   subdistrict=subdistrict_id or "—"))


def term(key: str, fallback: str | None = None) -> Term:
    """A catalogue word as a message parameter, written in the reader's language (e.g. the
    label of a form field the refusal is about)."""
    zh, en = CATALOGUE.get(key, (fallback or key, fallback or key))
    return Term(zh, en)


def role_term(role: str) -> Term:
    """The role's name in both languages (the code itself for a role the app does not know)."""
    return term(f"role_{role}", role)


def verb_term(verb: str) -> Term:
    return term(f"verb_{verb}", verb)


def _normalise(password: str) -> bytes:
    """NFC so the same Chinese password typed on two systems hashes the same."""
    return unicodedata.normalize("NFC", password).encode("utf-8")


def hash_password(password: str) -> str:
    return hasher.hash(_normalise(password))


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, _normalise(password))
    except (VerificationError, InvalidHashError):
        return False
