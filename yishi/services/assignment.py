"""Where issues fall, stored: `community_id` and `compound_id` kept right on every write.

Pages count issues per community by asking the store (`Store.summarise(by=("community_id",))`)
instead of placing every issue on every load, so the assignment is a stored column. It is
derived by `geo.joins` rules (a point on a shared edge goes to the smallest id, a hole is
outside, a point outside every polygon keeps None) and written in the same batch as what
moved it, so an import and the issues it moves are all or nothing and undone together:

- issues written (a new issue, an upload, the demo, a city data set): `with_places` fills both;
- communities or compounds written (an upload, the demo, the city loader): `reassigned` gives
  the issue rows whose stored value changes, for the same `write_batch` (``extra``);
- a store whose issues were written before the columns existed (a schema 5 store migrated):
  `stale` finds them (`python -m geo check`) and `reassign` stores them in one audited batch
  (`python -m geo reassign`, and `python -m geo init` on an existing store, which `make run` calls).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.joins import assign, place
from geo.schema import ISSUES, WGS84, get_layer
from yishi.storage import BBox, BatchResult, Row, Store, Where

#: The stored place of an issue, by the polygon layer that decides it.
PLACE_FIELDS: dict[str, str] = {"communities": "community_id", "compounds": "compound_id"}
#: The meta key saying every issue's place has been stored (so `init` need not look again).
META_KEY = "places_stored"

assert all(ISSUES.get(name).derived for name in PLACE_FIELDS.values())


def places(points: gpd.GeoSeries, communities: gpd.GeoDataFrame,
           compounds: gpd.GeoDataFrame) -> pd.DataFrame:
    """`community_id` and `compound_id` of each point (same index), by `geo.joins` rules.

    The city loader calls this with 10^6 points: `assign` (no names, no venues) when there
    are communities, `place` (which takes none) otherwise."""
    frame = gpd.GeoDataFrame(geometry=points.geometry, crs=points.crs)
    if len(communities):
        hit = assign(frame, communities=communities, compounds=compounds)
    else:
        hit = place(frame.geometry, communities=communities, compounds=compounds)
    # explicit dtype: pandas would infer its str dtype, turning None into NaN
    return pd.DataFrame({name: pd.Series(hit[name].to_numpy(dtype=object), index=frame.index, dtype=object)
                         for name in PLACE_FIELDS.values()})


def with_places(store: Store, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Issue rows `frame` with `community_id` and `compound_id` set from their points and the
    store's communities and compounds (any value the frame had is replaced); a copy."""
    if frame.empty:
        return frame.assign(**{name: pd.Series(None, index=frame.index, dtype=object)
                               for name in PLACE_FIELDS.values()})
    box = _box(frame.geometry)
    found = places(frame.geometry, store.load_layer("communities", bbox=box),
                   store.load_layer("compounds", bbox=box))
    return frame.assign(**{name: found[name] for name in PLACE_FIELDS.values()})


def reassigned(store: Store, layer_name: str, frame: gpd.GeoDataFrame) -> list[Row]:
    """The issues whose stored place changes when rows `frame` of `layer_name` (communities or
    compounds) are written over the store's, as ``{issue_id, field: new value}`` rows for the
    same batch (``extra={"issues": rows}, extra_updatable=("issues",)``). [] for other layers.

    Only issues near the rows can move: those in the box around the new rows and the stored
    rows of the same ids (an outline that shrinks lets issues out)."""
    field = PLACE_FIELDS.get(layer_name)
    if field is None or frame.empty:
        return []
    layer = get_layer(layer_name)
    ids = set(frame[layer.id_field].astype(str))
    old = store.select(layer_name, Where(any_of={layer.id_field: tuple(sorted(ids))}),
                       fields=(layer.id_field,)).geometry.tolist()  # the stored outlines, in one read
    box = _box(gpd.GeoSeries([*frame.geometry, *old], crs=WGS84))
    stored = store.load_layer(layer_name, bbox=box)
    kept = stored[~stored[layer.id_field].astype(str).isin(ids)]
    polygons = gpd.GeoDataFrame(
        {layer.id_field: [*kept[layer.id_field].astype(str), *frame[layer.id_field].astype(str)]},
        geometry=[*kept.geometry, *frame.geometry], crs=WGS84)
    issues = store.load_layer("issues", bbox=box)
    if issues.empty:
        return []
    other = "compounds" if layer_name == "communities" else "communities"
    layers = {layer_name: polygons, other: store.load_layer(other, bbox=box)}
    new = places(issues.geometry, layers["communities"], layers["compounds"])[field]
    return _changed(issues, {field: new})


def stale(store: Store) -> list[Row]:
    """Every issue whose stored place differs from where it falls now, as rows to write
    (``{issue_id, community_id, compound_id}`` with the values that change)."""
    issues = store.load_layer("issues")
    if issues.empty:
        return []
    found = places(issues.geometry, store.load_layer("communities"), store.load_layer("compounds"))
    return _changed(issues, {name: found[name] for name in PLACE_FIELDS.values()})


def reassign(store: Store, *, by: str) -> BatchResult | None:
    """Store every issue's place where it is missing or wrong, in one audited batch (undo
    restores it); None when nothing changes. Marks the store as placed either way.

    The store computes it (`Store.assign_places`): SQLite with `geo.joins` inside its write
    transaction, PostGIS with one set-based statement (bench/assign.py --store-reassign)."""
    placed = store.assign_places(by=by)
    result = placed if placed.batch_id else None
    if store.meta(META_KEY) != "1":
        store.set_meta(META_KEY, "1", by=by)
    return result


def needs_reassign(store: Store) -> bool:
    """Whether the store has not been through `reassign` or a builder that stores places."""
    return store.meta(META_KEY) != "1"


def _changed(issues: pd.DataFrame, new: dict[str, pd.Series]) -> list[Row]:
    """Rows ``{issue_id, field: value}`` for the values of `new` that differ from the stored."""
    changed = np.zeros(len(issues), dtype=bool)
    differs: dict[str, np.ndarray] = {}
    for name, values in new.items():
        before = issues[name].to_numpy(dtype=object) if name in issues else np.full(len(issues), None)
        after = values.to_numpy(dtype=object)
        differs[name] = np.array([_key(a) != _key(b) for a, b in zip(before, after)], dtype=bool)
        changed |= differs[name]
    rows: list[Row] = []
    for k in np.flatnonzero(changed):
        row: Row = {"issue_id": str(issues["issue_id"].iloc[k])}
        for name, values in new.items():
            if differs[name][k]:
                row[name] = _key(values.iloc[k])
        rows.append(row)
    return rows


def _key(value: object) -> str | None:
    """A stored id as text, None for missing (None, NaN, pandas' NA)."""
    return None if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) \
        else str(value)


def _box(geoms: gpd.GeoSeries) -> BBox:
    return tuple(geoms.total_bounds.tolist())  # type: ignore[return-value]
