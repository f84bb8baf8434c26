"""Accounts: argon2 hashes, any password (Chinese too), the one permission table, throttling,
the audit trail, and refusals in the reader's language (service and pages)."""

from __future__ import annotations

import threading
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from geo import words
from geo.errors import InputError, PermissionDenied
from tests.conftest import CHEAP_HASHER
from tests.helpers import USERS, dump, run_page
from yishi import accounts as model
from yishi.accounts import PERMISSIONS, ROLES, VERBS, User, can, require
from yishi.passwords import check_password, password_problems
from yishi.services import accounts
from yishi.services.accounts import SignInRefused, authenticate
from yishi.services.workflow import operator
from yishi.storage import create_store, open_store

pytestmark = pytest.mark.backends("sqlite", "postgis")

PASSWORD = "议事地图·密码🔑" * 20
#: A password the policy accepts, for accounts whose password does not matter.
GOOD = "a long enough passphrase"
#: The command line's operator: an admin that is not a store account.
OPERATOR = operator("test", "admin")


@pytest.fixture
def store(empty_store_location):
    with create_store(empty_store_location) as s:
        accounts.add_user(s, "wang", PASSWORD, role="staff", by=OPERATOR)
        yield s


@pytest.fixture
def admins(store):
    """The store with two enabled admins, boss and root, besides the staff account wang."""
    for name in ("boss", "root"):
        accounts.add_user(store, name, GOOD, role="admin", by=OPERATOR)
    return store


# --- passwords and sign-in ------------------------------------------------------------------


def test_long_chinese_password_signs_in_and_hash_is_argon2(store):
    user = authenticate(store, "wang", PASSWORD)
    assert (user.username, user.role) == ("wang", "staff")
    assert store.get_user("wang")["password_hash"].startswith("$argon2id$")


def test_a_hash_verifies_whatever_cost_it_was_made_with(store):
    """Tests hash cheaply; the hash carries its cost, so the production hasher accepts it."""
    stored = store.get_user("wang")["password_hash"]
    assert PasswordHasher().verify(stored, PASSWORD.encode())
    assert model.password_matches(stored, PASSWORD)
    assert not model.password_matches(stored, "nope")
    assert not model.password_matches("not a hash", PASSWORD)


def test_wrong_password_and_unknown_user_give_the_same_message(store):
    with pytest.raises(SignInRefused) as wrong:
        authenticate(store, "wang", "nope")
    with pytest.raises(SignInRefused) as unknown:
        authenticate(store, "nobody", "nope")
    for lang in ("zh", "en"):
        assert wrong.value.text(lang) == unknown.value.text(lang)
    assert "用户名或密码错误" in wrong.value.text("zh")
    assert "wrong user name or password" in wrong.value.text("en")


def test_five_failures_in_a_row_then_a_growing_wait(store):
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for _ in range(4):
        with pytest.raises(SignInRefused) as refused:
            authenticate(store, "wang", "bad", now=now)
        assert refused.value.retry_after == 0
    with pytest.raises(SignInRefused) as fifth:
        authenticate(store, "wang", "bad", now=now)
    assert fifth.value.retry_after == 30
    assert "30 秒后重试" in fifth.value.text("zh") and "30 s" in fifth.value.text("en")
    # even the right password is refused while the wait lasts
    with pytest.raises(SignInRefused, match="Too many") as waiting:
        authenticate(store, "wang", PASSWORD, now=now + timedelta(seconds=10))
    assert "失败次数过多" in waiting.value.text("zh")
    with pytest.raises(SignInRefused) as sixth:
        authenticate(store, "wang", "bad", now=now + timedelta(seconds=31))
    assert sixth.value.retry_after == 60
    assert authenticate(store, "wang", PASSWORD, now=now + timedelta(seconds=92)).role == "staff"


def test_failures_slow_the_address_they_come_from(store):
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for _ in range(5):
        with pytest.raises(SignInRefused):
            authenticate(store, "wang", "bad", address="203.0.113.9", now=now)
    with pytest.raises(SignInRefused) as there:
        authenticate(store, "wang", PASSWORD, address="203.0.113.9", now=now + timedelta(seconds=1))
    assert there.value.retry_after == 30
    assert authenticate(store, "wang", PASSWORD, address="10.0.0.8", now=now + timedelta(seconds=1)).role == "staff"


