"""The overview's map is built and rendered once per (store revision, filters, basemap, colouring,
language): a click, a page turn of the table or another session finds it rendered
(`ui.maps.widget.show_cached_map`), and what reaches the component is what st_folium sends."""

from __future__ import annotations

import pytest
import streamlit_folium

from tests.helpers import USERS, run_page
from tests.test_snapshot_cache import add_issue
from ui import maps
from ui.maps import widget
from yishi.services.snapshot import take_snapshot
from yishi.storage import open_store


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """How many issues each map built and rendered for the overview held."""
    made: list[int] = []
    original = maps.build_map

    def counting(**kwargs):
        made.append(len(kwargs.get("issues") if kwargs.get("issues") is not None else []))
        return original(**kwargs)

    monkeypatch.setattr(maps, "build_map", counting)
    return made


def clicked(monkeypatch, issue_id: str | None) -> None:
    monkeypatch.setattr(maps, "clicked_issue_id", lambda *args, **kwargs: issue_id)


def test_a_click_and_another_session_reuse_the_rendered_map(demo_store_path, builds, monkeypatch):
    at = run_page("overview.py", USERS["leader"], "zh")
    assert len(builds) == 1
    clicked(monkeypatch, "I0053")
    at.run()  # what a click does (the map's fragment reruns; AppTest reruns the page)
    assert "I0053" in "\n".join(m.value for m in at.get("markdown") if m.value)  # the card answers
    at.button(key="ov_issues_next").click().run()  # a page turn of the table
    run_page("overview.py", USERS["leader"], "zh")  # another session, the same view
    assert len(builds) == 1


def test_a_new_basemap_colouring_language_filter_or_write_renders_anew(demo_store_path, builds):
    at = run_page("overview.py", USERS["leader"], "zh")
    next(r for r in at.radio if r.label == "底图").set_value("none").run()
    assert len(builds) == 2
    next(r for r in at.radio if r.label == "底图").set_value("osm").run()
    assert len(builds) == 2  # back to a view already rendered
    next(r for r in at.radio if r.label == "议题着色").set_value("category").run()
    assert len(builds) == 3
    at.sidebar.radio(key="_lang_radio").set_value("en").run()
    assert len(builds) == 4
    at.sidebar.multiselect(key="_f_cat_en").set_value(["water"]).run()
    assert len(builds) == 5 and builds[-1] < builds[0]
    add_issue(demo_store_path)
    at.run()
    assert len(builds) == 6


def test_cached_component_gets_what_st_folium_sends(demo_store_path, monkeypatch):
    with open_store(demo_store_path) as store:
        snap = take_snapshot(store)

    def build():
        return maps.build_map(subdistrict=snap.subdistrict, communities=snap.communities, venues=snap.venues,
                              compounds=snap.compounds, issues=snap.issues, lang="zh", today=snap.today)

    sent = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: sent.append(kw))
    streamlit_folium.st_folium(build(), key="overview_map", height=560, width="stretch",
                               returned_objects=maps.RETURNED_OBJECTS)
    rendered = widget.render_map(build())
    ours = widget.component_args(rendered, streamlit_folium.generate_js_hash(rendered.script, "overview_map", False),
                                 height=560, returned_objects=maps.RETURNED_OBJECTS)
    theirs = {k: v for k, v in sent[0].items() if k != "on_change"}
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name] == theirs[name], name
    assert "YishiMap.issues(" in ours["script"]
