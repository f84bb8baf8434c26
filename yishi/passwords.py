"""The password policy: what a new password must not be, every problem reported at once.

A guessed password opens the whole house (an admin's account manages all the others), and the
sign-in throttle only slows guessing down, so the guesses that come first must never work:
short passwords, the most common ones, the user's own name, and the demo passwords that the
README publishes (allowed only in the demo store, whose accounts are meant to be public).

Examples
--------
>>> [m.key for m in password_problems("password", username="li", demo_store=False)]
['pw_too_short', 'pw_common']
>>> password_problems("商丘平原街道协商议事厅", username="li", demo_store=False)
[]
"""

from __future__ import annotations

import unicodedata
from functools import cache

from geo.errors import InputError, Message, WorkflowError, msg
from yishi import datasets
from yishi.accounts import term

__all__ = ["MIN_LENGTH", "PasswordRefused", "check_password", "common_passwords",
           "password_problems"]

#: Fewest characters (code points after NFC: a Chinese character counts as one).
MIN_LENGTH = 10


class PasswordRefused(WorkflowError, InputError):
    """A new password the policy refuses; `problems` lists every reason (an InputError too)."""

    HEADING = "pw_refused"

    def __init__(self, problems: list[Message]):
        super().__init__(term("password"), problems)


def _fold(text: str) -> str:
    """NFC then case-folded: how passwords are compared (as typed on any system, any case)."""
    return unicodedata.normalize("NFC", text).casefold()


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, folded; read once (data/passwords/README.md)."""
    text = datasets.common_passwords_path().read_text(encoding="utf-8")
    return frozenset(_fold(line) for line in text.splitlines() if line)


@cache
def _demo_passwords() -> frozenset[str]:
    # Imported here: yishi.demo builds the demo through the account services, which use
    # this policy, so a module-level import would go round in a circle.
    from yishi.demo import DEMO_ACCOUNTS

    return frozenset(_fold(password) for _, _, password in DEMO_ACCOUNTS)


def password_problems(password: str, *, username: str, demo_store: bool) -> list[Message]:
    """Every reason `password` may not be `username`'s new password (empty list: fine)."""
    if not password:
        return [msg("account_empty", field=term("password"))]
    folded = _fold(password)
    problems: list[Message] = []
    length = len(unicodedata.normalize("NFC", password))
    if length < MIN_LENGTH:
        problems.append(msg("pw_too_short", min=MIN_LENGTH, n=length))
    if folded in common_passwords():
        problems.append(msg("pw_common"))
    if username.strip() and folded == _fold(username.strip()):
        problems.append(msg("pw_is_name", name=username.strip()))
    if not demo_store and folded in _demo_passwords():
        problems.append(msg("pw_demo"))
    return problems


def check_password(password: str, *, username: str, demo_store: bool) -> None:
    """Refuse `password` with every problem at once (`PasswordRefused`, an InputError)."""
    problems = password_problems(password, username=username, demo_store=demo_store)
    if problems:
        raise PasswordRefused(problems)
