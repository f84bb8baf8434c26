"""Open311 GeoReport v2 under /open311/v2/ over HTTP (Starlette's TestClient on the demo store):
every resource in JSON and XML with the spec's fields, filters and the 1,000 cap, the spec's
errors, POST with API keys (missing, bad, revoked, rate-limited: nothing written), tokens that
follow a report, never a reporter's name or phone, a client library reading our answers, and
the OpenAPI document."""

from __future__ import annotations

import types
import warnings
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import georeport.georeport
import pytest
import shapely
import xmltodict
from openapi_spec_validator import validate
from starlette.applications import Starlette

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 (not yet pinned here); httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import web
from geo.schema import CATEGORIES
from tests.helpers import USERS, add_accounts
from web import open311 as routes
from yishi.services.limits import RateLimit
from yishi.services import apikeys, limits, residents
from yishi.storage import open_store

V2 = "/open311/v2"
TODAY = date(2022, 6, 17)  # the demo store's as_of
HERE = (115.64965, 34.45685)  # in demo compound C001 盐业局小区
#: The spec's response fields (wiki.open311.org/GeoReport_v2), in its order.
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
                  "long", "media_url"]
DISCOVERY_FIELDS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_FIELDS = ["specification", "url", "changeset", "type", "formats"]
#: Elements whose children are list items (the spec's XML shapes).
LISTS = {"services", "service_requests", "errors", "endpoints", "formats", "attributes", "values"}
#: A reporter's personal data, seeded to prove it never leaves through a GET.
SECRET_NAME, SECRET_PHONE = "欧阳秘密", "13987654321"


@pytest.fixture
def client(demo_store_path, monkeypatch) -> TestClient:
    monkeypatch.setattr(routes, "POSTS", RateLimit(60, 3600))
    monkeypatch.setattr(limits, "LOOKUPS", RateLimit(20, 600))
    return TestClient(Starlette(routes=web.routes(), middleware=web.middleware()))


@pytest.fixture
def key(demo_store_path) -> str:
    with open_store(demo_store_path) as store:
        return apikeys.issue(store, "市民热线", by="admin").key


def plain(element: ET.Element):
    """An XML answer as the JSON answer's structure (lists by the spec's containers)."""
    if element.tag in LISTS:
        return [plain(child) for child in element]
    if len(element):
        return {child.tag: plain(child) for child in element}
    return element.text


def as_text(value):
    """A JSON value as XML writes it."""
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def both(client: TestClient, path: str, expect: int = 200, **params):
    """GET `path`.json and `path`.xml: the JSON answer, after checking the XML one says the same."""
    as_json = client.get(f"{V2}/{path}.json", params=params)
    as_xml = client.get(f"{V2}/{path}.xml", params=params)
    assert (as_json.status_code, as_xml.status_code) == (expect, expect), as_json.text[:300]
    assert as_json.headers["content-type"] == "application/json; charset=utf-8"
    assert as_xml.headers["content-type"] == "text/xml; charset=utf-8"
    assert as_xml.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert as_text(as_json.json()) == plain(ET.fromstring(as_xml.content))
    return as_json.json(), ET.fromstring(as_xml.content)


def post(client: TestClient, fmt: str = "json", **fields):
    return client.post(f"{V2}/requests.{fmt}", data=fields)


def a_report(key: str, **fields) -> dict[str, str]:
    return {"api_key": key, "service_code": "parking", "lat": str(HERE[1]), "long": str(HERE[0]),
            "description": "小区门口晚上乱停车，消防通道被堵", **fields}


def issue_count(location) -> int:
    with open_store(location) as store:
        return len(store.load_layer("issues"))


def seed_issues(location, n: int, *, on: date = TODAY, **fields) -> list[str]:
    """`n` issues written straight into the store (what staff or an import would leave)."""
    rows = [{"issue_id": f"T{k:05d}", "title": f"测试议题 {k}", "category": "water", "focus": "livelihood",
             "stage": "collected", "reported_on": on.isoformat(), "geom": shapely.Point(*HERE), **fields}
            for k in range(n)]
    with open_store(location) as store:
        store.write_batch("issues", rows, by="test")
    return [r["issue_id"] for r in rows]


