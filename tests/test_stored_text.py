"""Nothing evaluates stored text: markdown shows it literally, charts carry it as data values
only, and every CSV a user can download has its formula-like cells neutralised."""

from __future__ import annotations

import ast
import csv
import io
import string
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from geo.export import to_csv_text
from geo.text import strip_invisible
from yishi.services.snapshot import take_snapshot
from tests.hostile import HOSTILE
from ui import charts
from ui.safe import md, token
from ui.tables import csv_bytes, issue_table

ROOT = Path(__file__).resolve().parent.parent
PUNCTUATION = frozenset(string.punctuation)
#: Markdown that acts without the corpus's own syntax: setext headings, entities, autolinks,
#: a lone CR as a line ending, Streamlit's directives and LaTeX.
MARKDOWN_EXTRA = ("title\n===", "title\r---", "&lt;b&gt; &#x3C;", "wang@example.gov.cn",
                  "www.example.com", ":red[red] :material/home:", "$x^2$", "__bold__", "1. item",
                  "> quote", "    code", "| a | b |\n|---|---|")
#: The first characters a spreadsheet treats as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = ("=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1")
#: A line break inside a cell: unquoted, a spreadsheet starts a new row (and a formula) there.
SPLIT_ROWS = ("note\r=1+1", "note\n=1+1", "note\r\n=1+1")


def literal(markdown: str) -> str:
    """The text CommonMark shows for `markdown` if it holds no syntax; fails on any unescaped
    ASCII punctuation (the only characters markdown syntax is made of) or a CR line ending."""
    assert "\r" not in markdown
    out, i = [], 0
    while i < len(markdown):
        char = markdown[i]
        if char == "\\" and i + 1 < len(markdown) and markdown[i + 1] in PUNCTUATION:
            out.append(markdown[i + 1])
            i += 2
            continue
        assert char not in PUNCTUATION, f"unescaped {char!r} at {i} in {markdown[:80]!r}"
        out.append(char)
        i += 1
    return "".join(out)


# ------------------------------------------------------------------ markdown


@pytest.mark.parametrize("text", [*HOSTILE, *MARKDOWN_EXTRA], ids=lambda s: repr(s[:20]))
def test_md_leaves_no_markdown_syntax_and_keeps_the_text(text):
    # every visible character is kept; direction and zero-width characters are not (tests/hostile.BIDI)
    lines = strip_invisible(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # each line break is kept as a hard break: two spaces and a newline
    assert literal(md(text)) == "  \n".join(lines)


@pytest.mark.parametrize("text", [*HOSTILE, *MARKDOWN_EXTRA], ids=lambda s: repr(s[:20]))
def test_token_is_short_and_inert_markdown(text):
    echo = token(text)
    assert len(literal(echo.removesuffix("…"))) <= 60


def _account_box() -> None:
    from ui.auth import resolve
    from ui.shell import account_box

    resolve()  # who is signed in: read from the store, as navigation does on every run
    account_box()


def test_the_signed_in_name_is_shown_literally(demo_store):
    from tests.helpers import add_accounts
    from yishi.accounts import User

    name = "**bold**[link](javascript:alert(1)):red[x]{{7*7}}"
    add_accounts(demo_store, User(name, "staff"))
    at = AppTest.from_function(_account_box, default_timeout=30)
    at.session_state["lang"] = "en"
    at.session_state["user"] = User(name, "staff")
    at.run()
    [caption] = [c.value for c in at.sidebar.caption]
    assert literal(caption.split(" · ")[0]) == name


# ------------------------------------------------------------------ charts


def _strings(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every string in a chart spec (keys and values) with where it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, str(key)
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, i))
    elif isinstance(node, str):
        yield path, node


def test_community_names_reach_a_chart_as_data_values_only(demo_store):
    """Vega parses field names ('.', '[' and '\\' make paths), titles and expressions; a name
    must only ever be a row value in the chart's dataset."""
    snap = take_snapshot(demo_store)
    ids = list(snap.communities["community_id"])
    names = {cid: HOSTILE[i % len(HOSTILE)] for i, cid in enumerate(ids)}
    issues = snap.issues[snap.issues["community_id"].isin(ids)]
    used = set(issues["community_id"].map(names))
    assert len(used) >= 10  # most of the corpus reaches the chart

    spec = charts.category_chart(issues, names, "zh").to_dict()
    rows = [row for values in spec.pop("datasets").values() for row in values]
    assert {row["community"] for row in rows} == used
    for path, text in _strings(spec):
        for name in used:
            assert text != name and (len(name) < 8 or name not in text), (path, name[:40])
    fields = {text for path, text in _strings(spec) if path and path[-1] == "field"}
    assert fields <= {"community", "label", "n"}


# ------------------------------------------------------------------ CSV downloads


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize("value", [*FORMULAS, *SPLIT_ROWS, *HOSTILE], ids=lambda s: repr(s[:20]))
def test_no_csv_cell_starts_a_formula(value):
    frame = gpd.GeoDataFrame({"title": [value], "member_ids": [[value, "M001"]]},
                             geometry=[Point(115.6, 34.4)], crs="EPSG:4326")
    cells = _cells(to_csv_text(frame))
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    if value.startswith(FORMULA_START):
        assert "'" + value in cells


def test_the_pages_issue_table_download_neutralises_stored_formulas(demo_store):
    snap = take_snapshot(demo_store)
    issues = snap.issues.head(len(FORMULAS)).copy()
    issues["title"] = list(FORMULAS)
    issues["responsible_unit"] = list(reversed(FORMULAS))
    text = csv_bytes(issue_table(issues, snap.communities, "zh")).decode("utf-8-sig")
    cells = _cells(text)
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert all("'" + f in cells for f in FORMULAS)


def _download_calls() -> Iterator[tuple[str, ast.Call]]:
    for path in sorted((ROOT / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "download_button":
                yield path.name, node


def test_every_csv_download_button_goes_through_the_neutralising_writer():
    calls = list(_download_calls())
    csv_calls = [(name, call) for name, call in calls
                 if any(isinstance(k.value, ast.Constant) and k.value.value == "text/csv"
                        for k in call.keywords if k.arg == "mime")]
    assert csv_calls, "no CSV download found: update this test"
    for name, call in csv_calls:
        data = call.args[1] if len(call.args) > 1 else next(k.value for k in call.keywords if k.arg == "data")
        # csv_bytes, or the issue table's chunked CSV, which writes every chunk with csv_bytes
        assert isinstance(data, ast.Call) and getattr(data.func, "id", None) in ("csv_bytes", "lazy_csv_chunks"), name


def test_streamlits_own_table_export_is_off():
    """st.dataframe's built-in CSV download and copy write cells raw (no formula neutralising)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
