"""Cross-site safety and throttling for the routes that write (sign-in, sign-out).

A browser sends `Origin` (or at least `Referer`) with a form POST; one naming another site is
refused, so a page elsewhere cannot sign a user in or out. `next=` targets are paths on this
site only (no open redirect). Failed sign-ins are also counted per client address in the
server process, so one address cannot try many accounts each below the per-account limit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request

from yishi import settings
from yishi.services.accounts import wait_after

#: Failures from one address, on any accounts, before it must wait (per account and address
#: the limit is 5; an office behind one NAT address has many people, so this is higher).
ADDRESS_FREE_FAILURES = 20


def own_origin(request: Request) -> str:
    """This site's origin as the browser sees it (YISHI_PUBLIC_ORIGIN behind a proxy)."""
    configured = settings.public_origin()
    if configured:
        return configured
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url


def same_origin(request: Request) -> bool:
    """False when Origin or Referer names another site (or the opaque "null" origin)."""
    mine = own_origin(request)
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == mine
    referer = request.headers.get("referer")
    return referer is None or _origin_of(referer) == mine


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this site ("/issue?issue=I0067"), else `default`.

    Refuses absolute URLs, scheme-relative ("//evil.example"), backslash tricks and control
    characters, which browsers would follow to another host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def is_https(request: Request) -> bool:
    forced = settings.cookie_secure()
    if forced is not None:
        return forced
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto.split(",")[0].strip() == "https"


@dataclass
class _Record:
    failures: int = 0
    until: float = 0.0
    last: float = 0.0


class AddressThrottle:
    """Failed sign-ins per client address, in this server process (thread-safe)."""

    def __init__(self, free: int = ADDRESS_FREE_FAILURES, *, keep: int = 10_000):
        self.free = free
        self.keep = keep
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def wait(self, address: str) -> int:
        """Seconds this address must still wait before its next attempt (0: go ahead)."""
        now = time.time()
        with self._lock:
            record = self._records.get(address)
            return int(record.until - now) + 1 if record and record.until > now else 0

    def failed(self, address: str) -> None:
        now = time.time()
        with self._lock:
            if len(self._records) >= self.keep:
                self._forget(now)
            record = self._records.setdefault(address, _Record())
            record.failures += 1
            record.last = now
            wait = wait_after(record.failures, self.free).total_seconds()
            record.until = now + wait if wait else 0.0

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._records.pop(address, None)

    def _forget(self, now: float) -> None:
        """Drop the records of addresses quiet for an hour (bounded memory)."""
        for address in [a for a, r in self._records.items() if now - r.last > 3600 and r.until < now]:
            del self._records[address]


#: The server's one throttle (routes share it; tests make their own).
THROTTLE = AddressThrottle()
