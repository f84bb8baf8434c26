"""The storage contract: what every backend must do, checked through the `Store` protocol only.

Runs once per backend (see conftest.py). Nothing here reaches behind the protocol (no SQL,
no private attributes), so a new backend passes by behaving like a store, not by looking
like SQLite. Rows are hand-built store rows: plain values, geometry as shapely objects.
"""

from __future__ import annotations

import inspect
import re
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from geo.errors import InputError
from geo.schema import ISSUES, LAYERS, VENUES
from yishi.storage import Row, Store, StoreMissing, create_store, open_store
from yishi.storage.protocol import BatchResult, Where

LON, LAT = 115.60, 34.40


def venue(venue_id: str, *, at: tuple[float, float] = (LON, LAT), **fields: object) -> Row:
    return {"venue_id": venue_id, "name": "议事亭", "kind": "pavilion", "geom": Point(*at), **fields}


def issue(issue_id: str, *, at: tuple[float, float] = (LON, LAT), **fields: object) -> Row:
    return {"issue_id": issue_id, "title": "停车难", "category": "parking", "focus": "livelihood",
            "stage": "collected", "reported_on": "2022-01-02", "geom": Point(*at), **fields}


def compound(compound_id: str, shape: Polygon, **fields: object) -> Row:
    return {"compound_id": compound_id, "name": "盐业局小区", "geom": shape, **fields}


def meeting(meeting_id: str, **fields: object) -> Row:
    return {"meeting_id": meeting_id, "held_on": "2022-03-01", "method": "meeting", **fields}


def event(event_id: str, issue_id: str) -> Row:
    return {"event_id": event_id, "issue_id": issue_id, "at": "2022-01-02", "to_stage": "collected"}


def user(username: str, role: str = "staff", **fields: object) -> Row:
    return {"username": username, "role": role, "community_id": None, "member_id": None,
            "password_hash": "hash-1", "disabled": 0, "failed_count": 0, "locked_until": None,
            "created_at": "2022-01-01T00:00:00+00:00", **fields}


def ids(frame: pd.DataFrame, layer: str = "venues") -> list[str]:
    return frame[LAYERS[layer].id_field].tolist()


def content(store: Store) -> dict[str, list[tuple]]:
    """Every data row of every layer, private fields and exact geometry (as WKB) included."""
    out = {}
    for name in LAYERS:
        frame = store.load_layer(name, include_private=True)
        out[name] = [tuple(shapely.to_wkb(v) if isinstance(v, shapely.Geometry)
                           else None if pd.isna(v) else v for v in row)
                     for row in frame.itertuples(index=False)]
    return out


def state(store: Store) -> tuple:
    """What a refused or dry-run call must leave alone: data, revision, batch log, audit trail."""
    return content(store), store.revision, store.history().to_dict("records"), len(store.audit_trail())


# -------------------------------------------------------------------- the protocol


def test_the_backend_offers_every_method_of_the_protocol_with_its_signature(store):
    assert isinstance(store, Store)
    assert isinstance(inspect.getattr_static(type(store), "revision"), property)
    methods = [n for n, v in vars(Store).items()
               if inspect.isfunction(v) and v.__qualname__ == f"Store.{n}"]
    assert {"__enter__", "load_layer", "write_batch", "undo", "put_user"} <= set(methods)
    for name in methods:
        wanted = inspect.signature(getattr(Store, name)).parameters.values()
        got = inspect.signature(getattr(type(store), name)).parameters.values()
        assert [(p.name, p.kind, p.default) for p in got] == \
               [(p.name, p.kind, p.default) for p in wanted], name


# ---------------------------------------------------------------- meta, revision, today


def test_meta_reads_back_what_set_meta_wrote_with_an_audit_row(store):
    assert store.meta("colour") is None
    assert store.meta("colour", "red") == "red"
    store.set_meta("colour", "蓝", by="admin")
    store.set_meta("colour", "绿", by="admin")
    assert store.meta("colour") == "绿"
    top = store.audit_trail().iloc[0]
    assert (top["who"], top["action"], top["target"]) == ("admin", "set_meta", "colour")


def test_revision_grows_by_one_per_committed_write_and_not_on_a_refused_one(store):
    start = store.revision
    first = store.write_batch("venues", [venue("V1")], by="t")
    assert store.revision == start + 1
    with pytest.raises(InputError):
        store.write_batch("venues", [venue("V2", kind="castle")], by="t")
    assert store.revision == start + 1
    store.undo(first.batch_id, by="t")
    assert store.revision == start + 2


def test_today_is_the_snapshot_date_when_one_is_set_else_the_clock(store):
    before = date.today()
    live = store.today()
    assert before <= live <= date.today()
    revision = store.revision
    store.set_meta("as_of", "2022-06-30", by="t")
    assert store.today() == date(2022, 6, 30)
    assert store.revision == revision + 1  # readers cache by revision: they must see the new today


def test_the_store_keeps_its_own_revision_and_schema_version(store):
    for key in ("revision", "schema_version"):
        with pytest.raises(InputError, match=key):
            store.set_meta(key, "99", by="t")


# --------------------------------------------------------------------------- reading


