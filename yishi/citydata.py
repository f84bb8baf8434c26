"""A store built from a generated data directory (`python -m data.generate --scale city`).

`python -m geo init --data DIR --store LOC` calls `build_store_from_dir`. The demo's path
(`yishi.demo`) reads each file through the upload checks, which refuse files over 50 MB and
check row by row; a city of 10^5-10^6 issues needs neither: the files here are our own
generator's, so they are read whole (json / pandas) and checked column-wise instead (ids,
required fields, enumerations, lengths, ranges, points inside Shangqiu, the region tree and
every row's subdistrict), every problem reported at once. Where each issue falls (community,
compound) is computed from the polygons in one vectorised join (`yishi.services.assignment`);
a file that gives it must agree. The store is then written through
`Store.write_batch` like any import (audit rows, undo log), large layers in several batches,
into a temporary file moved into place only when everything is in: a store is whole or absent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InputError, Problem, ValidationError, msg
from geo.regions import CODE_DIGITS, COMMUNITY_DIGITS, tree_problems
from geo.schema import SHANGQIU_BBOX, WGS84, Layer, get_layer
from yishi import datasets
from yishi.demo import built_in_place, seed_demo_accounts
from yishi.services import assignment
from yishi.storage import Store, rows_from_frame

#: The files of a generated directory, by layer, in the order they are written.
FILES: dict[str, str] = {"regions": "regions.csv", **datasets.DEMO_FILES}
#: Rows per `write_batch` call: bounds the memory of one batch (rows as dicts, the undo log);
#: few, because the store checks the whole file before each batch (SQLite: quick_check).
BATCH_ROWS = 1_000_000
#: Problems reported per kind of check and field (the rest are counted).
SHOWN = 5


@dataclass(frozen=True)
class Loaded:
    """What one layer took: rows, seconds to read and check, seconds to write."""

    layer: str
    rows: int
    read_s: float
    write_s: float


def _problem(message: str, message_zh: str, *, field: str | None = None, row: int | None = None) -> Problem:
    return Problem("city_data", message, message_zh, feature=row, field=field)


def read_layer(directory: Path, name: str) -> pd.DataFrame:
    """One layer's file as a frame: GeoJSON (ours: one feature per line) with its geometry in
    WGS84, CSV with every value as text (ids keep their leading zeros), booleans as booleans."""
    layer = get_layer(name)
    path = directory / FILES[name]
    if layer.geometry:
        with path.open(encoding="utf-8") as f:
            features = json.load(f)["features"]
        frame = pd.DataFrame.from_records([f["properties"] for f in features],
                                          columns=list(layer.field_names))
        kinds = [f["geometry"]["type"] for f in features]
        if layer.geometry == "Point" and all(k == "Point" for k in kinds):
            xy = np.array([f["geometry"]["coordinates"] for f in features], dtype=float).reshape(-1, 2)
            geoms = shapely.points(xy)
        else:
            geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features]) if features else []
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame.astype(object).where(frame != "", None)
    for f in layer.fields:
        if f.type == "bool" and f.name in frame:
            frame[f.name] = frame[f.name].map({"true": True, "false": False, None: None})
    return frame


def frame_problems(layer: Layer, frame: pd.DataFrame) -> list[Problem]:
    """Every way `frame` breaks the schema, column by column (the upload checks' rules, vectorised)."""
    problems: list[Problem] = []

    def report(mask: pd.Series | np.ndarray, field: str | None, en: str, zh: str) -> None:
        rows = np.nonzero(np.asarray(mask, dtype=bool))[0]
        for r in rows[:SHOWN]:
            problems.append(_problem(f"{layer.name}: {en}", f"{layer.zh}：{zh}", field=field, row=int(r) + 1))
        if len(rows) > SHOWN:
            problems.append(_problem(f"{layer.name}: {len(rows) - SHOWN} more rows: {en}",
                                     f"{layer.zh}：另有 {len(rows) - SHOWN} 行{zh}", field=field))

    missing = [f.name for f in layer.fields if f.name not in frame.columns]
    if missing:
        return [_problem(f"{layer.name}: no column {m}", f"{layer.zh}：缺少列 {m}", field=m) for m in missing]
    ids = frame[layer.id_field]
    report(ids.duplicated(keep="first") & ids.notna(), layer.id_field, "id given twice", "编号重复")
    for f in layer.fields:
        col = frame[f.name]
        absent = col.isna()
        if f.required:
            report(absent, f.name, "required value missing", "必填项为空")
        if f.enum is not None:
            report(~absent & ~col.isin(f.enum.codes), f.name, "not one of the allowed codes", "不是允许的代码")
        if f.max_length is not None and f.type == "str":
            report(col.fillna("").astype(str).str.len() > f.max_length, f.name, "text too long", "文字过长")
        if f.type in ("int", "float"):
            num = pd.to_numeric(col, errors="coerce")
            report(~absent & num.isna(), f.name, "not a number", "不是数字")
            if f.minimum is not None:
                report(num < f.minimum, f.name, f"below {f.minimum}", f"小于 {f.minimum}")
            if f.maximum is not None:
                report(num > f.maximum, f.name, f"above {f.maximum}", f"大于 {f.maximum}")
        if f.type == "date":
            parsed = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce")
            report(~absent & parsed.isna(), f.name, "not a date YYYY-MM-DD", "不是日期（YYYY-MM-DD）")
    if layer.geometry:
        geoms = frame.geometry.to_numpy()
        wrong = shapely.get_type_id(geoms) != (0 if layer.geometry == "Point" else 3)
        report(wrong | ~shapely.is_valid(geoms), None, f"geometry is not a valid {layer.geometry}",
               f"几何不是有效的{'点' if layer.geometry == 'Point' else '面'}")
        minx, miny, maxx, maxy = SHANGQIU_BBOX
        b = shapely.bounds(geoms)
        report((b[:, 0] < minx) | (b[:, 1] < miny) | (b[:, 2] > maxx) | (b[:, 3] > maxy), None,
               "geometry outside Shangqiu", "几何超出商丘范围")
    return problems


def tree_checks(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """The region tree is a tree of NBS codes; every row's subdistrict is one of its subdistricts;
    a community's code starts with its subdistrict's."""
    regions = frames["regions"]
    problems = [_problem(m.text("en"), m.text("zh"), field="region_id") for m in tree_problems(regions)]
    subs = set(regions.loc[regions["level"] == "subdistrict", "region_id"])
    for name, frame in frames.items():
        if "subdistrict_id" in get_layer(name).field_names:
            unknown = sorted(set(frame["subdistrict_id"].dropna()) - subs)
            if unknown or frame["subdistrict_id"].isna().any():
                problems.append(_problem(
                    f"{name}: subdistrict_id missing or not in regions.csv ({', '.join(unknown[:SHOWN])})",
                    f"{get_layer(name).zh}：街道编码为空或不在 regions.csv 中（{'、'.join(unknown[:SHOWN])}）",
                    field="subdistrict_id"))
    com = frames["communities"]
    codes = com["community_id"].astype(str)
    bad = ((codes.str[:CODE_DIGITS["subdistrict"]] != com["subdistrict_id"].fillna("-").astype(str))
           | (codes.str.len() != COMMUNITY_DIGITS))
    if bad.any():
        problems.append(_problem(f"communities: {int(bad.sum())} codes are not their subdistrict's code + 3 digits",
                                 f"社区：{int(bad.sum())} 个编码不是所属街道编码加 3 位", field="community_id"))
    return problems


def placed_issues(frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, list[Problem]]:
    """The issues with where each falls, from the communities and compounds by `geo.joins`
    rules; a value the file gives (a generator that knows it) must be the same, else a problem."""
    issues = frames["issues"]
    found = assignment.places(issues.geometry, frames["communities"], frames["compounds"])
    differ = np.zeros(len(issues), dtype=bool)
    for name, values in found.items():
        given = issues[name].to_numpy(dtype=object) if name in issues else np.full(len(issues), None)
        new = values.to_numpy(dtype=object)
        differ |= np.array([g is not None and g != n for g, n in zip(given, new)], dtype=bool)
    problems = []
    if differ.any():
        ids = issues["issue_id"].to_numpy()[differ][:SHOWN].tolist()
        m = msg("city_places_differ", n=int(differ.sum()), ids=ids)
        problems.append(_problem(m.text("en"), m.text("zh"), field="community_id"))
    return issues.assign(**{name: found[name] for name in found}), problems


def load_dir(store: Store, directory: Path, *, by: str = "city-builder",
             report: Callable[[Loaded], None] | None = None) -> list[Loaded]:
    """Check every file of `directory`, then write every layer and the demo accounts into the
    empty `store`. Nothing is written if any file has a problem (all are reported at once)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(msg("ingest.no_file", path=str(directory)))
    absent = [n for n, f in FILES.items() if not (directory / f).is_file()]
    if absent:
        raise ValidationError([_problem(f"missing file {FILES[n]}", f"缺少文件 {FILES[n]}") for n in absent])
    frames: dict[str, pd.DataFrame] = {}
    read_s: dict[str, float] = {}
    problems: list[Problem] = []
    for name in FILES:
        clock = time.perf_counter()
        frames[name] = read_layer(directory, name)
        problems += frame_problems(get_layer(name), frames[name])
        read_s[name] = time.perf_counter() - clock
    problems += tree_checks(frames)
    if problems:
        raise ValidationError(problems)
    clock = time.perf_counter()
    frames["issues"], problems = placed_issues(frames)
    read_s["issues"] += time.perf_counter() - clock
    if problems:
        raise ValidationError(problems)

    meta_path = directory / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    store.set_meta("as_of", str(meta.get("as_of", datasets.DEMO_AS_OF)), by=by)
    # Illustrative, like the demo: its accounts may use the published demo passwords.
    store.set_meta("demo", "1", by=by)
    store.set_meta("built_from", str(directory), by=by)
    store.set_meta(assignment.META_KEY, "1", by=by)  # every issue's place is written below
    loaded: list[Loaded] = []
    for name in FILES:
        clock = time.perf_counter()
        layer, frame = get_layer(name), frames.pop(name)
        for start in range(0, len(frame), BATCH_ROWS):
            part = frame.iloc[start:start + BATCH_ROWS]
            store.write_batch(name, rows_from_frame(layer, part), by=by, action="build_city",
                              source=f"{directory.name}/{FILES[name]}", new_only=True)
        done = Loaded(name, len(frame), read_s[name], time.perf_counter() - clock)
        loaded.append(done)
        if report:
            report(done)
    seed_demo_accounts(store, by=by)
    return loaded


def build_store_from_dir(target: str | Path, directory: Path, *, by: str = "city-builder",
                         report: Callable[[Loaded], None] | None = None) -> list[Loaded]:
    """A new store at `target` from `directory` (`built_in_place`: a file store is built beside
    `target` and moved into place at once; a database is written where it is)."""
    return built_in_place(target, lambda store: load_dir(store, directory, by=by, report=report))