def test_many_addresses_together_slow_the_account_everywhere(store, monkeypatch):
    monkeypatch.setattr(accounts, "ACCOUNT_FREE_FAILURES", 8)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for i in range(8):
        with pytest.raises(SignInRefused):
            authenticate(store, "wang", "bad", address=f"198.51.100.{i}", now=now)
    with pytest.raises(SignInRefused) as everywhere:
        authenticate(store, "wang", PASSWORD, address="10.0.0.8", now=now + timedelta(seconds=1))
    assert everywhere.value.retry_after == 30


def test_a_new_password_clears_every_address_wait(store):
    now = datetime.now(timezone.utc)
    for _ in range(5):
        with pytest.raises(SignInRefused):
            authenticate(store, "wang", "bad", address="203.0.113.9", now=now)
    accounts.set_password(store, "wang", "another long passphrase", by=OPERATOR)
    assert store.signin_lock("wang", "203.0.113.9") is None
    assert authenticate(store, "wang", "another long passphrase", address="203.0.113.9").username == "wang"


def test_a_successful_sign_in_writes_nothing(store):
    """The session that starts clears the failures and audits the sign-in, in one transaction."""
    with pytest.raises(SignInRefused):
        authenticate(store, "wang", "a wrong password")
    before = store.audit_trail()
    assert authenticate(store, "wang", PASSWORD).username == "wang"
    assert store.audit_trail().equals(before)
    assert store.get_user("wang")["failed_count"] == 1


def test_disabled_account_cannot_sign_in(store):
    accounts.set_disabled(store, "wang", True, by=OPERATOR)
    with pytest.raises(SignInRefused, match="disabled") as refused:
        authenticate(store, "wang", PASSWORD)
    assert "已停用" in refused.value.text("zh")


def test_failures_and_account_changes_are_audited_with_who_did_them(admins):
    with pytest.raises(SignInRefused):
        authenticate(admins, "wang", "bad")
    with pytest.raises(SignInRefused):
        authenticate(admins, "nobody", "bad")
    boss = User("boss", "admin")
    accounts.set_role(admins, "wang", "leader", by=boss)
    accounts.set_password(admins, "wang", "another long passphrase", by=boss)
    accounts.set_disabled(admins, "wang", True, by=boss)
    accounts.set_disabled(admins, "wang", False, by=boss)
    trail = admins.audit_trail()
    assert trail["action"].tolist()[:6] == ["user_enable", "user_disable", "user_passwd",
                                            "role_change", "signin_failed", "signin_failed"]
    assert trail["who"].tolist()[:4] == ["boss"] * 4
    assert trail["target"].tolist()[:6] == ["wang"] * 4 + ["nobody", "wang"]


def test_an_outside_identity_maps_to_an_enabled_store_account_only(store):
    assert accounts.account_user(store, "wang", via="oidc").role == "staff"
    assert accounts.account_user(store, "stranger@example.gov.cn", via="oidc") is None
    accounts.set_disabled(store, "wang", True, by=OPERATOR)
    assert accounts.account_user(store, "wang", via="oidc") is None
    trail = store.audit_trail()
    assert trail["action"].tolist()[:4] == ["signin_failed", "user_disable", "signin_failed", "signin"]


# --- account writes: every refusal in both languages -----------------------------------------


def refusal(call) -> dict[str, str]:
    with pytest.raises(InputError) as refused:
        call()
    return {lang: refused.value.text(lang) for lang in words.LANGS}


