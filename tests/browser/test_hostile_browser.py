"""Hostile stored text in a real browser: staff upload issues, venues, compounds and communities
whose text carries the corpus of tests/hostile.py through the upload page; then every role opens
every page of its navigation, hovers and clicks the map's features, and reads the text back.

Nothing may run (no dialog, no injected element), nothing may fail (no page error, no console
error, no exception notice, no traceback in the server log), and every string shows literally:
`{{ 7*7 }}` stays `{{ 7*7 }}` (a template engine would make it 49, and `{%` or `{#` would crash
the page for every user).

The app runs on its own server over its own copy of the demo store (this test writes).
Features whose text is longer than an upload now accepts (the 10,000-character string) are
written straight into that store first, as text stored before the length limits was: the
pages must still show it safely. Direction-control and zero-width characters are removed on
the way in and on the way out, so the text the pages must show is the rest of it.
"""

from __future__ import annotations

import contextlib

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from shapely.geometry import Point, box, shape

from geo.schema import WGS84, get_layer
from geo.text import strip_invisible, too_long
from tests.browser.conftest import ROOT, Page, new_page, serve_app
from tests.hostile import HOSTILE
from ui.maps import TIP_CHARS
from yishi.storage import open_store, rows_from_frame

pytestmark = pytest.mark.browser

DATA = ROOT / "data"
LONG = max(HOSTILE, key=len)
#: The strings every check below must find shown literally (the brief's minimum).
MUST = ("{{ 7*7 }}", "{% raw %}", "{#", "${alert(1)}", next(s for s in HOSTILE if "`" in s),
        "</script><script>alert(1)</script>", "<img src=x onerror=alert(1)>",
        next(s for s in HOSTILE if "'" in s and '"' in s), LONG)
assert len(LONG) >= 10_000 and all(s in HOSTILE for s in MUST)
#: What the other roles hover on the overview (every role's map is the same one).
SAMPLE = ("{{ 7*7 }}", "<img src=x onerror=alert(1)>", LONG)
#: Every string of the corpus, the must-haves first (communities take the first 16).
CORPUS: tuple[str, ...] = (*MUST, *(s for s in HOSTILE if s not in MUST))
#: The member's linked community (demo accounts) is renamed to the first corpus string.
MEMBER_COMMUNITY = "411402001007"
#: The community the community page opens on for the other roles (the first by id).
FIRST_COMMUNITY = "411402001001"
#: Signed-in roles and the pages of their navigation (ui/nav.PAGES).
NAV = {
    "leader": ("总览", "社区", "打印报告", "议题详情", "公示栏", "我要反映", "进度查询"),
    "member": ("总览", "社区", "打印报告", "议题详情", "公示栏", "我要反映", "进度查询"),
    "staff": ("总览", "社区", "打印报告", "群众反映受理", "议题详情", "新建议题", "公示栏", "我要反映",
              "进度查询", "数据上传"),
    "admin": ("总览", "社区", "打印报告", "议题详情", "公示栏", "我要反映", "进度查询", "账号管理", "操作记录"),
}
UPLOAD_ORDER = ("communities", "compounds", "venues", "issues")
LAYER_LABEL = {"communities": "社区", "compounds": "小区", "venues": "议事点", "issues": "议题"}
#: Zoom for hovering one feature (the map is centred on it first).
HOVER_ZOOM = 17
#: Grid step (degrees) of the spots tried for new features.
STEP = 0.0005


# ------------------------------------------------------------------------------ the data


@dataclass(frozen=True)
class Target:
    """A hostile feature on the map: where to hover and what its tooltip must show."""

    kind: str  # issue, venue, compound, community
    id: str
    lat: float
    lng: float
    text: str
    community_id: str


def _features(name: str) -> list[dict]:
    return json.loads((DATA / f"{name}.geojson").read_text(encoding="utf-8"))["features"]


def _fc(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _pt(x: float, y: float) -> dict:
    return {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]}


def fits(layer: str, feature: dict) -> bool:
    """Whether an upload accepts `feature`'s text: every value within its field's length."""
    lay = get_layer(layer)
    return all(too_long(lay.get(k), strip_invisible(v).strip()) is None
               for k, v in feature["properties"].items() if isinstance(v, str) and k in lay.field_names)


