"""The staff triage page (AppTest): residents' reports first, with the reporter's contact for
staff only, and the three decisions written through yishi.services.residents."""

from __future__ import annotations

import pytest

from tests.helpers import USERS, dump, rendered, run_page, run_path
from yishi.services import residents
from yishi.storage import open_store

HERE = (115.64965, 34.45685)  # in demo compound C001
HOSTILE = "<img src=x onerror=alert(1)>**粗体**"


@pytest.fixture
def reports(demo_store_path):
    """Three residents' reports of the same category at the same place, the first two near
    each other (so each is the other's merge candidate)."""
    with open_store(demo_store_path) as store:
        made = [residents.report(store, lon=HERE[0], lat=HERE[1], category="parking",
                                 description=f"{HOSTILE} 第{n}条：门口乱停车", name="王大妈",
                                 phone="13900001111") for n in range(3)]
    return [r.issue_id for r in made]


def test_staff_see_the_waiting_reports_with_contact_and_place(demo_store_path, reports, store_size):
    at = run_page("triage.py", USERS["staff"])
    body = rendered(at)
    assert "待受理：**3** 条" in body
    assert "13900001111" in body and "王大妈" in body  # staff may see the reporter
    # resident text is plain text or escaped markdown, never markup
    assert all("<img" not in m.value.replace("\\<img", "") for m in [*at.markdown, *at.caption])
    assert any(HOSTILE in t.value for t in at.text)
    assert any("盐业局小区" in df.value.to_string() for df in at.dataframe)  # where the report falls
    for issue_id in reports:
        assert at.button(key=f"tri-accept-{issue_id}-submit")


def test_the_overview_tells_staff_how_many_wait(demo_store_path, reports):
    assert "有 3 条群众反映待受理" in rendered(run_path("overview", USERS["staff"]))
    assert "待受理" not in rendered(run_path("overview", USERS["leader"]))


@pytest.mark.parametrize("role", ["leader", "member", "admin", None])
def test_other_roles_cannot_triage(demo_store_path, reports, role):
    at = run_path("triage", USERS[role])
    body = rendered(at)
    assert "13900001111" not in body and f"tri-accept-{reports[0]}" not in body


def test_accept_merge_and_decline_from_the_page(demo_store_path, reports, store_size):
    keep, dup, junk = reports
    at = run_page("triage.py", USERS["staff"])
    at.button(key=f"tri-accept-{keep}-submit").click().run()
    assert not at.exception
    at.selectbox(key=f"tri-merge-{dup}-into").set_value(keep)
    at.button(key=f"tri-merge-{dup}-submit").click().run()
    assert not at.exception

    # declining needs a reason and the tick; without the tick nothing is written
    before = dump(demo_store_path, data_only=True)
    at.text_input(key=f"tri-decline-{junk}-reason").input("商业广告，不在议事范围")
    at.button(key=f"tri-decline-{junk}-submit").click().run()
    assert any("请先勾选" in e.value for e in at.error)
    assert dump(demo_store_path, data_only=True) == before
    at.checkbox(key=f"tri-decline-{junk}-confirm").check()
    at.button(key=f"tri-decline-{junk}-submit").click().run()
    assert not at.exception

    with open_store(demo_store_path) as store:
        rows = {i: store.get_row("issues", i) for i in reports}
    assert rows[keep]["triage"] == "accepted" and rows[keep]["me_too"] == 1
    assert (rows[dup]["triage"], rows[dup]["merged_into"]) == ("merged", keep)
    assert (rows[junk]["triage"], rows[junk]["declined_reason"]) == ("declined", "商业广告，不在议事范围")
    assert "待受理：**0** 条" in rendered(at)
