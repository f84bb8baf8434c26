"""Imported only by the readers' forkserver (`geo.ingest.isolated`): one small read there,
so that every child forked from it starts with what a first read fills in (pandas' and
GDAL's lazy imports, caches) instead of paying for it on each upload."""

from geo.ingest.upload import read_upload

read_upload(b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
            b'"geometry": {"type": "Point", "coordinates": [115.65, 34.41]}}]}',
            filename="warm.geojson", layer="issues", source_crs="gcj02")
