"""One place for single values: what counts as missing or blank, reading a date, and turning
a typed or typed-in value (a form, the command line) into the plain value a store keeps.

The workflow's checks, the store's row codec and the pages' tables all ask these questions;
answering them once keeps "blank" meaning the same thing everywhere. (Whole columns are
checked, vectorised, by `geo.ingest`.)

Examples
--------
>>> is_blank("  "), is_blank(0), is_missing("")
(True, False, False)
>>> parse_date("2022-06-17"), parse_date("17/06/2022")
(datetime.date(2022, 6, 17), None)
>>> parse_date("2022年6月7日", lenient=True)
datetime.date(2022, 6, 7)
>>> from geo.schema import ISSUES
>>> coerce(ISSUES.get("residents_affected"), " 120 ")
(120, None)
>>> str(coerce(ISSUES.get("satisfaction"), 6)[1])
'satisfaction (Satisfaction): 6.0 is above the maximum 5'
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

import pandas as pd

from geo.errors import Message, msg
from geo.schema import Enum, Field
from geo.text import shorten
from geo.words import Term

__all__ = ["choices", "code_term", "coerce", "is_blank", "is_missing",
           "parse_date", "plain", "text_or_none"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: What people write for a date: 2022-06-07, 2022/6/7, 2022.06.07, 2022年6月7日, with a time.
_LENIENT_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                           r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def is_missing(value: Any) -> bool:
    """True for no value at all: None, NaN, NaT, pd.NA (text, even empty, is a value; so is a
    list)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (str, bytes, int, date, list, tuple, dict, set)):
        return False
    try:  # numpy and pandas scalars (np.datetime64("NaT"), ...)
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def is_blank(value: Any) -> bool:
    """True for a missing value or whitespace-only text: nothing a person wrote."""
    if isinstance(value, str):
        return not value.strip()
    return is_missing(value)


def text_or_none(value: Any) -> str | None:
    """Text as given without surrounding spaces, or None when it is blank."""
    return None if is_blank(value) else str(value).strip()


def parse_date(value: Any, *, lenient: bool = False) -> date | None:
    """A date, datetime or Timestamp as a date; text in YYYY-MM-DD (with `lenient`, also
    2022/6/7, 2022.06.07, 2022年6月7日 and a time after it). None when it is not a real date."""
    if is_missing(value):
        return None
    if isinstance(value, datetime):  # pd.Timestamp too
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if lenient:
        m = _LENIENT_DATE.match(text)
        parts = m.groups() if m else None
    else:
        parts = text.split("-") if _ISO_DATE.fullmatch(text) else None
    if parts is None:
        return None
    try:
        return date(*(int(p) for p in parts))
    except ValueError:
        return None


def plain(f: Field, value: Any) -> Any:
    """An already valid typed value as the plain value a store keeps: dates as ISO text, bools
    as 0/1, ints, floats, text; None when missing."""
    if is_missing(value):
        return None
    if f.type == "bool":
        return int(bool(value))
    if f.type == "int":
        return int(value)
    if f.type == "float":
        return float(value)
    if f.type == "date" and isinstance(value, (date, datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def code_term(enum: Enum, code: str) -> Term:
    """How a message names an enumeration value: by its label (with its code on the command line)."""
    return Term(enum.label(code, "zh"), enum.label(code, "en"), code)


def choices(enum: Enum) -> list[Term]:
    """Every value of `enum`, as a message lists the allowed ones."""
    return [code_term(enum, code) for code in enum.codes]


def coerce(f: Field, raw: Any) -> tuple[Any, Message | None]:
    """`raw` (typed, or text from a form or the command line) as the plain value of field `f`.

    Returns ``(value, None)``, or ``(None, problem)``. Blank input is ``(None, None)``: whether
    the field is required is the caller's rule.
    """
    if is_blank(raw):
        return None, None
    value: Any
    if f.type == "date":
        parsed = parse_date(raw)
        if parsed is None:
            return None, msg("value_not_date", field=f, raw=shorten(raw))
        value = parsed.isoformat()
    elif f.type in ("int", "float"):
        number = _number(raw)
        whole = f.type == "int"
        if number is None or (whole and number != int(number)):
            return None, msg("value_not_whole" if whole else "value_not_number", field=f,
                                   raw=shorten(raw))
        value = int(number) if whole else number
    elif f.type == "bool":
        return None, msg("value_not_settable", field=f)
    else:
        value = str(raw).strip()
    if f.enum is not None and value not in f.enum.codes:
        return None, msg("value_unknown_code", field=f, raw=shorten(value), choices=choices(f.enum))
    if f.minimum is not None and value < f.minimum:
        return None, msg("value_below_minimum", field=f, value=value, limit=f.minimum)
    if f.maximum is not None and value > f.maximum:
        return None, msg("value_above_maximum", field=f, value=value, limit=f.maximum)
    return value, None


def _number(raw: Any) -> float | None:
    """A finite number from a number or its text; None for anything else (a bool is no number)."""
    if isinstance(raw, bool):
        return None
    try:
        number = float(str(raw).strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