def test_load_layer_gives_typed_columns_ordered_by_id(store):
    store.write_batch("venues", [venue("V2", has_sign=1, opened_on="2022-05-01"),
                                 venue("V1", has_sign=0)], by="t")
    store.write_batch("issues", [issue("I1", residents_affected=30, satisfaction=4.5), issue("I2")],
                      by="t")
    venues, issues = store.load_layer("venues"), store.load_layer("issues")
    assert isinstance(venues, gpd.GeoDataFrame) and venues.crs == "EPSG:4326"
    assert list(venues.columns) == [*VENUES.field_names, "geometry"]
    assert ids(venues) == ["V1", "V2"]
    assert str(venues["has_sign"].dtype) == "boolean"
    assert venues["has_sign"].tolist() == [False, True]
    assert venues["has_staff"].isna().all()
    assert venues["opened_on"].tolist() == [None, "2022-05-01"]
    assert str(issues["residents_affected"].dtype) == "Int64"
    assert issues["residents_affected"].isna().tolist() == [False, True]
    assert str(issues["satisfaction"].dtype) == "float64"
    assert issues["satisfaction"].iloc[0] == 4.5


def test_an_empty_layer_still_has_its_columns(store):
    assert list(store.load_layer("issues").columns) == [*ISSUES.public_fields, "geometry"]
    assert list(store.load_layer("meetings").columns) == list(LAYERS["meetings"].field_names)


def test_geometry_round_trips_losslessly(store):
    p = Point(115.61691423456789, 34.43662812345678)
    poly = Polygon([(115.6, 34.4), (115.61, 34.4), (115.6100000001, 34.41), (115.6, 34.4)])
    store.write_batch("venues", [venue("V1", at=(p.x, p.y))], by="t")
    store.write_batch("compounds", [compound("C1", poly)], by="t")
    assert store.load_layer("venues").geometry.iloc[0].equals_exact(p, 0)
    assert shapely.to_wkb(store.load_layer("compounds").geometry.iloc[0]) == shapely.to_wkb(poly)


@pytest.mark.parametrize("read", [
    lambda s, **kw: s.load_layer("issues", **kw).iloc[0].to_dict(),
    lambda s, **kw: s.get_row("issues", "I1", **kw),
], ids=["load_layer", "get_row"])
def test_private_fields_are_given_only_when_asked(store, read):
    store.write_batch("issues", [issue("I1", reporter_name="李女士", reporter_phone="19900000001")],
                      by="t")
    public = read(store, include_private=False)
    assert {"reporter_name", "reporter_phone"}.isdisjoint(public)
    assert public["title"] == "停车难"
    assert read(store, include_private=True)["reporter_phone"] == "19900000001"


def test_bbox_keeps_the_rows_whose_box_meets_it(store):
    store.write_batch("venues", [venue("IN", at=(115.61, 34.41)), venue("ON_EDGE", at=(115.62, 34.41)),
                                 venue("OUT", at=(115.63, 34.41))], by="t")
    store.write_batch("compounds", [
        compound("INSIDE", box(115.605, 34.405, 115.606, 34.406)),
        compound("STRADDLING", box(115.615, 34.415, 115.625, 34.425)),
        compound("FAR", box(115.65, 34.45, 115.66, 34.46))], by="t")
    bbox = (115.60, 34.40, 115.62, 34.42)
    assert ids(store.load_layer("venues", bbox=bbox)) == ["IN", "ON_EDGE"]
    assert ids(store.load_layer("compounds", bbox=bbox), "compounds") == ["INSIDE", "STRADDLING"]
    assert store.load_layer("venues", bbox=(0.0, 0.0, 1.0, 1.0)).empty


def test_where_keeps_the_rows_whose_fields_equal_the_values(store):
    store.write_batch("venues", [venue("V1", kind="room"), venue("V2"),
                                 venue("V3", kind="room", has_sign=1, at=(115.7, 34.5))], by="t")
    assert ids(store.load_layer("venues", where={"kind": "room"})) == ["V1", "V3"]
    assert ids(store.load_layer("venues", where={"kind": "room", "has_sign": True})) == ["V3"]
    assert ids(store.load_layer("venues", where={"kind": "room"}, bbox=(LON, LAT, LON, LAT))) == ["V1"]
    assert list(store.load_layer("venues", where={"kind": "corner"}).columns)[:2] == ["venue_id", "name"]


@pytest.mark.parametrize("where", [{"colour": "red"}, {'kind" = kind OR "1': "1"}])
def test_where_on_an_unknown_field_is_refused(store, where):
    store.write_batch("venues", [venue("V1")], by="t")
    with pytest.raises(KeyError, match="has no field"):
        store.load_layer("venues", where=where)


def test_get_row_gives_one_row_with_shapely_geometry_or_none(store):
    store.write_batch("venues", [venue("V1", at=(115.61, 34.41), kind="room")], by="t")
    row = store.get_row("venues", "V1")
    assert (row["venue_id"], row["name"], row["kind"]) == ("V1", "议事亭", "room")
    assert isinstance(row["geom"], shapely.Geometry) and row["geom"].equals(Point(115.61, 34.41))
    assert store.get_row("venues", "V2") is None


