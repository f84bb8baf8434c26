"""The gate before Streamlit's upload endpoint: only signed-in staff may send files, of a
bounded size, at a bounded rate; nothing else reaches Streamlit's memory."""

from __future__ import annotations

import asyncio
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 (not yet pinned here); httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from yishi.services.limits import RateLimit
from web.uploads import UploadGate, _capped
from yishi.services import accounts, sessions
from yishi.storage import open_store

SITE = "http://testserver"
PATH = "/_stcore/upload_file/0f1e2d3c/file-1"


@pytest.fixture
def app(demo_store_path):
    """Streamlit's endpoint stood in for by one that counts what reaches it."""
    reached: list[int] = []

    async def upload(request: Request) -> JSONResponse:
        reached.append(len(await request.body()))
        return JSONResponse({"ok": True})

    gate = Middleware(UploadGate, max_body=1_000_000, rate=RateLimit(3, 600))
    app = Starlette(routes=[Route("/{base:path}_stcore/upload_file/{sid}/{fid}", upload,
                                  methods=["PUT", "DELETE"])], middleware=[gate])
    return TestClient(app, base_url=SITE), reached


def cookie_for(username: str) -> str:
    with open_store() as store:
        return sessions.start(store, accounts.authenticate(store, username, f"{username}-demo-2022"))


def put(client: TestClient, body: bytes, cookie: str | None = None, path: str = PATH):
    client.cookies.clear()
    if cookie:
        client.cookies.set(sessions.COOKIE, cookie)
    return client.put(path, files={"file": ("a.geojson", body)})


def test_visitors_and_roles_that_may_not_upload_are_refused_before_the_body(app):
    client, reached = app
    assert put(client, b"{}").status_code == 403
    assert put(client, b"{}", cookie="forged.value").status_code == 403
    assert put(client, b"{}", cookie=cookie_for("leader")).status_code == 403
    assert put(client, b"{}", cookie=cookie_for("member"), path="/issue" + PATH).status_code == 403
    assert reached == []


def test_staff_uploads_pass_within_size_and_rate(app):
    client, reached = app
    staff = cookie_for("staff")
    assert put(client, b"x" * 1000, cookie=staff).status_code == 200
    too_big = put(client, b"x" * 1_000_001, cookie=staff)
    assert too_big.status_code == 413 and "at most" in too_big.json()["error"]
    assert put(client, b"y", cookie=staff).status_code == 200
    assert put(client, b"z", cookie=staff).status_code == 200
    limited = put(client, b"w", cookie=staff)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert len(reached) == 3 and reached[0] > 1000


def test_an_upload_without_a_length_is_refused(app):
    client, reached = app
    client.cookies.set(sessions.COOKIE, cookie_for("staff"))
    chunks = (b"x" * 10 for _ in range(3))
    assert client.put(PATH, content=chunks).status_code == 411 and reached == []


def test_removing_a_file_is_not_gated(app):
    client, _ = app
    assert client.delete(PATH).status_code == 200


def test_a_body_longer_than_it_said_is_cut_off():
    parts = [{"type": "http.request", "body": b"x" * 60, "more_body": True},
             {"type": "http.request", "body": b"x" * 60, "more_body": False}]

    async def receive():
        return parts.pop(0)

    async def read_all() -> list[str]:
        capped = _capped(receive, 100)
        return [(await capped())["type"], (await capped())["type"]]

    with ThreadPoolExecutor(1) as own_thread:  # its own event loop, whatever runs in this thread
        assert own_thread.submit(asyncio.run, read_all()).result() == ["http.request", "http.disconnect"]


def test_the_rate_limit_counts_per_key_within_its_window():
    limit = RateLimit(2, 600)
    assert [limit.hit("a"), limit.hit("a"), limit.hit("b")] == [0, 0, 0]
    assert 0 < limit.hit("a") <= 601
