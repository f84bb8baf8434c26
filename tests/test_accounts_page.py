"""Issue 13 items 11 and 8 (accounts): a refused new account keeps what was typed and says what is
missing under the field; an added one is listed at once with the person's name; a member account
is linked to a CPPCC member record from a picker; the table speaks the reader's language."""

from __future__ import annotations

import re

import pytest

from tests.helpers import USERS, dump, run_page
from yishi.storage import open_store

ADMIN = USERS["admin"]
GOOD = "a long enough passphrase"


def in_order(at) -> list:
    """Every element of the page's main area in the order a reader meets it."""
    out: list = []

    def walk(node) -> None:
        if getattr(node, "proto", None) is not None and not getattr(node, "children", None):
            out.append(node)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return out


def position(elements: list, test) -> int:
    return next(i for i, e in enumerate(elements) if test(e))


def fill(at, **values) -> None:
    for key, value in values.items():
        widget = at.selectbox(key=key) if key in ("acc_new_role", "acc_new_comm", "acc_new_member") \
            else at.text_input(key=key)
        widget.set_value(value)


@pytest.mark.parametrize("lang, missing", [("zh", "委员账号须填写“联系社区（委员）”"),
                                           ("en", "A member account needs the field 'Linked community (members)'")])
def test_a_member_without_a_community_keeps_what_was_typed_and_says_so_under_the_field(demo_store_path, lang,
                                                                                      missing):
    before = dump(demo_store_path, data_only=True)
    at = run_page("accounts.py", ADMIN, lang)
    fill(at, acc_new_name="wangjg", acc_new_display="王建国", acc_new_password=GOOD, acc_new_role="member")
    at.button(key="acc_add_submit").click()
    at.run()
    assert not at.exception, at.exception
    assert dump(demo_store_path, data_only=True) == before
    # what was typed is still there
    assert at.text_input(key="acc_new_name").value == "wangjg"
    assert at.text_input(key="acc_new_display").value == "王建国"
    assert at.selectbox(key="acc_new_role").value == "member"
    # the problem is right under the community picker (and before the next field)
    page = in_order(at)
    community = position(page, lambda e: getattr(e, "key", None) == "acc_new_comm")
    member = position(page, lambda e: getattr(e, "key", None) == "acc_new_member")
    under = [i for i, e in enumerate(page) if e.type == "error" and missing in e.value.replace("\\", "")]
    assert community in [i - 1 for i in under] and all(i < member for i in under), (community, under, member)
    foreign = "联系社区" if lang == "en" else "Linked community"
    assert not any(foreign in e.value for e in at.error)


def test_an_added_account_is_listed_at_once_and_the_form_empties(demo_store_path):
    at = run_page("accounts.py", ADMIN, "zh")
    rows = len(at.dataframe[0].value)
    fill(at, acc_new_name="wangjg", acc_new_display="王建国", acc_new_password=GOOD, acc_new_role="member",
         acc_new_member="M002")  # a CPPCC member record: the community comes with it
    at.button(key="acc_add_submit").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["已新增账号“wangjg”。"]
    table = at.dataframe[0].value
    assert len(table) == rows + 1
    new = table[table["用户名"] == "wangjg"].iloc[0]
    assert (new["姓名"], new["角色"], new["政协委员"], new["状态"]) == ("王建国", "委员", "孙军", "启用")
    assert at.text_input(key="acc_new_name").value == "" and at.text_input(key="acc_new_display").value == ""
    with open_store(demo_store_path) as store:
        user = store.get_user("wangjg")
    assert (user["display_name"], user["member_id"], user["community_id"]) == ("王建国", "M002", "411402001022")


def test_the_member_picker_lists_cppcc_members_by_name_and_community(demo_store_path):
    at = run_page("accounts.py", ADMIN, "en")
    picker = at.selectbox(key="acc_new_member")
    assert picker.options[0] == "None"
    assert "孙军 · " in picker.options[2] and not any(re.fullmatch(r"M\d+", o) for o in picker.options)


