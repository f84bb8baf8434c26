"""The house rules: geo is pure, imports flow pages -> ui -> geo, one module knows data/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GEO_ALLOWED_THIRD_PARTY = {"geopandas", "shapely", "pyproj", "pandas", "numpy", "pyogrio", "argon2"}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def python_files(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((ROOT / f).rglob("*.py"))]


@pytest.mark.parametrize("path", python_files("geo"), ids=lambda p: p.name)
def test_geo_imports_only_the_standard_library_and_the_geo_stack(path):
    import sys

    for name in imports(path):
        top = name.split(".")[0]
        assert top not in {"streamlit", "folium", "streamlit_folium", "branca", "ui", "pages"}, name
        assert top in sys.stdlib_module_names or top in GEO_ALLOWED_THIRD_PARTY or top == "geo", name


@pytest.mark.parametrize("path", python_files("geo", "ui", "pages", "bench", "tests", "scripts", "data")
                         + [ROOT / "app.py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_imports_pages(path):
    assert not any(name.split(".")[0] == "pages" for name in imports(path))


@pytest.mark.parametrize("path", python_files("ui"), ids=lambda p: p.name)
def test_ui_does_not_import_pages_or_app(path):
    assert not any(name.split(".")[0] in {"pages", "app"} for name in imports(path))


def test_only_datasets_knows_where_data_lives():
    offenders = [p.name for p in python_files("geo", "ui", "pages")
                 if p.name != "datasets.py" and ('"data"' in p.read_text() or "'data'" in p.read_text()
                                                 or "data/" in p.read_text().replace("data/README", ""))
                 and "ROOT" in p.read_text()]
    assert offenders == []


def test_app_py_has_no_widgets():
    source = (ROOT / "app.py").read_text()
    widgets = ("st.button", "st.radio", "st.selectbox", "st.text_input", "st.sidebar", "st.multiselect")
    assert not [w for w in widgets if w in source]