def test_account_refusals_speak_both_languages_and_name_fields_by_their_label(store):
    cases = {
        "member without community": (
            lambda: accounts.add_user(store, "li", GOOD, role="member", by=OPERATOR),
            "联系社区", "Linked community"),
        "unknown role": (
            lambda: accounts.add_user(store, "li", GOOD, role="boss", by=OPERATOR),
            "没有“boss”这个角色，可选：领导、委员、工作人员、管理员",
            "Unknown role 'boss'; choose one of: Leader, Member, Staff, Admin"),
        "no such community": (
            lambda: accounts.add_user(store, "li", GOOD, role="member", community_id="X9",
                                      by=OPERATOR),
            "没有编码为“X9”的社区", "There is no community 'X9'"),
        "empty password": (
            lambda: accounts.add_user(store, "li", "", role="staff", by=OPERATOR),
            "“密码”不能为空", "'Password' must not be empty"),
        "empty new password": (
            lambda: accounts.set_password(store, "wang", "", by=OPERATOR),
            "“密码”不能为空", "'Password' must not be empty"),
        "user exists": (
            lambda: accounts.add_user(store, "wang", GOOD, role="staff", by=OPERATOR),
            "用户“wang”已存在", "User 'wang' exists already"),
        "no such user": (
            lambda: accounts.set_disabled(store, "zhao", True, by=OPERATOR),
            "没有用户“zhao”", "There is no user 'zhao'"),
        "invalid user name": (
            lambda: accounts.add_user(store, "li lei", GOOD, role="staff", by=OPERATOR),
            "用户名“li lei”无效", "Invalid user name 'li lei'"),
        "member role without community": (
            lambda: accounts.set_role(store, "wang", "member", by=OPERATOR),
            "联系社区", "Linked community"),
    }
    for case, (call, zh, en) in cases.items():
        text = refusal(call)
        assert zh in text["zh"] and en in text["en"], (case, text)
    assert [u for u in accounts.list_users(store)["username"]] == ["wang"]


def test_list_users_hides_password_hashes(store):
    assert "password_hash" not in accounts.list_users(store).columns


# --- the password policy -----------------------------------------------------------------------


def keys(password: str, username: str = "li", demo_store: bool = False) -> list[str]:
    return [m.key for m in password_problems(password, username=username, demo_store=demo_store)]


def test_each_rule_of_the_password_policy():
    assert keys("shortpw#9") == ["pw_too_short"]  # 9 characters
    assert keys("商丘平原街道协商议事厅") == []  # ten Chinese characters are ten characters
    assert keys("1234567890") == ["pw_common"]
    assert keys("QwertyUIOP") == ["pw_common"]  # any case
    assert keys("Zhang.San-2024", username="zhang.san-2024") == ["pw_is_name"]
    # the same name typed with a combining accent (NFD) is still the name
    assert keys(unicodedata.normalize("NFD", "JOSÉ-GARCIA-1"), username="josé-garcia-1") == ["pw_is_name"]
    assert keys("staff-demo-2022") == ["pw_demo"]
    assert keys("Staff-Demo-2022") == ["pw_demo"]
    assert keys("staff-demo-2022", demo_store=True) == []
    assert keys(GOOD) == []


def test_every_password_problem_is_reported_at_once_in_both_languages():
    with pytest.raises(InputError) as refused:
        check_password("password", username="password", demo_store=False)
    zh, en = refused.value.text("zh"), refused.value.text("en")
    assert "共 3 个问题" in zh and "3 problem(s)" in en
    for part in ("至少需要 10 个字符（现有 8 个）", "最常见的一万个密码", "不能与用户名“password”相同"):
        assert part in zh
    for part in ("at least 10 characters (this one has 8)", "10,000 most common passwords",
                 "must not be the user name 'password'"):
        assert part in en


def test_account_writes_apply_the_policy_and_store_nothing_refused(store):
    with pytest.raises(InputError, match="must not be the user name"):
        accounts.add_user(store, "liu.xiaoming", "Liu.Xiaoming", role="staff", by=OPERATOR)
    assert store.get_user("liu.xiaoming") is None
    before = store.get_user("wang")["password_hash"]
    with pytest.raises(InputError, match="10,000 most common"):
        accounts.set_password(store, "wang", "1q2w3e4r5t", by=OPERATOR)
    assert store.get_user("wang")["password_hash"] == before


