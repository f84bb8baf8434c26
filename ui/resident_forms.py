"""The residents' report form 我要反映 (pages/report_issue.py), phone first: where (a compound or
venue from a searchable list, a tap on the map, or the phone's own position), what (a category
and a short description), optional contact (private: staff only), then "already reported
nearby?" offers to add a "me too" instead, and the tracking code once it is saved.

Every write goes through yishi.services.residents, which validates like an upload; this module
adds what only a page can: the limits per client (`yishi.services.limits`, one place for every
number), one "me too" per issue per browser session, and a honeypot. Resident text reaches the
page only escaped (`ui.safe.md`) or as widget values.

The client is its address (`client_key`). Streamlit gives no address for a connection from the
server's own machine, which is also what a reverse proxy on that machine looks like; then the
proxy's X-Forwarded-For (its last entry, the address the proxy saw) is used, and without one a
random id kept for this browser session: a local visitor who opens new sessions gets new keys,
which is acceptable for local use and the reason a public deployment sits behind a proxy.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from geo.errors import msg
from geo.schema import CATEGORIES, ISSUES, REPORT_CHARS, STAGES
from yishi.services import limits, residents
from yishi.services.snapshot import Snapshot
from ui import data, errors, forms, issue_view, maps
from ui.i18n import choice, enum_label, t
from ui.maps import nearby
from ui.maps.assets import localize
from ui.maps.widget import show_map
from ui.safe import max_chars, md

REPORT_FORM = "res_report"
POINT = "res_point"  # plain key: the report's (lon, lat), WGS84
PLACE = "res_place"  # plain key: the chosen list entry ("venue:V001", "compound:C001") or None
CATEGORY = "res_category"  # plain key: the category code (choice() keeps it across languages)
HONEYPOT = "res_website"  # a field no person sees; a script that fills every input fills it
#: The receipt of the last write, until "report another": (kind, issue_id, code).
RECEIPT = "_res_receipt"
_ME_TOO = "_res_me_too"  # issue ids this browser session said "me too" to
_CLIENT = "_res_client"
_URL_SEEN = "_res_url_seen"
_APPLIED = "_res_place_applied"
#: The widgets of an empty report form (set, not popped, after a save: see ui.forms).
REPORT_DEFAULTS: dict[str, Any] = {"res_description": "", "res_name": "", "res_phone": "", HONEYPOT: "",
                                   POINT: None, PLACE: None, CATEGORY: None, _APPLIED: None}
#: The picking map reports only where it was tapped.
PICK_RETURNED = ["last_clicked"]
#: Around a chosen place the map shows this much (degrees, a few hundred metres): the marker
#: is seen among its neighbours, and a second tap can set it right.
FOCUS_DEG = 0.003
#: Hides the honeypot from people and screen readers, yet leaves it in the page for scripts.
_HIDE_HONEYPOT = """<script>(() => {
  const hide = () => document.querySelectorAll(".st-key-res_website, .st-key-res_website input")
    .forEach(e => { e.setAttribute("aria-hidden", "true"); e.setAttribute("tabindex", "-1"); });
  hide(); setTimeout(hide, 300); setTimeout(hide, 1500);
})();</script>"""


# ------------------------------------------------------------------ who is writing, how often


def client_key() -> str:
    """The key the limits count this client under: its address, else this browser session's id
    (see the module's docstring for why and when)."""
    address = st.context.ip_address
    if not isinstance(address, str) or not address:  # None from the server's own machine
        forwarded = (st.context.headers or {}).get("X-Forwarded-For")
        address = forwarded.split(",")[-1].strip() if isinstance(forwarded, str) else ""
    if address:
        return f"ip:{address}"
    if _CLIENT not in st.session_state:
        st.session_state[_CLIENT] = uuid.uuid4().hex
    return f"session:{st.session_state[_CLIENT]}"


def minutes(wait_s: float) -> int:
    """A wait in whole minutes, at least 1 (what the refusal says)."""
    return max(1, math.ceil(wait_s / 60))


# ------------------------------------------------------------------ where


@dataclass(frozen=True)
class Place:
    """A compound or venue a resident may pick by name; `lon`, `lat` is where the report goes."""

    kind: str  # "venue" | "compound"
    place_id: str
    name: str
    lon: float
    lat: float

    def label(self, lang: str) -> str:
        return t(f"res_place_{self.kind}", lang, name=self.name)


def places(snap: Snapshot) -> dict[str, Place]:
    """Every venue and compound by its option key ("venue:V001"): a venue at its point, a
    compound at a point surely inside it."""
    found: dict[str, Place] = {}
    for kind, frame, id_field in (("venue", snap.venues, "venue_id"), ("compound", snap.compounds, "compound_id")):
        frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
        points = frame.geometry.representative_point()
        for pid, name, pt in zip(frame[id_field], frame["name"], points):
            found[f"{kind}:{pid}"] = Place(kind, str(pid), str(name), round(pt.x, 6), round(pt.y, 6))
    return found


def _choose(key: str | None, options: Mapping[str, Place]) -> None:
    place = options.get(key) if key else None
    st.session_state[PLACE] = key if place else None
    st.session_state[_APPLIED] = st.session_state[PLACE]
    if place:
        st.session_state[POINT] = (place.lon, place.lat)


def place_from_url(options: Mapping[str, Place]) -> None:
    """`?venue=V001` or `?compound=C001` (the QR posters' links) chooses that place, once per
    link: a later tap on the map is not undone by the next run."""
    asked = [f"{kind}:{st.query_params[kind]}" for kind in ("venue", "compound") if st.query_params.get(kind)]
    if asked and st.session_state.get(_URL_SEEN) != asked[0]:
        st.session_state[_URL_SEEN] = asked[0]
        if asked[0] in options:
            _choose(asked[0], options)


def place_picker(options: Mapping[str, Place], lang: str) -> None:
    """The searchable list of compounds and venues (st.selectbox filters as one types)."""
    keys = sorted(options, key=lambda k: (options[k].kind != "compound", options[k].name))
    chosen = choice(st.selectbox, t("res_place_pick", lang), keys, key=PLACE, lang=lang, index=None,
                    placeholder=t("res_place_search", lang), format_func=lambda k: options[k].label(lang))
    if chosen != st.session_state.get(_APPLIED):
        _choose(chosen, options)


def locate_button(basemap: str, lang: str) -> maps.MapControl:
    """"My location" on the map (ui/js/yishi-map.js `locate`): the phone's position becomes a tap
    there. Browsers offer it only on a secure page (HTTPS, or localhost); elsewhere the button
    is not drawn and the list or a tap remain."""
    return maps.MapControl("locate", {"label": t("res_locate", lang), "failed": t("res_locate_failed", lang),
                                      "gcj": basemap == "amap"})


@st.fragment
@errors.guarded  # a fragment's own rerun does not pass through the page's guard
def pick_map(snap: Snapshot, lang: str) -> None:
    """The map; a tap anywhere becomes the place (the whole page reruns to show it)."""
    basemap = choice(st.radio, t("basemap", lang), maps.BASEMAPS, key="res_basemap", lang=lang,
                     horizontal=True, format_func=lambda b: t(f"basemap_{b}", lang))
    point = st.session_state.get(POINT)
    focus = (point[0] - FOCUS_DEG, point[1] - FOCUS_DEG, point[0] + FOCUS_DEG, point[1] + FOCUS_DEG) if point else None
    compounds, venues = nearby.places_to_draw(snap.compounds, snap.venues, point)
    fmap = maps.build_map(subdistrict=snap.subdistrict, communities=snap.communities, compounds=compounds,
                          venues=venues, lang=lang, basemap=basemap, focus_bounds=focus)
    issue_view.add_point_marker(fmap, point, basemap)
    locate_button(basemap, lang).add_to(fmap)
    localize(fmap)  # the control's script too, from static/vendor
    clicked = show_map(fmap, key="res_map", height=420, returned_objects=PICK_RETURNED, lang=lang)
    where = issue_view.new_click(clicked, basemap)
    if where is not None:
        st.session_state[POINT] = (round(float(where[0]), 6), round(float(where[1]), 6))
        st.session_state[PLACE] = st.session_state[_APPLIED] = None  # the list no longer names it
        st.rerun(scope="app")


def place_caption(point: tuple[float, float] | None, options: Mapping[str, Place], snap: Snapshot,
                  lang: str) -> None:
    """Where the report will go, in words: the chosen name or "the point on the map", its
    community and compound, the nearest venue; a warning when it is outside the subdistrict."""
    if point is None:
        st.info(t("res_no_place", lang))
        return
    hit = issue_view.place_of(point, snap)
    chosen = options.get(st.session_state.get(PLACE) or "")
    parts = [md(chosen.label(lang)) if chosen else t("res_place_point", lang)]
    for layer, id_field in ((snap.communities, "community_id"), (snap.compounds, "compound_id")):
        names = layer.loc[layer[id_field] == hit.get(id_field), "name"]
        if len(names) and not (chosen and chosen.kind == "compound" and id_field == "compound_id"):
            parts.append(md(names.iloc[0]))
    venue = snap.venues.loc[snap.venues["venue_id"] == hit.get("venue_id"), "name"]
    if len(venue) and not (chosen and chosen.kind == "venue"):
        parts.append(t("res_place_near", lang, venue=md(venue.iloc[0])))
    st.success(t("res_place_chosen", lang, place=" · ".join(parts)), icon=":material/location_on:")
    if hit["unassigned"]:
        st.warning(t("res_place_outside", lang))


# ------------------------------------------------------------------ what


def category_picker(lang: str) -> str | None:
    """The kind of problem, by its label (outside the form: the nearby offers follow it)."""
    return choice(st.selectbox, t("res_category", lang) + " *", CATEGORIES.codes, key=CATEGORY, lang=lang,
                  index=None, placeholder=t("bw_choose_option", lang),
                  format_func=lambda c: enum_label(CATEGORIES, c, lang))


def nearby_offers(point: tuple[float, float] | None, category: str | None, lang: str) -> None:
    """Open issues of the same category within 200 m, each with a "me too" button."""
    if point is None or category is None:
        return
    with data.open_store() as store:
        near = residents.nearby(store, lon=point[0], lat=point[1], category=category)
    if near.empty:
        return
    said = st.session_state.get(_ME_TOO, set())
    with st.container(border=True, key="res_nearby"):
        st.markdown(f"**{t('res_nearby_title', lang)}**")
        st.caption(t("res_nearby_intro", lang, radius=int(residents.NEARBY_M)))
        for row in near.itertuples(index=False):
            line = t("res_nearby_item", lang, title=md(row.title), stage=md(enum_label(STAGES, row.stage, lang)),
                     distance=int(row.distance_m))
            if int(row.me_too) > 0:
                line += " · " + t("res_nearby_count", lang, n=int(row.me_too))
            st.markdown(line)
            if row.issue_id in said:
                st.caption(t("res_me_too_once", lang))
            elif st.button(t("res_me_too", lang), key=f"res_me_too_{row.issue_id}", icon=":material/thumb_up:"):
                add_me_too(str(row.issue_id), lang)


def add_me_too(issue_id: str, lang: str) -> None:
    """One "me too" for `issue_id` from this browser session, within the limit per address;
    success shows its tracking code (after a rerun)."""
    said = st.session_state.setdefault(_ME_TOO, set())
    if issue_id in said:
        st.info(t("res_me_too_once", lang))
        return
    key = client_key()
    wait = limits.ME_TOO.hit(key)
    if wait:
        st.error(t("res_too_often", lang, minutes=minutes(wait)))
        return
    ok, receipt = forms.write(lambda store: residents.me_too(store, issue_id), lang)
    if not ok or receipt is None:
        limits.ME_TOO.release(key)
        return
    said.add(issue_id)
    st.session_state[RECEIPT] = ("me_too", receipt.issue_id, receipt.code)
    st.rerun()


# ------------------------------------------------------------------ the form and saving


@dataclass(frozen=True)
class Entry:
    """What the details form gathered (blank optional fields as None)."""

    description: str
    name: str | None
    phone: str | None
    honeypot: str


def report_form(lang: str) -> Entry | None:
    """The description, optional contact and the honeypot; the entry when submitted. Call
    `forms.begin(REPORT_FORM, ...)` and reserve the place and category slots first."""
    form = REPORT_FORM
    with st.form(form, border=False):
        forms.summary(form)
        description = st.text_area(t("res_description", lang) + " *", key="res_description",
                                   max_chars=REPORT_CHARS, height=140,
                                   placeholder=t("res_description_help", lang, n=REPORT_CHARS))
        forms.under(form, "description")
        st.markdown(f"**{t('res_step_contact', lang)}**")
        st.caption(t("res_private_note", lang))
        name = st.text_input(t("res_name", lang), key="res_name", max_chars=max_chars("issues", "reporter_name"),
                             autocomplete="name")
        forms.under(form, "reporter_name")
        phone = st.text_input(t("res_phone", lang), key="res_phone", type="phone", autocomplete="tel",
                              max_chars=max_chars("issues", "reporter_phone"),
                              placeholder=t("res_phone_placeholder", lang))
        forms.under(form, "reporter_phone")
        trap = st.text_input(t("res_website", lang), key=HONEYPOT, autocomplete="off")
        sent = st.form_submit_button(t("res_submit", lang), type="primary", key="res_submit",
                                     icon=":material/send:", width="stretch")
    st.html(_HIDE_HONEYPOT, unsafe_allow_javascript=True)
    if not sent:
        return None
    return Entry(description or "", (name or "").strip() or None, (phone or "").strip() or None, trap or "")


def for_residents(problems: list[Any], point: tuple[float, float] | None,
                  category: str | None) -> list[Any]:
    """The service's problems as a resident meets them: the place in plain words (no
    coordinates, no bounding box), a missing category as "required", and nothing about the
    title or focus area, which the form does not ask for (both follow from what it does ask)."""
    plain: list[Any] = []
    for problem in problems:
        about = forms.field_of(problem)
        if about == "point":
            problem = msg("res_need_place") if point is None else msg("res_place_outside")
        elif about in ("title", "focus"):
            continue
        elif about == "category" and category is None:
            problem = msg("wf_required_plain", field=ISSUES.get("category"))
        if problem not in plain:
            plain.append(problem)
    return plain


def save_report(point: tuple[float, float] | None, category: str | None, entry: Entry, lang: str) -> None:
    """Write the report (or refuse it, saying why beside each field). In order: a repeat of
    the last save is a calm no-op; the limit per client (the 6th within the hour writes
    nothing); a filled honeypot is refused without a word about why, and still counts; a
    refused report (every problem at once) does not count."""
    form = REPORT_FORM
    content = (point, category, entry.description, entry.name, entry.phone)
    if forms.repeated(form, content):
        forms.repeat_notice(lang)
        return
    key = client_key()
    wait = limits.REPORTS.hit(key)
    if wait:
        st.error(t("res_too_often", lang, minutes=minutes(wait)), icon=":material/block:")
        return
    if entry.honeypot.strip():
        st.error(t("res_refused_generic", lang))
        return
    lon, lat = point if point is not None else (None, None)
    try:
        with data.open_store() as store:
            receipt = residents.report(store, lon=lon, lat=lat, category=category or "",  # type: ignore[arg-type]
                                       description=entry.description, name=entry.name, phone=entry.phone)
    except forms.REFUSALS as refused:
        limits.REPORTS.release(key)
        forms.show(form, for_residents(forms.problems_of(refused), point, category), lang)
        return
    forms.saved(form, content)
    st.session_state[RECEIPT] = ("report", receipt.issue_id, receipt.code)
    st.rerun()


# ------------------------------------------------------------------ the receipt


def receipt(lang: str) -> bool:
    """The tracking code of the last write, big, with its link and what to do with it; a button
    to report another problem. False when there is nothing to show (draw the form)."""
    kept = st.session_state.get(RECEIPT)
    if not kept:
        return False
    kind, issue_id, code = kept
    with st.container(border=True, key="res_receipt"):
        st.success(t("res_receipt_report" if kind == "report" else "res_receipt_me_too", lang),
                   icon=":material/check_circle:")
        st.markdown(f"**{t('res_code_label', lang)}**")
        with st.container(key="res_code"):
            st.code(code, language=None)
        st.caption(t("res_code_keep", lang))
        if kind == "me_too":
            with data.open_store() as store:
                row = store.get_row("issues", issue_id, include_private=False)
            if row is not None:
                st.markdown(t("res_me_too_counted", lang, n=int(row.get("me_too") or 0)))
        st.caption(t("res_issue_ref", lang, id=md(issue_id)))
        st.page_link("pages/track.py", label=t("res_track_link", lang), icon=":material/travel_explore:",
                     query_params={"code": code})
    if st.button(t("res_another", lang), key="res_another", icon=":material/add:"):
        st.session_state.pop(RECEIPT, None)
        st.rerun()
    return True
