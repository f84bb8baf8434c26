"""操作记录 Audit log (admins): every write and sign-in the store recorded, newest first, in local time."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from geo.schema import LAYERS
from geo.words import CATALOGUE
from yishi import settings
from ui import auth, data
from ui.i18n import t
from ui.shell import header
from ui.tables import local_times

#: How many of the latest audit rows the page reads.
LIMIT = 2000

lang = header("nav_audit")
auth.require("manage_accounts")
st.caption(t("aud_intro", tz=settings.timezone().key))


def _action(code: str) -> str:
    key = f"aud_action_{code}"
    return t(key, lang) if key in CATALOGUE else code


def _detail(text: object) -> str:
    """The audit row's detail as short "key: value" pairs (the batch, counts, the file...)."""
    try:
        detail = json.loads(str(text)) if text else {}
    except ValueError:
        return str(text)
    if not isinstance(detail, dict):
        return str(detail)
    return ", ".join(f"{k}: {v}" for k, v in detail.items() if not isinstance(v, (dict, list)))[:200]


with data.open_store() as store:
    trail = store.audit_trail(limit=LIMIT)

log = pd.DataFrame({
    "at": local_times(trail["at"]),
    "who": trail["who"].astype(str),
    "action": trail["action"].map(_action),
    "layer": trail["layer"].map(lambda n: LAYERS[n].label(lang) if n in LAYERS
                                else t("aud_layer_users", lang) if n == "users" else (n or "")),
    "target": trail["target"].fillna("").astype(str),
    "count": trail["count"].map(lambda n: "" if pd.isna(n) else str(int(n))),
    "detail": trail["detail"].map(_detail),
})
left, right = st.columns(2)
actions = left.multiselect(t("aud_filter_action"), sorted(set(log["action"])), key="aud_action",
                           placeholder=t("bw_choose_option"))
people = right.multiselect(t("aud_filter_who"), sorted(set(log["who"])), key="aud_who",
                           placeholder=t("bw_choose_option"))
keep = pd.Series(True, index=log.index)
if actions:
    keep &= log["action"].isin(actions)
if people:
    keep &= log["who"].isin(people)
shown = log[keep]
st.caption(t("aud_shown", n=len(log), shown=len(shown)))
st.dataframe(shown.rename(columns=lambda c: t(f"aud_col_{c}", lang)), width="stretch", hide_index=True)
