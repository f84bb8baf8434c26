"""Issue tables for display and download: allow-listed columns, translated headers and values."""

from __future__ import annotations

import pandas as pd

from geo.export import to_csv_text
from geo.schema import CATEGORIES, FOCUS_AREAS, METHODS, STAGES
from ui.i18n import enum_label, field_label

#: The columns a table of issues shows, in order (never the reporter's personal data).
ISSUE_COLUMNS = ("issue_id", "title", "category", "focus", "stage", "community", "reported_on",
                 "due_on", "done_on", "responsible_unit", "satisfaction")
_ENUMS = {"category": CATEGORIES, "focus": FOCUS_AREAS, "stage": STAGES, "method": METHODS}


def community_names(communities: pd.DataFrame) -> dict[str, str]:
    return dict(zip(communities["community_id"], communities["name"]))


def issue_table(issues: pd.DataFrame, communities: pd.DataFrame, lang: str,
                columns: tuple[str, ...] = ISSUE_COLUMNS, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Issues as a display table: enum codes as labels, community names, translated headers."""
    names = community_names(communities)
    frame = pd.DataFrame(index=issues.index)
    for column in (*columns, *extra):
        if column == "community":
            frame[column] = issues["community_id"].map(names)
        elif column in _ENUMS:
            frame[column] = issues[column].map(lambda c, e=_ENUMS[column]: enum_label(e, c, lang))
        else:
            frame[column] = issues[column]
    frame = frame.rename(columns=lambda c: field_label("issues", c, lang) if c != "community"
                         else field_label("communities", "name", lang))
    return frame.reset_index(drop=True)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """CSV for download (UTF-8 with BOM for spreadsheet tools; formula cells neutralised)."""
    return to_csv_text(table).encode("utf-8-sig")
