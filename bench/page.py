"""Benchmark of the leaders' overview of a city store (10^4 to 10^6 issues), on SQLite and on
PostGIS, in Chromium after sign-in.

Not a test: it prints figures. Run from the repository root:

    .venv/bin/python -m bench.page [--sizes 10000,100000,1000000] [--loads 3] [--backends sqlite,postgis]

Each size is the generated city (`python -m data.generate --scale city --issues N`: 50
subdistricts, 800 communities), kept in var/bench/city-N/ (not in git) with its SQLite store
var/bench/city-N.sqlite, both reused by the next run. PostGIS is a throwaway cluster
(tests/postgis_server.py) that this run starts and loads from the same files. For each store:
`streamlit run server.py`, Debian's Chromium (headless) signed in as the demo leader (the whole
city), one warm-up load of /overview, then `--loads` loads, each in a fresh tab:

- map drawn: seconds from navigation to the map's issues (count bubbles, clusters or circles)
  drawn in its frame;
- ws MB: bytes of websocket frames the browser received during that load (until the page has
  drawn everything and settled);
- click: seconds from a click on an issue (the map first zoomed onto it, out of the timing)
  until the clicked issue's card shows its id (the map's script reports the click at once,
  not after streamlit-folium's 250 ms debounce: `reportClick` in ui/js/yishi-map.js);
- RSS: the Streamlit server's resident memory after the loads (/proc/<pid>/status VmRSS);
- after a write: map drawn on the first load after a write to the store (a setting, through
  `Store.set_meta`): every count the server keeps is keyed by the store's revision, so this
  load makes the page's counts again, as the first leader to look after any change waits.

The browser keeps its HTTP cache between tabs, as a leader's browser does from one morning to
the next (Streamlit's scripts are immutable): map tiles are refused by the host resolver, not
by request interception, which would turn the cache off. The same run measures the floor: a
bare Streamlit page holding one Leaflet map with one marker, the least any Streamlit page with
a map costs here; the `/floor` column is each map time over it.

Medians of the loads are printed with the issue's targets (issue 15): map under 2 s at 10^4 and
under 4 s at 10^5 and 10^6, under 3 MB per load, a click under 0.5 s, under 1 GB of memory.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.serve import streamlit_server
from data.city import generate_city
from yishi.citydata import build_store_from_dir
from yishi.storage import open_store

ROOT = Path(__file__).resolve().parent.parent
STORES = ROOT / "var" / "bench"
CHROMIUM = "/usr/bin/chromium"
#: Map tiles fail at once in the resolver (there is no network here) and the HTTP cache stays on.
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu",
                "--host-resolver-rules=MAP tile.openstreetmap.org ~NOTFOUND, MAP *.autonavi.com ~NOTFOUND"]
LEADER = ("leader", "leader-demo-2022")
SIZES = (10_000, 100_000, 1_000_000)
BACKENDS = ("sqlite", "postgis")
TARGET_MAP_S = {10_000: 2.0, 100_000: 4.0, 1_000_000: 4.0}
TARGET_WS_MB, TARGET_CLICK_S, TARGET_RSS_GB = 3.0, 0.5, 1.0
#: The floor page: one Leaflet map with one marker, its scripts served like the app's.
FLOOR_PAGE = """import folium, streamlit as st
from streamlit_folium import st_folium
from ui.maps.assets import localize
fmap = folium.Map(location=[34.41, 115.65], zoom_start=12, tiles=None)
folium.CircleMarker([34.41, 115.65], radius=8, className="yishi-bubble").add_to(fmap)
st.title("floor")
st_folium(localize(fmap), height=560, key="floor", returned_objects=[])
"""

#: The issue layer has drawn: clusters, or issue circles in their pane (SVG paths), or for a
#: big view (ui/maps/viewport.py) the count bubbles.
ISSUES_DRAWN = """() => [...document.querySelectorAll('iframe')].some(f => { try {
  const d = f.contentDocument;
  return d && d.querySelector('.marker-cluster, .leaflet-yishiIssues-pane path, .yishi-bubble');
} catch (e) { return false; } })"""
#: No element of a previous run is still on the page.
SETTLED = "() => document.querySelectorAll('[data-stale=\"true\"]').length === 0"
#: In the map's frame: zoom onto one issue (unclustered from zoom 17) and say where it is drawn.
#: A big view embeds no issue: zoom onto its busiest bubble, wait for the issues fetched for
#: that box, then onto one of them, and wait for that box's answer too.
AIM = """async () => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const frames = async (n) => { for (let k = 0; k < n; k++)
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); };
  const fetched = () => { let found = []; map.eachLayer(l => { if (l.options && l.options.issueId) found.push(l); });
                          return found; };
  const waitFor = async (test) => { for (let k = 0; k < 600; k++) { const v = test(); if (v) return v;
                                    await new Promise(r => setTimeout(r, 50)); } throw new Error("no issues fetched"); };
  let group = null, marker = null, bubble = null;
  map.eachLayer(l => { if (!group && l._needsClustering) group = l; });
  if (group) { marker = group.getLayers()[Math.floor(group.getLayers().length / 2)]; }
  else { map.eachLayer(l => { if (!marker && l.options && l.options.ix !== undefined) marker = l; }); }
  if (!marker) {
    map.eachLayer(l => { const ic = l.options && l.options.icon;
      if (ic && ic.options.className === "yishi-bubble-icon" &&
          (!bubble || Number(ic.options.html.textContent) > Number(bubble.options.icon.options.html.textContent))) bubble = l; });
    map.setView(bubble.getLatLng(), 17, {animate: false});
    const first = await waitFor(() => fetched()[0]);
    map.setView(first.getLatLng(), 18, {animate: false});
    marker = await waitFor(() => fetched().find(m => m.options.issueId === first.options.issueId && m !== first));
  } else {
    map.setView(marker.getLatLng(), 18, {animate: false});
  }
  for (let k = 0; k < 20; k++) { await frames(1); if (marker._map) break; }
  const pt = map.latLngToContainerPoint(marker.getLatLng());
  return {x: pt.x, y: pt.y};
}"""
#: The clicked issue's card shows its id (its lines stream in after the card itself).
CARD_SHOWN = """() => { const card = document.querySelector('.st-key-yishi-card-ov');
                        return !!card && /I\\d{4,}/.test(card.innerText); }"""


@dataclass
class Figures:
    map_s: float
    ws_mb: float
    click_s: float
    rss_gb: float
    after_write_s: float


def city_data(n: int) -> Path:
    """var/bench/city-<n>/: the generated city with `n` issues, generated once."""
    folder = STORES / f"city-{n}"
    if not (folder / "meta.json").exists():
        started = time.perf_counter()
        generate_city(folder, n_issues=n)
        print(f"  (generated {folder.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s)", flush=True)
    return folder


def loaded(target: str | Path, n: int) -> None:
    """Build the store at `target` from the generated city of `n` issues, saying how long it took."""
    started = time.perf_counter()
    build_store_from_dir(target, city_data(n), by="bench")
    print(f"  (loaded {n} issues into {'PostGIS' if isinstance(target, str) else 'SQLite'}"
          f" in {time.perf_counter() - started:.0f} s)", flush=True)


def sqlite_store(n: int) -> Path:
    """var/bench/city-<n>.sqlite, built once from the generated files."""
    path = STORES / f"city-{n}.sqlite"
    if path.exists():
        with open_store(path) as store:
            if int(store.summarise("issues")["n"].iloc[0]) == n:
                return path
        path.unlink()
    loaded(path, n)
    return path


def rss_gb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e9
    return float("nan")


@contextmanager
def chromium() -> Iterator[object]:
    """A browser context as a leader's desktop browser: 1400x1000, zh-CN, HTTP cache on."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        try:
            yield browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        finally:
            browser.close()


