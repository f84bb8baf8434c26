"""A broken store never shows a traceback and never loses data: a full disk, a read-only store
and a damaged one each get one translated line (exit 2 on the command line, a notice on a page,
no server path in a browser), and the store is left as it was. Backups and checks."""

from __future__ import annotations

import ctypes
import html
import warnings
from datetime import datetime, timedelta, timezone
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.applications import Starlette

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 (not yet pinned here); httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import web
from streamlit.testing.v1 import AppTest

from geo.errors import StoreFull, StoreReadOnly, msg
from geo.words import say
from tests.helpers import USERS, dump, rendered, run_page, run_path
from ui.i18n import t
from yishi import cli as cli_module
from yishi.services import accounts, sessions
from yishi.storage import open_store
from yishi.storage.protocol import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent
#: Set (to the store's path) only in the unprivileged child run that checks a read-only store.
READ_ONLY_STORE = "YISHI_TEST_READ_ONLY_STORE"
READ_ONLY_HOW = "YISHI_TEST_READ_ONLY_HOW"
READ_ONLY_COOKIE = "YISHI_TEST_READ_ONLY_COOKIE"
#: What must never reach a page or the command line's one line.
LEAKS = ("Traceback", "DatabaseError", "OperationalError", "sqlite3", "malformed", "not a database")


# --- making stores broken ---------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def integrity(path: Path) -> str:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def damage_header(path: Path) -> None:
    """Overwrite the first 16 bytes (SQLite's magic string): "file is not a database"."""
    with open(path, "r+b") as f:
        f.write(b"\0" * 16)


def damage_page(path: Path) -> None:
    """Overwrite the start of the issues table's root page: the header stays good, the b-tree not."""
    con = sqlite3.connect(path)
    try:
        root = con.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'issues'").fetchone()[0]
        size = con.execute("PRAGMA page_size").fetchone()[0]
    finally:
        con.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xee" * 64)


DAMAGES = [pytest.param(damage_header, id="header"), pytest.param(damage_page, id="page")]


