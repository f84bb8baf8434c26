"""Spatial assignment: each issue point -> community, compound, nearest venue, linked members.

These are derived facts (DOMAIN.md: "derived by spatial joins, never typed in by hand"), so
they must be the same on every run: a point on an edge shared by two communities goes to the
one with the smallest id, whatever the row order, and a point outside every community is
kept and flagged, never dropped.

How the polygon step stays fast (10^6 points into 1,000 polygons well under a second on two
cores): one vectorised bounding-box query of an STRtree over the polygons, then one
vectorised point-in-polygon test (``shapely.intersects_xy``) against *prepared* polygons for
the candidate pairs only. Querying the tree with ``predicate="intersects"`` gives the same
answer but tests each pair against the unprepared polygon: fine for rectangles, ten times
slower for real boundaries with hundreds of vertices (see bench/assign.py).

`place` answers "where does this point fall" with names as well (the issue page, a new
issue before it is saved, the venues and compounds of the map), and also when no community
covers the area asked about. `venues_by_distance` orders venues for a meeting form.

Every layer must be in WGS84 (EPSG:4326); nothing is reprojected behind the caller's back.
Distances are measured in UTM 50N (``schema.METRIC_CRS``) through pyproj.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo.errors import InputError
from geo.schema import COMMUNITIES, COMPOUNDS, MEMBERS, METRIC_CRS, VENUES, WGS84

__all__ = ["OUTPUT_COLUMNS", "PLACE_COLUMNS", "assign", "place", "venues_by_distance"]

#: Columns that `assign` adds (or overwrites), in this order.
OUTPUT_COLUMNS: tuple[str, ...] = (
    "community_id", "compound_id", "venue_id", "venue_distance_m", "member_ids", "unassigned",
)

#: Columns that `place` returns, in this order.
PLACE_COLUMNS: tuple[str, ...] = (
    "community_id", "community_name", "compound_id", "compound_name", "venue_id", "venue_name",
    "venue_distance_m", "member_ids", "unassigned",
)

#: Up to this many venues a chunked all-pairs distance beats making point geometries and
#: querying a tree (measured crossover on 2 cores: 250-500 venues).
_BRUTE_FORCE_MAX_VENUES = 256


@dataclass(frozen=True)
class _PolygonIndex:
    """Polygons of one layer sorted by id, so that tree position == rank of the id."""

    ids: np.ndarray  # object array of str, ascending
    polygons: np.ndarray  # shapely geometries (prepared), same order
    tree: shapely.STRtree


def assign(
    points: gpd.GeoDataFrame,
    *,
    communities: gpd.GeoDataFrame,
    compounds: gpd.GeoDataFrame | None = None,
    venues: gpd.GeoDataFrame | None = None,
    members: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Assign every point to its community, compound, nearest venue and linked members.

    Parameters
    ----------
    points
        Issue (or venue) points in EPSG:4326. Z is ignored; null or empty geometries are
        kept and come back unassigned.
    communities
        Community polygons with ``community_id``; must not be empty.
    compounds
        Compound polygons with ``compound_id``; without them ``compound_id`` is all None.
    venues
        Venue points with ``venue_id``; without them ``venue_id`` is None and
        ``venue_distance_m`` NaN.
    members
        Members with ``member_id`` and ``linked_community_id`` (the two-way contact).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of `points` (same index, order and columns) with `OUTPUT_COLUMNS` added
        (existing columns of those names are overwritten):

        - ``community_id``, ``compound_id``: the covering polygon's id, or None. A point on
          a shared edge or vertex goes to the smallest id (compared as text); a point in a
          hole is outside that polygon.
        - ``venue_id``, ``venue_distance_m``: the nearest venue in metres (EPSG:32650);
          equally near venues resolve to the smallest id.
        - ``member_ids``: sorted ids of members linked to the point's community, or None.
          Rows of one community share one list object: treat it as read-only.
        - ``unassigned``: True where no community covers the point.

    Raises
    ------
    InputError
        One error listing every problem: an empty communities layer, a layer not in
        EPSG:4326 (the message names each layer's CRS), wrong geometry types, missing,
        null or duplicate ids, missing member columns.
    """
    _check_inputs(points, communities=communities, compounds=compounds, venues=venues,
                  members=members)
    result = points.copy()
    for name, (values, dtype) in _columns(points, communities, compounds, venues,
                                          members).items():
        # explicit dtype: pandas 3 would turn str/None into its str dtype with NaN
        result[name] = pd.Series(values, index=result.index, dtype=dtype)
    return result


