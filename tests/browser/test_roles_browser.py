"""Signing in decides the page list: a member sees the member pages only."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def sidebar_links(page) -> set[str]:
    nav = page.locator("[data-testid=stSidebarNav]")
    nav.wait_for()
    return {t.split("\n")[-1].strip() for t in nav.locator("a").all_inner_texts()}


def test_signed_out_the_front_door_is_the_board_with_a_visible_sign_in(app_url, make_page):
    p = make_page(390, 844)  # a resident's phone: the sidebar is collapsed
    p.page.goto(app_url)
    p.page.get_by_role("heading", name="公示栏 · 议事地图").wait_for()
    sign_in = p.page.locator("a.yishi-signin")
    sign_in.wait_for()
    assert sign_in.is_visible() and sign_in.inner_text() == "登录"
    box = sign_in.bounding_box()
    assert box["height"] >= 44 and box["y"] < 844  # a real touch target, above the fold
    p.screenshot("signed-out-phone")
    assert p.errors == [], p.errors


def test_member_sees_member_pages_only_and_is_refused_the_upload_url(app_url, make_page):
    p = make_page()
    p.sign_in(app_url, "member", "member-demo-2022")
    links = sidebar_links(p.page)
    assert {"总览", "社区", "公示栏"} <= links
    assert not links & {"数据上传", "账号管理", "新建议题", "登录"}
    p.screenshot("member-signed-in")
    assert p.errors == [], p.errors
    # Typing the URL keeps the member signed in (the cookie) and refuses the page by name.
    p.page.goto(f"{app_url}/upload")
    p.page.get_by_text("无权").first.wait_for()
    p.page.get_by_role("button", name="退出登录").wait_for()
    assert p.page.get_by_text("导入记录").count() == 0
    assert p.page.locator("input[type=file]").count() == 0
