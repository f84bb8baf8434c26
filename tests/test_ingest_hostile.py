"""Hostile upload files (issue 12): refused with a clear report, never a traceback, a hang or
an exhausted server. Every file is generated here; none is committed."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.errors import InputError
from geo.ingest import UNREADABLE_CODES, Upload, read_upload
from geo.ingest.isolated import ReadLimits, read_upload_isolated, validate_file_isolated
from geo.ingest.ogr import MAX_RATIO
from yishi.services import uploads

ROOT = Path(__file__).resolve().parent.parent
HERE = (115.6169, 34.4366)  # WGS84, in 师院社区
MIB = 2**20


# ---- building files ---------------------------------------------------------------------


def venue_frame(n: int = 2, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"venue_id": [f"VT{i:03d}" for i in range(n)], "name": [f"议事角{i}" for i in range(n)],
         "kind": ["corner"] * n, **columns},
        geometry=[shapely.Point(HERE[0] + i * 1e-4, HERE[1]) for i in range(n)], crs=4326)


def shapefile_parts(tmp_path: Path, frame: gpd.GeoDataFrame | None = None) -> dict[str, bytes]:
    """The parts of a venues Shapefile: {'venues.shp': bytes, ...}."""
    folder = tmp_path / "shp"
    folder.mkdir()
    (venue_frame() if frame is None else frame).to_file(folder / "venues.shp", encoding="utf-8")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def zip_of(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def patch_member(data: bytes, name: str, *, flags: int = 0, file_size: int | None = None) -> bytes:
    """`data` (a zip) with member `name`'s general-purpose flags OR-ed with `flags` and its
    uncompressed size set to `file_size`, in both its local and its central header."""
    out = bytearray(data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    local = zf.getinfo(name).header_offset
    central = zf.start_dir
    while out[central + 46:central + 46 + struct.unpack_from("<H", out, central + 28)[0]] \
            != name.encode():  # the next central header: 46 bytes, name, extra, comment
        central += 46 + sum(struct.unpack_from("<3H", out, central + 28))
    assert out[local:local + 4] == b"PK\x03\x04" and out[central:central + 4] == b"PK\x01\x02"
    for flag_at, size_at in ((local + 6, local + 22), (central + 8, central + 24)):
        out[flag_at:flag_at + 2] = struct.pack("<H", struct.unpack_from("<H", out, flag_at)[0] | flags)
        if file_size is not None:
            out[size_at:size_at + 4] = struct.pack("<I", file_size)
    return bytes(out)


def geojson(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)},
                      ensure_ascii=False).encode()


def venue(i: int = 1, **props) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(HERE)},
            "properties": {"venue_id": f"VT{i:03d}", "name": f"议事角{i}", "kind": "corner", **props}}


def read(data: bytes, filename: str, layer: str = "venues") -> Upload:
    return read_upload(data, filename=filename, layer=layer)


def refused(up: Upload, code: str, *phrases: str) -> None:
    """`up` was refused as a whole with `code`; its English and Chinese texts (message and
    hint) hold `phrases`, and no traceback or path of ours."""
    assert not up.ok and len(up.frame) == 0
    matches = [p for p in up.problems if p.code == code and p.feature is None]
    assert matches, "\n".join(map(str, up.problems))
    p = matches[0]
    text = " ".join((p.message, p.hint, p.message_zh, p.hint_zh))
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in {text!r}"
    assert "Traceback" not in text and str(ROOT) not in text
    assert code in UNREADABLE_CODES and uploads.unreadable(up)


def run_cli(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """`python -m geo ...` in a child process (English), its time bounded by `timeout`."""
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "YISHI_LANG": "en", **env})


# ---- 1. a wrong CRC, an encrypted member --------------------------------------------------


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"])
def test_a_member_with_a_wrong_crc_is_reported_damaged(tmp_path, method):
    data = bytearray(zip_of(shapefile_parts(tmp_path), method))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("venues.shp")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF  # one byte of the packed data
    up = read(bytes(data), "venues.zip")
    refused(up, "damaged", "the zip file is damaged", "venues.shp", "zip 文件已损坏", "重新打包")


def test_an_encrypted_member_is_refused_before_it_is_unpacked(tmp_path):
    data = patch_member(zip_of(shapefile_parts(tmp_path)), "venues.dbf", flags=0x1)
    up = read(data, "venues.zip")
    refused(up, "encrypted", "protected by a password", "venues.dbf", "设置了密码", "不设密码")


def test_the_command_line_reports_an_encrypted_zip_in_one_report(cli, tmp_path):
    path = tmp_path / "venues.zip"
    path.write_bytes(patch_member(zip_of(shapefile_parts(tmp_path)), "venues.shp", flags=0x1))
    code, out, err = cli("validate", str(path), "--layer", "venues")
    assert code == 2
    assert "protected by a password" in out and "Traceback" not in out + err


# ---- 2. a zip bomb, and compression no real file has ----------------------------------------


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """A 1 MB zip whose .shp header claims 10 MiB but whose stream inflates to 1 GiB: written
    streaming by zipfile from a zero stream, then its size fields edited."""
    folder = tmp_path_factory.mktemp("bomb")
    parts = shapefile_parts(folder)
    path = folder / "venues.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in ("venues.shx", "venues.dbf", "venues.prj"):
            zf.writestr(name, parts[name])
        with zf.open("venues.shp", "w") as member:
            zeros = bytes(MIB)
            for _ in range(1024):
                member.write(zeros)
    path.write_bytes(patch_member(path.read_bytes(), "venues.shp", file_size=10 * MIB))
    assert path.stat().st_size < 2 * MIB
    return path


def test_a_zip_bomb_is_refused_within_bounded_memory(bomb):
    """Read in a child whose address space may grow 600 MB only (an unbounded read of the
    member needs 1 GiB): it finishes, with the member reported damaged."""
    script = textwrap.dedent("""
        import json, resource, sys
        from geo.ingest import read_upload
        with open("/proc/self/statm") as f:
            held = int(f.read().split()[0]) * resource.getpagesize()
        limit = held + 600 * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        up = read_upload(open(sys.argv[1], "rb").read(), filename="venues.zip", layer="venues")
        print(json.dumps([[p.code, p.message, p.message_zh] for p in up.problems]))
    """)
    done = subprocess.run([sys.executable, "-c", script, str(bomb)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    [[code, message, message_zh]] = json.loads(done.stdout)
    assert code == "damaged"
    assert "venues.shp" in message and "do not match the size and checksum" in message
    assert "与 zip 记录的大小或校验值不符" in message_zh


def test_a_member_compressed_beyond_any_real_file_is_not_unpacked(tmp_path):
    parts = shapefile_parts(tmp_path)
    parts["venues.dbf"] = bytes(20 * MIB)  # one byte repeated: deflate's 1000-to-1
    up = read(zip_of(parts), "venues.zip")
    refused(up, "too_compressed", "venues.dbf", "more than any real layer file", "未解压")


def test_a_padded_dbf_is_not_taken_for_a_bomb(tmp_path):
    """ArcGIS pads every text field to 254 characters: a .dbf of empty ones packs hundreds to
    one, and is still read."""
    n = 2000
    empty = {f"note{k}": ["x" * 254] + [""] * (n - 1) for k in range(20)}
    data = zip_of(shapefile_parts(tmp_path, venue_frame(n, **empty)))
    dbf = zipfile.ZipFile(io.BytesIO(data)).getinfo("venues.dbf")
    assert 100 < dbf.file_size / dbf.compress_size < MAX_RATIO
    up = read(data, "venues.zip")
    assert up.ok and len(up.frame) == n, up.problems[:3]


def test_bzip2_members_are_refused(tmp_path):
    up = read(zip_of(shapefile_parts(tmp_path), zipfile.ZIP_BZIP2), "venues.zip")
    refused(up, "zip_method", "venues.shp", "Deflate", "不支持的压缩方式")


# ---- 3. a GeoPackage view that never ends; reads stopped by time or memory ----------------


def venues_gpkg(path: Path, layer: str = "venues") -> None:
    venue_frame().to_file(path, layer=layer, driver="GPKG")


RECURSIVE_VIEW = """
    CREATE VIEW venues AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)
        SELECT x AS fid, NULL AS geom, 'V' || x AS venue_id FROM r;
    INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)
        VALUES ('venues', 'features', 'venues', 4326);
    INSERT INTO gpkg_geometry_columns VALUES ('venues', 'geom', 'POINT', 4326, 0, 0);
