"""Generate the illustrative (示意) city-scale data set of 商丘市 for benchmarks.

`python -m data.generate --scale city [--out DIR] [--issues N] [--seed S] [--subdistricts K]`
writes the same files as the Pingyuan demo (subdistrict.geojson, communities.geojson, ...,
issue_events.csv) plus regions.csv (city > district > subdistrict, NBS codes), meta.json and
README.txt. Nothing here is a survey: the geometry is a jittered lattice inside
`geo.schema.SHANGQIU_BBOX`, names are invented, only the district codes are real.

Why numpy and not the demo's per-row `random.Random`: 10^6 issues must be built in well under
a minute. One `numpy.random.default_rng(seed)` drives every draw in a fixed order, so two runs
with the same arguments write byte-identical files. The issue texts, the stage names, the
signers of events and the notes are the demo generator's (`data.generate`), reused.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import string
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import shapely

from data import generate as demo
from geo.schema import FIVE_HAVES, METHODS, SHANGQIU_BBOX, STAGE_ORDER, get_layer
from yishi.datasets import DEMO_FILES, ROOT

AS_OF = dt.date(2026, 6, 30)
#: Five years of issues up to AS_OF.
START = dt.date(2021, 7, 1)
DEFAULT_OUT = ROOT / "var" / "city"
DEFAULT_ISSUES = 100_000
DEFAULT_SUBDISTRICTS = 50
DEFAULT_SEED = 4114
CITY = ("4114", "商丘市")
#: The districts and counties of 商丘市 (NBS codes) on an illustrative 3 x 3 layout:
#: code, name, urban (subdistricts are 街道) or a county (towns 镇/乡), layout column, row (0 = south).
DISTRICTS = (
    ("411402", "梁园区", True, 1, 2),
    ("411403", "睢阳区", True, 1, 1),
    ("411421", "民权县", False, 0, 2),
    ("411422", "睢县", False, 0, 1),
    ("411423", "宁陵县", False, 0, 0),
    ("411424", "柘城县", False, 1, 0),
    ("411425", "虞城县", False, 2, 2),
    ("411426", "夏邑县", False, 2, 1),
    ("411481", "永城市", False, 2, 0),
)
#: Share of the lattice's columns (west to east) and rows (south to north) per layout block.
COLUMN_SHARE = (0.35, 0.30, 0.35)
ROW_SHARE = (0.30, 0.40, 0.30)
#: The lattice fills this box (inside SHANGQIU_BBOX, with room for the jitter).
BOX = (114.95, 33.85, 116.55, 34.78)
#: The urban core (densest lattice): between 梁园区 and 睢阳区.
CORE = (115.65, 34.42)

#: Characters invented place names are made of (first, second).
NAME_HEAD = "东西南北中新老古金银石李王张刘马杨黄白高孙赵周吴郑朱胡郭何宋谢韩唐冯董程曹袁许"
NAME_TAIL = "关庄营集楼寨店桥湖园城堂岗口屯河庙坡湾洼寺铺埠台坊"
ROAD_SUFFIX = ("路", "街", "大道")

CLOSED_REASONS = {stage: text for stage, text in demo.CLOSED}
#: Index of each stage on the procedure's path.
PATH = STAGE_ORDER
N_PATH = len(PATH)
NEVER = 10**7  # a day number after every real day: the stage is not reached


@dataclass
class Lattice:
    """Nodes (rows south->north, columns west->east) and one bent vertex per cell edge."""

    x: np.ndarray  # (ny + 1, nx + 1) lon of nodes
    y: np.ndarray
    hx: np.ndarray  # (ny + 1, nx) the vertex on the edge from node (i, j) to (i, j + 1)
    hy: np.ndarray
    vx: np.ndarray  # (ny, nx + 1) the vertex on the edge from node (i, j) to (i + 1, j)
    vy: np.ndarray

    def ring(self, r0: int, r1: int, c0: int, c1: int) -> list[tuple[float, float]]:
        """The counter-clockwise ring around cells rows r0..r1-1, columns c0..c1-1."""
        pts: list[tuple[float, float]] = []
        for j in range(c0, c1):  # south edge, west to east
            pts += [(self.x[r0, j], self.y[r0, j]), (self.hx[r0, j], self.hy[r0, j])]
        for i in range(r0, r1):  # east edge, south to north
            pts += [(self.x[i, c1], self.y[i, c1]), (self.vx[i, c1], self.vy[i, c1])]
        for j in range(c1, c0, -1):  # north edge, east to west
            pts += [(self.x[r1, j], self.y[r1, j]), (self.hx[r1, j - 1], self.hy[r1, j - 1])]
        for i in range(r1, r0, -1):  # west edge, north to south
            pts += [(self.x[i, c0], self.y[i, c0]), (self.vx[i - 1, c0], self.vy[i - 1, c0])]
        pts.append(pts[0])
        return [(float(a), float(b)) for a, b in pts]

    def bilinear(self, i: np.ndarray, j: np.ndarray, s: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Points at (s east, t north) in [0, 1]^2 of cells (i, j), through their four nodes."""
        w = ((1 - s) * (1 - t), s * (1 - t), s * t, (1 - s) * t)
        corners = ((i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j))
        lon = sum(wk * self.x[a, b] for wk, (a, b) in zip(w, corners))
        lat = sum(wk * self.y[a, b] for wk, (a, b) in zip(w, corners))
        return lon, lat


def warped_edges(n: int, lo: float, hi: float, core: float, sigma: float) -> np.ndarray:
    """n + 1 edges from lo to hi, closer together near `core` (cells of the urban core are small)."""
    centres = lo + (np.arange(n) + 0.5) * (hi - lo) / n
    spacing = 1.0 - 0.6 * np.exp(-((centres - core) / sigma) ** 2)
    edges = np.concatenate([[0.0], np.cumsum(spacing)])
    return lo + edges / edges[-1] * (hi - lo)


