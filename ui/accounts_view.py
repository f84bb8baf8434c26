"""The accounts page's table and pickers: every account as a person reads it (labelled columns in
the reader's language, names instead of codes, "—" for nothing, times in local time), and the
CPPCC member records a member account may be linked to."""

from __future__ import annotations


import pandas as pd

from geo.schema import CPPCC_ROLES
from geo.values import is_blank
from ui import auth
from ui.i18n import t
from ui.tables import local_times, text

def cppcc_members(members: pd.DataFrame, community_names: dict[str, str]) -> dict[str, str]:
    """The CPPCC member records a member account may stand for: id -> "name · linked community"."""
    cppcc = members[members["role"].isin(CPPCC_ROLES)].sort_values("member_id")
    return {m["member_id"]: " · ".join(text(v) for v in (m["name"], community_names.get(m["linked_community_id"]))
                                       if not is_blank(v))
            for m in cppcc.to_dict("records")}


def region_choices(regions: pd.DataFrame) -> dict[str, str]:
    """The region nodes an account may be scoped to, in tree order: code -> "name（code）"."""
    ordered = regions.sort_values("region_id")
    return {r: f"{text(n)}（{r}）" for r, n in zip(ordered["region_id"], ordered["name"])}


def account_table(users: pd.DataFrame, community_names: dict[str, str], member_names: dict[str, str],
                  lang: str, region_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Every account (no password hash) with labelled columns, in `lang`."""
    def named(ids: pd.Series, names: dict[str, str]) -> pd.Series:
        return ids.map(lambda i: text(names.get(i, i)))

    columns = {
        "username": users["username"].map(text),
        "name": users["display_name"].map(text),
        "role": users["role"].map(lambda r: auth.role_label(r, lang)),
        "region": users.get("region_id", pd.Series(None, index=users.index, dtype=object)).map(lambda r: text((region_names or {}).get(r, r)) if isinstance(r, str) and r
                                          else t("acc_whole_store", lang)),
        "community": named(users["community_id"], community_names),
        "member": named(users["member_id"], member_names),
        "status": users["disabled"].map(lambda d: t("acc_disabled" if d else "acc_enabled", lang)),
        "failed": users["failed_count"].fillna(0).astype(int),
        "locked": local_times(users["locked_until"]),
        "created": local_times(users["created_at"]),
    }
    return pd.DataFrame({t(f"acc_col_{c}", lang): v.to_list() for c, v in columns.items()})
