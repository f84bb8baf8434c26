"""Where rows sit in the region tree: every row with a place gets its subdistrict's code.

One rule for every way rows arrive (the demo, an upload, a new issue, a resident's report, a
city data set): a row that does not say its subdistrict gets the code of the subdistrict
polygon it lies in (`geo.regions.subdistrict_ids`), and a subdistrict outline gets the code
of the region tree's subdistrict of the same name. A row outside every coded subdistrict keeps
none, as in a single-subdistrict store made before the tree existed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo.regions import subdistrict_ids
from geo.schema import get_layer
from yishi.storage import BBox, Store


def with_subdistricts(store: Store, layer_name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (rows of `layer_name`) with `subdistrict_id` filled where it is missing; a copy
    when anything changed, `frame` itself when the layer has no such field or nothing is missing."""
    layer = get_layer(layer_name)
    if "subdistrict_id" not in layer.field_names or frame.empty:
        return frame
    given = frame["subdistrict_id"] if "subdistrict_id" in frame else pd.Series(None, index=frame.index, dtype=object)
    missing = given.isna().to_numpy()
    if not missing.any():
        return frame
    if layer_name == "subdistrict":
        found = _codes_by_name(store, frame.loc[missing, "name"])
    else:
        geoms = frame.geometry[missing]
        box: BBox = tuple(geoms.total_bounds.tolist())  # type: ignore[assignment]
        found = subdistrict_ids(geoms, store.load_layer("subdistrict", bbox=box))
    values = given.astype(object).to_numpy(copy=True)
    values[missing] = found
    # explicit dtype: pandas would infer its str dtype, turning None into NaN
    return frame.assign(subdistrict_id=pd.Series(values, index=frame.index, dtype=object))


def _codes_by_name(store: Store, names: pd.Series) -> np.ndarray:
    """The region tree's subdistrict code for each outline name (None where no single match)."""
    tree = store.load_layer("regions", where={"level": "subdistrict"})
    unique = tree.drop_duplicates("name", keep=False)
    codes = dict(zip(unique["name"], unique["region_id"]))
    return np.array([codes.get(name) for name in names], dtype=object)


def subdistrict_of(store: Store, geom: shapely.Geometry) -> str | None:
    """The code of the subdistrict one geometry lies in, or None."""
    box: BBox = tuple(shapely.bounds(geom).tolist())  # type: ignore[assignment]
    return subdistrict_ids([geom], store.load_layer("subdistrict", bbox=box))[0]
