"""The current language (zh-CN first, English switch) and lookups in the one word catalogue, geo.words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from geo import words
from geo.schema import Enum, get_layer

LANGS = words.LANGS
LANG_NAMES = {"zh": "中文", "en": "English"}
_KEY = "lang"



def lang() -> str:
    """The current language: a plain session key, so it survives page switches."""
    value = st.session_state.get(_KEY)
    if value not in LANGS:
        value = st.query_params.get("lang", "zh")
        value = value if value in LANGS else "zh"
        st.session_state[_KEY] = value
    return value


def set_lang(value: str) -> None:
    if value in LANGS:
        st.session_state[_KEY] = value


def t(key: str, language: str | None = None, /, **params: object) -> str:
    """The text for `key` in `language` (default: the current one); the key itself if unknown."""
    return words.say(key, language or lang(), **params)


def enum_label(enum: Enum, code: str | None, language: str | None = None) -> str:
    if code is None:
        return "—"
    return enum.label(code, language or lang())


def field_label(layer: str, field: str, language: str | None = None) -> str:
    """A column header: the schema's label for layer fields, the UI text for derived ones."""
    try:
        return get_layer(layer).get(field).label(language or lang())
    except KeyError:
        return t(field, language)


def has_text(key: str) -> bool:
    return key in words.CATALOGUE


def choice(widget: Callable[..., Any], label: str, options: Sequence[Any], *, key: str, lang: str,
           format_func: Callable[[Any], str], **kwargs: Any) -> Any:
    """`widget` (st.radio, st.selectbox or st.multiselect, outside a form) whose choice is kept by
    its code in the plain session key `key`, across a language switch.

    Why: the browser keeps a choice as the label it shows, so after a language switch the old
    label matches no option: the widget shows nothing selected, or the old language's label.
    Here the widget's own key carries the language, is seeded from `key` on every run, and a
    new choice is written back to `key`.
    """
    options = list(options)
    widget_key = f"_{key}_{lang}"
    if key in st.session_state:
        kept = st.session_state[key]
        if isinstance(kept, list):
            st.session_state[widget_key] = [v for v in kept if v in options]
        elif kept is None or kept in options:
            st.session_state[widget_key] = kept

    def keep() -> None:
        st.session_state[key] = st.session_state[widget_key]

    value = widget(label, options, key=widget_key, on_change=keep, format_func=format_func, **kwargs)
    st.session_state[key] = value
    return value
