"""One checker per field type (text, whole number, number, yes/no, date), column at a time.

Every value of a field is first given a small int "kind" (none, text, integer, float,
bool, nested), so the checks run vectorised with numpy/pandas over 10^5 features; each
bad value is reported with its feature number, the field and what to write instead.
Labels typed instead of codes ("停车" for parking) and common date forms are converted,
with a note; invisible direction and zero-width characters are removed from text, with a note,
and text longer than its field allows is refused (`geo.text`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from geo.ingest.raw import DupDict, Int, describe
from geo.ingest.report import Report, both
from geo.schema import Field, Layer
from geo.text import INVISIBLE, too_long
from geo.values import parse_date

# Value kinds after json parsing: one small int per value, so checks can be vectorised.
_NONE, _STR, _INT, _FLOAT, _BOOL, _NESTED = range(6)
_KIND_OF = {type(None): _NONE, str: _STR, Int: _INT, float: _FLOAT, bool: _BOOL,
            dict: _NESTED, list: _NESTED, DupDict: _NESTED}

_TRUE = {"是", "有", "对", "true", "t", "yes", "y", "1"}
_FALSE = {"否", "无", "没有", "不是", "false", "f", "no", "n", "0"}

def _labels(f: Field) -> dict[str, str]:
    return {"label": f.en, "label_zh": f.zh}


def _missing(mask: np.ndarray, f: Field, report: Report) -> None:
    if f.required:
        for i in np.flatnonzero(mask):
            report.add("missing_field", int(i) + 1, f.name, **_labels(f))


def _report_each(code: str, mask: np.ndarray, values: np.ndarray, f: Field, layer: Layer,
                 report: Report, **fmt: Any) -> None:
    for i in np.flatnonzero(mask):
        report.add(code, int(i) + 1, f.name, value=_show(values[i]), **_labels(f), **fmt)


def _show(v: Any) -> Any:
    return str(v) if isinstance(v, Int) else v


def _nested(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
            report: Report) -> None:
    for i in np.flatnonzero(kinds == _NESTED):
        what = ("a list", "列表") if isinstance(values[i], list) else ("an object", "对象")
        report.add("nested_value", int(i) + 1, f.name, what=what[0], what_zh=what[1], **_labels(f))


def _bad_type(mask: np.ndarray, values: np.ndarray, f: Field, layer: Layer, report: Report,
              hint: str = "", hint_zh: str = "") -> None:
    exp, exp_zh = both(f"ingest.expected.{f.type}")
    if not hint:
        hint, hint_zh = both(f"ingest.type_hint.{f.type}")
    for i in np.flatnonzero(mask):
        found, found_zh = describe(values[i])
        report.add("bad_type", int(i) + 1, f.name, expected=exp, expected_zh=exp_zh,
                   found=found, found_zh=found_zh, hint=hint, hint_zh=hint_zh, **_labels(f))


def _stripped(values: np.ndarray, mask: np.ndarray) -> pd.Series:
    """The str values under `mask`, stripped, as an object Series indexed by position."""
    idx = np.flatnonzero(mask)
    stripped = np.fromiter(map(str.strip, values[idx]), dtype=object, count=len(idx))
    return pd.Series(stripped, index=idx, dtype=object)


def _visible(values: np.ndarray, mask: np.ndarray, f: Field, report: Report) -> pd.Series:
    """The str values under `mask` without invisible characters (how many: a note), stripped."""
    idx = np.flatnonzero(mask)
    s = pd.Series(values[idx], index=idx, dtype=object)
    removed = int(s.str.count(INVISIBLE.pattern).sum())
    if removed:
        s = s.str.replace(INVISIBLE.pattern, "", regex=True)
        report.note("invisible_removed", field=f.name, count=removed)
    return s.str.strip()


def _too_long(out: np.ndarray, f: Field, report: Report) -> None:
    """Refuse (and drop) every text longer than `f` allows, saying its length, not the text."""
    if f.max_length is None:
        return
    present = np.flatnonzero(out != None)  # noqa: E711
    lengths = np.fromiter(map(len, out[present]), dtype=np.int64, count=len(present))
    for i in present[lengths > f.max_length]:  # the few candidates; `too_long` has the rule
        refusal = too_long(f, out[i])
        if refusal is not None:
            report.add("too_long", int(i) + 1, f.name, length=refusal.params["length"],
                       limit=refusal.params["limit"], **_labels(f))
            out[i] = None


def _is_code_field(f: Field, layer: Layer) -> bool:
    """IDs and phone numbers: digits must stay exact, so a JSON float is refused."""
    return f.name == layer.id_field or f.name.endswith("_id") or "phone" in f.name


def _check_str(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
               report: Report) -> np.ndarray:
    out = np.full(len(values), None, dtype=object)
    is_str = kinds == _STR
    if is_str.any():
        s = _visible(values, is_str, f, report)
        s = s.where(s != "", None)
        out[s.index.to_numpy()] = s.to_numpy(dtype=object)
    ints = np.flatnonzero(kinds == _INT)
    out[ints] = [str(v) for v in values[ints]]
    floats = kinds == _FLOAT
    if _is_code_field(f, layer):
        _bad_type(floats, values, f, layer, report,
                  "write IDs and phone numbers as text in quotes, e.g. \"13912345678\"",
                  "编号和电话请写成带引号的文本，例如 \"13912345678\"")
    else:
        fl = np.flatnonzero(floats)
        out[fl] = [repr(v) if math.isfinite(v) else None for v in values[fl]]
    _bad_type(kinds == _BOOL, values, f, layer, report)
    _nested(values, kinds, f, layer, report)
    _missing((kinds == _NONE) | (is_str & (out == None)), f, report)  # noqa: E711
    _too_long(out, f, report)
    if f.enum is not None:
        out = _check_enum(out, f, layer, report)
    return out


def _enum_lookup(f: Field) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, (zh, en) in f.enum.labels.items():  # type: ignore[union-attr]
        for alias in (code.lower(), zh, en.lower(), *zh.split("/")):
            lookup.setdefault(alias, code)
    return lookup


def _check_enum(out: np.ndarray, f: Field, layer: Layer, report: Report) -> np.ndarray:
    codes = f.enum.codes  # type: ignore[union-attr]
    present = out != None  # noqa: E711
    s = pd.Series(out[present], index=np.flatnonzero(present), dtype=object)
    known = s.isin(codes)
    if known.all():
        return out
    other = s[~known]
    mapped = pd.Series([v.lower() for v in other], index=other.index, dtype=object).map(_enum_lookup(f))
    converted = mapped.dropna()
    if len(converted):
        out[converted.index.to_numpy()] = converted.to_numpy(dtype=object)
        report.note("label_converted", field=f.name, count=len(converted))
    bad = mapped.index[mapped.isna().to_numpy()].to_numpy()
    if len(bad):
        allowed = ", ".join(f"{c} ({zh}/{en})" for c, (zh, en) in f.enum.labels.items())  # type: ignore[union-attr]
        allowed_zh = "、".join(f"{c}（{zh}）" for c, (zh, _) in f.enum.labels.items())  # type: ignore[union-attr]
        mask = np.zeros(len(out), dtype=bool)
        mask[bad] = True
        _report_each("bad_enum", mask, out, f, layer, report, allowed=allowed, allowed_zh=allowed_zh)
        out[bad] = None
    return out


def _numbers(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
             report: Report) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values, bad mask) from numbers and numeric text; non-numbers reported."""
    num = np.full(len(values), np.nan)
    bad = np.zeros(len(values), dtype=bool)
    fl = kinds == _FLOAT
    num[fl] = values[fl].astype("float64")
    ints = np.flatnonzero(kinds == _INT)
    if len(ints):
        num[ints] = [float(v) for v in values[ints]]
    is_str = kinds == _STR
    if is_str.any():
        s = _stripped(values, is_str)
        blank = s == ""
        parsed = pd.to_numeric(s.where(~blank, None), errors="coerce")
        num[parsed.index.to_numpy()] = parsed.to_numpy(dtype="float64", na_value=np.nan)
        text_bad = (parsed.isna() & ~blank).to_numpy()
        bad[parsed.index.to_numpy()[text_bad]] = True
        kinds = kinds.copy()
        kinds[s.index.to_numpy()[blank.to_numpy()]] = _NONE
    bad |= (fl | (kinds == _INT)) & ~np.isfinite(num)
    _bad_type(bad | (kinds == _BOOL), values, f, layer, report)
    _nested(values, kinds, f, layer, report)
    _missing(kinds == _NONE, f, report)
    num[bad] = np.nan
    return num, bad | (kinds == _BOOL) | (kinds == _NESTED)