# ---------------------------------------------------------------- discovery and services


def test_discovery_names_this_endpoint_and_its_formats(client, monkeypatch):
    monkeypatch.setenv("YISHI_PUBLIC_URL", "https://yishi.example.gov.cn")
    found, xml = both(client, "discovery")
    assert list(found) == DISCOVERY_FIELDS and xml.tag == "discovery"
    endpoint = found["endpoints"][0]
    assert list(endpoint) == ENDPOINT_FIELDS
    assert endpoint["url"] == "https://yishi.example.gov.cn/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert [e.tag for e in xml.find("endpoints/endpoint/formats")] == ["format", "format"]


def test_one_service_per_category_named_in_the_language_asked_for(client):
    zh, xml = both(client, "services")
    assert [s["service_code"] for s in zh] == list(CATEGORIES.codes)
    assert all(list(s) == SERVICE_FIELDS for s in zh)
    assert xml.tag == "services" and {e.tag for e in xml} == {"service"}
    assert zh[0]["service_name"] == "停车" and zh[0]["metadata"] is False and zh[0]["type"] == "realtime"
    assert both(client, "services", lang="en")[0][0]["service_name"] == "Parking"
    by_header = client.get(f"{V2}/services.json", headers={"Accept-Language": "fr;q=1, en-GB;q=0.8, zh;q=0.5"})
    assert by_header.json()[0]["service_name"] == "Parking"
    assert client.get(f"{V2}/services.json", params={"locale": "zh_CN"},
                      headers={"Accept-Language": "en"}).json()[0]["service_name"] == "停车"


def test_a_service_definition_has_no_attributes_and_an_unknown_one_is_404(client):
    found, xml = both(client, "services/water")
    assert found == {"service_code": "water", "attributes": []}
    assert xml.tag == "service_definition" and xml.find("attributes") is not None
    errors, xml = both(client, "services/boats", 404, lang="en")
    assert errors == [{"code": 404, "description": "No such resource: services/boats"}]
    assert xml.tag == "errors" and xml.find("error/code").text == "404"


def test_an_unknown_format_is_404_in_json(client):
    answer = client.get(f"{V2}/services.csv", params={"lang": "en"})
    assert answer.status_code == 404
    assert answer.json() == [{"code": 404, "description": 'Unsupported format "csv": use .json or .xml.'}]


# ---------------------------------------------------------------------- GET requests


def test_requests_default_to_the_last_90_days_newest_first_with_the_spec_fields(client, demo_store_path):
    found, xml = both(client, "requests")
    with open_store(demo_store_path) as store:
        issues = store.load_layer("issues")
    since = (TODAY - timedelta(days=90)).isoformat()
    assert sorted(r["service_request_id"] for r in found) == \
        sorted(issues.loc[issues["reported_on"] >= since, "issue_id"])
    assert all(list(r) == REQUEST_FIELDS for r in found)
    assert xml.tag == "service_requests" and {e.tag for e in xml} == {"request"}
    stamps = [r["requested_datetime"] for r in found]
    assert stamps == sorted(stamps, reverse=True) and all(s.endswith("+08:00") for s in stamps)
    assert {r["status"] for r in found} <= {"open", "closed"}


def test_one_request_says_status_stage_agency_place_and_dates(client):
    [done], _ = both(client, "requests/I0001")
    assert (done["status"], done["status_notes"]) == ("closed", "已落实 / Done")
    assert done["service_code"] == "development" and done["service_name"] == "产业发展"
    assert done["agency_responsible"] == "平原街道经济发展办"
    assert done["requested_datetime"] == "2021-02-03T00:00:00+08:00"
    assert done["expected_datetime"] == "2021-04-14T00:00:00+08:00"  # its due date
    assert done["updated_datetime"] > done["requested_datetime"]  # its latest timeline step
    assert done["address"] == "苏庄社区" and done["media_url"] is None
    [open_one], _ = both(client, "requests/I0136", lang="en")
    assert (open_one["status"], open_one["status_notes"]) == ("open", "挑好人 / People chosen")
    assert open_one["address"] == "邮电局家属院, 福禄社区" and open_one["address_id"] == "C015"
    assert open_one["service_name"] == "Old-compound renovation"
    assert both(client, "requests/I9999", 404, lang="en")[0] == \
        [{"code": 404, "description": "No such resource: requests/I9999"}]


