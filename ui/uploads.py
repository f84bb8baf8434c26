"""Tables and maps for the upload page: the field guide, the problem report, ignored columns,
the preview map and the upload history (times local, through `ui.tables.local_times`)."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd

from geo.errors import Problem
from geo.ingest import Upload
from geo.ingest.templates import field_guide
from geo.schema import LAYERS, get_layer
from yishi.services.uploads import Checked
from ui import maps
from ui.i18n import t
from ui.maps.assets import localize
from ui.maps.layers import shapes
from ui.maps.payload import short
from ui.tables import local_times

#: Codes of the notes that belong in the main report, not only among the notes.
IGNORED = "unknown_field"
#: A column that feeds a derived field (where an issue falls): ignored too, the map sets it.
DERIVED = "derived_field"
SNIFFED = "format_sniffed"
#: The preview map shows at least this many degrees across (about 1 km): a lone point in
#: its community, not a 20 m view of nothing.
MIN_SPAN = 0.012


def guide_table(layer: str, lang: str) -> pd.DataFrame:
    """The field guide of `layer`: label, accepted column names, type, required, allowed values."""
    sep = "、" if lang == "zh" else ", "
    rows = field_guide(layer, lang)
    return pd.DataFrame({
        t("upl_guide_col_label", lang): [r.label for r in rows],
        t("upl_guide_col_names", lang): [sep.join(r.names) for r in rows],
        t("upl_guide_col_type", lang): [r.kind for r in rows],
        t("upl_guide_col_required", lang): [t("upl_yes" if r.required else "upl_no", lang) for r in rows],
        t("upl_guide_col_allowed", lang): [r.allowed for r in rows],
    })


def problem_table(problems: list[Problem], lang: str, upload: Upload | None = None) -> pd.DataFrame:
    """One row per problem: feature number (a spreadsheet's row), field, what is wrong and a
    hint, in `lang`."""
    zh = lang == "zh"
    where = t("upl_row" if upload is not None and upload.rows else "up_feature", lang)
    return pd.DataFrame({
        where: [t("up_whole_file", lang) if p.feature is None
                else upload.row_of(p.feature) if upload is not None else p.feature
                for p in problems],
        t("up_field", lang): [_field_label(p.field, upload, lang) for p in problems],
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


def _field_label(field: str | None, upload: Upload | None, lang: str) -> str:
    """A field of the layer by its label in `lang`; a column of the file as the file names it."""
    layer = LAYERS.get(upload.layer) if upload is not None else None
    if field and layer is not None and field in layer.field_names:
        return layer.get(field).label(lang)
    if field == "geometry":
        return t("upl_field_geometry", lang)
    return field or ""


def ignored_columns(notes: list[Problem], lang: str) -> pd.DataFrame:
    """The columns of the file no field uses, each with the closest known column (if any);
    a column of a derived field (an issue's community or compound) says the map sets it."""
    ignored = [n for n in notes if n.code in (IGNORED, DERIVED)]
    return pd.DataFrame({
        t("upl_ignored_column", lang): [n.field or "" for n in ignored],
        t("upl_ignored_hint", lang): [(n.message_zh if lang == "zh" else n.message) if n.code == DERIVED
                                      else (n.hint_zh if lang == "zh" else n.hint) or t("upl_ignored_none", lang)
                                      for n in ignored],
    })


def moved_text(checked: Checked, lang: str) -> str | None:
    """What a communities or compounds upload does to issues: how many move (None: none)."""
    return t("upl_moved", lang, n=checked.moved) if checked.moved else None


def history_table(history: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The uploads (`uploads.uploads_history`): when (local time), who, file, layer, counts and
    status, under headers and words in `lang`."""
    layer = history["layer"].map(lambda n: LAYERS[n].label(lang) if n in LAYERS else n)
    table = pd.DataFrame({
        "batch": history["batch_id"].astype(int), "at": local_times(history["at"]), "who": history["who"],
        "source": history["source"], "layer": layer,
        "new": history["n_new"].fillna(0).astype(int), "updated": history["n_updated"].fillna(0).astype(int),
        "rejected": history["n_rejected"].fillna(0).astype(int),
        "status": history["status"].map(lambda s: t(f"upl_status_{s}", lang)),
    })
    return table.rename(columns=lambda c: t(f"upl_col_{c}", lang))


def undo_label(history: pd.DataFrame, batch_id: int, lang: str) -> str:
    """How the undo choice names an upload: batch, file, layer and local time."""
    row = history[history["batch_id"] == batch_id].iloc[0]
    layer = LAYERS[row["layer"]].label(lang) if row["layer"] in LAYERS else row["layer"]
    at = local_times(pd.Series([row["at"]])).iloc[0]
    source = str(row["source"])
    source = source if len(source) <= 40 else source[:39] + "…"
    return t("upl_undo_option", lang, batch=batch_id, source=source, layer=layer, at=at)


def preview_map(checked: Checked, statuses: Sequence[str], *, subdistrict: gpd.GeoDataFrame,
                communities: gpd.GeoDataFrame, lang: str) -> folium.Map:
    """The upload's features coloured by what importing would do, over the community outlines
    (thin grey, named on hover) and the subdistrict's, for context."""
    upload = checked.upload
    m = maps.preview_map(upload.frame, statuses=statuses,
                         label_field="title" if upload.layer == "issues" else "name",
                         outline=subdistrict, lang=lang)
    if communities is not None and len(communities):
        outlines = communities[["name", "geometry"]]
        tips = [short(n) for n in outlines["name"]]
        table = [{"color": "#607d8b", "weight": 1, "fill": False}]
        shapes(outlines, tips, [0] * len(outlines), table, "none", name=t("upl_communities", lang),
               interactive=False).add_to(m)
        localize(m)
    if len(upload.frame):  # a few points close together: show their neighbourhood, not 20 m
        minx, miny, maxx, maxy = upload.frame.total_bounds
        pad_x, pad_y = max(0.0, MIN_SPAN - (maxx - minx)) / 2, max(0.0, MIN_SPAN - (maxy - miny)) / 2
        m.fit_bounds([[miny - pad_y, minx - pad_x], [maxy + pad_y, maxx + pad_x]])
    return m
