"""Venue QR posters: what a printed poster says and where its code leads, the zip, the command
line, and the community page's download panel (staff only)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
import segno
import zxingcpp
from PIL import Image

from geo.errors import InputError, YishiError
from tests.helpers import USERS, dump, run_page
from yishi import settings
from yishi.services import posters
from yishi.storage import open_store

SVG = "{http://www.w3.org/2000/svg}"
BASE = "https://yishi.example.gov.cn"
XINQU = "411402001001"  # 新区社区: venues V002, V018, V019, V020
XINQU_VENUES = ["V002", "V018", "V019", "V020"]
HOSTILE = "<script>alert(1)</script>&\"'"


@pytest.fixture(autouse=True)
def public_url(monkeypatch):
    """The deployment's address, given with a trailing slash as an operator might type it."""
    monkeypatch.setenv("YISHI_PUBLIC_URL", BASE + "/")
    monkeypatch.setenv("YISHI_LANG", "en")


@pytest.fixture
def no_cjk_font(monkeypatch):
    """A machine without fonts-noto-cjk: fontconfig finds nothing CJK, no known file exists."""
    monkeypatch.setattr(posters, "_fc_match", lambda bold: None)
    monkeypatch.setattr(posters, "_KNOWN_FONTS", {False: (), True: ()})
    posters.cjk_font_file.cache_clear()
    posters._font.cache_clear()
    yield
    posters.cjk_font_file.cache_clear()
    posters._font.cache_clear()


def decoded(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


def svg_texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def svg_code_image(root: ET.Element) -> Image.Image:
    """The SVG's QR path drawn as pixels (10 a module), from its own runs: what a printer makes
    of the path, independent of the library that made the code."""
    path = next(p for p in root.iter(f"{SVG}path"))
    runs = [tuple(map(int, r)) for r in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path.get("d"))]
    assert runs
    side = max(y for _, y, _ in runs) + 1 + 4  # the quiet zone after the last row
    image = Image.new("L", (side * 10, side * 10), 255)
    for x, y, w in runs:
        image.paste(0, (x * 10, y * 10, (x + w) * 10, (y + 1) * 10))
    return image


# --- the deployment's address ------------------------------------------------------------------


def test_public_url_defaults_to_the_local_server_and_loses_a_trailing_slash(monkeypatch):
    monkeypatch.delenv("YISHI_PUBLIC_URL")
    assert settings.public_url() == "http://localhost:8501"
    monkeypatch.setenv("YISHI_PUBLIC_URL", " https://yishi.example.gov.cn/map/ ")
    assert settings.public_url() == "https://yishi.example.gov.cn/map"


@pytest.mark.parametrize("value", ["ftp://yishi.example.gov.cn", "javascript:alert(1)",
                                   "yishi.example.gov.cn", "https://", "https://a b.cn",
                                   "https://yishi.example.gov.cn/?x=1", "http://host:port"])
def test_public_url_refuses_what_is_not_an_http_address(monkeypatch, value):
    monkeypatch.setenv("YISHI_PUBLIC_URL", value)
    with pytest.raises(ValueError, match=r"\$YISHI_PUBLIC_URL must be an http:// or https://"):
        settings.public_url()


# --- one poster ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["A4", "A5"])
def test_png_poster_is_the_paper_at_print_resolution_and_its_code_opens_the_venue_report(
        demo_store, size):
    image = Image.open(io.BytesIO(posters.venue_poster(demo_store, "V018", size=size, fmt="png")))
    width_mm, height_mm = posters.SIZES[size]
    assert image.format == "PNG"
    assert image.width >= width_mm / 25.4 * 150 and image.info["dpi"][0] >= 150
    assert image.height / image.width == pytest.approx(height_mm / width_mm, rel=0.005)
    assert decoded(image) == [f"{BASE}/report_issue?venue=V018"]


@pytest.mark.parametrize("size", ["A4", "A5"])
def test_svg_poster_says_the_venue_its_place_and_the_address_and_its_code_reads_back(
        demo_store, size):
    data = posters.venue_poster(demo_store, "V018", size=size, fmt="svg")
    root = ET.fromstring(data)
    width_mm, height_mm = posters.SIZES[size]
    assert (root.get("width"), root.get("height")) == (f"{width_mm:g}mm", f"{height_mm:g}mm")
    texts = svg_texts(root)
    url = f"{BASE}/report_issue?venue=V018"
    for expected in ("有事好商量", "盐业局小区协商议事长廊", "议事长廊 · 新区社区", url,
                     "扫码反映身边的问题：停车、供水、老旧小区改造……", "平原街道 · 议事点 V018"):
        assert expected in texts
    assert any(t.startswith("Scan to report a problem near you") for t in texts)
    assert "Noto Sans CJK SC" in data.decode() and "sans-serif" in data.decode()
    assert decoded(svg_code_image(root)) == [url]


