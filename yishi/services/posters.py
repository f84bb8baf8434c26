"""Printable QR posters for the venues (议事点): scan, and the report form opens with the
venue's place already chosen.

One layout (`_layout`, in millimetres of an A4 page) is drawn twice: as a PNG with Pillow and a
CJK font found on the machine, and as an SVG with real text (escaped: venue names are uploaded
text) and the QR code as one path. A5 is the same page scaled (the A sizes share a shape).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import segno

from geo.errors import InputError, YishiError, msg
from geo.joins import place
from geo.schema import VENUE_KINDS
from geo.words import say
from yishi.settings import public_url
from yishi.storage import Store

#: Paper sizes, portrait, in millimetres.
SIZES: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}
FORMATS: tuple[str, ...] = ("png", "svg")
MIME = {"png": "image/png", "svg": "image/svg+xml", "zip": "application/zip"}
#: Print resolution of the PNG: A4 is then 1654 x 2339 pixels.
DPI = 200
#: The Debian package that brings the font (named in the refusal when it is missing).
FONT_PACKAGE = "fonts-noto-cjk"
FONT_FAMILY = "Noto Sans CJK SC"
_KNOWN_FONTS = {  # Debian, then Fedora/Arch layouts
    False: ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
            "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
            "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    True: ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
           "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
           "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc"),
}

_RED, _INK, _GREY, _WHITE = "#b71c1c", "#1a1a1a", "#555555", "#ffffff"
_PAGE_W, _PAGE_H = SIZES["A4"]  # the layout's own page
_MARGIN = 14.0


@dataclass(frozen=True)
class PosterInfo:
    """What one venue's poster says (plain text; escaped where it is drawn)."""

    venue_id: str
    venue_name: str
    kind: str | None
    community_name: str | None
    subdistrict_name: str | None
    url: str


def report_url(venue_id: str) -> str:
    """The report form with the venue preselected, on the deployment's public address."""
    return f"{public_url()}/report_issue?venue={quote(str(venue_id), safe='')}"


# --- what the posters say ------------------------------------------------------------------------


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) or not str(value).strip() else str(value).strip()


def poster_infos(store: Store, community_id: str | None = None) -> list[PosterInfo]:
    """Every venue's poster text, of one community (InputError naming the known ones when the
    community does not exist) or, with None, of the whole subdistrict; ordered by venue id."""
    communities = store.load_layer("communities")
    venues = store.load_layer("venues")
    names = dict(zip(communities["community_id"], communities["name"]))
    if community_id is not None and community_id not in names:
        raise InputError(msg("poster_unknown_community", community_id=community_id,
                             choices=sorted(names) or ["-"]))
    subdistrict = store.load_layer("subdistrict")
    sub_name = _text(subdistrict["name"].iloc[0]) if len(subdistrict) else None
    if venues.empty:
        return []
    where = place(venues.geometry, communities=communities)["community_id"].to_numpy()
    venues = venues.assign(in_community=where)
    if community_id is not None:
        venues = venues[venues["in_community"] == community_id]
    kinds = VENUE_KINDS.labels
    return [PosterInfo(venue_id=str(row.venue_id), venue_name=_text(row.name) or str(row.venue_id),
                       kind=kinds[row.kind][0] if row.kind in kinds else _text(row.kind),
                       community_name=_text(names.get(row.in_community)),
                       subdistrict_name=sub_name, url=report_url(row.venue_id))
            for row in venues.sort_values("venue_id").itertuples()]


def venue_info(store: Store, venue_id: str) -> PosterInfo:
    """One venue's poster text (InputError when there is no such venue)."""
    for info in poster_infos(store):
        if info.venue_id == venue_id:
            return info
    raise InputError(msg("poster_unknown_venue", venue_id=venue_id))


# --- layout ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class _Line:
    """One line of text, centred on `x`, standing on the baseline `y`; `size` is the em in mm."""

    x: float
    y: float
    text: str
    size: float
    bold: bool
    fill: str


