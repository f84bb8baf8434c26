"""Benchmark of the residents' public side: the public page on a phone, and Open311's list.

Not a test: it prints figures. Run from the repository root:

    .venv/bin/python -m bench.public [--sizes 1000,10000] [--open311-sizes 1000,100000]

Each size is a copy of the demo store plus synthetic issues (reported over the 120 days
before the demo's date, Chinese titles, spread over the subdistrict), built once per size.

- public page: `streamlit run server.py` on the store, Debian's Chromium at 390x844 signed
  out, time from navigation to the board's first card and to the map's first drawn issue;
  three loads, the median printed. Target: ready in under 2 s at 10^4 issues. The "floor" row
  is the nearly empty tracking page on the demo store: what Streamlit itself takes to start a
  page in the browser, before any of ours is drawn.
- Open311: `GET /open311/v2/requests.json` (the default 90 days, at most 1,000 answers)
  through the web layer in-process; the median of 20 requests after one warm-up, and of 3
  requests each made just after a write (`Store.set_meta`). Target: under 200 ms at 10^5 issues.

The ratio column compares each size with the smallest, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import shapely

from bench.serve import streamlit_server
from geo.schema import CATEGORIES, STAGE_ORDER
from yishi.demo import build_demo_store
from yishi.storage import open_store

ROOT = Path(__file__).resolve().parent.parent
TILES = re.compile(r"tile\.openstreetmap\.org|autonavi\.com")
PAGE_TARGET_S, OPEN311_TARGET_S = 2.0, 0.200


def build_store(folder: Path, n: int, seed: int = 7) -> Path:
    """The demo store plus `n` synthetic issues (one batch)."""
    path = folder / f"public-{n}.sqlite"
    build_demo_store(path)
    rng = np.random.default_rng(seed)
    with open_store(path) as store:
        minx, miny, maxx, maxy = store.load_layer("communities").total_bounds
        today = store.today()
        start = int(store.next_id("issues", "I", width=7)[1:])
        xs, ys = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        cats = rng.choice(list(CATEGORIES.codes), n)
        stages = rng.choice(list(STAGE_ORDER[:-1]), n)
        ages = rng.integers(0, 120, n)
        rows = [{"issue_id": f"I{start + k:07d}", "title": f"盐业局小区供水水压低问题第{k}号",
                 "description": "高峰时段水压不足，六楼以上无水", "category": str(cats[k]),
                 "focus": "livelihood", "stage": "collected" if stages[k] == "collected" else "selected",
                 "reported_on": (today - timedelta(days=int(ages[k]))).isoformat(), "source": "staff",
                 "geom": shapely.Point(float(xs[k]), float(ys[k]))} for k in range(n)]
        if rows:
            store.write_batch("issues", rows, by="bench", action="import", source="bench.public")
    return path


def page_seconds(store: Path, loads: int = 3, *, floor: bool = False) -> tuple[float, float]:
    """Median seconds to the board's first card and to the map's first issue (signed out);
    with `floor`, to the title of the nearly empty tracking page instead (both figures): what
    any page of this Streamlit app costs before it draws anything of its own."""
    from playwright.sync_api import sync_playwright

    env = {"YISHI_STORE": str(store), "YISHI_SECRET_FILE": str(store) + ".key"}
    board, drawn = [], []
    with streamlit_server("server.py", env) as (base, _):
        url = base + "/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu"])
            for k in range(loads + 1):  # the first load warms the server's caches
                context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
                page = context.new_page()
                page.route(TILES, lambda route: route.abort())
                start = time.perf_counter()
                page.goto(url + ("track" if floor else ""))
                page.locator("h1" if floor else "a.pub-card").first.wait_for(timeout=120_000)
                t_board = time.perf_counter() - start
                t_map = t_board
                if not floor:
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('iframe')].some(f => { try { return f.contentDocument"
                        " && f.contentDocument.querySelector('.leaflet-overlay-pane path, .leaflet-marker-icon') }"
                        " catch (e) { return false } })", timeout=120_000, polling=50)
                    t_map = time.perf_counter() - start
                if k:
                    board.append(t_board)
                    drawn.append(t_map)
                context.close()
            browser.close()
    return statistics.median(board), statistics.median(drawn)


def open311_seconds(store: Path, rounds: int = 20) -> tuple[float, float, int]:
    """Median seconds of GET /open311/v2/requests.json, seconds of the first one after a write
    (anything the server keeps per store revision is made again), and how many it answered."""
    os.environ["YISHI_STORE"] = str(store)
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    import web

    client = TestClient(Starlette(routes=web.routes()))
    first = client.get("/open311/v2/requests.json")
    assert first.status_code == 200, first.text
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get("/open311/v2/requests.json")
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    after = []
    for k in range(3):
        with open_store(store) as written:
            written.set_meta("bench_write", str(k), by="bench")
        start = time.perf_counter()
        assert client.get("/open311/v2/requests.json").status_code == 200
        after.append(time.perf_counter() - start)
    return statistics.median(times), statistics.median(after), len(first.json())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="issue counts for the page")
    parser.add_argument("--open311-sizes", default="1000,100000", help="issue counts for Open311")
    parser.add_argument("--skip-page", action="store_true", help="Open311 only (no browser)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-public-"))
    try:
        print("public page, phone 390x844, signed out (median of 3 loads)")
        print(f"{'issues':>8} {'board s':>8} {'map s':>8} {'ratio':>6}  target < {PAGE_TARGET_S} s")
        if not args.skip_page:
            floor, _ = page_seconds(build_store(folder, 0), floor=True)
            print(f"{'floor':>8} {floor:>8.2f} {'':>8} {'':>6}  (the empty tracking page's title: Streamlit's own start)")
        base = None
        for n in ([] if args.skip_page else (int(s) for s in args.sizes.split(",") if s)):
            board, drawn = page_seconds(build_store(folder, n))
            base = base or drawn
            print(f"{n:>8} {board:>8.2f} {drawn:>8.2f} {drawn / base:>6.2f}  "
                  f"{'ok' if drawn < PAGE_TARGET_S else 'over'}")
        print("\nGET /open311/v2/requests.json (median of 20)")
        print(f"{'issues':>8} {'ms':>8} {'answers':>8} {'ratio':>6} {'after a write ms':>17}"
              f"  target < {OPEN311_TARGET_S * 1000:.0f} ms")
        base = None
        for n in (int(s) for s in args.open311_sizes.split(",") if s):
            seconds, after, answered = open311_seconds(build_store(folder, n))
            base = base or seconds
            print(f"{n:>8} {seconds * 1000:>8.1f} {answered:>8} {seconds / base:>6.2f} {after * 1000:>17.1f}  "
                  f"{'ok' if seconds < OPEN311_TARGET_S else 'over'}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
