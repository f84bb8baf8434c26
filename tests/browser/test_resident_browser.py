"""A resident's report on a phone (390x844, touch), from the first tap to the rating: tapping
the map places the report, an open report of the same kind nearby is offered ("me too"), saving
gives a tracking code; staff accept it and work it to done (through the services); the
resident follows the receipt's link and rates the result, and the rating shows on the public
issue page. Another resident, placed by the phone's own position ("My location" on the map),
says "me too" and is counted. The reporter's name and phone appear on no public page.

Screenshots (zh and en) go to test-artifacts/resident-*."""

from __future__ import annotations

import re

import pytest

from yishi.accounts import User
from yishi.services import residents
from yishi.storage import open_store
from tests.browser.conftest import new_page, private_app
from tests.helpers import drive_to_done

pytestmark = pytest.mark.browser

STALE_GONE = "() => document.querySelectorAll('[data-stale=\"true\"]').length === 0"
MAP = 'iframe[title="streamlit_folium.st_folium"]'
LEAFLET = "Object.values(window).find(v => v instanceof L.Map)"
STAFF = User("staff", "staff")
NAME, PHONE = "赵女士", "13700001234"
SEED = "小区门口垃圾堆了三天没人清"
#: Where the test taps, from venue V001 (degrees): some 70 m east, clear of the venue's icon.
OFFSET = (0.0007, 0.0002)


@pytest.fixture(scope="module")
def served(demo_store_file, tmp_path_factory):
    """The app over its own store, with a neighbour's open report near venue V001 (the seed)."""
    with private_app(demo_store_file, tmp_path_factory.mktemp("resident")) as (url, store):
        with open_store(store) as s:
            venues = s.load_layer("venues")
            v = venues.loc[venues["venue_id"] == "V001", "geometry"].iloc[0]
            seed = residents.report(s, lon=v.x + OFFSET[0], lat=v.y + OFFSET[1], category="environment",
                                    description=SEED)
        yield url, store, seed.issue_id, (v.x, v.y)


def settle(page) -> None:
    page.wait_for_function(STALE_GONE, timeout=60_000)


def phone(browser):
    return new_page(browser, 390, 844, has_touch=True, is_mobile=True)


def map_frame(p):
    frame = p.page.locator(MAP).first.element_handle(timeout=60_000).content_frame()
    frame.wait_for_function("() => window.L && document.querySelector('.leaflet-container')", timeout=60_000)
    return frame


def tap_map_at(p, lon: float, lat: float) -> None:
    """Tap the picking map where (lon, lat) is drawn (OSM tiles: WGS84 as is)."""
    iframe = p.page.locator(MAP).first
    iframe.scroll_into_view_if_needed()
    frame = map_frame(p)
    frame.wait_for_function(f"() => ({LEAFLET}) && ({LEAFLET}).getZoom() > 15", timeout=30_000)
    point = frame.evaluate(f"() => {{ const p = ({LEAFLET}).latLngToContainerPoint([{lat}, {lon}]);"
                           " return {x: p.x, y: p.y}; }")
    box = iframe.bounding_box()
    p.page.touchscreen.tap(box["x"] + point["x"], box["y"] + point["y"])


def choose_category(p, label: str) -> None:
    box = p.page.get_by_role("combobox", name=re.compile("问题类别|Kind of problem")).first
    # "/" in a pattern breaks Playwright's selector parsing: any character stands for it
    p.choose(box, label[:2], re.compile(re.escape(label).replace("/", ".")))
    settle(p.page)


def public_text(p, url: str, *, showing: str | None = None) -> str:
    """The text of a public page once it has run (and shows `showing`, a pattern, when given:
    a section further down may arrive in a later delta than the page's title)."""
    p.page.goto(url)
    p.page.get_by_text(re.compile("议题|Issue|公示|board", re.IGNORECASE)).first.wait_for()
    if showing:
        p.page.get_by_text(re.compile(showing)).first.wait_for(timeout=30_000)
    settle(p.page)
    p.page.wait_for_timeout(500)
    frames = [frame_text(f) for f in p.page.frames if f != p.page.main_frame]
    return p.page.locator("body").inner_text() + "\n".join(frames)


def frame_text(frame) -> str:
    """A frame's text once its document has a body: a frame still loading has none yet."""
    frame.wait_for_function("() => document.body !== null", timeout=30_000)
    return frame.evaluate("() => document.body.innerText")


def shot(p, name: str):
    path = p.screenshot(f"resident-{name}")
    assert path.stat().st_size > 10_000
    return path


