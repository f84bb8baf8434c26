"""Who is signed in, resolved on every run, and the checks every page repeats.

The user comes from the session cookie (`st.context.cookies`, HttpOnly, set by the sign-in
route in `web.auth`) and is read from the store on every run (`yishi.services.sessions`), so a
disabled account, a changed role or a revoked session counts at the next click. An OIDC login
(`st.login`) maps the provider's e-mail to a store account the same way. Nothing about the
user is remembered in the browser session.

AppTest cannot set cookies: tests put a `User` under the session key `TEST_SEAM`; it is
read through the store like a cookie session (the account must exist and be enabled).
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode, urlsplit

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from yishi.accounts import User, can, role_term, user_from_row
from yishi.services import sessions
from yishi.services.accounts import account_user
from yishi.storage import Store
from ui import data
from ui.i18n import lang, t

#: The tests' seam (AppTest cannot send cookies); nothing in the app writes it.
TEST_SEAM = "user"
#: This run's resolved user (resolved by `resolve` at the top of every run).
_RESOLVED = "_signed_in"
#: The e-mail whose OIDC sign-in this browser session has already audited.
_OIDC_AUDITED = "_oidc_audited"


def oidc_configured() -> bool:
    """True when the deployment put an [auth] section (OIDC provider) in Streamlit's secrets."""
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:
        return False


def _from_store() -> User | None:
    cookie = session_cookie()
    seam = st.session_state.get(TEST_SEAM)
    oidc = oidc_configured() and st.user.is_logged_in
    if not (cookie or isinstance(seam, User) or oidc):
        return None
    with data.open_store() as store:
        if cookie:
            return sessions.resolve(store, cookie)
        if oidc:
            email = str(st.user.get("email", ""))
            if st.session_state.get(_OIDC_AUDITED) != email:  # audit the sign-in once, not every run
                st.session_state[_OIDC_AUDITED] = email
                return account_user(store, email, via="oidc")
            return _enabled(store, email)
        return _enabled(store, seam.username)


def _enabled(store: Store, username: str) -> User | None:
    row = store.get_user(username)
    return user_from_row(row) if row is not None and not row["disabled"] else None


def resolve() -> User | None:
    """Resolve the signed-in user for this run (navigation calls this first on every run)."""
    user = _from_store()
    st.session_state[_RESOLVED] = user
    return user


def current_user() -> User | None:
    """The user resolved at the start of this run (see `resolve`)."""
    user = st.session_state.get(_RESOLVED)
    return user if isinstance(user, User) else None


def session_cookie() -> str | None:
    """The session cookie this browser sent when its page connected (None without one)."""
    value = st.context.cookies.get(sessions.COOKIE)
    return value if isinstance(value, str) and value else None


def here() -> str:
    """This view's path and query ("/issue?issue=I0067"), to come back to after sign-in."""
    url = urlsplit(st.context.url or "/")
    query = urlencode(st.query_params.to_dict())
    return (url.path or "/") + (f"?{query}" if query else "")


def sign_in_url(next_path: str | None = None) -> str:
    return "/auth/signin?" + urlencode({"next": next_path or here(), "lang": lang()})


def sign_out_url() -> str:
    return "/auth/signout?" + urlencode({"lang": lang()})


def require(verb: str) -> User:
    """Stop the page unless the signed-in role may `verb` (a typed URL too): signed out, offer
    sign-in and come back here; signed in, say the role may not. Services check again."""
    user = current_user()
    if not can(user, verb):
        if user is None:
            sign_in_prompt()
        else:
            st.error(t("refused"))
        st.stop()
    assert user is not None  # can() is False for nobody
    return user


#: A link drawn as a button (same tab: st.link_button would open a new one).
BUTTON_STYLE = ("display:inline-block;min-height:44px;line-height:44px;padding:0 20px;border-radius:8px;"
                "background:#c81e1e;color:#fff;text-decoration:none;font-weight:600;border:0;cursor:pointer")


def sign_in_link() -> None:
    """The visible sign-in button: a plain link to the sign-in form, back here afterwards."""
    st.html(f'<a class="yishi-signin" href="{escape(sign_in_url())}" style="{BUTTON_STYLE}">'
            f'{escape(t("sign_in_button"))}</a>')


def sign_in_prompt() -> None:
    """What a signed-out visitor sees on a page that needs an account."""
    st.info(t("sign_in_needed"))
    sign_in_link()
    if oidc_configured():
        if st.button(t("sign_in_oidc"), key="signin_oidc"):
            st.login()
        if st.user.is_logged_in and current_user() is None:
            st.error(t("sign_in_oidc_no_account"))


def role_label(role: str, language: str | None = None) -> str:
    return role_term(role).label(language or lang())
