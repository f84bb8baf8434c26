"""GET /api/map/issues (web.map_api) over HTTP: the issues inside a map's box for a signed-in
session, filtered as the page's URL says, within the account's region, capped, no private data."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely
from starlette.applications import Starlette

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 (not yet pinned here); httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import web
from geo.crs import wgs84_to_gcj02
from geo.stats import is_overdue
from web import map_api
from yishi.accounts import User
from yishi.services import sessions
from yishi.storage import open_store

pytestmark = pytest.mark.backends("sqlite", "postgis")  # the bbox query on both spatial indexes

#: Around the whole Pingyuan demo (every issue inside), well under MAX_SPAN.
ALL = "115.55,34.40,115.70,34.50"


@pytest.fixture
def client(demo_store_path) -> TestClient:
    map_api.PER_SESSION.clear()
    app = Starlette(routes=web.routes(), middleware=web.middleware())
    yield TestClient(app, base_url="http://testserver", follow_redirects=False)
    map_api.PER_SESSION.clear()


@pytest.fixture
def issues(demo_store_path):
    with open_store(demo_store_path) as store:
        return store.load_layer("issues", include_private=True), store.today()


def signed_in(client: TestClient, location, username: str = "leader", role: str = "leader",
              region_id: str | None = None) -> TestClient:
    with open_store(location) as store:
        if region_id is not None:
            store.put_user({"username": username, "region_id": region_id}, by="t", action="t")
        cookie = sessions.start(store, User(username, role, region_id=region_id))
    client.cookies.set(sessions.COOKIE, cookie)
    return client


def ask(client: TestClient, query: str):
    return client.get(f"{map_api.PATH}?{query}")


def ids(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {row[0] for row in response.json()["rows"]}


def test_signed_out_or_forged_cookies_get_401_and_no_rows(client, demo_store_path):
    answer = ask(client, f"bbox={ALL}")
    assert answer.status_code == 401 and "rows" not in answer.json()
    assert answer.json()["error"] == "请先登录" and answer.headers["cache-control"] == "no-store"
    client.cookies.set(sessions.COOKIE, "forged.value")
    assert ask(client, f"bbox={ALL}&lang=en").json() == {"error": "Please sign in first"}
    # a session that ended is signed out too
    signed_in(client, demo_store_path)
    with open_store(demo_store_path) as store:
        sessions.end(store, client.cookies.get(sessions.COOKIE))
    assert ask(client, f"bbox={ALL}").status_code == 401


def test_a_bad_bbox_is_400_naming_every_problem(client, demo_store_path):
    signed_in(client, demo_store_path)
    cases = {
        "": ["bbox (west,south,east,north) is missing"],
        "bbox=1,2,3": ["bbox must be 4 numbers (west,south,east,north), got 3"],
        "bbox=115.6,nan,x,34.5": ["bbox value 2 is not a finite number: nan",
                                  "bbox value 3 is not a finite number: x"],
        "bbox=115.6,34.4,inf,34.5": ["bbox value 3 is not a finite number: inf"],
        "bbox=-200,34.4,115.6,95": ["longitude must lie between -180 and 180: -200.0",
                                    "latitude must lie between -90 and 90: 95.0",
                                    "bbox too large (at most 0.5 degrees a side): zoom in"],
        "bbox=115.7,34.4,115.6,34.5": ["bbox must have west < east and south < north"],
        "bbox=110,30,116,35": ["bbox too large (at most 0.5 degrees a side): zoom in"],
    }
    for query, problems in cases.items():
        answer = ask(client, f"{query}&lang=en")
        assert answer.status_code == 400, query
        assert answer.json()["problems"] == problems, query
        assert "rows" not in answer.json()
    assert "缺少范围" in ask(client, "").json()["error"]  # Chinese first


def test_only_the_issues_inside_the_box_come_back_with_allow_listed_fields(client, demo_store_path, issues):
    frame, today = issues
    signed_in(client, demo_store_path)
    everything = ask(client, f"bbox={ALL}")
    assert everything.headers["cache-control"] == "no-store"
    assert ids(everything) == set(frame["issue_id"])
    # a box around a few issues: exactly those
    x, y = shapely.get_x(frame.geometry.to_numpy()), shapely.get_y(frame.geometry.to_numpy())
    cx, cy = float(np.median(x)), float(np.median(y))
    box = (cx - 0.004, cy - 0.003, cx + 0.004, cy + 0.003)
    inside = set(frame["issue_id"][(x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])])
    assert 0 < len(inside) < len(frame)
    answer = ask(client, "bbox=" + ",".join(map(str, box)))
    assert ids(answer) == inside
    late = set(frame["issue_id"][is_overdue(frame, today)])
    for issue_id, lon, lat, stage, category, overdue, title in answer.json()["rows"]:
        row = frame[frame["issue_id"] == issue_id].iloc[0]
        assert (stage, category, overdue) == (row["stage"], row["category"], int(issue_id in late))
        assert abs(lon - row.geometry.x) < 1e-5 and abs(lat - row.geometry.y) < 1e-5
        assert title == row["title"][:40] or title.endswith("…")
    # the box's compounds and venues come along, to draw under the issues
    with open_store(demo_store_path) as store:
        compounds, venues = store.load_layer("compounds"), store.load_layer("venues")
    places = everything.json()["places"]
    assert len(places["compounds"]["fc"]["features"]) == len(compounds)
    assert len(places["venues"]["pts"]) == len(venues)
    few = answer.json()["places"]
    assert len((few["venues"] or {"pts": []})["pts"]) < len(venues)  # only the small box's
    # nothing private leaves: no reporter's name or phone anywhere in the answer
    text = everything.text
    for value in frame["reporter_phone"].dropna().tolist() + frame["reporter_name"].dropna().tolist():
        assert str(value) not in text


def test_the_view_filter_applies_and_unknown_values_are_dropped(client, demo_store_path, issues):
    frame, today = issues
    signed_in(client, demo_store_path)
    assert ids(ask(client, f"bbox={ALL}&stages=done")) == set(frame["issue_id"][frame["stage"] == "done"])
    both = ask(client, f"bbox={ALL}&stages=done,meeting&communities=411402001007")
    wanted = frame[frame["stage"].isin(["done", "meeting"]) & (frame["community_id"] == "411402001007")]
    assert ids(both) == set(wanted["issue_id"]) and len(wanted) > 0
    assert ids(ask(client, f"bbox={ALL}&overdue_only=1")) == set(frame["issue_id"][is_overdue(frame, today)])
    # an unknown stage is dropped (as the page drops it from a shared link): all issues again
    assert ids(ask(client, f"bbox={ALL}&stages=bogus")) == set(frame["issue_id"])


def test_rows_stay_within_the_accounts_region(client, demo_store_path, issues):
    frame, _ = issues
    # an account of another district sees none of Pingyuan's issues, even when it names Pingyuan
    signed_in(client, demo_store_path, region_id="411403")
    assert ids(ask(client, f"bbox={ALL}")) == set()
    assert ask(client, f"bbox={ALL}").json()["places"] == {"compounds": None, "venues": None}
    assert ids(ask(client, f"bbox={ALL}&region=411402001")) == set()
    # an account of Pingyuan's district sees them all, and may narrow to the subdistrict
    signed_in(client, demo_store_path, region_id="411402")
    assert ids(ask(client, f"bbox={ALL}")) == set(frame["issue_id"])
    assert ids(ask(client, f"bbox={ALL}&region=411402001")) == set(frame["issue_id"])
    assert ids(ask(client, f"bbox={ALL}&region=411402999")) == set()


def test_a_full_box_answers_the_cap_and_says_zoom_in(client, demo_store_path, monkeypatch, issues):
    frame, _ = issues
    signed_in(client, demo_store_path)
    monkeypatch.setattr(map_api, "MAX_ROWS", 5)
    answer = ask(client, f"bbox={ALL}").json()
    assert len(answer["rows"]) == 5 and answer["more"] is True
    small = ask(client, f"bbox={ALL}&stages=closed").json()
    assert len(small["rows"]) == int((frame["stage"] == "closed").sum()) <= 5 and small["more"] is False


def test_amap_boxes_and_positions_are_in_gcj02(client, demo_store_path, issues):
    frame, _ = issues
    signed_in(client, demo_store_path)
    row = frame.iloc[0]
    gx, gy = wgs84_to_gcj02(row.geometry.x, row.geometry.y)
    box = f"{gx - 0.0002},{gy - 0.0002},{gx + 0.0002},{gy + 0.0002}"
    found = {r[0]: r for r in ask(client, f"bbox={box}&basemap=amap").json()["rows"]}
    assert row["issue_id"] in found
    assert abs(found[row["issue_id"]][1] - gx) < 2e-5 and abs(found[row["issue_id"]][2] - gy) < 2e-5


def test_a_session_asking_too_fast_is_told_to_wait(client, demo_store_path, monkeypatch):
    signed_in(client, demo_store_path)
    monkeypatch.setattr(map_api, "PER_SESSION", map_api.RateLimit(2, 60))
    assert ask(client, f"bbox={ALL}").status_code == 200
    assert ask(client, f"bbox={ALL}").status_code == 200
    refused = ask(client, f"bbox={ALL}&lang=en")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