def build_corpus_files(folder: Path) -> tuple[dict[str, Path], dict[str, list[dict]], list[Target]]:
    """GeoJSON files for the four uploadable layers carrying CORPUS, the features too long to
    upload (by layer: `store_before` writes them), and the hover targets.

    Communities keep their ids and shapes and take corpus names (the member's community the
    first). Issues (done: on the board; plus open overdue ones for the supervision list),
    venues and compounds are new, placed on free spots of the demo subdistrict.
    """
    communities = _features("communities")
    polys = {f["properties"]["community_id"]: shape(f["geometry"]) for f in communities}
    outline = shape(_features("subdistrict")[0]["geometry"])
    taken = [shape(f["geometry"]) for name in ("issues", "venues") for f in _features(name)]
    demo_compounds = shapely.union_all([shape(f["geometry"]) for f in _features("compounds")])

    # free spots, nearest to the middle of the demo area first
    spots = []
    for i in range(int((115.650 - 115.592) / STEP) + 1):
        for j in range(int((34.460 - 34.418) / STEP) + 1):
            spots.append(Point(115.592 + i * STEP, 34.418 + j * STEP))
    spots.sort(key=lambda p: (p.x - 115.615) ** 2 + (p.y - 34.44) ** 2)
    taken_union = shapely.union_all(taken)

    def free(p: Point, gap: float) -> bool:
        return (outline.buffer(-0.001).contains(p) and p.distance(taken_union) > gap
                and p.distance(demo_compounds) > gap and all(p.distance(t) > gap for t in placed)
                and any(poly.buffer(-0.0004).contains(p) for poly in polys.values()))

    placed: list = []

    def place(gap: float, within: str) -> Point:
        """A free spot, in community `within` if it has one left."""
        inside = [p for p in spots if polys[within].contains(p)]
        for p in [*inside, *spots]:
            if free(p, gap):
                placed.append(p)
                return p
        raise AssertionError("no free spot left in the demo subdistrict")

    def community_of(p) -> str:
        return next((cid for cid, poly in polys.items() if poly.contains(p)), "")

    targets: list[Target] = []
    # communities: same id and shape, a corpus name; the member's linked community first
    order = sorted(polys, key=lambda cid: (cid != MEMBER_COMMUNITY, cid))
    names = dict(zip(order, CORPUS))
    community_features = [
        {"type": "Feature", "geometry": f["geometry"],
         "properties": {**f["properties"], "name": names[f["properties"]["community_id"]]}}
        for f in communities]

    compounds = []
    for n, text in enumerate(CORPUS, 1):
        c = place(0.0008, FIRST_COMMUNITY if n % 2 else MEMBER_COMMUNITY)
        square = box(c.x - 0.0003, c.y - 0.0003, c.x + 0.0003, c.y + 0.0003)
        placed[-1] = square
        compounds.append({"type": "Feature", "geometry": shapely.geometry.mapping(square),
                          "properties": {"compound_id": f"HC{n:02d}", "name": text, "households": 120,
                                         "built_year": 1990, "is_old_compound": True,
                                         "property_management": "none"}})
        targets.append(Target("compound", f"HC{n:02d}", c.y, c.x, text, community_of(c)))

    venues = []
    kinds = ("room", "pavilion", "corner", "corridor")
    for n, text in enumerate(CORPUS, 1):
        p = place(0.0004, MEMBER_COMMUNITY if n % 2 else FIRST_COMMUNITY)
        venues.append({"type": "Feature", "geometry": _pt(p.x, p.y),
                       "properties": {"venue_id": f"HV{n:02d}", "name": text, "kind": kinds[n % 4],
                                      "has_organisation": True, "has_sign": True, "has_staff": False,
                                      "has_rules": True, "has_activities": False,
                                      "opened_on": "2021-05-01"}})
        targets.append(Target("venue", f"HV{n:02d}", p.y, p.x, text, community_of(p)))

    def issue(issue_id: str, text: str, p: Point, *, done: bool) -> dict:
        props = {"issue_id": issue_id, "title": text, "description": text, "category": "other",
                 "focus": "livelihood", "method": "meeting", "reported_on": "2022-01-10",
                 "stakeholders": text, "responsible_unit": text, "responsible_person": text,
                 "reporter_name": text, "reporter_phone": text, "residents_affected": 12}
        if done:
            props |= {"stage": "done", "consensus_on": "2022-02-10", "due_on": "2022-04-10",
                      "done_on": "2022-03-20", "consensus_text": text, "result_public": text,
                      "satisfaction": 4.5}
        else:  # overdue: on the community's supervision list
            props |= {"stage": "implementing", "consensus_on": "2022-02-10", "due_on": "2022-04-10",
                      "consensus_text": text}
        return {"type": "Feature", "geometry": _pt(p.x, p.y), "properties": props}

    issues = []
    for n, text in enumerate(CORPUS, 1):
        p = place(0.0004, FIRST_COMMUNITY)
        issues.append(issue(f"H{n:02d}", text, p, done=True))
        targets.append(Target("issue", f"H{n:02d}", p.y, p.x, text, community_of(p)))
    for n, text in enumerate(MUST, 1):
        p = place(0.0004, MEMBER_COMMUNITY)
        issues.append(issue(f"J{n:02d}", text, p, done=False))
        targets.append(Target("issue", f"J{n:02d}", p.y, p.x, text, community_of(p)))

    # a hover spot for each community clear of every compound and marker
    clear = shapely.union_all([demo_compounds.buffer(0.0003), taken_union.buffer(0.0006),
                               *(g.buffer(0.0006) for g in placed)])
    for cid, poly in polys.items():
        spot = poly.buffer(-0.0004).difference(clear).representative_point()
        targets.append(Target("community", cid, spot.y, spot.x, names[cid], cid))

    files, stored = {}, {}
    for layer, features in (("communities", community_features), ("compounds", compounds),
                            ("venues", venues), ("issues", issues)):
        # the file name is hostile too: the uploader and the import history show it
        path = folder / f"{layer} {{{{ 7*7 }}}} <img src=x onerror=alert(1)>.geojson"
        uploadable = [f for f in features if fits(layer, f)]
        path.write_text(json.dumps(_fc(uploadable), ensure_ascii=False), encoding="utf-8")
        files[layer] = path
        stored[layer] = [f for f in features if not fits(layer, f)]
    return files, stored, targets


