"""The part of a page below its map, sent once the browser has drawn the map.

Why: a Streamlit page and the map's frame share one browser thread, and every element renders
there as soon as it arrives. On the overview of a city the charts and tables below the map
(Vega, the data grids) held that thread for 0.4-0.6 s right when the map's frame was starting,
which delayed the map by as much. So the part below the map runs as a fragment whose first run
sends a one-line placeholder and `map_drawn`'s watcher: a small component (no frame of its own)
that waits until a map on the page has drawn, or `WAIT_S` at most, and then reruns that fragment
alone, which sends the rest. Once a session's browser has drawn a map, later pages render at once.
"""

from __future__ import annotations

import streamlit as st

#: Session key: this session's browser has drawn a map (set by the watcher's report).
MAP_DRAWN = "yishi_map_drawn"
#: The longest the part below the map waits (a map that never draws must not hide it).
WAIT_S = 3.0

# A map has drawn once a frame on the page holds a Leaflet container: st_folium evaluates the
# whole map script (layers included) in one go, so the container never shows half-built. One more
# animation frame lets the browser paint it before the rest of the page arrives.
_WATCHER_JS = """
export default function (component) {
  const { setStateValue, data } = component;
  let done = false, timer = null, cap = null;
  const drawn = () => [...document.querySelectorAll("iframe")].some((frame) => {
    try { return !!(frame.contentDocument && frame.contentDocument.querySelector(".leaflet-container")); }
    catch (e) { return false; }
  });
  const finish = () => {
    if (done) { return; }
    done = true;
    clearInterval(timer);
    clearTimeout(cap);
    requestAnimationFrame(() => setTimeout(() => setStateValue("drawn", true), 0));
  };
  timer = setInterval(() => { if (drawn()) { finish(); } }, 50);
  cap = setTimeout(finish, data.wait_ms);
  return () => { clearInterval(timer); clearTimeout(cap); };
}
"""
_watcher = st.components.v2.component("yishi_map_drawn", js=_WATCHER_JS)


def _noted() -> None:
    st.session_state[MAP_DRAWN] = True


def map_drawn(key: str) -> bool:
    """Whether the browser has drawn a map in this session; if not yet, this run places the
    watcher that reruns the calling fragment when it has. Call it first in a fragment."""
    if st.session_state.get(MAP_DRAWN):
        return True
    _watcher(key=key, data={"wait_ms": int(WAIT_S * 1000)}, default={"drawn": False}, height=0,
             on_drawn_change=_noted)
    return False
