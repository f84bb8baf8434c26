"""Who is signed in (a plain session key) and the server-side checks every page repeats."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from yishi.accounts import User, can, role_term
from yishi.services.accounts import account_user
from yishi.storage import Store
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


def oidc_configured() -> bool:
    """True when the deployment put an [auth] section (OIDC provider) in Streamlit's secrets."""
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:
        return False


def sign_in_from_oidc(store: Store) -> bool:
    """After st.login: sign in the store account named like the provider's e-mail, if enabled."""
    if not st.user.is_logged_in:
        return False
    user = account_user(store, str(st.user.get("email", "")), via="oidc")
    if user is None:
        return False
    sign_in(user)
    return True


def require(verb: str) -> User:
    """Stop the page with a refusal unless the signed-in role may `verb` (a typed URL too).

    The page guard over `yishi.accounts.can`; the services check again on every write."""
    user = current_user()
    if not can(user, verb):
        st.error(t("refused"))
        st.stop()
    assert user is not None
    return user


def role_label(role: str, language: str | None = None) -> str:
    return role_term(role).label(language or lang())
