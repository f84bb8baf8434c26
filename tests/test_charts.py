"""The overview's charts: a colour belongs to a code, so the charts look the same in zh and en
(and match the map), and long English labels do not squeeze the bars."""

from __future__ import annotations

import pytest

from geo.schema import CATEGORIES
from ui import charts
from ui.i18n import enum_label, t
from ui.maps.style import CATEGORY_COLORS
from yishi.services.snapshot import take_snapshot


@pytest.fixture(scope="module")
def snap(demo_store_file):
    from yishi.storage import open_store

    with open_store(demo_store_file) as store:
        return take_snapshot(store)


@pytest.fixture(scope="module")
def names(snap):
    return dict(zip(snap.communities["community_id"], snap.communities["name"]))


def _colours(spec: dict) -> dict[str, str]:
    """Label -> colour, as the chart's colour scale pairs them."""
    scale = spec["encoding"]["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"], strict=True))


def _by_code(spec: dict, label_of) -> dict[str, str]:
    colours = _colours(spec)
    return {code: colours[label_of(code)] for code in CATEGORIES.codes}


def test_category_colours_are_the_same_in_both_languages_and_the_maps(snap, names):
    zh = charts.category_chart(snap.issues, names, "zh").to_dict()
    en = charts.category_chart(snap.issues, names, "en").to_dict()
    zh_codes = _by_code(zh, lambda c: enum_label(CATEGORIES, c, "zh"))
    en_codes = _by_code(en, lambda c: enum_label(CATEGORIES, c, "en"))
    assert zh_codes == en_codes == CATEGORY_COLORS
    assert len(set(zh_codes.values())) == len(CATEGORIES.codes)  # every category its own colour


def test_a_filter_that_leaves_few_categories_keeps_each_ones_colour(snap, names):
    """Without a fixed scale, Vega hands out colours by the labels present, so "Parking" alone
    would take the first colour whatever it is."""
    only = snap.issues[snap.issues["category"] == "water"]
    spec = charts.category_chart(only, names, "en").to_dict()
    assert _colours(spec)[enum_label(CATEGORIES, "water", "en")] == CATEGORY_COLORS["water"]


def test_monthly_series_keep_their_colour_across_languages(snap):
    zh = _colours(charts.monthly_chart(snap.issues, "zh").to_dict())
    en = _colours(charts.monthly_chart(snap.issues, "en").to_dict())
    for code, colour in charts.SERIES_COLORS.items():
        assert zh[t(code, "zh")] == en[t(code, "en")] == colour


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_category_legend_sits_below_and_the_bars_keep_their_rows(snap, names, lang):
    """The English legend beside the plot took most of a third of the page: the bars were a
    few pixels wide. Below the plot it takes no width; every community keeps a full row."""
    spec = charts.category_chart(snap.issues, names, lang).to_dict()
    legend = spec["encoding"]["color"]["legend"]
    assert legend["orient"] == "bottom"
    assert legend["labelLimit"] > 0
    assert spec["encoding"]["y"]["axis"]["labelLimit"] > 0
    rows = snap.issues["community_id"].nunique()
    legend_rows = len(CATEGORIES.codes) + 1
    assert spec["height"] >= rows * charts.ROW_PX + legend_rows * charts.LEGEND_ROW_PX


@pytest.mark.parametrize("make", [lambda s, n, lang: charts.funnel_chart(s.issues, lang),
                                  lambda s, n, lang: charts.category_chart(s.issues, n, lang),
                                  lambda s, n, lang: charts.monthly_chart(s.issues, lang)],
                         ids=["funnel", "category", "monthly"])
def test_axis_and_legend_text_is_dark(snap, names, make):
    """Streamlit's chart theme draws axis text in a light grey (under 4.5:1 on white)."""
    config = make(snap, names, "en").to_dict()["config"]
    assert config["axis"]["labelColor"] == config["axis"]["titleColor"] == charts.TEXT
    assert config["legend"]["labelColor"] == charts.TEXT
