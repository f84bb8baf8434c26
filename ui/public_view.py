"""The public board (map, search, filters, pages of 20) and an issue's public page: signed out,
phone first.

What is shown comes from `yishi.services.public` only: issues loaded without personal fields,
then an allow-list of fields. Stored text reaches the page escaped: the cards, facts, stepper and
timeline are our own HTML around `html.escape`d text (st.html), longer text goes through
`ui.safe.md`. The view lives in the URL (q, community, category, stage, page; issue for an
issue's page), so a link reproduces it; links are plain relative anchors (a full load reads the
URL afresh and works the same signed in or out).
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from geo import stats
from geo.schema import (
    CATEGORIES,
    OPEN_STAGES,
    RATINGS,
    SOURCES,
    STAGE_ORDER,
    STAGES,
    TRIAGE,
)
from geo.values import is_blank
from ui import data, maps
from ui.i18n import enum_label, field_label, t
from ui.maps.style import GREY, STAGE_COLORS
from ui.maps.widget import show_map
from ui.safe import md, token
from ui.tables import rating_text, text, whole
from yishi import storage
from yishi.services import public
from yishi.services.public import BoardQuery, PublicIssue
from yishi.services.snapshot import Snapshot

#: The list's element id: the skip link's target.
LIST_ID = "pub-board"
#: The filters' "all" choice (a selectbox showing None would show its placeholder instead).
ALL = ""
#: Above this many issues the public map leaves titles out of its tooltips (stage, category and
#: community stay; a tap opens the issue): 10^4 titles would be ~0.7 MB more for a phone to load.
MAP_TITLES = 2_000
#: The map's height on a desktop (a phone's is 45 % of the screen: ui/styles/phone.css).
MAP_HEIGHT = 460


# ---------------------------------------------------------------------------- data


@st.cache_data(show_spinner=False, max_entries=64)
def _issue(location: str, revision: int, issue_id: str) -> PublicIssue | None:
    with storage.open_store(location) as store:
        return public.public_issue(store, issue_id)


def ratings(snap: Snapshot) -> pd.DataFrame:
    """The residents' ratings per issue (mean and count) at the snapshot's revision."""
    return stats.ratings_summary(snap.ratings, "issue_id")


def issue_facts(snap: Snapshot, issue_id: str) -> PublicIssue | None:
    return _issue(storage.store_location(), snap.revision, issue_id)


# ---------------------------------------------------------------------------- the URL


def board_href(query: BoardQuery, lang: str, *, issue: str | None = None) -> str:
    """The board's address for `query` (an issue's page with `issue`), relative to this page."""
    params = {"issue": issue} if issue else {}
    return "board?" + urlencode({**params, **query.to_params(), "lang": lang})


def _show(query: BoardQuery, lang: str, *, issue: str | None = None) -> None:
    """Put `query` (and `issue`) in the URL: the next run draws it, a copied link reproduces it."""
    st.query_params.from_dict({**({"issue": issue} if issue else {}), **query.to_params(), "lang": lang})


def _keys(lang: str) -> dict[str, str]:
    """The filter widgets' keys: per language, so a switch never keeps a label of the other one."""
    return {name: f"_pub_{name}_{lang}" for name in ("q", "community", "category", "status", "done")}


def _changed(query: BoardQuery, lang: str, what: str) -> None:
    """A filter widget changed: its value into the URL, back to page 1."""
    value = st.session_state[_keys(lang)[what]]
    if what == "q":
        _show(replace(query, q=public.clean_search(value), page=1), lang)
    elif what == "done":
        _show(replace(query, status="done" if value else None, page=1), lang)
    else:
        _show(replace(query, **{what: None if value == ALL else value}, page=1), lang)


def _paged(query: BoardQuery, lang: str, page: int) -> None:
    _show(replace(query, page=page), lang)


# ---------------------------------------------------------------------------- labels


def status_label(status: str, lang: str) -> str:
    return TRIAGE.label(status, lang) if status in public.TRIAGE_STATUSES else enum_label(STAGES, status, lang)


def _badge(status: str, lang: str) -> str:
    color = STAGE_COLORS.get(status, GREY)
    return (f'<span class="pub-status"><span class="yishi-dot" aria-hidden="true" '
            f'style="background:{color}"></span>{escape(status_label(status, lang))}</span>')


# ---------------------------------------------------------------------------- the board