def _range(num: np.ndarray, values: np.ndarray, f: Field, layer: Layer, report: Report) -> np.ndarray:
    out = np.zeros(len(num), dtype=bool)
    lo = -np.inf if f.minimum is None else f.minimum
    hi = np.inf if f.maximum is None else f.maximum
    with np.errstate(invalid="ignore"):
        out = (num < lo) | (num > hi)
    if out.any():
        rng = f"{'' if f.minimum is None else f'{f.minimum:g}'}..{'' if f.maximum is None else f'{f.maximum:g}'}"
        _report_each("out_of_range", out, values, f, layer, report, range=rng)
    return out


_INT64_MAX = 2**63 - 1


def _check_int(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
               report: Report) -> pd.arrays.IntegerArray:
    num, bad = _numbers(values, kinds, f, layer, report)
    fractional = np.isfinite(num) & (np.floor(num) != num)
    _bad_type(fractional, values, f, layer, report, "write a whole number", "请填写整数")
    num[fractional] = np.nan
    # whole numbers beyond float precision: use the exact digits
    ints = np.flatnonzero((kinds == _INT) & (np.abs(num) >= 2**53))
    huge = np.zeros(len(num), dtype=bool)
    exact: dict[int, int] = {}
    for i in ints:
        v = int(values[i])
        if abs(v) > _INT64_MAX:
            huge[i] = True
        else:
            exact[int(i)] = v
    out_of_range = _range(num, values, f, layer, report)
    if huge.any():
        _report_each("out_of_range", huge & ~out_of_range, values, f, layer, report,
                     range="(too large)")
    drop = out_of_range | huge
    num[drop] = np.nan
    arr = pd.array(np.where(np.isfinite(num), num, 0).astype("int64"), dtype="Int64")
    for i, v in exact.items():
        if not drop[i]:
            arr[i] = v
    arr[~np.isfinite(num)] = pd.NA
    return arr


