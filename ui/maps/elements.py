"""The only folium elements that carry data: fixed one-line calls into ui/js/yishi-map.js.

Why: branca's MacroElement.render wraps each rendered macro in `Element(text)`, which builds a
new jinja2.Template from it, so data in the output would be evaluated on the server. These
elements render our fixed templates once and place the output verbatim; their only data is
one `js_json` payload, drawn by the static script (no JavaScript program lives in Python).
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from ui.maps.assets import MARKERCLUSTER_CSS, MARKERCLUSTER_JS, YISHI_JS
from ui.maps.payload import js_json


class Verbatim(Element):
    """Rendered text that goes into the page as it is, never parsed as a template again."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class Inert(MacroElement):
    """A MacroElement whose rendered macros reach the page verbatim.

    Why: branca's MacroElement.render would parse each macro's output again as a template
    (`{{ 7*7 }}` in a title became 49; `{%` broke the page). Here the output of our fixed
    templates is placed as it is.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                target.add_child(Verbatim(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class YishiLayer(JSCSSMixin, Layer, Inert):
    """A layer drawn by ui/js/yishi-map.js from one JSON payload: the only data in the page.

    `builder` names the function of `YishiMap` that draws it (shapes, venues, issues);
    `data` is kept for tests, `payload` is its `js_json` text.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = YishiMap.{{ this.builder }}({{ this.payload }});
        {% endmacro %}
    """)

    def __init__(self, builder: str, data: dict[str, Any], *, name: str, cluster: bool = False) -> None:
        super().__init__(name=name, overlay=True)
        self._name = "YishiLayer"
        self.builder = builder
        self.data = data
        self.payload = js_json(data)
        self.default_js = [*YISHI_JS, *(MARKERCLUSTER_JS if cluster else [])]
        self.default_css = list(MARKERCLUSTER_CSS) if cluster else []


class MapControl(JSCSSMixin, Inert):
    """A map-wide addition drawn by `YishiMap.<builder>(map, data)` (legend, background)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        YishiMap.{{ this.builder }}({{ this._parent.get_name() }}, {{ this.payload }});
        {% endmacro %}
    """)

    def __init__(self, builder: str, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "MapControl"
        self.builder = builder
        self.data = data
        self.payload = js_json(data)
        self.default_js = list(YISHI_JS)