def one_load(context, url: str) -> tuple[float, float, float]:
    """(map drawn s, websocket MB received, click answered s) of one load of /overview."""
    page = context.new_page()
    page.set_default_timeout(180_000)
    received = [0]

    def on_socket(ws) -> None:
        ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

    page.on("websocket", on_socket)
    start = time.perf_counter()
    page.goto(f"{url}/overview")
    page.wait_for_function(ISSUES_DRAWN, polling=50, timeout=180_000)
    drawn = time.perf_counter() - start
    page.get_by_text("第 1 /").first.wait_for()  # the issue table's pager: the page has run through
    page.wait_for_function(SETTLED, timeout=180_000)
    page.wait_for_timeout(500)
    ws_mb = received[0] / 1e6
    frame = next(f for f in page.frames if f.evaluate("() => !!(window.L && document.querySelector('.leaflet-container'))"))
    at = frame.evaluate(AIM)
    container = frame.locator(".leaflet-container").first
    container.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    start = time.perf_counter()
    container.click(position=at)
    # polled every 20 ms (a locator's wait_for polls every 500 ms after its first tries)
    page.wait_for_function(CARD_SHOWN, polling=20, timeout=60_000)
    clicked = time.perf_counter() - start
    page.close()
    return drawn, ws_mb, clicked