def test_next_id_follows_the_highest_number_and_keeps_its_letters(store):
    assert store.next_id("meetings", "MT") == "MT0001"
    store.write_batch("meetings", [meeting("MT0009"), meeting("MT0002")], by="t")
    assert store.next_id("meetings", "M") == "MT0010"
    assert store.next_id("meetings", "M", width=6) == "MT000010"


# --------------------------------------------------------------------------- writing


def test_preview_sorts_rows_into_new_updated_unchanged_and_writes_nothing(store):
    store.write_batch("venues", [venue("V1"), venue("V2")], by="t")
    before = state(store)
    result = store.preview("venues", [{"venue_id": "V1", "name": "议事亭"}, venue("V2", name="新名字"),
                                      venue("V3")])
    assert (result.new, result.updated, result.unchanged) == (("V3",), ("V2",), ("V1",))
    assert state(store) == before


def test_an_update_changes_only_the_fields_the_row_carries(store):
    store.write_batch("venues", [venue("V1", has_sign=1, opened_on="2022-05-01")], by="t")
    result = store.write_batch("venues", [{"venue_id": "V1", "name": "新名字"}], by="t")
    row = store.get_row("venues", "V1")
    assert result.updated == ("V1",)
    assert (row["name"], row["kind"], row["has_sign"], row["opened_on"]) == \
           ("新名字", "pavilion", 1, "2022-05-01")
    assert row["geom"].equals(Point(LON, LAT))


def test_writing_the_same_rows_twice_changes_nothing(store):
    first = store.write_batch("venues", [venue("V1"), venue("V2", at=(115.61, 34.41))], by="t")
    before = content(store)
    again = store.write_batch("venues", [venue("V1"), venue("V2", at=(115.61, 34.41))], by="t")
    assert (first.new, again.new, again.updated, again.unchanged) == (("V1", "V2"), (), (), ("V1", "V2"))
    assert content(store) == before
    store.undo(first.batch_id, by="t")  # not refused: the second batch wrote no row
    assert content(store)["venues"] == []


def test_new_only_refuses_a_taken_id_and_writes_nothing_of_the_batch(store):
    store.write_batch("venues", [venue("V1")], by="t")
    before = state(store)
    with pytest.raises(InputError, match="V1"):
        store.write_batch("venues", [venue("V2"), venue("V1", name="改名")], by="t", new_only=True)
    assert state(store) == before


def test_extra_rows_of_other_layers_land_and_undo_with_the_batch(store):
    before = content(store)
    result = store.write_batch("issues", [issue("I1")], by="t",
                               extra={"issue_events": [event("E1", "I1")], "meetings": [meeting("MT0001")]})
    assert result.new == ("I1",)
    assert store.get_row("issue_events", "E1")["issue_id"] == "I1"
    assert ids(store.load_layer("meetings"), "meetings") == ["MT0001"]
    store.undo(result.batch_id, by="t")
    assert content(store) == before


def test_a_taken_id_among_extra_rows_refuses_the_batch_unless_that_layer_is_updatable(store):
    store.write_batch("issues", [issue("I1")], by="t",
                      extra={"issue_events": [event("E1", "I1")], "meetings": [meeting("MT0001")]})
    before = state(store)
    with pytest.raises(InputError, match="E1"):
        store.write_batch("issues", [issue("I2")], by="t", extra={"issue_events": [event("E1", "I2")]})
    assert state(store) == before
    store.write_batch("issues", [issue("I1", stage="meeting")], by="t",
                      extra={"meetings": [meeting("MT0001", participants=12)]},
                      extra_updatable=("meetings",))
    assert store.get_row("meetings", "MT0001")["participants"] == 12
    assert store.get_row("issues", "I1")["stage"] == "meeting"


@pytest.mark.parametrize("bad, named", [
    (venue("V3", kind="castle"), "V3"),
    (venue("V1", kind="castle"), "V1"),
    (venue("V3", has_sign=2), "V3"),
    (venue("V3", opened_on="2022-02-30"), "V3"),
    (venue("V3", at=(12868000.0, 4087000.0)), "V3"),
    (venue("V3", at=(181.0, 34.0)), "V3"),
    (venue("V3", at=(115.6, 95.0)), "V3"),
    ({"venue_id": "V3", "kind": "room", "geom": Point(LON, LAT)}, "V3"),
    ({"venue_id": "V3", "name": "议事角", "kind": "corner"}, "V3"),
    (venue("V2"), "V2"),
], ids=["enum", "enum-on-update", "bool", "no-such-day", "web-mercator", "longitude", "latitude",
        "required-missing", "geometry-missing", "id-twice"])
def test_a_row_the_store_refuses_rolls_back_the_whole_batch(store, bad, named):
    store.write_batch("venues", [venue("V1")], by="t")
    before = state(store)
    with pytest.raises(InputError, match=named):
        store.write_batch("venues", [venue("V2"), bad], by="t")
    assert state(store) == before


