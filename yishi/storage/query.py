"""`Where`, `summarise` and `select` as SQL, shared by the backends: each names only its dialect.

A query names fields of `geo.schema` only: every field, key and order is checked against the
layer before any SQL is made (a KeyError names an unknown one), and every value travels as a
parameter, so nothing a user typed (a search, a filter) becomes SQL text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from geo.schema import Layer, get_layer
from yishi.storage.protocol import BBox, Where


@dataclass(frozen=True)
class Dialect:
    """What differs between the backends' SQL."""

    #: The parameter placeholder ("?" or "%s").
    param: str
    #: SQL that is true when the row's geometry box meets the box given as four parameters
    #: (minx, miny, maxx, maxy), in that order.
    bbox: str
    #: The YYYY-MM of a date column, given its quoted name.
    month: Callable[[str], str]
    #: Case-insensitive "contains" of the quoted column and one parameter (the %...% pattern).
    contains: Callable[[str], str]
    #: `bbox` for a layer of points, where a backend says it so that its index on the position
    #: answers it (None: `bbox` as it is).
    point_bbox: str | None = None


def bbox_sql(layer: Layer, dialect: Dialect) -> str:
    """The condition "the row's geometry meets the box" on `layer` (four parameters: `box_params`)."""
    return dialect.point_bbox if layer.geometry == "Point" and dialect.point_bbox else dialect.bbox


def by_issue_ddl(layer: Layer) -> list[str]:
    """The index on the issue a row refers to (meetings, timeline, ratings, tracking codes):
    an issue's page reads its rows by it instead of every row (0.09 s for one issue's
    timeline at 10^5 issues without it)."""
    if layer.id_field == "issue_id" or "issue_id" not in layer.field_names:
        return []
    return [f'CREATE INDEX IF NOT EXISTS "{layer.name}_by_issue" ON "{layer.name}" (issue_id)']


def quoted(name: str) -> str:
    return f'"{name}"'


def _field(layer: Layer, name: str) -> str:
    layer.get(name)  # a KeyError names an unknown field
    return quoted(name)


def where_sql(layer: Layer, where: Where, dialect: Dialect) -> tuple[str, list[Any]]:
    """The WHERE clause (with its leading keyword, or "") and its parameters. A search looks in
    public fields only: residents' personal data never decides which rows a page is shown."""
    clauses: list[str] = []
    params: list[Any] = []
    p = dialect.param
    for name, values in where.any_of.items():
        column = _field(layer, name)
        values = tuple(values)
        if not values:
            clauses.append("1 = 0")
            continue
        clauses.append(f"{column} IN ({', '.join([p] * len(values))})")
        params += list(values)
    for name, values in where.none_of.items():
        column, values = _field(layer, name), tuple(values)
        if values:
            clauses.append(f"({column} IS NULL OR {column} NOT IN ({', '.join([p] * len(values))}))")
            params += list(values)
    for name, (low, high) in where.between.items():
        column = _field(layer, name)
        if low is not None:
            clauses.append(f"{column} >= {p}")
            params.append(low)
        if high is not None:
            clauses.append(f"{column} <= {p}")
            params.append(high)
    for name, value in where.below.items():
        clauses.append(f"{_field(layer, name)} < {p}")
        params.append(value)
    for name, prefixes in where.prefix.items():
        column = _field(layer, name)
        prefixes = tuple(prefixes)
        if not prefixes:
            clauses.append("1 = 0")
            continue
        # substr, not LIKE: a code never holds wildcards, and a prefix match must not either
        clauses.append("(" + " OR ".join(f"substr({column}, 1, {len(x)}) = {p}" for x in prefixes) + ")")
        params += list(prefixes)
    if where.bbox is not None and layer.geometry:
        clauses.append(bbox_sql(layer, dialect))
        params += list(box_params(where.bbox))
    if where.search is not None:
        text, names = where.search
        if text.strip():
            searchable = [n for n in names if not layer.get(n).private]
            pattern = "%" + _escape_like(text.strip()) + "%"
            parts = [dialect.contains(_field(layer, n)) for n in searchable]
            params += [pattern] * len(searchable)
            for name, values in where.search_also.items():
                column, values = _field(layer, name), tuple(values)
                if values and not layer.get(name).private:
                    parts.append(f"{column} IN ({', '.join([p] * len(values))})")
                    params += list(values)
            clauses.append("(" + " OR ".join(parts) + ")" if parts else "1 = 0")
    for name, (other, inner) in where.refers_to.items():
        column, target = _field(layer, name), get_layer(other)
        sub, sub_params = where_sql(target, inner, dialect)
        clauses.append(f"{column} IN (SELECT {quoted(target.id_field)} FROM {quoted(target.name)}{sub})")
        params += sub_params
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def box_params(bbox: BBox) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = (float(v) for v in bbox)
    return minx, miny, maxx, maxy


def _escape_like(text: str) -> str:
    """`text` with LIKE's wildcards and escape character taken literally (ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def summary_sql(layer: Layer, where: Where, dialect: Dialect, *, by: tuple[str, ...],
                sums: tuple[str, ...]) -> tuple[str, list[Any], list[str]]:
    """SELECT of `Store.summarise`: its SQL, parameters and result column names."""
    keys, names = [], []
    for key in by:
        field, _, part = key.partition(":")
        column = _field(layer, field)
        if part == "month":
            if layer.get(field).type != "date":
                raise KeyError(f"{field!r} is not a date field: it has no month")
            keys.append(dialect.month(column))
        elif part:
            raise KeyError(f"unknown key {key!r}: give a field or '<date field>:month'")
        else:
            keys.append(column)
        names.append(key)
    values = ["count(*)"]
    names.append("n")
    for name in sums:
        column = _field(layer, name)
        if layer.get(name).type not in ("int", "float"):
            raise KeyError(f"{name!r} is not a number: it cannot be summed")
        values += [f"sum({column})", f"count({column})"]
        names += [f"{name}_sum", f"{name}_n"]
    clause, params = where_sql(layer, where, dialect)
    select = ", ".join([*(f"{k} AS {quoted(n)}" for k, n in zip(keys, by)), *values])
    group = f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}" if keys else ""
    order = f" ORDER BY {', '.join(str(i + 1) for i in range(len(keys)))}" if keys else ""
    return f"SELECT {select} FROM {quoted(layer.name)}{clause}{group}{order}", params, names


def order_sql(layer: Layer, order_by: tuple[tuple[str, bool], ...]) -> str:
    """ORDER BY of `Store.select`: the pairs asked, then the id (a page is stable); nulls last."""
    parts = [f"{_field(layer, name)} {'DESC' if descending else 'ASC'}" for name, descending in order_by]
    nulls = [f"{_field(layer, name)} IS NULL" for name, _ in order_by]
    return " ORDER BY " + ", ".join([*(f"{n}, {p}" for n, p in zip(nulls, parts)), quoted(layer.id_field)])
