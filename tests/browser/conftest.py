"""Browser tests: the real app under `streamlit run`, driven in Debian's headless Chromium."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Tile servers are out of reach here and the tests must not depend on them: a blank tile instead.
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
TILES = re.compile(r"tile\.openstreetmap\.org|autonavi\.com")
#: No element of the previous run is still on the page (the run has drawn everything).
STALE_GONE = "() => document.querySelectorAll('[data-stale=\"true\"]').length === 0"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(store: Path, log_path: Path, *, env: dict[str, str] | None = None,
              script: str = "server.py") -> Iterator[str]:
    """`streamlit run server.py` (as `make run` does) on a free port over `store`; yields its
    URL, stops it on exit.

    The server's output goes to `log_path` (tests read it for tracebacks)."""
    port = _free_port()
    env = {**os.environ, "YISHI_STORE": str(store), **(env or {})}
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(f"streamlit exited early; see {log_path}") from None
                    time.sleep(0.5)
            else:
                raise RuntimeError(f"streamlit did not become healthy in 60 s; see {log_path}")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def private_app(demo_store_file: Path, folder: Path) -> Iterator[tuple[str, Path]]:
    """The app over its own copy of the demo store in `folder`: (url, store path). For modules
    that write or count what is written, so they share nothing with the others."""
    store = folder / "store.sqlite"
    shutil.copy(demo_store_file, store)
    with serve_app(store, folder / "streamlit.log") as url:
        yield url, store


@pytest.fixture(scope="session")
def app_url(demo_store_file, tmp_path_factory):
    """Start the app (server.py) on a free port with a private copy of the demo store."""
    with private_app(demo_store_file, tmp_path_factory.mktemp("browser")) as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


#: Opening a deep link (/issue), Streamlit's frontend first probes /issue/_stcore/health and
#: host-config to find its base path; their 404s are how it learns the base is "/".
BASE_PATH_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")


class Page:
    """A browser page that records console errors and uncaught exceptions."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _console(self, message) -> None:
        where = message.location.get("url", "")
        if message.type == "error" and not BASE_PATH_PROBE.search(where):
            self.errors.append(f"{message.text} ({where})")

    def map_frame(self):
        """The st_folium iframe once Leaflet has drawn in it."""
        self.page.wait_for_selector("iframe", state="attached", timeout=60_000)
        for _ in range(120):
            for frame in self.page.frames:
                try:
                    if frame.evaluate("() => !!(window.L && document.querySelector('.leaflet-container'))"):
                        return frame
                except Exception:  # a frame still navigating
                    pass
            self.page.wait_for_timeout(500)
        raise AssertionError("no Leaflet map appeared")

    def choose(self, combobox, typed: str, option: re.Pattern[str]) -> None:
        """Open a select box, type to filter it and take the option. A rerun that redraws the box
        meanwhile (a slow first run, a map reporting its first view) closes it or replaces the
        option under the pointer, so the whole gesture is tried again, a few times."""
        for _ in range(4):
            try:
                combobox.click(timeout=10_000)
                self.page.keyboard.type(typed)
                self.page.get_by_role("option", name=option).first.click(timeout=10_000)
                return
            except PlaywrightError:  # the box closed or its option was replaced under us
                self.page.keyboard.press("Escape")
                self.page.wait_for_function(STALE_GONE, timeout=30_000)
        raise AssertionError(f"no option {option.pattern!r} after typing {typed!r}")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def sign_in(self, app_url: str, username: str, password: str, next_path: str = "/") -> None:
        """Sign in through the server's form (/auth/signin) and wait for the app to show it."""
        self.page.goto(f"{app_url}/auth/signin?next={urllib.parse.quote(next_path)}")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.get_by_role("button", name="退出登录").wait_for(timeout=60_000)


def new_page(browser, width: int = 1400, height: int = 1000, **kw) -> Page:
    """A page in a fresh browser context (close it with `page.page.context.close()`)."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", **kw)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    page.route(TILES, lambda route: route.fulfill(status=200, content_type="image/png",
                                                  body=BLANK_TILE))
    return Page(page)


@pytest.fixture
def make_page(browser):
    pages: list[Page] = []

    def make(width: int = 1400, height: int = 1000, **kw) -> Page:
        pages.append(new_page(browser, width, height, **kw))
        return pages[-1]

    yield make
    for p in pages:
        p.page.context.close()
