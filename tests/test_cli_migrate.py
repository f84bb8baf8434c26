"""`python -m geo migrate`: a store copied between backends, verified by counts and figures."""

from __future__ import annotations

import json

from geo.__main__ import main
from tests.helpers import USERS, run_page
from tests.storage.test_contract import content
from yishi.storage import open_store


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def summary(capsys, where: str) -> dict:
    code, out, _ = run(capsys, "--store", where, "summary", "--json")
    assert code == 0
    return json.loads(out)


def test_the_demo_moves_to_postgis_and_back_with_equal_figures_and_content(
        demo_store_path, postgis_server, tmp_path, capsys):
    url = postgis_server.new_database("migrate")
    code, out, err = run(capsys, "migrate", "--from", str(demo_store_path), "--to", url)
    assert (code, err) == (0, "")
    assert "verified" in out and "issues" in out and "≠" not in out
    assert summary(capsys, url) == summary(capsys, str(demo_store_path))

    back = tmp_path / "back.sqlite"
    code, out, err = run(capsys, "migrate", "--from", url, "--to", str(back))
    assert (code, err) == (0, "")
    with open_store(demo_store_path) as demo, open_store(url) as pg, open_store(back) as again:
        assert content(pg) == content(demo)
        assert content(again) == content(demo)
        for store in (pg, again):
            assert store.load_users().equals(demo.load_users())
            assert store.list_api_keys().equals(demo.list_api_keys())
            assert store.meta("as_of") == demo.meta("as_of") and store.meta("demo") == "1"
            top = store.history().iloc[0]
            assert (top["who"], top["action"]) == ("migrate", "migrate")


def test_a_migration_to_a_store_that_exists_is_refused_and_changes_nothing(
        demo_store_path, postgis_server, tmp_path, capsys):
    url = postgis_server.new_database("taken")
    assert run(capsys, "migrate", "--from", str(demo_store_path), "--to", url)[0] == 0
    with open_store(url) as store:
        before = (content(store), store.revision)
    code, out, err = run(capsys, "migrate", "--from", str(demo_store_path), "--to", url)
    assert code == 2 and "exists" in err and "verified" not in out
    with open_store(url) as store:
        assert (content(store), store.revision) == before
    code, _, err = run(capsys, "migrate", "--from", str(tmp_path / "typo.sqlite"), "--to",
                       str(tmp_path / "new.sqlite"))
    assert code == 2 and "typo.sqlite" in err and not (tmp_path / "new.sqlite").exists()


def test_the_app_serves_a_migrated_postgis_store_named_by_yishi_store(demo_store_path, postgis_server,
                                                                       monkeypatch, capsys):
    on_sqlite = [m.value for m in run_page("overview.py", USERS["leader"]).metric]
    assert on_sqlite  # the published figures, as metrics
    url = postgis_server.new_database("app")
    assert run(capsys, "migrate", "--from", str(demo_store_path), "--to", url)[0] == 0
    monkeypatch.setenv("YISHI_STORE", url)
    assert [m.value for m in run_page("overview.py", USERS["leader"]).metric] == on_sqlite
    run_page("issue.py", USERS["staff"])  # opens without an exception (run_page asserts it)