def venues_file(folder: Path, n: int) -> Path:
    """A valid venues upload of `n` points (big enough to need room in the store)."""
    features = [{"type": "Feature", "geometry": {"type": "Point",
                                                 "coordinates": [115.60 + (i % 100) * 4e-4, 34.41 + (i // 100) * 4e-4]},
                 "properties": {"venue_id": f"VX{i:05d}", "name": f"议事角 {i} 号", "kind": "corner"}}
                for i in range(n)]
    path = folder / f"venues-{n}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def geo(*args: str, lang: str = "en", preexec_fn: Callable[[], None] | None = None
        ) -> subprocess.CompletedProcess:
    """`python -m geo ARGS` in a child process (bounded in time)."""
    env = {**os.environ, "YISHI_LANG": lang, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180, preexec_fn=preexec_fn, check=False)


@pytest.fixture
def run(cli, monkeypatch):
    """The in-process command line on the demo copy, in English: (exit code, stdout, stderr)."""
    monkeypatch.setenv("YISHI_LANG", "en")
    return cli


# --- 9. a full disk ----------------------------------------------------------------------------


def _file_size_limit(limit: int) -> Callable[[], None]:
    """In the child: files may not grow past `limit` bytes, and a write past it fails with EFBIG
    instead of killing the process (SIGXFSZ ignored) - what a full quota does to SQLite."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_import_that_finds_no_room_is_one_line_and_changes_nothing(demo_store_path, tmp_path, lang):
    upload = venues_file(tmp_path, 2000)
    before, content = digest(demo_store_path), dump(demo_store_path)
    done = geo("--store", str(demo_store_path), "import", str(upload), "--layer", "venues",
               lang=lang, preexec_fn=_file_size_limit(64 * 1024))
    expected = say("cli_error", lang, detail=say("store_write_failed", lang, where=str(demo_store_path),
                                                 detail="disk I/O error"))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", expected + "\n")
    assert ("disk full" if lang == "en" else "磁盘已满") in done.stderr
    assert not any(leak in done.stderr for leak in LEAKS)
    assert digest(demo_store_path) == before and integrity(demo_store_path) == "ok"
    assert dump(demo_store_path) == content


def test_a_full_database_says_disk_full_and_keeps_every_row(demo_store_path, tmp_path):
    """SQLite's own "database or disk is full" (its page limit reached mid-transaction): no
    "cannot rollback" on top, the batch rolled back, and the page's words carry no path."""
    content = dump(demo_store_path)
    with open_store(demo_store_path) as store:
        pages = store._con.execute("PRAGMA page_count").fetchone()[0]
        store._con.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreFull) as raised:
            store.log(by="test", action="big", detail={"blob": "x" * 200_000})
        assert not store._con.in_transaction
    assert raised.value.text("en") == ("disk full: could not write the store at "
                                       f"{demo_store_path}; nothing was changed — free some space and try again")
    assert raised.value.text("zh").startswith("磁盘已满：无法写入数据库 ")
    for lang in ("zh", "en"):
        assert str(demo_store_path) not in raised.value.public.text(lang)
    assert dump(demo_store_path) == content and integrity(demo_store_path) == "ok"


# --- 10. a read-only store ---------------------------------------------------------------------

#: Linux capabilities that let root write files it may not (prctl PR_CAPBSET_DROP = 24).
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER, _PR_CAPBSET_DROP = 1, 2, 3, 24


def _unprivileged() -> Callable[[], None] | None:
    """For a child process: as root, give up the capabilities that ignore file permissions, so
    a read-only file or folder binds the child as it binds any user (root keeps its uid and so
    can still reach the interpreter in its home); not root, there is nothing to give up."""
    if os.geteuid() != 0:
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork

    def drop() -> None:
        for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
            if prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")
    return drop


def _make_older(path: Path) -> None:
    """Turn a copy into a store of schema version 1 (before sessions and sign-in failures)."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("DROP TABLE IF EXISTS signin_failures")
        con.execute("DROP TABLE sessions")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()


@pytest.mark.parametrize("how", ["file", "folder", "older"])
def test_a_read_only_store_is_read_and_every_write_says_so(demo_store_file, tmp_path, how):
    """The store (or its folder) is made read-only for real; the checks run in a child process
    (`test_inside_a_read_only_store`) that file permissions bind even when the tests run as root."""
    folder = tmp_path / "share"
    folder.mkdir()
    store = folder / "store.sqlite"
    shutil.copy(demo_store_file, store)
    if how == "older":
        _make_older(store)
    else:  # a browser signed in before the store went read-only, last seen a while ago
        with open_store(store) as writable:
            user = accounts.authenticate(writable, "leader", "leader-demo-2022")
            cookie = sessions.start(writable, user, now=datetime.now(timezone.utc) - timedelta(minutes=30))
        con = sqlite3.connect(store, isolation_level=None)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        for extra in ("-wal", "-shm"):
            Path(f"{store}{extra}").unlink(missing_ok=True)
    before = digest(store)
    locked = folder if how == "folder" else store
    mode = locked.stat().st_mode
    locked.chmod(0o555 if how == "folder" else 0o444)
    try:
        child = subprocess.run(
            [sys.executable, "-m", "pytest", f"{Path(__file__).relative_to(ROOT)}::test_inside_a_read_only_store",
             "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "child")],
            cwd=ROOT, capture_output=True, text=True, timeout=540, preexec_fn=_unprivileged(), check=False,
            env={**os.environ, READ_ONLY_STORE: str(store), READ_ONLY_HOW: how, "PYTHONDONTWRITEBYTECODE": "1",
                 READ_ONLY_COOKIE: "" if how == "older" else cookie})
    finally:
        locked.chmod(mode)
    assert child.returncode == 0 and "1 passed" in child.stdout, child.stdout[-4000:] + child.stderr[-2000:]
    if how == "folder":
        assert os.listdir(folder) == ["store.sqlite"]  # read without a -wal or -shm beside it
    assert digest(store) == before and integrity(store) == "ok"


if os.environ.get(READ_ONLY_STORE):  # only in the child run above, where the store is read-only

    def test_inside_a_read_only_store(monkeypatch, capsys, tmp_path):
        path, how = Path(os.environ[READ_ONLY_STORE]), os.environ[READ_ONLY_HOW]
        assert not os.access(path if how != "folder" else path.parent, os.W_OK), "not read-only"
        monkeypatch.setenv("YISHI_STORE", str(path))
        monkeypatch.setenv("YISHI_LANG", "en")
        refusal = {lang: say("store_read_only", lang, where=str(path)) for lang in ("zh", "en")}

        # the store reads; every write, the sign-in ones included, is refused in one line
        with open_store(path) as store:
            assert store.read_only and len(store.load_layer("issues")) == 137
            writes = {
                "add_session": lambda: store.add_session({
                    "session_hash": "h" * 64, "username": "admin", "created_at": "2022-06-17T00:00:00+00:00",
                    "last_seen": "2022-06-17T00:00:00+00:00", "expires_at": "2022-06-18T00:00:00+00:00"}),
                "touch_session": lambda: store.touch_session("h" * 64, "2022-06-17T01:00:00+00:00"),
                "count_failure": lambda: store.count_failure(
                    "admin", address="192.0.2.1", at="2022-06-17T00:00:00+00:00", lock_for=lambda *n: (None, None)),
                "log": lambda: store.log(by="test", action="note"),
                "set_meta": lambda: store.set_meta("as_of", "2022-06-18", by="test"),
            }
            for name, write in writes.items():
                with pytest.raises(StoreReadOnly) as raised:
                    write()
                assert {lang: raised.value.text(lang) for lang in refusal} == refusal, name
                assert str(path) not in raised.value.public.text("en")
            if how == "older":  # read as it is; what the old schema lacks says why
                with pytest.raises(StoreReadOnly) as raised:
                    store.get_session("h" * 64)
                assert raised.value.text("en") == say("store_read_only_old", "en", where=str(path),
                                                      found="1", want=SCHEMA_VERSION)

            if how != "older":  # a browser signed in before stays in; signing in says why not
                assert sessions.resolve(store, os.environ[READ_ONLY_COOKIE]).username == "leader"
                web_client = TestClient(Starlette(routes=web.routes()), base_url="http://testserver",
                                        follow_redirects=False)
                token = re.search(r'name="token" value="([^"]+)"', web_client.get("/auth/signin").text).group(1)
                refused = web_client.post("/auth/signin", headers={"Origin": "http://testserver"}, data={
                    "username": "leader", "password": "leader-demo-2022", "token": token, "lang": "en"})
                assert refused.status_code == 503
                assert say("store_read_only_page", "en") in html.unescape(refused.text)
                assert str(path) not in refused.text

        # the command line: reads work, a write is one line, exit 2
        main = cli_module.main
        assert main(["--store", str(path), "summary", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["meetings"] == 230
        assert main(["--store", str(path), "check"]) == 0
        assert "read-only" in capsys.readouterr().out
        upload = venues_file(tmp_path, 3)
        assert main(["--store", str(path), "import", str(upload), "--layer", "venues"]) == 2
        assert capsys.readouterr().err == f"error: {refusal['en']}\n"
        copy = tmp_path / "copy.sqlite"
        assert main(["--store", str(path), "backup", "-o", str(copy)]) == 0
        out, err = capsys.readouterr()
        assert err == say("cli_backup_unaudited", "en") + "\n" and str(copy) in out
        assert integrity(copy) == "ok"

        # pages: reading ones work; a form that writes shows one translated line, no path
        at = run_path("board", None, "en")
        assert not at.error
        at = run_page("accounts.py", USERS["admin"], "en")
        at.text_input(key="acc_new_name").input("newcomer")
        at.text_input(key="acc_new_password").input("a long enough new passphrase 7")
        next(b for b in at.button if b.label == t("acc_add", "en")).click()
        at.run()
        assert not at.exception
        [notice] = [e.value for e in at.error]
        assert notice.startswith(say("store_read_only_page", "en") + " (reference ")
        assert str(path) not in rendered(at)


# --- 11. a damaged store -----------------------------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGES)
def test_every_command_on_a_damaged_store_is_one_line_and_exit_2(run, demo_store_path, tmp_path, damage):
    damage(demo_store_path)
    before = digest(demo_store_path)
    upload = venues_file(tmp_path, 3)
    start = f"error: the store is damaged: restore from a backup — {demo_store_path} ("
    for args in (["summary"], ["history"], ["show", "I0001"], ["users", "list"], ["sessions", "list"],
                 ["export", "--layer", "issues", "--format", "geojson", "-o", str(tmp_path / "out.geojson")],
                 ["import", str(upload), "--layer", "venues", "--by", "王"], ["undo", "1"],
                 ["new", "--lon", "115.6169", "--lat", "34.4366", "--title", "路灯", "--category", "other"],
                 ["backup", "-o", str(tmp_path / "backup.sqlite")]):
        code, out, err = run(*args)
        assert code == 2 and out == "", args
        assert err.startswith(start) and err.count("\n") == 1, (args, err)
        assert "Traceback" not in err
    assert digest(demo_store_path) == before
    assert not (tmp_path / "out.geojson").exists() and not (tmp_path / "backup.sqlite").exists()


def test_the_damage_message_in_chinese(cli, demo_store_path, monkeypatch):
    monkeypatch.setenv("YISHI_LANG", "zh")
    damage_header(demo_store_path)
    expected = f"错误：数据库已损坏：请从备份恢复——{demo_store_path}（file is not a database）\n"
    assert cli("summary") == (2, "", expected)


def test_a_store_damaged_after_its_check_is_never_written(run, demo_store_path, tmp_path):
    """This process checked the store at its first open; damage since then is found by the
    check every batch of data makes before it writes."""
    with open_store(demo_store_path) as store:
        assert store.revision >= 0
    damage_page(demo_store_path)
    before = digest(demo_store_path)
    code, out, err = run("import", str(venues_file(tmp_path, 3)), "--layer", "venues")
    assert (code, out) == (2, "")
    assert err.startswith(f"error: the store is damaged: restore from a backup — {demo_store_path} (")
    assert digest(demo_store_path) == before


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_public_board_on_a_damaged_store_shows_a_notice_without_the_path(
        demo_store_path, caplog, damage, lang):
    damage(demo_store_path)
    caplog.set_level("ERROR", logger="yishi.pages")
    at = run_path("board", None, lang)
    [notice] = [e.value for e in at.error]
    reference = re.search(r"[0-9a-f]{8}", notice).group(0)
    assert notice == t("store_notice", lang, what=msg("store_damaged_page"), ref=reference)
    page = rendered(at)
    for leak in (*LEAKS, str(demo_store_path), demo_store_path.name):
        assert leak not in page, leak
    assert str(demo_store_path) in caplog.text and reference in caplog.text


def test_a_signed_in_page_on_a_damaged_store_shows_the_notice_too(demo_store_path):
    """Who is signed in is read from the store before any page runs: that read says it too."""
    damage_header(demo_store_path)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["user"] = USERS["leader"]
    at.run()
    assert not at.exception
    [notice] = [e.value for e in at.error]
    assert notice.startswith(say("store_damaged_page", "en") + " (reference ")
    assert str(demo_store_path) not in rendered(at)


# --- backups and checks ------------------------------------------------------------------------


def test_check_reports_schema_rows_and_integrity(run, demo_store_path):
    code, out, err = run("check")
    assert (code, err) == (0, "")
    assert f"schema version: {SCHEMA_VERSION}" in out and out.endswith("integrity check: ok\n")
    code, out, _ = run("check", "--json")
    report = json.loads(out)
    with open_store(demo_store_path) as store:
        counts = {name: len(store.load_layer(name)) for name in report["counts"]}
    assert code == 0 and report["ok"] and report["problems"] == []
    assert report["counts"] == counts and counts["issues"] == 137
    assert report["schema_version"] == SCHEMA_VERSION and report["read_only"] is False


@pytest.mark.parametrize("damage", DAMAGES)
def test_check_lists_every_problem_of_a_damaged_store(run, demo_store_path, damage):
    damage(demo_store_path)
    code, out, err = run("check")
    lines = err.splitlines()
    assert code == 2 and "Traceback" not in err
    assert len(lines) >= 2 and all(line.startswith("problem: ") for line in lines[:-1])
    assert lines[-1] == (f"error: the store is damaged: restore from a backup — {demo_store_path}"
                         f" ({len(lines) - 1} problem(s))")
    if damage is damage_header:
        assert lines[0] == "problem: file is not a database"
    code, out, _ = run("check", "--json")
    report = json.loads(out)
    assert code == 2 and report["ok"] is False and len(report["problems"]) == len(lines) - 1


def test_backup_copies_the_store_checked_and_refuses_to_overwrite(run, demo_store_path, tmp_path):
    target = tmp_path / "backups" / "yishi.sqlite"
    code, _, err = run("backup", "-o", str(target))
    assert code == 2 and err == f"error: could not write the backup {target}: unable to open database file;" \
                                " the store is untouched\n"
    target.parent.mkdir()
    code, out, _ = run("backup", "-o", str(target), "--by", "王")
    assert code == 0 and out == f"backed up to {target} ({target.stat().st_size} bytes, integrity check ok)\n"
    assert integrity(target) == "ok" and os.listdir(target.parent) == ["yishi.sqlite"]
    assert dump(target, data_only=True) == dump(demo_store_path, data_only=True)
    with open_store(demo_store_path) as store:
        audit = store.audit_trail(limit=1).iloc[0]
    assert (audit["who"], audit["action"], audit["target"]) == ("王", "backup", str(target))

    first = digest(target)
    run("new", "--lon", "115.6169", "--lat", "34.4366", "--title", "路灯不亮", "--category", "other")
    code, _, err = run("backup", "-o", str(target))
    assert code == 2 and err == f"error: {target} exists already; refusing to overwrite it (--force replaces it)\n"
    assert digest(target) == first
    assert run("backup", "-o", str(target), "--force")[0] == 0
    assert digest(target) != first and integrity(target) == "ok"
    assert len(dump(target)["issues"]) == len(dump(demo_store_path)["issues"])
    code, _, err = run("backup", "-o", str(demo_store_path), "--force")  # never over the store itself
    assert code == 2 and "refusing to overwrite" in err


def test_an_internal_error_is_one_line(run, monkeypatch):
    def broken(args):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setitem(cli_module._COMMANDS, "summary", broken)
    assert run("summary") == (2, "", "internal error: ZeroDivisionError: division by zero\n")
