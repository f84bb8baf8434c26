"""The command line on a copy of the demo store: exit 0 done, 1 refused, 2 unusable input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from yishi.storage import open_store
from tests.helpers import dump

pytestmark = pytest.mark.backends("sqlite", "postgis")

ROOT = Path(__file__).resolve().parent.parent
SHIYUAN = (115.6169, 34.4366)  # the university point, in 师院社区

SUMMARY_KEYS = {
    "meetings", "consensus", "implemented", "in_progress", "communities", "compounds", "venues",
    "venue_kinds", "members", "members_cppcc", "issues", "issues_open", "overdue", "unassigned",
    "by_stage", "mean_days_consensus_to_done", "mean_satisfaction", "as_of",
}


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """The command line speaks the developer's locale; these tests read its English."""
    monkeypatch.setenv("YISHI_LANG", "en")


def first_issue(path: Path, stage: str) -> str:
    with open_store(path) as store:
        issues = store.load_layer("issues")
    return issues[issues["stage"] == stage]["issue_id"].iloc[0]


# --- summary, assign, export ------------------------------------------------------------------


def test_summary_json_has_every_key_and_the_published_figures(cli):
    code, out, _ = cli("summary", "--json")
    assert code == 0
    figures = json.loads(out)
    assert set(figures) == SUMMARY_KEYS
    assert {k: figures[k] for k in ("meetings", "consensus", "implemented", "in_progress",
                                    "members_cppcc")} == {
        "meetings": 230, "consensus": 108, "implemented": 85, "in_progress": 23,
        "members_cppcc": 12}
    assert figures["as_of"] == "2022-06-17"
    assert set(figures["by_stage"]) >= {"collected", "done", "closed"}


def test_summary_text(cli):
    code, out, _ = cli("summary")
    assert code == 0
    assert any(line.split() == ["meetings", "230"] for line in out.splitlines())


def test_assign_adds_the_derived_fields(cli, tmp_path):
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "师院"},
         "geometry": {"type": "Point", "coordinates": list(SHIYUAN)}},
        {"type": "Feature", "properties": None,
         "geometry": {"type": "Point", "coordinates": [115.0, 34.0]}},
    ]}, ensure_ascii=False), encoding="utf-8")
    code, out, _ = cli("assign", str(path))
    assert code == 0
    inside, outside = (f["properties"] for f in json.loads(out)["features"])
    assert inside["name"] == "师院"
    assert inside["community_id"] and inside["venue_id"] and inside["venue_distance_m"] > 0
    assert outside["community_id"] is None and outside["member_ids"] is None
    assert outside["venue_id"] is not None  # the nearest venue is known even outside


def test_assign_keeps_each_features_properties_as_given(cli, tmp_path):
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"n": 12345678901234567890, "tags": ["a", 2],
                                           "community_id": "mine"},
         "geometry": {"type": "Point", "coordinates": list(SHIYUAN)}}]}), encoding="utf-8")
    code, out, _ = cli("assign", str(path))
    assert code == 0
    props = json.loads(out)["features"][0]["properties"]
    assert props["n"] == 12345678901234567890 and props["tags"] == ["a", 2]
    assert props["community_id"] != "mine"  # the derived fields win


def test_a_missing_file_is_an_error_exit_2(cli, tmp_path):
    code, out, err = cli("assign", str(tmp_path / "in.geojson"))
    assert (code, out) == (2, "")
    assert err.startswith("error: no such file")


@pytest.mark.parametrize("content, code, message", [
    ("not json at all", 2, "not valid GeoJSON"),
    ('{"type": "Feature"}', 1, "feature 1"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
     '"geometry": {"type": "LineString", "coordinates": [[115.6, 34.4], [115.61, 34.41]]}}]}',
     1, "issues need a Point"),
])
def test_assign_refuses_unusable_files_with_the_upload_report(cli, tmp_path, content, code,
                                                              message):
    path = tmp_path / "in.geojson"
    path.write_text(content, encoding="utf-8")
    got, out, err = cli("assign", str(path))
    assert (got, out) == (code, "")
    assert message in err


