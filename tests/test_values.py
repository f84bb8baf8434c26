"""geo.values: one meaning of "missing" and "blank", one date reader, one coercion of a typed-in
value, with problems said in both languages."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from geo.schema import COMPOUNDS, ISSUES, MEETINGS
from geo.words import WITH_CODES
from geo.values import coerce, is_blank, is_missing, parse_date, plain, text_or_none


@pytest.mark.parametrize("value, missing, blank", [
    (None, True, True), (float("nan"), True, True), (np.nan, True, True), (pd.NA, True, True),
    (pd.NaT, True, True), (np.datetime64("NaT"), True, True),
    ("", False, True), ("  \n", False, True), ("x", False, False), (0, False, False),
    (0.0, False, False), (False, False, False), ([], False, False), ((None,), False, False),
    ({}, False, False), (np.int64(3), False, False), (date(2022, 1, 1), False, False),
])
def test_missing_and_blank(value, missing, blank):
    assert is_missing(value) is missing
    assert is_blank(value) is blank


def test_text_or_none():
    assert text_or_none("  电话反映 ") == "电话反映"
    assert text_or_none(" ") is None and text_or_none(None) is None


@pytest.mark.parametrize("value, strict, lenient", [
    ("2022-06-17", date(2022, 6, 17), date(2022, 6, 17)),
    (" 2022-06-17 ", date(2022, 6, 17), date(2022, 6, 17)),
    ("2022/6/7", None, date(2022, 6, 7)),
    ("2022.06.07", None, date(2022, 6, 7)),
    ("2022年6月7日", None, date(2022, 6, 7)),
    ("2022-06-07T08:00:00", None, date(2022, 6, 7)),
    ("2022-02-30", None, None), ("17/06/2022", None, None), ("", None, None),
    (None, None, None), (pd.NaT, None, None),
    (date(2022, 1, 2), date(2022, 1, 2), date(2022, 1, 2)),
    (datetime(2022, 1, 2, 8), date(2022, 1, 2), date(2022, 1, 2)),
    (pd.Timestamp("2022-01-02"), date(2022, 1, 2), date(2022, 1, 2)),
])
def test_parse_date(value, strict, lenient):
    assert parse_date(value) == strict
    assert parse_date(value, lenient=True) == lenient


@pytest.mark.parametrize("field, raw, value", [
    (ISSUES.get("residents_affected"), " 120 ", 120),
    (ISSUES.get("residents_affected"), 120.0, 120),
    (ISSUES.get("satisfaction"), "4.5", 4.5),
    (ISSUES.get("due_on"), "2022-07-31", "2022-07-31"),
    (ISSUES.get("due_on"), date(2022, 7, 31), "2022-07-31"),
    (ISSUES.get("title"), "  停车难 ", "停车难"),
    (MEETINGS.get("method"), "on_site", "on_site"),
    (ISSUES.get("title"), "  ", None),
    (ISSUES.get("residents_affected"), None, None),
])
def test_coerce_accepts(field, raw, value):
    assert coerce(field, raw) == (value, None)


@pytest.mark.parametrize("field, raw, en, zh", [
    (ISSUES.get("due_on"), "17/06/2022", "due_on (Due on): '17/06/2022' is not a date (use YYYY-MM-DD)",
     "办结时限：'17/06/2022' 不是有效日期（请写成 YYYY-MM-DD）"),
    (MEETINGS.get("participants"), "many", "participants (Participants): 'many' is not a whole number",
     "参会人数：'many' 不是整数"),
    (MEETINGS.get("participants"), 2.5, "participants (Participants): 2.5 is not a whole number",
     "参会人数：2.5 不是整数"),
    (MEETINGS.get("participants"), True, "participants (Participants): True is not a whole number",
     "参会人数：True 不是整数"),
    (ISSUES.get("satisfaction"), "inf", "satisfaction (Satisfaction): 'inf' is not a number",
     "满意度：'inf' 不是数字"),
    (ISSUES.get("satisfaction"), 0.5, "satisfaction (Satisfaction): 0.5 is below the minimum 1",
     "满意度：0.5 小于最小值 1"),
    (COMPOUNDS.get("is_old_compound"), "yes", "is_old_compound (Old compound): cannot be set here",
     "老旧小区：此处不能填写"),
    (MEETINGS.get("method"), "phone",
     "method (Method): unknown code 'phone'; choose one of: written (Written), meeting (Meeting), "
     "on_site (On-site), expert (Expert review), online (Online), media (Media supervision)",
     "协商方式：未知代码 'phone'，可选：书面协商、会议协商、实地协商、专家论证、网络协商、媒体监督"),
])
def test_coerce_refuses_in_both_languages(field, raw, en, zh):
    value, problem = coerce(field, raw)
    assert value is None
    assert (problem.text("en" + WITH_CODES), problem.text("zh"), str(problem)) == (en, zh, en)
    assert f"{field.name} (" not in problem.text("en")  # a page names the field by its label only


@pytest.mark.parametrize("field, value, stored", [
    (COMPOUNDS.get("is_old_compound"), True, 1), (COMPOUNDS.get("is_old_compound"), False, 0),
    (COMPOUNDS.get("households"), np.int64(300), 300), (ISSUES.get("satisfaction"), 4, 4.0),
    (ISSUES.get("due_on"), pd.Timestamp("2022-07-31"), "2022-07-31"),
    (ISSUES.get("due_on"), "2022-07-31", "2022-07-31"), (ISSUES.get("title"), pd.NA, None),
    (COMPOUNDS.get("households"), np.nan, None),
])
def test_plain_is_what_a_store_keeps(field, value, stored):
    got = plain(field, value)
    assert got == stored and type(got) is type(stored)
