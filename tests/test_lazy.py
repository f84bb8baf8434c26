"""The part of the overview below its map waits for the browser to draw the map (ui/lazy.py).

AppTest runs no browser, so the watcher's report is what `MAP_DRAWN` holds; the browser test
(tests/browser/test_overview_browser.py) checks the watcher itself reruns the page's lower part."""

from __future__ import annotations

from geo.words import say
from tests.helpers import USERS, run_page
from ui.lazy import MAP_DRAWN


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_a_fresh_session_gets_the_map_first_and_a_placeholder_below_it(demo_store_path):
    at = run_page("overview.py", USERS["leader"], "zh", **{MAP_DRAWN: False})
    assert [m.label for m in at.metric][:1] == ["协商会议"]  # the figures above the map come at once
    assert say("below_map_waiting", "zh") in captions(at)
    assert not at.dataframe and not at.get("vega_lite_chart")  # no table, no chart yet
    assert [e for e in at.get("bidi_component") if e.proto.component_name == "yishi_map_drawn"]


def test_once_the_map_has_drawn_the_charts_and_tables_follow(demo_store_path):
    at = run_page("overview.py", USERS["leader"], "en", **{MAP_DRAWN: False})
    at.session_state[MAP_DRAWN] = True  # what the watcher's report sets
    at.run()
    assert not at.exception
    assert say("below_map_waiting", "en") not in captions(at)
    assert len(at.dataframe) == 2 and len(at.get("vega_lite_chart")) == 3  # comparison, issues; 3 charts
    assert not [e for e in at.get("bidi_component") if e.proto.component_name == "yishi_map_drawn"]
