"""The accounts page's table and pickers: every account as a person reads it (labelled columns in
the reader's language, names instead of codes, "—" for nothing, times in local time), and the
CPPCC member records a member account may be linked to."""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo.schema import CPPCC_ROLES
from geo.values import is_blank
from ui import auth
from ui.i18n import t
from ui.tables import local_times, text

#: The table's columns: (word key, how a stored account row becomes the cell).
_COLUMNS = ("username", "name", "role", "community", "member", "status", "failed", "locked", "created")


def cppcc_members(members: pd.DataFrame, community_names: dict[str, str]) -> dict[str, str]:
    """The CPPCC member records a member account may stand for: id -> "name · linked community"."""
    cppcc = members[members["role"].isin(CPPCC_ROLES)].sort_values("member_id")
    return {m["member_id"]: " · ".join(text(v) for v in (m["name"], community_names.get(m["linked_community_id"]))
                                       if not is_blank(v))
            for m in cppcc.to_dict("records")}


def account_table(users: pd.DataFrame, community_names: dict[str, str], member_names: dict[str, str],
                  lang: str) -> pd.DataFrame:
    """Every account (no password hash) with labelled columns, in `lang`."""
    def cell(row: dict, column: str) -> Any:
        if column == "username":
            return text(row["username"])
        if column == "name":
            return text(row.get("display_name"))
        if column == "role":
            return auth.role_label(row["role"], lang)
        if column == "community":
            return text(community_names.get(row.get("community_id"), row.get("community_id")))
        if column == "member":
            return text(member_names.get(row.get("member_id"), row.get("member_id")))
        if column == "status":
            return t("acc_disabled" if row.get("disabled") else "acc_enabled", lang)
        if column == "failed":
            return int(row.get("failed_count") or 0)
        return local_times(pd.Series([row.get("locked_until" if column == "locked" else "created_at")])).iloc[0]

    records = users.to_dict("records")
    return pd.DataFrame({t(f"acc_col_{c}", lang): [cell(r, c) for r in records] for c in _COLUMNS})
