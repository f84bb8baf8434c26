"""The figures leaders read, on small hand-made issue lists."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo import stats

TODAY = date(2022, 6, 17)


def issues(*rows):
    cols = ["issue_id", "stage", "reported_on", "consensus_on", "due_on", "done_on",
            "satisfaction", "community_id", "category"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


SAMPLE = issues(
    ("I1", "done", "2021-01-05", "2021-02-01", "2021-03-01", "2021-02-11", 5.0, "A", "parking"),
    ("I2", "done", "2021-03-05", "2021-03-10", "2021-06-01", "2021-04-09", 4.0, "A", "water"),
    ("I3", "implementing", "2022-01-05", "2022-02-01", "2022-05-01", None, None, "B", "water"),
    ("I4", "implementing", "2022-02-05", "2022-03-01", "2022-12-01", None, None, "B", "parking"),
    ("I5", "meeting", "2022-05-05", None, None, None, None, None, "other"),
    ("I6", "closed", "2021-05-05", None, "2021-06-01", None, None, "A", "other"),
)


def test_published_figures_count_consensus_as_implementing_plus_done():
    figures = stats.published_figures(SAMPLE, pd.DataFrame({"meeting_id": ["M1", "M2", "M3"]}))
    assert figures == {"meetings": 3, "consensus": 4, "implemented": 2, "in_progress": 2}


def test_overdue_is_past_due_and_still_open_only():
    late = stats.overdue(SAMPLE, TODAY)
    assert late["issue_id"].tolist() == ["I3"]
    assert late["days_overdue"].tolist() == [47]


def test_funnel_counts_issues_that_reached_each_stage():
    funnel = stats.funnel(SAMPLE).set_index("stage")
    assert funnel.loc["collected", "reached"] == 6
    assert funnel.loc["meeting", "reached"] == 5
    assert funnel.loc["consensus", "reached"] == 4
    assert funnel.loc["done", "reached"] == 2
    assert funnel.loc["meeting", "current"] == 1


def test_mean_days_from_consensus_to_done():
    assert stats.mean_days_consensus_to_done(SAMPLE) == pytest.approx((10 + 30) / 2)
    assert stats.mean_days_consensus_to_done(SAMPLE[SAMPLE["stage"] != "done"]) is None


def test_monthly_keeps_empty_months():
    frame = stats.monthly(SAMPLE).set_index("month")
    assert frame.loc["2021-02", "done"] == 1
    assert frame.loc["2021-08", "reported"] == 0
    assert frame.index[0] == "2021-01" and frame.index[-1] == "2022-05"


def test_per_community_compares_open_overdue_and_done():
    communities = pd.DataFrame({"community_id": ["A", "B", "C"], "name": ["甲", "乙", "丙"]})
    table = stats.per_community(SAMPLE, communities, TODAY).set_index("community_id")
    assert table.loc["A", ["total", "open", "done"]].tolist() == [3, 0, 2]
    assert table.loc["B", ["open", "overdue"]].tolist() == [2, 1]
    assert table.loc["C", "total"] == 0
    assert table.loc["A", "satisfaction"] == 4.5


def test_stuck_lists_open_issues_without_a_stage_change_for_30_days():
    events = pd.DataFrame({"issue_id": ["I3", "I4", "I5"], "at": ["2022-06-01", "2022-03-01", "2022-05-05"]})
    stuck = stats.stuck(SAMPLE, events, TODAY)
    assert sorted(stuck["issue_id"]) == ["I4", "I5"]


def test_supervision_list_gives_overdue_and_stuck_issues_with_their_reasons():
    events = pd.DataFrame({
        "issue_id": ["I3", "I4", "I4", "I5", "I1"],
        "at": ["2022-06-01", "2022-03-01", "2022-06-10", "2022-05-05", "2021-02-11"],
        "kind": ["stage", None, "note", "stage", "stage"],
    })
    todo = stats.supervision_list(SAMPLE, events, TODAY).set_index("issue_id")
    # I3 implementing past its due date (changed stage 16 days ago); I4 stuck since 2022-03-01
    # (the later note is no stage change); I5 at meeting for 43 days; done and closed never listed
    assert list(todo.index) == ["I3", "I4", "I5"]
    assert todo.loc["I3", "reasons"] == "implementing_overdue"
    assert (todo.loc["I3", "days_overdue"], todo.loc["I3", "days_in_stage"]) == (47, 16)
    assert todo.loc["I4", "reasons"] == "stuck" and todo.loc["I4", "days_in_stage"] == 108
    assert pd.isna(todo.loc["I4", "days_overdue"])
    assert todo.loc["I5", "reasons"] == "stuck" and todo.loc["I5", "days_in_stage"] == 43
    assert stats.supervision_list(SAMPLE, events, TODAY, days=60).index.size == 2  # I3, I4


def test_supervision_list_of_a_community_without_issues_is_empty():
    events = pd.DataFrame({"issue_id": ["I3"], "at": ["2022-06-01"], "kind": ["stage"]})
    todo = stats.supervision_list(SAMPLE.iloc[0:0], events, TODAY)
    assert todo.empty and {"days_overdue", "days_in_stage", "reasons"} <= set(todo.columns)