def test_demo_passwords_only_in_the_demo_store(store, demo_store):
    assert demo_store.meta("demo") == "1" and store.meta("demo") is None
    text = refusal(lambda: accounts.add_user(store, "li", "staff-demo-2022", role="staff",
                                             by=OPERATOR))
    assert "公开的演示密码" in text["zh"] and "published demo password" in text["en"]
    accounts.add_user(demo_store, "li", "staff-demo-2022", role="staff", by=OPERATOR)
    assert authenticate(demo_store, "li", "staff-demo-2022").role == "staff"
    assert authenticate(demo_store, "admin", "admin-demo-2022").role == "admin"


# --- no change may lock the house ---------------------------------------------------------------


def test_no_one_disables_or_demotes_their_own_account(admins):
    boss = User("boss", "admin")
    text = refusal(lambda: accounts.set_disabled(admins, "boss", True, by=boss))
    assert "不能停用自己的账号“boss”" in text["zh"] and "own account 'boss'" in text["en"]
    text = refusal(lambda: accounts.set_role(admins, "boss", "staff", by=boss))
    assert "不能更改自己账号“boss”的角色" in text["zh"] and "own account 'boss'" in text["en"]
    row = admins.get_user("boss")
    assert (row["role"], row["disabled"]) == ("admin", 0)


def test_the_last_enabled_admin_can_be_neither_disabled_nor_demoted(admins):
    accounts.set_disabled(admins, "boss", True, by=User("root", "admin"))
    # boss is still an admin, but a disabled one: root is the last that can manage accounts
    for change in (lambda: accounts.set_disabled(admins, "root", True, by=OPERATOR),
                   lambda: accounts.set_role(admins, "root", "staff", by=OPERATOR)):
        text = refusal(change)
        assert "“root”是最后一个启用的管理员账号" in text["zh"]
        assert "'root' is the last enabled admin account" in text["en"]
    row = admins.get_user("root")
    assert (row["role"], row["disabled"]) == ("admin", 0)
    accounts.set_disabled(admins, "boss", False, by=User("root", "admin"))
    accounts.set_role(admins, "root", "staff", by=User("boss", "admin"))
    assert admins.get_user("root")["role"] == "staff"


def session(username: str, n: int) -> dict:
    at = "2026-01-01T00:00:00+00:00"
    return {"session_hash": f"{username}-{n}", "username": username, "created_at": at,
            "last_seen": at, "expires_at": "2026-01-02T00:00:00+00:00", "user_agent": "",
            "address": ""}


@pytest.mark.parametrize("change", [
    lambda s: accounts.set_disabled(s, "wang", True, by=OPERATOR),
    lambda s: accounts.set_role(s, "wang", "leader", by=OPERATOR),
    lambda s: accounts.set_password(s, "wang", "a brand new passphrase", by=OPERATOR),
], ids=["disable", "role", "password"])
def test_disabling_a_new_role_or_password_ends_every_session_of_the_account(store, change):
    accounts.add_user(store, "li", GOOD, role="leader", by=OPERATOR)
    for s in (session("wang", 1), session("wang", 2), session("li", 1)):
        store.add_session(s)
    change(store)
    assert store.list_sessions()["session_hash"].tolist() == ["li-1"]


def test_an_admin_demoted_or_disabled_a_moment_ago_is_refused_at_the_next_write(admins):
    boss = User("boss", "admin")  # what boss's page resolved when the run started
    accounts.set_role(admins, "boss", "staff", by=User("root", "admin"))
    with pytest.raises(PermissionDenied) as denied:
        accounts.add_user(admins, "li", GOOD, role="admin", by=boss)
    assert "工作人员" in denied.value.text("zh") and "manage accounts" in denied.value.text("en")
    root = User("root", "admin")
    accounts.set_role(admins, "boss", "admin", by=root)
    accounts.set_disabled(admins, "boss", True, by=root)
    with pytest.raises(PermissionDenied):
        accounts.set_password(admins, "wang", "a brand new passphrase", by=boss)
    assert admins.get_user("li") is None and authenticate(admins, "wang", PASSWORD)


# --- sign-in: parallel guesses and unknown names -----------------------------------------------


