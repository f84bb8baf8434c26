"""The two small pages the server draws itself (sign-in, sign-out): plain HTML, every value
escaped, words from the one catalogue, readable on a phone, no scripts."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from geo.text import strip_invisible
from geo.words import say


def escape(value: str) -> str:
    """`value` as inert HTML text or attribute, without direction-control or zero-width
    characters (`geo.text`): an echoed name cannot reorder the page around it."""
    return html.escape(strip_invisible(value), quote=True)


_STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:0;background:#f4f6f8;color:#1f2937}
main{max-width:380px;margin:8vh auto;background:#fff;padding:28px 24px;border-radius:10px;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 .5rem}p{line-height:1.5}
label{display:block;margin:14px 0 4px;font-weight:600}
input[type=text],input[type=password]{box-sizing:border-box;width:100%;font-size:1rem;
padding:10px;min-height:44px;border:1px solid #9ca3af;border-radius:6px}
button{margin-top:18px;width:100%;min-height:44px;font-size:1rem;border:0;border-radius:6px;
background:#c81e1e;color:#fff;cursor:pointer}
.error{background:#fde8e8;color:#9b1c1c;padding:10px;border-radius:6px}
.links{display:flex;justify-content:space-between;margin-top:18px}a{color:#1d4ed8}
"""


def _page(title: str, body: str, lang: str) -> str:
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!doctype html><html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>")


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def _links(lang: str, here: str, next_path: str) -> str:
    other = "en" if lang == "zh" else "zh"
    switch = f"{here}?{urlencode({'next': next_path, 'lang': other})}"
    return (f'<div class="links"><a href="/?{urlencode({"lang": lang})}">{escape(say("web_back_to_board", lang))}</a>'
            f'<a href="{escape(switch)}">{escape(say("web_switch_lang", lang))}</a></div>')


def signin_page(*, lang: str, token: str, next_path: str, username: str = "",
                error: str | None = None) -> str:
    notice = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (f"<h1>{escape(say('web_signin_heading', lang))}</h1>"
            f"<p>{escape(say('web_signin_intro', lang))}</p>{notice}"
            f'<form method="post" action="/auth/signin">'
            f"{_hidden('token', token)}{_hidden('next', next_path)}{_hidden('lang', lang)}"
            f'<label for="username">{escape(say("web_username", lang))}</label>'
            f'<input type="text" id="username" name="username" value="{escape(username)}" '
            f'autocomplete="username" autocapitalize="none" required autofocus maxlength="64">'
            f'<label for="password">{escape(say("web_password", lang))}</label>'
            f'<input type="password" id="password" name="password" autocomplete="current-password" '
            f'required maxlength="1024">'
            f'<button type="submit">{escape(say("web_signin_button", lang))}</button></form>'
            f"{_links(lang, '/auth/signin', next_path)}")
    return _page(say("web_signin_title", lang), body, lang)


def signout_page(*, lang: str, token: str | None) -> str:
    if token is None:
        body = (f"<h1>{escape(say('web_signed_out_already', lang))}</h1>"
                f"{_links(lang, '/auth/signout', '/')}")
    else:
        body = (f"<h1>{escape(say('web_signout_heading', lang))}</h1>"
                f'<form method="post" action="/auth/signout">'
                f"{_hidden('token', token)}{_hidden('lang', lang)}"
                f'<button type="submit">{escape(say("web_signout_button", lang))}</button></form>'
                f"{_links(lang, '/auth/signout', '/')}")
    return _page(say("web_signout_title", lang), body, lang)


def refusal_page(message: str, *, lang: str) -> str:
    body = f'<p class="error" role="alert">{escape(message)}</p>{_links(lang, "/auth/signin", "/")}'
    return _page(say("web_signin_title", lang), body, lang)