def test_assign_refuses_what_upload_refuses_with_the_same_report(cli, tmp_path):
    """A text coordinate, NaN and a swapped point: upload refuses them, so does assign."""
    path = tmp_path / "in.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ['
                    '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", '
                    '"coordinates": ["115.6169", 34.4366]}},'
                    '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", '
                    '"coordinates": [NaN, 34.4366]}},'
                    '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", '
                    '"coordinates": [34.4366, 115.6169]}}]}', encoding="utf-8")
    code, out, err = cli("assign", str(path))
    assert (code, out) == (1, "")
    _, report, _ = cli("validate", str(path), "--layer", "issues")
    problems = [line for line in report.splitlines() if "geometry" in line]
    assert len(problems) == 3
    assert all(line in err.splitlines() for line in problems)  # every problem, same words
    assert "is text, not a number" in err and "swapped" in err


def test_the_same_refusal_prints_in_chinese_when_asked(cli, tmp_path, monkeypatch):
    path = tmp_path / "in.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                    '"properties": {}, "geometry": {"type": "Point", '
                    '"coordinates": ["115.6169", 34.4366]}}]}', encoding="utf-8")
    monkeypatch.setenv("YISHI_LANG", "zh")
    code, _, err = cli("assign", str(path))
    assert code == 1 and "要素 1" in err and "feature 1" not in err
    code, _, err = cli("export", "--layer", "residents", "--format", "csv",
                       "-o", str(tmp_path / "x.csv"))
    assert code == 2 and err.startswith("错误：没有图层 'residents'")
    code, _, err = cli("assign", str(tmp_path / "missing.geojson"))
    assert code == 2 and err.strip() == f"错误：没有这个文件：{tmp_path / 'missing.geojson'}"


@pytest.mark.parametrize("env, lang", [
    ({}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"YISHI_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"), ({"YISHI_LANG": "zh"}, "zh"),
])
def test_the_language_comes_from_yishi_lang_else_the_locale(env, lang):
    from yishi.cli import cli_lang

    assert cli_lang(env) == lang


def test_export_writes_the_public_fields(cli, tmp_path):
    target = tmp_path / "issues.geojson"
    code, _, err = cli("export", "--layer", "issues", "--format", "geojson", "-o", str(target))
    assert code == 0 and "wrote 137 issues" in err
    text = target.read_text(encoding="utf-8")
    assert "reporter_" not in text
    assert len(json.loads(text)["features"]) == 137


def test_export_errors_exit_2_and_write_nothing(cli, tmp_path, demo_store_path):
    before = dump(demo_store_path)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    code, _, err = cli("export", "--layer", "residents", "--format", "csv",
                       "-o", str(tmp_path / "x.csv"))
    assert code == 2 and "unknown layer 'residents'" in err
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    code, _, err = cli("export", "--layer", "issues", "--format", "csv",
                       "-o", str(blocker / "x.csv"))
    assert code == 2 and err.startswith("error: cannot write")
    code, _, err = cli("export", "--layer", "issues", "--format", "geojson", "-o", str(tmp_path))
    assert code == 2 and err.startswith("error: cannot write")
    with pytest.raises(SystemExit) as exited:
        cli("export", "--layer", "issues", "--format", "xlsx", "-o", str(tmp_path / "x.xlsx"))
    assert exited.value.code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert dump(demo_store_path) == before


# --- show -------------------------------------------------------------------------------------


def test_show_prints_the_public_record_place_and_timeline(cli, demo_store_path):
    code, out, _ = cli("show", "I0001")
    assert code == 0
    assert out.startswith("I0001  ")
    for text in ("stage:     done 已落实", "community: ", "venue:     V", "timeline:", "collected"):
        assert text in out
    with open_store(demo_store_path) as store:
        private = store.get_row("issues", "I0001")
    assert private["reporter_name"] not in out and private["reporter_phone"] not in out


def test_show_json(cli, demo_store_path):
    code, out, _ = cli("show", "I0001", "--json")
    assert code == 0
    record = json.loads(out)
    assert record["issue_id"] == "I0001" and record["stage"] == "done"
    assert {"community_id", "community_name", "compound_id", "venue_id", "venue_distance_m",
            "members", "unassigned", "timeline", "lon", "lat"} <= set(record)
    assert "reporter_name" not in record and "reporter_phone" not in record
    assert record["timeline"][0]["to_stage"] == "collected"
    assert record["unassigned"] is False


def test_show_unknown_issue_exits_2(cli):
    code, out, err = cli("show", "I9999")
    assert (code, out) == (2, "")
    assert err.strip() == "error: no issue I9999"


# --- advance, new, comment, evaluate -----------------------------------------------------------


