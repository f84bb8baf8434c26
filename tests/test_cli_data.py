"""The command line's data commands: validate, import, history, undo, users, init."""

from __future__ import annotations

import io
import json

import pytest

from tests.helpers import dump

VENUES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [115.6169, 34.4366]},
     "properties": {"venue_id": "VN1", "name": "师院北门议事角", "kind": "corner", "has_sign": "是"}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [115.6201, 34.4402]},
     "properties": {"venue_id": "VN2", "name": "福荣街议事长廊", "kind": "议事长廊"}},
]}
BAD = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [34.4366, 115.6169]},
     "properties": {"venue_id": "VN3", "name": "颠倒", "kind": "corner"}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [115.62, 34.44]},
     "properties": {"venue_id": "VN4", "kind": "castle"}},
]}


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """The command line speaks the developer's locale; these tests read its English."""
    monkeypatch.setenv("YISHI_LANG", "en")


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_validate_reports_every_problem_and_writes_nothing(cli, tmp_path, demo_store_path):
    before = dump(demo_store_path)
    code, out, _ = cli("validate", write(tmp_path, "bad.geojson", BAD), "--layer", "venues")
    assert code == 1
    assert "feature 1" in out and "swapped" in out
    assert "feature 2" in out and "'name'" in out and "castle" in out
    assert dump(demo_store_path) == before
    assert cli("validate", write(tmp_path, "ok.geojson", VENUES), "--layer", "venues")[0] == 0
    code, _, err = cli("validate", str(tmp_path / "missing.geojson"), "--layer", "venues")
    assert code == 2 and "no such file" in err
    (tmp_path / "trunc.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    assert cli("validate", str(tmp_path / "trunc.geojson"), "--layer", "venues")[0] == 2


def test_import_is_all_or_nothing_and_idempotent_then_undone(cli, tmp_path, demo_store_path):
    before = dump(demo_store_path, data_only=True)
    code, _, err = cli("import", write(tmp_path, "bad.geojson", BAD), "--layer", "venues", "--by", "王")
    assert code == 1 and "rejected" in err
    assert dump(demo_store_path, data_only=True) == before

    code, out, _ = cli("import", write(tmp_path, "ok.geojson", VENUES), "--layer", "venues", "--by", "王")
    assert code == 0 and "2 new" in out
    batch = int(out.split()[1].rstrip(":"))
    code, out, _ = cli("import", str(tmp_path / "ok.geojson"), "--layer", "venues", "--by", "王")
    assert "0 new, 0 updated, 2 unchanged" in out

    code, out, _ = cli("history", "--json")
    history = json.loads(out)
    assert [h["status"] for h in history[:3]] == ["committed", "committed", "rejected"]
    assert history[1]["who"] == "王" and history[1]["n_new"] == 2

    assert cli("undo", str(batch), "--by", "王")[0] == 0
    assert dump(demo_store_path, data_only=True) == before
    code, _, err = cli("undo", str(batch))
    assert code == 2 and "undone" in err


def test_gcj02_input_is_converted_to_wgs84(cli, tmp_path, demo_store_path):
    gcj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [115.622370, 34.435220]},
         "properties": {"venue_id": "VG1", "name": "师院高德点", "kind": "room"}}]}
    assert cli("import", write(tmp_path, "gcj.geojson", gcj), "--layer", "venues", "--crs", "gcj02")[0] == 0
    code, out, _ = cli("export", "--layer", "venues", "--format", "geojson", "-o", str(tmp_path / "v.geojson"))
    doc = json.loads((tmp_path / "v.geojson").read_text(encoding="utf-8"))
    lon, lat = next(f["geometry"]["coordinates"] for f in doc["features"]
                    if f["properties"]["venue_id"] == "VG1")
    assert lon == pytest.approx(115.616914, abs=2e-5) and lat == pytest.approx(34.436628, abs=2e-5)


def test_users_add_list_disable_passwd(cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("长长的中文密码 with spaces\n"))
    code, out, _ = cli("users", "add", "zhao", "--role", "member", "--community", "411402001004",
                       "--password-stdin")
    assert code == 0 and "added zhao" in out
    code, out, _ = cli("users", "list")
    assert "zhao" in out and "member" in out and "argon2" not in out
    assert cli("users", "disable", "zhao")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("一个足够长的新密码短语\n"))
    assert cli("users", "passwd", "zhao", "--password-stdin")[0] == 0
    code, _, err = cli("users", "add", "li", "--role", "member", "--password-stdin")
    assert code == 2 and "Linked community" in err


def test_users_refuses_weak_passwords_and_the_last_admin_with_every_reason(cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("zhao\n"))
    code, _, err = cli("users", "add", "zhao", "--role", "staff", "--password-stdin")
    assert code == 2 and "3 problem(s)" in err
    assert "at least 10 characters" in err and "10,000 most common passwords" in err
    assert "must not be the user name 'zhao'" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("staff-demo-2022\n"))
    code, _, err = cli("users", "add", "zhao", "--role", "staff", "--password-stdin")
    assert code == 0  # the demo store: its published passwords are allowed here
    code, _, err = cli("users", "disable", "admin")
    assert code == 2 and "'admin' is the last enabled admin account" in err
    code, _, err = cli("users", "role", "admin", "--role", "staff")
    assert code == 2 and "'admin' is the last enabled admin account" in err
    code, out, _ = cli("users", "list")
    assert "zhao" in out


def test_init_prints_demo_accounts_only_when_it_builds_the_store(tmp_path, capsys):
    from geo.__main__ import main

    store = tmp_path / "fresh.sqlite"
    assert main(["--store", str(store), "init", "--demo"]) == 0
    assert "leader-demo-2022" in capsys.readouterr().out
    assert main(["--store", str(store), "init", "--demo"]) == 0
    assert "leader-demo-2022" not in capsys.readouterr().out


def test_a_missing_store_is_an_error_that_creates_nothing(tmp_path, capsys, monkeypatch):
    from geo.__main__ import main

    typo = tmp_path / "typo.sqlite"
    monkeypatch.setenv("YISHI_STORE", str(typo))
    assert main(["users", "list"]) == 2
    err = capsys.readouterr().err
    assert f"there is no store at {typo}" in err and "python -m geo init" in err
    assert list(tmp_path.iterdir()) == []


def test_init_without_demo_makes_an_empty_store_with_one_admin(tmp_path, capsys, monkeypatch):
    import io

    from geo.__main__ import main

    store = tmp_path / "new.sqlite"
    assert main(["--store", str(store), "init"]) == 2  # no --admin, no --demo: refused
    assert not store.exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("admin-demo-2022\n"))
    assert main(["--store", str(store), "init", "--admin", "wang"]) == 2
    assert "published demo password" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no store without an admin is left behind
    monkeypatch.setattr("sys.stdin", io.StringIO("a long admin passphrase\n"))
    assert main(["--store", str(store), "init", "--admin", "wang"]) == 0
    capsys.readouterr()
    assert main(["--store", str(store), "users", "list"]) == 0
    listed = capsys.readouterr().out
    assert "wang" in listed and "admin" in listed and "leader" not in listed
    assert main(["--store", str(store), "summary", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["issues"] == 0