def card_html(row: pd.Series, names: dict[str, str], query: BoardQuery, lang: str) -> str:
    """One board row: a link to the issue's public page around its title and facts."""
    done_on = row.get("done_on")
    when = (t("pub_done_on", lang, d=text(done_on)) if row["status"] == "done" and not is_blank(done_on)
            else t("pub_reported_on", lang, d=text(row.get("reported_on"))))
    community = names.get(row.get("community_id")) if not is_blank(row.get("community_id")) else None
    facts = [_badge(str(row["status"]), lang), escape(enum_label(CATEGORIES, row.get("category"), lang)),
             escape(text(community) if community else t("unassigned", lang)), escape(when)]
    if row.get("source") in ("resident", "open311"):
        facts.append(f'<span class="pub-source">{escape(SOURCES.label(row["source"], lang))}</span>')
    if whole(row.get("me_too")) > 0:
        facts.append(escape(t("pub_me_too", lang, n=whole(row["me_too"]))))
    if whole(row.get("rating_count")) > 0:
        rating = rating_text(float(row["rating_mean"]), whole(row["rating_count"]), lang)
        facts.append(f'<span class="pub-rating">★ {escape(t("tri_kpi_rating", lang))} {escape(rating)}</span>')
    href = board_href(query, lang, issue=str(row["issue_id"]))
    return (f'<li><a class="pub-card" href="{escape(href)}">'
            f'<span class="pub-card-title"><span class="pub-id">{escape(text(row["issue_id"]))}</span> '
            f'<bdi>{escape(text(row["title"]))}</bdi></span>'
            f'<span class="pub-card-facts">{" · ".join(facts)}</span></a></li>')


def board_html(page: public.BoardPage, names: dict[str, str], query: BoardQuery, lang: str) -> str:
    """The page's cards as one list (one element, not twenty)."""
    if page.rows.empty:
        return f'<div id="{LIST_ID}" class="pub-board"><p>{escape(t("pub_none", lang))}</p></div>'
    cards = "".join(card_html(row, names, query, lang) for _, row in page.rows.iterrows())
    return (f'<ol id="{LIST_ID}" class="pub-board" tabindex="-1" '
            f'aria-label="{escape(t("pub_board", lang))}">{cards}</ol>')


def _filters(query: BoardQuery, names: dict[str, str], lang: str) -> None:
    """Search, the quick "done" filter, and community, category, stage (folded on a phone's
    first view unless one is set): seeded from the URL on every run."""
    keys = _keys(lang)
    seeds = {"q": query.q, "community": query.community or ALL, "category": query.category or ALL,
             "status": query.status or ALL, "done": query.status == "done"}
    for name, value in seeds.items():
        st.session_state[keys[name]] = value
    st.text_input(t("pub_search", lang), key=keys["q"], placeholder=t("pub_search_placeholder", lang),
                  max_chars=public.SEARCH_CHARS, on_change=_changed, args=(query, lang, "q"))
    everything = t("all", lang)
    chosen = sum(v is not None for v in (query.community, query.category, query.status))
    label = t("pub_filters", lang) + (f" ({chosen})" if chosen else "")
    with st.expander(label, expanded=bool(chosen)):
        left, middle, right = st.columns(3)
        left.selectbox(t("f_community", lang), [ALL, *names], key=keys["community"],
                       format_func=lambda c: everything if c == ALL else text(names[c]),
                       on_change=_changed, args=(query, lang, "community"))
        middle.selectbox(t("f_category", lang), [ALL, *CATEGORIES.codes], key=keys["category"],
                         format_func=lambda c: everything if c == ALL else CATEGORIES.label(c, lang),
                         on_change=_changed, args=(query, lang, "category"))
        right.selectbox(t("pub_status", lang), [ALL, *public.STATUSES], key=keys["status"],
                        format_func=lambda s: everything if s == ALL else status_label(s, lang),
                        on_change=_changed, args=(query, lang, "status"))
    quick, clear = st.columns([3, 1], vertical_alignment="center")
    quick.toggle(t("pub_quick_done", lang), key=keys["done"], on_change=_changed, args=(query, lang, "done"))
    if query.to_params():
        clear.button(t("pub_clear", lang), key=f"_pub_clear_{lang}", type="tertiary",
                     on_click=_show, args=(BoardQuery(), lang))


