"""What was read from a file, before the checks that every format shares.

GeoJSON is parsed into plain Python values, with two markers of our own: `Int` keeps a
JSON integer's digits (ids and phone numbers stay exact) and `DupDict` remembers that an
object had a name twice. Shapefiles and GeoPackages are turned into the same values, so
one set of checks serves every format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from geo.ingest.report import both
from geo.text import shorten

#: Stands for "no such member" where None would mean JSON null.
MISSING = object()


@dataclass
class Raw:
    """Features pulled out of a file: properties and positions, not yet checked."""

    fmt: str
    n: int
    #: One dict per feature ({} where the feature has none).
    props: list[dict]
    #: Feature-level ids (GeoJSON ``id`` member), None where absent.
    fids: list[Any]
    #: Point layers: positions (NaN where the feature's geometry was refused already).
    xs: np.ndarray | None = None
    ys: np.ndarray | None = None
    #: Polygon layers: shapely geometries (None where refused already).
    geoms: np.ndarray | None = None
    #: Projected file CRS -> lon/lat (None: the positions are lon/lat already).
    to_lonlat: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
    #: False when the file's CRS is not supported: positions cannot be checked.
    crs_ok: bool = True
    #: Spreadsheets: each feature's row in the sheet, as Excel numbers it (the header is a
    #: row, blank rows are skipped); None for other formats.
    rows: list[int] | None = None


class Int(str):
    """A JSON integer kept as its digits, so ids and phone numbers stay exact."""

    __slots__ = ()


class DupDict(dict):
    """A JSON object that had a name more than once (the last value is kept)."""

    __slots__ = ("dups",)


def describe(value: Any) -> tuple[str, str]:
    """Describe a JSON value in a few words (en, zh) for messages."""
    if value is None:
        key, params = "ingest.what.null", {}
    elif isinstance(value, bool):
        key, params = "ingest.what.bool", {"value": str(value).lower()}
    elif isinstance(value, Int):  # its digits are the file's: a huge number is said shortened
        key, params = "ingest.what.number", {"value": shorten(str(value))}
    elif isinstance(value, float):
        key, params = "ingest.what.number", {"value": repr(value)}
    elif isinstance(value, str):
        key, params = "ingest.what.text", {"text": value if len(value) <= 40 else value[:37] + "..."}
    elif isinstance(value, dict):
        key, params = "ingest.what.object", {}
    elif isinstance(value, list):
        key, params = "ingest.what.list", {}
    else:
        return type(value).__name__, type(value).__name__
    return both(key, **params)