def build_lattice(rng: np.random.Generator, nx: int, ny: int) -> Lattice:
    """The jittered lattice: nodes move up to 22% of a cell, edges bend up to 7% (snapped to 1e-6)."""
    xe = warped_edges(nx, BOX[0], BOX[2], CORE[0], 0.25)
    ye = warped_edges(ny, BOX[1], BOX[3], CORE[1], 0.15)
    dx = np.diff(xe)
    dy = np.diff(ye)
    # the spacing around a node: the smaller of the cells beside it
    ndx = np.minimum(np.r_[dx[0], dx], np.r_[dx, dx[-1]])
    ndy = np.minimum(np.r_[dy[0], dy], np.r_[dy, dy[-1]])
    x = xe[None, :] + rng.uniform(-0.22, 0.22, (ny + 1, nx + 1)) * ndx[None, :]
    y = ye[:, None] + rng.uniform(-0.22, 0.22, (ny + 1, nx + 1)) * ndy[:, None]
    x, y = x.round(6), y.round(6)
    hx = ((x[:, :-1] + x[:, 1:]) / 2).round(6)
    hy = ((y[:, :-1] + y[:, 1:]) / 2 + rng.uniform(-0.07, 0.07, (ny + 1, nx)) * ndy[:, None]).round(6)
    vx = ((x[:-1, :] + x[1:, :]) / 2 + rng.uniform(-0.07, 0.07, (ny, nx + 1)) * ndx[None, :]).round(6)
    vy = ((y[:-1, :] + y[1:, :]) / 2).round(6)
    return Lattice(x, y, hx, hy, vx, vy)


def shares(total: int, weights: tuple[float, ...] | list[float], least: int = 1) -> list[int]:
    """`total` split by `weights` (largest remainders), each part at least `least`."""
    w = np.asarray(weights, dtype=float)
    raw = least + (total - least * len(w)) * w / w.sum()
    parts = np.floor(raw).astype(int)
    for k in np.argsort(-(raw - parts), kind="stable")[: total - parts.sum()]:
        parts[k] += 1
    return parts.tolist()


def bisect(n: int, r0: int, r1: int, c0: int, c1: int) -> list[tuple[int, int, int, int]]:
    """A block of cells cut into n rectangular blocks of about equal size (recursive halving)."""
    if n == 1:
        return [(r0, r1, c0, c1)]
    n1 = n // 2
    if (c1 - c0) >= (r1 - r0):
        cut = c0 + min(max(1, round((c1 - c0) * n1 / n)), c1 - c0 - 1)
        return bisect(n1, r0, r1, c0, cut) + bisect(n - n1, r0, r1, cut, c1)
    cut = r0 + min(max(1, round((r1 - r0) * n1 / n)), r1 - r0 - 1)
    return bisect(n1, r0, cut, c0, c1) + bisect(n - n1, cut, r1, c0, c1)


class Names:
    """Invented two-character place stems, never the same twice within one `Names`."""

    def __init__(self, rng: np.random.Generator) -> None:
        combos = [a + b for a in NAME_HEAD for b in NAME_TAIL]
        self.pool = [combos[k] for k in rng.permutation(len(combos))]

    def take(self, n: int) -> list[str]:
        if n > len(self.pool):
            raise RuntimeError("ran out of invented place names")
        out, self.pool = self.pool[:n], self.pool[n:]
        return out


@dataclass
class Places:
    """The region tree and its polygons, as parallel lists and arrays."""

    regions: list[dict]
    sub_code: list[str]
    sub_name: list[str]
    sub_district: list[int]  # index into DISTRICTS
    sub_ring: list[list[tuple[float, float]]]
    com_code: list[str]
    com_name: list[str]
    com_sub: np.ndarray  # subdistrict index per community
    com_cell: np.ndarray  # (n, 2) lattice row, column
    com_poly: np.ndarray  # shapely polygons
    lattice: Lattice


def build_places(rng: np.random.Generator, n_sub: int) -> Places:
    """Districts as blocks of one lattice, subdistricts as blocks of those, a community per cell."""
    n_sub = max(n_sub, len(DISTRICTS))
    nx = max(6, round(math.sqrt(32 * n_sub)))  # about 16 communities per subdistrict, 2:1
    ny = max(6, round(nx / 2))
    cols, rows = shares(nx, COLUMN_SHARE, 2), shares(ny, ROW_SHARE, 2)
    col0, row0 = np.r_[0, np.cumsum(cols)], np.r_[0, np.cumsum(rows)]
    lattice = build_lattice(rng, nx, ny)
    area = [cols[c] * rows[r] * (1.6 if urban else 1.0) for _, _, urban, c, r in DISTRICTS]
    per_district = shares(n_sub, area)
    names = Names(rng)
    regions = [{"region_id": CITY[0], "name": CITY[1], "level": "city", "parent_id": None}]
    places = Places(regions, [], [], [], [], [], [], np.zeros(0, int), np.zeros((0, 2), int),
                    np.zeros(0, object), lattice)
    com_sub: list[int] = []
    com_cell: list[tuple[int, int]] = []
    for d, ((code, name, urban, c, r), k) in enumerate(zip(DISTRICTS, per_district)):
        regions.append({"region_id": code, "name": name, "level": "district", "parent_id": CITY[0]})
        blocks = bisect(k, int(row0[r]), int(row0[r + 1]), int(col0[c]), int(col0[c + 1]))
        # blocks from north-west to south-east; the county seat's subdistricts come first
        blocks.sort(key=lambda b: (-b[0], b[2]))
        stems = names.take(len(blocks))
        n_street = len(blocks) if urban else min(2, len(blocks) - 1)
        numbers = {"街道": 0, "镇": 99, "乡": 199}
        for b, (block, stem) in enumerate(zip(blocks, stems)):
            kind = "街道" if b < n_street else ("镇" if rng.random() < 0.8 else "乡")
            numbers[kind] += 1
            sub = f"{code}{numbers[kind]:03d}"
            sub_name = "平原街道" if sub == "411402001" else f"{stem}{kind}"
            places.sub_code.append(sub)
            places.sub_name.append(sub_name)
            places.sub_district.append(d)
            places.sub_ring.append(lattice.ring(*block))
            regions.append({"region_id": sub, "name": sub_name, "level": "subdistrict", "parent_id": code})
            r0, r1, c0, c1 = block
            cells = [(i, j) for i in range(r1 - 1, r0 - 1, -1) for j in range(c0, c1)]
            com_stems = Names(rng).take(len(cells))
            n_shequ = len(cells) if kind == "街道" else min(2, len(cells))
            for q, ((i, j), cs) in enumerate(zip(cells, com_stems)):
                shequ = q < n_shequ
                number = q + 1 if shequ else 200 + q - n_shequ + 1
                places.com_code.append(f"{sub}{number:03d}")
                places.com_name.append(f"{cs}{'社区' if shequ else '村'}")
                com_sub.append(len(places.sub_code) - 1)
                com_cell.append((i, j))
    places.com_sub = np.asarray(com_sub)
    places.com_cell = np.asarray(com_cell)
    places.com_poly = np.asarray([shapely.Polygon(lattice.ring(i, i + 1, j, j + 1)) for i, j in com_cell],
                                 dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(places.com_poly)
    lo_x, lo_y, hi_x, hi_y = SHANGQIU_BBOX
    if not (lo_x < minx and maxx < hi_x and lo_y < miny and maxy < hi_y):
        raise RuntimeError("the lattice leaves SHANGQIU_BBOX")
    return places


# ----------------------------------------------------------------------------------------
# Compounds, venues, members
# ----------------------------------------------------------------------------------------

M_PER_DEG_LAT = 110_950.0
OLD_NAMES = [n for n, kind in demo.COMPOUND_POOL if kind == "old"]
NEW_NAMES = [n for n, kind in demo.COMPOUND_POOL if kind == "new"]
SLOTS = ((0.3, 0.3), (0.7, 0.3), (0.3, 0.7), (0.7, 0.7))


def metres_per_deg_lon(lat: np.ndarray | float) -> np.ndarray | float:
    return 111_320.0 * np.cos(np.radians(lat))


def rect_ring(cx: float, cy: float, w: float, h: float, angle: float) -> list[tuple[float, float]]:
    """A w x h metre rectangle turned by `angle` degrees around (cx, cy), snapped, counter-clockwise."""
    a = math.radians(angle)
    kx = float(metres_per_deg_lon(cy))
    pts = [(round(cx + (dx * math.cos(a) - dy * math.sin(a)) / kx, 6),
            round(cy + (dx * math.sin(a) + dy * math.cos(a)) / M_PER_DEG_LAT, 6))
           for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2))]
    return [*pts, pts[0]]