@dataclass(frozen=True)
class _Code:
    x: float
    y: float
    size: float  # the square, quiet zone included
    qr: segno.QRCode


Block = _Rect | _Line | _Code
Measure = Callable[[str, float, bool], float]  # (text, em in mm, bold) -> width in mm


def estimate_width(text: str, size: float, bold: bool = False) -> float:
    """A generous width guess when no font is at hand (the SVG's reader brings its own font):
    CJK and full-width characters are one em, the rest about 0.6 em."""
    wide = sum(1 for ch in text if ord(ch) >= 0x2E80)
    return size * (wide + 0.6 * (len(text) - wide)) * (1.05 if bold else 1.0)


_CLOSERS = "，。、：；！？）》」』…"
#: A Latin word (an address breaks after / ? &), a space, or one CJK character.
_TOKENS = re.compile(r"[^\s/?&\u2e80-\uffff]*[/?&]\s*|[^\s/?&\u2e80-\uffff]+\s*|\s+|.")


def _wrap(text: str, size: float, bold: bool, width: float, measure: Measure) -> list[str]:
    """`text` in lines no wider than `width`: break between words for Latin text (and after
    an address's / ? &), between any two characters for Chinese (never leaving a Chinese
    closing mark at a line's start)."""
    tokens = _TOKENS.findall(text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line and measure((line + token).rstrip(), size, bold) > width and token[0] not in _CLOSERS:
            lines.append(line.rstrip())
            line, token = "", token.lstrip()
        line += token
        while len(line) > 1 and measure(line.rstrip().rstrip(_CLOSERS), size, bold) > width:
            cut = len(line) - 1  # a word wider than the line (an address): cut it where it fills
            while cut > 1 and measure(line[:cut], size, bold) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fit(text: str, sizes: Sequence[float], bold: bool, width: float, max_lines: int,
         measure: Measure) -> tuple[float, list[str]]:
    """The largest of `sizes` at which `text` fits in `max_lines`; at the smallest, the last
    line is cut with an ellipsis."""
    for size in sizes:
        lines = _wrap(text, size, bold, width, measure)
        if len(lines) <= max_lines:
            return size, lines
    size = sizes[-1]
    lines = _wrap(text, size, bold, width, measure)[:max_lines]
    last = lines[-1]
    while last and measure(last + "…", size, bold) > width:
        last = last[:-1]
    return size, [*lines[:-1], last + "…"]


def _layout(info: PosterInfo, measure: Measure) -> list[Block]:
    """The poster on an A4 page, top to bottom: the red band with the headline, the venue, the
    instruction (zh, then en smaller), the QR code as large as the rest leaves room for, the
    address under it, and the subdistrict at the foot."""
    cx, width = _PAGE_W / 2, _PAGE_W - 2 * _MARGIN
    blocks: list[Block] = [
        _Rect(0, 0, _PAGE_W, 52, _RED),
        _Line(cx, 30, say("poster_headline", "zh"), 21, True, _WHITE),
        _Line(cx, 44, f"{say('poster_subhead', 'zh')} · {say('poster_subhead', 'en')}", 7.5, False,
              _WHITE),
    ]
    y = 52 + 6

    def lines(text: str, sizes: Sequence[float], bold: bool, fill: str, max_lines: int,
              leading: float = 1.3) -> None:
        nonlocal y
        size, parts = _fit(text, sizes, bold, width, max_lines, measure)
        for part in parts:
            y += size * leading
            blocks.append(_Line(cx, y, part, size, bold, fill))

    lines(info.venue_name, (12, 10, 8.5, 7), True, _INK, 2)
    where = " · ".join(p for p in (info.kind, info.community_name) if p)
    if where:
        lines(where, (7, 6), False, _GREY, 1)
    y += 4
    lines(say("poster_instruction", "zh"), (6.5, 5.5), True, _INK, 2)
    lines(say("poster_instruction", "en"), (4.6, 4), False, _GREY, 2)
    # the foot, from the bottom up: subdistrict band, the address, its lead-in
    foot = _PAGE_H - 16
    blocks.append(_Rect(0, foot, _PAGE_W, 16, _RED))
    footer = say("poster_footer", "zh", subdistrict=info.subdistrict_name or "", venue_id=info.venue_id)
    size, parts = _fit(footer.strip(" ·"), (6, 5, 4), False, width, 1, measure)
    blocks.append(_Line(cx, foot + 10.5, parts[0], size, False, _WHITE))
    url_size, url_lines = _fit(info.url, (5.2, 4.5, 3.8, 3.2), False, width, 3, measure)
    url_top = foot - 6 - len(url_lines) * url_size * 1.3
    for i, part in enumerate(url_lines):
        blocks.append(_Line(cx, url_top + (i + 1) * url_size * 1.3, part, url_size, False, _INK))
    hint = say("poster_type_url", "zh") + " " + say("poster_type_url", "en")
    hint_size, hint_lines = _fit(hint, (4.2, 3.6), False, width, 1, measure)
    blocks.append(_Line(cx, url_top - 1, hint_lines[0], hint_size, False, _GREY))
    top, bottom = y + 3, url_top - 1 - hint_size - 2
    side = min(150.0, bottom - top, width)
    blocks.append(_Code(cx - side / 2, top + (bottom - top - side) / 2, side, make_qr(info.url)))
    return blocks


def make_qr(url: str) -> segno.QRCode:
    """The QR code of `url`: a full (not micro) code at level Q, which still reads with a
    quarter of it scratched or dirty (a poster outdoors)."""
    return segno.make(url, error="q", micro=False, boost_error=False)


QUIET = 4  # modules of white around the code, as the standard asks


# --- fonts ----------------------------------------------------------------------------------------


def _fc_match(bold: bool) -> tuple[str, int] | None:
    """The CJK font file fontconfig picks (file, index in a collection), if fontconfig is
    installed and picks a CJK one (it falls back to any font otherwise)."""
    if shutil.which("fc-match") is None:
        return None
    pattern = f"{FONT_FAMILY}:{'bold' if bold else 'regular'}"
    try:
        done = subprocess.run(["fc-match", "-f", "%{file}\t%{index}\t%{family}", pattern],
                              capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    file, _, rest = done.stdout.partition("\t")
    index, _, family = rest.partition("\t")
    if "CJK" not in family or not file:
        return None
    return file, int(index or 0)


@cache
def cjk_font_file(bold: bool = False) -> tuple[str, int]:
    """The Noto Sans CJK SC face to draw with (file, index); YishiError naming the Debian package
    when the machine has none."""
    from PIL import ImageFont

    found = _fc_match(bold)
    if found is not None and Path(found[0]).is_file():
        return found
    for path in _KNOWN_FONTS[bold]:
        if not Path(path).is_file():
            continue
        for index in range(10):  # a collection holds JP, KR, SC, TC, HK...: pick SC
            try:
                face = ImageFont.truetype(path, 12, index=index)
            except OSError:
                break
            if face.getname()[0] == FONT_FAMILY:
                return path, index
    raise YishiError(msg("poster_no_font", package=FONT_PACKAGE))


@cache
def _font(bold: bool, px: int):
    from PIL import ImageFont

    path, index = cjk_font_file(bold)
    return ImageFont.truetype(path, px, index=index)


def _font_measure(text: str, size: float, bold: bool) -> float:
    """Width in mm of `text` at an em of `size` mm, as the font draws it."""
    return _font(bold, 200).getlength(text) * size / 200


# --- drawing --------------------------------------------------------------------------------------


def _to_edge(rect: _Rect, page_w: float, page_h: float) -> tuple[float, float]:
    """The rectangle's far corner; a band that touches the layout page's edge runs to the real
    page's edge (A5 is not exactly A4 scaled)."""
    x1, y1 = rect.x + rect.w, rect.y + rect.h
    return (page_w if x1 >= _PAGE_W else x1), (page_h if y1 >= _PAGE_H else y1)


def _png(info: PosterInfo, size: str) -> bytes:
    from PIL import Image, ImageDraw

    page_w, page_h = SIZES[size]
    px_per_mm = DPI / 25.4
    scale = min(page_w / _PAGE_W, page_h / _PAGE_H) * px_per_mm  # layout mm -> pixels
    w, h = round(page_w * px_per_mm), round(page_h * px_per_mm)
    image = Image.new("RGB", (w, h), _WHITE)
    draw = ImageDraw.Draw(image)
    for block in _layout(info, _font_measure):
        if isinstance(block, _Rect):
            x1, y1 = _to_edge(block, w / scale, h / scale)
            draw.rectangle([block.x * scale, block.y * scale, x1 * scale, y1 * scale], fill=block.fill)
        elif isinstance(block, _Line):
            draw.text((block.x * scale, block.y * scale), block.text, fill=block.fill, anchor="ms",
                      font=_font(block.bold, max(1, round(block.size * scale))))
        else:
            _draw_code(draw, block, scale)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def _draw_code(draw, block: _Code, scale: float) -> None:
    """Whole pixels per module, so every module prints the same size (a scanner needs that)."""
    n = len(block.qr.matrix) + 2 * QUIET
    module = max(1, int(block.size * scale // n))
    side = module * n
    x0 = round((block.x + block.size / 2) * scale - side / 2) + QUIET * module
    y0 = round((block.y + block.size / 2) * scale - side / 2) + QUIET * module
    draw.rectangle([x0 - QUIET * module, y0 - QUIET * module, x0 - QUIET * module + side - 1,
                    y0 - QUIET * module + side - 1], fill=_WHITE)
    for r, row in enumerate(block.qr.matrix):
        for c, dark in enumerate(row):
            if dark:
                draw.rectangle([x0 + c * module, y0 + r * module, x0 + (c + 1) * module - 1,
                                y0 + (r + 1) * module - 1], fill="#000000")


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: str) -> str:
    """`value` safe as XML text or an attribute: markup escaped, characters XML forbids dropped."""
    value = _XML_BAD.sub("", value)
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&apos;"))


def _svg(info: PosterInfo, size: str) -> bytes:
    page_w, page_h = SIZES[size]
    scale = min(page_w / _PAGE_W, page_h / _PAGE_H)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{page_w:g}mm" height="{page_h:g}mm" '
         f'viewBox="0 0 {page_w:g} {page_h:g}">'),
        f"<title>{xml_text(info.venue_name)}</title>",
        f'<rect width="{page_w:g}" height="{page_h:g}" fill="{_WHITE}"/>',
        f'<g transform="scale({scale:.6f})" font-family="\'{FONT_FAMILY}\', sans-serif">',
    ]
    for block in _layout(info, estimate_width):
        if isinstance(block, _Rect):
            x1, y1 = _to_edge(block, page_w / scale, page_h / scale)
            parts.append(f'<rect x="{block.x:g}" y="{block.y:g}" width="{x1 - block.x:.3f}" '
                         f'height="{y1 - block.y:.3f}" fill="{block.fill}"/>')
        elif isinstance(block, _Line):
            weight = ' font-weight="700"' if block.bold else ""
            parts.append(f'<text x="{block.x:.2f}" y="{block.y:.2f}" font-size="{block.size:g}"'
                         f'{weight} text-anchor="middle" fill="{block.fill}">'
                         f"{xml_text(block.text)}</text>")
        else:
            parts.append(_code_svg(block))
    parts += ["</g>", "</svg>", ""]
    return "\n".join(parts).encode("utf-8")


def _code_svg(block: _Code) -> str:
    """The code as one path of dark runs, one module a unit, scaled to the square."""
    n = len(block.qr.matrix) + 2 * QUIET
    module = block.size / n
    runs = []
    for r, row in enumerate(block.qr.matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                runs.append(f"M{start + QUIET} {r + QUIET}h{c - start}v1h-{c - start}z")
            else:
                c += 1
    return (f'<rect x="{block.x:.3f}" y="{block.y:.3f}" width="{block.size:.3f}" '
            f'height="{block.size:.3f}" fill="{_WHITE}"/>'
            f'<path transform="translate({block.x:.3f} {block.y:.3f}) scale({module:.5f})" '
            f'shape-rendering="crispEdges" fill="#000000" d="{"".join(runs)}"/>')


# --- the posters ----------------------------------------------------------------------------------


def _choices(value: str | Iterable[str], allowed: Sequence[str], what: str) -> list[str]:
    """`value` (one choice, "both", or several) as a list of allowed choices, or InputError."""
    given = list(allowed) if value == "both" else [value] if isinstance(value, str) else list(value)
    wrong = [v for v in given if v not in allowed]
    if wrong or not given:
        raise InputError(msg("poster_bad_choice", what=what, choices=list(allowed),
                             value=", ".join(map(str, wrong)) or "-"))
    return given


def render(info: PosterInfo, *, size: str = "A4", fmt: str = "png") -> bytes:
    """One poster as PNG or SVG bytes."""
    size = _choices(size, list(SIZES), "size")[0]
    fmt = _choices(fmt, FORMATS, "format")[0]
    return _png(info, size) if fmt == "png" else _svg(info, size)


def file_name(venue_id: str, size: str, fmt: str) -> str:
    """`V001-A4.png`; an id's characters that a file name cannot safely hold become `_`
    (ids are uploaded text: no `/` or `..` reaches a path or a zip entry)."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", str(venue_id))[:40] or "venue"
    return f"{safe}-{size}.{fmt}"


def venue_poster(store: Store, venue_id: str, *, size: str = "A4", fmt: str = "png") -> bytes:
    """One venue's poster (InputError for an unknown venue, size or format)."""
    return render(venue_info(store, venue_id), size=size, fmt=fmt)


def posters(infos: Sequence[PosterInfo], *, size: str | Iterable[str] = "A4",
            formats: str | Iterable[str] = FORMATS) -> Iterable[tuple[str, bytes]]:
    """(file name, bytes) for every venue in `infos`, size and format; names are unique.
    A bad size or format, or no CJK font for a PNG, is refused here, before the first file."""
    sizes, fmts = _choices(size, list(SIZES), "size"), _choices(formats, FORMATS, "format")
    if "png" in fmts:
        cjk_font_file(True), cjk_font_file(False)
    return _each(infos, sizes, fmts)


def _each(infos: Sequence[PosterInfo], sizes: list[str], fmts: list[str]) -> Iterable[tuple[str, bytes]]:
    seen: set[str] = set()
    for info in infos:
        for one_size in sizes:
            for fmt in fmts:
                name = file_name(info.venue_id, one_size, fmt)
                stem, n = name, 1
                while name in seen:  # two ids that differ only in unsafe characters
                    n += 1
                    name = stem.replace(f"-{one_size}.", f"-{n}-{one_size}.")
                seen.add(name)
                yield name, render(info, size=one_size, fmt=fmt)


def zip_posters(infos: Sequence[PosterInfo], *, size: str | Iterable[str] = "A4",
                formats: str | Iterable[str] = FORMATS) -> bytes:
    """A zip holding one file per venue of `infos`, size and format (`V001-A4.png` ...)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in posters(infos, size=size, formats=formats):
            archive.writestr(name, data)
    return out.getvalue()


def all_posters(store: Store, community_id: str | None, *, size: str | Iterable[str] = "A4",
                formats: str | Iterable[str] = FORMATS) -> bytes:
    """The posters of every venue of `community_id` (None: of every venue) as one zip."""
    return zip_posters(poster_infos(store, community_id), size=size, formats=formats)


__all__ = ["DPI", "FORMATS", "MIME", "SIZES", "PosterInfo", "all_posters", "cjk_font_file",
           "file_name", "make_qr", "poster_infos", "posters", "render", "report_url",
           "venue_info", "venue_poster", "xml_text", "zip_posters"]
