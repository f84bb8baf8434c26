"""The community page's "二维码海报" panel: staff pick a venue (or all), a paper size and a
format, and download the QR poster, or a zip of several. Drawn only for roles that may create
issues (staff): a poster invites residents to report, so whoever prints it answers for it.

The poster is made when the button is clicked (Streamlit runs the callable then, on its own
thread, with its own store connection), not on every run of the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import streamlit as st

from geo.errors import YishiError
from ui.i18n import choice, t
from yishi import storage
from yishi.accounts import User, can
from yishi.services import posters
from yishi.settings import public_url

SIZES = ("A4", "A5", "both")
FORMATS = ("png", "svg", "both")


def _maker(location: str, community_id: str, venue_id: str | None, size: str,
           fmt: str) -> Callable[[], bytes]:
    """The bytes to download, made at the click: one poster, or a zip."""
    def make() -> bytes:
        with storage.open_store(location) as store:
            if venue_id is None:
                return posters.all_posters(store, community_id, size=size, formats=fmt)
            info = posters.venue_info(store, venue_id)
        if "both" in (size, fmt):
            return posters.zip_posters([info], size=size, formats=fmt)
        return posters.render(info, size=size, fmt=fmt)
    return make


def poster_panel(user: User | None, community_id: str, venues: pd.DataFrame, lang: str) -> None:
    """The expander with the pickers and the download button (nothing for other roles)."""
    if not can(user, "create"):
        return
    with st.expander(t("poster_expander", lang), icon=":material/qr_code_2:", key="poster_panel"):
        st.caption(t("poster_help", lang))
        if venues.empty:
            st.caption(t("cm_no_venues", lang))
            return
        names = dict(zip(venues["venue_id"], venues["name"]))
        left, mid, right = st.columns([2, 1, 1])
        with left:
            venue_id = choice(st.selectbox, t("poster_pick_venue", lang), [None, *sorted(names)],
                              key="poster_venue", lang=lang,
                              format_func=lambda v: t("poster_all_venues", lang) if v is None
                              else f"{v} · {names[v]}")
        with mid:
            size = choice(st.radio, t("poster_size", lang), SIZES, key="poster_size", lang=lang,
                          format_func=lambda s: t("poster_both", lang) if s == "both" else s,
                          horizontal=True)
        with right:
            fmt = choice(st.radio, t("poster_format", lang), FORMATS, key="poster_format", lang=lang,
                         format_func=lambda f: t("poster_both", lang) if f == "both" else f.upper(),
                         horizontal=True)
        try:  # say what stops the poster now, not as a failed download
            public_url()
            if fmt != "svg":
                posters.cjk_font_file(False), posters.cjk_font_file(True)
        except ValueError as exc:
            st.error(str(exc))
            return
        except YishiError as exc:
            st.error(exc.text(lang))
            return
        one = venue_id is not None and "both" not in (size, fmt)
        stem = re.sub(r"[^A-Za-z0-9_-]", "_", str(venue_id or community_id))
        if one:
            file_name, mime = posters.file_name(venue_id, size, fmt), posters.MIME[fmt]
        else:
            file_name, mime = f"posters-{stem}-{size}-{fmt}.zip", posters.MIME["zip"]
        st.download_button(t("poster_download" if one else "poster_download_zip", lang),
                           _maker(storage.store_location(), community_id, venue_id, size, fmt),
                           file_name=file_name, mime=mime, key="poster_download",
                           icon=":material/download:", on_click="ignore")
