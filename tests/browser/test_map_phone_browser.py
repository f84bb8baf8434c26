"""The issue map as a person meets it in Chromium: on a phone (390x844, touch) a one-finger swipe
over the map scrolls the page and leaves the map where it was, the legend starts folded, the
figures form a two-column grid, touch targets are 44 px; overdue issues carry a ring and a legend
entry; on a desktop (1400x1000) a click on an issue opens its card, whose button opens the
issue page, and the colour-by radio keeps its choice across a language switch.

Screenshots go to test-artifacts/ (map-phone-*, map-desktop-*)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import new_page

pytestmark = pytest.mark.browser

MAP = 'iframe[title="streamlit_folium.st_folium"]'
#: The Leaflet map inside the st_folium frame.
LEAFLET = "Object.values(window).find(v => v instanceof L.Map)"
#: How far the page is scrolled (Streamlit scrolls its main area, not the window).
SCROLLED = "(document.querySelector('.stMain') || document.scrollingElement).scrollTop"
#: A radio group (by its label) whose selected option reads `text`.
SELECTED = """([label, text]) => [...document.querySelectorAll('[role=radiogroup]')]
  .some(g => g.getAttribute('aria-label') === label && [...g.querySelectorAll('label')]
    .some(l => l.dataset.selected === 'true' && l.textContent.includes(text)))"""


def open_overview(page, app_url: str, lang: str = "zh"):
    """Sign in as the leader and open the overview; returns the map's frame once Leaflet drew it."""
    page.sign_in(app_url, "leader", "leader-demo-2022", "/overview")
    if lang != "zh":  # the cookie keeps the account; the URL chooses the language
        page.page.goto(f"{app_url}/overview?lang={lang}")
    page.page.get_by_text("协商会议" if lang == "zh" else "Meetings held").first.wait_for()
    return map_frame(page)


def scroll_settled(page) -> None:
    """Wait until the page has stopped scrolling (a swipe ends in a fling that runs on)."""
    page.page.wait_for_function(f"""() => new Promise(done => {{
        const a = {SCROLLED}; setTimeout(() => done({SCROLLED} === a), 300); }})""", timeout=10_000)


def map_frame(page):
    """The st_folium frame, once Leaflet drew the legend and the issues in it."""
    frame = page.page.locator(MAP).first.element_handle(timeout=60_000).content_frame()
    frame.wait_for_selector(".yishi-legend", state="attached", timeout=60_000)
    frame.wait_for_selector("path.leaflet-interactive", state="attached")
    return frame


@pytest.fixture(scope="module")
def phone(browser, app_url):
    page = new_page(browser, 390, 844, has_touch=True, is_mobile=True)
    frame = open_overview(page, app_url)
    yield page, frame
    page.page.context.close()


@pytest.fixture(scope="module")
def desktop(browser, app_url):
    page = new_page(browser, 1400, 1000)
    frame = open_overview(page, app_url)
    yield page, frame
    page.page.context.close()


# ------------------------------------------------------------------ on a phone


def test_phone_one_finger_swipe_over_the_map_scrolls_the_page_not_the_map(phone):
    page, frame = phone
    iframe = page.page.locator(MAP).first
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    assert box["height"] <= 0.5 * 844, box  # a shorter map: the page stays in reach
    center = frame.evaluate(f"() => {{ const c = ({LEAFLET}).getCenter(); return [c.lat, c.lng]; }}")
    before = page.page.evaluate(f"() => {SCROLLED}")
    cdp = page.page.context.new_cdp_session(page.page)
    x, top, bottom = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.2, box["y"] + box["height"] * 0.8
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": bottom}]})
    for step in range(1, 11):
        y = bottom + (top - bottom) * step / 10
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.page.wait_for_function(f"() => {SCROLLED} > {before + 100}")  # the page scrolled
    after = frame.evaluate(f"() => {{ const c = ({LEAFLET}).getCenter(); return [c.lat, c.lng]; }}")
    assert after == pytest.approx(center, abs=1e-9)  # the map did not move
    assert frame.evaluate(f"() => ({LEAFLET}).dragging.enabled()") is False
    hint = frame.locator(".yishi-gesture-hint")
    assert "双指" in hint.text_content()
    scroll_settled(page)
    page.screenshot("map-phone-after-swipe")


def test_phone_legend_starts_folded_and_opens_on_a_tap(phone):
    page, frame = phone
    legend = frame.locator(".yishi-legend-box")
    assert legend.evaluate("d => d.open") is False
    assert frame.locator(".yishi-legend-title").text_content() == "图例"
    scroll_settled(page)  # a tap during the swipe's fling only stops the fling, as on a real phone
    frame.locator(".yishi-legend-title").tap()
    frame.locator(".yishi-legend-body").wait_for()
    assert legend.evaluate("d => d.open") is True
    page.page.locator(MAP).first.scroll_into_view_if_needed()
    page.screenshot("map-phone-legend-open")
    frame.locator(".yishi-legend-title").tap()


def test_phone_figures_are_a_two_column_grid(phone):
    page, _ = phone
    page.page.evaluate("() => document.querySelector('.stMain').scrollTo(0, 0)")
    metrics = page.page.locator('[class*="st-key-yishi-kpis"] [data-testid="stMetric"]')
    assert metrics.count() == 8
    boxes = [metrics.nth(i).bounding_box() for i in range(8)]
    assert len({round(b["x"]) for b in boxes}) == 2, boxes
    assert boxes[0]["y"] == pytest.approx(boxes[1]["y"], abs=2) and boxes[2]["y"] > boxes[0]["y"] + 10
    page.screenshot("map-phone-figures")