def _check_float(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
                 report: Report) -> np.ndarray:
    num, _ = _numbers(values, kinds, f, layer, report)
    num[_range(num, values, f, layer, report)] = np.nan
    return num


def _check_bool(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
                report: Report) -> pd.arrays.BooleanArray:
    out = np.full(len(values), None, dtype=object)
    b = kinds == _BOOL
    out[b] = values[b]
    text = (kinds == _STR) | (kinds == _INT) | (kinds == _FLOAT)
    bad = np.zeros(len(values), dtype=bool)
    blank = np.zeros(len(values), dtype=bool)
    if text.any():
        idx = np.flatnonzero(text)
        s = pd.Series([(f"{v:g}" if type(v) is float else str(v)).strip().lower()
                       for v in values[idx]], index=idx, dtype=object)
        blank[idx[(s == "").to_numpy()]] = True
        yes, no = s.isin(_TRUE).to_numpy(), s.isin(_FALSE).to_numpy()
        out[idx[yes]] = True
        out[idx[no]] = False
        bad[idx[~yes & ~no & (s != "").to_numpy()]] = True
    _report_each("bad_bool", bad, values, f, layer, report)
    _nested(values, kinds, f, layer, report)
    _missing((kinds == _NONE) | blank, f, report)
    return pd.array(out, dtype="boolean")


def _check_date(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
                report: Report) -> np.ndarray:
    out = np.full(len(values), None, dtype=object)
    is_str = kinds == _STR
    bad = (kinds == _INT) | (kinds == _FLOAT) | (kinds == _BOOL)
    blank = np.zeros(len(values), dtype=bool)
    if is_str.any():
        s = _stripped(values, is_str)
        blank[s.index.to_numpy()[(s == "").to_numpy()]] = True
        s = s[s != ""]
        idx = s.index.to_numpy()
        # the usual case, vectorised: already YYYY-MM-DD and a real date
        iso = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna().to_numpy().copy()
        iso &= np.fromiter(map(len, s), dtype=np.int64, count=len(s)) == 10
        out[idx[iso]] = s.to_numpy(dtype=object)[iso]
        converted = 0
        for i, text in zip(idx[~iso], s.to_numpy(dtype=object)[~iso]):
            date = parse_date(text, lenient=True)
            if date is None:
                bad[i] = True
            else:
                out[i] = date.isoformat()
                converted += 1
        if converted:
            report.note("value_converted", field=f.name, count=converted,
                        what="dates rewritten as YYYY-MM-DD", what_zh="日期已统一写成 YYYY-MM-DD")
    _report_each("bad_date", bad, values, f, layer, report)
    _nested(values, kinds, f, layer, report)
    _missing((kinds == _NONE) | blank, f, report)
    return out


_CHECKERS: dict[str, Callable[..., Any]] = {
    "str": _check_str, "int": _check_int, "float": _check_float, "bool": _check_bool,
    "date": _check_date,
}


def check_column(values: np.ndarray, f: Field, layer: Layer, report: Report) -> Any:
    """`f`'s values typed (full length; None/NA where refused), every bad value reported."""
    kinds = np.fromiter(map(_KIND_OF.__getitem__, map(type, values)), dtype=np.int8,
                        count=len(values))
    return _CHECKERS[f.type](values, kinds, f, layer, report)