def test_filters_by_status_code_dates_and_ids(client):
    def ids(**params):
        return [r["service_request_id"] for r in both(client, "requests", **params)[0]]

    everything = both(client, "requests")[0]
    closed = ids(status="closed")
    assert closed and closed == [r["service_request_id"] for r in everything if r["status"] == "closed"]
    assert sorted(ids(status="open,closed")) == sorted(r["service_request_id"] for r in everything)
    codes = both(client, "requests", service_code="parking,water")[0]
    assert codes and {r["service_code"] for r in codes} == {"parking", "water"}
    early = both(client, "requests", start_date="2021-01-01T00:00:00+08:00", end_date="2021-03-01T00:00:00Z")[0]
    assert early and all("2021-01-01" <= r["requested_datetime"][:10] <= "2021-03-01" for r in early)
    assert "I0001" in [r["service_request_id"] for r in early]
    after = both(client, "requests", start_date="2021-02-04")[0]  # 90 days from the start
    assert after and all("2021-02-04" <= r["requested_datetime"][:10] <= "2021-05-05" for r in after)
    # ids override every other filter (I0001 is older than 90 days); unknown ids are left out
    assert sorted(ids(service_request_id="I0001,I0136,I9999", status="open")) == ["I0001", "I0136"]


def test_bad_filters_are_refused_all_at_once(client):
    errors = both(client, "requests", 400, lang="en", status="open,maybe", service_code="boats",
                  start_date="yesterday")[0]
    assert [e["code"] for e in errors] == [400, 400, 400]
    said = " ".join(e["description"] for e in errors)
    assert 'Unknown service_code "boats"' in said and '"maybe"' in said and '"yesterday"' in said
    span = both(client, "requests", 400, lang="en", start_date="2022-01-01", end_date="2022-06-01")[0]
    assert span == [{"code": 400, "description": "The dates may span at most 90 days."}]
    reversed_ = both(client, "requests", 400, lang="en", start_date="2022-06-01", end_date="2022-05-01")[0]
    assert reversed_ == [{"code": 400, "description": "start_date is after end_date."}]


def test_at_most_1000_requests_newest_first(client, demo_store_path):
    seed_issues(demo_store_path, 1_100)
    found = client.get(f"{V2}/requests.json").json()
    assert len(found) == 1_000
    assert all(r["service_request_id"].startswith("T") for r in found)  # today's, before older ones
    assert found[0]["service_request_id"] == "T01099"  # same day: highest id first
    xml = ET.fromstring(client.get(f"{V2}/requests.xml").content)
    assert len(xml) == 1_000


def test_a_store_that_cannot_be_reached_is_the_spec_s_general_error(client, monkeypatch, tmp_path):
    monkeypatch.setenv("YISHI_STORE", str(tmp_path / "gone.sqlite"))
    answer = client.get(f"{V2}/requests.json", params={"lang": "en"})
    assert answer.status_code == 400
    assert answer.json() == [{"code": 400, "description": "The service is unavailable for now; try again later."}]
    assert "gone.sqlite" not in answer.text


# ---------------------------------------------------------------------- POST requests


def test_posting_needs_a_key_that_is_known_and_not_revoked(client, demo_store_path, key):
    before = issue_count(demo_store_path)
    missing = post(client, "xml", **{k: v for k, v in a_report(key).items() if k != "api_key"}, lang="en")
    assert missing.status_code == 403
    assert plain(ET.fromstring(missing.content)) == \
        [{"code": "403", "description": "api_key is missing: posting a request needs an API key."}]
    bad = post(client, **a_report("yk_not-a-key"), lang="en")
    assert bad.status_code == 403
    assert bad.json() == [{"code": 403, "description": "api_key is invalid or has been revoked."}]
    with open_store(demo_store_path) as store:
        apikeys.revoke(store, apikeys.listing(store)["key_id"].iloc[0], by="admin")
    revoked = post(client, **a_report(key))
    assert revoked.status_code == 403 and revoked.json()[0]["description"] == "api_key 无效或已被吊销。"
    assert issue_count(demo_store_path) == before