def test_the_svg_code_is_the_matrix_segno_makes_for_the_address(demo_store):
    root = ET.fromstring(posters.venue_poster(demo_store, "V002", fmt="svg"))
    drawn = svg_code_image(root)
    matrix = segno.make(f"{BASE}/report_issue?venue=V002", error="q", micro=False,
                        boost_error=False).matrix
    assert [[drawn.getpixel(((c + 4) * 10 + 5, (r + 4) * 10 + 5)) == 0 for c in range(len(row))]
            for r, row in enumerate(matrix)] == [[bool(v) for v in row] for row in matrix]


def test_a_hostile_venue_name_is_text_on_the_poster_never_markup(demo_store):
    point = demo_store.load_layer("venues").set_index("venue_id").geometry["V018"]
    demo_store.write_batch("venues", [{"venue_id": "V018", "name": HOSTILE, "kind": "corridor",
                                       "geom": point}], by="test")
    data = posters.venue_poster(demo_store, "V018", fmt="svg")
    assert b"<script" not in data and HOSTILE.encode() not in data
    root = ET.fromstring(data)  # still one well-formed document
    assert not list(root.iter(f"{SVG}script"))
    assert HOSTILE in "".join(svg_texts(root))  # on its line(s), as typed
    assert root.find(f"{SVG}title").text == HOSTILE
    png = Image.open(io.BytesIO(posters.venue_poster(demo_store, "V018", fmt="png")))
    assert decoded(png) == [f"{BASE}/report_issue?venue=V018"]


def test_a_hostile_venue_id_is_quoted_in_the_address_and_cannot_name_a_path():
    venue_id = "../" + HOSTILE + "\x01"
    info = posters.PosterInfo(venue_id, "议事角", None, None, None, posters.report_url(venue_id))
    assert info.url == f"{BASE}/report_issue?venue=..%2F%3Cscript%3Ealert%281%29%3C%2Fscript%3E%26%22%27%01"
    root = ET.fromstring(posters.render(info, fmt="svg"))  # the control character is dropped
    assert decoded(svg_code_image(root)) == [info.url]
    with zipfile.ZipFile(io.BytesIO(posters.zip_posters([info, info], formats="svg"))) as archive:
        names = archive.namelist()
    assert len(names) == 2 and len(set(names)) == 2
    assert all("/" not in n and ".." not in n and n.endswith("-A4.svg") for n in names)


def test_a_long_name_and_address_stay_on_the_page(monkeypatch):
    monkeypatch.setenv("YISHI_PUBLIC_URL", "https://yishi.pingyuan-subdistrict.shangqiu.example.gov.cn")
    info = posters.PosterInfo("V001", "很长的议事点名称" * 12, "议事角", "老君台社区", "平原街道",
                              posters.report_url("V001"))
    root = ET.fromstring(posters.render(info, size="A5", fmt="svg"))
    lines = [t for t in root.iter(f"{SVG}text")]
    for line in lines:  # every line fits between the margins, by the generous width guess
        width = posters.estimate_width(line.text, float(line.get("font-size")), line.get("font-weight") == "700")
        assert width <= 210 - 2 * 14 + 0.01, line.text
    assert "".join(t.text for t in lines).count("https://") == 1  # the address wrapped, all there
    assert decoded(svg_code_image(root)) == [info.url]


def test_unknown_venue_size_or_format_is_refused(demo_store):
    with pytest.raises(InputError, match="No venue 'V999'"):
        posters.venue_poster(demo_store, "V999")
    with pytest.raises(InputError, match=r"size must be one of A4, A5, not 'A3'"):
        posters.venue_poster(demo_store, "V001", size="A3")
    with pytest.raises(InputError, match=r"format must be one of png, svg, not 'pdf'"):
        posters.all_posters(demo_store, XINQU, formats=["svg", "pdf"])


def test_without_a_cjk_font_a_png_is_refused_naming_the_package_and_svg_still_works(
        demo_store, no_cjk_font):
    with pytest.raises(YishiError, match="install the Debian package fonts-noto-cjk"):
        posters.venue_poster(demo_store, "V018", fmt="png")
    with pytest.raises(YishiError, match="fonts-noto-cjk"):
        posters.all_posters(demo_store, XINQU, formats="both")
    assert ET.fromstring(posters.venue_poster(demo_store, "V018", fmt="svg")) is not None


# --- all of a community --------------------------------------------------------------------------


def test_the_zip_holds_one_file_per_venue_size_and_format(demo_store):
    data = posters.all_posters(demo_store, XINQU, size="both", formats="both")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{v}-{s}.{f}" for v in XINQU_VENUES for s in ("A4", "A5")
                               for f in ("png", "svg"))
        png = Image.open(io.BytesIO(archive.read("V019-A5.png")))
        svg = ET.fromstring(archive.read("V019-A4.svg"))
    assert decoded(png) == [f"{BASE}/report_issue?venue=V019"]
    assert "清华园协商议事角" in svg_texts(svg)


