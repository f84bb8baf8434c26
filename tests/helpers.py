"""Small helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from geo.schema import LAYERS
from ui.lazy import MAP_DRAWN
from yishi.accounts import User, hash_password
from yishi.storage import Store, open_store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
#: One signed-in account per role (None: signed out); the member is linked to a demo community.
USERS: dict[str | None, User | None] = {
    None: None,
    "leader": User("leader", "leader"),
    "member": User("member", "member", "411402001007", "M001"),
    "staff": User("staff", "staff"),
    "admin": User("admin", "admin"),
}


def signed_in(at: AppTest) -> User | None:
    """Who the app resolved as signed in on `at`'s last run (read from the store each run)."""
    from ui.auth import _RESOLVED

    user = at.session_state[_RESOLVED] if _RESOLVED in at.session_state else None
    return user if isinstance(user, User) else None


def new_app(user: User | None, lang: str = "zh", **state: object) -> AppTest:
    """The app, not run yet, as `user` in `lang` with `state` in the session. AppTest runs no
    browser, so the session counts as one whose browser has drawn its map already (ui/lazy.py)
    unless `state` says otherwise."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state[MAP_DRAWN] = True
    if user is not None:
        at.session_state["user"] = user
    for key, value in state.items():
        at.session_state[key] = value
    return at


def _open(user: User | None, lang: str, state: dict[str, object]) -> AppTest:
    at = new_app(user, lang, **state)
    at.run()
    assert not at.exception, at.exception
    if user is not None:  # else the test would check a signed-out page without knowing it
        assert signed_in(at) is not None, f"{user.username!r} is not an enabled store account"
    return at


def run_page(file: str, user: User | None, lang: str = "zh", **state: object) -> AppTest:
    """Open the app as `user` with `state` in the session, then switch to pages/`file`
    as the navigation would (AppTest cannot click the sidebar). A page that raised fails here.
    Only pages the user may open are files in the navigation; see `run_path` for the others."""
    at = _open(user, lang, state)
    at.switch_page(f"pages/{file}")
    at.run()
    assert not at.exception, at.exception
    return at


def go(at: AppTest, url_path: str, **query: str) -> AppTest:
    """Open /`url_path`?`query` in a running app, as typing the URL would, and run it.

    Every path is reachable, also a page the user may not open: navigation registers it hidden,
    as a callable, which `AppTest.switch_page` (file pages only) cannot find. `st.Page` hashes
    its `url_path` (also for the default page, whose URL is "/"), so this asks for that hash;
    `at` must have run once, so the pages are registered. "" stays on the current page.
    A page that raised fails here."""
    if url_path:
        at._page_hash = calc_hash(url_path)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def run_path(url_path: str, user: User | None, lang: str = "zh", **query: str) -> AppTest:
    """Open the app at the URL /`url_path`?`query` as `user`: the way to open a page by its URL
    path, whether the user may open it or not ("" is "/", the user's landing page). Query
    parameters arrive as `at.query_params`, like those of a shared link."""
    return go(_open(user, lang, {}), url_path, **query)


#: A password the policy accepts, for fixture accounts whose password does not matter.
FIXTURE_PASSWORD = "a long enough fixture passphrase"


def add_accounts(store: Store, *users: User, password: str = FIXTURE_PASSWORD) -> None:
    """Put an enabled store account behind each of `users` (name, role, community, member, region), as a
    fixture: services and pages read who acts from the store, so a `User` alone signs no one in."""
    for user in users:
        store.put_user({"username": user.username, "role": user.role,
                        "community_id": user.community_id, "member_id": user.member_id,
                        "password_hash": hash_password(password), "disabled": 0,
                        "failed_count": 0, "locked_until": None,
                        "created_at": "2022-01-01T00:00:00+00:00", "region_id": user.region_id},
                       by="fixture", action="user_add")


def _records(frame: pd.DataFrame) -> list[tuple]:
    if isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame).assign(geometry=shapely.to_wkb(frame.geometry.values, hex=True))
    plain = frame.astype(object).where(frame.notna(), None)
    return sorted(map(tuple, plain.itertuples(index=False)), key=repr)


def dump(location: Path | str, *, data_only: bool = False) -> dict[str, list[tuple]]:
    """Everything a store holds, read through the Store protocol (so any backend), to show that
    a refused command wrote nothing. `data_only` leaves out what records the attempt itself
    (batch log, audit trail, revision)."""
    with open_store(location) as store:
        content = {name: _records(store.load_layer(name, include_private=True)) for name in LAYERS}
        content["users"] = _records(store.load_users())
        if not data_only:
            content["batches"] = _records(store.history())
            content["audit"] = _records(store.audit_trail(limit=10**9))
            content["revision"] = [(store.revision,)]
    return content


def too_big_to_read_whole(monkeypatch, limit: int = 100) -> None:
    """Make the demo store (137 issues) stand for a city's 10^6: over the limit of the pages
    that read the whole store, and a whole-store read fails the test (reads of some issues,
    `data.snapshot(issue_ids=...)` or `community_id=...`, go on)."""
    from ui import data

    monkeypatch.setattr(data, "SNAPSHOT_MAX_ISSUES", limit)
    snapshot = data.snapshot

    def only_some(**kw):
        assert kw.get("issue_ids") is not None or kw.get("community_id") is not None, "a page read the whole store"
        return snapshot(**kw)

    monkeypatch.setattr(data, "snapshot", only_some)


def rendered(at) -> str:
    """The protobuf text of every element an AppTest page sent: what a browser would receive."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


#: The facts each step from collected to done needs (a meeting at demo venue V002).
STEPS_TO_DONE: tuple[tuple[str, dict[str, object]], ...] = (
    ("selected", {}),
    ("stakeholders", {"stakeholders": "居民代表、物业、社区"}),
    ("meeting", {"held_on": "2022-06-17", "venue_id": "V002", "method": "on_site", "participants": "12"}),
    ("consensus", {"consensus_text": "限期整改"}),
    ("implementing", {"responsible_unit": "街道城管办", "responsible_person": "赵六", "due_on": "2022-08-01"}),
    ("done", {"result_public": "已整改完毕"}),
)


def drive_to_done(store: Store, issue_id: str, user: User, *, result: str = "已整改完毕") -> None:
    """Take an issue from collected through every step to done, as staff would, posting
    `result` as its public result."""
    from yishi.services import workflow

    for to, values in STEPS_TO_DONE:
        values = {**values, "result_public": result} if to == "done" else values
        workflow.advance(store, issue_id, to, values, by=user.username, user=user)
