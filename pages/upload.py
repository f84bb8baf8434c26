"""数据上传 Upload: what to upload (field guide, templates), validate a file, read the report,
preview the changes, commit all or nothing, see the uploads and undo one (after a second step)."""

from __future__ import annotations

import hashlib

import streamlit as st

from geo.errors import InputError, PermissionDenied, StoreBusy
from geo.ingest import DEFAULT_MAX_BYTES, SOURCE_CRS
from geo.ingest.templates import TEMPLATE_FORMATS, template, template_name
from geo.schema import UPLOADABLE, get_layer
from yishi import settings
from yishi.services import uploads
from ui import auth, data
from ui.i18n import choice, t
from ui.maps.widget import show_map
from ui.safe import md
from ui.shell import header
from ui.uploads import (DERIVED, IGNORED, SNIFFED, guide_table, history_table, ignored_columns, moved_text, preview_map,
                        preview_statuses, problem_table, undo_label)

_MIME = {"geojson": "application/geo+json", "csv": "text/csv",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_SHOWN = {"geojson": "GeoJSON", "csv": "CSV", "xlsx": "Excel"}


@st.cache_data(show_spinner=False, max_entries=32)
def _template(layer: str, fmt: str, lang: str) -> bytes:
    return template(layer, fmt, lang)


lang = header("nav_upload")
user = auth.require("upload")
st.caption(t("upl_intro"))

left, middle = st.columns(2)
with left:
    layer = choice(st.selectbox, t("up_layer"), UPLOADABLE, key="up_layer", lang=lang,
                   placeholder=t("bw_choose_option"), format_func=lambda name: get_layer(name).label(lang))
with middle:
    crs = choice(st.radio, t("up_crs"), SOURCE_CRS, key="up_crs", lang=lang, horizontal=True,
                 format_func=lambda code: t(f"up_crs_{code}", lang))
with st.expander(t("upl_guide_title", layer=get_layer(layer).label(lang)), icon=":material/table_view:",
                 expanded=st.session_state.get("up_file") is None):
    st.caption(t("upl_guide_caption"))
    with st.container(key="upl_guide"):
        st.table(guide_table(layer, lang), hide_index=True)
    st.write(t("upl_templates"))
    for column, fmt in zip(st.columns(len(TEMPLATE_FORMATS)), TEMPLATE_FORMATS):
        column.download_button(t("upl_template_button", fmt=_SHOWN[fmt]), _template(layer, fmt, lang),
                               file_name=template_name(layer, fmt, lang), mime=_MIME[fmt],
                               key=f"upl_template_{fmt}", icon=":material/download:", on_click="ignore")
file = st.file_uploader(t("upl_file"), type=["geojson", "json", "zip", "gpkg", "csv", "tsv", "txt", "xlsx"],
                        key="up_file", help=t("up_file_help", mb=DEFAULT_MAX_BYTES // 2**20))

if file is not None:
    payload = file.getvalue()
    key = (hashlib.sha256(payload).hexdigest(), layer, crs)
    state = st.session_state.get("upload_state")
    if not state or state["key"] != key:
        progress = st.progress(0, text=t("up_reading"))
        upload = uploads.read(payload, filename=file.name, layer=layer, source_crs=crs)
        progress.progress(60, text=t("up_previewing"))
        with data.open_store() as store:
            checked = uploads.check(store, upload, source=file.name, user=user)
        progress.progress(100, text=t("up_ready"))
        progress.empty()
        state = {"key": key, "checked": checked, "done": None}
        st.session_state["upload_state"] = state

    checked = state["checked"]
    upload, preview = checked.upload, checked.preview
    st.subheader(t("up_report"))
    st.write(t("up_counts", n=upload.n_features, valid=len(upload.frame),
               problems=len(upload.problems)))
    for note in (n for n in upload.notes if n.code == SNIFFED):
        st.info(md(note.message_zh if lang == "zh" else note.message), icon=":material/info:")
    if upload.problems:
        st.error(t("up_rejected"))
        st.dataframe(problem_table(upload.problems, lang, upload), width="stretch", hide_index=True)
    ignored = ignored_columns(upload.notes, lang)
    if len(ignored):
        st.warning(t("upl_ignored", n=len(ignored)))
        st.table(ignored, hide_index=True)
    notes = [n for n in upload.notes if n.code not in (IGNORED, DERIVED, SNIFFED)]
    if notes:
        with st.expander(t("up_notes", n=len(notes))):
            st.dataframe(problem_table(notes, lang, upload), width="stretch", hide_index=True)

    if preview is not None:
        st.subheader(t("up_preview"))
        cols = st.container(key="yishi-kpis-upload").columns(4)  # a 2 x 2 grid on phones (phone.css)
        for column, (name, ids) in zip(cols, (("new", preview.new), ("updated", preview.updated),
                                              ("unchanged", preview.unchanged), ("rejected_n", upload.rejected))):
            column.metric(t(f"up_{name}"), len(ids))
        if moved := moved_text(checked, lang):
            st.info(moved, icon=":material/moving:")
        snap = data.snapshot(issue_ids=())  # the outlines around the points
        show_map(preview_map(checked, preview_statuses(checked), subdistrict=snap.subdistrict,
                             communities=snap.communities, lang=lang),
                 key="upload_map", height=480, returned_objects=[], lang=lang)
        st.caption(t("upl_preview_context"))
        changes = checked.changes
        if not upload.ok:
            pass  # the report above says why nothing can be imported
        elif state["done"]:
            st.success(state["done"])
        elif changes == 0:
            st.info(t("up_nothing"))
        elif st.button(t("up_confirm", n=changes), type="primary", key="up_confirm"):
            auth.require("upload")
            bar = st.progress(0, text=t("up_writing"))
            try:
                with data.open_store() as store:
                    result = uploads.commit(store, upload, source=checked.source, user=user)
            except StoreBusy:
                st.warning(t("up_busy"))
            except (InputError, PermissionDenied) as exc:
                st.error(md(exc.text(lang)))
            else:
                bar.progress(100)
                state["done"] = t("up_committed", batch=result.batch_id, new=len(result.new),
                                  updated=len(result.updated))
                st.rerun()

st.subheader(t("up_history"))
done = st.session_state.pop("up_undo_done", None)
if done:
    st.success(done)
with data.open_store() as store:
    history = uploads.uploads_history(store)
st.caption(t("upl_history_caption", tz=settings.timezone().key))
if history.empty:
    st.info(t("upl_history_empty"))
else:
    st.dataframe(history_table(history, lang), width="stretch", hide_index=True)
committed = uploads.undoable(history)
if committed:
    st.markdown(f"#### {t('upl_undo_title')}")
    batch_id = st.selectbox(t("upl_undo_pick"), committed, key="up_undo_id",
                            format_func=lambda b: undo_label(history, b, lang))
    if st.session_state.get("up_undo_pending") != batch_id:
        if st.button(t("upl_undo_start"), key="up_undo_start", icon=":material/undo:"):
            st.session_state["up_undo_pending"] = batch_id
            st.rerun()
    else:  # the second, explicit step: say what will go, then ask
        row = history[history["batch_id"] == batch_id].iloc[0]
        with st.container(border=True, key="up_undo_confirm"):
            st.warning(md(t("upl_undo_question", batch=batch_id, source=row["source"],
                            new=int(row["n_new"] or 0), updated=int(row["n_updated"] or 0))),
                       icon=":material/warning:")
            yes, no = st.columns(2)
            if yes.button(t("upl_undo_yes"), type="primary", key="up_undo_yes",
                          icon=":material/delete_forever:", width="stretch"):
                auth.require("upload")
                st.session_state.pop("up_undo_pending", None)
                try:
                    with data.open_store() as store:
                        undone = uploads.undo_upload(store, int(batch_id), user=user)
                except (InputError, StoreBusy) as exc:
                    st.error(md(exc.text(lang)))
                else:
                    st.session_state.pop("upload_state", None)
                    st.session_state["up_undo_done"] = t("upl_undone", batch=undone.batch_id,
                                                         removed=undone.removed, restored=undone.restored)
                    st.rerun()
            if no.button(t("upl_undo_no"), key="up_undo_no", width="stretch"):
                st.session_state.pop("up_undo_pending", None)
                st.rerun()