def test_every_write_leaves_one_audit_row_and_one_batch_with_who_and_how_many(store):
    audited = len(store.audit_trail())
    first = store.write_batch("venues", [venue("V1"), venue("V2")], by="王工作人员", source="a.geojson")
    second = store.write_batch("venues", [venue("V1", name="改名"), venue("V2"), venue("V3")], by="李",
                               action="edit", source="form")
    audit = store.audit_trail()
    assert len(audit) == audited + 2
    assert audit[["who", "action", "layer"]].head(2).values.tolist() == \
           [["李", "edit", "venues"], ["王工作人员", "import", "venues"]]
    assert audit["count"].head(2).tolist() == [2, 2]
    batches = store.history().head(2)
    assert batches["batch_id"].tolist() == [second.batch_id, first.batch_id]
    assert batches[["who", "source", "status", "n_new", "n_updated", "n_unchanged"]].values.tolist() == \
           [["李", "form", "committed", 1, 1, 1], ["王工作人员", "a.geojson", "committed", 2, 0, 0]]


def test_a_rejected_upload_is_logged_and_writes_no_data(store):
    store.write_batch("venues", [venue("V1")], by="t")
    data, revision = content(store), store.revision
    batch_id = store.record_rejected("venues", by="张", source="bad.geojson", n_rejected=3,
                                     problems=[{"code": "not_json"}])
    assert (content(store), store.revision) == (data, revision)
    top = store.history().iloc[0]
    assert (top["batch_id"], top["status"], top["n_rejected"], top["source"], top["who"]) == \
           (batch_id, "rejected", 3, "bad.geojson", "张")
    audit = store.audit_trail().iloc[0]
    assert (audit["who"], audit["action"], audit["layer"], audit["count"]) == \
           ("张", "import_rejected", "venues", 3)


# --------------------------------------------------------------- counting and paging


@pytest.fixture
def issues_here(store) -> Store:
    """Six issues in two subdistricts, two months, with and without due dates."""
    store.write_batch("issues", [
        issue("I1", stage="collected", reported_on="2022-01-05", subdistrict_id="411402001", at=(115.60, 34.40)),
        issue("I2", stage="implementing", reported_on="2022-01-20", due_on="2022-03-01", satisfaction=None,
              subdistrict_id="411402001", title="路灯 100% 不亮", at=(115.61, 34.41)),
        issue("I3", stage="done", reported_on="2022-02-02", satisfaction=4.0, subdistrict_id="411402002",
              at=(115.62, 34.42)),
        issue("I4", stage="done", reported_on="2022-02-10", satisfaction=5.0, subdistrict_id="411403001",
              category="water", at=(115.70, 34.50)),
        issue("I5", stage="implementing", reported_on="2022-02-11", due_on="2022-09-01",
              subdistrict_id="411403001", reporter_name="张三", at=(115.71, 34.51)),
        issue("I6", stage="collected", reported_on="2022-02-12", at=(115.72, 34.52)),
    ], by="t")
    return store


def test_summarise_counts_rows_per_key_and_sums_numbers(issues_here):
    by_stage = issues_here.summarise("issues", by=("stage",))
    assert by_stage.to_dict("records") == [{"stage": "collected", "n": 2}, {"stage": "done", "n": 2},
                                           {"stage": "implementing", "n": 2}]
    whole = issues_here.summarise("issues", sums=("satisfaction",)).iloc[0]
    assert (int(whole["n"]), float(whole["satisfaction_sum"]), int(whole["satisfaction_n"])) == (6, 9.0, 2)
    months = issues_here.summarise("issues", by=("reported_on:month", "category"))
    assert months.values.tolist() == [["2022-01", "parking", 2], ["2022-02", "parking", 3], ["2022-02", "water", 1]]


def test_where_narrows_by_values_dates_deadlines_regions_boxes_and_text(issues_here):
    def ids(where: Where) -> list[str]:
        return issues_here.select("issues", where)["issue_id"].tolist()

    assert ids(Where(any_of={"stage": ("done", "implementing")})) == ["I2", "I3", "I4", "I5"]
    assert ids(Where(any_of={"stage": ()})) == []
    assert ids(Where(none_of={"stage": ("done", "collected")})) == ["I2", "I5"]
    assert ids(Where(none_of={"due_on": ("2022-03-01",)})) == ["I1", "I3", "I4", "I5", "I6"]  # a null is none
    assert ids(Where(none_of={"stage": ()})) == ids(Where())
    assert ids(Where(between={"reported_on": ("2022-02-01", None)})) == ["I3", "I4", "I5", "I6"]
    assert ids(Where(between={"reported_on": ("2022-01-10", "2022-02-02")})) == ["I2", "I3"]
    assert ids(Where(below={"due_on": "2022-06-17"})) == ["I2"]  # no due date is never overdue
    assert ids(Where(prefix={"subdistrict_id": ("411402",)})) == ["I1", "I2", "I3"]
    assert ids(Where(prefix={"subdistrict_id": ("411402002", "411403")})) == ["I3", "I4", "I5"]
    assert ids(Where(bbox=(115.695, 34.495, 115.715, 34.515))) == ["I4", "I5"]
    assert ids(Where(search=("100%", ("title",)))) == ["I2"]  # wildcards are taken literally
    assert ids(Where(search=("100_", ("title",)))) == []
    assert ids(Where(search=("张三", ("title", "reporter_name")))) == []  # never by personal data
    assert ids(Where(any_of={"category": ("parking",)}, prefix={"subdistrict_id": ("411403",)})) == ["I5"]
    counted = issues_here.summarise("issues", Where(prefix={"subdistrict_id": ("411403",)}), by=("subdistrict_id",))
    assert counted.values.tolist() == [["411403001", 2]]
    with pytest.raises(KeyError, match="nope"):
        issues_here.summarise("issues", Where(any_of={"nope": (1,)}))