def store_before(store: Path, stored: dict[str, list[dict]]) -> set[str]:
    """Write `stored` straight into the store, as text stored before the length limits was;
    the ids written."""
    ids: set[str] = set()
    with open_store(store) as s:
        for layer, features in stored.items():
            if features:
                lay = get_layer(layer)
                frame = gpd.GeoDataFrame.from_features(features, crs=WGS84)
                s.write_batch(layer, rows_from_frame(lay, frame), by="staff",
                              source="stored before the length limits")
                ids |= {f["properties"][lay.id_field] for f in features}
    return ids


# ------------------------------------------------------------------------------ what the page shows


def flat(text: str) -> str:
    """`text` as a reader sees it: without direction-control and zero-width characters, every
    run of whitespace (U+2028/9 included) as one space, NFC."""
    return " ".join(unicodedata.normalize("NFC", strip_invisible(text)).split())


def on_map(text: str, limit: int = TIP_CHARS) -> str:
    """How stored text shows in a map tooltip: without the characters nobody sees, cut to
    `limit` characters with an ellipsis."""
    text = strip_invisible(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shows(haystack: str, text: str) -> bool:
    """`text` appears literally in `haystack` (whitespace-insensitive; a long one by its start)."""
    wanted = flat(text)
    if len(wanted) > 200:
        wanted = wanted[:200]
    return wanted in flat(haystack)


def short(text: str, n: int = 60) -> str:
    return repr(text if len(text) <= n else text[:n] + f"…(+{len(text) - n})")


#: Centre the Leaflet map on a point at a zoom; return that point in the frame's coordinates.
CENTER_ON = """async ([lat, lng, zoom]) => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  map.setView([lat, lng], zoom, {animate: false});
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const pt = map.latLngToContainerPoint([lat, lng]);
  const r = map.getContainer().getBoundingClientRect();
  return {x: r.left + pt.x, y: r.top + pt.y, w: r.width, h: r.height};
}"""
#: Texts of the tooltips now open (a closing one fades to opacity 0 before it goes).
OPEN_TIPS = """() => [...document.querySelectorAll('.leaflet-tooltip')]
  .filter(t => t.style.opacity !== '0' && getComputedStyle(t).opacity !== '0')
  .map(t => ({text: t.innerText, width: t.getBoundingClientRect().width}))"""
#: Elements that only injected markup would create (the corpus's payloads).
INJECTED = """() => [...document.querySelectorAll(
    'img[src="x"], [onerror], [onload]:not(body):not(iframe):not(script):not(link), a[href^="javascript:" i]')]
  .map(e => e.outerHTML.slice(0, 200))"""
#: Accessible text of every st.dataframe grid (glide renders the visible cells as a table).
GRID_TEXT = """() => [...document.querySelectorAll('[data-testid=stDataFrame] table')]
  .map(t => t.innerText).join('\\n')"""
#: The Leaflet map holds layers beyond its base (polygons and points may draw on a canvas).
MAP_DRAWN = """() => { const m = Object.values(window).find(v => v instanceof L.Map);
  let n = 0; if (m) m.eachLayer(() => { n += 1; }); return n > 2; }"""
#: A page failure as ui/errors shows it (or an exception's text in an error box).
FAILURE_NOTICE = re.compile(r"页面出错了|错误编号|Something went wrong|Error|Exception|Traceback")
STALE_GONE = "() => document.querySelectorAll('[data-stale=\"true\"]').length === 0"
#: The server log, one record per timestamped line (with its traceback, if any).
LOG_RECORD = re.compile(r"(?m)^(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")
#: Streamlit logs this with a traceback when it retypes a mixed column for display (the
#: overview's transposed record of the clicked issue); it is not a failure of the page.
LOG_NOISE = ("Applying automatic fixes for column types to make the dataframe Arrow-compatible",)
LOG_TROUBLE = re.compile(r"Traceback|Exception|\bERROR\b|failed \(reference", re.IGNORECASE)


class PageBroken(Exception):
    """The page failed (exception box or failure notice) or never drew what it should."""


class Visit:
    """One signed-in (or signed-out) browser page and every problem it meets.

    Checks append to `problems` instead of failing at once, so one run lists all of them."""

    def __init__(self, p: Page, log: Path, who: str):
        self.p, self.page, self.log, self.who = p, p.page, log, who
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)
        self._errors_seen = 0
        self._log_seen = log.stat().st_size if log.exists() else 0

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def fail(self, where: str, what: str) -> None:
        self.problems.append(f"[{self.who}] {where}: {what}")

    # -- the whole page --------------------------------------------------------------
    def settle(self) -> None:
        self.page.wait_for_function(STALE_GONE, timeout=60_000)
        self.page.wait_for_timeout(300)

    def text(self) -> str:
        """The main area's visible text plus the grids' cell text."""
        main = self.page.locator("[data-testid=stMain]").inner_text()
        return main + "\n" + self.page.evaluate(GRID_TEXT)

    def check(self, where: str) -> None:
        """No dialog, no page or console error, nothing injected, no failure shown or logged."""
        page = self.page
        if self.dialogs:
            self.fail(where, f"dialog opened: {self.dialogs}")
            self.dialogs.clear()
        new_errors = self.p.errors[self._errors_seen:]
        self._errors_seen = len(self.p.errors)
        if new_errors:
            self.fail(where, f"page/console errors: {new_errors}")
        for frame in page.frames:
            try:
                injected = frame.evaluate(INJECTED)
            except PlaywrightError:  # a frame navigating away
                continue
            if injected:
                self.fail(where, f"injected elements in {frame.url[:60]}: {injected}")
        exception = page.locator("[data-testid=stException]")
        if exception.count():  # (its text holds the traceback: one problem, not three)
            self.fail(where, "exception box: " + exception.first.inner_text()[:300])
        else:
            for alert in page.locator("[data-testid=stAlertContentError]").all_inner_texts():
                if FAILURE_NOTICE.search(alert):  # (an overdue issue's red notice is not a failure)
                    self.fail(where, f"error notice: {alert[:300]}")
        for alert in page.locator("[data-testid=stAlertContentWarning]").all_inner_texts():
            if "未能显示" in alert:
                self.fail(where, f"map layer left out: {alert[:300]}")
        main = page.locator("[data-testid=stMain]").inner_text()
        wide = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if wide[0] > wide[1] + 5:
            self.fail(where, f"the page is {wide[0]} px wide in a {wide[1]} px window (a long text not wrapped or cut)")
        if "Traceback" in main and not exception.count():
            self.fail(where, "a Python traceback is shown")
        if self.log.exists():
            with open(self.log, encoding="utf-8", errors="replace") as fh:
                fh.seek(self._log_seen)
                new = fh.read()
                self._log_seen = fh.tell()
            for record in LOG_RECORD.split(new):
                if LOG_TROUBLE.search(record) and not any(n in record for n in LOG_NOISE):
                    lines = [line for line in record.strip().splitlines() if line.strip()]
                    self.fail(where, f"server log: {lines[0][:200]} … {lines[-1][:300]}")

    def expect(self, where: str, text: str, strings) -> None:
        """Every string of `strings` shows literally in `text`."""
        for s in strings:
            if not shows(text, s):
                extra = " (shows 49 instead)" if s == "{{ 7*7 }}" and "49" in text else ""
                self.fail(where, f"{short(s)} not shown literally{extra}")

    # -- navigation ------------------------------------------------------------------
    def open(self, link: str) -> None:
        """Open a page from the sidebar (a visitor with one page, the board, has no sidebar list)."""
        heading = self.page.get_by_role("heading", name=re.compile(rf"^{link} · "))
        if not heading.count():
            nav = self.page.locator("[data-testid=stSidebarNav]")
            nav.get_by_role("link", name=link, exact=True).click()
        heading.wait_for(timeout=60_000)
        self.settle()

    # -- the map ---------------------------------------------------------------------
    def broken(self) -> bool:
        """The page shows an exception or a failure notice (then waiting for more is pointless)."""
        if self.page.locator("[data-testid=stException]").count():
            return True
        return any(FAILURE_NOTICE.search(a) for a in
                   self.page.locator("[data-testid=stAlertContentError]").all_inner_texts())

    def map_frame(self):
        """The st_folium frame once Leaflet has drawn layers in it; PageBroken if the page failed."""
        for _ in range(120):
            if self.broken():
                raise PageBroken("the page failed before its map drew")
            for frame in self.page.frames[1:]:
                try:
                    if frame.evaluate(f"() => !!(window.L && ({MAP_DRAWN})())"):
                        frame.frame_element().scroll_into_view_if_needed()
                        return frame
                except PlaywrightError:  # a frame still loading or navigating away
                    pass
            self.page.wait_for_timeout(500)
        raise PageBroken("no Leaflet map appeared in 60 s")

    def section(self, name: str, fn, *args) -> None:
        """Run one page's checks; if it stops early, record why and what the page showed."""
        try:
            fn(self, *args)
        except Exception as exc:  # noqa: BLE001 (any failure: record it, go on to the next page)
            self.check(name)
            self.fail(name, f"stopped: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")

    def point(self, frame, t: Target) -> tuple[float, float]:
        """The target centred on the map at HOVER_ZOOM, in page coordinates."""
        box = frame.frame_element().bounding_box()
        pt = frame.evaluate(CENTER_ON, [t.lat, t.lng, HOVER_ZOOM])
        return box["x"] + pt["x"], box["y"] + pt["y"]

    def hover(self, where: str, frame, targets: list[Target], *, stay: bool = False) -> None:
        """Hover each target with the mouse; its tooltip shows its text literally, bounded.

        Stored text is cut to TIP_CHARS in every map tooltip.
        With `stay` the mouse stays on the last target (for a screenshot of its tooltip)."""
        for t in targets:
            expected = on_map(t.text)
            tips: list[dict] = []
            for attempt in range(3):
                self.page.mouse.move(2, 2)  # off the map: every tooltip closes
                try:
                    frame.wait_for_function(f"() => ({OPEN_TIPS})().length === 0", timeout=3_000)
                except PlaywrightTimeout:
                    pass  # a tooltip left open shows beside the new one; the check below finds the right one
                x, y = self.point(frame, t)
                self.page.mouse.move(x + 4, y + 4)
                self.page.mouse.move(x, y, steps=2)
                try:
                    frame.wait_for_function(f"() => ({OPEN_TIPS})().length > 0", timeout=2_500)
                except PlaywrightTimeout:
                    continue
                self.page.wait_for_timeout(50)
                tips = frame.evaluate(OPEN_TIPS)
                if any(shows(tip["text"], expected) for tip in tips):
                    break
            mine = [tip for tip in tips if shows(tip["text"], expected)]
            if not mine:
                self.fail(where, f"hovering {t.kind} {t.id}: tooltip does not show {short(expected)}; "
                                 f"open tooltips: {[short(tip['text'], 80) for tip in tips]}")
                continue
            tip = mine[0]
            if t.text == "{{ 7*7 }}" and flat(tip["text"]).startswith("49"):
                self.fail(where, f"{t.kind} {t.id}: tooltip shows 49 for {{{{ 7*7 }}}}")
            if len(t.text) > 1000 and (len(tip["text"]) > 1000 or tip["width"] > 600):
                self.fail(where, f"{t.kind} {t.id}: the {len(t.text)}-character name is not cut short on the "
                                 f"map (tooltip of {len(tip['text'])} characters, {tip['width']:.0f} px wide)")
        if not stay:
            self.page.mouse.move(2, 2)

    def click(self, frame, t: Target) -> None:
        x, y = self.point(frame, t)
        self.page.mouse.click(x, y)


