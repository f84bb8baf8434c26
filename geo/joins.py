"""Spatial assignment: each issue point -> community, compound, nearest venue, linked members.

These are derived facts (DOMAIN.md: "derived by spatial joins, never typed in by hand"), so
they must be the same on every run: a point on an edge shared by two communities goes to the
one with the smallest id, whatever the row order, and a point outside every community is
kept and flagged, never dropped.

How the polygon step stays fast (10^6 points into 1,000 polygons in about a third of a
second on one core; bench/assign.py): a regular grid over the polygons (`_Grid`) knows for
most cells, from where the boundaries run, which polygon covers the whole cell or that none
does, so most points are answered by arithmetic on their coordinates alone; the others get
one vectorised point-in-polygon test (``shapely.intersects_xy``) against *prepared*
polygons, for their cell's candidates only. Answers are exactly those of testing every
polygon (tests/test_assign_workers.py). For more points than one core assigns quickly,
``assign(..., workers=N)`` spreads chunks over N processes that receive the layers once.

`place` answers "where does this point fall" with names as well (the issue page, a new
issue before it is saved, the venues and compounds of the map), and also when no community
covers the area asked about. `venues_by_distance` orders venues for a meeting form.

Every layer must be in WGS84 (EPSG:4326); nothing is reprojected behind the caller's back.
Distances are measured in UTM 50N (``schema.METRIC_CRS``) through pyproj.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo.errors import InputError
from geo.ingest.isolated import NoMainProcess
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

#: The grid of the polygon step: about one cell per this many points (so building it costs
#: less than the tests it saves), at most 4^_MAX_GRID_LEVEL cells per polygon, and at most
#: _MAX_REGISTRATIONS (cell, polygon) pairs (overlapping bounding boxes: a coarser grid).
_POINTS_PER_CELL = 16
_MAX_GRID_LEVEL = 4
_MAX_REGISTRATIONS = 4_000_000
_VERTICES_PER_POINT = 1.0

#: Points per chunk sent to a worker process: big enough that sending costs little next to
#: assigning, small enough that every worker gets a few and memory stays flat.
_CHUNK_POINTS = 500_000


@dataclass(frozen=True)
class _Grid:
    """A regular grid over the polygons' extent that answers most points without a test.

    Each cell knows, from the polygons' boundaries, which polygons cover it whole, which it
    lies wholly outside of, and which cross it. A cell whose smallest-rank polygon that is
    not wholly outside covers it whole is answered by that rank (``answer``); so is a cell
    no polygon touches (``len(ids)``). Only the other cells (``answer == -1``) list their
    candidates, ascending by rank (CSR: ``indptr``, ``candidates``), ``sure`` marking those
    that cover the cell whole (a hit without a test).
    """

    x0: float
    y0: float
    x1: float
    y1: float
    cw: float  # cell width and height (degrees)
    ch: float
    gx: int
    gy: int
    answer: np.ndarray  # per cell: the rank, or -1: test the candidates
    indptr: np.ndarray
    candidates: np.ndarray
    sure: np.ndarray


@dataclass(frozen=True)
class _PolygonIndex:
    """Polygons of one layer sorted by id, so that position == rank of the id."""

    ids: np.ndarray  # object array of str, ascending
    polygons: np.ndarray  # shapely geometries (prepared), same order
    grids: dict[tuple[int, bool], _Grid] = field(default_factory=dict, compare=False)

    def grid(self, n_points: int) -> _Grid:
        """The grid for `n_points` points: finer for more points per polygon, built once."""
        per_polygon = max(1.0, n_points / max(1, len(self.ids)) / _POINTS_PER_CELL)
        cells = 4 ** min(_MAX_GRID_LEVEL, round(np.log(per_polygon) / np.log(4)))
        vertices = int(shapely.get_num_coordinates(self.polygons).sum())
        key = (cells, vertices <= n_points * _VERTICES_PER_POINT)
        if key not in self.grids:
            self.grids[key] = _build_grid(self.polygons, *key)
        return self.grids[key]


def assign(
    points: gpd.GeoDataFrame,
    *,
    communities: gpd.GeoDataFrame,
    compounds: gpd.GeoDataFrame | None = None,
    venues: gpd.GeoDataFrame | None = None,
    members: pd.DataFrame | None = None,
    workers: int = 1,
    chunk_size: int = _CHUNK_POINTS,
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
    workers
        Processes to use (default 1: this one). With more, the points go in chunks of
        `chunk_size` to a pool that receives the layers once per process; the answers are
        the same. Pays from about 10^6 points: starting a process costs some 0.5-1 s.

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
    if workers < 1 or chunk_size < 1:
        raise ValueError(f"workers and chunk_size must be at least 1, got {workers}, {chunk_size}")
    result = points.copy()
    for name, (values, dtype) in _columns(points, communities, compounds, venues, members,
                                          workers, chunk_size).items():
        # explicit dtype: pandas 3 would turn str/None into its str dtype with NaN
        result[name] = pd.Series(values, index=result.index, dtype=dtype, copy=False)  # ours: no copy
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
             members: pd.DataFrame | None, workers: int = 1,
             chunk_size: int = _CHUNK_POINTS) -> dict[str, tuple[np.ndarray, type]]:
    """`OUTPUT_COLUMNS` as (values, dtype) for checked inputs; no communities: all unassigned.

    With `workers` > 1 the points go in chunks to that many processes (`_parallel_ranks`);
    the answers are the same, point by point.
    """
    x, y = _point_xy(np.asarray(points.geometry.array))
    layers = _Layers.of(communities, compounds, venues)
    if workers > 1 and len(x):
        ranks = _parallel_ranks(x, y, (communities, compounds, venues), workers, chunk_size)
    else:
        ranks = layers.ranks(x, y)
    community_rank, compound_rank, venue_rank, venue_distance = ranks
    community_ids = layers.communities.ids
    return {
        "community_id": (_lookup(community_ids, community_rank), object),
        "compound_id": (_lookup(layers.compounds.ids, compound_rank), object),
        "venue_id": (_lookup(layers.venue_ids, venue_rank), object),
        "venue_distance_m": (venue_distance, np.float64),
        "member_ids": (_lookup(_member_lists(members, community_ids), community_rank), object),
        "unassigned": (community_rank == len(community_ids), bool),
    }


@dataclass(frozen=True)
class _Layers:
    """What assigning needs of the layers, made once per process: polygon indexes sorted by
    id, and the venues that have a location, sorted by id, in metres."""

    communities: _PolygonIndex
    compounds: _PolygonIndex
    venue_ids: np.ndarray
    venue_x: np.ndarray
    venue_y: np.ndarray

    @classmethod
    def of(cls, communities: gpd.GeoDataFrame | None, compounds: gpd.GeoDataFrame | None,
           venues: gpd.GeoDataFrame | None) -> _Layers:
        none = np.array([], dtype=object)
        ids, vx, vy = none, np.array([]), np.array([])
        if venues is not None and len(venues):
            ids = np.array([str(v) for v in venues[VENUES.id_field]], dtype=object)
            order = np.argsort(ids, kind="stable")
            vx, vy = _xy(np.asarray(venues.geometry.array)[order])
            usable = ~np.isnan(vx)
            ids, vx, vy = ids[order][usable], vx[usable], vy[usable]
            if len(ids):
                vx, vy = (np.asarray(v) for v in _to_metric().transform(vx, vy))
        return cls(_polygon_index(communities, COMMUNITIES.id_field),
                   _polygon_index(compounds, COMPOUNDS.id_field), ids, vx, vy)

    def ranks(self, x: np.ndarray,
              y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Community, compound and nearest venue rank of each point (the length of the ids:
        none), and the venue's distance in metres (NaN: none)."""
        venue_rank = np.full(len(x), len(self.venue_ids), dtype=np.intp)
        distance = np.full(len(x), np.nan)
        located = np.flatnonzero(~np.isnan(x))
        if len(self.venue_ids) and len(located):
            px, py = _to_metric().transform(x[located], y[located])
            venue_rank[located], distance[located] = _nearest(
                np.asarray(px), np.asarray(py), self.venue_x, self.venue_y)
        return (_locate_xy(x, y, self.communities), _locate_xy(x, y, self.compounds),
                venue_rank, distance)