def test_select_gives_stable_sorted_pages_of_the_fields_asked(issues_here):
    order = (("stage", False), ("reported_on", True))
    pages = [issues_here.select("issues", order_by=order, limit=4, offset=k) for k in (0, 4)]
    assert [p["issue_id"].tolist() for p in pages] == [["I6", "I1", "I4", "I3"], ["I5", "I2"]]
    slim = issues_here.select("issues", fields=("title",), limit=1)
    assert list(slim.columns) == ["issue_id", "title", "geometry"] and slim.crs == "EPSG:4326"
    assert "reporter_name" not in issues_here.select("issues").columns
    private = issues_here.select("issues", Where(any_of={"issue_id": ("I5",)}), include_private=True)
    assert private["reporter_name"].tolist() == ["张三"]
    by_due = issues_here.select("issues", order_by=(("due_on", True),))["issue_id"].tolist()
    assert by_due[:2] == ["I5", "I2"]  # the latest deadline first, issues without one last


# ------------------------------------------------------------------------------ undo


def test_undo_restores_exactly_what_was_there_and_is_audited(store):
    store.write_batch("issues", [issue("I1", reporter_phone="19900000001", satisfaction=4.0)], by="t")
    store.write_batch("venues", [venue("V1", has_sign=1)], by="t")
    before = content(store)
    batch = store.write_batch("venues", [venue("V1", kind="room", has_sign=0, at=(115.7, 34.5)),
                                         venue("V2", at=(115.61, 34.41))], by="t",
                              extra={"issues": [issue("I1", stage="meeting", reporter_phone=None,
                                                      at=(115.65, 34.45))]},
                              extra_updatable=("issues",))
    assert content(store) != before
    result = store.undo(batch.batch_id, by="管理员")
    assert content(store) == before
    assert set(result.updated) == {"V1", "V2", "I1"}
    assert store.history().set_index("batch_id").loc[batch.batch_id, "status"] == "undone"
    top = store.audit_trail().iloc[0]
    assert (top["who"], top["action"], top["target"]) == ("管理员", "undo", str(batch.batch_id))


def test_undo_is_refused_while_a_later_batch_changed_the_same_rows(store):
    first = store.write_batch("venues", [venue("V1")], by="t")
    later = store.write_batch("venues", [venue("V1", name="改名")], by="t")
    before = state(store)
    with pytest.raises(InputError, match="later batch"):
        store.undo(first.batch_id, by="t")
    assert state(store) == before
    store.undo(later.batch_id, by="t")
    store.undo(first.batch_id, by="t")
    assert content(store)["venues"] == []


def test_a_big_batch_of_new_and_changed_rows_undoes_exactly_and_a_refused_row_is_named(store):
    many = [issue(f"I{k:05d}", at=(LON + k * 1e-5, LAT), satisfaction=float(k % 5 + 1)) for k in range(1200)]
    store.write_batch("issues", many[:700], by="t")
    before = content(store)
    changed = [{**row, "stage": "meeting", "reporter_phone": None, "geom": Point(LON, LAT + 0.01)}
               for row in many[:700:2]]
    batch = store.write_batch("issues", changed + many[700:], by="t")
    assert (len(batch.new), len(batch.updated), len(batch.unchanged)) == (500, 350, 0)
    row = store.get_row("issues", "I00002")
    assert (row["stage"], row["satisfaction"], row["geom"].y) == ("meeting", 3.0, LAT + 0.01)
    store.undo(batch.batch_id, by="t")
    assert content(store) == before

    kept = state(store)
    refused = [dict(row, stage="meeting") for row in many[:600]]
    refused[450] = dict(refused[450], category="castle")
    with pytest.raises(InputError, match="I00450"):
        store.write_batch("issues", refused + many[700:], by="t")
    assert state(store) == kept


