"""Accounts: argon2 hashes, any password (Chinese too), the one permission table, throttling,
the audit trail, and refusals in the reader's language (service and pages)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from geo import words
from geo.errors import InputError, PermissionDenied
from tests.helpers import USERS, run_page
from yishi import accounts as model
from yishi.accounts import PERMISSIONS, ROLES, VERBS, User, can, require
from yishi.services import accounts
from yishi.services.accounts import SignInRefused, authenticate
from yishi.storage import create_store

PASSWORD = "议事地图·密码🔑" * 20


@pytest.fixture
def store(tmp_path):
    with create_store(tmp_path / "s.sqlite") as s:
        accounts.add_user(s, "wang", PASSWORD, role="staff", by="test")
        yield s


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
    assert store.get_user("wang")["failed_count"] == 0


def test_disabled_account_cannot_sign_in(store):
    accounts.set_disabled(store, "wang", True, by="admin")
    with pytest.raises(SignInRefused, match="disabled") as refused:
        authenticate(store, "wang", PASSWORD)
    assert "已停用" in refused.value.text("zh")


def test_sign_ins_failures_and_role_changes_are_audited(store):
    with pytest.raises(SignInRefused):
        authenticate(store, "wang", "bad")
    authenticate(store, "wang", PASSWORD)
    accounts.set_role(store, "wang", "leader", by="admin")
    actions = store.audit_trail()["action"].tolist()
    assert actions[:3] == ["role_change", "signin", "signin_failed"]


def test_an_outside_identity_maps_to_an_enabled_store_account_only(store):
    assert accounts.account_user(store, "wang", via="oidc").role == "staff"
    assert accounts.account_user(store, "stranger@example.gov.cn", via="oidc") is None
    accounts.set_disabled(store, "wang", True, by="admin")
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
            lambda: accounts.add_user(store, "li", "pw", role="member", by="t"),
            "联系社区", "Linked community"),
        "unknown role": (
            lambda: accounts.add_user(store, "li", "pw", role="boss", by="t"),
            "没有“boss”这个角色，可选：领导、委员、工作人员、管理员",
            "Unknown role 'boss'; choose one of: Leader, Member, Staff, Admin"),
        "no such community": (
            lambda: accounts.add_user(store, "li", "pw", role="member", community_id="X9", by="t"),
            "没有编码为“X9”的社区", "There is no community 'X9'"),
        "empty password": (
            lambda: accounts.add_user(store, "li", "", role="staff", by="t"),
            "“密码”不能为空", "'Password' must not be empty"),
        "empty new password": (
            lambda: accounts.set_password(store, "wang", "", by="t"),
            "“密码”不能为空", "'Password' must not be empty"),
        "user exists": (
            lambda: accounts.add_user(store, "wang", "pw", role="staff", by="t"),
            "用户“wang”已存在", "User 'wang' exists already"),
        "no such user": (
            lambda: accounts.set_disabled(store, "zhao", True, by="t"),
            "没有用户“zhao”", "There is no user 'zhao'"),
        "invalid user name": (
            lambda: accounts.add_user(store, "li lei", "pw", role="staff", by="t"),
            "用户名“li lei”无效", "Invalid user name 'li lei'"),
        "member role without community": (
            lambda: accounts.set_role(store, "wang", "member", by="t"),
            "联系社区", "Linked community"),
    }
    for case, (call, zh, en) in cases.items():
        text = refusal(call)
        assert zh in text["zh"] and en in text["en"], (case, text)
    assert [u for u in accounts.list_users(store)["username"]] == ["wang"]


def test_list_users_hides_password_hashes(store):
    assert "password_hash" not in accounts.list_users(store).columns


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


@pytest.mark.parametrize("lang, expected", [
    ("zh", "登录失败：用户名或密码错误。"),
    ("en", "Sign-in failed: wrong user name or password."),
])
def test_the_sign_in_page_refuses_in_the_readers_language(demo_store_path, lang, expected):
    at = run_page("signin.py", None, lang)
    at.text_input(key="signin_user").input("leader")
    at.text_input(key="signin_password").input("not-the-password")
    next(b for b in at.button if b.label in ("登录", "Sign in")).click()
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [expected]
