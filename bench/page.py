"""Benchmark of the leaders' overview at 10^3, 10^4 and 10^5 issues, in Chromium after sign-in.

Not a test: it prints figures. Run from the repository root:

    .venv/bin/python -m bench.page [--quick] [--sizes 1000,10000,100000] [--loads 3]

Each size is a copy of the demo store plus synthetic issues (bench.public.build_store), kept in
var/bench/ (not in git) and reused by the next run. For each size: `streamlit run server.py`
over that store, Debian's Chromium (headless) signed in as the demo leader, one warm-up load of
/overview, then `--loads` loads, each in a fresh tab:

- map drawn: seconds from navigation to the issue markers or clusters drawn in the map's frame;
- ws MB: bytes of websocket frames the browser received during that load (until the page has
  drawn everything and settled);
- click: seconds from a click on an issue marker (the map first zoomed onto it, out of the timing) until the
  clicked issue's card shows it;
- RSS: the Streamlit server's resident memory after the loads (/proc/<pid>/status VmRSS).

Medians of the loads are printed with the issue's targets (issue 15): map under 2 s at 10^4 and
under 4 s at 10^5, under 3 MB per load, a click under 0.5 s, under 1 GB of memory. `--quick`
stops at 10^4. The ratio column compares each size's map time with the smallest size's.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bench.public import TILES, build_store
from yishi.services import assignment
from yishi.storage import open_store

ROOT = Path(__file__).resolve().parent.parent
STORES = ROOT / "var" / "bench"
CHROMIUM = "/usr/bin/chromium"
LEADER = ("leader", "leader-demo-2022")
SIZES = (1_000, 10_000, 100_000)
TARGET_MAP_S = {10_000: 2.0, 100_000: 4.0}
TARGET_WS_MB, TARGET_CLICK_S, TARGET_RSS_GB = 3.0, 0.5, 1.0

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
CARD = ".st-key-yishi-card-ov"


@dataclass
class Figures:
    map_s: float
    ws_mb: float
    click_s: float
    rss_gb: float


#: Stamped into each bench store (meta "bench_page"): a store built before this is built again.
#: 3: issues carry their community_id (the map counts by community).
BUILD = "3"


def _current(path: Path) -> bool:
    if not path.exists():
        return False
    with open_store(path) as store:
        return store.meta("bench_page") == BUILD


def store_for(n: int) -> Path:
    """var/bench/page-<n>.sqlite, built once (the demo store plus `n` issues)."""
    STORES.mkdir(parents=True, exist_ok=True)
    path = STORES / f"page-{n}.sqlite"
    if not _current(path):
        started = time.perf_counter()
        built = build_store(STORES, n)
        with open_store(built) as store:
            assignment.reassign(store, by="bench")  # each issue's community, as an upload stores it
            store.set_meta("bench_page", BUILD, by="bench")
        built.rename(path)
        print(f"  (built {path.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s)", flush=True)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_gb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e9
    return float("nan")


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
    page.locator(CARD).first.wait_for(timeout=60_000)
    clicked = time.perf_counter() - start
    page.close()
    return drawn, ws_mb, clicked


def measure(store: Path, loads: int) -> Figures:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "YISHI_STORE": str(store), "YISHI_SECRET_FILE": str(store) + ".key"}
    with open(store.with_suffix(".log"), "w") as log:
        return _measure(url, port, env, log, loads)


def _measure(url: str, port: int, env: dict[str, str], log: IO[str], loads: int) -> Figures:
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            context.route(TILES, lambda route: route.abort())
            signin = context.new_page()
            signin.set_default_timeout(180_000)
            signin.goto(f"{url}/auth/signin?next=/overview")
            signin.get_by_label("用户名").fill(LEADER[0])
            signin.get_by_label("密码").fill(LEADER[1])
            signin.get_by_role("button", name="登录").click()
            signin.get_by_role("button", name="退出登录").wait_for()
            signin.close()
            one_load(context, url)  # warms the server's caches (snapshot, rendered map)
            runs = [one_load(context, url) for _ in range(loads)]
            browser.close()
        return Figures(map_s=statistics.median(r[0] for r in runs), ws_mb=statistics.median(r[1] for r in runs),
                       click_s=statistics.median(r[2] for r in runs), rss_gb=rss_gb(server.pid))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="stop at 10^4 issues")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="issue counts")
    parser.add_argument("--loads", type=int, default=3, help="measured loads per size (after one warm-up)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit("Chromium is missing: `make test` installs Debian's chromium package")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.quick:
        sizes = [n for n in sizes if n <= 10_000]
    print(f"overview page, leader, Chromium 1400x1000, SQLite; medians of {args.loads} loads after a warm-up")
    print(f"{'issues':>8} | {'map s':>6} {'target':>7} {'ratio':>6} | {'ws MB':>6} {'< 3':>4} | "
          f"{'click s':>7} {'< 0.5':>5} | {'RSS GB':>6} {'< 1':>4}")
    base = None
    for n in sizes:
        figures = measure(store_for(n), args.loads)
        base = base or figures.map_s
        target = TARGET_MAP_S.get(n)
        map_note = f"< {target:g} {verdict(figures.map_s < target)}" if target else "-"
        print(f"{n:>8} | {figures.map_s:>6.2f} {map_note:>7} {figures.map_s / base:>6.2f} | "
              f"{figures.ws_mb:>6.2f} {verdict(figures.ws_mb < TARGET_WS_MB):>4} | "
              f"{figures.click_s:>7.2f} {verdict(figures.click_s < TARGET_CLICK_S):>5} | "
              f"{figures.rss_gb:>6.2f} {verdict(figures.rss_gb < TARGET_RSS_GB):>4}", flush=True)


if __name__ == "__main__":
    main()