def test_a_bad_request_is_refused_with_every_reason_and_writes_nothing(client, demo_store_path, key):
    before = issue_count(demo_store_path)
    unknown = post(client, **a_report(key, service_code="boats"), lang="en")
    assert unknown.status_code == 400 and 'Unknown service_code "boats"' in unknown.json()[0]["description"]
    outside = post(client, "xml", **a_report(key, lat="34.0", long="115.0"), lang="en")
    assert outside.status_code == 400
    [error] = plain(ET.fromstring(outside.content))
    assert error["code"] == "400" and "(115.0, 34.0) lies outside the subdistrict" in error["description"]
    everything = post(client, api_key=key, lat="north", address_string="x", lang="en")
    said = [e["description"] for e in everything.json()]
    assert everything.status_code == 400 and len(said) == 3, said
    assert said[0] == "service_code was not provided." and said[1] == "description was not provided."
    assert said[2] == "lat and long must be given together."
    nowhere = post(client, **{**a_report(key), "lat": "", "long": "", "address_string": "月球基地"}, lang="en")
    assert nowhere.status_code == 400 and "names no known compound" in nowhere.json()[0]["description"]
    too_long = post(client, **a_report(key, description="长" * 501))
    assert too_long.status_code == 400
    not_a_form = client.post(f"{V2}/requests.json", json=a_report(key), params={"lang": "en"})
    assert not_a_form.status_code == 400 and "form-encoded" in not_a_form.json()[0]["description"]
    assert issue_count(demo_store_path) == before


