"""Small helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from streamlit.testing.v1 import AppTest

from geo.schema import LAYERS
from yishi.accounts import User
from yishi.storage import open_store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
#: One signed-in account per role (None: signed out); the member is linked to a demo community.
USERS: dict[str | None, User | None] = {
    None: None,
    "leader": User("leader", "leader"),
    "member": User("member", "member", "411402001007", "M001"),
    "staff": User("staff", "staff"),
    "admin": User("admin", "admin"),
}


def run_page(file: str, user: User | None, lang: str = "zh", **state: object) -> AppTest:
    """Open the app as `user` with `state` in the session, then switch to pages/`file`
    as the navigation would (AppTest cannot click the sidebar). A page that raised fails here."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    if user is not None:
        at.session_state["user"] = user
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(f"pages/{file}")
    at.run()
    assert not at.exception, at.exception
    return at


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
