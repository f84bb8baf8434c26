"""No table shows a raw "None", "nan" or "NaT": a missing value is "—" on screen and an empty
cell in a CSV download."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pyarrow as pa
import pytest

from geo import stats
from geo.filters import IssueFilter
from tests.helpers import USERS, run_page
from ui import community_view
from ui.tables import MISSING, csv_bytes, dashed, issue_table
from yishi.services.snapshot import take_snapshot

RAW = {"None", "nan", "NaN", "NaT", "<NA>", "null", ""}


def _cells(frame: pd.DataFrame) -> list[str]:
    """Every cell as the grid draws it: a null is drawn as "None"."""
    return ["None" if v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)) else str(v)
            for v in frame.astype(object).to_numpy().ravel()]


def test_dashed_fills_every_kind_of_missing_and_keeps_full_columns_as_they_are():
    frame = pd.DataFrame({"score": [4.0, None], "days": pd.array([3, None], dtype="Int64"),
                          "when": pd.to_datetime(["2022-01-01", None]), "unit": ["x", "  "],
                          "full": [1, 2]})
    out = dashed(frame)
    assert out.loc[1, ["score", "days", "when", "unit"]].tolist() == [MISSING] * 4
    assert out.loc[0, ["score", "days", "unit"]].tolist() == ["4", "3", "x"]
    assert out["full"].dtype == frame["full"].dtype  # sorts as numbers still
    pa.Table.from_pandas(out)  # the grid's serialisation takes it without "automatic fixes"


def test_a_csv_download_writes_missing_as_an_empty_cell():
    frame = dashed(pd.DataFrame({"a": ["x", None], "b": [1.5, None]}))
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    assert rows == [["a", "b"], ["x", "1.5"], ["", ""]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_issue_tables_have_no_raw_missing_values(demo_store, lang):
    snap = take_snapshot(demo_store)
    table = issue_table(snap.issues, snap.communities, lang, extra=("venue_distance_m", "closed_reason"))
    assert snap.issues["done_on"].isna().any()  # the demo has gaps to show
    cells = _cells(table)
    assert not RAW & set(cells), RAW & set(cells)
    assert MISSING in cells


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_supervision_list_has_no_raw_missing_values(demo_store, lang):
    snap = take_snapshot(demo_store)
    todo = stats.supervision_list(snap.issues, snap.events, snap.today, days=community_view.STUCK_DAYS)
    assert todo["days_overdue"].isna().any()  # stuck but not overdue: no days overdue
    cells = _cells(community_view.supervision_table(todo, lang))
    assert not RAW & set(cells), RAW & set(cells)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_community_and_overview_pages_draw_no_raw_missing_values(demo_store_path, lang):
    """The grids as the pages send them: the supervision list of a community with a stuck issue
    that is not overdue, and the overview's tables under a filter that leaves no satisfaction."""
    pages = [run_page("community.py", USERS["member"], lang),
             run_page("overview.py", USERS["leader"], lang,
                      issue_filter=IssueFilter(stages=("collected",)))]
    for at in pages:
        frames = [df.value for df in at.dataframe]
        assert frames, "no table on the page"
        for frame in frames:
            cells = _cells(frame)
            assert not {"None", "nan", "NaN", "NaT", "<NA>"} & set(cells), (list(frame.columns), set(cells) & RAW)
    assert any(MISSING in _cells(df.value) for at in pages for df in at.dataframe)