def place(
    points: gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    communities: gpd.GeoDataFrame,
    compounds: gpd.GeoDataFrame | None = None,
    venues: gpd.GeoDataFrame | None = None,
    members: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Where each point falls, by the same rules as `assign`, with the names to show.

    Unlike `assign`, the communities may be empty (say, only those near the point were
    read): every point is then unassigned, and still gets its compound and nearest venue.

    Returns
    -------
    pandas.DataFrame
        `PLACE_COLUMNS`, one row per point (same index): `assign`'s answers, plus
        ``community_name``, ``compound_name`` and ``venue_name`` (None without one or
        when the layer has no ``name`` column).

    Examples
    --------
    >>> square = gpd.GeoDataFrame({"community_id": ["C1"], "name": ["甲社区"]},
    ...                           geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    >>> pts = gpd.GeoSeries([shapely.Point(0.5, 0.5), shapely.Point(5, 5)], crs="EPSG:4326")
    >>> place(pts, communities=square)[["community_name", "unassigned"]].values.tolist()
    [['甲社区', False], [None, True]]
    """
    frame = gpd.GeoDataFrame(geometry=points.geometry, crs=points.crs)
    _check_inputs(frame, communities=communities, compounds=compounds, venues=venues,
                  members=members, need_communities=False)
    columns = _columns(frame, communities, compounds, venues, members)
    for layer, id_field in ((communities, COMMUNITIES.id_field), (compounds, COMPOUNDS.id_field),
                            (venues, VENUES.id_field)):
        ids = columns[id_field][0]
        name = id_field.replace("_id", "_name")
        columns[name] = (_names(layer, id_field, ids), object)
    return pd.DataFrame({name: pd.Series(columns[name][0], index=frame.index,
                                         dtype=columns[name][1]) for name in PLACE_COLUMNS})


def venues_by_distance(point: shapely.Point | None,
                       venues: gpd.GeoDataFrame) -> dict[str, float]:
    """Venue id -> whole metres from `point` (UTM 50N), nearest first (ties: stored order), as a
    meeting form offers them. Without a point every venue is listed in stored order at NaN.
    """
    ids = [str(v) for v in venues[VENUES.id_field]]
    if point is None or point.is_empty or not ids:
        return dict.fromkeys(ids, float("nan"))
    _check_inputs(gpd.GeoDataFrame(geometry=[point], crs=WGS84), communities=None,
                  venues=venues, need_communities=False)
    vx, vy = _xy(np.asarray(venues.geometry.array))
    to_metric = _to_metric()
    px, py = to_metric.transform(point.x, point.y)
    mx, my = to_metric.transform(vx, vy)
    metres = np.hypot(np.asarray(mx) - px, np.asarray(my) - py)
    order = np.argsort(metres, kind="stable")  # NaN (no geometry) last
    return {ids[k]: float(np.round(metres[k])) for k in order}


def _columns(points: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None,
             compounds: gpd.GeoDataFrame | None, venues: gpd.GeoDataFrame | None,
             members: pd.DataFrame | None) -> dict[str, tuple[np.ndarray, type]]:
    """`OUTPUT_COLUMNS` as (values, dtype) for checked inputs; no communities: all unassigned."""
    geoms = np.asarray(points.geometry.array)
    if communities is not None and len(communities):
        index = _polygon_index(communities, COMMUNITIES.id_field)
    else:
        index = _PolygonIndex(np.array([], dtype=object), np.array([], dtype=object),
                              shapely.STRtree([]))
    community_rank = _locate(geoms, index)
    venue_id, venue_distance = _nearest_venues(geoms, venues)
    return {
        "community_id": (_lookup(index.ids, community_rank), object),
        "compound_id": (_compound_ids(geoms, compounds), object),
        "venue_id": (venue_id, object),
        "venue_distance_m": (venue_distance, np.float64),
        "member_ids": (_lookup(_member_lists(members, index.ids), community_rank), object),
        "unassigned": (community_rank == len(index.ids), bool),
    }


def _names(layer: gpd.GeoDataFrame | None, id_field: str, ids: np.ndarray) -> np.ndarray:
    """The ``name`` of each id in `layer` (None for None, an unknown id or no name column)."""
    names = np.full(len(ids), None, dtype=object)
    if layer is None or "name" not in layer.columns or not len(layer):
        return names
    lookup = dict(zip((str(v) for v in layer[id_field]), layer["name"]))
    for k, value in enumerate(ids):
        if value is not None:
            names[k] = lookup.get(value)
    return names


# --- checks ---------------------------------------------------------------------------


def _check_inputs(
    points: gpd.GeoDataFrame,
    *,
    communities: gpd.GeoDataFrame | None,
    compounds: gpd.GeoDataFrame | None = None,
    venues: gpd.GeoDataFrame | None = None,
    members: pd.DataFrame | None = None,
    need_communities: bool = True,
) -> None:
    """Collect every problem with the inputs, then raise them all in one error.

    `need_communities`: `assign` needs a community polygon; `place` answers without one.
    """
    layers = {"points": points, "communities": communities, "compounds": compounds,
              "venues": venues}
    needed = ("points", "communities") if need_communities else ("points",)
    not_frames = [f"{name} must be a GeoDataFrame, got {type(frame).__name__}"
                  for name, frame in layers.items()
                  if (frame is not None or name in needed)
                  and not isinstance(frame, gpd.GeoDataFrame)]
    if members is not None and not isinstance(members, pd.DataFrame):
        not_frames.append(f"members must be a DataFrame, got {type(members).__name__}")
    if not_frames:
        _raise(not_frames)

    given = {name: frame for name, frame in layers.items() if frame is not None}
    problems: list[str] = []
    if need_communities and len(communities) == 0:
        problems.append("communities layer is empty: at least one community polygon is "
                        "needed to assign points")
    elif need_communities and not (~(communities.geometry.isna() | communities.geometry.is_empty)).any():
        problems.append("communities layer has no polygon geometry (all null or empty)")
    problems += _crs_problems(given)
    kind = shapely.GeometryType
    points_only, polygons_only = {kind.POINT}, {kind.POLYGON, kind.MULTIPOLYGON}
    expected = {"points": points_only, "venues": points_only,
                "communities": polygons_only, "compounds": polygons_only}
    for name, frame in given.items():
        problems += _geometry_type_problems(name, frame, expected[name])
    for name, id_field in (("communities", COMMUNITIES.id_field),
                           ("compounds", COMPOUNDS.id_field), ("venues", VENUES.id_field)):
        if name in given:
            problems += _id_problems(name, given[name], id_field)
    if members is not None:
        missing = [c for c in (MEMBERS.id_field, "linked_community_id")
                   if c not in members.columns]
        if missing:
            problems.append(f"members has no column(s) {', '.join(missing)}")
    if problems:
        _raise(problems)


def _raise(problems: list[str]) -> None:
    lines = "\n".join(f"  - {p}" for p in problems)
    raise InputError(f"cannot assign points, {len(problems)} problem(s):\n{lines}")


def _is_wgs84(crs: CRS | None) -> bool:
    """EPSG:4326 in either axis order; a 3D WGS84 (EPSG:4979) counts, its Z is ignored."""
    return crs is not None and crs.to_2d().equals(CRS.from_user_input(WGS84),
                                                  ignore_axis_order=True)


def _crs_problems(layers: dict[str, gpd.GeoDataFrame]) -> list[str]:
    """One problem naming every layer's CRS when any non-empty layer is not in WGS84.

    An empty layer needs no CRS: it yields no answer that could be wrong.
    """
    if all(_is_wgs84(frame.crs) for frame in layers.values() if len(frame)):
        return []
    found = ", ".join(f"{name} {frame.crs.to_string() if frame.crs is not None else 'no CRS'}"
                      for name, frame in layers.items())
    return [f"CRS mismatch: every layer must be in {WGS84} (WGS84), found: {found}. "
            f"Reproject with .to_crs('{WGS84}') or set the missing CRS first; assign never "
            f"reprojects for you"]


def _geometry_type_problems(name: str, frame: gpd.GeoDataFrame,
                            allowed: set[shapely.GeometryType]) -> list[str]:
    """Rows whose geometry is of the wrong type (null and empty geometries are fine)."""
    type_ids = shapely.get_type_id(np.asarray(frame.geometry.array))
    bad = (type_ids >= 0) & ~np.isin(type_ids, [int(t) for t in allowed])
    if not bad.any():
        return []
    found = sorted({shapely.GeometryType(int(t)).name.title() for t in np.unique(type_ids[bad])})
    wanted = " or ".join(sorted(t.name.title() for t in allowed))
    return [f"{name}: {int(bad.sum())} geometr{'y is' if bad.sum() == 1 else 'ies are'} "
            f"{'/'.join(found)}, expected {wanted} (rows {_labels(frame.index[bad])})"]


def _id_problems(name: str, frame: gpd.GeoDataFrame, id_field: str) -> list[str]:
    """Missing, null or duplicate ids: an id must name exactly one feature."""
    if id_field not in frame.columns:
        return [f"{name} has no column {id_field!r}"]
    ids = frame[id_field]
    problems = []
    if ids.isna().any():
        problems.append(f"{name}: {id_field} is empty in rows {_labels(frame.index[ids.isna()])}")
    text = ids.dropna().map(str)
    duplicated = text[text.duplicated(keep=False)]
    if len(duplicated):
        problems.append(f"{name}: {id_field} is not unique: {_labels(pd.unique(duplicated))}")
    return problems


def _labels(values, show: int = 5) -> str:
    """The first `show` labels, then how many more: enough to find the rows."""
    shown = ", ".join(str(v) for v in list(values)[:show])
    more = len(values) - show
    return shown + (f" ... and {more} more" if more > 0 else "")


# --- polygon step ---------------------------------------------------------------------


def _polygon_index(layer: gpd.GeoDataFrame, id_field: str) -> _PolygonIndex:
    """Sort polygons by id and prepare them: the rank then breaks ties on shared edges.

    Null and empty geometries stay in (they keep the ranks aligned) but never match.
    Preparing caches an index inside the polygon objects of `layer`; it changes no value.
    """
    ids = np.array([str(v) for v in layer[id_field]], dtype=object)
    order = np.argsort(ids, kind="stable")
    polygons = np.asarray(layer.geometry.array)[order]
    shapely.prepare(polygons)
    return _PolygonIndex(ids=ids[order], polygons=polygons, tree=shapely.STRtree(polygons))


def _locate(geoms: np.ndarray, index: _PolygonIndex) -> np.ndarray:
    """Rank of the smallest-id polygon covering each point; ``len(index.ids)`` where none.

    Boundary points count as covered ("intersects"), so a point on a shared edge matches
    both neighbours and the smaller rank wins. Null and empty points never match.
    """
    point_pos, poly_pos = index.tree.query(geoms)  # bounding boxes only, in point order
    if len(point_pos):
        # Read x, y in row order (usually the geometries' memory order: several times faster
        # than scattered reads), then test the pairs polygon by polygon: hopping between
        # prepared polygons thrashes the cache, 10x slower with ~1,000-vertex boundaries.
        candidates = geoms[point_pos]
        x, y = shapely.get_x(candidates), shapely.get_y(candidates)
        by_polygon = np.argsort(poly_pos.astype(_small_int(len(index.ids))), kind="stable")
        point_pos, poly_pos = point_pos[by_polygon], poly_pos[by_polygon]
        hit = shapely.intersects_xy(index.polygons[poly_pos], x[by_polygon], y[by_polygon])
        point_pos, poly_pos = point_pos[hit], poly_pos[hit]
    rank = np.full(len(geoms), len(index.ids), dtype=np.intp)
    np.minimum.at(rank, point_pos, poly_pos)
    return rank


def _small_int(n: int) -> type:
    """The narrowest integer type for 0..n: numpy's stable sort is a radix sort up to 16 bits."""
    return np.int16 if n < 2**15 else np.int64


def _lookup(values: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Values by rank, None for the "no match" rank ``len(values)``."""
    table = np.empty(len(values) + 1, dtype=object)
    table[:-1] = values
    return table[rank]


def _compound_ids(geoms: np.ndarray, compounds: gpd.GeoDataFrame | None) -> np.ndarray:
    if compounds is None or len(compounds) == 0:
        return np.full(len(geoms), None, dtype=object)
    index = _polygon_index(compounds, COMPOUNDS.id_field)
    return _lookup(index.ids, _locate(geoms, index))


# --- nearest venue ----------------------------------------------------------------------


def _xy(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of point geometries, NaN for null or empty ones; Z is dropped."""
    coords, where = shapely.get_coordinates(geoms, return_index=True)
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[where], y[where] = coords[:, 0], coords[:, 1]
    return x, y


def _to_metric() -> Transformer:
    """WGS84 lon/lat -> UTM 50N metres (a new one per call: a Transformer is not shared
    between the app's threads)."""
    return Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)


def _nearest_venues(geoms: np.ndarray,
                    venues: gpd.GeoDataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Nearest venue id and its distance in metres (EPSG:32650) for every point."""
    n = len(geoms)
    venue_id = np.full(n, None, dtype=object)
    distance = np.full(n, np.nan)
    if venues is None or len(venues) == 0:
        return venue_id, distance
    ids = np.array([str(v) for v in venues[VENUES.id_field]], dtype=object)
    order = np.argsort(ids, kind="stable")
    vx, vy = _xy(np.asarray(venues.geometry.array)[order])
    usable = ~np.isnan(vx)
    px, py = _xy(geoms)
    located = ~np.isnan(px)
    if not usable.any() or not located.any():
        return venue_id, distance
    to_metric = _to_metric()
    rank, metres = _nearest(*to_metric.transform(px[located], py[located]),
                            *to_metric.transform(vx[usable], vy[usable]))
    venue_id[located] = _lookup(ids[order][usable], rank)
    distance[located] = metres
    return venue_id, distance


def _nearest(px: np.ndarray, py: np.ndarray, vx: np.ndarray, vy: np.ndarray, *,
             brute_force_max: int = _BRUTE_FORCE_MAX_VENUES) -> tuple[np.ndarray, np.ndarray]:
    """Position in (vx, vy) of the nearest venue to each point (first one on ties), and distance.

    Coordinates are metric and finite. Up to a few hundred venues (the real case: "30+
    compounds") a chunked all-pairs distance is fastest; more go through an STRtree. Both
    return the smallest position among equally near venues.
    """
    if len(vx) <= brute_force_max:
        return _nearest_brute_force(px, py, vx, vy)
    tree = shapely.STRtree(shapely.points(vx, vy))
    (point_pos, venue_pos), metres = tree.query_nearest(
        shapely.points(px, py), all_matches=True, return_distance=True)
    rank = np.full(len(px), len(vx), dtype=np.intp)
    np.minimum.at(rank, point_pos, venue_pos)  # all_matches: every tie is listed
    distance = np.full(len(px), np.nan)
    distance[point_pos] = metres  # ties share one distance
    return rank, distance


def _nearest_brute_force(px: np.ndarray, py: np.ndarray, vx: np.ndarray, vy: np.ndarray, *,
                         chunk_pairs: int = 2**16) -> tuple[np.ndarray, np.ndarray]:
    """All-pairs squared distances, a chunk at a time in two reused buffers.

    2^16 pairs (512 kB a buffer) stay in cache: 2-3x faster than one big temporary.
    """
    rank = np.empty(len(px), dtype=np.intp)
    squared = np.empty(len(px))
    step = max(1, chunk_pairs // len(vx))
    dx_buffer, dy_buffer = np.empty((step, len(vx))), np.empty((step, len(vx)))
    for start in range(0, len(px), step):
        stop = min(start + step, len(px))
        dx, dy = dx_buffer[:stop - start], dy_buffer[:stop - start]
        np.subtract(px[start:stop, None], vx, out=dx)
        np.multiply(dx, dx, out=dx)
        np.subtract(py[start:stop, None], vy, out=dy)
        np.multiply(dy, dy, out=dy)
        dx += dy
        nearest = dx.argmin(axis=1)  # first minimum: smallest position on ties
        rank[start:stop] = nearest
        squared[start:stop] = dx[np.arange(stop - start), nearest]
    return rank, np.sqrt(squared)


# --- members ------------------------------------------------------------------------------


def _member_lists(members: pd.DataFrame | None, community_ids: np.ndarray) -> np.ndarray:
    """Per community rank, the sorted ids of its linked members (None when there are none)."""
    lists = np.full(len(community_ids), None, dtype=object)
    if members is None:
        return lists
    rank = {cid: k for k, cid in enumerate(community_ids)}
    linked = members[[MEMBERS.id_field, "linked_community_id"]].dropna()
    by_rank: dict[int, list[str]] = {}
    for member_id, community_id in linked.itertuples(index=False):
        k = rank.get(str(community_id))
        if k is not None:
            by_rank.setdefault(k, []).append(str(member_id))
    for k, ids in by_rank.items():
        lists[k] = sorted(ids)
    return lists
