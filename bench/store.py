"""Benchmark of the stores' bulk writes: SQLite and PostGIS side by side, in one run.

Not a test: it prints figures. Run from the repository root:

    .venv/bin/python -m bench.store [--sizes 10000 100000]

For each size N, a fresh store of each backend (a temporary SQLite file; a database on a
throwaway PostgreSQL + PostGIS cluster started here, as the tests start one) is timed on:

- insert: one `write_batch` of N new issues (every field a city issue has filled);
- update: one `write_batch` changing two fields and the point of every one of them;
- undo update: `undo` of that batch (every row back as it was);
- undo insert: `undo` of the first batch (every row deleted).

Each is one transaction with its batch log and audit row, as an import is. The rows are
made before the clock starts; what is timed is the store's call alone. Columns: seconds and
rows per second; the last column is PostGIS / SQLite. The city loader (`python -m geo init
--data DIR`) writes 10^5 issues, 1.9x10^5 meetings and 6.6x10^5 timeline rows this way.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely

from geo.schema import ISSUES
from yishi.storage import Row, Store, create_store

BOX = (115.45, 34.30, 115.75, 34.50)  # Shangqiu-sized
OPERATIONS = ("insert", "update", "undo update", "undo insert")


def issue_rows(n: int, seed: int = 0) -> list[Row]:
    """`n` issues with the fields a generated city issue fills (seeded)."""
    rng = np.random.default_rng(seed)
    points = shapely.points(rng.uniform(BOX[0], BOX[2], n), rng.uniform(BOX[1], BOX[3], n))
    stages = ISSUES.get("stage").enum.codes
    categories = ISSUES.get("category").enum.codes
    return [{"issue_id": f"I{k:07d}", "title": f"第{k}号议题：小区停车难", "description": "居民反映晚间车位不足。" * 3,
             "category": categories[k % len(categories)], "focus": "livelihood",
             "stage": stages[k % len(stages)], "reported_on": f"202{k % 5}-0{k % 9 + 1}-1{k % 9}",
             "residents_affected": int(k % 300), "satisfaction": float(k % 5 + 1),
             "reporter_name": "虚构居民", "reporter_phone": f"199{k:08d}", "subdistrict_id": "411402001",
             "geom": g} for k, g in enumerate(points)]


def changed_rows(rows: list[Row]) -> list[Row]:
    """Every row with its stage, satisfaction and point changed (an update of every row)."""
    return [{"issue_id": r["issue_id"], "stage": "closed", "satisfaction": None,
             "geom": shapely.Point(r["geom"].x + 1e-4, r["geom"].y)} for r in rows]


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run(store: Store, rows: list[Row], changes: list[Row]) -> dict[str, float]:
    """Seconds of each operation on a fresh `store`."""
    seconds: dict[str, float] = {}
    seconds["insert"], first = timed(lambda: store.write_batch("issues", rows, by="bench"))
    seconds["update"], second = timed(lambda: store.write_batch("issues", changes, by="bench"))
    assert len(second.updated) == len(rows), (len(second.updated), len(rows))
    seconds["undo update"], _ = timed(lambda: store.undo(second.batch_id, by="bench"))
    seconds["undo insert"], _ = timed(lambda: store.undo(first.batch_id, by="bench"))
    assert store.load_layer("issues").empty
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**4, 10**5], help="issue rows")
    args = parser.parse_args(argv)
    from tests.postgis_server import PostgresServer

    results: dict[tuple[int, str], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="yishi-bench-") as tmp, PostgresServer() as server:
        for n in args.sizes:
            rows = issue_rows(n)
            changes = changed_rows(rows)
            with create_store(Path(tmp) / f"store-{n}.sqlite") as store:
                results[(n, "sqlite")] = run(store, rows, changes)
            url = server.new_database(f"bench_{n}")
            with create_store(url) as store:
                results[(n, "postgis")] = run(store, rows, changes)
            server.drop_database(url)

    print("store benchmark: bulk writes of issue rows (one batch each, with its undo log and audit row)")
    print()
    print(f"| {'rows':>7} | {'operation':<11} | {'SQLite s':>8} | {'rows/s':>9} | {'PostGIS s':>9} | "
          f"{'rows/s':>9} | {'PG/SQLite':>9} |")
    print(f"|{'-' * 9}|{'-' * 13}|{'-' * 10}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 11}|")
    for n in args.sizes:
        lite, pg = results[(n, "sqlite")], results[(n, "postgis")]
        for op in OPERATIONS:
            print(f"| {n:>7,} | {op:<11} | {lite[op]:8.2f} | {n / lite[op]:9,.0f} | {pg[op]:9.2f} | "
                  f"{n / pg[op]:9,.0f} | {pg[op] / lite[op]:9.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