@pytest.mark.parametrize("lang, columns, enabled", [
    ("zh", ["用户名", "姓名", "角色", "负责区划", "联系社区", "政协委员", "状态", "连续登录失败次数", "暂停登录至", "创建时间"], "启用"),
    ("en", ["User name", "Name", "Role", "Region", "Linked community", "CPPCC member", "Status", "Failed sign-ins in a row",
            "Sign-in paused until", "Created"], "Enabled"),
])
def test_the_table_has_labelled_columns_names_and_local_times(demo_store_path, lang, columns, enabled):
    with open_store(demo_store_path) as store:
        store.put_user({"username": "leader", "created_at": "2022-06-16T20:30:00+00:00"}, by="t", action="t")
    at = run_page("accounts.py", ADMIN, lang)
    table = at.dataframe[0].value
    assert list(table.columns) == columns
    cells = table.astype(str)
    assert not cells.isin(["None", "nan", "NaT", "<NA>"]).any().any()
    assert not any(c in " ".join(table.columns) for c in ("failed_count", "locked_until", "created_at"))
    member = table[table.iloc[:, 0] == "member"].iloc[0]
    assert (member.iloc[1], member.iloc[5], member.iloc[6]) == ("苏保国", "苏保国", enabled)
    leader = table[table.iloc[:, 0] == "leader"].iloc[0]
    assert leader.iloc[-1] == "2022-06-17 04:30"  # Beijing time, not UTC
    assert leader.iloc[4] == "—" and leader.iloc[-2] == "—"
    assert leader.iloc[3] == ("全部区划" if lang == "zh" else "Every region")


def test_disabling_asks_first_and_looks_different(demo_store_path):
    at = run_page("accounts.py", ADMIN, "zh")
    at.selectbox(key="acc_target").select("staff")
    at.radio(key="acc_action").set_value("disable").run()
    button = at.button(key="acc_apply")
    assert (button.label, button.proto.type) == ("停用账号", "secondary")
    button.click()
    at.run()
    assert [w.value for w in at.warning] == ["停用账号须先勾选确认：未做任何更改。"]
    with open_store(demo_store_path) as store:
        assert not store.get_user("staff")["disabled"]
    at.radio(key="acc_action").set_value("role").run()
    assert (at.button(key="acc_apply").label, at.button(key="acc_apply").proto.type) == ("更改角色", "primary")


def test_an_admin_renames_an_account(demo_store_path):
    at = run_page("accounts.py", ADMIN, "en")
    at.selectbox(key="acc_target").select("leader")
    at.radio(key="acc_action").set_value("name").run()
    at.text_input(key="acc_display").input("王建国")
    at.button(key="acc_apply").click()
    at.run()
    assert not at.error and [s.value for s in at.success] == ["Saved"]
    table = at.dataframe[0].value
    assert table[table["User name"] == "leader"]["Name"].iloc[0] == "王建国"
    assert at.radio(key="acc_action").value is None  # the change form starts over


def test_an_admin_scopes_a_new_staff_account_to_a_region(demo_store_path):
    at = run_page("accounts.py", ADMIN, "zh")
    picker = at.selectbox(key="acc_new_region")
    assert picker.options[0] == "全部区划" and "梁园区（411402）" in picker.options
    at.text_input(key="acc_new_name").input("wang")
    at.text_input(key="acc_new_password").input("一个足够长的新密码短语")
    at.selectbox(key="acc_new_role").select("staff")
    picker.select("411402")
    at.button(key="acc_add_submit").click().run()
    with open_store(demo_store_path) as store:
        assert store.get_user("wang")["region_id"] == "411402"
    table = at.dataframe[0].value
    assert table[table.iloc[:, 0] == "wang"].iloc[0]["负责区划"] == "梁园区（411402）"