# ------------------------------------------------------------------------------ the app


@dataclass
class Hostile:
    url: str
    store: Path
    log: Path
    targets: list[Target]
    #: layer -> what went wrong uploading it through the page (then it was imported by the CLI)
    upload_problems: dict[str, list[str]]

    def of(self, kind: str, *, community: str | None = None, only_must: bool = False) -> list[Target]:
        return [t for t in self.targets if t.kind == kind
                and (community is None or t.community_id == community)
                and (not only_must or t.text in MUST)]

    @property
    def names(self) -> dict[str, str]:
        return {t.id: t.text for t in self.targets if t.kind == "community"}


def sign_in(browser, url: str, log: Path, who: str, *, height: int = 1100) -> Visit:
    p = new_page(browser, 1400, height)
    visit = Visit(p, log, who)
    if who != "signed out":
        p.sign_in(url, who, f"{who}-demo-2022")
    else:
        p.page.goto(url)
        p.page.locator("a.yishi-signin").wait_for()
    visit.settle()
    return visit


def upload_through_the_page(browser, url: str, log: Path, layer: str, path: Path,
                            targets: list[Target]) -> list[str]:
    """Staff upload one file on 数据上传 and confirm it; the problems met (empty: imported)."""
    v = sign_in(browser, url, log, "staff")
    page = v.page
    try:
        v.open("数据上传")
        page.locator("[data-testid=stSelectbox]").filter(has_text="图层").click()
        page.get_by_role("option", name=LAYER_LABEL[layer], exact=True).click()
        v.settle()
        page.locator("input[type=file]").set_input_files(str(path))
        page.get_by_text("检查报告").wait_for(timeout=60_000)
        v.settle()
        v.check(f"upload {layer}: report")
        confirm = page.get_by_role("button", name=re.compile("确认导入"))
        confirm.or_(page.locator("[data-testid=stException], [data-testid=stAlertContentError]")).first.wait_for()
        if not confirm.count():
            v.fail(f"upload {layer}", "no confirm button; the page shows: "
                   + page.locator("[data-testid=stMain]").inner_text()[-800:])
            return v.problems
        report = page.locator("[data-testid=stMain]").inner_text()
        if "发现 0 个问题" not in report:
            v.fail(f"upload {layer}", "the report lists problems")
        v.check(f"upload {layer}: preview")
        frame = v.map_frame()
        kind = {"communities": "community"}.get(layer, layer.removesuffix("s"))
        v.hover(f"upload {layer}: preview map", frame, [t for t in targets if t.kind == kind][:6])
        confirm.click()
        page.locator("[data-testid=stAlertContentSuccess]").filter(has_text="已导入").wait_for(timeout=60_000)
        v.settle()
        v.check(f"upload {layer}: imported")
        v.p.screenshot(f"hostile-upload-{layer}")
    except PlaywrightError as exc:  # a timeout: say where, with what the page showed
        v.fail(f"upload {layer}", f"{type(exc).__name__}: {str(exc).splitlines()[0]}; page: "
               + page.locator("[data-testid=stMain]").inner_text()[-800:])
    finally:
        page.context.close()
    return v.problems


