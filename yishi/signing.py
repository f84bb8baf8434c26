"""Values the browser carries and must not forge: `sign` adds an HMAC, `unsign` checks it.

A session cookie and a form token are random values; signing them with the deployment's key
(`yishi.settings.secret_key`) means a tampered or made-up value is refused before the store is
asked, and a `purpose` keeps a value signed for one use from being replayed as another.

>>> unsign(sign("abc", "test", key=b"k"), "test", key=b"k")
'abc'
>>> unsign(sign("abc", "test", key=b"k"), "other", key=b"k") is None
True
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from yishi import settings


def _mac(value: str, purpose: str, key: bytes) -> str:
    digest = hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(value: str, purpose: str, *, key: bytes | None = None) -> str:
    """`value` with its signature for `purpose` ("value.signature"; value must not hold a dot)."""
    if "." in value:
        raise ValueError("a signed value cannot contain '.'")
    return f"{value}.{_mac(value, purpose, key or settings.secret_key())}"


def unsign(signed: str | None, purpose: str, *, key: bytes | None = None) -> str | None:
    """The value inside `signed` when its signature for `purpose` is right, else None."""
    value, dot, mac = (signed or "").rpartition(".")
    if not dot or not value:
        return None
    good = _mac(value, purpose, key or settings.secret_key())
    return value if hmac.compare_digest(good, mac) else None


def stamped(value: str, purpose: str) -> str:
    """A signed value that carries its time of issue (for tokens that must not live long)."""
    return sign(f"{value}-{int(time.time())}", purpose)


def unstamp(signed: str | None, purpose: str, *, max_age: float) -> str | None:
    """The value of a `stamped` token issued less than `max_age` seconds ago, else None."""
    inner = unsign(signed, purpose)
    if inner is None:
        return None
    value, _, issued = inner.rpartition("-")
    if not issued.isdigit() or not 0 <= time.time() - int(issued) <= max_age:
        return None
    return value
