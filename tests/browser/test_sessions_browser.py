"""Sessions in a real browser: sign-in survives reloads, new tabs and shared links; the cookie
is out of the page's reach; sign-out and an admin's disabling take effect at the next click."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import private_app
from tests.helpers import dump
from yishi.services import sessions

pytestmark = pytest.mark.browser

SIGN_OUT = "退出登录"


@pytest.fixture(scope="module")
def own_app(demo_store_file, tmp_path_factory):
    """A server with its own store: these tests disable accounts, so they share nothing."""
    with private_app(demo_store_file, tmp_path_factory.mktemp("sessions")) as served:
        yield served


def settled(page) -> None:
    page.wait_for_function("() => document.querySelectorAll('[data-stale=\"true\"]').length === 0",
                           timeout=30_000)


def test_signed_in_across_reloads_and_tabs_with_the_cookie_out_of_reach(own_app, make_page):
    url, _ = own_app
    p = make_page()
    p.sign_in(url, "leader", "leader-demo-2022")
    assert sessions.COOKIE not in p.page.evaluate("document.cookie")
    cookie = next(c for c in p.page.context.cookies() if c["name"] == sessions.COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    p.page.reload()
    p.page.get_by_role("button", name=SIGN_OUT).wait_for()
    tab = p.page.context.new_page()
    tab.goto(f"{url}/community")
    tab.get_by_role("button", name=SIGN_OUT).wait_for()
    tab.get_by_text("leader · 领导").wait_for()
    settled(tab)
    assert tab.get_by_text("Page not found").count() == 0  # /community is a page for everyone
    assert p.errors == [], p.errors


def test_a_protected_link_survives_sign_in_and_an_unknown_issue_is_not_found(own_app, make_page):
    url, _ = own_app
    p = make_page()
    p.page.goto(f"{url}/issue?issue=I0067")
    p.page.get_by_text("此页面需要登录后查看").wait_for()
    p.page.locator("a.yishi-signin").first.click()
    p.page.get_by_label("用户名").fill("leader")
    p.page.get_by_label("密码").fill("leader-demo-2022")
    p.page.get_by_role("button", name="登录").click()
    p.page.get_by_role("heading", name=re.compile("I0067 · ")).wait_for()
    assert p.page.url.endswith("/issue?issue=I0067")
    p.screenshot("deep-link-after-sign-in")

    p.page.goto(f"{url}/issue?issue=I9999")
    p.page.get_by_text("没有找到议题 I9999").wait_for()
    settled(p.page)
    assert p.page.get_by_role("heading", name=re.compile("I0001")).count() == 0
    p.screenshot("issue-not-found")
    p.page.get_by_role("link", name="返回总览").wait_for()
    p.page.goto(f"{url}/no-such-page")
    p.page.get_by_text("没有找到这个页面").wait_for()
    assert p.page.get_by_text("Page not found").count() == 0
    assert p.errors == [], p.errors


def test_sign_out_in_one_tab_ends_the_other(own_app, make_page):
    url, _ = own_app
    p = make_page()
    p.sign_in(url, "staff", "staff-demo-2022", next_path="/board")
    other = p.page.context.new_page()
    other.goto(f"{url}/overview")
    other.get_by_role("button", name=SIGN_OUT).wait_for()

    p.page.get_by_role("button", name=SIGN_OUT).click()
    p.page.locator("a.yishi-signin").wait_for()
    # the other tab's next click (switching the language reruns its page) finds no session
    other.get_by_text("English").click()
    other.get_by_text("This page needs you to sign in").wait_for()
    assert other.get_by_role("button", name="Sign out").count() == 0
    assert p.errors == [], p.errors


def test_a_disabled_member_s_open_tab_cannot_save(own_app, make_page):
    url, store = own_app
    member = make_page(1400, 1600)
    member.sign_in(url, "member", "member-demo-2022", next_path="/issue?issue=I0067")
    form = member.page.locator("[data-testid='stForm']").filter(has_text="督办意见")
    form.get_by_label("督办意见").first.fill("请在本周内回复进展")
    before = dump(store, data_only=True)

    admin = make_page(1400, 1400)
    admin.sign_in(url, "admin", "admin-demo-2022", next_path="/accounts")
    edit = admin.page.locator("[data-testid='stVerticalBlock']").filter(
        has=admin.page.get_by_role("heading", name="修改账号")).last
    edit.wait_for()
    settled(admin.page)  # a click during the first run's redraw would land on a replaced element
    admin.choose(edit.get_by_role("combobox").first, "member", re.compile(r"^member\b"))
    edit.get_by_text("停用", exact=True).click()
    edit.get_by_text("我确认停用此账号").click()  # disabling asks for a tick first
    edit.get_by_role("button", name="停用账号").click()
    admin.page.locator("[data-testid='stAlertContentSuccess']").wait_for()

    form.get_by_role("button").last.click()
    member.page.get_by_text("此页面需要登录后查看").wait_for()
    settled(member.page)
    assert member.page.get_by_text("请在本周内回复进展").count() == 0
    assert dump(store, data_only=True)["issue_events"] == before["issue_events"]
    member.screenshot("disabled-member-refused")
    assert member.errors == [], member.errors