@pytest.fixture(scope="module")
def hostile(demo_store_file, tmp_path_factory, browser) -> Hostile:
    """Its own app over its own store copy; staff upload the corpus through the page first.

    A layer the page fails to import is imported with the CLI instead, so the pages can still
    be checked; test_staff_upload_the_corpus_through_the_page reports the failure."""
    folder = tmp_path_factory.mktemp("hostile")
    store = folder / "store.sqlite"
    shutil.copy(demo_store_file, store)
    files, stored, targets = build_corpus_files(folder)
    before = store_before(store, stored)
    assert before, "the corpus's long string is no longer stored: update this test"
    uploaded = [t for t in targets if t.id not in before]  # what the upload previews show
    log = folder / "streamlit.log"
    with serve_app(store, log) as url:
        problems: dict[str, list[str]] = {}
        for layer in UPLOAD_ORDER:
            found = upload_through_the_page(browser, url, log, layer, files[layer], uploaded)
            if found:
                problems[layer] = found
                done = subprocess.run([sys.executable, "-m", "geo", "--store", str(store), "import",
                                       str(files[layer]), "--layer", layer, "--by", "staff"],
                                      cwd=ROOT, capture_output=True, text=True, check=False)
                if done.returncode != 0 and "0 new, 0 updated" not in done.stdout:
                    problems[layer].append(f"the CLI could not import it either: {done.stderr or done.stdout}")
        yield Hostile(url, store, log, targets, problems)


