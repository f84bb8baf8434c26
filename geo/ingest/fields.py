"""The properties of the features: which column feeds which field, ids, typed columns.

A column may be named by the field's name, its Chinese or English label, or a name the
DBF format cut to ten characters; anything else is ignored with a note that names the closest
accepted column, if one is close. A derived field (`Field.derived`: where an issue falls) is
never read from a file: its column is ignored with a note saying the map sets it. Each field's
values then go to the checker for its type (`geo.ingest.checkers`), and ids must be unique.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import pandas as pd

from geo.ingest.checkers import check_column
from geo.errors import msg
from geo.ingest.raw import Raw, describe
from geo.ingest.report import Report
from geo.ingest.tables import closest_name
from geo.schema import Field, Layer


def check_properties(raw: Raw, layer: Layer, report: Report) -> dict[str, Any]:
    """Typed columns (full length), every value problem reported with its feature number."""
    sources = _resolve_columns(raw, layer, report)
    out: dict[str, Any] = {}
    for f in layer.fields:
        if f.derived:  # never from the file (its column was noted as ignored): set on writing
            out[f.name] = np.full(len(raw.props), None, dtype=object)
            continue
        values = _column(raw.props, sources[f.name])
        if f.name == layer.id_field:
            values = _fill_from_feature_ids(values, raw.fids, f, report)
        out[f.name] = check_column(values, f, layer, report)
    _check_duplicate_ids(out[layer.id_field], layer.get(layer.id_field), report)
    return out


def _resolve_columns(raw: Raw, layer: Layer, report: Report) -> dict[str, list[str]]:
    """Which keys of the file feed each field: its name, else its label or a cut DBF name."""
    keys: set[str] = set().union(*raw.props) if raw.props else set()
    fields = layer.input_fields
    sources: dict[str, list[str]] = {f.name: [f.name] if f.name in keys else [] for f in fields}
    derived = {alias.lower(): f for f in layer.fields if f.derived for alias in accepted_names(f)}
    by_alias: dict[str, str] = {}
    for f in fields:
        for alias in accepted_names(f):
            by_alias.setdefault(alias.lower(), f.name)
    unknown = []
    for key in sorted(keys - set(sources)):
        name = by_alias.get(key.strip().lower())
        if name is None and raw.fmt == "shapefile" and len(key) == 10:  # DBF cuts names
            starts = [f.name for f in fields if f.name.startswith(key.lower().rstrip("_"))]
            name = starts[0] if len(starts) == 1 else None
        if name is not None:
            sources[name].append(key)
            f = layer.get(name)
            report.note("field_renamed", field=name, column=key, label=f.en, label_zh=f.zh)
        elif key.strip().lower() in derived:
            f = derived[key.strip().lower()]
            count = sum(1 for p in raw.props if p.get(key) is not None)
            report.note("derived_field", field=key, label=f.en, label_zh=f.zh, count=count)
        else:
            unknown.append(key)
    names = [alias for f in fields for alias in accepted_names(f)]
    for key in unknown:
        count = sum(1 for p in raw.props if p.get(key) is not None)
        near = closest_name(key, names)
        hint = msg("ingest.closest_column", name=near, field=layer.get(by_alias[near.lower()])) \
            if near else None
        report.note("unknown_field", field=key, layer=layer.en.lower(), layer_zh=layer.zh, count=count,
                    hint=hint)
    return sources


def accepted_names(f: Field) -> tuple[str, ...]:
    """The column names that feed `f` (any case): its Chinese label, English label and name."""
    names: list[str] = []
    for name in (f.zh, f.en, f.name):
        if name.lower() not in (n.lower() for n in names):
            names.append(name)
    return tuple(names)


def _column(props: list[dict], keys: list[str]) -> np.ndarray:
    """One field's raw values (object array); later keys fill where earlier ones are absent."""
    n = len(props)
    if not keys:
        return np.full(n, None, dtype=object)
    col = np.fromiter(map(operator.methodcaller("get", keys[0]), props), dtype=object, count=n)
    for key in keys[1:]:
        col = np.fromiter((v if v is not None else p.get(key) for v, p in zip(col, props)),
                          dtype=object, count=n)
    return col


def _fill_from_feature_ids(values: np.ndarray, fids: list[Any], f: Field,
                           report: Report) -> np.ndarray:
    """A feature-level GeoJSON ``id`` supplies the id field where the property is absent."""
    used = 0
    for i, fid in enumerate(fids):
        if fid is None:
            continue
        if isinstance(fid, (dict, list, bool)):
            what = describe(fid)
            report.add("bad_id", i + 1, "id", what=what[0], what_zh=what[1])
            continue
        v = values[i]
        if v is None or (type(v) is str and not v.strip()):
            values[i] = fid
            used += 1
    if used:
        report.note("feature_id_used", field=f.name, count=used)
    return values


def _check_duplicate_ids(ids: np.ndarray, f: Field, report: Report) -> None:
    present = ids != None  # noqa: E711
    s = pd.Series(ids[present], index=np.flatnonzero(present) + 1, dtype=object)
    dup = s.duplicated(keep="first")
    if not dup.any():
        return
    firsts = s[~dup]
    first = dict(zip(firsts.to_numpy(), firsts.index))  # id -> first feature number
    for num, value in s[dup].items():
        report.add("duplicate_id", int(num), f.name, value=value, first=int(first[value]))
