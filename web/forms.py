"""Per-form tokens for the routes that write, so another site cannot post our forms.

Sign-in (no session yet) uses a double submit: the form page sets a random nonce in an
HttpOnly, SameSite=Strict cookie and puts a signed, time-stamped copy in the form; the POST
must bring both, matching. Sign-out's token is bound to the session it ends
(`yishi.services.sessions.form_token`), so pages can draw that form from the cookie alone.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs

from starlette.requests import Request

from yishi import signing

#: The sign-in form's nonce cookie (only sent to /auth).
NONCE_COOKIE = "yishi_form"
#: How long a drawn form stays valid.
MAX_AGE = 3600


def signin_nonce() -> str:
    return secrets.token_urlsafe(18)


def signin_token(nonce: str) -> str:
    return signing.stamped(nonce, "form:signin")


def signin_token_ok(token: str | None, nonce: str | None) -> bool:
    value = signing.unstamp(token, "form:signin", max_age=MAX_AGE)
    return bool(value and nonce and hmac.compare_digest(value, nonce))


async def read_form(request: Request, *, max_body: int = 16_384, max_fields: int = 20) -> dict[str, str] | None:
    """A form-encoded body (the first value of each field), or None when it is larger than
    `max_body` bytes (read no further), holds more than `max_fields` fields or is not UTF-8."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:
            return None
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=max_fields)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0] for k, v in fields.items()}