# ------------------------------------------------------------------------------ the tests


def test_staff_upload_the_corpus_through_the_page(hostile):
    assert hostile.upload_problems == {}, "\n".join(
        f"{layer}: {p}" for layer, found in hostile.upload_problems.items() for p in found)


def _overview(v: Visit, h: Hostile) -> None:
    everything = v.who == "leader"  # the map is the same for every role: one hovers everything
    v.open("总览")
    v.check("总览")
    frame = v.map_frame()
    if everything:
        v.p.screenshot(f"hostile-overview-{v.who}")
    targets = [t for t in h.targets if everything or t.text in SAMPLE]
    v.hover("总览 map", frame, targets)
    if everything:  # the {{ 7*7 }} issue's tooltip, for the record
        v.hover("总览 map", frame, h.of("issue")[:1], stay=True)
        v.p.screenshot(f"hostile-overview-tooltip-{v.who}")
    v.check("总览 after hovering")
    # click issues: the panel beside the map shows the title literally
    side = v.page.locator("[data-testid=stColumn]").filter(has=v.page.get_by_text("选中的议题", exact=True))
    for t in [*h.of("issue", only_must=True)][: (9 if everything else 2)]:
        v.click(frame, t)
        try:
            v.page.wait_for_function(
                """() => ![...document.querySelectorAll('[data-testid=stCaptionContainer]')]
                     .some(c => c.innerText.includes('点击地图上的议题查看详情'))""", timeout=20_000)
        except PlaywrightTimeout:
            v.fail("总览 click", f"clicking issue {t.id} selected nothing")
            continue
        v.settle()
        v.expect(f"总览 clicked {t.id}", side.inner_text() + v.page.evaluate(GRID_TEXT), [t.text])
        v.check(f"总览 clicked {t.id}")
        frame = v.map_frame()
    for t in (h.of("venue", only_must=True)[0], h.of("community")[0], h.of("compound")[0]):
        v.click(frame, t)
        v.settle()
        v.check(f"总览 clicked {t.kind} {t.id}")
        frame = v.map_frame()
    text = v.text()
    v.expect("总览 page (charts, tables)", text, ["{{ 7*7 }}", "{% raw %}"])
    v.check("总览 end")