"""


@pytest.fixture
def view_gpkg(tmp_path) -> Path:
    """A GeoPackage whose 'venues' layer is a view over a recursive query without end."""
    path = tmp_path / "venues.gpkg"
    venues_gpkg(path, layer="source")
    with sqlite3.connect(path) as con:
        con.executescript(RECURSIVE_VIEW)
    return path


def test_a_geopackage_view_is_refused_by_name(view_gpkg):
    up = read(view_gpkg.read_bytes(), "venues.gpkg")
    refused(up, "gpkg_view", "venues", "views or virtual tables", "视图或虚拟表", "另存为")


def test_the_command_line_refuses_a_geopackage_view_in_bounded_time(view_gpkg):
    done = run_cli("validate", str(view_gpkg), "--layer", "venues", YISHI_READ_SECONDS="5")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "views or virtual tables" in done.stdout and "venues" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


@pytest.fixture
def slow_gpkg(tmp_path) -> Path:
    """A GeoPackage of stored tables only, whose 'name' is a generated column that takes
    a moment per row (it depends on the row, so SQLite computes it every time): 100,000 rows
    take many minutes."""
    path = tmp_path / "venues.gpkg"
    venues_gpkg(path, layer="source")
    with sqlite3.connect(path) as con:
        con.executescript("""
            CREATE TABLE venues (fid INTEGER PRIMARY KEY, geom POINT, venue_id TEXT, kind TEXT);
            INSERT INTO venues (fid, geom, venue_id, kind)
                WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 100000)
                SELECT x, (SELECT geom FROM source LIMIT 1), 'V' || x, 'corner' FROM r;
            -- added after the rows: an INSERT would compute it for each of them
            ALTER TABLE venues ADD COLUMN name TEXT GENERATED ALWAYS AS
                (substr(replace(hex(zeroblob(4000000 + fid)), '00', 'ab'), 1, 4)) VIRTUAL;
            INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)
                VALUES ('venues', 'features', 'venues', 4326);
            INSERT INTO gpkg_geometry_columns VALUES ('venues', 'geom', 'POINT', 4326, 0, 0);
        """)
    return path


def test_a_read_that_takes_too_long_is_stopped_and_reported(slow_gpkg):
    done = run_cli("validate", str(slow_gpkg), "--layer", "venues", YISHI_READ_SECONDS="2")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "the file took too long to read (more than 2 seconds)" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    up = validate_file_isolated(slow_gpkg, layer="venues", limits=ReadLimits(seconds=1))
    refused(up, "too_slow", "took too long to read", "超过 1 秒", "拆分")


def test_a_read_that_needs_too_much_memory_is_stopped_and_reported():
    """A 45 MB note: decoding and parsing its text alone needs twice that, far more than the
    1 MB the read may add (beyond the little the reader holds free)."""
    data = geojson(venue(1, note="x" * (45 * MIB)))
    up = read_upload_isolated(data, filename="venues.geojson", layer="venues",
                              limits=ReadLimits(memory_mb=1))
    refused(up, "too_much_memory", "needs too much memory to read", "内存过多")
    fine = read_upload_isolated(data, filename="venues.geojson", layer="venues")
    assert fine.ok and len(fine.frame) == 1  # the same file within the default limits


def test_read_limits_come_from_the_environment_and_refuse_nonsense(monkeypatch, tmp_path):
    assert ReadLimits.from_env({"YISHI_READ_SECONDS": "7.5", "YISHI_READ_MEMORY_MB": "300"}) \
        == ReadLimits(7.5, 300)
    assert ReadLimits.from_env({}) == ReadLimits()
    with pytest.raises(InputError, match=r"\$YISHI_READ_SECONDS must be a positive number, not 'soon'"):
        ReadLimits.from_env({"YISHI_READ_SECONDS": "soon"})
    path = tmp_path / "v.geojson"
    path.write_bytes(geojson(venue()))
    done = run_cli("validate", str(path), "--layer", "venues", YISHI_READ_MEMORY_MB="-1")
    assert done.returncode == 2 and "YISHI_READ_MEMORY_MB must be a positive number" in done.stderr
    assert "Traceback" not in done.stderr


# ---- 4. a zip without a Shapefile -----------------------------------------------------------


def test_a_zip_of_two_geojson_files_says_what_it_holds_and_what_is_accepted():
    data = zip_of({"a.geojson": geojson(venue(1)), "b.geojson": geojson(venue(2)),
                   "readme.txt": b"hello"})
    up = read(data, "layers.zip")
    refused(up, "zip_contents",
            "the zip holds 2 GeoJSON file(s) (a.geojson, b.geojson), 1 other file(s) (readme.txt) "
            "and no .shp file",
            "zip 文件中有 2 个 GeoJSON 文件（a.geojson、b.geojson）、1 个其他文件（readme.txt），但没有 .shp 文件",
            "a zipped Shapefile", "one GeoJSON or GeoPackage", "'venues'", "打包成 zip 的 Shapefile")


def test_of_several_zipped_files_the_one_named_like_the_layer_is_read():
    data = zip_of({"other.geojson": geojson(venue(1)), "venues.geojson": geojson(venue(2), venue(3))})
    up = read(data, "layers.zip")
    assert up.ok and list(up.frame["venue_id"]) == ["VT002", "VT003"]


# ---- 5. a huge value, repeated in messages -----------------------------------------------------


def test_a_200000_digit_number_is_refused_in_a_short_message():
    digits = "9" * 200_000
    data = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
            '{"type": "Point", "coordinates": [115.6169, 34.4366]}, "properties": '
            f'{{"issue_id": "PY-001", "residents_affected": {digits}}}}}]}}').encode()
    up = read(data, "issues.geojson", layer="issues")
    assert not up.ok
    [problem] = [p for p in up.problems if p.field == "residents_affected"]
    assert "(200,000 characters)" in problem.message and "共 200,000 个字符" in problem.message_zh
    texts = [t for p in up.problems + up.notes for t in (p.message, p.message_zh, p.hint, p.hint_zh)]
    assert max(map(len, texts)) < 300


def test_every_long_parameter_is_shortened_in_one_place():
    """Text from the file (a file name here) is shortened whichever problem repeats it."""
    up = read(b"\x00\x01", "x" * 100_000 + ".shp")
    [problem] = up.problems
    assert problem.code == "unsupported_format"
    assert problem.message.startswith("'" + "x" * 39 + "… (100,0")  # the name as quoted
    assert "characters)" in problem.message and "个字符）" in problem.message_zh
    assert len(problem.message) < 300 and len(problem.message_zh) < 300


# ---- no exception escapes ------------------------------------------------------------------------


def test_an_unexpected_error_is_an_unreadable_problem_without_a_traceback(monkeypatch):
    from geo.ingest import upload

    def broken(*args, **kwargs):
        raise ValueError(f"{ROOT}/secret/path went wrong")

    monkeypatch.setattr(upload, "read_geojson", broken)
    up = read(geojson(venue()), "venues.geojson")
    refused(up, "unreadable", "an unexpected error occurred while reading it (ValueError)", "意外错误")
    assert "secret" not in str(up.problems)


# ---- the upload page ----------------------------------------------------------------------------


def test_the_upload_page_reports_a_hostile_file_and_changes_nothing(demo_store_path, tmp_path):
    """Through the page (uploads.read, in a child process): a report, no traceback."""
    from tests.helpers import USERS, dump, run_page

    before = dump(demo_store_path)["venues"]
    at = run_page("upload.py", USERS["staff"])
    data = patch_member(zip_of(shapefile_parts(tmp_path)), "venues.shp", flags=0x1)
    at.file_uploader(key="up_file").set_value(("venues.zip", data, "application/zip"))
    at.run()
    assert not at.exception, at.exception
    report = at.dataframe[0].value
    assert any("设置了密码" in text for text in report["问题"])
    assert at.error and not [b for b in at.button if b.key == "up_confirm"]
    assert dump(demo_store_path)["venues"] == before
    assert uploads.read(data, filename="venues.zip", layer="venues").problems[0].code == "encrypted"
