"""The demo: the embedded data set in data/ as a store, with one account per role.

Built only on request (`python -m geo init --demo`, which `make run` calls when the default
store is missing): the demo accounts' passwords are published in the README.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd

from geo.errors import ValidationError
from geo.ingest import validate_file
from geo.schema import get_layer
from yishi import datasets
from yishi.services import accounts, assignment, regions, workflow
from yishi.storage import Store, create_store, is_server_location, rows_from_frame

T = TypeVar("T")

#: Demo accounts (README lists them; `make run` prints them at first start).
DEMO_ACCOUNTS = (
    ("leader", "leader", "leader-demo-2022"),
    ("member", "member", "member-demo-2022"),
    ("staff", "staff", "staff-demo-2022"),
    ("admin", "admin", "admin-demo-2022"),
)
#: The people behind the demo accounts, who sign their notes (the member's is their CPPCC record's).
DEMO_NAMES = {"leader": "赵志强", "staff": "李晓燕", "admin": "陈明"}


def read_demo_layer(name: str) -> pd.DataFrame:
    """One demo layer from data/ as a (Geo)DataFrame; GeoJSON goes through the upload checks."""
    layer = get_layer(name)
    path = datasets.get_path(name)
    if layer.geometry:
        upload = validate_file(path, layer=name, any_layer=True)
        if upload.problems:
            raise ValidationError(upload.problems)
        return upload.frame
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame.replace({"": None})
    for f in layer.fields:
        if f.type == "bool" and f.name in frame:
            frame[f.name] = frame[f.name].map({"true": True, "True": True, "1": True,
                                               "false": False, "False": False, "0": False, None: None})
    return frame


def fill_demo(store: Store, *, by: str = "demo-builder") -> None:
    """Write the demo layers and accounts into an empty store."""
    store.set_meta("as_of", datasets.DEMO_AS_OF, by=by)
    # Marks the demo store: only here may accounts use the published demo passwords.
    store.set_meta("demo", "1", by=by)
    store.set_meta("built_from", "data/", by=by)
    for name in datasets.DEMO_FILES:
        layer = get_layer(name)
        frame = regions.with_subdistricts(store, name, read_demo_layer(name))
        if name == "issues":  # after the polygons: each issue stores where it falls
            frame = assignment.with_places(store, frame)
        moved = assignment.reassigned(store, name, frame)  # none here: polygons come first
        store.write_batch(name, rows_from_frame(layer, frame), by=by,
                          action="build_demo", source=f"data/{datasets.DEMO_FILES[name]}",
                          extra={"issues": moved} if moved else None, extra_updatable=("issues",))
    store.set_meta(assignment.META_KEY, "1", by=by)
    seed_demo_accounts(store, by=by)


def build_demo_store(target: Path | str, *, by: str = "demo-builder") -> Path | str:
    """Build the demo store from data/ at `target` (`built_in_place`); returns `target` (a path,
    or a database URL as it was given)."""
    built_in_place(target, lambda store: fill_demo(store, by=by))
    return target if is_server_location(target) else Path(target)


def built_in_place(target: Path | str, fill: Callable[[Store], T]) -> T:
    """`fill` a new store at `target`, which is complete or absent, never half-built; returns
    what `fill` returned. A file is made beside `target` and moved into place at once; a
    database on a server is filled where it is (each of `fill`'s writes is all-or-nothing)."""
    if is_server_location(target):
        with create_store(target) as store:
            return fill(store)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".yishi-", suffix=".sqlite", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        with create_store(tmp) as store:
            result = fill(store)
        os.replace(tmp, target)
        return result
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(tmp + suffix).unlink(missing_ok=True)


def seed_demo_accounts(store: Store, *, by: str = "demo-builder") -> None:
    """One demo account per role; the member is linked to the first CPPCC member's community.

    Only in the demo store (`fill_demo` marks it): elsewhere the policy refuses these passwords.
    """
    admin = workflow.operator(by, "admin")
    members = store.load_layer("members")
    cppcc = members[members["linked_community_id"].notna()].sort_values("member_id")
    for username, role, password in DEMO_ACCOUNTS:
        if store.get_user(username) is not None:
            continue
        community = member = None
        name = DEMO_NAMES.get(username)
        if role == "member" and len(cppcc):
            community = cppcc["linked_community_id"].iloc[0]
            member = cppcc["member_id"].iloc[0]
            name = cppcc["name"].iloc[0]
        accounts.add_user(store, username, password, role=role, by=admin,
                          community_id=community, member_id=member, display_name=name)
