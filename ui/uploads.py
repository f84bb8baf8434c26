"""Tables for the upload page: the problem report, preview statuses and the batch history."""

from __future__ import annotations

import pandas as pd

from geo.errors import Problem
from geo.schema import get_layer
from yishi.services.uploads import Checked
from ui.i18n import t


def problem_table(problems: list[Problem], lang: str) -> pd.DataFrame:
    """One row per problem: feature number, field, what is wrong and a hint, in `lang`."""
    zh = lang == "zh"
    return pd.DataFrame({
        t("up_feature", lang): [p.feature if p.feature is not None else t("up_whole_file", lang)
                                for p in problems],
        t("up_field", lang): [p.field or "" for p in problems],
        t("up_problem", lang): [p.message_zh if zh else p.message for p in problems],
        t("up_hint", lang): [(p.hint_zh if zh else p.hint) or "" for p in problems],
    }).astype(str)


def preview_statuses(checked: Checked) -> list[str]:
    """new / updated / unchanged for each valid row of a checked upload, by id (map colours)."""
    frame, preview = checked.upload.frame, checked.preview
    if preview is None:
        return []
    id_field = get_layer(checked.upload.layer).id_field
    status = {**{i: "unchanged" for i in preview.unchanged}, **{i: "updated" for i in preview.updated},
              **{i: "new" for i in preview.new}}
    return [status.get(i, "unchanged") for i in frame[id_field]]


def history_table(history: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Import batches with translated headers and status words."""
    table = history[["batch_id", "at", "who", "action", "layer", "source", "status",
                     "n_new", "n_updated", "n_unchanged", "n_rejected"]].copy()
    table["status"] = table["status"].map(lambda s: t(f"up_status_{s}", lang))
    return table.rename(columns=lambda c: t(f"up_col_{c}", lang))
