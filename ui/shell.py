"""What every page draws first: the language switch and the header."""

from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path

import streamlit as st

from yishi.services import sessions
from ui import auth, builtin_words, data, i18n
from ui.i18n import t
from ui.safe import md


_STYLES = Path(__file__).resolve().parent / "styles"


@cache
def _stylesheet() -> str:
    """Every ui/styles/*.css, in name order: our own CSS, one file per topic (phone, access...)."""
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(_STYLES.glob("*.css")))


def page_style() -> None:
    """The app's own CSS (st.html in the event container takes no room on the page)."""
    css = _stylesheet()
    if css:
        st.html(f"<style>{css}</style>")


def _on_lang_change() -> None:
    i18n.set_lang(st.session_state["_lang_radio"])
    st.query_params["lang"] = st.session_state["_lang_radio"]


def language_switch() -> str:
    """A sidebar switch that writes the plain `lang` key (kept across pages and reruns) and the
    URL's `lang=`, so a shared link opens in the same language."""
    current = i18n.lang()
    st.session_state["_lang_radio"] = current
    st.sidebar.radio(t("language"), i18n.LANGS, key="_lang_radio", horizontal=True,
                     format_func=i18n.LANG_NAMES.get, on_change=_on_lang_change)
    return current


def _sign_out_form(label: str) -> str:
    """A one-button form posting to /auth/signout with this session's token (escaped)."""
    token = sessions.form_token(auth.session_cookie())
    if token is None:
        return ""
    return (f'<form method="post" action="/auth/signout" class="yishi-signout">'
            f'<input type="hidden" name="token" value="{escape(token)}">'
            f'<input type="hidden" name="lang" value="{escape(i18n.lang())}">'
            f'<button type="submit" style="min-height:40px;padding:4px 14px;border-radius:8px;'
            f'border:1px solid rgba(49,51,63,.3);background:#fff;cursor:pointer">{escape(label)}</button></form>')


def account_box(*, offer_sign_in: bool = True) -> None:
    """Who is signed in, with a sign-out button; signed out, a visible sign-in button."""
    user = auth.current_user()
    if user is None:
        if offer_sign_in:
            auth.sign_in_link()
        return
    with st.sidebar:
        st.caption(f"{md(user.username)} · {auth.role_label(user.role)}")  # names are stored text
        form = _sign_out_form(t("sign_out"))
        if form:
            st.html(form)


def header(title_key: str, *, as_of: str | None = None, offer_sign_in: bool = True) -> str:
    """Language switch, account, page title and the data date; returns the current language.
    `offer_sign_in=False` where the page itself asks the visitor to sign in."""
    lang = language_switch()
    page_style()
    builtin_words.apply(lang)
    account_box(offer_sign_in=offer_sign_in)
    st.title(f"{t(title_key)} · {t('app_title')}")
    if st.query_params.get("notfound"):
        st.warning(t("page_not_found"))
    if as_of:
        key = data.state()  # one read of the store for both
        place, note = data.place_name(key), data.data_note(key)
        parts = [t("app_subtitle", place=place) if place else t("app_subtitle_any"), f"{t('as_of')} {as_of}",
                 *([t(note)] if note else [])]
        st.caption(" · ".join(parts))
    return lang
