"""The page list, built from the signed-in role (app.py only calls `run`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import streamlit as st

from yishi.accounts import can
from ui import auth, data, errors, shell
from ui.i18n import t
from ui.tables import grouped

_PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


@dataclass(frozen=True)
class PageSpec:
    file: str
    title_key: str
    icon: str
    group_key: str
    #: The permission a role needs to see the page; None: everyone, even signed out.
    needs: str | None
    #: Roles for whom the app opens on this page (members land on their community).
    default_for: frozenset[str] = frozenset()
    #: The page reads the whole store (`data.snapshot`): listed only while it fits
    #: (`data.snapshot_fits`); the overview and the issue page ask the store for what they show.
    whole_store: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "nav_overview", ":material/map:", "nav_group_map", "view_map",
             default_for=frozenset({"leader", "staff", "admin"})),
    PageSpec("community.py", "nav_community", ":material/groups:", "nav_group_map", "view_map",
             default_for=frozenset({"member"})),
    PageSpec("report.py", "nav_report", ":material/print:", "nav_group_map", "view_map", whole_store=True),
    PageSpec("triage.py", "tri_nav", ":material/inbox:", "nav_group_work", "triage"),
    PageSpec("issue.py", "nav_issue", ":material/description:", "nav_group_work", "view_issue"),
    PageSpec("new_issue.py", "nav_new_issue", ":material/add_location_alt:", "nav_group_work", "create"),
    PageSpec("board.py", "nav_board", ":material/campaign:", "nav_group_public", None, whole_store=True),
    PageSpec("report_issue.py", "res_nav_report", ":material/add_comment:", "nav_group_public", None),
    PageSpec("track.py", "res_nav_track", ":material/travel_explore:", "nav_group_public", None),
    PageSpec("upload.py", "nav_upload", ":material/upload_file:", "nav_group_work", "upload"),
    PageSpec("accounts.py", "nav_accounts", ":material/manage_accounts:", "nav_group_admin",
             "manage_accounts"),
    PageSpec("audit.py", "nav_audit", ":material/history:", "nav_group_admin", "manage_accounts"),
)


@cache
def url_paths() -> frozenset[str]:
    """Every page's path ("issue" for /issue): each always exists, whoever asks."""
    return frozenset(spec.file.removesuffix(".py") for spec in PAGES)


def pages_for(user: auth.User | None, *, whole_store_fits: bool = True) -> list[PageSpec]:
    """The pages listed for this user (signed out: the public ones); without the pages that
    read the whole store when it is too big for them."""
    return [p for p in PAGES if (p.needs is None or can(user, p.needs)) and (whole_store_fits or not p.whole_store)]


def landing_page(user: auth.User | None, *, whole_store_fits: bool = True) -> PageSpec:
    """The page the app opens on for this user (signed out: the public board; on a store too
    big for it, the residents' report form)."""
    specs = pages_for(user, whole_store_fits=whole_store_fits)
    role = user.role if user else None
    return next((p for p in specs if role in p.default_for), specs[0] if specs else PAGES[0])


def _closed(spec: PageSpec) -> Callable[[], None]:
    """A page this user may not open: its title, then sign-in (signed out) or a refusal.
    The page's own script never runs, yet its link works for whoever may open it."""
    def closed() -> None:
        shell.header(spec.title_key, offer_sign_in=False)
        auth.require(spec.needs or "view_map")
    closed.__name__ = f"closed_{spec.file.removesuffix('.py')}"
    return closed


def _too_big(spec: PageSpec, overview: st.Page) -> Callable[[], None]:
    """A page that reads the whole store, on a store too big for it: its title and why, and a
    link to the overview, which asks the store only for what it shows (or to sign in)."""
    def too_big() -> None:
        shell.header(spec.title_key, offer_sign_in=False)
        st.info(t("nav_too_big", n=grouped(data.SNAPSHOT_MAX_ISSUES)))
        st.page_link(overview, label=t(PAGES[0].title_key), icon=PAGES[0].icon)
    too_big.__name__ = f"too_big_{spec.file.removesuffix('.py')}"
    return too_big


def _home(landing: st.Page) -> Callable[[], None]:
    """The page at "/": on to this user's landing page, keeping the query (lang, notfound).

    Streamlit serves its default page at "/" and forgets that page's own path, so "/overview"
    would be "Page not found" for whoever lands on the overview; a separate hidden home keeps
    every page's link stable for every role."""
    def home() -> None:
        st.switch_page(landing, query_params=st.query_params.to_dict())
    return home


def run() -> None:
    """Resolve who is signed in, build their navigation and run the chosen page (failures stay
    private). Every page path exists for everyone, so a shared link never meets Streamlit's
    "Page not found"; pages the user may not open are hidden and explain themselves."""
    user = auth.resolve()
    fits = data.snapshot_fits()
    landing = landing_page(user, whole_store_fits=fits)
    visible = pages_for(user, whole_store_fits=fits)
    allowed = pages_for(user)
    groups: dict[str, list] = {}
    pages: dict[PageSpec, st.Page] = {}
    for spec in PAGES:
        is_open = spec in visible
        if is_open:
            target: str | Callable[[], None] = str(_PAGES_DIR / spec.file)
        elif spec in allowed:  # allowed, but the store is too big for it (the overview is built first)
            target = _too_big(spec, pages[PAGES[0]])
        else:
            target = _closed(spec)
        pages[spec] = st.Page(target, title=t(spec.title_key),
                              icon=spec.icon, url_path=spec.file.removesuffix(".py"),
                              visibility="visible" if is_open else "hidden")
        groups.setdefault(t((spec if is_open else landing).group_key), []).append(pages[spec])
    home = st.Page(_home(pages[landing]), title=t(landing.title_key), url_path="home", default=True,
                   visibility="hidden")
    groups[t(landing.group_key)].insert(0, home)
    errors.run_page(st.navigation(groups))