@dataclass
class Compounds:
    frame: pd.DataFrame  # schema fields + community index, kind, centre, size, angle
    poly: np.ndarray


def build_compounds(rng: np.random.Generator, places: Places) -> Compounds:
    """Two to four compounds per community, one per slot of its cell, none touching another."""
    lat = places.lattice
    n_com = len(places.com_code)
    k = rng.integers(2, 5, n_com)
    urban = np.asarray([DISTRICTS[places.sub_district[s]][2] for s in places.com_sub])
    rows: list[dict] = []
    polys = []
    for c in range(n_com):
        i, j = places.com_cell[c]
        ii, jj = np.full(2, i), np.full(2, j)
        # the cell's width and height in metres, through its middle
        ex, ey = lat.bilinear(ii, jj, np.array([0.0, 1.0]), np.array([0.5, 0.5]))
        nx_, ny_ = lat.bilinear(ii, jj, np.array([0.5, 0.5]), np.array([0.0, 1.0]))
        width = abs(ex[1] - ex[0]) * float(metres_per_deg_lon(ey[0]))
        height = abs(ny_[1] - ny_[0]) * M_PER_DEG_LAT
        for slot in rng.permutation(4)[: k[c]]:
            s, t = SLOTS[slot]
            cx, cy = lat.bilinear(np.array([i]), np.array([j]), np.array([s]), np.array([t]))
            draw = rng.random()
            kind = (("old" if draw < 0.45 else "new" if draw < 0.9 else "resettle") if urban[c]
                    else ("old" if draw < 0.2 else "new" if draw < 0.5 else "resettle"))
            if kind == "old":
                name = OLD_NAMES[rng.integers(len(OLD_NAMES))]
                year, hh = int(rng.integers(1980, 2000)), int(rng.integers(48, 361))
                pm = ("unit", "unit", "self_managed", "none")[rng.integers(4)]
            elif kind == "new":
                name = NEW_NAMES[rng.integers(len(NEW_NAMES))]
                year, hh, pm = int(rng.integers(2005, 2023)), int(rng.integers(300, 1401)), "company"
            else:
                name = places.com_name[c][:2] + ("新村", "安置小区", "社区")[rng.integers(3)]
                name = name if name != places.com_name[c] else name + "小区"
                year, hh = int(rng.integers(1998, 2017)), int(rng.integers(200, 901))
                pm = ("company", "self_managed")[rng.integers(2)]
            w = min(rng.uniform(110, 300), 0.24 * width)
            h = min(rng.uniform(100, 260), 0.24 * height)
            angle = rng.uniform(-10, 10)
            polys.append(shapely.Polygon(rect_ring(float(cx[0]), float(cy[0]), w, h, angle)))
            rows.append({"compound_id": f"C{len(rows) + 1:05d}", "name": name, "households": hh,
                         "built_year": year, "is_old_compound": year < 2000, "property_management": pm,
                         "subdistrict_id": places.sub_code[places.com_sub[c]],
                         "community": c, "kind": kind, "cx": float(cx[0]), "cy": float(cy[0]),
                         "w": w, "h": h, "angle": angle})
    frame = pd.DataFrame(rows)
    poly = np.asarray(polys, dtype=object)
    inside = shapely.contains_properly(places.com_poly[frame["community"].to_numpy()], poly)
    if not inside.all():
        raise RuntimeError(f"{(~inside).sum()} compounds stick out of their community")
    a, b = shapely.STRtree(poly).query(poly, predicate="intersects")
    if (a != b).any():
        raise RuntimeError("two compounds touch")
    return Compounds(frame, poly)


def build_venues(rng: np.random.Generator, places: Places,
                 compounds: Compounds) -> tuple[pd.DataFrame, np.ndarray]:
    """A room per subdistrict and per community; a pavilion, corner or corridor in half the
    communities (inside one of their compounds). Every venue opened before the first issue.
    Also returns each community's room (row number), where its meetings are held."""
    lat = places.lattice
    rows: list[dict] = []

    def add(name: str, kind: str, x: float, y: float, com: int, full: float) -> None:
        flags = [True] * 5
        if rng.random() >= full:
            for f in rng.choice([1, 2, 3, 4], int(rng.integers(1, 3)), replace=False):
                flags[f] = False
        opened = dt.date(2019, 1, 1) + dt.timedelta(days=int(rng.integers(0, (START - dt.date(2019, 1, 1)).days)))
        rows.append({"venue_id": f"V{len(rows) + 1:05d}", "name": name, "kind": kind,
                     **dict(zip(FIVE_HAVES.codes, flags)), "opened_on": opened.isoformat(),
                     "subdistrict_id": places.sub_code[places.com_sub[com]], "community": com,
                     "x": round(x, 6), "y": round(y, 6)})

    first_com = {}
    for c, s in enumerate(places.com_sub):
        first_com.setdefault(int(s), c)
    for s, c in first_com.items():
        i, j = places.com_cell[c]
        x, y = lat.bilinear(np.array([i]), np.array([j]), np.array([0.55]), np.array([0.45]))
        add(f"{places.sub_name[s]}协商议事室", "room", float(x[0]), float(y[0]), c, 1.0)
    room_of = np.zeros(len(places.com_code), dtype=int)
    for c in range(len(places.com_code)):
        i, j = places.com_cell[c]
        x, y = lat.bilinear(np.array([i]), np.array([j]), np.array([0.5]), np.array([0.5]))
        room_of[c] = len(rows)
        add(f"{places.com_name[c]}协商议事室", "room", float(x[0]), float(y[0]), c, 0.85)
    by_com = compounds.frame.groupby("community").indices
    suffix = {"pavilion": "协商议事亭", "corner": "协商议事角", "corridor": "协商议事长廊"}
    for c in range(len(places.com_code)):
        if rng.random() < 0.5:
            k = int(by_com[c][rng.integers(len(by_com[c]))])
            comp = compounds.frame.iloc[k]
            kind = ("pavilion", "corner", "corridor")[rng.integers(3)]
            add(comp["name"] + suffix[kind], kind, comp["cx"], comp["cy"], c, 0.8)
    return pd.DataFrame(rows), room_of