def places_layout(store: Store) -> None:
    """Communities with a shared edge (C1 | C2), one with a hole (C3), two overlapping
    compounds (K1, K2); issues on the edge, in the hole, outside everything, in the overlap,
    and where they are stored with wrong places."""
    def square(x: float, y: float, size: float = 0.01) -> Polygon:
        return box(LON + x, LAT + y, LON + x + size, LAT + y + size)

    holed = Polygon(square(0.03, 0).exterior.coords, [square(0.033, 0.003, 0.004).exterior.coords])
    store.write_batch("communities", [{"community_id": c, "name": c, "geom": g} for c, g in
                                      (("C2", square(0, 0)), ("C1", square(0.01, 0)), ("C3", holed))], by="t")
    store.write_batch("compounds", [compound("K2", square(0.002, 0.002, 0.004)),
                                    compound("K1", square(0.004, 0.004, 0.004))], by="t")
    at = {"edge": (0.01, 0.005), "hole": (0.035, 0.005), "outside": (0.1, 0.1), "overlap": (0.005, 0.005),
          "only_k2": (0.003, 0.003), "c1": (0.015, 0.005), "c3": (0.031, 0.001)}
    store.write_batch("issues", [
        issue("I1", at=(LON + at["edge"][0], LAT + at["edge"][1])),
        issue("I2", at=(LON + at["hole"][0], LAT + at["hole"][1]), community_id="C3"),
        issue("I3", at=(LON + at["outside"][0], LAT + at["outside"][1]), community_id="C2", compound_id="K1"),
        issue("I4", at=(LON + at["overlap"][0], LAT + at["overlap"][1]), compound_id="K2"),
        issue("I5", at=(LON + at["only_k2"][0], LAT + at["only_k2"][1])),
        issue("I6", at=(LON + at["c1"][0], LAT + at["c1"][1]), community_id="C1"),
        issue("I7", at=(LON + at["c3"][0], LAT + at["c3"][1]), community_id="C3"),
    ], by="t")


def stored_places(store: Store) -> dict[str, tuple]:
    issues = store.load_layer("issues")
    return {i: (c, k) for i, c, k in zip(issues["issue_id"], issues["community_id"], issues["compound_id"])}


def test_assign_places_stores_where_geo_joins_puts_each_issue_in_one_undoable_batch(store):
    from geo.joins import place

    places_layout(store)
    before, revision = content(store), store.revision
    result = store.assign_places(by="管理员")

    issues = store.load_layer("issues")
    joined = place(issues.geometry, communities=store.load_layer("communities"),
                   compounds=store.load_layer("compounds"))
    assert stored_places(store) == {i: (c, k) for i, c, k in zip(
        issues["issue_id"], joined["community_id"], joined["compound_id"])}
    assert stored_places(store) == {"I1": ("C1", None), "I2": (None, None), "I3": (None, None),
                                    "I4": ("C2", "K1"), "I5": ("C2", "K2"), "I6": ("C1", None),
                                    "I7": ("C3", None)}
    assert (result.new, sorted(result.updated), result.unchanged) == ((), ["I1", "I2", "I3", "I4", "I5"], ())
    assert store.revision == revision + 1
    top = store.history().iloc[0]
    assert (top["batch_id"], top["who"], top["action"], top["layer"], top["n_updated"]) == \
           (result.batch_id, "管理员", "reassign", "issues", 5)
    audit = store.audit_trail().iloc[0]
    assert (audit["who"], audit["action"], audit["target"], audit["count"]) == \
           ("管理员", "reassign", str(result.batch_id), 5)

    placed = state(store)
    assert store.assign_places(by="t") == BatchResult(0, (), (), ())  # nothing changes: nothing written
    assert state(store) == placed

    store.undo(result.batch_id, by="t")
    assert content(store) == before


def test_assign_places_on_a_store_without_issues_or_polygons_writes_nothing(store):
    before = state(store)
    assert store.assign_places(by="t") == BatchResult(0, (), (), ())
    store.write_batch("issues", [issue("I1", community_id="C9")], by="t")
    result = store.assign_places(by="t")  # no communities at all: the stale place is cleared
    assert result.updated == ("I1",) and stored_places(store) == {"I1": (None, None)}
    assert before[1] + 2 == store.revision


@pytest.mark.parametrize("which", ["undone", "rejected", "unknown"])
def test_undo_is_refused_for_a_batch_that_is_not_committed(store, which):
    batch = store.write_batch("venues", [venue("V1")], by="t")
    if which == "undone":
        store.undo(batch.batch_id, by="t")
        store.write_batch("venues", [venue("V1", name="again")], by="t")
        target = batch.batch_id
    elif which == "rejected":
        target = store.record_rejected("venues", by="t", source="bad.geojson", n_rejected=1, problems=[])
    else:
        target = batch.batch_id + 100
    before = state(store)
    with pytest.raises(InputError, match=str(target)):
        store.undo(target, by="t")
    assert state(store) == before


# -------------------------------------------------------------------- history, audit


def test_history_lists_batches_newest_first(store):
    made = [store.write_batch("venues", [venue("V1", name=name)], by="t").batch_id
            for name in ("一", "二", "三")]
    rejected = store.record_rejected("venues", by="t", source="x", n_rejected=1, problems=[])
    assert store.history()["batch_id"].tolist() == [rejected, *reversed(made)]


def test_log_appends_one_audit_row_and_changes_nothing_else(store):
    store.write_batch("venues", [venue("V1")], by="t")
    data, revision, batches = content(store), store.revision, len(store.history())
    audited = len(store.audit_trail())
    store.log(by="张", action="signin", target="张", layer="users", detail={"via": "password"})
    audit = store.audit_trail()
    assert len(audit) == audited + 1
    top = audit.iloc[0]
    assert (top["who"], top["action"], top["target"], top["layer"]) == ("张", "signin", "张", "users")
    assert (content(store), store.revision, len(store.history())) == (data, revision, batches)


