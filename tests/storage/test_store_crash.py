"""A writer killed mid-import, and two writers at once, never corrupt the store."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

IMPORT_SCRIPT = textwrap.dedent("""
    import sys, numpy as np, geopandas as gpd, shapely
    from geo.schema import get_layer
    from yishi.storage import Store, create_store, open_store, rows_from_frame
    n, prefix = int(sys.argv[2]), sys.argv[3]
    rng = np.random.default_rng(1)
    pts = shapely.points(rng.uniform(115.58, 115.66, n), rng.uniform(34.40, 34.47, n))
    frame = gpd.GeoDataFrame({
        "issue_id": [f"{prefix}{i:06d}" for i in range(n)], "title": ["停车难"] * n,
        "category": ["parking"] * n, "focus": ["livelihood"] * n, "stage": ["collected"] * n,
        "reported_on": ["2022-05-01"] * n}, geometry=pts, crs="EPSG:4326")
    rows = rows_from_frame(get_layer("issues"), frame)
    print("writing", flush=True)
    with open_store(sys.argv[1]) as store:
        result = store.write_batch("issues", rows, by="crash-test", source=prefix)
    print("done", len(result.new), flush=True)
""")


def counts(path: Path) -> tuple[int, int, int, str]:
    con = sqlite3.connect(path)
    try:
        return (con.execute("SELECT count(*) FROM issues").fetchone()[0],
                con.execute("SELECT count(*) FROM batches").fetchone()[0],
                con.execute("SELECT count(*) FROM audit").fetchone()[0],
                con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def start_import(store: Path, n: int, prefix: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", IMPORT_SCRIPT, str(store), str(n), prefix],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def writing_uncommitted(path: Path, spilled: int) -> bool:
    """Whether a writer holds the store's write lock and has already put `spilled` bytes of
    its open transaction into the write-ahead log: well inside the transaction."""
    wal = path.with_name(path.name + "-wal")
    if not wal.exists() or wal.stat().st_size < spilled:
        return False
    con = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc) or "busy" in str(exc), exc
        return True
    finally:
        con.close()


def wait_until_writing(proc: subprocess.Popen, path: Path) -> None:
    """Wait (bounded) until the import is inside its transaction; fail if it ends first."""
    for _ in range(6000):
        if writing_uncommitted(path, spilled=1_000_000):
            return
        try:
            proc.wait(timeout=0.02)  # the pause between looks; returns early if the import ends
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the import ended before it could be killed: {proc.communicate()}")
    pytest.fail("the import never got inside its transaction")


def test_sigkill_in_the_middle_of_a_large_import_leaves_the_store_as_it_was(demo_store_path):
    before = counts(demo_store_path)
    proc = start_import(demo_store_path, 100_000, "K")
    assert proc.stdout.readline().strip() == "writing"
    wait_until_writing(proc, demo_store_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    after = counts(demo_store_path)
    assert after == before
    assert after[3] == "ok"


def test_two_imports_at_once_both_land_or_one_is_told_to_retry(demo_store_path):
    before = counts(demo_store_path)
    procs = [start_import(demo_store_path, 20_000, prefix) for prefix in ("A", "B")]
    outcomes = [p.communicate(timeout=300) for p in procs]
    landed = [out for out, _ in outcomes if "done 20000" in out]
    retried = [err for _, err in outcomes if "StoreBusy" in err or "busy" in err]
    assert len(landed) + len(retried) == 2, outcomes
    assert len(landed) >= 1
    issues, batches, _, integrity = counts(demo_store_path)
    assert integrity == "ok"
    assert (issues, batches) == (before[0] + 20_000 * len(landed), before[1] + len(landed))
