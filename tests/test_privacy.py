"""Residents' personal data reaches staff only: every page, map and export is scanned per role."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from yishi.accounts import User
from yishi.services.snapshot import take_snapshot
from ui import maps
from ui.nav import pages_for
from tests.helpers import USERS, run_page
from tests.helpers import rendered as everything_rendered

ROOT = Path(__file__).resolve().parent.parent
PHONE = re.compile(r"1990000\d{4}")
NAME = re.compile(r"虚构居民\d{3}")
ROLES = USERS


def render(file: str, user: User | None) -> str:
    at = run_page(file, user)
    assert not at.exception, at.exception
    return everything_rendered(at)


def test_the_demo_data_has_personal_data_to_protect(demo_store):
    issues = demo_store.load_layer("issues", include_private=True)
    assert issues["reporter_phone"].str.fullmatch(PHONE.pattern).sum() > 100


@pytest.mark.parametrize("role, file", [
    pytest.param(role, spec.file, id=f"{spec.file}-{role}")
    for role, user in ROLES.items() if role != "staff" for spec in pages_for(user)])
def test_no_personal_data_on_any_page_for_non_staff(demo_store_path, role, file):
    text = render(file, ROLES[role])
    assert not PHONE.search(text) and not NAME.search(text)


def test_the_scan_would_see_personal_data_if_it_were_there(demo_store_path):
    """Guards the scan itself: the staff issue page does show the reporter."""
    files = {spec.file for spec in pages_for(ROLES["staff"])}
    if "issue.py" not in files:
        pytest.fail("the issue page should be listed for staff")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["user"] = ROLES["staff"]
    at.session_state["selected_issue"] = "I0001"
    at.run()
    at.switch_page("pages/issue.py")
    at.run()
    assert PHONE.search(everything_rendered(at))


def test_the_map_page_source_has_no_personal_data(demo_store):
    snap = take_snapshot(demo_store, include_private=True)  # even if a caller passed private data
    fmap = maps.build_map(subdistrict=snap.subdistrict, communities=snap.communities,
                          compounds=snap.compounds, venues=snap.venues, issues=snap.issues)
    html = fmap.get_root().render()
    assert not PHONE.search(html) and not NAME.search(html)


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_cli_exports_carry_no_personal_data(demo_store_path, tmp_path, fmt):
    out = tmp_path / f"issues.{fmt}"
    subprocess.run([sys.executable, "-m", "geo", "--store", str(demo_store_path), "export",
                    "--layer", "issues", "--format", fmt, "-o", str(out)], check=True, cwd=ROOT)
    text = out.read_text(encoding="utf-8-sig")
    assert "issue_id" in text and not PHONE.search(text) and not NAME.search(text)


def test_cli_show_and_summary_carry_no_personal_data(demo_store_path):
    summary = subprocess.run([sys.executable, "-m", "geo", "--store", str(demo_store_path), "summary",
                              "--json"], check=True, cwd=ROOT, capture_output=True, text=True).stdout
    assert json.loads(summary)["issues"] > 0
    assert not PHONE.search(summary)
