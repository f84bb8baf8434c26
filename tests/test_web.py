"""The web layer's routes over HTTP (Starlette's TestClient): sign-in sets a safe cookie and
goes back where the visitor was; other sites, stale forms and foreign `next=` targets are
refused; throttles count exactly; health and version answer operators."""

from __future__ import annotations

import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from starlette.applications import Starlette

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 (not yet pinned here); httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import web
from web import auth as web_auth
from web.security import AddressThrottle, safe_next
from yishi.services import sessions
from yishi.storage import open_store

SITE = "http://testserver"


@pytest.fixture
def client(demo_store_path, monkeypatch) -> TestClient:
    monkeypatch.setattr(web_auth, "THROTTLE", AddressThrottle())
    app = Starlette(routes=web.routes(), middleware=web.middleware())
    return TestClient(app, base_url=SITE, follow_redirects=False)


def form(client: TestClient, query: str = "") -> str:
    """Open the sign-in form (which sets its nonce cookie) and return its token."""
    page = client.get(f"/auth/signin{query}")
    assert page.status_code == 200
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def sign_in(client: TestClient, username: str = "staff", password: str = "staff-demo-2022", *,
            next_path: str = "/issue?issue=I0067", headers: dict | None = None, token: str | None = None):
    token = form(client) if token is None else token
    return client.post("/auth/signin", data={"username": username, "password": password, "token": token,
                                             "next": next_path, "lang": "zh"},
                       headers={"Origin": SITE, **(headers or {})})


def set_cookie(response, name: str) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))


def sessions_in(location) -> int:
    with open_store(location) as store:
        return len(store.list_sessions())


def test_the_form_is_escaped_and_sets_a_strict_nonce_cookie(client):
    page = client.get('/auth/signin?next=/issue?issue="><script>alert(1)</script>&lang=en')
    assert "<script>alert" not in page.text and "&quot;&gt;&lt;script&gt;" in page.text
    assert "Sign in to Yishi Map" in page.text and page.headers["cache-control"] == "no-store"
    nonce = set_cookie(page, "yishi_form").lower()
    assert "httponly" in nonce and "samesite=strict" in nonce and "path=/auth" in nonce


def test_signing_in_sets_an_httponly_strict_cookie_and_returns_to_the_link(client, demo_store_path):
    done = sign_in(client)
    assert done.status_code == 303 and done.headers["location"] == "/issue?issue=I0067"
    cookie = set_cookie(done, sessions.COOKIE).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain http on an intranet: a Secure cookie would never come back
    assert sessions_in(demo_store_path) == 1
    # the same browser asking for the form again goes straight on
    again = client.get("/auth/signin?next=/community")
    assert again.status_code == 303 and again.headers["location"] == "/community"


def test_the_cookie_is_secure_behind_https(client):
    done = sign_in(client, headers={"X-Forwarded-Proto": "https"})
    assert "secure" in set_cookie(done, sessions.COOKIE).lower()


def test_a_wrong_password_shows_the_form_again_with_the_reason(client, demo_store_path):
    refused = sign_in(client, password="wrong-password-1")
    assert refused.status_code == 401 and "用户名或密码错误" in refused.text
    assert 'value="staff"' in refused.text  # the name is kept, the password is not
    assert sessions.COOKIE not in refused.headers.get("set-cookie", "")
    assert sessions_in(demo_store_path) == 0


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Origin": None, "Referer": "https://evil.example/page"}],
                         ids=["origin", "null-origin", "referer"])
def test_a_post_from_another_site_is_refused(client, demo_store_path, headers):
    token = form(client)
    sent = {k: v for k, v in headers.items() if v is not None}
    refused = client.post("/auth/signin", headers=sent, data={
        "username": "staff", "password": "staff-demo-2022", "token": token, "next": "/"})
    assert refused.status_code == 403
    assert sessions_in(demo_store_path) == 0


@pytest.mark.parametrize("token", ["", "forged.token", None], ids=["empty", "forged", "another-form"])
def test_a_missing_or_foreign_form_token_is_refused(client, demo_store_path, token):
    if token is None:  # a real token, but drawn for another browser (its nonce cookie differs)
        other = TestClient(client.app, base_url=SITE)
        token = form(other)
    refused = sign_in(client, token=token) if token else client.post(
        "/auth/signin", headers={"Origin": SITE},
        data={"username": "staff", "password": "staff-demo-2022", "next": "/"})
    assert refused.status_code == 403
    assert sessions_in(demo_store_path) == 0


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "evil.example", "/\r\nx"])
def test_next_never_leaves_the_site(client, target):
    done = sign_in(client, next_path=target)
    assert done.status_code == 303 and done.headers["location"] == "/"


def test_safe_next_keeps_paths_and_queries_of_this_site():
    assert safe_next("/issue?issue=I0067&lang=en") == "/issue?issue=I0067&lang=en"
    assert safe_next(None) == "/" and safe_next("https://a.b/c", "/board") == "/board"


