"""What a user notices of who is signed in and of links (Streamlit AppTest, through app.py):
the account is read from the store on every click, so a disabled account is signed out and a
demoted one loses what its old role showed; a shared link to an issue opens that issue, or says
it was not found, never some other one; signed out, "/" is the public board with a way to sign in.

Pages are opened by their URL path with `tests.helpers.run_path` / `go` (also pages a user
may not open, which the navigation registers hidden, as callables)."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from geo.words import say
from tests.helpers import USERS, dump, go, rendered, run_page, run_path, signed_in
from ui.nav import landing_page
from yishi.storage import open_store

PHONE = re.compile(r"1990000\d{4}")
NAME = re.compile(r"虚构居民\d{3}")
#: A demo issue at stage implementing, in the member's community, with a reporter on record.
ISSUE = "I0067"


def cells(at: AppTest) -> str:
    """Every cell of every table on the page, as text."""
    return " ".join(frame.value.astype(str).to_string() for frame in at.dataframe)


def form_ids(at: AppTest) -> set[str]:
    return {b.proto.form_id for b in at.button if b.proto.form_id}


def title(key: str, lang: str) -> str:
    return f"{say(key, lang)} · {say('app_title', lang)}"


def asks_to_sign_in(at: AppTest, lang: str = "zh") -> bool:
    """The page asks to sign in (and shows a sign-in link), and shows nothing of its own."""
    links = [h.proto.body for h in at.get("html") if "/auth/signin" in h.proto.body]
    return ([i.value for i in at.info] == [say("sign_in_needed", lang)] and bool(links)
            and not at.dataframe and not at.metric and not at.get("form") and not at.error)


# ------------------------------------------------------------------ the account, at every click


def test_a_disabled_account_is_signed_out_at_the_next_click_and_its_note_is_not_saved(
        demo_store_path):
    at = run_page("issue.py", USERS["member"], selected_issue=ISSUE)
    form = f"act-comment-{ISSUE}-implementing"
    assert form in form_ids(at)  # a member may write a supervision note
    at.text_area(key=f"{form}-note").input("逾期未办，请督促")
    with open_store(demo_store_path) as store:  # an admin disables the account meanwhile
        store.put_user({"username": "member", "disabled": 1}, by="admin", action="user_disable")
    before = dump(demo_store_path)

    at.button(key=f"{form}-submit").click()
    at.run()
    assert not at.exception, at.exception
    assert signed_in(at) is None
    assert [t.value for t in at.title] == [title("nav_issue", "zh")]
    assert asks_to_sign_in(at)
    assert not at.success and not at.sidebar.caption  # no "member · 委员" any more
    assert dump(demo_store_path) == before  # the note was not saved


def test_a_staff_member_demoted_to_leader_loses_residents_data_and_the_upload_page(demo_store_path):
    with open_store(demo_store_path) as store:
        issue = store.get_row("issues", ISSUE)
    phone, name = issue["reporter_phone"], issue["reporter_name"]
    assert PHONE.fullmatch(phone) and NAME.fullmatch(name)
    at = run_page("issue.py", USERS["staff"], selected_issue=ISSUE)
    assert phone in cells(at) and name in cells(at) and form_ids(at)
    with open_store(demo_store_path) as store:
        store.put_user({"username": "staff", "role": "leader"}, by="t", action="role_change")

    at.run()
    assert not at.exception, at.exception
    assert signed_in(at).role == "leader"
    assert [c.value for c in at.sidebar.caption] == [f"staff · {say('role_leader', 'zh')}"]
    assert any(s.value.startswith(f"{ISSUE} · ") for s in at.subheader)  # leaders see issues
    page = rendered(at) + cells(at)
    assert phone not in page and name not in page
    assert not PHONE.search(page) and not NAME.search(page)
    assert not form_ids(at)  # nor the staff's forms
    assert say("iss_private_hidden", "zh") in [c.value for c in at.caption]

    go(at, "upload")
    assert [t.value for t in at.title] == [title("nav_upload", "zh")]
    assert [e.value for e in at.error] == [say("refused", "zh")]
    assert not at.get("file_uploader") and not at.dataframe


# ------------------------------------------------------------------ links to an issue


@pytest.mark.parametrize("lang, expected", [
    ("zh", "没有找到议题 I9999：可能编号有误，或该议题已被撤销。"),
    ("en", "Issue I9999 was not found: the number may be wrong, or the issue was undone."),
])
def test_a_link_to_an_unknown_issue_says_not_found_and_shows_no_issue(demo_store_path, lang,
                                                                      expected):
    at = run_path("issue", USERS["leader"], lang, issue="I9999")
    assert [t.value for t in at.title] == [title("nav_issue", lang)]
    assert [e.value for e in at.error] == [expected]
    [back] = at.get("page_link")
    assert (back.proto.page, back.proto.label) == ("overview", say("iss_back_to_overview", lang))
    assert at.selectbox(key="_issue_pick").value is None
    assert not at.subheader and not at.dataframe and not at.metric and not at.get("form")
    assert "I0001" not in rendered(at).replace("I0001 · ", "")  # only as a choice in the picker
    assert "issue" not in at.query_params


def test_a_link_to_an_issue_opens_that_issue(demo_store_path):
    at = run_path("issue", USERS["leader"], issue=ISSUE)
    assert [e.value for e in at.error] == [say("iss_overdue_by", "zh", n=21)]  # its own notice
    assert at.selectbox(key="_issue_pick").value == ISSUE
    assert at.subheader[0].value.startswith(f"{ISSUE} · ")
    record = at.dataframe[0].value
    assert ISSUE in set(record.iloc[:, 1])
    assert at.query_params["issue"] == ISSUE  # the view can be shared as it is


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_issue_page_without_an_issue_shows_an_empty_picker_and_nothing_else(demo_store_path,
                                                                                lang):
    at = run_path("issue", USERS["leader"], lang)
    picker = at.selectbox(key="_issue_pick")
    assert picker.value is None
    assert picker.proto.placeholder == say("iss_choose_placeholder", lang)
    assert not at.error and not at.subheader and not at.dataframe and not at.metric
    assert not at.get("form")


def test_a_shared_issue_link_asks_to_sign_in_and_shows_nothing_of_the_issue(demo_store_path):
    with open_store(demo_store_path) as store:
        issue = store.get_row("issues", ISSUE)
    at = run_path("issue", None, issue=ISSUE)
    assert asks_to_sign_in(at)
    assert issue["title"] not in rendered(at) and not at.subheader


# ------------------------------------------------------------------ "/"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_signed_out_the_front_page_is_the_public_board_with_a_sign_in_link(demo_store_path, lang):
    at = run_path("", None, lang)
    assert signed_in(at) is None
    assert [t.value for t in at.title] == [title("nav_board", lang)]
    links = [h.proto.body for h in at.get("html") if "/auth/signin" in h.proto.body]
    assert links and all(say("sign_in_button", lang) in link for link in links)
    assert not at.error and not at.info  # the board is public: no prompt, no refusal


@pytest.mark.parametrize("role", ["leader", "member", "staff", "admin"])
def test_signed_in_the_front_page_is_the_roles_landing_page(demo_store_path, role):
    at = run_path("", USERS[role])
    assert [t.value for t in at.title] == [title(landing_page(USERS[role]).title_key, "zh")]
    assert not at.error
    assert not any("/auth/signin" in h.proto.body for h in at.get("html"))
