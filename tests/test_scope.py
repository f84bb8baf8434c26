"""Accounts scoped to a node of the region tree: staff write only in their own subdistricts."""

from __future__ import annotations

import io

import pytest

from geo.errors import PermissionDenied
from tests.helpers import USERS, add_accounts
from yishi.accounts import User, within
from yishi.services import accounts, uploads, workflow
from yishi.services.accounts import AccountRefused

ADMIN = USERS["admin"]
#: Another district of the city, put in the demo's tree by the fixture.
ELSEWHERE = "411403"


@pytest.fixture
def city(demo_store):
    """The demo store with a second district, and staff accounts scoped to each district."""
    demo_store.write_batch("regions", [{"region_id": ELSEWHERE, "name": "睢阳区", "level": "district",
                                        "parent_id": "4114"}], by="test")
    add_accounts(demo_store, User("staff_home", "staff", region_id="411402"),
                 User("staff_away", "staff", region_id=ELSEWHERE))
    return demo_store


def test_nbs_codes_nest_so_a_district_holds_its_subdistricts():
    assert within(User("a", "staff", region_id="411402"), "411402001")
    assert within(User("a", "staff", region_id="4114"), "411402001")
    assert not within(User("a", "staff", region_id="411403"), "411402001")
    assert not within(User("a", "staff", region_id="411402"), None)  # a row with no place is nobody's
    assert within(User("a", "staff"), None)  # an account of the whole store reaches every row


def test_staff_of_another_district_cannot_move_an_issue_here(city):
    before = city.get_row("issues", "I0001")
    with pytest.raises(PermissionDenied) as refused:
        workflow.comment(city, "I0001", "请尽快处理", by="staff_away", user=User("staff_away", "staff"))
    assert "411403" in refused.value.text("zh") and "411402001" in refused.value.text("zh")
    assert city.get_row("issues", "I0001") == before
    # the scope is read from the store at the write, not from the page's copy of the account
    event = workflow.comment(city, "I0001", "请尽快处理", by="staff_home", user=User("staff_home", "staff"))
    assert event.startswith("I0001-E")


def test_staff_of_another_district_cannot_create_an_issue_here(city):
    n = len(city.load_layer("issues"))
    with pytest.raises(PermissionDenied):
        workflow.create_issue(city, lon=115.62, lat=34.44, title="路灯不亮", category="parking",
                              by="staff_away", user=User("staff_away", "staff"))
    assert len(city.load_layer("issues")) == n


def test_an_upload_with_rows_outside_the_region_is_refused_whole(city):
    data = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
            '{"venue_id":"V9001","name":"新议事亭","kind":"pavilion"},'
            '"geometry":{"type":"Point","coordinates":[115.62,34.44]}}]}').encode()
    upload = uploads.read(data, filename="v.geojson", layer="venues")
    with pytest.raises(PermissionDenied) as refused:
        uploads.commit(city, upload, source="v.geojson", user=User("staff_away", "staff"))
    assert "V9001" in refused.value.text("zh") and city.get_row("venues", "V9001") is None
    uploads.commit(city, upload, source="v.geojson", user=User("staff_home", "staff"))
    assert city.get_row("venues", "V9001")["subdistrict_id"] == "411402001"


def test_an_admin_scopes_an_account_to_a_known_region_only(city):
    accounts.set_region(city, "staff_away", "411402001", by=ADMIN)
    assert city.get_user("staff_away")["region_id"] == "411402001"
    assert city.audit_trail(limit=1)["action"].iloc[0] == "user_region"
    with pytest.raises(AccountRefused) as refused:
        accounts.set_region(city, "staff_away", "999999", by=ADMIN)
    assert "999999" in refused.value.text("zh")
    with pytest.raises(AccountRefused):
        accounts.add_user(city, "m2", "a-long-Passphrase-2026", role="member", community_id="411402001007",
                          region_id="411402", by=ADMIN)


def test_the_command_line_adds_and_rescopes_accounts(cli, demo_store, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("长长的中文密码 with spaces\n"))
    code, out, _ = cli("users", "add", "qu", "--role", "leader", "--region", "411402", "--password-stdin")
    assert code == 0 and demo_store.get_user("qu")["region_id"] == "411402"
    code, out, _ = cli("users", "region", "qu", "--region", "all")
    assert code == 0 and demo_store.get_user("qu")["region_id"] is None
    code, _, err = cli("users", "region", "qu", "--region", "4199")
    assert code == 2 and "4199" in err and demo_store.get_user("qu")["region_id"] is None
