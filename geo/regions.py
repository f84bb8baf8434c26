"""The region tree (city > district > subdistrict > community) by NBS division codes.

A city's or a province's deployment holds many subdistricts in one store; every row with a
place carries its subdistrict's code, and an account may be scoped to any node of the tree.
NBS codes nest by prefix (4114 商丘市 > 411402 梁园区 > 411402001 平原街道 > 411402001001
新区社区), which this module checks, and which lets a node's subdistricts be found without
walking the tree. Pure functions over frames: no storage, no UI.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import Message, msg
from geo.schema import REGION_LEVELS
from geo.words import Term

#: Digits of an NBS code at each level; a community's code has 12.
CODE_DIGITS: dict[str, int] = {"city": 4, "district": 6, "subdistrict": 9}
COMMUNITY_DIGITS = 12
#: The level above each level.
PARENT_LEVEL: dict[str, str | None] = {"city": None, "district": "city", "subdistrict": "district"}


def tree_problems(regions: pd.DataFrame) -> list[Message]:
    """Every way `regions` (region_id, name, level, parent_id) is not a tree of NBS codes,
    all at once: a code of the wrong length, a missing or wrong-level parent, a code that
    does not start with its parent's, a code given twice."""
    problems = [msg("rg_twice", code=code)
                for code in regions["region_id"][regions["region_id"].duplicated()].unique()]
    levels = dict(zip(regions["region_id"].astype(str), regions["level"].astype(str)))
    for r in regions.itertuples(index=False):
        code, level, parent = str(r.region_id), str(r.level), _code(r.parent_id)
        if level not in REGION_LEVELS.codes:
            problems.append(msg("rg_bad_level", code=code, level=level))
            continue
        term = _level(level)
        if not (code.isdigit() and len(code) == CODE_DIGITS[level]):
            problems.append(msg("rg_bad_digits", code=code, digits=CODE_DIGITS[level], level=term))
        want = PARENT_LEVEL[level]
        if want is None:
            if parent:
                problems.append(msg("rg_city_parent", code=code))
        elif parent not in levels:
            problems.append(msg("rg_no_parent", code=code, parent=parent or "—"))
        elif levels[parent] != want:
            problems.append(msg("rg_parent_level", code=code, level=term, want=_level(want), parent=parent,
                                found=_level(levels[parent])))
        elif not code.startswith(parent):
            problems.append(msg("rg_not_nested", code=code, parent=parent))
    return problems


def _code(value: object) -> str | None:
    """A code as text, None for an empty cell."""
    return str(value) if isinstance(value, str) and value else None


def _level(level: str) -> Term:
    """A level as a word said in the message's language."""
    zh, en = REGION_LEVELS.labels.get(level, (level, level))
    return Term(zh, en)


def subdistricts_under(regions: pd.DataFrame, region_id: str) -> list[str]:
    """The codes of the subdistricts at or under `region_id`, sorted (none for an unknown node)."""
    if region_id not in set(regions["region_id"]):
        return []
    ids = regions.loc[regions["level"] == "subdistrict", "region_id"].astype(str)
    return sorted(set(ids[ids.str.startswith(str(region_id))]))


def ancestors(regions: pd.DataFrame, region_id: str) -> list[str]:
    """`region_id` and the nodes above it, from the top (city) down."""
    parents = dict(zip(regions["region_id"].astype(str), regions["parent_id"]))
    chain: list[str] = []
    node: str | None = str(region_id)
    while node and node in parents and node not in chain:
        chain.append(node)
        node = _code(parents[node])
    return chain[::-1]


def subdistrict_ids(geoms: gpd.GeoSeries | Iterable[shapely.Geometry],
                    subdistricts: gpd.GeoDataFrame) -> np.ndarray:
    """The `subdistrict_id` of the subdistrict polygon holding each geometry's representative
    point (object array; None outside every subdistrict or where the polygon has no code).
    Edges go to the smaller code, like `geo.joins` gives shared edges to the smaller id."""
    points = shapely.point_on_surface(np.asarray(list(geoms), dtype=object))
    out = np.full(len(points), None, dtype=object)
    coded = subdistricts[subdistricts["subdistrict_id"].notna()] if "subdistrict_id" in subdistricts else subdistricts.iloc[:0]
    if coded.empty or not len(points):
        return out
    coded = coded.sort_values("subdistrict_id", kind="stable")
    tree = shapely.STRtree(coded.geometry.to_numpy())
    which, hit = tree.query(points, predicate="intersects")  # covers edges too
    codes = coded["subdistrict_id"].to_numpy()
    order = np.lexsort((hit, which))  # per point, the smallest (sorted) polygon first
    which, hit = which[order], hit[order]
    first = np.unique(which, return_index=True)[1]
    out[which[first]] = codes[hit[first]]
    return out


def rollup(counts: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Figures per subdistrict summed up the tree: one row per node (region_id, name, level,
    parent_id, then every numeric column of `counts`), in tree order (each node followed by
    the nodes under it, by code). `counts` has a `subdistrict_id` column; rows whose code is not
    in the tree are left out (a store's uncoded rows have no place in a roll-up)."""
    numbers = [c for c in counts.columns if c != "subdistrict_id" and pd.api.types.is_numeric_dtype(counts[c])]
    per_sub = counts.groupby("subdistrict_id")[numbers].sum()
    nodes = regions.sort_values("region_id", kind="stable").reset_index(drop=True)
    codes = nodes["region_id"].astype(str)
    subs = per_sub.index.astype(str)
    sums = np.zeros((len(nodes), len(numbers)), dtype=per_sub.to_numpy().dtype if numbers else float)
    for i, code in enumerate(codes):
        inside = subs.str.startswith(code) if len(subs) else np.zeros(0, dtype=bool)
        sums[i] = per_sub.to_numpy()[inside].sum(axis=0)
    table = nodes[["region_id", "name", "level", "parent_id"]].copy()
    for j, name in enumerate(numbers):
        table[name] = sums[:, j]
    return table