def test_parallel_wrong_attempts_are_all_counted(client, demo_store_path):
    """20 wrong passwords at once: the account's counter equals the failures the store
    recorded (no lost increments), and the account ends up throttled."""
    tokens = []
    browsers = [TestClient(client.app, base_url=SITE, follow_redirects=False) for _ in range(20)]
    for browser in browsers:
        tokens.append(form(browser))

    def attempt(i: int) -> int:
        return sign_in(browsers[i], password=f"wrong-password-{i}", token=tokens[i]).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(attempt, range(20)))
    with open_store(demo_store_path) as store:
        counted = store.get_user("staff")["failed_count"]
        trail = store.audit_trail(limit=200)
        recorded = int(((trail["action"] == "signin_failed") & (trail["who"] == "staff")).sum())
        locked = store.signin_lock("staff", "testclient")
    assert counted == recorded >= 5
    assert set(codes) <= {401, 429} and 429 in codes
    assert locked is not None
    assert sign_in(client).status_code == 429  # even the right password waits now


def test_wrong_passwords_slow_their_own_address_not_the_owner_elsewhere(client, demo_store_path):
    """Someone typing wrong passwords for the admin cannot lock the admin out of their own desk."""
    for _ in range(5):
        sign_in(client, username="admin", password="wrong-password-x")
    assert sign_in(client, username="admin", password="admin-demo-2022").status_code == 429
    desk = TestClient(client.app, base_url=SITE, follow_redirects=False, client=("10.1.2.3", 40000))
    signed_in = sign_in(desk, username="admin", password="admin-demo-2022", next_path="/accounts")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/accounts"
    assert sign_in(client, username="admin", password="admin-demo-2022").status_code == 429
    with open_store(demo_store_path) as store:
        assert store.signin_lock("admin", "10.1.2.3") is None
        assert store.signin_lock("admin", "testclient") is not None


def test_one_address_trying_many_accounts_is_throttled(client, demo_store_path):
    for i in range(20):
        assert sign_in(client, username=f"nobody{i}", password="wrong-password-x").status_code == 401
    refused = sign_in(client)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "此网络地址" in refused.text and sessions_in(demo_store_path) == 0


def cookie_of(response) -> str:
    return set_cookie(response, sessions.COOKIE).split(";")[0].split("=", 1)[1]


def test_sign_out_needs_its_token_and_ends_the_session(client, demo_store_path):
    cookie = cookie_of(sign_in(client))
    page = client.get("/auth/signout")
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    assert client.post("/auth/signout", data={"token": "x"}, headers={"Origin": SITE}).status_code == 403
    assert client.post("/auth/signout", data={"token": token},
                       headers={"Origin": "https://evil.example"}).status_code == 403
    assert sessions_in(demo_store_path) == 1
    done = client.post("/auth/signout", data={"token": token, "lang": "en"}, headers={"Origin": SITE})
    assert done.status_code == 303 and done.headers["location"] == "/?lang=en"
    assert 'yishi_session=""' in done.headers["set-cookie"] or "max-age=0" in done.headers["set-cookie"].lower()
    assert sessions_in(demo_store_path) == 0
    with open_store(demo_store_path) as store:
        assert sessions.resolve(store, cookie) is None


def test_an_expired_or_revoked_session_is_refused(client, demo_store_path):
    cookie = cookie_of(sign_in(client))
    with open_store(demo_store_path) as store:
        later = datetime.now(timezone.utc) + timedelta(hours=9)
        assert sessions.resolve(store, cookie, now=later) is None  # idle: ended
    assert client.get("/auth/signin").status_code == 200  # the form again, not a pass

    cookie = cookie_of(sign_in(client))
    with open_store(demo_store_path) as store:
        sessions.revoke(store, by="ops", username="staff")
        assert sessions.resolve(store, cookie) is None
    assert client.get("/auth/signin").status_code == 200


def test_health_reports_the_store_and_hides_its_path(client, demo_store_path, monkeypatch):
    ok = client.get("/healthz")
    assert ok.status_code == 200 and ok.json()["status"] == "ok" and ok.json()["revision"] > 0
    monkeypatch.setenv("YISHI_STORE", str(demo_store_path.parent / "gone.sqlite"))
    down = client.get("/healthz")
    assert down.status_code == 503 and "gone" not in down.text


def test_version_names_the_running_code(client, monkeypatch):
    monkeypatch.setenv("YISHI_VERSION", "v-test-1")
    assert client.get("/version").json()["version"] == "v-test-1"


@pytest.mark.parametrize("path, moved", [("/isue", True), ("/issue", False), ("/", False),
                                         ("/issue/_stcore/health", False), ("/static/x.js", False)])
def test_an_unknown_page_path_goes_to_the_front_door(client, path, moved):
    answer = client.get(path)
    assert (answer.status_code == 303 and answer.headers["location"] == "/?notfound=1") is moved


def test_a_store_that_cannot_be_reached_is_said_without_its_path(client, demo_store_path, monkeypatch):
    token = form(client)
    monkeypatch.setenv("YISHI_STORE", str(demo_store_path.parent / "moved-away.sqlite"))
    refused = sign_in(client, token=token)
    assert refused.status_code == 503 and "数据存储暂时无法使用" in refused.text
    assert "moved-away" not in refused.text and sessions.COOKIE not in refused.headers.get("set-cookie", "")