def test_audit_trail_gives_the_newest_rows_up_to_the_limit(store):
    for n in range(5):
        store.log(by="t", action=f"a{n}")
    assert store.audit_trail(limit=2)["action"].tolist() == ["a4", "a3"]
    assert len(store.audit_trail(limit=1000)) >= 5


# -------------------------------------------------------------------------- accounts


def test_users_are_inserted_then_updated_field_by_field_with_audit_rows(store):
    assert store.get_user("wang") is None
    assert store.load_users().empty
    store.put_user(user("wang"), by="admin", action="user_add", detail={"role": "staff"})
    store.put_user(user("an", role="member", community_id="C1"), by="admin", action="user_add")
    store.put_user({"username": "wang", "failed_count": 2}, by="wang", action="signin_failed")
    wang = store.get_user("wang")
    assert (wang["role"], wang["password_hash"], wang["failed_count"]) == ("staff", "hash-1", 2)
    assert store.load_users()["username"].tolist() == ["an", "wang"]
    audit = store.audit_trail().head(3)
    assert audit[["who", "action", "target", "layer"]].values.tolist() == [
        ["wang", "signin_failed", "wang", "users"], ["admin", "user_add", "an", "users"],
        ["admin", "user_add", "wang", "users"]]


@pytest.mark.parametrize("bad", [user("zhao", role="king"), {"username": "zhao", "role": "staff"}],
                         ids=["unknown-role", "no-password-hash"])
def test_an_account_the_store_refuses_is_not_written(store, bad):
    audited = len(store.audit_trail())
    with pytest.raises(InputError, match="zhao"):
        store.put_user(bad, by="admin", action="user_add")
    assert store.get_user("zhao") is None
    assert len(store.audit_trail()) == audited


def session(key: str, username: str, *, last_seen: str = "2022-01-01T08:00:00+00:00") -> Row:
    return {"session_hash": key, "username": username, "created_at": "2022-01-01T08:00:00+00:00",
            "last_seen": last_seen, "expires_at": "2022-01-08T08:00:00+00:00",
            "user_agent": "Chromium", "address": "10.0.0.7"}


def test_a_failed_sign_in_is_counted_locked_and_audited_in_one_step(store):
    store.put_user(user("wang"), by="admin", action="user_add")
    later = "2030-01-01T00:00:00+00:00"

    def fail(address: str) -> tuple[int, int]:
        return store.count_failure("wang", address=address, at="2022-01-01T08:00:00+00:00",
                                   lock_for=lambda here, all_: (later if here >= 2 else None,
                                                                later if all_ >= 3 else None))

    counts = [fail("10.0.0.7"), fail("10.0.0.7"), fail("10.0.0.9")]
    wang = store.get_user("wang")
    assert counts == [(1, 1), (2, 2), (1, 3)]
    assert (wang["failed_count"], wang["locked_until"]) == (3, later)
    assert store.signin_lock("wang", "10.0.0.7") == later and store.signin_lock("wang", "10.0.0.9") is None
    trail = store.audit_trail().head(3)
    assert trail["action"].tolist() == ["signin_failed"] * 3 and set(trail["who"]) == {"wang"}
    with pytest.raises(InputError, match="nobody"):
        store.count_failure("nobody", address="", at=later, lock_for=lambda here, all_: (None, None))
    store.add_session(session("h1", "wang"))  # from 10.0.0.7: that address starts over
    assert store.signin_lock("wang", "10.0.0.7") is None and store.get_user("wang")["failed_count"] == 0
    fail("10.0.0.9")
    store.put_user({"username": "wang", "failed_count": 0, "locked_until": None}, by="admin",
                   action="user_passwd")
    assert store.signin_lock("wang", "10.0.0.9") is None


def test_sessions_start_clear_failures_and_end_by_id_user_or_age(store):
    store.put_user(user("wang", failed_count=3, locked_until="2030-01-01T00:00:00+00:00"), by="a",
                   action="user_add")
    store.put_user(user("an"), by="a", action="user_add")
    store.add_session(session("h1", "wang"), detail={"via": "password"})
    store.add_session(session("h2", "wang", last_seen="2022-01-01T09:00:00+00:00"))
    store.add_session(session("h3", "an", last_seen="2022-01-01T10:00:00+00:00"))
    wang = store.get_user("wang")
    assert (wang["failed_count"], wang["locked_until"]) == (0, None)
    assert store.audit_trail().head(3)["action"].tolist() == ["signin"] * 3
    assert store.get_session("h1")["user_agent"] == "Chromium" and store.get_session("nope") is None
    assert store.list_sessions()["session_hash"].tolist() == ["h3", "h2", "h1"]  # latest use first

    store.touch_session("h1", "2022-01-01T11:00:00+00:00")
    assert store.get_session("h1")["last_seen"] == "2022-01-01T11:00:00+00:00"
    assert store.end_sessions(by="system", action="session_expired", before="2022-01-01T09:30:00+00:00") == 1
    assert store.get_session("h2") is None
    assert store.end_sessions(by="wang", action="signout", session_hash="h1") == 1
    assert store.end_sessions(by="admin", action="session_revoke", username="an") == 1
    assert store.list_sessions().empty
    assert store.audit_trail().head(3)["action"].tolist() == ["session_revoke", "signout", "session_expired"]
    with pytest.raises(ValueError):
        store.end_sessions(by="admin", action="session_revoke")
    audited = len(store.audit_trail())
    assert store.end_sessions(by="system", action="session_expired", before="2030-01-01") == 0
    assert len(store.audit_trail()) == audited  # a sweep that ends nothing leaves no row