def test_an_unknown_community_is_refused_naming_the_known_ones(demo_store):
    with pytest.raises(InputError, match=rf"No community 'NOPE'; known: .*{XINQU}"):
        posters.all_posters(demo_store, "NOPE")


# --- the command line ----------------------------------------------------------------------------


def test_cli_writes_the_communitys_posters_and_says_so(cli, tmp_path):
    out = tmp_path / "posters"
    code, stdout, stderr = cli("posters", "--community", XINQU, "-o", str(out), "--size", "A5",
                               "--format", "png")
    assert code == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == [f"{v}-A5.png" for v in XINQU_VENUES]
    assert stdout.splitlines() == [f"wrote {out / f'{v}-A5.png'}" for v in XINQU_VENUES]
    assert "4 files written" in stderr
    assert decoded(Image.open(out / "V020-A5.png")) == [f"{BASE}/report_issue?venue=V020"]


def test_cli_without_a_community_writes_every_venue(cli, tmp_path, demo_store_path):
    out = tmp_path / "out"
    code, _, stderr = cli("posters", "-o", str(out), "--format", "svg", "--size", "both")
    assert code == 0, stderr
    with open_store(demo_store_path) as store:
        venues = sorted(store.load_layer("venues")["venue_id"])
    assert len(venues) == 55
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{v}-{s}.svg" for v in venues for s in ("A4", "A5"))


def test_cli_unknown_community_exits_2_with_the_message_and_writes_nothing(cli, tmp_path,
                                                                          demo_store_path):
    before = dump(demo_store_path)
    code, stdout, stderr = cli("posters", "--community", "NOPE", "-o", str(tmp_path / "out"))
    assert code == 2
    assert stderr.startswith("error: No community 'NOPE'; known: ") and XINQU in stderr
    assert stdout == "" and not (tmp_path / "out").exists()
    assert dump(demo_store_path) == before


def test_cli_without_a_cjk_font_exits_2_naming_the_package(cli, tmp_path, no_cjk_font):
    code, _, stderr = cli("posters", "--community", XINQU, "-o", str(tmp_path / "out"))
    assert code == 2
    assert "fonts-noto-cjk" in stderr and not (tmp_path / "out").exists()


def test_cli_a_file_in_the_way_exits_2(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, stderr = cli("posters", "--community", XINQU, "-o", str(blocker), "--format", "svg")
    assert code == 2 and stderr.startswith(f"error: cannot write {blocker}")


# --- the community page ---------------------------------------------------------------------------


def download_labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


@pytest.mark.parametrize("lang, title, zip_button, one_button", [
    ("zh", "二维码海报", "下载全部海报（zip）", "下载海报"),
    ("en", "QR posters", "Download all posters (zip)", "Download poster")])
def test_staff_see_the_poster_panel_with_the_communitys_venues(demo_store_path, lang, title,
                                                               zip_button, one_button):
    at = run_page("community.py", USERS["staff"], lang)
    assert [e.label for e in at.expander] == [title]
    assert zip_button in download_labels(at) and one_button not in download_labels(at)
    venues = at.selectbox(key=f"_poster_venue_{lang}")
    assert venues.options[1:] == ["V002 · 新区社区协商议事室", "V018 · 盐业局小区协商议事长廊",
                                  "V019 · 清华园协商议事角", "V020 · 平原小区协商议事角"]
    venues.set_value("V018").run()
    assert one_button in download_labels(at) and zip_button not in download_labels(at)


@pytest.mark.parametrize("role", ["leader", "member", "admin"])
def test_other_roles_do_not_see_the_poster_panel(demo_store_path, role):
    at = run_page("community.py", USERS[role], "zh")
    assert not [e for e in at.expander if e.label == "二维码海报"]
    assert not [label for label in download_labels(at) if "海报" in label]


def test_the_panel_says_when_the_machine_has_no_cjk_font(demo_store_path, no_cjk_font):
    at = run_page("community.py", USERS["staff"], "en")
    assert any("fonts-noto-cjk" in e.value for e in at.error)
    at.radio(key="_poster_format_en").set_value("svg").run()
    assert not at.error and "Download all posters (zip)" in download_labels(at)


def test_the_panels_download_makes_the_chosen_poster_or_zip(demo_store_path):
    from ui.posters import _maker

    one = _maker(str(demo_store_path), XINQU, "V019", "A4", "png")()
    assert decoded(Image.open(io.BytesIO(one))) == [f"{BASE}/report_issue?venue=V019"]
    both = _maker(str(demo_store_path), XINQU, "V019", "A4", "both")()
    assert sorted(zipfile.ZipFile(io.BytesIO(both)).namelist()) == ["V019-A4.png", "V019-A4.svg"]
    every = _maker(str(demo_store_path), XINQU, None, "A5", "svg")()
    assert sorted(zipfile.ZipFile(io.BytesIO(every)).namelist()) == [f"{v}-A5.svg" for v in XINQU_VENUES]
