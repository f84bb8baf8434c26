"""Signing in decides the page list: a member sees the member pages only."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def sidebar_links(page) -> set[str]:
    nav = page.locator("[data-testid=stSidebarNav]")
    nav.wait_for()
    return {t.split("\n")[-1].strip() for t in nav.locator("a").all_inner_texts()}


def test_signed_out_only_the_board_and_sign_in(app_url, make_page):
    p = make_page()
    p.page.goto(app_url)
    p.page.get_by_label("用户名").wait_for()
    assert sidebar_links(p.page) == {"登录", "公示栏"}
    assert p.errors == [], p.errors


def test_member_sees_member_pages_only_and_is_refused_the_upload_url(app_url, make_page):
    p = make_page()
    p.sign_in(app_url, "member", "member-demo-2022")
    links = sidebar_links(p.page)
    assert {"总览", "社区", "公示栏"} <= links
    assert not links & {"数据上传", "账号管理", "新建议题", "登录"}
    p.screenshot("member-signed-in")
    assert p.errors == [], p.errors
    # Typing the URL loads a new Streamlit session: it lands on sign-in, never on the upload page.
    p.page.goto(f"{app_url}/upload")
    p.page.get_by_label("用户名").wait_for()
    assert p.page.get_by_text("导入记录").count() == 0
    assert p.page.locator("input[type=file]").count() == 0