def _community(v: Visit, h: Hostile) -> None:
    cid = MEMBER_COMMUNITY if v.who == "member" else FIRST_COMMUNITY
    v.open("社区")
    frame = v.map_frame()
    v.page.get_by_text("督办清单").first.wait_for()
    v.settle()
    v.check("社区")
    text = v.text()
    heading = (v.page.locator("[data-testid=stMain] [data-testid=stMarkdownContainer]")
               .filter(has_text=re.compile(r" · 联系委员")).first.inner_text())
    v.expect("社区 heading", heading, [h.names[cid]])
    venues = h.of("venue", community=cid)
    issues = [t for t in h.of("issue", community=cid) if t.id.startswith("J")]
    v.expect("社区 venues table", text, [t.text for t in venues][:5])
    v.expect("社区 supervision list", text, [t.text for t in issues][:5])
    targets = [t for t in h.targets if t.community_id == cid and (t.kind != "community" or t.id == cid)]
    v.hover("社区 map", frame, targets)
    v.check("社区 after hovering")
    chosen = h.of("issue", community=cid)
    if chosen:
        t = chosen[0]
        v.click(frame, t)
        button = v.page.get_by_role("button", name="打开议题详情")
        try:
            button.wait_for(timeout=20_000)
        except PlaywrightTimeout:
            v.fail("社区 click", f"clicking issue {t.id} selected nothing")
        else:
            v.settle()
            side = v.page.locator("[data-testid=stColumn]").filter(has=button).inner_text()
            v.expect(f"社区 clicked {t.id}", side, [t.text])
            v.check(f"社区 clicked {t.id}")
            button.click()
            v.page.get_by_role("heading", name=re.compile(r"^议题详情 · ")).wait_for(timeout=60_000)
            v.settle()
            v.expect(f"议题详情 via 社区 {t.id}", v.text(), [t.text])
            v.check(f"议题详情 via 社区 {t.id}")


def _issue(v: Visit, h: Hostile, ids: list[str]) -> None:
    v.open("议题详情")
    v.page.get_by_text("选择议题").wait_for()
    titles = {t.id: t.text for t in h.of("issue")}
    for issue_id in ids:
        v.page.locator("[data-testid=stSelectbox]").filter(has_text="选择议题").click()
        v.page.keyboard.type(issue_id)
        option = v.page.get_by_role("option", name=re.compile(rf"^{issue_id} · "))
        option.first.wait_for()
        v.expect(f"议题详情 option {issue_id}", option.first.inner_text(), [titles[issue_id]])
        option.first.click()
        v.page.wait_for_function(f"() => location.search.includes('issue={issue_id}')")
        v.settle()
        text = v.text()
        heading = v.page.get_by_role("heading", level=3).filter(has_text=issue_id).first.inner_text()
        v.expect(f"议题详情 {issue_id} heading", heading, [titles[issue_id]])
        # title, description, stakeholders, units, consensus, posted result: all the same string
        found = flat(text).count(flat(titles[issue_id])[:200])
        if found < 4:
            v.fail(f"议题详情 {issue_id}", f"{short(titles[issue_id])} shown {found} times, expected the "
                                          "title, record and follow-up fields")
        v.check(f"议题详情 {issue_id}")


