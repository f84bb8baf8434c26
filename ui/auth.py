"""Who is signed in (a plain session key) and the server-side checks every page repeats."""

from __future__ import annotations

import streamlit as st

from geo.accounts import ROLE_LABELS, User, can
from ui.i18n import lang, t

_KEY = "user"


def current_user() -> User | None:
    user = st.session_state.get(_KEY)
    return user if isinstance(user, User) else None


def sign_in(user: User) -> None:
    st.session_state[_KEY] = user


def sign_out() -> None:
    for key in list(st.session_state):
        if key != "lang":
            del st.session_state[key]


def require(action: str) -> User:
    """Stop the page with a refusal unless the signed-in role may `action` (a typed URL too)."""
    user = current_user()
    if not can(user, action):
        st.error(t("refused"))
        st.stop()
    assert user is not None
    return user


def role_label(role: str, language: str | None = None) -> str:
    zh, en = ROLE_LABELS.get(role, (role, role))
    return zh if (language or lang()) == "zh" else en
