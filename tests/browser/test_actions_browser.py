"""Issue 13 items 3 and 4 in a real browser: the issue page's buttons name their actions, closing an
issue stands apart in red and does nothing until confirmed, and a supervision note is signed with
the member's name and role. Screenshots at 1400x1000 and 390x844, in Chinese and English.

Only demo issues I0110-I0119 are used: the app's store is shared with the other browser tests."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

STALE_GONE = "() => document.querySelectorAll('[data-stale=\"true\"]').length === 0"
TO_CLOSE = "I0114"  # at stage meeting
TO_NOTE = "I0117"  # at stage meeting
TO_LOOK_AT = "I0116"  # at stage meeting, left as it is
GRID_TEXT = "() => [...document.querySelectorAll('[data-testid=stDataFrame] table')].map(t => t.textContent).join(' ')"


def open_issue(p, app_url: str, user: str, issue_id: str) -> None:
    p.sign_in(app_url, user, f"{user}-demo-2022", next_path=f"/issue?issue={issue_id}")
    p.page.get_by_text(re.compile("当前阶段|Stage now")).first.wait_for()
    p.page.wait_for_function(STALE_GONE, timeout=60_000)


def stage_line(p):
    return p.page.get_by_text(re.compile("当前阶段"))


def test_closing_is_named_set_apart_and_needs_a_tick(app_url, make_page):
    p = make_page()
    open_issue(p, app_url, "staff", TO_CLOSE)
    p.page.get_by_text("更正记录 / 退回上一阶段").click()  # the repairs are folded away at first
    buttons = p.page.get_by_role("button")
    for name in ("推进到“达成共识”", "记录会议", "发表督办意见", "保存更正", "退回到“挑好人”", "终止议题"):
        assert buttons.filter(has_text=name).count() == 1, name
    assert p.page.get_by_role("button", name="提交", exact=True).count() == 0

    close = p.page.get_by_role("button", name="终止议题")
    advance = p.page.get_by_role("button", name="推进到“达成共识”")
    look = "(b) => { const s = getComputedStyle(b); return [s.color, s.backgroundColor]; }"
    close_color, close_fill = close.evaluate(look)
    advance_fill = advance.evaluate(look)[1]
    assert close_color == "rgb(183, 28, 28)" and close_fill != advance_fill  # red outline, not the usual fill
    box = p.page.locator("[class*='st-key-yishi-danger']")
    assert box.evaluate("(e) => getComputedStyle(e).borderLeftColor") == "rgb(183, 28, 28)"

    form = p.page.locator("[data-testid='stForm']").filter(has_text="我确认终止此议题")
    form.get_by_label("终止原因").fill("居民已自行协调解决")
    close.click()
    p.page.get_by_text("请先勾选“我确认终止此议题”：议题未终止。").wait_for()
    p.page.wait_for_function(STALE_GONE, timeout=30_000)
    assert stage_line(p).filter(has_text="开好会").count() == 1  # nothing happened
    shot = p.screenshot("actions-close-unconfirmed")
    assert shot.stat().st_size > 10_000

    form.get_by_text("我确认终止此议题").click()
    form.get_by_role("button", name="终止议题").click()
    stage_line(p).filter(has_text="已终止").wait_for()
    # undoable: the folded repairs are redrawn a moment after the stage line
    p.page.get_by_role("button", name="退回到“开好会”", include_hidden=True).wait_for(state="attached")
    assert not p.page.locator("[data-testid='stException']").count()
    assert p.errors == [], p.errors


def test_a_supervision_note_is_signed_with_the_members_name_and_role(app_url, make_page):
    p = make_page()
    open_issue(p, app_url, "member", TO_NOTE)
    form = p.page.locator("[data-testid='stForm']").filter(has_text="督办意见内容")
    form.get_by_label("督办意见内容").fill("请在六月底前组织第二次协商")
    form.get_by_role("button", name="发表督办意见").click()
    p.page.locator("[data-testid='stAlertContentSuccess']").wait_for()
    p.page.wait_for_function(f"() => ({GRID_TEXT})().includes('苏保国（政协委员）请在六月底前组织第二次协商')",
                             timeout=30_000)
    assert "member请在" not in p.page.evaluate(GRID_TEXT)  # not the account name
    p.page.get_by_text("督办意见与群众评价").scroll_into_view_if_needed()
    shot = p.screenshot("actions-member-note")
    assert shot.stat().st_size > 10_000
    assert p.errors == [], p.errors


@pytest.mark.parametrize("width, height", [(1400, 1000), (390, 844)])
def test_the_actions_read_in_both_languages_at_both_sizes(app_url, make_page, width, height):
    p = make_page(width, height)
    open_issue(p, app_url, "staff", TO_LOOK_AT)
    p.page.get_by_text("更正记录 / 退回上一阶段").click()
    p.page.get_by_text("更正已记录的内容").scroll_into_view_if_needed()
    p.page.wait_for_function(STALE_GONE, timeout=30_000)
    p.screenshot(f"actions-{width}-zh")
    if width < 600:  # the sidebar, where the language switch is, is folded away on a phone
        p.page.locator("[data-testid='stExpandSidebarButton']").click()
    p.page.get_by_text("English", exact=True).click()
    p.page.get_by_role("button", name="Sign out").wait_for()
    if width < 600:
        p.page.locator("[data-testid='stSidebarCollapseButton'] button").click()
    p.page.get_by_text("Correct a record / step back a stage").click()  # a new label: folded again
    for name in ("Move to “Consensus”", "Record the meeting", "Post the note", "Save the correction",
                 "Step back to “People chosen”", "Close the issue"):
        p.page.get_by_role("button", name=name).wait_for()
    assert p.page.get_by_role("button", name="Submit", exact=True).count() == 0
    p.page.get_by_role("button", name="Close the issue").scroll_into_view_if_needed()
    p.page.wait_for_function(STALE_GONE, timeout=30_000)
    shot = p.screenshot(f"actions-{width}-en")
    assert shot.stat().st_size > 5_000
    assert p.errors == [], p.errors