def _pager(page: public.BoardPage, query: BoardQuery, lang: str) -> None:
    """Previous / "第 N/M 页" / next."""
    back, where, ahead = st.container(key="pub-pager").columns([1, 1, 1], vertical_alignment="center")
    back.button(t("pub_prev", lang), key=f"_pub_prev_{lang}", disabled=page.number <= 1, width="stretch",
                on_click=_paged, args=(query, lang, page.number - 1))
    with where:
        st.html(f'<p class="pub-page-no">{escape(t("pub_page", lang, n=page.number, m=page.pages))}</p>')
    ahead.button(t("pub_next", lang), key=f"_pub_next_{lang}", disabled=page.number >= page.pages,
                 width="stretch", on_click=_paged, args=(query, lang, page.number + 1))


def public_map(snap: Snapshot, shown: pd.DataFrame, lang: str, community: str | None = None) -> str | None:
    """The public map of `shown` (public fields only): communities shaded by their open issues,
    issues by stage, venues; fitted to `community` when one is chosen. Returns the issue a tap
    chose, if any."""
    on_map = public.on_map(shown)
    counts = on_map[on_map["stage"].isin(OPEN_STAGES)]["community_id"].dropna().value_counts().to_dict()
    chosen = snap.communities[snap.communities["community_id"] == community] if community else None
    focus = tuple(chosen.total_bounds) if chosen is not None and len(chosen) else None
    fmap = maps.build_map(subdistrict=snap.subdistrict, communities=snap.communities, venues=snap.venues,
                          issues=on_map, lang=lang, basemap="osm", color_by="stage", open_counts=counts,
                          focus_bounds=focus, max_titles=MAP_TITLES)
    clicked = show_map(fmap, key="pub_map", height=MAP_HEIGHT, returned_objects=maps.RETURNED_OBJECTS, lang=lang)
    return maps.clicked_issue_id(clicked, on_map, basemap="osm")


def board_page(snap: Snapshot, lang: str) -> None:
    """The signed-out landing page: the map of what the filters select, then the board."""
    names = {str(k): v for k, v in zip(snap.communities["community_id"], snap.communities["name"])}
    query = BoardQuery.from_params(st.query_params.to_dict(), names)
    issues = public.public_frame(snap.issues)
    selected = public.matching(issues, query)
    st.html(f'<div class="pub-toolbar"><a class="yishi-skip" href="#{LIST_ID}">{escape(t("pub_skip", lang))}</a>'
            f'<span class="yishi-hint">{escape(t("pub_map_hint", lang))}</span></div>')
    map_slot = st.container()  # drawn last, shown first: the list is in a phone's hands sooner
    st.caption(t("pub_intro", lang))
    st.subheader(t("pub_board", lang))
    _filters(query, names, lang)
    page = public.page_of(selected, query.page, ratings(snap))
    st.markdown(f"**{md(t('pub_count', lang, n=page.total))}**")
    st.html(board_html(page, names, query, lang))
    if page.pages > 1:
        _pager(page, query, lang)
    with map_slot:
        tapped = public_map(snap, selected, lang, query.community)
    if tapped is not None:
        _show(query, lang, issue=tapped)
        st.rerun()


# ---------------------------------------------------------------------------- one issue


def stepper_html(item: PublicIssue, lang: str) -> str:
    """The path 收集 → … → 已落实 with the date each step was reached; the current one marked."""
    steps = []
    for stage in STAGE_ORDER:
        reached = item.stage_dates.get(stage)
        state = ("pub-current" if stage == item.fields["stage"] else "pub-reached" if reached else "pub-ahead")
        when = f'<span class="pub-step-date">{escape(text(reached))}</span>' if reached else ""
        current = ' aria-current="step"' if state == "pub-current" else ""
        steps.append(f'<li class="{state}"{current}><span class="pub-step-name">'
                     f'{escape(STAGES.label(stage, lang))}</span>{when}</li>')
    return (f'<ol class="pub-stepper" aria-label="{escape(t("pub_progress", lang))}">{"".join(steps)}</ol>')


def timeline_html(item: PublicIssue, lang: str) -> str:
    """The public steps: date and stage only (no names, no notes)."""
    rows = []
    for at, from_stage, to_stage in item.steps:
        step = (t("pub_step", lang, from_=STAGES.label(from_stage, lang), to=STAGES.label(to_stage, lang))
                if from_stage else STAGES.label(to_stage, lang))
        rows.append(f'<li><time>{escape(text(at))}</time> {escape(step)}</li>')
    return f'<ul class="pub-timeline">{"".join(rows)}</ul>'


