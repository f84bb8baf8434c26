"""How often one hand may write on the public pages: every limit of the residents' channel,
each defined once, and the sliding-window counter they share with the web routes.

Why here: the report form and the tracking page (ui) and the routes (web) must apply the same
numbers, and neither may import the other; both may import the services. The counters live
in the server process (a restart forgets them): they slow down a person or a script hammering
one form, they are no quota. Keys are a client's address, or a tracking code's hash; the
caller says which (`ui.resident_forms.client_key`).
"""

from __future__ import annotations

import threading
import time


class RateLimit:
    """At most `limit` events per key in any `window` seconds, in this server process
    (thread-safe); `hit` answers how long the key must wait, 0 when the event is allowed."""

    def __init__(self, limit: int, window: float, *, keep: int = 10_000):
        self.limit, self.window, self.keep = limit, window, keep
        self._events: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int:
        """Count an event of `key` and return 0, or return the seconds it must still wait
        (then nothing is counted)."""
        now = time.time()
        with self._lock:
            if len(self._events) >= self.keep:
                self._events = {k: v for k, v in self._events.items() if v and v[-1] > now - self.window}
            recent = [t for t in self._events.get(key, []) if t > now - self.window]
            if len(recent) >= self.limit:
                self._events[key] = recent
                return int(recent[0] + self.window - now) + 1
            self._events[key] = recent + [now]
            return 0

    def release(self, key: str) -> None:
        """Take back the last event of `key`: the attempt it counted wrote nothing because the
        input was refused (a resident correcting a typo is not hammering the form)."""
        with self._lock:
            events = self._events.get(key)
            if events:
                events.pop()

    def clear(self) -> None:
        """Forget every key (tests; a limit is per server process anyway)."""
        with self._lock:
            self._events.clear()


#: Residents' reports from one address: the 6th within an hour is refused, nothing written.
REPORTS = RateLimit(5, 3600)
#: "Me too"s from one address (one per issue per browser session is the page's own rule).
ME_TOO = RateLimit(10, 3600)
#: Ratings from one address, whichever code or printed link they come with.
RATINGS = RateLimit(10, 3600)
#: Rating attempts with one tracking code (one can succeed; the store refuses a second).
RATINGS_PER_CODE = RateLimit(3, 3600)
#: Tracking-code look-ups from one address: room for a family's codes, none for guessing.
LOOKUPS = RateLimit(20, 600)

#: Every limit of the residents' channel, for a test or an operator to clear.
PUBLIC: tuple[RateLimit, ...] = (REPORTS, ME_TOO, RATINGS, RATINGS_PER_CODE, LOOKUPS)