def fake_names(rng: np.random.Generator, n: int) -> list[str]:
    """n invented names: a common surname and a common given name (may repeat: a city is big)."""
    sur = rng.integers(len(demo.SURNAMES), size=n)
    giv = rng.integers(len(demo.GIVEN), size=n)
    return [demo.SURNAMES[a] + demo.GIVEN[b] for a, b in zip(sur.tolist(), giv.tolist())]


def build_members(rng: np.random.Generator, places: Places) -> tuple[pd.DataFrame, np.ndarray]:
    """Per subdistrict: up to 3 CPPCC members, each linked to a different community of it, and
    8 representatives; per community: a team of 8-14 (grid workers, party households, reps).
    Also returns each community's team size."""
    role: list[str] = []
    level: list[str] = []
    team: list[str | None] = []
    linked: list[str | None] = []
    coms_of: dict[int, list[int]] = {}
    for c, s in enumerate(places.com_sub):
        coms_of.setdefault(int(s), []).append(c)
    for s in range(len(places.sub_code)):
        coms = coms_of[s]
        for q, c in enumerate(rng.permutation(coms)[: min(3, len(coms))]):
            role.append("city_cppcc" if q == 0 else "district_cppcc")
            level.append("subdistrict"), team.append(None), linked.append(places.com_code[int(c)])
        for r in ["party_rep"] * 3 + ["resident_rep"] * 3 + ["enterprise_rep"] * 2:
            role.append(r), level.append("subdistrict"), team.append(None), linked.append(None)
    sizes = rng.integers(8, 15, len(places.com_code))
    for c, size in enumerate(sizes.tolist()):
        grid, household, party = (int(v) for v in rng.integers((2, 2, 1), (4, 4, 3)))
        roles = ["grid_worker"] * grid + ["party_household"] * household + ["party_rep"] * party
        roles += ["resident_rep"] * (size - len(roles))
        for r in roles:
            role.append(r), level.append("community"), team.append(places.com_code[c]), linked.append(None)
    n = len(role)
    frame = pd.DataFrame({"member_id": [f"M{k:06d}" for k in range(1, n + 1)], "name": fake_names(rng, n),
                          "role": role, "level": level, "team_community_id": team,
                          "linked_community_id": linked})
    return frame, sizes


# ----------------------------------------------------------------------------------------
# Issues, meetings, events
# ----------------------------------------------------------------------------------------

PLANNED = np.array([15, 30, 45, 60, 90, 120, 180])


#: ISO text of every day number from START to a year after AS_OF (deadlines may lie ahead),
#: and None for NEVER (the last entry).
_DAYS = np.array([*(np.datetime64(START.isoformat()) + np.arange((AS_OF - START).days + 366)).astype(str),
                  None], dtype=object)


def day_text(days: np.ndarray) -> np.ndarray:
    """Day numbers since START as ISO text (object array; NEVER -> None)."""
    return _DAYS[np.where(days < NEVER, days, len(_DAYS) - 1)]


def numbered(prefix: str, n: int, width: int) -> np.ndarray:
    """prefix + 1..n zero-padded to `width` digits, as an object array."""
    digits = np.char.zfill(np.arange(1, n + 1).astype(str), width).astype(object)
    return prefix + digits


def render(text: str, values: dict[str, np.ndarray], n: int) -> np.ndarray:
    """`text` with its {fields} filled from object arrays, element by element (no Python loop)."""
    out = np.full(n, "", dtype=object)
    for literal, name, _, _ in string.Formatter().parse(text):
        out = out + literal
        if name is not None:
            out = out + values[name]
    return out


@dataclass
class IssuePlan:
    """Per issue (arrays in issue order): where, what, and the day each stage is reached."""

    community: np.ndarray
    compound: np.ndarray  # -1: not about a compound
    template: np.ndarray
    x: np.ndarray
    y: np.ndarray
    days: np.ndarray  # (n, 7): the day each stage on the path is reached (NEVER: not yet)
    closed_day: np.ndarray  # NEVER: not closed
    reached: np.ndarray  # index on PATH of the last stage reached
    due: np.ndarray
    n_meetings: np.ndarray
    meeting_span: np.ndarray  # days from the first meeting to the last planned one