def floor_seconds(loads: int) -> float:
    """Median seconds from navigation to the marker of the floor page (FLOOR_PAGE), after a warm-up."""
    with tempfile.TemporaryDirectory(prefix="yishi-floor-") as tmp:
        script = Path(tmp) / "floor.py"
        script.write_text(FLOOR_PAGE, encoding="utf-8")
        (Path(tmp) / "static").symlink_to(ROOT / "static")  # Streamlit serves static/ beside the script
        with streamlit_server(str(script), {}, Path(tmp) / "floor.log") as (url, _), chromium() as context:
            times = []
            for _ in range(loads + 1):
                page = context.new_page()
                start = time.perf_counter()
                page.goto(url)
                page.wait_for_function(ISSUES_DRAWN, polling=50, timeout=180_000)
                times.append(time.perf_counter() - start)
                page.close()
    return statistics.median(times[1:])


def measure(location: str | Path, loads: int, log: Path) -> Figures:
    """The overview's figures over the store at `location` (medians of `loads` after a warm-up)."""
    env = {"YISHI_STORE": str(location), "YISHI_SECRET_FILE": str(STORES / "page.key")}
    with streamlit_server("server.py", env, log) as (url, pid), chromium() as context:
        signin = context.new_page()
        signin.set_default_timeout(180_000)
        signin.goto(f"{url}/auth/signin?next=/overview")
        signin.get_by_label("用户名").fill(LEADER[0])
        signin.get_by_label("密码").fill(LEADER[1])
        signin.get_by_role("button", name="登录").click()
        signin.get_by_role("button", name="退出登录").wait_for()
        signin.close()
        one_load(context, url)  # warms the server's caches (aggregates, rendered map) and the browser's
        runs = [one_load(context, url) for _ in range(loads)]
        memory = rss_gb(pid)
        with open_store(location) as store:  # a write: every count the server keeps is stale now
            store.set_meta("bench_write", time.strftime("%Y-%m-%dT%H:%M:%S"), by="bench")
        after_write = one_load(context, url)[0]
        return Figures(map_s=statistics.median(r[0] for r in runs), ws_mb=statistics.median(r[1] for r in runs),
                       click_s=statistics.median(r[2] for r in runs), rss_gb=memory, after_write_s=after_write)


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


def row(backend: str, n: int, figures: Figures, floor: float) -> str:
    target = TARGET_MAP_S.get(n)
    map_note = f"< {target:g} {verdict(figures.map_s < target)}" if target else "-"
    return (f"{backend:>8} {n:>8} | {figures.map_s:>6.2f} {map_note:>8} {figures.map_s / floor:>6.2f} | "
            f"{figures.ws_mb:>6.2f} {verdict(figures.ws_mb < TARGET_WS_MB):>4} | "
            f"{figures.click_s:>7.2f} {verdict(figures.click_s < TARGET_CLICK_S):>5} | "
            f"{figures.rss_gb:>6.2f} {verdict(figures.rss_gb < TARGET_RSS_GB):>4} | {figures.after_write_s:>15.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="issue counts")
    parser.add_argument("--loads", type=int, default=3, help="measured loads per store (after one warm-up)")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite, postgis or both")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit("Chromium is missing: `make test` installs Debian's chromium package")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    backends = [b for b in args.backends.split(",") if b]
    STORES.mkdir(parents=True, exist_ok=True)
    floor = floor_seconds(args.loads)
    print(f"floor (a bare Streamlit page with one map): {floor:.2f} s")
    print(f"overview page, leader (whole city), Chromium 1400x1000; medians of {args.loads} loads after a warm-up")
    print(f"{'backend':>8} {'issues':>8} | {'map s':>6} {'target':>8} {'/floor':>6} | {'ws MB':>6} {'< 3':>4} | "
          f"{'click s':>7} {'< 0.5':>5} | {'RSS GB':>6} {'< 1':>4} | {'after a write s':>15}", flush=True)
    if "sqlite" in backends:
        for n in sizes:
            print(row("sqlite", n, measure(sqlite_store(n), args.loads, STORES / f"city-{n}.log"), floor), flush=True)
    if "postgis" in backends:
        from tests.postgis_server import PostgresServer

        with PostgresServer() as server:
            for n in sizes:
                url = server.new_database(f"city{n}")
                loaded(url, n)
                print(row("postgis", n, measure(url, args.loads, STORES / f"city-{n}-pg.log"), floor), flush=True)
                server.drop_database(url)


if __name__ == "__main__":
    main()
