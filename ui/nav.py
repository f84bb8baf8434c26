"""The page list, built from the signed-in role (app.py only calls `run`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from yishi.accounts import can
from ui import auth, errors
from ui.i18n import t

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


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "nav_overview", ":material/map:", "nav_group_map", "view_map",
             default_for=frozenset({"leader", "staff", "admin"})),
    PageSpec("community.py", "nav_community", ":material/groups:", "nav_group_map", "view_map",
             default_for=frozenset({"member"})),
    PageSpec("issue.py", "nav_issue", ":material/description:", "nav_group_work", "view_issue"),
    PageSpec("new_issue.py", "nav_new_issue", ":material/add_location_alt:", "nav_group_work", "create"),
    PageSpec("board.py", "nav_board", ":material/campaign:", "nav_group_public", None),
    PageSpec("upload.py", "nav_upload", ":material/upload_file:", "nav_group_work", "upload"),
    PageSpec("accounts.py", "nav_accounts", ":material/manage_accounts:", "nav_group_admin",
             "manage_accounts"),
)
SIGN_IN = PageSpec("signin.py", "nav_signin", ":material/login:", "nav_group_public", None)


def pages_for(user: auth.User | None) -> list[PageSpec]:
    """The pages this user may open; signed out: the public pages and the sign-in page."""
    visible = [p for p in PAGES if p.needs is None or can(user, p.needs)]
    return visible if user else [SIGN_IN, *visible]


def landing_page(user: auth.User | None) -> PageSpec:
    """The page the app opens on for this user (signed out: the sign-in page)."""
    specs = pages_for(user)
    role = user.role if user else None
    return next((p for p in specs if role in p.default_for), specs[0])


def run() -> None:
    """Build the navigation for the signed-in role and run the chosen page (failures stay private)."""
    user = auth.current_user()
    landing = landing_page(user)
    groups: dict[str, list] = {}
    for spec in pages_for(user):
        page = st.Page(str(_PAGES_DIR / spec.file), title=t(spec.title_key), icon=spec.icon,
                       url_path=spec.file.removesuffix(".py"), default=spec == landing)
        groups.setdefault(t(spec.group_key), []).append(page)
    errors.run_page(st.navigation(groups))