def facts_html(item: PublicIssue, lang: str) -> str:
    """Category, place, stage, responsible unit, me-too count and rating as a definition list."""
    f = item.fields
    where = " · ".join(text(v) for v in (item.community_name, item.compound_name) if not is_blank(v))
    rows: list[tuple[str, str]] = [
        (field_label("issues", "category", lang), escape(enum_label(CATEGORIES, f["category"], lang))),
        (t("pub_where", lang), escape(where or t("unassigned", lang))),
        (t("pub_status", lang), _badge(item.status, lang)),
        (field_label("issues", "reported_on", lang), escape(text(f["reported_on"]))),
    ]
    if not is_blank(f["responsible_unit"]):
        rows.append((field_label("issues", "responsible_unit", lang), escape(text(f["responsible_unit"]))))
    if whole(f["me_too"]) > 0:
        rows.append((field_label("issues", "me_too", lang), escape(t("pub_me_too", lang, n=whole(f["me_too"])))))
    rows.append((RATINGS.label(lang), escape(rating_text(item.rating_mean, item.rating_count, lang))))
    body = "".join(f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in rows)
    return f'<dl class="pub-facts">{body}</dl>'


def issue_page(snap: Snapshot, issue_id: str, lang: str) -> None:
    """`/board?issue=ID`: the issue's public facts, or a plain notice when there is no such issue."""
    names = {str(k): v for k, v in zip(snap.communities["community_id"], snap.communities["name"])}
    query = BoardQuery.from_params(st.query_params.to_dict(), names)
    # the board leaves the navigation of a store too big to read whole: no way back to it there
    back = (f'<a class="pub-back" href="{escape(board_href(query, lang))}">{escape(t("pub_back", lang))}</a>'
            if data.snapshot_fits() else "")
    item = issue_facts(snap, issue_id)
    if item is None:
        st.warning(t("pub_no_issue", lang, id=token(issue_id)))
        if back:
            st.html(f'<div class="yishi-toolbar">{back}</div>')
        return
    f = item.fields
    if back:
        st.html(f'<div class="yishi-toolbar">{back}</div>')
    st.subheader(md(f"{f['issue_id']} · {text(f['title'])}"))
    if item.status == "pending":
        st.info(t("pub_pending", lang))
    elif item.status == "declined":
        reason = ("" if is_blank(f["declined_reason"]) else
                  f"  \n{md(t('pub_declined_reason', lang) + t('map_colon', lang))}{md(f['declined_reason'])}")
        st.warning(md(t("pub_declined", lang)) + reason)
    elif item.status == "merged":
        target = str(f["merged_into"])
        label = text(item.merged_title) if item.merged_title else target
        st.info(t("pub_merged", lang))
        st.html(f'<p><a class="pub-merged" href="{escape(board_href(query, lang, issue=target))}">'
                f'{escape(target)} · <bdi>{escape(label)}</bdi></a></p>')
    elif item.status == "closed":
        st.warning(t("pub_closed", lang))
    st.html(facts_html(item, lang))
    st.markdown(f"**{md(t('pub_progress', lang))}**")
    st.html(stepper_html(item, lang))
    if not is_blank(f["description"]):
        st.markdown(f"**{md(field_label('issues', 'description', lang))}**")
        st.markdown(md(f["description"]))
    st.markdown(f"**{md(field_label('issues', 'result_public', lang))}**")
    if is_blank(f["result_public"]):
        st.caption(t("pub_no_result", lang))
    else:
        st.markdown(md(f["result_public"]))
    if item.steps:
        st.markdown(f"**{md(t('pub_timeline', lang))}**")
        st.html(timeline_html(item, lang))
    report = "report_issue?" + urlencode({**({"compound": item.compound_id} if item.compound_id else {}),
                                          "lang": lang})
    st.html(f'<div class="pub-actions"><a class="pub-report" href="{escape(report)}">'
            f'{escape(t("pub_report", lang))}</a>'
            f'<a class="pub-track" href="{escape("track?" + urlencode({"lang": lang}))}">'
            f'{escape(t("pub_track", lang))}</a>{back}</div>')