def _board(v: Visit, h: Hostile) -> None:
    """The public board: filtered to the done "other" issues of the first community (every H
    issue), its pages of cards show each title literally; an issue's public page shows the title,
    the description, the responsible unit and the posted result literally, and never the
    reporter (here the same string as the title, so the page must show it exactly four times)."""
    v.open("公示栏")
    v.page.locator("a.pub-card").first.wait_for()
    v.settle()
    base = v.page.url.split("?")[0]
    wanted = [t for t in h.of("issue") if t.id.startswith("H")]
    cards: list[str] = []
    for page in range(1, 10):
        v.page.goto(f"{base}?community={FIRST_COMMUNITY}&category=other&stage=done&page={page}")
        v.page.locator("a.pub-card").first.wait_for()
        v.settle()
        texts = v.page.locator("a.pub-card").all_inner_texts()
        cards += texts
        if len(texts) < 20:
            break
    v.expect("公示栏 cards", "\n".join(cards), [t.text for t in wanted])
    v.check("公示栏")
    for t in (wanted[0], wanted[-1]):
        v.page.goto(f"{base}?issue={t.id}")
        v.page.get_by_role("heading", name=re.compile(re.escape(t.id))).wait_for()
        v.page.locator(".pub-actions").wait_for()  # the page's last element: all of it is drawn
        v.settle()
        main = v.page.locator("[data-testid=stMain]").inner_text()
        if flat(main).count(flat(t.text)[:200]) != 4:
            v.fail("公示栏", f"the page of {t.id} shows {short(t.text)} "
                            f"{flat(main).count(flat(t.text)[:200])} times, not 4 (title, description, unit, result)")
        v.check(f"公示栏 {t.id}")


def _report(v: Visit, h: Hostile) -> None:
    """The print view draws its own HTML tables and SVG map: every title shows literally."""
    v.open("打印报告")
    tables = v.page.locator("table.yishi-print-table")
    tables.first.wait_for()
    v.settle()
    v.expect("打印报告 tables", "\n".join(tables.all_inner_texts()),
             [t.text for t in h.of("issue") if t.id.startswith("H")])
    v.check("打印报告")


def _new_issue(v: Visit, h: Hostile) -> None:
    v.open("新建议题")
    frame = v.map_frame()
    v.hover("新建议题 map", frame, [*h.of("community", only_must=True), *h.of("compound", only_must=True)[:3],
                                    *h.of("venue", only_must=True)[:3]])
    compound = h.of("compound")[0]
    v.click(frame, compound)
    v.page.get_by_text("尚未选择位置").wait_for(state="detached", timeout=30_000)
    v.settle()
    for _ in range(30):  # the place table is drawn a moment after the run settles, on a busy machine
        if shows(v.page.evaluate(GRID_TEXT), compound.text):
            break
        v.page.wait_for_timeout(500)
    v.expect("新建议题 place of the click", v.page.evaluate(GRID_TEXT),
             [compound.text, h.names[compound.community_id]])
    v.check("新建议题")


def _upload(v: Visit, h: Hostile) -> None:
    v.open("数据上传")
    v.page.get_by_text("导入记录").wait_for()
    v.settle()
    v.expect("数据上传 history", v.page.evaluate(GRID_TEXT), ["{{ 7*7 }}"])
    v.check("数据上传")


def _accounts(v: Visit, h: Hostile) -> None:
    v.open("账号管理")
    v.settle()
    with contextlib.suppress(PlaywrightError):  # the grid fills its rows a moment after the page settles
        v.page.wait_for_function(f"(name) => ({GRID_TEXT})().includes(name)", arg=h.names[MEMBER_COMMUNITY],
                                 timeout=15_000)
    v.expect("账号管理 users table", v.page.evaluate(GRID_TEXT), [h.names[MEMBER_COMMUNITY]])
    v.page.locator("[data-testid=stSelectbox]").filter(has_text="社区").first.click()
    options = v.page.get_by_role("option")
    options.first.wait_for()
    v.expect("账号管理 community choices", "\n".join(options.all_inner_texts()),
             [h.names[c] for c in sorted(h.names)][:5])
    v.page.keyboard.press("Escape")
    v.check("账号管理")


@pytest.mark.parametrize("who", ["leader", "member", "staff", "admin", "signed out"])
def test_every_page_shows_the_corpus_literally(hostile, browser, who):
    v = sign_in(browser, hostile.url, hostile.log, who)
    try:
        v.check("landing page")
        if who == "signed out":
            v.section("公示栏", _board, hostile)
        else:
            links = {a.split("\n")[-1].strip() for a in
                     v.page.locator("[data-testid=stSidebarNav] a").all_inner_texts()}
            assert links == set(NAV[who]), links
            v.section("总览", _overview, hostile)
            v.section("社区", _community, hostile)
            ids = [t.id for t in hostile.of("issue", only_must=True)]
            v.section("议题详情", _issue, hostile, ids if who == "staff" else ["H01", ids[-1]])
            v.section("公示栏", _board, hostile)
            v.section("打印报告", _report, hostile)
            if who == "staff":
                v.section("新建议题", _new_issue, hostile)
                v.section("数据上传", _upload, hostile)
            if who == "admin":
                v.section("账号管理", _accounts, hostile)
        v.check("end")
    finally:
        v.page.context.close()
    assert v.problems == [], f"{len(v.problems)} problem(s):\n" + "\n".join(v.problems)