# --- worker processes ----------------------------------------------------------------------

#: A worker process's layers, set once by `_start_worker`.
_WORKER_LAYERS: _Layers | None = None
#: The points a forked pool works on: its processes inherit them, so chunks go as bounds.
_FORKED_XY: tuple[np.ndarray, np.ndarray] | None = None


def _parallel_ranks(x: np.ndarray, y: np.ndarray,
                    layers: tuple[gpd.GeoDataFrame | None, ...], workers: int,
                    chunk_size: int) -> tuple[np.ndarray, ...]:
    """`_Layers.ranks` of the points, in chunks spread over `workers` processes.

    The layers go to each process once (the pool's initializer). Forked processes inherit the
    points and get each chunk's bounds; others get the chunk's x and y arrays (10^7 points: 160
    MB pickled and unpickled). The answers come back as narrow numbers in chunk order (see
    `_pool_context`).
    """
    global _FORKED_XY
    chunk = max(1, min(chunk_size, -(-len(x) // workers)))
    starts = range(0, len(x), chunk)
    context = _pool_context()
    forked = context.get_start_method() == "fork"
    _FORKED_XY = (x, y) if forked else None  # before the pool forks its processes
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(starts)), mp_context=context,
                                 initializer=_start_worker, initargs=layers) as pool:
            if forked:
                parts = list(pool.map(_forked_ranks, ((k, k + chunk) for k in starts)))
            else:
                parts = list(pool.map(_worker_ranks, ((x[k:k + chunk], y[k:k + chunk]) for k in starts)))
    finally:
        _FORKED_XY = None
    return tuple(np.concatenate(column) for column in zip(*parts))


def _pool_context() -> multiprocessing.context.BaseContext:
    """How worker processes start. A process running one thread (the command line, a
    script) forks: a worker is ready at once, with the modules and layers it needs. Forking
    a process that runs threads (the Streamlit server) is unsafe: then forkserver processes
    that do not import the caller's ``__main__`` (a page; the readers' `NoMainProcess`),
    each importing this module first (about a second). Spawn where neither exists (Windows).
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")

    class Context(multiprocessing.context.ForkServerContext):
        Process = NoMainProcess

    return Context()


def _start_worker(communities: gpd.GeoDataFrame | None, compounds: gpd.GeoDataFrame | None,
                  venues: gpd.GeoDataFrame | None) -> None:
    global _WORKER_LAYERS
    _WORKER_LAYERS = _Layers.of(communities, compounds, venues)


def _worker_ranks(xy: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    """The ranks of one chunk sent as its x and y."""
    return _narrow(_WORKER_LAYERS, _WORKER_LAYERS.ranks(*xy))


def _forked_ranks(bounds: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """The ranks of one chunk of the points a forked process inherited (`_FORKED_XY`)."""
    (x, y), (first, last) = _FORKED_XY, bounds
    return _narrow(_WORKER_LAYERS, _WORKER_LAYERS.ranks(x[first:last], y[first:last]))


def _narrow(layers: _Layers, ranks: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Each rank column in the narrowest type that holds it: less to send back, the same numbers."""
    community, compound, venue, distance = ranks
    return (community.astype(_small_int(len(layers.communities.ids))),
            compound.astype(_small_int(len(layers.compounds.ids))),
            venue.astype(_small_int(len(layers.venue_ids))), distance)


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


def _polygon_index(layer: gpd.GeoDataFrame | None, id_field: str) -> _PolygonIndex:
    """Sort polygons by id and prepare them: the rank then breaks ties on shared edges.

    Null and empty geometries stay in (they keep the ranks aligned) but never match.
    Preparing caches an index inside the polygon objects of `layer`; it changes no value.
    No layer (or an empty one) gives an index that matches nothing.
    """
    if layer is None or not len(layer):
        return _PolygonIndex(np.array([], dtype=object), np.array([], dtype=object))
    ids = np.array([str(v) for v in layer[id_field]], dtype=object)
    order = np.argsort(ids, kind="stable")
    polygons = np.asarray(layer.geometry.array)[order]
    shapely.prepare(polygons)
    return _PolygonIndex(ids=ids[order], polygons=polygons)


def _point_xy(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of point geometries (NaN: null or empty), Z dropped; faster than `_xy`."""
    bounds = shapely.bounds(geoms)  # of a point: x, y, x, y
    return np.ascontiguousarray(bounds[:, 0]), np.ascontiguousarray(bounds[:, 1])


def _locate(geoms: np.ndarray, index: _PolygonIndex, grid: _Grid | None = None) -> np.ndarray:
    """`_locate_xy` of point geometries."""
    return _locate_xy(*_point_xy(geoms), index, grid)


def _locate_xy(x: np.ndarray, y: np.ndarray, index: _PolygonIndex,
               grid: _Grid | None = None) -> np.ndarray:
    """Rank of the smallest-id polygon covering each point; ``len(index.ids)`` where none.

    Boundary points count as covered ("intersects"), so a point on a shared edge matches
    both neighbours and the smaller rank wins. Null and empty points never match.

    Most points are answered by their grid cell alone (`_Grid`); the rest are tested
    against their cell's candidates with ``shapely.intersects_xy``, polygon by polygon
    (hopping between prepared polygons thrashes the cache: 10x slower with ~1,000-vertex
    boundaries).
    """
    n_ids = len(index.ids)
    rank = np.full(len(x), n_ids, dtype=np.intp)
    if not n_ids or not len(x):
        return rank
    grid = grid or index.grid(len(x))
    inside = (x >= grid.x0) & (x <= grid.x1) & (y >= grid.y0) & (y <= grid.y1)  # NaN: False
    with np.errstate(invalid="ignore"):  # NaN cast to int: overwritten just below
        cell = (_cell_of(y, grid.y0, grid.ch, grid.gy) * grid.gx
                + _cell_of(x, grid.x0, grid.cw, grid.gx))
    cell[~inside] = grid.gx * grid.gy  # the last "cell": outside every polygon
    answer = grid.answer[cell]
    rank[:] = answer
    pos = np.flatnonzero(answer < 0)
    rank[pos] = n_ids
    cell = cell[pos]
    start = grid.indptr[cell]
    point_pos, at = _expand(pos, start, grid.indptr[cell + 1] - start)
    poly_pos, sure = grid.candidates[at], grid.sure[at]
    np.minimum.at(rank, point_pos[sure], poly_pos[sure])
    point_pos, poly_pos = point_pos[~sure], poly_pos[~sure]
    by_polygon = np.argsort(poly_pos.astype(_small_int(n_ids)), kind="stable")
    point_pos, poly_pos = point_pos[by_polygon], poly_pos[by_polygon]
    hit = shapely.intersects_xy(index.polygons[poly_pos], x[point_pos], y[point_pos])
    np.minimum.at(rank, point_pos[hit], poly_pos[hit])
    return rank


def _cell_of(v: np.ndarray, origin: float, size: float, count: int) -> np.ndarray:
    """Cell number along one axis. Monotone in `v` (floating-point subtraction and division
    by a positive number are), so a value inside a box falls in a cell of the box's range."""
    cell = ((v - origin) / size).astype(np.int64)
    np.maximum(cell, 0, out=cell)
    return np.minimum(cell, count - 1, out=cell)


def _expand(owner: np.ndarray, start: np.ndarray,
            count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranges ``start[k] .. start[k] + count[k]`` laid end to end, each position with its owner."""
    total = int(count.sum())
    ends = np.cumsum(count)
    offset = np.arange(total) + np.repeat(start - (ends - count), count)
    return np.repeat(owner, count), offset


def _box_cells(boxes: np.ndarray, owner: np.ndarray, grid: tuple[float, float, float, float,
               int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(cell, owner) for every cell each box (minx, miny, maxx, maxy) touches."""
    x0, y0, cw, ch, gx, gy = grid
    ix0, ix1 = _cell_of(boxes[:, 0], x0, cw, gx), _cell_of(boxes[:, 2], x0, cw, gx)
    iy0, iy1 = _cell_of(boxes[:, 1], y0, ch, gy), _cell_of(boxes[:, 3], y0, ch, gy)
    nx = ix1 - ix0 + 1
    who, k = _expand(np.arange(len(boxes)), np.zeros(len(boxes), dtype=np.int64),
                     nx * (iy1 - iy0 + 1))
    cells = (iy0[who] + k // nx[who]) * gx + ix0[who] + k % nx[who]
    return cells, owner[who]


def _crossed(polygons: np.ndarray, valid: np.ndarray,
             shape: tuple[float, float, float, float, int, int]) -> np.ndarray:
    """Keys ``cell * len(polygons) + rank`` of the cells each polygon's boundary touches
    (some more than once).

    A segment's points lie between its ends on both axes, so (`_cell_of` being monotone) in
    the cells between its ends' cells: for a step to a neighbouring cell those are the
    ends' cells and, on a diagonal step, the two others of that 2x2 block. Longer segments
    are cut into pieces about a cell long, each piece's box grown by a margin far above the
    rounding error of the cut. Consecutive coordinates of different rings of one polygon
    make a few needless segments: more marks, never fewer.
    """
    x0, y0, cw, ch, gx, gy = shape
    n = len(polygons)
    coords, which = shapely.get_coordinates(polygons[valid], return_index=True)
    owner = valid[which]
    cx, cy = _cell_of(coords[:, 0], x0, cw, gx), _cell_of(coords[:, 1], y0, ch, gy)
    keys = [(cy * gx + cx) * n + owner]
    same = owner[1:] == owner[:-1]
    dx, dy = np.abs(np.diff(cx)), np.abs(np.diff(cy))
    diagonal = np.flatnonzero(same & (dx == 1) & (dy == 1))
    keys += [(cy[diagonal] * gx + cx[diagonal + 1]) * n + owner[diagonal],
             (cy[diagonal + 1] * gx + cx[diagonal]) * n + owner[diagonal]]
    long = np.flatnonzero(same & ((dx > 1) | (dy > 1)))
    if len(long):
        margin = max(1e-7 * max(cw, ch), 1e-11)
        a, b = coords[long], coords[long + 1]
        steps = np.maximum(dx[long], dy[long]) + 1
        seg, k = _expand(np.arange(len(long)), np.zeros(len(long), dtype=np.int64), steps)
        start = a[seg] + (b[seg] - a[seg]) * (k / steps[seg])[:, None]
        stop = a[seg] + (b[seg] - a[seg]) * ((k + 1) / steps[seg])[:, None]
        pieces = np.hstack([np.minimum(start, stop) - margin, np.maximum(start, stop) + margin])
        cells, who = _box_cells(pieces, owner[long][seg], shape)
        keys.append(cells * n + who)
    keys = np.concatenate(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]]  # repeats of the next key dropped


def _grid_shape(width: float, height: float, cells: int) -> tuple[int, int]:
    """Columns and rows of about `cells` near-square cells over a width x height box."""
    if width > 0 and height > 0:
        gx = max(1, round(np.sqrt(cells * width / height)))
        return gx, max(1, round(cells / gx))
    return (cells, 1) if width > 0 else (1, cells) if height > 0 else (1, 1)


def _build_grid(polygons: np.ndarray, cells_per_polygon: int, classify: bool) -> _Grid:
    """The grid of `_locate` (see `_Grid`).

    A polygon is registered in every cell its bounding box touches. Its boundary marks the
    cells it crosses (`_crossed`), and perhaps a few more. An unmarked cell is on one side of
    the boundary, wholly inside or wholly outside, which one test of the cell's centre
    tells. Marking too much only costs tests, never answers. Marking reads every vertex:
    with more vertices than points it would cost more than it saves, so without `classify`
    every cell a polygon's box touches tests its points against that polygon.
    """
    n = len(polygons)
    bounds = shapely.bounds(polygons)
    valid = np.flatnonzero(~np.isnan(bounds[:, 0]))
    if not len(valid):
        return _Grid(np.nan, np.nan, np.nan, np.nan, 1.0, 1.0, 1, 1, np.full(2, n),
                     np.zeros(2, dtype=np.int64), np.empty(0, np.intp), np.empty(0, bool))
    boxes = bounds[valid]
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    x1, y1 = boxes[:, 2].max(), boxes[:, 3].max()
    cells = cells_per_polygon * len(valid)
    while True:  # overlapping bounding boxes: fewer cells until the registrations fit
        gx, gy = _grid_shape(x1 - x0, y1 - y0, cells)
        cw = (x1 - x0) / gx if x1 > x0 else 1.0
        ch = (y1 - y0) / gy if y1 > y0 else 1.0
        shape = (x0, y0, cw, ch, gx, gy)
        spans = ((_cell_of(boxes[:, 2], x0, cw, gx) - _cell_of(boxes[:, 0], x0, cw, gx) + 1)
                 * (_cell_of(boxes[:, 3], y0, ch, gy) - _cell_of(boxes[:, 1], y0, ch, gy) + 1))
        if spans.sum() <= _MAX_REGISTRATIONS or gx * gy == 1:
            break
        cells = max(1, gx * gy // 4)
    reg_cell, reg_rank = _box_cells(boxes, valid, shape)
    keys = np.sort(reg_cell * n + reg_rank)  # by cell, then rank
    reg_cell, reg_rank = keys // n, keys % n

    # cells crossed by a boundary (only when the points are many enough to pay for it)
    crossed = np.ones(len(keys), dtype=bool)
    if classify:
        marked = _crossed(polygons, valid, shape)
        at = np.minimum(np.searchsorted(keys, marked), len(keys) - 1)
        crossed[:] = False
        crossed[at[keys[at] == marked]] = True

    # the others: wholly inside or wholly outside, as the cell's centre is
    clear = np.flatnonzero(~crossed)
    by_polygon = clear[np.argsort(reg_rank[clear], kind="stable")]
    centre_x = x0 + (reg_cell[by_polygon] % gx + 0.5) * cw
    centre_y = y0 + (reg_cell[by_polygon] // gx + 0.5) * ch
    inside = np.zeros(len(reg_cell), dtype=bool)
    inside[by_polygon] = shapely.intersects_xy(polygons[reg_rank[by_polygon]], centre_x, centre_y)

    # per cell: the candidates up to and including the first that covers it whole
    keep = crossed | inside
    reg_cell, reg_rank, inside = reg_cell[keep], reg_rank[keep], inside[keep]
    n_cells = gx * gy
    first = np.concatenate([[0], np.cumsum(np.bincount(reg_cell, minlength=n_cells))])
    covered = np.concatenate([[0], np.cumsum(inside)])  # covering rows before each row
    keep = covered[:-1] == covered[first[reg_cell]]
    reg_cell, reg_rank, inside = reg_cell[keep], reg_rank[keep], inside[keep]
    count = np.bincount(reg_cell, minlength=n_cells)
    first = np.cumsum(count) - count
    answer = np.full(n_cells + 1, n, dtype=np.intp)  # + one for points outside the extent
    has = np.flatnonzero(count > 0)
    answer[has] = np.where(inside[first[has]], reg_rank[first[has]], -1)
    tested = answer[reg_cell] < 0
    indptr = np.zeros(n_cells + 1, dtype=np.int64)
    np.cumsum(np.bincount(reg_cell[tested], minlength=n_cells), out=indptr[1:])
    return _Grid(x0, y0, x1, y1, cw, ch, gx, gy, answer, indptr,
                 reg_rank[tested].astype(np.intp), inside[tested])


def _small_int(n: int) -> type:
    """The narrowest integer type for 0..n: numpy's stable sort is a radix sort up to 16 bits."""
    return np.int16 if n < 2**15 else np.int64


def _lookup(values: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Values by rank, None for the "no match" rank ``len(values)``."""
    table = np.empty(len(values) + 1, dtype=object)
    table[:-1] = values
    return table[rank]


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
