"""Page size and build+render time of the issue map: ui.maps.build_map vs one folium.Marker each.

Not a test: prints a table. Run from the repository root: `.venv/bin/python -m bench.map_payload`.
Synthetic issues are spread over a 4 x 3 km box at Pingyuan, Shangqiu, with Chinese titles.
The naive map is extrapolated linearly for 10^5 when 10^4 already took over 6 s (so 10^5
would take over a minute); the row says so.
"""

from __future__ import annotations

import time

import folium
import geopandas as gpd
import numpy as np
from shapely.geometry import box


from ui import maps

X0, Y0, W, H = 115.600, 34.420, 0.04, 0.03
SIZES = (1_000, 10_000, 100_000)
NAIVE_LIMIT_S = 6.0  # at 10^4: beyond this, 10^5 naive markers would take > 60 s


def synthetic_layers(n: int, seed: int = 1) -> dict[str, gpd.GeoDataFrame]:
    """A subdistrict of four communities and `n` issues scattered over it."""
    rng = np.random.default_rng(seed)
    cells = [box(X0 + i * W / 2, Y0 + j * H / 2, X0 + (i + 1) * W / 2, Y0 + (j + 1) * H / 2)
             for i in range(2) for j in range(2)]
    communities = gpd.GeoDataFrame({"community_id": [f"C{k}" for k in range(4)],
                                    "name": [f"社区{k}" for k in range(4)], "team_size": 12},
                                   geometry=cells, crs=4326)
    x, y = rng.uniform(X0, X0 + W, n), rng.uniform(Y0, Y0 + H, n)
    issues = gpd.GeoDataFrame({
        "issue_id": [f"I{i:06d}" for i in range(n)],
        "title": [f"盐业局小区供水水压低问题第{i}号" for i in range(n)],
        "category": rng.choice(list(maps.CATEGORY_COLORS), n),
        "stage": rng.choice(list(maps.STAGE_COLORS), n),
        "community_id": [f"C{2 * int(a >= X0 + W / 2) + int(b >= Y0 + H / 2)}" for a, b in zip(x, y)],
    }, geometry=gpd.points_from_xy(x, y), crs=4326)
    subdistrict = gpd.GeoDataFrame({"name": ["平原街道"]}, geometry=[box(X0, Y0, X0 + W, Y0 + H)], crs=4326)
    return {"subdistrict": subdistrict, "communities": communities, "issues": issues}


def ours(layers: dict[str, gpd.GeoDataFrame]) -> tuple[int, float]:
    start = time.perf_counter()
    page = maps.build_map(**layers).get_root().render()
    return len(page.encode()), time.perf_counter() - start


def naive(issues: gpd.GeoDataFrame) -> tuple[int, float]:
    """What a first attempt does: one folium.Marker with a tooltip per issue."""
    start = time.perf_counter()
    m = folium.Map(location=[Y0 + H / 2, X0 + W / 2], zoom_start=14)
    for title, point in zip(issues["title"], issues.geometry):
        folium.Marker([point.y, point.x], tooltip=maps.escape(title)).add_to(m)
    page = m.get_root().render()
    return len(page.encode()), time.perf_counter() - start


def main() -> None:
    ours(synthetic_layers(100))  # warm up imports and templates
    print(f"{'issues':>8} | {'build_map MB':>12} {'s':>6} | {'Marker each MB':>14} {'s':>7} | "
          f"{'size x':>6} {'time x':>7}")
    naive_10k: tuple[int, float] | None = None
    for n in SIZES:
        layers = synthetic_layers(n)
        size, secs = ours(layers)
        note = ""
        if n == 100_000 and naive_10k is not None and naive_10k[1] > NAIVE_LIMIT_S:
            nsize, nsecs = naive_10k[0] * 10, naive_10k[1] * 10
            note = "  (Marker each: extrapolated x10 from 10^4)"
        else:
            nsize, nsecs = naive(layers["issues"])
        if n == 10_000:
            naive_10k = (nsize, nsecs)
        print(f"{n:>8} | {size / 1e6:>12.2f} {secs:>6.2f} | {nsize / 1e6:>14.2f} {nsecs:>7.2f} | "
              f"{nsize / size:>6.1f} {nsecs / secs:>7.1f}{note}")


if __name__ == "__main__":
    main()
