"""Reading and validating an uploaded layer file, with one report listing every problem.

Staff upload venues, compounds, issues or communities exported from QGIS, a phone survey
app or a spreadsheet tool. A bad file must get a clear report (feature number, field, what
is wrong and what to do, in Chinese and English) and change nothing, so this package only
reads: it never writes the store.

GeoJSON is parsed with :mod:`json`, not handed to GDAL, because GDAL accepts bad data
quietly (string coordinates, 'abc' as 0, EPSG:3857 metres in a lon/lat layer) and loses the
feature numbers a staff member needs. Zipped Shapefiles and GeoPackages are read with
pyogrio and then go through the same checks.

The checks run in two steps: one Python pass over the features pulls out coordinates and
property dictionaries (and reports broken structure), then every field is checked column by
column with numpy/pandas. That keeps 10^5 points within the time pyogrio needs to read them.

Modules, in the order a file meets them: `sniff` (format, text, JSON), `geojson` and
`geometry` (GeoJSON features), `ogr` (Shapefile, GeoPackage), `positions` (CRS, extent,
validity), `fields` and `checkers` (properties), `upload` (the whole read), `report` (the
problems; their words are in `geo.words.ingest`), `isolated` (the whole read in a child
process with time and memory limits: how uploads and the command line read untrusted files).

Examples
--------
>>> up = read_upload(b'{"type": "FeatureCollection", "features": []}',
...                  filename="issues.geojson", layer="issues")
>>> [p.code for p in up.problems]
['no_features']
"""

from geo.ingest.report import NOTE_CODES, PROBLEM_CODES, UNREADABLE_CODES
from geo.ingest.upload import (
    DEFAULT_MAX_BYTES,
    SOURCE_CRS,
    Upload,
    read_points,
    read_points_file,
    read_upload,
    validate_file,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "NOTE_CODES",
    "PROBLEM_CODES",
    "SOURCE_CRS",
    "UNREADABLE_CODES",
    "Upload",
    "read_points",
    "read_points_file",
    "read_upload",
    "validate_file",
]