def place_issues(rng: np.random.Generator, n: int, places: Places,
                 compounds: Compounds) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Community, compound, template and point per issue; each point inside its community
    (and its compound, for a compound's issue), checked and redrawn until it is."""
    n_com = len(places.com_code)
    urban = np.asarray([DISTRICTS[places.sub_district[s]][2] for s in places.com_sub])
    weight = rng.lognormal(0.0, 0.5, n_com) * np.where(urban, 2.0, 1.0)
    community = rng.choice(n_com, size=n, p=weight / weight.sum())
    # one compound of the community, drawn for every issue (used by compound templates only)
    by_com = compounds.frame.groupby("community").indices
    first = np.array([by_com[c][0] for c in range(n_com)])
    count = np.array([len(by_com[c]) for c in range(n_com)])
    compound = first[community] + (rng.random(n) * count[community]).astype(int)
    kind = compounds.frame["kind"].to_numpy()[compound]
    template = np.zeros(n, dtype=int)
    for k in ("old", "new", "resettle"):
        fits = np.array([t for t, tp in enumerate(demo.TEMPLATES) if tp.scope != "compound" or k in tp.kinds])
        mask = kind == k
        template[mask] = fits[rng.integers(len(fits), size=int(mask.sum()))]
    scope = np.array([tp.scope for tp in demo.TEMPLATES])[template]
    compound = np.where(scope == "compound", compound, -1)

    x = np.zeros(n)
    y = np.zeros(n)
    in_comp = compound >= 0
    cf = compounds.frame
    todo = np.arange(n)
    lat = places.lattice
    while len(todo):
        c_todo = todo[in_comp[todo]]
        if len(c_todo):
            k = compound[c_todo]
            u, v = rng.uniform(-0.4, 0.4, (2, len(c_todo)))
            w, h, a = cf["w"].to_numpy()[k], cf["h"].to_numpy()[k], np.radians(cf["angle"].to_numpy()[k])
            cy = cf["cy"].to_numpy()[k]
            x[c_todo] = (cf["cx"].to_numpy()[k] + (u * w * np.cos(a) - v * h * np.sin(a)) / metres_per_deg_lon(cy)).round(6)
            y[c_todo] = (cy + (u * w * np.sin(a) + v * h * np.cos(a)) / M_PER_DEG_LAT).round(6)
        o_todo = todo[~in_comp[todo]]
        if len(o_todo):
            i, j = places.com_cell[community[o_todo]].T
            s, t = rng.uniform(0.08, 0.92, (2, len(o_todo)))
            px, py = lat.bilinear(i, j, s, t)
            x[o_todo], y[o_todo] = px.round(6), py.round(6)
        ok = shapely.contains_xy(places.com_poly[community[todo]], x[todo], y[todo])
        sub = in_comp[todo]
        ok[sub] &= shapely.contains_xy(compounds.poly[compound[todo[sub]]], x[todo[sub]], y[todo[sub]])
        todo = todo[~ok]
    return community, compound, template, x, y


def plan_stages(rng: np.random.Generator, n: int, focus: np.ndarray) -> IssuePlan:
    """Stage days drawn forward from the report day; the stage on AS_OF is the last day passed.

    About 6% of issues are closed before consensus, 4% stall at some stage (still open years
    later), 12% of agreed ones finish after their deadline (overdue while implementing).
    """
    horizon = (AS_OF - START).days
    rep = np.floor(horizon * rng.random(n) ** (1 / 1.35)).astype(np.int64)  # more issues lately
    sel = rep + rng.integers(0, 11, n)
    stk = sel + rng.integers(1, 8, n)
    mtg = stk + rng.integers(2, 11, n)
    n_meet = rng.choice([1, 2, 3, 4], size=n, p=[0.40, 0.33, 0.18, 0.09])
    n_meet = n_meet + ((focus == "hard_case") & (rng.random(n) < 0.5))
    lead = np.select([focus == "hard_case", focus == "development"], [60, 45], 21)
    span = np.where(n_meet > 1, n_meet - 1 + np.floor(rng.random(n) * (lead - n_meet + 2)).astype(np.int64), 0)
    con = mtg + span
    impl = con + rng.integers(0, 3, n)
    planned = PLANNED[rng.integers(len(PLANNED), size=n)]
    due = con + planned
    late = rng.random(n) < 0.12
    on_time = con + np.maximum(3, planned // 4) + np.floor(rng.random(n) * (planned - np.maximum(3, planned // 4) + 1)).astype(np.int64)
    done = np.where(late, due + rng.integers(1, 91, n), on_time)
    days = np.stack([rep, sel, stk, mtg, con, impl, done], axis=1)

    stall = rng.random(n) < 0.04
    stall_at = rng.integers(0, 6, n)  # stuck after reaching this stage (collected .. implementing)
    later = np.arange(N_PATH)[None, :] > stall_at[:, None]
    days = np.where(stall[:, None] & later, NEVER, days)

    closing = (~stall) & (rng.random(n) < 0.06)
    # closed from selected, stakeholders or meeting (geo.procedure.CLOSABLE_STAGES, past collected)
    close_at = rng.choice([1, 2, 3], size=n, p=[0.4, 0.3, 0.3])
    # a closed issue's meetings (if it got that far): the planned ones, no consensus
    closed_span = np.where(n_meet > 1, n_meet - 1 + rng.integers(0, 15, n), 0)
    span = np.where(closing & (close_at == 3), np.maximum(closed_span, n_meet - 1), span)
    last_step = np.where(close_at == 3, mtg + span, days[np.arange(n), close_at])
    closed_day = np.where(closing, last_step + rng.integers(3, 31, n), NEVER)
    after = np.arange(N_PATH)[None, :] > close_at[:, None]
    days = np.where(closing[:, None] & after, NEVER, days)

    reached = (days <= horizon).sum(axis=1) - 1
    closed_day = np.where(closed_day <= horizon, closed_day, NEVER)
    days = np.where(days <= horizon, days, NEVER)
    return IssuePlan(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), days, closed_day,
                     reached, due, n_meet, span)


def meeting_days(rng: np.random.Generator, plan: IssuePlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(issue index, day, is the last planned meeting) of every meeting held by AS_OF: from the
    meeting stage's day, strictly increasing, the last on the consensus day."""
    horizon = (AS_OF - START).days
    has = plan.reached >= PATH.index("meeting")
    idx = np.repeat(np.nonzero(has)[0], plan.n_meetings[has])
    start = np.r_[0, np.cumsum(plan.n_meetings[has])[:-1]]
    q = np.arange(len(idx)) - np.repeat(start, plan.n_meetings[has])
    m = plan.n_meetings[idx]
    free = plan.meeting_span[idx] - (m - 1)
    frac = rng.random(len(idx))
    # sorted fractions per issue: the first is 0, the last 1, the ones between drawn and sorted
    frac = np.where(q == 0, 0.0, np.where(q == m - 1, 1.0, frac))
    order = np.lexsort((frac, idx))
    frac = frac[order]
    day = plan.days[idx, PATH.index("meeting")] + q + np.floor(frac * free).astype(np.int64)
    held = day <= horizon
    return idx[held], day[held], (q == m - 1)[held]


def generate_city(out_dir: Path, *, n_issues: int = DEFAULT_ISSUES, seed: int = DEFAULT_SEED,
                  n_subdistricts: int = DEFAULT_SUBDISTRICTS, events: str = "all",
                  log: bool = False) -> dict[str, int]:
    """Build every layer and write the files into `out_dir`; returns the rows per file."""
    clock = time.perf_counter()
    rng = np.random.default_rng(seed)

    def say(what: str) -> None:
        if log:
            print(f"  {time.perf_counter() - clock:6.1f} s  {what}", flush=True)

    places = build_places(rng, n_subdistricts)
    compounds = build_compounds(rng, places)
    venues, room_of = build_venues(rng, places, compounds)
    members, team_size = build_members(rng, places)
    say(f"{len(places.sub_code)} subdistricts, {len(places.com_code)} communities, "
        f"{len(compounds.frame)} compounds, {len(venues)} venues, {len(members)} members")

    community, compound, template, x, y = place_issues(rng, n_issues, places, compounds)
    tpl = demo.TEMPLATES
    focus = np.array([t.focus for t in tpl])[template]
    plan = plan_stages(rng, n_issues, focus)
    say(f"{n_issues} issues placed and planned")
    # number the issues by report day (like the demo)
    order = np.lexsort((rng.random(n_issues), plan.days[:, 0]))
    community, compound, template, x, y, focus = (a[order] for a in (community, compound, template, x, y, focus))
    plan = IssuePlan(community, compound, template, x, y, plan.days[order], plan.closed_day[order],
                     plan.reached[order], plan.due[order], plan.n_meetings[order], plan.meeting_span[order])
    width = max(6, len(str(n_issues)))
    issue_id = numbered("I", n_issues, width)
    issues = issue_frame(rng, plan, places, compounds, members, issue_id, focus)
    say("issue fields")

    m_idx, m_day, m_last = meeting_days(rng, plan)
    meetings = meeting_frame(rng, plan, m_idx, m_day, m_last, issues, venues, room_of, issue_id)
    say(f"{len(meetings)} meetings")
    timeline = event_frame(rng, plan, issues, issue_id, members, places, events)
    say(f"{len(timeline)} events ({events})")

    out_dir.mkdir(parents=True, exist_ok=True)
    files = dict(DEMO_FILES, regions="regions.csv")
    sub_frame = pd.DataFrame({"name": places.sub_name, "subdistrict_id": places.sub_code})
    write_geojson(out_dir / files["subdistrict"], "subdistrict", sub_frame,
                  [polygon_json(r) for r in places.sub_ring])
    com_frame = pd.DataFrame({"community_id": places.com_code, "name": places.com_name,
                              "team_size": team_size,
                              "subdistrict_id": [places.sub_code[s] for s in places.com_sub]})
    write_geojson(out_dir / files["communities"], "communities", com_frame,
                  [polygon_json(list(p.exterior.coords)) for p in places.com_poly])
    write_geojson(out_dir / files["compounds"], "compounds", compounds.frame,
                  [polygon_json(list(p.exterior.coords)) for p in compounds.poly])
    write_geojson(out_dir / files["venues"], "venues", venues, point_json(venues["x"], venues["y"]))
    write_geojson(out_dir / files["issues"], "issues", issues, point_json(x, y))
    say("GeoJSON written")
    write_csv(out_dir / files["members"], "members", members)
    write_csv(out_dir / files["meetings"], "meetings", meetings)
    write_csv(out_dir / files["issue_events"], "issue_events", timeline)
    write_csv(out_dir / files["regions"], "regions", pd.DataFrame(places.regions))
    say("CSV written")
    counts = {"regions": len(places.regions), "subdistrict": len(places.sub_code),
              "communities": len(places.com_code), "compounds": len(compounds.frame),
              "venues": len(venues), "members": len(members), "issues": n_issues,
              "meetings": len(meetings), "issue_events": len(timeline)}
    meta = {"illustrative": True, "scale": "city", "as_of": AS_OF.isoformat(), "seed": seed,
            "issues": n_issues, "subdistricts": len(places.sub_code), "events": events,
            "files": files, "rows": counts}
    (out_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out_dir / "README.txt").write_text(README.format(**{**meta, **counts}), encoding="utf-8")
    return counts


def issue_frame(rng: np.random.Generator, plan: IssuePlan, places: Places, compounds: Compounds,
                members: pd.DataFrame, issue_id: np.ndarray, focus: np.ndarray) -> pd.DataFrame:
    """The issues layer: which fields are set depends on the stage reached (as the procedure
    requires them), texts from the demo's templates with this city's places."""
    n = len(issue_id)
    tpl = demo.TEMPLATES
    reached = plan.reached
    closed = plan.closed_day < NEVER
    stage = np.array(PATH, dtype=object)[reached]
    stage[closed] = "closed"
    at = {s: reached >= k for k, s in enumerate(PATH)}
    district_of = [DISTRICTS[d][1] for d in places.sub_district]
    com_name = np.asarray(places.com_name, dtype=object)
    comp_name = compounds.frame["name"].to_numpy(dtype=object)
    cppcc = members[members["linked_community_id"].notna()]
    member_of = dict(zip(cppcc["linked_community_id"], cppcc["name"]))

    def local(text: str, c: int) -> str:
        s = int(places.com_sub[c])
        name = places.com_name[c]
        if name.endswith("村"):  # a village has a villagers' committee, not a residents'
            text = text.replace(f"{name}居委会", f"{name[:-1]}村委会")
        return (text.replace("平原街道", places.sub_name[s]).replace("梁园区", district_of[s])
                .replace("“平安平原”", "“平安社区”"))

    roads = np.asarray([places.com_name[c][:2] + ROAD_SUFFIX[c % 3] for c in range(len(places.com_code))],
                       dtype=object)
    n_draw = rng.random(n)
    k_draw = rng.random(n)
    method_draw = rng.random(n)
    title, description, consensus, result, method = (np.empty(n, dtype=object) for _ in range(5))
    for t, tp in enumerate(tpl):
        g = np.nonzero(plan.template == t)[0]
        c = plan.community[g]
        place = (comp_name[plan.compound[g]] if tp.scope == "compound"
                 else roads[c] if tp.scope == "road" else com_name[c])
        nn = tp.n[0] + np.floor(n_draw[g] * (tp.n[1] - tp.n[0] + 1)).astype(np.int64)
        kk = tp.k[0] + np.floor(k_draw[g] * (tp.k[1] - tp.k[0] + 1)).astype(np.int64)
        fill = {"place": place, "community": com_name[c], "n": nn.astype(str).astype(object),
                "k": kk.astype(str).astype(object)}
        title[g] = render(tp.title.replace("“平安平原”", "“平安社区”"), fill, len(g))
        description[g] = render(tp.description, fill, len(g))
        consensus[g] = render(tp.consensus, fill, len(g))
        result[g] = render(tp.result, fill, len(g))
        method[g] = np.asarray(tp.methods, dtype=object)[(method_draw[g] * len(tp.methods)).astype(int)]
    # the unit and the stakeholders depend on (template, community, compound) alone: once per key
    n_com = len(places.com_code)
    key = (plan.template * n_com + plan.community) * (len(comp_name) + 1) + plan.compound + 1
    keys, inverse = np.unique(key, return_inverse=True)
    k_comp = keys % (len(comp_name) + 1) - 1
    k_com = (keys // (len(comp_name) + 1)) % n_com
    k_tpl = keys // (len(comp_name) + 1) // n_com
    k_unit, k_parties, k_person = [], [], []
    person_of: dict[tuple[str, int], str] = {}
    names = iter(fake_names(rng, len(keys)))
    for t, c, k in zip(k_tpl.tolist(), k_com.tolist(), k_comp.tolist()):
        tp = tpl[t]
        place = comp_name[k] if k >= 0 else (roads[c] if tp.scope == "road" else com_name[c])
        u = local(tp.unit.format(community=com_name[c]), c)
        k_unit.append(u)
        k_parties.append(local(demo.parties_text(com_name[c], place, tp.parties, u,
                                                 member_of.get(places.com_code[c])), c))
        k_person.append(person_of.setdefault((u, int(places.com_sub[c])), next(names)))
    unit = np.asarray(k_unit, dtype=object)[inverse]
    parties = np.asarray(k_parties, dtype=object)[inverse]
    person = np.asarray(k_person, dtype=object)[inverse]

    def when(flag: np.ndarray, values: list | np.ndarray) -> np.ndarray:
        out = np.asarray(values, dtype=object).copy()
        out[~flag] = None
        return out

    households = compounds.frame["households"].to_numpy()
    affected = np.where(plan.compound >= 0,
                        (households[np.maximum(plan.compound, 0)] * rng.uniform(0.6, 2.8, n)).astype(np.int64),
                        rng.integers(150, 3001, n))
    sat = np.where(rng.random(n) < 0.88, rng.uniform(4.0, 5.0, n), rng.uniform(3.2, 3.9, n)).round(1)
    reporter = rng.random(n) < 0.85
    done = at["done"]
    close_stage = np.array(PATH, dtype=object)[reached]
    return pd.DataFrame({
        "issue_id": issue_id, "title": title, "description": description,
        "category": np.array([t.category for t in tpl], dtype=object)[plan.template],
        "focus": focus, "stage": stage,
        "method": when(at["meeting"], method),
        "reported_on": day_text(plan.days[:, 0]),
        "consensus_on": day_text(plan.days[:, PATH.index("consensus")]),
        "due_on": day_text(np.where(at["implementing"], plan.due, NEVER)),
        "done_on": day_text(plan.days[:, PATH.index("done")]),
        "stakeholders": when(at["stakeholders"], parties),
        "consensus_text": when(at["consensus"], consensus),
        "responsible_unit": when(at["implementing"], unit),
        "responsible_person": when(at["implementing"], person),
        "residents_affected": affected,
        "result_public": when(done, result),
        "satisfaction": np.where(done, sat, np.nan),
        "closed_reason": when(closed, [CLOSED_REASONS.get(s) for s in close_stage]),
        "reporter_name": when(reporter, numbered("虚构居民", n, 7)),
        "reporter_phone": when(reporter, numbered("1990", n, 7)),
        "source": "staff", "triage": None, "merged_into": None, "declined_reason": None, "me_too": None,
        "subdistrict_id": np.asarray(places.sub_code, dtype=object)[places.com_sub[plan.community]],
        # where it falls: its community is known (drawn strictly inside it, and communities tile);
        # its compound is left to the loader's join (a community's issue may fall in one too),
        # which also checks the community given here (`yishi.citydata.placed_issues`)
        "community_id": np.asarray(places.com_code, dtype=object)[plan.community],
        "compound_id": None,
    })


def meeting_frame(rng: np.random.Generator, plan: IssuePlan, idx: np.ndarray, day: np.ndarray,
                  last: np.ndarray, issues: pd.DataFrame, venues: pd.DataFrame, room_of: np.ndarray,
                  issue_id: np.ndarray) -> pd.DataFrame:
    """One row per meeting held, at the community's room; the consensus meeting (the last of an
    agreed issue, on its consensus day) uses the issue's method."""
    agreed = plan.reached[idx] >= PATH.index("consensus")
    consensus = last & agreed
    own = issues["method"].to_numpy()[idx]
    other = np.array(["meeting", "on_site", "written", "online"], dtype=object)[rng.integers(4, size=len(idx))]
    method = np.where(consensus | (rng.random(len(idx)) < 0.6), own, other)
    lo = np.array([demo.METHOD_PARTICIPANTS[m][0] for m in METHODS.codes])
    hi = np.array([demo.METHOD_PARTICIPANTS[m][1] for m in METHODS.codes])
    code = pd.Categorical(method, categories=METHODS.codes).codes
    participants = lo[code] + np.floor(rng.random(len(idx)) * (hi[code] - lo[code] + 1)).astype(np.int64)
    venue = venues["venue_id"].to_numpy()[room_of[plan.community[idx]]]
    order = np.lexsort((idx, day))
    width = max(6, len(str(len(idx))))
    return pd.DataFrame({
        "meeting_id": numbered("MT", len(idx), width),
        "held_on": day_text(day[order]), "venue_id": venue[order], "issue_id": issue_id[idx[order]],
        "method": method[order], "participants": participants[order], "consensus": consensus[order],
    })


def event_frame(rng: np.random.Generator, plan: IssuePlan, issues: pd.DataFrame, issue_id: np.ndarray,
                members: pd.DataFrame, places: Places, events: str) -> pd.DataFrame:
    """The timeline: a `stage` row per stage reached (and the closing), and a CPPCC member's
    supervision note on each overdue implementing issue. With `events="open"` only issues still
    on the procedure get their rows (done and closed ones keep their dates on the issue)."""
    horizon = (AS_OF - START).days
    n = len(issue_id)
    closed = plan.closed_day < NEVER
    stage = issues["stage"].to_numpy()
    overdue = (stage == "implementing") & (plan.due < horizon)
    keep = np.ones(n, bool) if events == "all" else ~(closed | (stage == "done"))
    steps = (plan.reached + 1 + closed) * keep
    rows = steps + (overdue & keep)
    idx = np.repeat(np.arange(n), rows)
    start = np.r_[0, np.cumsum(rows)[:-1]]
    q = np.arange(len(idx)) - np.repeat(start, rows)
    is_step = q < steps[idx]
    on_path = is_step & (q <= plan.reached[idx])
    is_close = is_step & ~on_path
    stage_names = np.array(PATH, dtype=object)
    to = np.empty(len(idx), dtype=object)
    to[on_path] = stage_names[q[on_path]]
    to[is_close] = "closed"
    to[~is_step] = "implementing"
    frm = np.empty(len(idx), dtype=object)
    frm[:] = None
    prev = is_step & (q > 0)
    frm[prev] = stage_names[q[prev] - 1]
    frm[~is_step] = "implementing"
    day = np.zeros(len(idx), dtype=np.int64)
    day[on_path] = plan.days[idx[on_path], q[on_path]]
    day[is_close] = plan.closed_day[idx[is_close]]
    note_i = idx[~is_step]
    due = plan.due[note_i]
    day[~is_step] = due + 1 + np.floor(rng.random(len(note_i)) * np.minimum(20, horizon - due)).astype(np.int64)
    by = np.array([demo.EVENT_BY[s] for s in (*PATH, "closed")], dtype=object)
    code = pd.Categorical(to, categories=[*PATH, "closed"]).codes
    signer = by[code]
    notes = np.array([demo.EVENT_NOTE.get(s) for s in (*PATH, "closed")], dtype=object)[code]
    units = issues["responsible_unit"].to_numpy()
    impl = on_path & (to == "implementing")
    notes[impl] = "交办" + units[idx[impl]] + "落实"
    notes[is_close] = issues["closed_reason"].to_numpy()[idx[is_close]]
    cppcc = members[members["linked_community_id"].notna()]
    member_of = dict(zip(cppcc["linked_community_id"], cppcc["name"]))
    com_code = np.asarray(places.com_code, dtype=object)
    signer[~is_step] = [f"政协委员{member_of[c]}" if c in member_of else "街道政协联络员"
                        for c in com_code[plan.community[note_i]]]
    notes[~is_step] = "已超过办结时限，督促" + units[note_i] + "加快落实并报告进度"
    ids = issue_id[idx]
    return pd.DataFrame({
        "event_id": ids + numbered("-E", int(q.max()) + 1 if len(q) else 0, 3)[q],
        "issue_id": ids, "at": day_text(day), "from_stage": frm, "to_stage": to, "by": signer,
        "note": notes, "kind": np.where(is_step, "stage", "comment").astype(object), "by_role": None,
    })


# ----------------------------------------------------------------------------------------
# Output: the demo's formats, written fast (pandas' JSON and CSV writers)
# ----------------------------------------------------------------------------------------


def polygon_json(ring: list[tuple[float, float]]) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [[[x, y] for x, y in ring]]})


def point_json(x: np.ndarray | pd.Series, y: np.ndarray | pd.Series) -> list[str]:
    return [f'{{"type": "Point", "coordinates": [{a!r}, {b!r}]}}'
            for a, b in zip(np.asarray(x, float).tolist(), np.asarray(y, float).tolist())]


def schema_frame(layer_name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The schema's fields in schema order (KeyError if one is missing), ints nullable."""
    layer = get_layer(layer_name)
    missing = [f for f in layer.field_names if f not in frame.columns]
    if missing:
        raise KeyError(f"{layer_name}: no values for {missing}")
    out = frame[list(layer.field_names)].copy()
    for f in layer.fields:
        if f.type == "int":
            out[f.name] = out[f.name].astype("Int64")
    return out


#: Rows per piece of a GeoJSON file: the JSON text of one piece is built, split and written
#: before the next (linear time, bounded memory at 10^6 issues).
CHUNK = 100_000


def write_geojson(path: Path, layer_name: str, frame: pd.DataFrame, geometries: list[str]) -> None:
    """A FeatureCollection, one feature per line, properties exactly the schema's fields."""
    layer = get_layer(layer_name)
    props = schema_frame(layer_name, frame)
    if len(props) != len(geometries):
        raise RuntimeError(f"{layer_name}: {len(props)} rows, {len(geometries)} geometries")
    # records are '[{"id":..},{"id":..}]': a record starts at '{"<id field>":', which cannot occur
    # inside a JSON string (its quotes would be escaped)
    head = '{"' + layer.id_field + '":'
    with path.open("w", encoding="utf-8") as f:
        f.write('{"type": "FeatureCollection", "features": [\n')
        for start in range(0, len(props), CHUNK):
            text = props.iloc[start:start + CHUNK].to_json(orient="records", force_ascii=False)
            records = text[len(head) + 1:-2].split("}," + head)
            geoms = geometries[start:start + CHUNK]
            f.write(("" if start == 0 else ",\n") + ",\n".join(
                f'{{"type": "Feature", "properties": {head}{r}}}, "geometry": {g}}}'
                for r, g in zip(records, geoms)))
        f.write("\n]}\n")


def write_csv(path: Path, layer_name: str, frame: pd.DataFrame) -> None:
    """A UTF-8 CSV: header the schema's fields, booleans true/false, missing values empty."""
    out = schema_frame(layer_name, frame)
    table = pa.Table.from_pandas(out, preserve_index=False)
    with path.open("wb") as f:
        f.write((",".join(out.columns) + "\n").encode("utf-8"))
        pa_csv.write_csv(table, f, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))


README = """商丘市 city-scale data set, ILLUSTRATIVE (示意): generated for benchmarks, not a survey.

Made by `python -m data.generate --scale city --issues {issues} --seed {seed}` as of {as_of}.
Only the city and district codes are real (NBS); subdistrict and community codes follow the NBS
pattern, their names, all polygons, compounds, venues, people and issues are invented.
Reporters are fake (虚构居民..., phones 1990...). Do not commit these files (var/ is git-ignored).

regions.csv          {regions} regions (city > district > subdistrict)
subdistrict.geojson  {subdistrict} subdistricts/towns tiling the city
communities.geojson  {communities} communities (12-digit codes) tiling their subdistrict
compounds.geojson    {compounds} compounds, each inside one community
venues.geojson       {venues} venues
members.csv          {members} members
issues.geojson       {issues} issues over five years, each inside its community
meetings.csv         {meetings} meetings
issue_events.csv     {issue_events} timeline rows (events: {events})

Load it into a store: python -m geo init --data DIR --store var/city.sqlite
"""


def main(argv: list[str] | None = None) -> None:
    """The command line of `python -m data.generate --scale city`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m data.generate --scale city",
                                     description="the illustrative city-scale data set (商丘市)")
    parser.add_argument("--scale", choices=("city",), default="city")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default var/city)")
    parser.add_argument("--issues", type=int, default=DEFAULT_ISSUES, help="issues (default 100000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--subdistricts", type=int, default=DEFAULT_SUBDISTRICTS,
                        help="subdistricts (at least 9; about 16 communities each; default 50)")
    parser.add_argument("--events", choices=("all", "open"), default="all",
                        help="timeline rows for every issue, or only for issues still open")
    args = parser.parse_args(argv)
    if args.issues < 1:
        parser.error("--issues must be at least 1")
    clock = time.perf_counter()
    counts = generate_city(args.out, n_issues=args.issues, seed=args.seed,
                           n_subdistricts=args.subdistricts, events=args.events, log=True)
    size = sum(f.stat().st_size for f in args.out.iterdir() if f.is_file())
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
          + f"; {size / 1e6:.1f} MB in {time.perf_counter() - clock:.1f} s")
