"""Issue filters and the shareable URL: unknown or stale values are dropped, never raised."""

from __future__ import annotations

from datetime import date

import pandas as pd

from geo.filters import IssueFilter, from_query

ISSUES = pd.DataFrame({
    "issue_id": ["I1", "I2", "I3"], "category": ["parking", "water", "water"],
    "focus": ["livelihood", "livelihood", "hard_case"], "stage": ["done", "implementing", "meeting"],
    "community_id": ["A", "B", "B"], "reported_on": ["2021-01-01", "2022-01-01", "2022-05-01"],
    "due_on": [None, "2022-03-01", None],
})
TODAY = date(2022, 6, 17)


def test_criteria_combine():
    f = IssueFilter(categories=("water",), communities=("B",), date_from=date(2022, 2, 1))
    assert f.apply(ISSUES, TODAY)["issue_id"].tolist() == ["I3"]
    assert IssueFilter(overdue_only=True).apply(ISSUES, TODAY)["issue_id"].tolist() == ["I2"]
    assert len(IssueFilter().apply(ISSUES, TODAY)) == 3


def test_query_round_trip():
    f = IssueFilter(categories=("water", "parking"), stages=("done",), communities=("B",),
                    date_from=date(2021, 1, 1), date_to=date(2022, 1, 1), overdue_only=True)
    parsed, dropped = from_query(f.to_query(), ["A", "B"])
    assert parsed == f and dropped == []


def test_unknown_and_stale_values_are_dropped_and_listed():
    params = {"categories": "water,<script>", "communities": "Z", "date_from": "yesterday",
              "overdue_only": "maybe", "stages": "done"}
    parsed, dropped = from_query(params, ["A", "B"])
    assert parsed == IssueFilter(categories=("water",), communities=(), stages=("done",))
    assert set(dropped) == {"categories=<script>", "communities=Z", "date_from=yesterday",
                            "overdue_only=maybe"}


def test_reversed_dates_are_dropped():
    parsed, dropped = from_query({"date_from": "2022-05-01", "date_to": "2021-01-01"}, [])
    assert (parsed.date_from, parsed.date_to) == (None, None) and len(dropped) == 1