def test_a_resident_reports_follows_and_rates_on_a_phone(browser, served):
    url, store, _, (vx, vy) = served
    p = phone(browser)
    page = p.page

    # 1. where: tap the map (the poster's venue link has zoomed it there)
    page.goto(f"{url}/report_issue?venue=V001")
    page.get_by_text("已选位置").wait_for(timeout=60_000)
    page.get_by_role("combobox", name=re.compile("问题类别")).wait_for()
    settle(page)
    map_frame(p).wait_for_function(f"() => ({LEAFLET}) && ({LEAFLET}).getZoom() > 15", timeout=30_000)
    shot(p, "form-zh")
    tap_map_at(p, vx + OFFSET[0] * 0.8, vy + OFFSET[1] * 0.8)
    page.get_by_text("已选位置：地图上选定的位置").wait_for(timeout=30_000)
    settle(page)

    # 2. what: the category brings the neighbour's report within 200 m
    choose_category(p, "环境/污染")
    offer = page.locator(".st-key-res_nearby")
    offer.get_by_text("可能已有人反映").wait_for()
    offer.get_by_text(SEED[:10]).first.wait_for()  # the list follows its heading in a later delta
    offer.scroll_into_view_if_needed()
    shot(p, "nearby-zh")

    # 3. a report of its own: description (counted), contact, send
    description = page.get_by_label("问题描述 *")
    description.fill("楼道灯坏了，晚上看不见台阶")
    counter = page.get_by_test_id("InputInstructions").filter(has_text="/500").first
    counter.wait_for()  # how much of the 500 characters is used, while typing
    assert counter.inner_text().strip().endswith("13/500"), counter.inner_text()
    page.get_by_label("称呼").fill(NAME)
    page.get_by_label("手机号").fill(PHONE)
    assert not page.locator(".st-key-res_website input").is_visible() or \
        page.locator(".st-key-res_website").bounding_box()["x"] < 0  # the honeypot is out of sight
    page.get_by_role("button", name="提交反映").tap()
    page.get_by_text("已收到您的反映").wait_for(timeout=30_000)
    settle(page)
    code = page.locator(".st-key-res_code code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", code), code
    shot(p, "receipt-zh")
    with open_store(store) as s:
        issue_id = residents.follow(s, code)
        row = s.get_row("issues", issue_id, include_private=True)
    assert (row["reporter_name"], row["reporter_phone"], row["source"]) == (NAME, PHONE, "resident")
    assert abs(row["geom"].x - vx) < 0.002 and abs(row["geom"].y - vy) < 0.002

    # 4. staff accept it and work it through to done (the services, as the staff pages do)
    with open_store(store) as s:
        residents.accept(s, issue_id, user=STAFF)
        drive_to_done(s, issue_id, STAFF, result="垃圾已清运，物业每日巡查")

    # 5. the receipt's link: the result, then a rating
    page.get_by_role("link", name="查看进度").tap()
    page.get_by_text("垃圾已清运，物业每日巡查").wait_for(timeout=60_000)
    settle(page)
    assert "/track" in page.url and "code=" in page.url
    page.get_by_text("★★★★ 满意", exact=True).tap()
    page.get_by_label("评价意见（选填）").fill("处理及时")
    page.get_by_role("button", name="提交评价").tap()
    page.get_by_text("谢谢您的评价").first.wait_for(timeout=30_000)
    settle(page)
    shot(p, "rated-zh")
    with open_store(store) as s:
        rated = s.load_layer("ratings")
    assert list(zip(rated["issue_id"], rated["score"], rated["via"])) == [(issue_id, 4, "code")]

    # 6. the public issue page shows the rating with its count; no page shows the reporter
    board_issue = public_text(p, f"{url}/board?issue={issue_id}", showing="群众评价")
    assert re.search(r"群众评价\s*4\.00 / 5（1 人评价）", board_issue), board_issue
    shot(p, "public-issue-zh")
    for text in (board_issue, public_text(p, f"{url}/board"), public_text(p, f"{url}/track?code={code}"),
                 public_text(p, f"{url}/track?issue={issue_id}&key={residents.rating_key(issue_id)}")):
        assert NAME not in text and PHONE not in text
    assert not page.locator("[data-testid='stException']").count()
    assert p.errors == [], p.errors
    page.context.close()


def test_another_resident_places_it_by_the_phones_position_and_says_me_too(browser, served):
    url, store, seed_id, (vx, vy) = served
    here = {"longitude": vx + OFFSET[0] * 1.2, "latitude": vy + OFFSET[1] * 1.2}
    p = new_page(browser, 390, 844, has_touch=True, is_mobile=True, geolocation=here,
                 permissions=["geolocation"])
    page = p.page
    page.goto(f"{url}/report_issue?lang=en")
    page.get_by_text("No place chosen yet").wait_for(timeout=60_000)
    settle(page)
    page.locator(MAP).first.scroll_into_view_if_needed()
    map_frame(p).get_by_role("button", name="My location").tap()  # 127.0.0.1 is a secure page
    page.get_by_text("Chosen place: the point chosen on the map").wait_for(timeout=30_000)
    settle(page)
    map_frame(p).wait_for_function(f"() => ({LEAFLET}) && ({LEAFLET}).getZoom() > 15", timeout=30_000)
    shot(p, "form-en")
    choose_category(p, "Environment")
    offer = page.locator(".st-key-res_nearby")
    offer.get_by_text("Already reported nearby?").wait_for()
    offer.get_by_role("button", name="Me too (add my voice)").first.tap()
    page.get_by_text("Your voice is counted").wait_for(timeout=30_000)
    settle(page)
    assert page.get_by_text("Residents who said me too so far: 1.").count()
    shot(p, "me-too-en")
    with open_store(store) as s:
        assert int(s.get_row("issues", seed_id)["me_too"]) == 1
    code = page.locator(".st-key-res_code code").inner_text().strip()
    page.goto(f"{url}/track?code={code}&lang=en")
    page.get_by_text(SEED[:10]).first.wait_for(timeout=60_000)
    settle(page)
    shot(p, "track-en")
    assert p.errors == [], p.errors
    page.context.close()
