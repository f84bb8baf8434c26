"""What every page draws first: the language switch and the header."""

from __future__ import annotations

import streamlit as st

from ui import auth, i18n
from ui.i18n import t
from ui.safe import md


def _on_lang_change() -> None:
    i18n.set_lang(st.session_state["_lang_radio"])


def language_switch() -> str:
    """A sidebar switch that writes the plain `lang` key (kept across pages and reruns)."""
    current = i18n.lang()
    st.session_state["_lang_radio"] = current
    st.sidebar.radio(t("language"), i18n.LANGS, key="_lang_radio", horizontal=True,
                     format_func=i18n.LANG_NAMES.get, on_change=_on_lang_change)
    return current


def account_box() -> None:
    """Who is signed in, with a sign-out button (drawn by pages, never by app.py)."""
    user = auth.current_user()
    if user is None:
        return
    with st.sidebar:
        st.caption(f"{md(user.username)} · {auth.role_label(user.role)}")  # names are stored text
        if st.button(t("sign_out"), key="sign_out"):
            auth.sign_out()
            st.rerun()


def header(title_key: str, *, as_of: str | None = None) -> str:
    """Language switch, account, page title and the data date; returns the current language."""
    lang = language_switch()
    account_box()
    st.title(f"{t(title_key)} · {t('app_title')}")
    if as_of:
        st.caption(f"{t('app_subtitle')} · {t('as_of')} {as_of} · {t('demo_note')}")
    return lang