def test_advance_refused_exits_1_with_every_reason_and_changes_nothing(cli, demo_store_path):
    issue_id = first_issue(demo_store_path, "stakeholders")
    before = dump(demo_store_path)
    code, out, err = cli("advance", issue_id, "--to", "meeting")
    assert (code, out) == (1, "")
    for field in ("held_on", "venue_id", "method", "participants"):
        assert f"{field} (" in err
    code, _, err = cli("advance", issue_id, "--to", "meeting", "--set", "held_on=2030-01-01",
                       "venue_id=V999", "method=phone", "participants=1")
    assert code == 1
    for reason in ("in the future", "no venue 'V999'", "unknown code 'phone'", "too few"):
        assert reason in err
    code, _, err = cli("advance", issue_id, "--to", "done")
    assert code == 1 and "the next stage is meeting (Meeting held)" in err
    assert dump(demo_store_path) == before


def test_advance_records_a_meeting_and_moves_on(cli, demo_store_path):
    issue_id = first_issue(demo_store_path, "stakeholders")
    code, out, _ = cli("advance", issue_id, "--to", "meeting", "--set", "held_on=2022-06-15",
                       "venue_id=V001", "--set", "method=on_site", "participants=15",
                       "--by", "王科员")
    assert code == 0
    assert out.startswith(f"{issue_id}: stakeholders -> meeting (开好会)") and "MT0231" in out
    code, out, _ = cli("advance", issue_id, "--to", "meeting", "--set", "held_on=2022-06-16",
                       "venue_id=V002", "method=expert", "participants=6")
    assert code == 0 and "meeting recorded" in out and "MT0232" in out
    code, out, _ = cli("advance", issue_id, "--to", "consensus", "--set", "consensus_text=同意",
                       "--json")
    assert code == 0
    row = json.loads(out)
    assert (row["stage"], row["consensus_on"], row["method"]) == ("consensus", "2022-06-17",
                                                                  "expert")
    assert "reporter_phone" not in row
    _, out, _ = cli("summary", "--json")
    figures = json.loads(out)
    assert (figures["meetings"], figures["consensus"]) == (232, 109)
    _, out, _ = cli("show", issue_id, "--json")
    timeline = json.loads(out)["timeline"]
    assert [e["to_stage"] for e in timeline[-3:]] == ["meeting", "meeting", "consensus"]
    assert timeline[-3]["by"] == "王科员"
    _, out, _ = cli("history", "--json")
    assert json.loads(out)[0]["action"] == "advance"


@pytest.mark.parametrize("args", [["--set", "held_on"], ["--set", "=x"],
                                  ["--set", "a=1", "a=2"]])
def test_advance_with_an_unusable_set_exits_2(cli, demo_store_path, args):
    before = dump(demo_store_path)
    code, _, err = cli("advance", "I0001", "--to", "meeting", *args)
    assert code == 2 and err.startswith("error: --set")
    assert dump(demo_store_path) == before


def test_advance_to_an_unknown_stage_is_a_usage_error(cli):
    with pytest.raises(SystemExit) as exited:
        cli("advance", "I0001", "--to", "finished")
    assert exited.value.code == 2


def test_new_prints_the_id_and_where_it_falls(cli):
    code, out, _ = cli("new", "--lon", str(SHIYUAN[0]), "--lat", str(SHIYUAN[1]),
                       "--title", "师院周边停车难", "--category", "parking",
                       "--set", "reporter_phone=13900000000", "description=晚间停车难")
    assert code == 0
    assert out.startswith("I0138: new issue at stage collected")
    assert "community: " in out and "师院社区" in out and "venue:     V" in out
    assert "13900000000" not in out
    code, out, _ = cli("new", "--lon", str(SHIYUAN[0]), "--lat", str(SHIYUAN[1]),
                       "--title", "路灯不亮", "--category", "other", "--focus", "harmony",
                       "--json")
    assert code == 0
    placed = json.loads(out)
    assert placed["issue_id"] == "I0139" and placed["community_name"] == "师院社区"
    assert placed["unassigned"] is False and placed["venue_distance_m"] >= 0
    assert isinstance(placed["members"], list)
    _, out, _ = cli("show", "I0139", "--json")
    assert json.loads(out)["focus"] == "harmony"


def test_new_refused_lists_every_problem_and_writes_nothing(cli, demo_store_path):
    before = dump(demo_store_path)
    code, out, err = cli("new", "--lon", "34.43", "--lat", "115.61", "--title", " ",
                         "--category", "noise", "--focus", "peace")
    assert (code, out) == (1, "")
    for reason in ("lon and lat look swapped", "title (Title) is required", "unknown code 'noise'",
                   "unknown code 'peace'"):
        assert reason in err
    assert dump(demo_store_path) == before


