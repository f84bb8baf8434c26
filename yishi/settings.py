"""Deployment settings, read from the environment at the moment they are needed.

One place for every knob an operator turns (session lifetimes, the cookie's Secure flag,
the signing key), so the README's table and the code cannot drift apart.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from datetime import timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yishi import datasets


def _number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError:
        raise ValueError(f"${name} must be a number, not {value!r}") from None


def session_idle() -> timedelta:
    """A session unused this long ends (YISHI_SESSION_IDLE_HOURS, default 8)."""
    return timedelta(hours=_number("YISHI_SESSION_IDLE_HOURS", 8))


def session_max_age() -> timedelta:
    """A session ends this long after sign-in however busy (YISHI_SESSION_MAX_DAYS, default 7)."""
    return timedelta(days=_number("YISHI_SESSION_MAX_DAYS", 7))


def cookie_secure() -> bool | None:
    """YISHI_COOKIE_SECURE=1 forces the Secure flag, 0 forbids it; unset: set it when the
    request came over HTTPS (as the proxy reports it)."""
    value = os.environ.get("YISHI_COOKIE_SECURE", "").strip().lower()
    return None if not value else value in ("1", "true", "yes")


def public_origin() -> str | None:
    """The site's own origin as browsers see it (YISHI_PUBLIC_ORIGIN, e.g.
    https://yishi.example.gov.cn) when a proxy rewrites the Host header; else the Host is used."""
    return os.environ.get("YISHI_PUBLIC_ORIGIN", "").strip().rstrip("/") or None


def public_url() -> str:
    """The deployment's base URL as residents reach it (YISHI_PUBLIC_URL, default
    http://localhost:8501): what QR posters and links in answers point at, so it must be
    http(s) and is given without a trailing slash."""
    value = os.environ.get("YISHI_PUBLIC_URL", "").strip().rstrip("/") or "http://localhost:8501"
    try:
        parts = urlsplit(value)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port that is not a number
        ok = False
    if not ok or parts.query or parts.fragment or any(c.isspace() for c in value):
        raise ValueError(f"$YISHI_PUBLIC_URL must be an http:// or https:// address such as "
                         f"https://yishi.example.gov.cn, not {value!r}")
    return value


def secret_key() -> bytes:
    """The key that signs cookies and form tokens: $YISHI_SECRET_KEY, else a random key kept in
    a private file beside the default store (made on first use; delete it to sign everyone out)."""
    env = os.environ.get("YISHI_SECRET_KEY", "").strip()
    return env.encode() if env else _key_file(datasets.secret_key_path())


@cache
def _key_file(path: Path) -> bytes:
    """The key in `path`, made there first if missing; read once per process (every page run
    checks a cookie)."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48).encode()
    try:  # O_EXCL: two processes starting at once agree on the first key written
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


def timezone() -> ZoneInfo:
    """The time zone pages show times in (YISHI_TIMEZONE, an IANA name; default Asia/Shanghai):
    the store keeps UTC."""
    name = os.environ.get("YISHI_TIMEZONE", "").strip() or "Asia/Shanghai"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"$YISHI_TIMEZONE must name a time zone such as Asia/Shanghai, not {name!r}") \
            from None


def version() -> str:
    """The running code's version: $YISHI_VERSION, else the git commit of the working tree."""
    return os.environ.get("YISHI_VERSION", "").strip() or _git_commit()


@cache
def _git_commit() -> str:
    """The working tree's commit, asked of git once per process."""
    try:
        done = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=datasets.ROOT,
                              capture_output=True, text=True, timeout=5, check=True)
        return done.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


__all__ = ["cookie_secure", "public_origin", "public_url", "secret_key", "session_idle", "session_max_age",
           "timezone", "version"]