def test_parallel_wrong_passwords_are_each_counted(store, empty_store_location):
    path, threads, start = empty_store_location, 20, threading.Barrier(20)
    outcomes: list[object] = []

    def guess() -> None:
        with open_store(path) as own:
            start.wait()
            try:
                authenticate(own, "wang", "a wrong password")
            except SignInRefused as refused:
                outcomes.append(refused)
            except Exception as exc:  # noqa: BLE001 - reported below
                outcomes.append(exc)

    workers = [threading.Thread(target=guess) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(outcomes) == threads and all(isinstance(o, SignInRefused) for o in outcomes), outcomes
    trail = store.audit_trail()
    failed = trail[(trail["action"] == "signin_failed") & (trail["target"] == "wang")]
    counted = store.get_user("wang")["failed_count"]
    assert counted == len(failed) >= 5
    assert store.signin_lock("wang", "") is not None


class CountingHasher(PasswordHasher):
    """The cheap test hasher, counting its verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=CHEAP_HASHER.time_cost, memory_cost=CHEAP_HASHER.memory_cost,
                         parallelism=CHEAP_HASHER.parallelism)
        self.verified = 0

    def verify(self, hash, password) -> bool:  # noqa: A002 - the library's own names
        self.verified += 1
        return super().verify(hash, password)


def test_an_unknown_name_is_checked_against_a_hash_and_refused_like_a_wrong_password(
        store, monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(model, "hasher", counting)
    with pytest.raises(SignInRefused) as unknown:
        authenticate(store, "nobody", "a wrong password")
    assert counting.verified == 1
    with pytest.raises(SignInRefused) as wrong:
        authenticate(store, "wang", "a wrong password")
    assert counting.verified == 2
    assert unknown.value.text("zh") == wrong.value.text("zh")
    assert unknown.value.text("en") == wrong.value.text("en")


def test_a_throttled_account_is_refused_without_checking_the_password(store, monkeypatch):
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for _ in range(5):
        with pytest.raises(SignInRefused):
            authenticate(store, "wang", "a wrong password", now=now)
    counting = CountingHasher()
    monkeypatch.setattr(model, "hasher", counting)
    with pytest.raises(SignInRefused) as waiting:
        authenticate(store, "wang", PASSWORD, now=now + timedelta(seconds=1))
    assert waiting.value.retry_after == 30 and counting.verified == 0


# --- the one permission table ----------------------------------------------------------------


@pytest.mark.parametrize("role, verb, allowed", [
    ("leader", "view_map", True), ("leader", "upload", False), ("leader", "view_private", False),
    ("leader", "comment", False),
    ("member", "comment", True), ("member", "advance", False), ("member", "upload", False),
    ("member", "create", False),
    ("staff", "upload", True), ("staff", "view_private", True), ("staff", "create", True),
    ("staff", "evaluate", True), ("staff", "manage_accounts", False),
    ("admin", "manage_accounts", True), ("admin", "view_private", False), ("admin", "advance", False),
])
def test_permissions(role, verb, allowed):
    user = User("x", role, "c")
    assert can(user, verb) is allowed and user.can(verb) is allowed
    if allowed:
        assert require(user, verb) is user
    else:
        with pytest.raises(PermissionDenied):
            require(user, verb)
    assert not can(None, verb)


def test_the_table_grants_only_known_verbs_and_every_role_reads_the_map():
    assert set(PERMISSIONS) == set(ROLES)
    for role, verbs in PERMISSIONS.items():
        assert verbs <= set(VERBS), role
        assert {"view_map", "view_issue"} <= verbs
    assert set().union(*PERMISSIONS.values()) == set(VERBS)  # no verb nobody may use


def test_an_unknown_verb_is_a_programming_error_not_a_silent_no():
    with pytest.raises(ValueError, match="create_issue"):
        can(User("x", "staff"), "create_issue")


def test_a_permission_refusal_names_role_verb_and_allowed_roles_in_both_languages():
    with pytest.raises(PermissionDenied) as member:
        require(User("li", "member"), "advance")
    assert member.value.text("zh") == "“委员”角色无权推进议题（可由工作人员操作）。"
    assert member.value.text("en") == "The role Member may not advance issues (allowed: Staff)."
    with pytest.raises(PermissionDenied) as nobody:
        require(None, "comment")
    assert "请先登录" in nobody.value.text("zh") and "委员、工作人员" in nobody.value.text("zh")
    assert nobody.value.text("en") == "Sign in first: only Member, Staff may add supervision notes."


def test_every_role_and_verb_has_words_in_both_languages():
    for role in ROLES:
        term = model.role_term(role)
        assert term.zh != role and term.en != role
    for verb in VERBS:
        term = model.verb_term(verb)
        assert term.zh != verb and term.en != verb


# --- pages: refusals in the reader's language ------------------------------------------------


def submit_existing_user(lang: str):
    at = run_page("accounts.py", USERS["admin"], lang)
    at.text_input(key="acc_new_name").input("member")
    at.text_input(key="acc_new_password").input("another-password")
    add = "新增账号" if lang == "zh" else "Add account"
    next(b for b in at.button if b.label == add).click()
    at.run()
    return at


@pytest.mark.parametrize("lang, expected, foreign", [
    ("zh", "用户“member”已存在。", "exists already"),
    ("en", "User 'member' exists already.", "已存在"),
])
def test_the_accounts_page_refuses_in_the_readers_language(demo_store_path, lang, expected, foreign):
    at = submit_existing_user(lang)
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert errors and expected in errors[0].replace("\\", "")
    assert not any(foreign in e for e in errors)


def apply_button(at, lang: str):
    """The change form's button: "执行" until an action is chosen, then named after it."""
    return at.button(key="acc_apply")


@pytest.mark.parametrize("lang, notice", [
    ("zh", "请先选择账号和操作：未做任何更改。"),
    ("en", "Choose an account and an action first: nothing was changed."),
])
def test_the_change_form_starts_empty_and_applying_nothing_changes_nothing(demo_store_path, lang,
                                                                           notice):
    before = dump(demo_store_path)
    at = run_page("accounts.py", USERS["admin"], lang)
    placeholder = "请选择" if lang == "zh" else "Choose…"
    for key in ("acc_target", "acc_role"):
        assert at.selectbox(key=key).value is None
        assert at.selectbox(key=key).proto.placeholder == placeholder
    assert at.radio(key="acc_action").value is None
    apply_button(at, lang).click()
    at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [notice] and not at.error and not at.success
    at.selectbox(key="acc_target").select("leader")
    at.radio(key="acc_action").set_value("role")
    apply_button(at, lang).click()
    at.run()
    assert [w.value for w in at.warning] == [
        "请选择新角色：未做任何更改。" if lang == "zh" else "Choose the new role: nothing was changed."]
    assert dump(demo_store_path) == before


@pytest.mark.parametrize("lang, expected", [
    ("zh", "不能停用自己的账号“admin”：请另一位管理员操作。"),
    ("en", "You cannot disable your own account 'admin'; ask another admin."),
])
def test_the_accounts_page_refuses_to_disable_the_admin_signed_in(demo_store_path, lang, expected):
    at = run_page("accounts.py", USERS["admin"], lang)
    at.selectbox(key="acc_target").select("admin")
    at.radio(key="acc_action").set_value("disable").run()
    at.checkbox(key="acc_confirm_disable").check()
    apply_button(at, lang).click()
    at.run()
    assert not at.exception, at.exception
    assert [e.value.replace("\\", "") for e in at.error] == [expected]
    with open_store(demo_store_path) as store:
        assert not store.get_user("admin")["disabled"]


def test_the_accounts_page_disables_another_account_and_ends_its_sessions(demo_store_path):
    with open_store(demo_store_path) as store:
        store.add_session(session("staff", 1))
    at = run_page("accounts.py", USERS["admin"], "en")
    at.selectbox(key="acc_target").select("staff")
    at.radio(key="acc_action").set_value("disable").run()
    assert apply_button(at, "en").label == "Disable the account"
    at.checkbox(key="acc_confirm_disable").check()
    apply_button(at, "en").click()
    at.run()
    assert not at.exception and not at.error, at.error
    assert [s.value for s in at.success] == ["Saved"]
    with open_store(demo_store_path) as store:
        assert store.get_user("staff")["disabled"] and store.list_sessions().empty
        assert store.audit_trail()["who"].iloc[0] == "admin"
