"""数据上传 Upload: validate a file, read the report, preview the changes, commit all or nothing, undo."""

from __future__ import annotations

import hashlib

import streamlit as st

from geo.errors import InputError, StoreBusy
from geo.ingest import DEFAULT_MAX_BYTES, SOURCE_CRS
from geo.schema import UPLOADABLE, get_layer
from yishi.services import uploads
from ui import auth, data, maps
from ui.i18n import t
from ui.maps.widget import show_map
from ui.safe import md
from ui.shell import header
from ui.uploads import history_table, preview_statuses, problem_table

lang = header("nav_upload")
user = auth.require("upload")
st.caption(t("up_intro"))

left, middle = st.columns(2)
layer = left.selectbox(t("up_layer"), UPLOADABLE, key="up_layer", placeholder=t("bw_choose_option"),
                       format_func=lambda name: get_layer(name).label(lang))
crs = middle.radio(t("up_crs"), SOURCE_CRS, key="up_crs", horizontal=True,
                   format_func=lambda code: t(f"up_crs_{code}", lang))
file = st.file_uploader(t("up_file"), type=["geojson", "json", "zip", "gpkg"], key="up_file",
                        help=t("up_file_help", mb=DEFAULT_MAX_BYTES // 2**20))

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
    if upload.problems:
        st.error(t("up_rejected"))
        st.dataframe(problem_table(upload.problems, lang), width="stretch", hide_index=True)
    if upload.notes:
        with st.expander(t("up_notes", n=len(upload.notes))):
            st.dataframe(problem_table(upload.notes, lang), width="stretch", hide_index=True)

    if preview is not None:
        st.subheader(t("up_preview"))
        cols = st.columns(4)
        for column, (name, ids) in zip(cols, (("new", preview.new), ("updated", preview.updated),
                                              ("unchanged", preview.unchanged), ("rejected_n", upload.rejected))):
            column.metric(t(f"up_{name}"), len(ids))
        snap = data.snapshot()
        statuses = preview_statuses(checked)
        show_map(maps.preview_map(upload.frame, statuses=statuses, label_field="name" if layer != "issues"
                                  else "title", outline=snap.subdistrict, lang=lang),
                 key="upload_map", height=420, returned_objects=[], lang=lang)
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
            except InputError as exc:
                st.error(md(exc.text(lang)))
            else:
                bar.progress(100)
                state["done"] = t("up_committed", batch=result.batch_id, new=len(result.new),
                                  updated=len(result.updated))
                st.rerun()

st.subheader(t("up_history"))
with data.open_store() as store:
    history = store.history()
st.dataframe(history_table(history, lang), width="stretch", hide_index=True)
committed = uploads.undoable(history)
if committed:
    with st.form("undo"):
        batch_id = st.selectbox(t("up_undo_batch"), committed, key="up_undo_id", placeholder=t("bw_choose_option"))
        if st.form_submit_button(t("up_undo")):
            auth.require("upload")
            try:
                with data.open_store() as store:
                    result = uploads.undo(store, int(batch_id), user=user)
            except (InputError, StoreBusy) as exc:
                st.error(md(exc.text(lang)))
            else:
                st.session_state.pop("upload_state", None)
                st.success(t("up_undone", batch=batch_id, n=len(result.updated)))
