"""The public board as a signed-out resident meets it on a phone (390x844, touch): "/" shows the
map near the top and the board under it; choosing a community keeps it in the URL; page 2 works;
tapping a row or an issue on the map opens the issue's public page; a hostile title shows as text;
no reporter's name or phone is anywhere in the page or the map.

Screenshots go to test-artifacts/ (public-*)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import new_page, private_app
from yishi.storage import open_store

pytestmark = pytest.mark.browser

MAP = 'iframe[title="streamlit_folium.st_folium"]'
LEAFLET = "Object.values(window).find(v => v instanceof L.Map)"
NEWEST = "I0137"  # the newest demo issue: the board's first card
HOSTILE = "<img src=x onerror=alert(1)>**bold**"
COMMUNITY = ("411402001007", "和谐社区")
#: Private values planted on the newest issue, and the demo's own reporters.
PRIVATE = ("隐私人甲", "13912345678", "虚构居民")
DEMO_PHONE = re.compile(r"1990000\d{4}")
CARD = "a.pub-card"

#: A drawn issue with the most room around it: its position in the frame and its tooltip title.
LONELY_ISSUE = f"""() => {{
  const map = {LEAFLET}, pts = [];
  map.eachLayer(l => {{ if (l.options && l.options.ix !== undefined) pts.push(l); }});
  const px = l => map.latLngToContainerPoint(l.getLatLng());
  const size = map.getSize();
  let best = null, room = -1;
  for (const l of pts) {{
    const p = px(l);
    if (p.x < 60 || p.y < 60 || p.x > size.x - 60 || p.y > size.y - 60) continue;
    const near = Math.min(...pts.filter(o => o !== l).map(o => p.distanceTo(px(o))));
    if (near > room) {{ room = near; best = l; }}
  }}
  best.fire('mouseover', {{}}, true);
  const tip = document.createElement('div');
  tip.innerHTML = best.getTooltip().getContent();
  const p = px(best);
  best.fire('mouseout', {{}}, true);
  return {{x: p.x, y: p.y, title: tip.querySelector('b').textContent}};
}}"""


@pytest.fixture(scope="module")
def public_url(demo_store_file, tmp_path_factory):
    """The app over its own demo copy whose newest issue has a hostile title and a reporter."""
    with private_app(demo_store_file, tmp_path_factory.mktemp("public")) as (url, store_path):
        with open_store(store_path) as store:
            store.write_batch("issues", [{"issue_id": NEWEST, "title": HOSTILE, "reporter_name": PRIVATE[0],
                                          "reporter_phone": PRIVATE[1]}], by="fixture", source="test")
        yield url


@pytest.fixture(scope="module")
def phone(browser, public_url):
    page = new_page(browser, 390, 844, has_touch=True, is_mobile=True)
    dialogs: list[str] = []
    page.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    page.page.context.close()


def map_frame(page):
    """The st_folium frame once Leaflet drew the legend and the issues in it."""
    frame = page.page.locator(MAP).first.element_handle(timeout=60_000).content_frame()
    frame.wait_for_selector(".yishi-legend", state="attached", timeout=60_000)
    frame.wait_for_selector("path.leaflet-interactive", state="attached", timeout=60_000)
    return frame


def open_board(page, url: str):
    page.page.goto(url)
    page.page.locator(CARD).first.wait_for(timeout=60_000)
    return map_frame(page)


def no_private_text(page, frame) -> None:
    html = page.page.content() + frame.content()
    for value in PRIVATE:
        assert value not in html, value
    assert not DEMO_PHONE.search(html)


def test_front_page_shows_the_map_near_the_top_and_the_board_under_it(phone, public_url):
    frame = open_board(phone, f"{public_url}/")
    iframe = phone.page.locator(MAP).first
    box = iframe.bounding_box()
    assert box["y"] < 844 and box["height"] <= 0.5 * 844 and box["height"] >= 250, box  # in the first screen
    drawn = frame.evaluate(f"""() => {{ let n = 0; ({LEAFLET}).eachLayer(l => {{
        if (l.options && l.options.ix !== undefined) n += 1; }}); return n; }}""")
    assert drawn > 100  # issues drawn, not a blank map
    assert "议题" in frame.locator(".yishi-legend").text_content()
    board = phone.page.locator("ol.pub-board")
    assert board.bounding_box()["y"] > box["y"] + box["height"]  # under the map
    assert phone.page.locator(CARD).count() == 20
    first = phone.page.locator(CARD).first.inner_text()
    assert HOSTILE in first and NEWEST in first  # the title as text, not an image or bold
    assert phone.page.locator(f"{CARD} img").count() == 0 and phone.dialogs == []
    no_private_text(phone, frame)
    iframe.scroll_into_view_if_needed()
    phone.screenshot("public-phone-board")
    assert phone.errors == [], phone.errors


def test_choosing_a_community_keeps_it_in_the_url(phone, public_url):
    open_board(phone, f"{public_url}/board")
    phone.page.get_by_text("按社区、类别、阶段筛选").click()
    box = phone.page.locator("[data-testid=stSelectbox]").filter(has_text="社区").first
    phone.choose(box.get_by_role("combobox"), COMMUNITY[1][:2], re.compile(f"^{COMMUNITY[1]}$"))
    phone.page.wait_for_url(re.compile(f"community={COMMUNITY[0]}"))
    phone.page.wait_for_function(
        "(name) => { const c = [...document.querySelectorAll('a.pub-card')];"
        " return c.length > 0 && c.every(a => a.innerText.includes(name)); }", arg=COMMUNITY[1])
    # the link reproduces the view
    phone.page.goto(phone.page.url)
    phone.page.locator(CARD).first.wait_for(timeout=60_000)
    texts = phone.page.locator(CARD).all_inner_texts()
    assert texts and all(COMMUNITY[1] in t for t in texts)
    frame = map_frame(phone)  # the map draws the chosen community's issues only
    drawn = frame.evaluate(f"""() => {{ let n = 0; ({LEAFLET}).eachLayer(l => {{
        if (l.options && l.options.ix !== undefined) n += 1; }}); return n; }}""")
    total = int(re.search(r"共 (\d+) 项", phone.page.locator("[data-testid=stMain]").inner_text()).group(1))
    assert drawn == total > 0
    phone.page.locator(MAP).first.scroll_into_view_if_needed()
    phone.screenshot("public-phone-community")


def test_page_2_shows_the_next_20(phone, public_url):
    open_board(phone, f"{public_url}/board")
    first_page = phone.page.locator(CARD).all_inner_texts()
    phone.page.get_by_role("button", name="下一页").click()
    phone.page.wait_for_url(re.compile(r"page=2"))
    phone.page.get_by_text(re.compile(r"^第 2/7 页$")).wait_for()
    phone.page.wait_for_function("(first) => document.querySelector('a.pub-card').innerText !== first",
                                 arg=first_page[0])
    second_page = phone.page.locator(CARD).all_inner_texts()
    assert len(second_page) == 20 and not set(second_page) & set(first_page)
    phone.screenshot("public-phone-page-2")


def test_tapping_a_row_opens_the_public_issue_page(phone, public_url):
    frame = open_board(phone, f"{public_url}/board")
    phone.page.locator(CARD).first.tap()
    phone.page.wait_for_url(re.compile(rf"issue={NEWEST}"))
    phone.page.locator("ol.pub-stepper").wait_for(timeout=60_000)
    report = phone.page.get_by_role("link", name="我也遇到了 / 我要反映")
    report.wait_for()  # the last element drawn
    heading = phone.page.get_by_role("heading", name=re.compile(NEWEST)).inner_text()
    assert HOSTILE in heading and phone.dialogs == []
    html = phone.page.content()
    for value in PRIVATE:
        assert value not in html, value
    assert not DEMO_PHONE.search(html)
    assert "report_issue?" in report.get_attribute("href")
    phone.screenshot("public-phone-issue")
    phone.page.get_by_role("link", name="← 返回议题列表").first.tap()
    phone.page.locator(CARD).first.wait_for(timeout=60_000)
    no_private_text(phone, map_frame(phone))
    assert frame is not None and phone.errors == [], phone.errors


def test_tapping_an_issue_on_the_map_opens_its_public_page(phone, public_url):
    frame = open_board(phone, f"{public_url}/board?lang=en")
    iframe = phone.page.locator(MAP).first
    iframe.scroll_into_view_if_needed()
    target = frame.evaluate(LONELY_ISSUE)
    box = iframe.bounding_box()
    phone.page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    phone.page.wait_for_url(re.compile(r"issue=I\d{4}"), timeout=60_000)
    phone.page.locator("ol.pub-stepper").wait_for(timeout=60_000)
    heading = phone.page.get_by_role("heading", name=re.compile(r"^I\d{4} · ")).inner_text()
    assert target["title"].rstrip("…") in heading
    phone.screenshot("public-phone-map-tap")