def test_comment_and_evaluate(cli, demo_store_path):
    done = first_issue(demo_store_path, "done")
    implementing = first_issue(demo_store_path, "implementing")
    code, out, _ = cli("comment", implementing, "--note", "已逾期，请加快落实", "--by", "张委员")
    assert code == 0 and "note added" in out
    code, out, _ = cli("evaluate", done, "--satisfaction", "4.5")
    assert code == 0 and "satisfaction 4.5 recorded" in out
    before = dump(demo_store_path)
    code, _, err = cli("evaluate", implementing, "--satisfaction", "4")
    assert code == 1 and "only after the issue is done" in err
    code, _, err = cli("comment", implementing, "--note", " ")
    assert code == 1 and "the note is empty" in err
    assert dump(demo_store_path) == before
    _, out, _ = cli("show", implementing, "--json")
    assert json.loads(out)["timeline"][-1]["by"] == "张委员"


def test_the_module_runs_as_a_program(demo_store_path):
    """`python -m geo` in a child process: the real exit codes and streams."""
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "geo", "--store", str(demo_store_path), *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)

    shown = run("show", "I0001", "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["issue_id"] == "I0001"
    refused = run("advance", "I0001", "--to", "closed", "--set", "closed_reason=x")
    assert refused.returncode == 1 and "I0001 is done" in refused.stderr
    missing = run("show", "I9999")
    assert missing.returncode == 2 and "no issue I9999" in missing.stderr


def test_sessions_are_listed_without_their_secret_and_revoked_by_id_or_user(cli, demo_store_path):
    from yishi.services import accounts, sessions

    with open_store(demo_store_path) as store:
        cookie = sessions.start(store, accounts.authenticate(store, "staff", "staff-demo-2022"),
                                user_agent="Chromium 131", address="10.1.1.1")
        sessions.start(store, accounts.authenticate(store, "leader", "leader-demo-2022"))
    rc, out, _ = cli("sessions", "list", "--json")
    listed = json.loads(out)
    assert rc == 0 and {r["username"] for r in listed} == {"staff", "leader"}
    assert cookie.split(".")[0] not in out and "session_hash" not in out
    staff = next(r for r in listed if r["username"] == "staff")
    assert (staff["user_agent"], staff["address"]) == ("Chromium 131", "10.1.1.1")

    assert cli("sessions", "revoke", "--id", staff["id"])[:2] == (0, "1 session(s) ended.\n")
    with open_store(demo_store_path) as store:
        assert sessions.resolve(store, cookie) is None
    assert cli("sessions", "revoke", "--id", staff["id"])[0] == 1  # nothing left to end
    assert cli("sessions", "revoke", "--user", "leader")[0] == 0
    rc, out, _ = cli("sessions", "list")
    assert rc == 0 and "No one is signed in" in out
    rc, _, err = cli("sessions", "revoke")
    assert rc == 2 and "--id" in err and "--user" in err


@pytest.mark.backends("postgis")
@pytest.mark.parametrize("secret_in", ["user part", "parameter"])
def test_check_never_prints_the_password_of_a_database_url(demo_store_path, capsys, secret_in):
    from geo.__main__ import main
    from tests.postgis_server import PostgresServer

    secret = "s3cret-Passw0rd"
    url = (demo_store_path.replace("postgresql://postgres@", f"postgresql://postgres:{secret}@")
           if secret_in == "user part" else f"{demo_store_path}&password={secret}")
    assert secret in url
    for args in (["check"], ["check", "--json"]):
        assert main(["--store", url, *args]) == 0
        out, err = capsys.readouterr()
        assert secret not in out + err and "postgres@" in out
    # a store too damaged to open (its settings table renamed) is reported by where it is, too
    with psycopg.connect(demo_store_path, autocommit=True) as con:
        con.execute("ALTER TABLE meta RENAME COLUMN value TO v")
    for args in (["check"], ["check", "--json"]):
        assert main(["--store", url, *args]) == 2
        out, err = capsys.readouterr()
        assert secret not in out + err and PostgresServer.database(url) in out + err
    # and so is a server that does not answer
    unreachable = f"postgresql://yishi:{secret}@127.0.0.1:1/yishi?connect_timeout=2"
    assert main(["--store", unreachable, "check"]) == 2
    out, err = capsys.readouterr()
    assert secret not in out + err and "127.0.0.1" in err