def test_phone_touch_targets_are_at_least_44px(phone):
    page, frame = phone
    small = page.page.evaluate("""() => [...document.querySelectorAll(
        '.stMain [data-testid="stRadioOption"], .stMain button[data-testid^="stBaseButton"], '
        + '[data-testid="stExpandSidebarButton"]')]
      .map(e => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0 && r.height < 44)
      .map(([t, r]) => t + ' ' + r.height)""")
    assert small == []
    # every control shown (a folded legend's inner sections are not: 0 px until it opens)
    controls = frame.evaluate("""() => [...document.querySelectorAll('.leaflet-bar a, .yishi-legend summary')]
      .filter(e => e.getClientRects().length)
      .map(e => [e.textContent.trim().slice(0, 12), e.getBoundingClientRect().height])""")
    assert any(name == "图例" for name, _ in controls), controls
    assert controls and min(h for _, h in controls) >= 44, controls


def test_overdue_issues_have_a_ring_and_a_legend_entry(phone):
    page, frame = phone
    rings = frame.evaluate(f"""() => {{ let n = 0, late = 0; ({LEAFLET}).eachLayer(l => {{
        if (l.options && l.options.overdueRing) n += 1;
        if (l.options && l.options.overdue) late += 1; }}); return [n, late]; }}""")
    assert rings == [7, 7]
    assert "逾期 (7)" in frame.locator(".yishi-legend-overdue").text_content()
    page.page.locator(MAP).first.scroll_into_view_if_needed()
    page.screenshot("map-phone-zh")


def test_phone_in_english(browser, app_url):
    page = new_page(browser, 390, 844, has_touch=True, is_mobile=True)
    try:
        frame = open_overview(page, app_url, "en")
        assert frame.locator(".yishi-legend-title").text_content() == "Legend"
        assert "Overdue (7)" in frame.locator(".yishi-legend-overdue").text_content()
        page.page.locator(MAP).first.scroll_into_view_if_needed()
        page.screenshot("map-phone-en")
    finally:
        page.page.context.close()


# ------------------------------------------------------------------ on a desktop


CLEAR_OVERDUE = f"""() => {{
  const map = {LEAFLET}, pts = [];
  map.eachLayer(l => {{ if (l.options && l.options.ix !== undefined) pts.push(l); }});
  const px = l => map.latLngToContainerPoint(l.getLatLng());
  let best = null, room = -1;
  for (const l of pts.filter(l => l.options.overdue)) {{
    const p = px(l);
    const near = Math.min(...pts.filter(o => o !== l).map(o => p.distanceTo(px(o))));
    if (near > room) {{ room = near; best = l; }}
  }}
  best.fire('mouseover', {{}}, true);  // the issue layer binds its tooltip, which names it
  const tip = document.createElement('div');
  tip.innerHTML = best.getTooltip().getContent();
  const p = px(best);
  return {{x: p.x, y: p.y, title: tip.querySelector('b').textContent}};
}}"""


def test_desktop_click_on_an_overdue_issue_opens_its_card_and_the_issue_page(desktop):
    page, frame = desktop
    assert frame.locator(".yishi-legend-box").evaluate("d => d.open") is True
    iframe = page.page.locator(MAP).first
    iframe.scroll_into_view_if_needed()
    target = frame.evaluate(CLEAR_OVERDUE)
    box = iframe.bounding_box()
    page.page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    card = page.page.locator('[class*="st-key-yishi-card-ov"]')
    card.get_by_text(target["title"]).wait_for()
    text = card.inner_text()
    assert "逾期" in text and "天" in text and "None" not in text
    page.screenshot("map-desktop-card")
    card.get_by_role("button", name="打开议题详情").click()
    page.page.get_by_role("heading", name="议题详情 · 议事地图").wait_for()
    page.page.get_by_text(target["title"]).first.wait_for()
    assert "/issue" in page.page.url
    page.screenshot("map-desktop-issue-page")
    assert page.errors == [], page.errors


def test_desktop_colour_by_and_filters_keep_their_choice_in_english(browser, app_url):
    page = new_page(browser, 1400, 1000)
    try:
        open_overview(page, app_url)
        page.page.get_by_role("radiogroup", name="议题着色").get_by_text("类别").click()
        page.page.wait_for_function(SELECTED, arg=["议题着色", "类别"])
        heading = page.page.get_by_role("heading", name=re.compile(r"^议题列表 \(\d+\)"))
        every = heading.inner_text()
        category = page.page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first
        category.click()
        page.page.get_by_role("option", name="停车", exact=True).click()
        page.page.keyboard.press("Escape")
        page.page.wait_for_function(
            "(every) => [...document.querySelectorAll('h3')].some(h => h.innerText.startsWith('议题列表 (')"
            " && h.innerText !== every)", arg=every)
        shown = re.search(r"\((\d+)\)", heading.inner_text()).group(1)
        page.page.get_by_role("radiogroup", name="语言").get_by_text("English").click()
        page.page.get_by_text("Meetings held").first.wait_for()
        page.page.wait_for_function(SELECTED, arg=["Colour issues by", "Category"])
        # the sidebar filter still chooses parking, now said in English, and filters the same rows
        category.get_by_text("Parking", exact=True).wait_for()
        assert "停车" not in category.inner_text()
        page.page.get_by_role("heading", name=re.compile(rf"\({shown}\)$")).first.wait_for()
        map_frame(page)
        page.screenshot("map-desktop-en")
    finally:
        page.page.context.close()
