"""The figures as the overview and the print view show them (ui/report_view.py)."""

from __future__ import annotations

import pytest

from ui.report_view import ROUNDED_FROM, figure_pairs, figure_text, figure_tips


@pytest.mark.parametrize(("n", "zh", "en"), [
    (0, "0", "0"), (230, "230", "230"), (ROUNDED_FROM - 1, "99999", "99999"),
    (ROUNDED_FROM, "10.0万", "100K"), (900_031, "90.0万", "900K"), (1_861_098, "186万", "1.86M"),
])
def test_a_count_of_six_digits_or_more_is_rounded_in_the_readers_units(n, zh, en):
    assert (figure_text(n, "zh"), figure_text(n, "en")) == (zh, en)


def test_a_rounded_figure_keeps_its_whole_number_in_its_tooltip():
    values = {"meetings": 1_861_098, "consensus": 900_031, "implemented": 849_480, "in_progress": 43_237,
              "open": 94_266, "overdue": 9_659, "satisfaction": 4.39, "rating": (None, 0)}
    labels_values = figure_pairs(values, "zh")
    assert [v for _, v in labels_values][:6] == ["186万", "90.0万", "84.9万", "43237", "94266", "9659"]
    assert figure_tips(values) == ["1,861,098", "900,031", "849,480", None, None, None, None, None]
    assert len(figure_tips(values)) == len(labels_values)
