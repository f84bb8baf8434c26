"""What the overview asks the store: the rows and counts of one view, never whole layers.

A view is the leader's filter (`geo.filters.IssueFilter`), the region node picked (or the
account's own), and the store's today. `issue_where` turns it into the one `Where` every
query of the page uses (figures, charts, tables, the map's viewport), so they always agree.
"""

from __future__ import annotations

from datetime import date

from geo.filters import IssueFilter
from geo.schema import OPEN_STAGES
from yishi.accounts import User
from yishi.storage import Where


def region_of(user: User | None, picked: str | None) -> str | None:
    """The region node a view covers: the one picked when it lies in the account's own (NBS
    codes nest by prefix), else the account's own node (None: the whole store)."""
    own = user.region_id if user is not None else None
    if picked and (own is None or picked.startswith(own)):
        return picked
    return own


def issue_where(view: IssueFilter, today: date, region_id: str | None = None) -> Where:
    """The issues a view shows: every criterion of the filter (dates compare with reported_on;
    overdue means still open and due before today) within the region node."""
    any_of = {column: chosen for column, chosen in (
        ("category", view.categories), ("focus", view.focus), ("stage", view.stages),
        ("community_id", view.communities)) if chosen}
    below = {}
    if view.overdue_only:
        allowed = tuple(s for s in (view.stages or OPEN_STAGES) if s in OPEN_STAGES)
        any_of["stage"] = allowed
        below["due_on"] = today.isoformat()
    between = {}
    if view.date_from or view.date_to:
        between["reported_on"] = (view.date_from.isoformat() if view.date_from else None,
                                  view.date_to.isoformat() if view.date_to else None)
    prefix = {"subdistrict_id": (region_id,)} if region_id else {}
    return Where(any_of=any_of, between=between, below=below, prefix=prefix)
