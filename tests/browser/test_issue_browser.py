"""The issue page in a real browser: staff open an issue at stage meeting, fill the consensus
form, submit, and see the success and the new stage; no console errors."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

#: A demo issue at stage meeting that no other browser test touches (the app's store is shared).
ISSUE = "I0130"
STALE_GONE = "() => document.querySelectorAll('[data-stale=\"true\"]').length === 0"
AGREED = "夜市限定 18:00-22:00 经营，摊位统一划线，城管与社区每周联合巡查"


def test_staff_move_an_issue_to_consensus_in_the_browser(app_url, make_page):
    p = make_page()
    p.sign_in(app_url, "staff", "staff-demo-2022")
    p.page.get_by_role("link", name="议题详情").click()
    p.page.get_by_text("选择议题").wait_for()

    # choose the issue in the select box: type its id, take the option
    p.page.get_by_role("combobox").first.click()
    p.page.keyboard.type(ISSUE)
    p.page.get_by_role("option", name=re.compile(ISSUE)).click()
    stage_line = p.page.get_by_text(re.compile("当前阶段"))
    stage_line.filter(has_text="开好会").wait_for()
    p.page.wait_for_function(f"() => location.search.includes('issue={ISSUE}')")

    form = p.page.locator("[data-testid='stForm']").filter(has_text="推进到“达成共识”")
    form.get_by_label("共识内容").fill(AGREED)
    form.get_by_role("button", name="推进到“达成共识”").click()

    success = p.page.locator("[data-testid='stAlertContentSuccess']").filter(has_text="达成共识")
    success.wait_for()
    stage_line.filter(has_text="达成共识").wait_for()
    p.page.get_by_role("button", name="推进到“落实中”").wait_for()  # the next step's form
    p.page.wait_for_function(STALE_GONE, timeout=30_000)  # the rerun has finished drawing
    success.scroll_into_view_if_needed()
    shot = p.screenshot("issue-advanced")
    assert shot.stat().st_size > 10_000
    assert not p.page.locator("[data-testid='stException']").count()
    assert p.errors == [], p.errors


def test_a_click_on_the_new_issue_map_places_the_point_before_saving(app_url, make_page):
    p = make_page(1400, 1500)
    p.sign_in(app_url, "staff", "staff-demo-2022")
    p.page.get_by_role("link", name="新建议题").click()
    p.page.get_by_text("尚未选择位置").wait_for()
    frame = p.map_frame()
    frame.wait_for_function("() => document.querySelectorAll('.leaflet-interactive').length > 0")
    box = frame.locator(".leaflet-container").bounding_box()
    p.page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)

    lon = p.page.get_by_label("经度（WGS84）")
    p.page.wait_for_function("() => document.querySelectorAll('[data-stale=\"true\"]').length === 0")
    p.page.get_by_text("尚未选择位置").wait_for(state="detached")
    p.page.wait_for_function("""() => [...document.querySelectorAll('input')]
        .some(i => i.getAttribute('aria-label') === '经度（WGS84）' && i.value !== '')""")
    assert 115.5 < float(lon.input_value()) < 115.8
    assert 34.3 < float(p.page.get_by_label("纬度（WGS84）").input_value()) < 34.6
    p.page.wait_for_function(STALE_GONE, timeout=30_000)
    p.map_frame().wait_for_function(
        "() => document.querySelectorAll('.leaflet-interactive').length > 0")
    assert not p.page.get_by_text("不在任何社区内").count()  # the centre lies in a community
    shot = p.screenshot("new-issue-picked")
    assert shot.stat().st_size > 10_000
    assert p.errors == [], p.errors


def test_a_member_sees_the_linked_community_zoomed_with_its_supervision_list(app_url, make_page):
    p = make_page(1400, 2200)
    p.sign_in(app_url, "member", "member-demo-2022")
    p.page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="社区").click()
    p.page.get_by_text("督办清单").wait_for()
    frame = p.map_frame()
    frame.wait_for_function("() => document.querySelectorAll('.leaflet-interactive').length > 0")
    zoom = frame.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getZoom()")
    assert zoom >= 15, zoom  # zoomed to one community, not the whole subdistrict (14)
    p.page.wait_for_function(STALE_GONE, timeout=30_000)
    shot = p.screenshot("community-member")
    assert shot.stat().st_size > 10_000
    assert p.errors == [], p.errors
