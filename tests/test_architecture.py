"""The house rules (ARCHITECTURE.md): imports flow one way, pages -> ui -> yishi -> geo.

- geo is the pure library: the standard library, the geo stack and geo itself.
- yishi (storage, accounts, services, CLI) never reaches up into ui or pages.
- ui and pages see storage only through the `yishi.storage` protocol package, never a backend.
- Only yishi/storage imports a database driver; only yishi/datasets.py knows where data/ lives.
- Only server.py imports web (the routes); web reaches storage through the protocol package.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GEO_STACK = {"geopandas", "shapely", "pyproj", "pandas", "numpy", "pyogrio", "openpyxl"}
UI_LIBRARIES = {"streamlit", "folium", "streamlit_folium", "branca", "altair"}
DRIVERS = {"sqlite3", "psycopg", "psycopg2", "psycopg_pool"}
#: The application code, as opposed to tests, benchmarks and scripts.
APP_FOLDERS = ("geo", "yishi", "ui", "pages", "web")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def python_files(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((ROOT / f).rglob("*.py"))]


def tops(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imports(path)}


def label(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", [p for p in python_files("geo") if p.name != "__main__.py"],
                         ids=label)
def test_geo_imports_only_the_standard_library_and_the_geo_stack(path):
    strange = {t for t in tops(path)
               if t not in sys.stdlib_module_names and t not in GEO_STACK and t != "geo"}
    assert strange == set()


def test_python_m_geo_is_only_a_shim_to_the_command_line():
    shim = ROOT / "geo" / "__main__.py"
    assert imports(shim) == {"yishi.cli", "yishi.cli.main"}


@pytest.mark.parametrize("path", python_files("yishi"), ids=label)
def test_the_application_never_reaches_up_into_ui_or_pages(path):
    assert tops(path) & ({"ui", "pages", "app"} | UI_LIBRARIES) == set()


@pytest.mark.parametrize("path", python_files("ui", "pages") + [ROOT / "app.py"], ids=label)
def test_ui_and_pages_see_storage_only_through_the_protocol_package(path):
    modules = {p.stem for p in (ROOT / "yishi" / "storage").glob("*.py")} - {"__init__"}
    inside = {n for n in imports(path)
              if n.startswith("yishi.storage.") and n.split(".")[2] in modules}
    assert inside == set()


@pytest.mark.parametrize("path", python_files("ui") + [ROOT / "app.py"], ids=label)
def test_ui_does_not_import_pages_or_app(path):
    assert tops(path) & {"pages", "app"} == set()


@pytest.mark.parametrize("path", python_files(*APP_FOLDERS, "bench", "tests", "scripts", "data")
                         + [ROOT / "app.py"], ids=label)
def test_nothing_imports_pages(path):
    assert "pages" not in tops(path)


@pytest.mark.parametrize("path", python_files(*APP_FOLDERS) + [ROOT / "app.py"], ids=label)
def test_only_storage_imports_a_database_driver(path):
    inside_storage = path.is_relative_to(ROOT / "yishi" / "storage")
    assert inside_storage or tops(path) & DRIVERS == set()


def test_only_datasets_knows_where_data_lives():
    def mentions_data(text: str) -> bool:
        return ('"data"' in text or "'data'" in text or "data/" in text.replace("data/README", "")) \
            and "ROOT" in text

    offenders = [label(p) for p in python_files(*APP_FOLDERS)
                 if p != ROOT / "yishi" / "datasets.py" and mentions_data(p.read_text())]
    assert offenders == []


@pytest.mark.parametrize("path", python_files("geo", "yishi", "ui", "pages") + [ROOT / "app.py"], ids=label)
def test_only_the_launcher_imports_the_web_layer(path):
    """Routes sit on top: pages and services never depend on how HTTP reaches them."""
    assert "web" not in tops(path) and "server" not in tops(path)


@pytest.mark.parametrize("path", python_files("web"), ids=label)
def test_routes_see_storage_only_through_the_protocol_package(path):
    modules = {p.stem for p in (ROOT / "yishi" / "storage").glob("*.py")} - {"__init__"}
    assert {n for n in imports(path) if n.startswith("yishi.storage.") and n.split(".")[2] in modules} == set()
    assert tops(path) & {"pages", "app"} == set()


def test_app_py_has_no_widgets():
    source = (ROOT / "app.py").read_text()
    widgets = ("st.button", "st.radio", "st.selectbox", "st.text_input", "st.sidebar", "st.multiselect")
    assert not [w for w in widgets if w in source]


def test_the_rules_catch_a_breach(tmp_path):
    """The checks above can fail: a page importing the SQLite backend and sqlite3 is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlite3\nfrom yishi.storage.sqlite import SQLiteStore\n", encoding="utf-8")
    assert "sqlite3" in tops(bad) & DRIVERS
    assert "yishi.storage.sqlite" in imports(bad)
    assert "sqlite" in {p.stem for p in (ROOT / "yishi" / "storage").glob("*.py")}
