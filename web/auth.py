"""Sign-in and sign-out: HTML forms posted to routes, because only an HTTP response can set
the HttpOnly session cookie a Streamlit page then reads (`st.context.cookies`).

POST /auth/signin: same-origin and form token checked, the address throttle consulted, the
password checked against the store (argon2id; the account's own throttle counts there), then
a session starts and a signed, HttpOnly, SameSite=Strict cookie is set (Secure over HTTPS),
and the browser goes to `next` (a path on this site). POST /auth/signout ends the session.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from geo.errors import StoreUnusable, YishiError
from geo.words import LANGS, base, say
from yishi import settings
from yishi.services import sessions
from yishi.services.accounts import SignInRefused, authenticate
from yishi.storage import open_store
from web import forms, html
from web.security import THROTTLE, client_address, is_https, safe_next, same_origin

log = logging.getLogger(__name__)
#: A sign-in form is small; anything bigger is not ours.
MAX_BODY = 16_384
_NO_STORE = {"Cache-Control": "no-store"}


def _lang(value: str | None) -> str:
    """The page's language: `lang=` as the app's links carry it, else Chinese (as the app)."""
    return value if value in LANGS else "zh"


def _session_cookie(response: Response, value: str, request: Request) -> None:
    response.set_cookie(sessions.COOKIE, value, max_age=int(settings.session_max_age().total_seconds()),
                        path="/", httponly=True, samesite="strict", secure=is_https(request))


def _page(content: str, status: int = 200, **headers: str) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers={**_NO_STORE, **headers})


def _signed_in(request: Request) -> bool:
    cookie = request.cookies.get(sessions.COOKIE)
    if not cookie or sessions.session_hash(cookie) is None:
        return False
    try:
        with open_store() as store:
            return sessions.resolve(store, cookie) is not None
    except YishiError:  # the form still opens; signing in then says what is wrong
        return False


async def signin_page(request: Request) -> Response:
    """GET: the form (or straight on to `next` when this browser is signed in already)."""
    lang = _lang(request.query_params.get("lang"))
    next_path = safe_next(request.query_params.get("next"))
    if await run_in_threadpool(_signed_in, request):
        return RedirectResponse(next_path, status_code=303, headers=_NO_STORE)
    return _form_response(lang, next_path)


def _form_response(lang: str, next_path: str, *, username: str = "", error: str | None = None,
                   status: int = 200, **headers: str) -> Response:
    nonce = forms.signin_nonce()
    response = _page(html.signin_page(lang=lang, token=forms.signin_token(nonce), next_path=next_path,
                                      username=username, error=error), status, **headers)
    response.set_cookie(forms.NONCE_COOKIE, nonce, max_age=forms.MAX_AGE, path="/auth",
                        httponly=True, samesite="strict")
    return response


async def signin(request: Request) -> Response:
    """POST: check the form, the throttles and the password; start a session."""
    fields = await forms.read_form(request, max_body=MAX_BODY) or {}
    lang = _lang(fields.get("lang"))
    if not same_origin(request):
        return _page(html.refusal_page(say("web_foreign_origin", lang), lang=lang), 403)
    next_path = safe_next(fields.get("next"))
    username = fields.get("username", "")[:64]
    if not forms.signin_token_ok(fields.get("token"), request.cookies.get(forms.NONCE_COOKIE)):
        return _form_response(lang, next_path, username=username, error=say("web_form_expired", lang),
                              status=403)
    address = client_address(request)
    wait = THROTTLE.wait(address)
    if wait:
        return _form_response(lang, next_path, username=username, status=429, **{"Retry-After": str(wait)},
                              error=say("web_address_throttled", lang, seconds=wait))
    return await run_in_threadpool(_check, request, lang, next_path, username,
                                   fields.get("password", ""), address)


def _check(request: Request, lang: str, next_path: str, username: str, password: str,
           address: str) -> Response:
    try:
        with open_store() as store:
            user = authenticate(store, username, password, address=address)
            cookie = sessions.start(store, user, user_agent=request.headers.get("user-agent", ""),
                                    address=address)
            sessions.sweep(store)
    except SignInRefused as refused:
        THROTTLE.failed(address)
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
        return _form_response(lang, next_path, username=username, error=refused.text(base(lang)),
                              status=429 if refused.retry_after else 401, **headers)
    except YishiError as exc:  # a store that is busy, missing, full, read-only or damaged
        log.warning("sign-in could not use the store: %s", exc.text("en"))  # paths stay in the log
        error = exc.public.text(base(lang)) if isinstance(exc, StoreUnusable) \
            else say("web_store_unavailable", lang)
        return _form_response(lang, next_path, username=username, status=503, error=error)
    THROTTLE.succeeded(address)
    response = RedirectResponse(next_path, status_code=303, headers=_NO_STORE)
    _session_cookie(response, cookie, request)
    response.delete_cookie(forms.NONCE_COOKIE, path="/auth")
    return response


async def signout_page(request: Request) -> Response:
    """GET: a one-button form (a link alone must not sign anyone out)."""
    lang = _lang(request.query_params.get("lang"))
    token = sessions.form_token(request.cookies.get(sessions.COOKIE))
    return _page(html.signout_page(lang=lang, token=token))


async def signout(request: Request) -> Response:
    """POST: end this browser's session and clear its cookie."""
    fields = await forms.read_form(request, max_body=MAX_BODY) or {}
    lang = _lang(fields.get("lang"))
    if not same_origin(request):
        return _page(html.refusal_page(say("web_foreign_origin", lang), lang=lang), 403)
    cookie = request.cookies.get(sessions.COOKIE)
    if cookie and not sessions.form_token_ok(fields.get("token"), cookie):
        return _page(html.refusal_page(say("web_form_expired", lang), lang=lang), 403)
    if cookie:
        def end() -> None:
            with open_store() as store:
                sessions.end(store, cookie)
        await run_in_threadpool(end)
    response = RedirectResponse(f"/?lang={lang}", status_code=303, headers=_NO_STORE)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="strict",
                           secure=is_https(request))
    return response
