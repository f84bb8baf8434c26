"""Small helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from streamlit.testing.v1 import AppTest

from yishi.accounts import User

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
    as the navigation would (AppTest cannot click the sidebar)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    if user is not None:
        at.session_state["user"] = user
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(f"pages/{file}")
    at.run()
    return at


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every table's full content, to show a refused command wrote nothing."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables}
    finally:
        con.close()


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