def test_a_valid_request_is_a_pending_report_its_token_follows(client, demo_store_path, key):
    answer = post(client, **a_report(key, first_name="秘密", last_name="欧阳", phone=SECRET_PHONE,
                                     email="someone@example.com"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json; charset=utf-8"
    [made] = answer.json()
    assert set(made) == {"service_request_id", "token", "service_notice"}
    assert made["token"] in made["service_notice"] and "/track?code=" in made["service_notice"]
    [followed], _ = both(client, f"tokens/{made['token']}")
    assert followed == {"service_request_id": made["service_request_id"], "token": made["token"]}
    [shown], _ = both(client, f"requests/{made['service_request_id']}")
    assert shown["status"] == "open" and shown["status_notes"] == "收集 / Collected (待受理 / Awaiting triage)"
    assert shown["address"].startswith("盐业局小区")
    with open_store(demo_store_path) as store:
        row = store.get_row("issues", made["service_request_id"])
        assert (row["source"], row["triage"], row["stage"]) == ("open311", "pending", "collected")
        assert (row["reporter_name"], row["reporter_phone"]) == (SECRET_NAME, SECRET_PHONE)  # staff see it
        assert "someone@example.com" not in str(row)  # email is not kept
        top = store.audit_trail().iloc[0]
        assert top["who"] == "open311:市民热线" and made["service_request_id"] in top["detail"]
    assert both(client, "tokens/ZZZZ-ZZZZ", 404)[0][0]["code"] == 404


def test_an_address_string_naming_a_compound_places_the_report_in_it(client, demo_store_path, key):
    fields = {**a_report(key), "lat": "", "long": "", "address_string": "盐业局小区 3号楼 2单元"}
    answer = post(client, "xml", **fields)
    assert answer.status_code == 200
    made = xmltodict.parse(answer.content)["service_requests"]["request"]
    with open_store(demo_store_path) as store:
        point = store.get_row("issues", made["service_request_id"])["geom"]
        compound = store.get_row("compounds", "C001")["geom"]
    assert compound.contains(point)


def test_a_merged_or_declined_report_is_closed_with_its_reason(client, demo_store_path, key):
    keep, dup, junk = (post(client, **a_report(key, description=text)).json()[0]
                       for text in ("门口乱停车", "门口停车乱", "广告"))
    with open_store(demo_store_path) as store:
        add_accounts(store, USERS["staff"])
        residents.accept(store, keep["service_request_id"], user=USERS["staff"])
        residents.merge(store, dup["service_request_id"], keep["service_request_id"], user=USERS["staff"])
        residents.decline(store, junk["service_request_id"], "属于商业广告，不在议事范围", user=USERS["staff"])
    found = {r["service_request_id"]: r for r in both(
        client, "requests", service_request_id=",".join(r["service_request_id"] for r in (keep, dup, junk)))[0]}
    assert found[keep["service_request_id"]]["status"] == "open"
    assert found[dup["service_request_id"]]["status"] == "closed"
    assert found[dup["service_request_id"]]["status_notes"] == f"已合并 / Merged: {keep['service_request_id']}"
    assert (found[junk["service_request_id"]]["status"], found[junk["service_request_id"]]["status_notes"]) == \
        ("closed", "不予受理 / Declined: 属于商业广告，不在议事范围")
    # the merged report's token now follows the issue that carries the work
    assert both(client, f"tokens/{dup['token']}")[0][0]["service_request_id"] == keep["service_request_id"]
    # the status filter agrees, also for a report set aside whose stage was never closed (an import)
    [aside] = seed_issues(demo_store_path, 1, triage="declined", declined_reason="重复")
    closed = [r["service_request_id"] for r in both(client, "requests", status="closed")[0]]
    open_ = [r["service_request_id"] for r in both(client, "requests", status="open")[0]]
    assert {dup["service_request_id"], junk["service_request_id"], aside} <= set(closed)
    assert keep["service_request_id"] in open_ and not {dup["service_request_id"], junk["service_request_id"],
                                                         aside} & set(open_)
    assert closed == [r["service_request_id"] for r in both(client, "requests")[0] if r["status"] == "closed"]


def test_posts_are_rate_limited_per_key_and_a_refused_one_writes_nothing(client, demo_store_path, key,
                                                                           monkeypatch):
    monkeypatch.setattr(routes, "POSTS", RateLimit(2, 3600))
    assert post(client, **a_report(key, service_code="boats")).status_code == 400  # not counted
    assert [post(client, **a_report(key)).status_code for _ in range(2)] == [200, 200]
    before = issue_count(demo_store_path)
    with open_store(demo_store_path) as store:
        audited = len(store.audit_trail())
        other = apikeys.issue(store, "another system", by="admin").key
    refused = post(client, "xml", **a_report(key), lang="en")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    [error] = plain(ET.fromstring(refused.content))
    assert error["code"] == "429" and "at most 2 an hour" in error["description"]
    assert issue_count(demo_store_path) == before
    with open_store(demo_store_path) as store:
        assert len(store.audit_trail()) == audited + 1  # the other key's issuing only
    assert post(client, **a_report(other)).status_code == 200  # another key has its own budget


def test_token_look_ups_share_the_residents_limit_per_address(client, monkeypatch):
    monkeypatch.setattr(limits, "LOOKUPS", RateLimit(2, 600))
    assert [client.get(f"{V2}/tokens/AAAA-AAA{n}.json").status_code for n in range(2)] == [404, 404]
    refused = client.get(f"{V2}/tokens/AAAA-AAA9.json", params={"lang": "en"})
    assert refused.status_code == 429 and "Too many look-ups" in refused.json()[0]["description"]


# ------------------------------------------------------------------------ privacy, escaping


def test_a_staff_closed_issue_says_closed_without_staff_s_reason(client, demo_store_path):
    seed_issues(demo_store_path, 1, stage="closed", closed_reason="内部原因：领导未批")
    [closed], _ = both(client, "requests/T00000")
    assert (closed["status"], closed["status_notes"]) == ("closed", "已终止 / Closed")
    assert "内部原因" not in client.get(f"{V2}/requests.xml").text


def test_a_window_without_requests_answers_an_empty_list(client):
    found, xml = both(client, "requests", start_date="2030-01-01")
    assert found == [] and xml.tag == "service_requests" and len(xml) == 0


def test_no_reporter_name_or_phone_in_any_get(client, demo_store_path, key):
    seed_issues(demo_store_path, 1, reporter_name=SECRET_NAME, reporter_phone=SECRET_PHONE)
    posted = post(client, **a_report(key, first_name="秘密", last_name="欧阳", phone=SECRET_PHONE)).json()[0]
    with open_store(demo_store_path) as store:  # both are stored: staff see them
        assert store.get_row("issues", "T00000")["reporter_name"] == SECRET_NAME
    paths = ["discovery", "services", "services/parking", "requests", "requests/T00000",
             f"requests/{posted['service_request_id']}", f"tokens/{posted['token']}"]
    queries = [{}, {"service_request_id": f"T00000,{posted['service_request_id']}"}, {"status": "open"}]
    for path in paths:
        for fmt in ("json", "xml"):
            for params in queries:
                body = client.get(f"{V2}/{path}.{fmt}", params=params).content.decode()
                assert SECRET_NAME not in body and SECRET_PHONE not in body and "秘密" not in body, path
                assert "reporter" not in body


def test_hostile_text_is_escaped_in_xml_and_json(client, demo_store_path):
    hostile = '<script>alert("x")</script> & ]]> \x01\x0b end'
    seed_issues(demo_store_path, 1, title=hostile, responsible_unit="<b>unit</b>")
    as_xml = client.get(f"{V2}/requests/T00000.xml")
    assert b"<script>" not in as_xml.content and b"<b>" not in as_xml.content
    request = ET.fromstring(as_xml.content).find("request")  # well-formed despite control characters
    assert request.find("description").text == '<script>alert("x")</script> & ]]>  end'
    assert request.find("agency_responsible").text == "<b>unit</b>"
    as_json = client.get(f"{V2}/requests/T00000.json")
    assert as_json.headers["x-content-type-options"] == "nosniff"
    assert as_json.json()[0]["agency_responsible"] == "<b>unit</b>"


# ------------------------------------------------------------------- a client library


def test_the_georeport_client_library_reads_our_json_and_xml(client, monkeypatch):
    """georeport (PyPI) is a maintained GeoReport v2 client; it calls `requests.get`, here
    answered by the test client. It has no POST: that answer is parsed with xmltodict, the
    parser it uses itself."""
    monkeypatch.setattr(georeport.georeport, "requests", types.SimpleNamespace(get=client.get))
    for fmt in ("json", "xml"):
        reader = georeport.GeoReport(f"http://testserver{V2}", output_format=fmt)
        services = reader.get_service_list()
        assert [s["service_code"] for s in services] == list(CATEGORIES.codes)
        assert reader.get_service_definition("parking")["service_code"] == "parking"
        found = reader.get_service_requests(status="closed", service_code="development,parking",
                                            start_date="2021-01-01T00:00:00Z", end_date="2021-03-31T00:00:00Z")
        assert found and {r["status"] for r in found} == {"closed"}
        assert {r["service_code"] for r in found} <= {"development", "parking"}
        one = reader.get_service_request("I0001")
        assert one["service_request_id"] == "I0001" and one["status_notes"] == "已落实 / Done"


def test_xmltodict_reads_a_post_answer_and_errors(client, key):
    made = xmltodict.parse(post(client, "xml", **a_report(key)).content)["service_requests"]["request"]
    assert made["service_request_id"].startswith("I") and len(made["token"]) == 9
    errors = xmltodict.parse(post(client, "xml", **a_report("nope"), lang="en").content)
    assert errors == {"errors": {"error": {"code": "403", "description": "api_key is invalid or has been revoked."}}}


# ------------------------------------------------------------------------- OpenAPI


def test_the_openapi_document_is_valid_and_lists_every_route(client):
    answer = client.get(f"{V2}/openapi.json")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json; charset=utf-8"
    document = answer.json()
    validate(document)  # OpenAPI 3.1, by openapi-spec-validator
    assert document["openapi"].startswith("3.1") and document["servers"][0]["url"].endswith("/open311/v2")
    served = {}
    for route in routes.routes():
        path = route.path.removeprefix(V2)
        if path != "/openapi.json":
            served.setdefault(path, set()).update(m.lower() for m in route.methods - {"HEAD"})
    described = {path: set(item) for path, item in document["paths"].items()}
    assert described == served