def test_an_account_change_can_end_its_sessions_in_the_same_write(store):
    store.put_user(user("wang"), by="a", action="user_add")
    store.add_session(session("h1", "wang"))
    store.put_user({"username": "wang", "role": "leader"}, by="admin", action="role_change")
    assert store.get_session("h1") is not None  # not asked to
    store.put_user({"username": "wang", "disabled": 1}, by="admin", action="user_disable", end_sessions=True)
    assert store.get_session("h1") is None
    assert store.audit_trail().iloc[0]["action"] == "user_disable"


def test_a_write_that_would_leave_no_enabled_admin_is_refused_whole(store):
    store.put_user(user("root", role="admin"), by="init", action="user_add")
    store.put_user(user("wang"), by="root", action="user_add")
    store.add_session(session("h1", "root"))
    audited = len(store.audit_trail())
    with pytest.raises(InputError, match="root"):
        store.put_user({"username": "root", "disabled": 1}, by="x", action="user_disable",
                       end_sessions=True, keep_an_admin=True)
    assert store.get_user("root")["disabled"] == 0 and store.get_session("h1") is not None
    assert len(store.audit_trail()) == audited
    store.put_user({"username": "wang", "role": "admin"}, by="root", action="role_change", keep_an_admin=True)
    store.put_user({"username": "root", "role": "staff"}, by="wang", action="role_change", keep_an_admin=True)
    assert store.get_user("root")["role"] == "staff"


def test_a_session_for_an_unknown_account_is_refused(store):
    with pytest.raises(InputError, match="ghost"):
        store.add_session(session("h1", "ghost"))
    assert store.list_sessions().empty


# ------------------------------------------------------------------ API keys


def api_key(key_id: str, name: str, key_hash: str) -> Row:
    return {"key_id": key_id, "name": name, "key_hash": key_hash,
            "created_at": "2022-01-01T08:00:00+00:00", "created_by": "admin"}


def test_api_keys_are_added_found_by_hash_listed_and_revoked_with_audit_rows(store):
    assert store.list_api_keys().empty and store.api_key_by_hash("h1") is None
    store.add_api_key(api_key("K001", "市民热线", "h1"), by="admin")
    store.add_api_key(api_key("K002", "city app", "h2"), by="admin")
    found = store.api_key_by_hash("h1")
    assert (found["key_id"], found["name"], found["revoked_at"]) == ("K001", "市民热线", None)
    assert store.list_api_keys()["key_id"].tolist() == ["K001", "K002"]
    top = store.audit_trail().iloc[0]
    assert (top["who"], top["action"], top["target"]) == ("admin", "apikey_add", "K002")
    assert "h2" not in top["detail"]  # the audit names the key, never its hash

    assert store.revoke_api_key("K001", by="root") is True
    assert store.api_key_by_hash("h1")["revoked_at"] is not None
    assert store.api_key_by_hash("h2")["revoked_at"] is None
    top = store.audit_trail().iloc[0]
    assert (top["who"], top["action"], top["target"]) == ("root", "apikey_revoke", "K001")
    audited = len(store.audit_trail())
    assert store.revoke_api_key("K001", by="root") is False  # already revoked: nothing written
    assert store.revoke_api_key("K404", by="root") is False
    assert len(store.audit_trail()) == audited


@pytest.mark.parametrize("clash", ["key_id", "key_hash"])
def test_an_api_key_with_a_taken_id_or_hash_is_refused_and_not_written(store, clash):
    store.add_api_key(api_key("K001", "a", "h1"), by="admin")
    audited = len(store.audit_trail())
    row = api_key("K001" if clash == "key_id" else "K002", "b", "h1" if clash == "key_hash" else "h2")
    with pytest.raises(InputError):
        store.add_api_key(row, by="admin")
    assert store.list_api_keys()["name"].tolist() == ["a"] and len(store.audit_trail()) == audited


# ------------------------------------------------------------------ opening, creating


def test_opening_a_missing_store_names_it_and_creates_nothing(backend):
    where = backend.location("typo")
    with pytest.raises(StoreMissing, match=re.escape(where)) as refused:
        open_store(where)
    assert "init" in str(refused.value)
    assert not backend.exists(where)


def test_a_store_reopens_with_its_data_and_is_never_created_twice(new_store):
    store = new_store()
    where = store.location
    store.write_batch("venues", [venue("V1")], by="t")
    store.close()
    with pytest.raises(InputError, match="exists"):
        create_store(where)
    with open_store(where) as again:
        assert again.location == where
        assert ids(again.load_layer("venues")) == ["V1"]
