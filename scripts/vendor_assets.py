#!/usr/bin/env python3
"""Copy the map scripts folium needs from node_modules/ (and ours from ui/js/) into static/vendor/.

Why: folium loads Leaflet and its plugins from public CDNs, which an intranet (or a
mainland-China network) cannot reach, and the map is then blank. Streamlit serves
static/ at /app/static/, so ui/maps/assets.py points folium at static/vendor/ instead.

Run after `npm ci` (the versions are pinned in package.json / package-lock.json):

    npm ci --no-audit --no-fund --ignore-scripts
    .venv/bin/python scripts/vendor_assets.py

Standard library only. The destination is rebuilt from scratch each time.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

#: (npm package, path inside it, destination inside static/vendor). Folders are copied whole.
#: ui/maps/assets.py maps folium's CDN URLs onto these destinations; tests check they agree.
MANIFEST: tuple[tuple[str, str, str], ...] = (
    ("leaflet", "dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet", "dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet", "dist/images", "leaflet/images"),
    ("leaflet", "LICENSE", "leaflet/LICENSE"),
    ("leaflet.markercluster", "dist/leaflet.markercluster.js", "markercluster/leaflet.markercluster.js"),
    ("leaflet.markercluster", "dist/MarkerCluster.css", "markercluster/MarkerCluster.css"),
    ("leaflet.markercluster", "dist/MarkerCluster.Default.css", "markercluster/MarkerCluster.Default.css"),
    ("leaflet.markercluster", "MIT-LICENCE.txt", "markercluster/MIT-LICENCE.txt"),
    ("leaflet.fullscreen", "Control.FullScreen.js", "fullscreen/Control.FullScreen.js"),
    ("leaflet.fullscreen", "Control.FullScreen.css", "fullscreen/Control.FullScreen.css"),
    ("leaflet.fullscreen", "icon-fullscreen.svg", "fullscreen/icon-fullscreen.svg"),
    ("leaflet.fullscreen", "LICENSE", "fullscreen/LICENSE"),
    ("leaflet.awesome-markers", "dist/leaflet.awesome-markers.js", "awesome-markers/leaflet.awesome-markers.js"),
    ("leaflet.awesome-markers", "dist/leaflet.awesome-markers.css", "awesome-markers/leaflet.awesome-markers.css"),
    ("leaflet.awesome-markers", "dist/images", "awesome-markers/images"),
    ("leaflet.awesome-markers", "LICENSE", "awesome-markers/LICENSE"),
    ("@fortawesome/fontawesome-free", "css/all.min.css", "fontawesome/css/all.min.css"),
    ("@fortawesome/fontawesome-free", "webfonts", "fontawesome/webfonts"),
    ("@fortawesome/fontawesome-free", "LICENSE.txt", "fontawesome/LICENSE.txt"),
    ("jquery", "dist/jquery.min.js", "jquery/jquery.min.js"),
    ("jquery", "LICENSE.txt", "jquery/LICENSE.txt"),
    ("bootstrap", "dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("bootstrap", "dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap", "LICENSE", "bootstrap/LICENSE"),
)

#: Our own browser code (path in the repository, destination inside static/vendor).
OWN: tuple[tuple[str, str], ...] = (
    ("ui/js/yishi-map.js", "yishi/yishi-map.js"),
)


def _pinned() -> dict[str, str]:
    return json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]


def check_installed(node_modules: Path = NODE_MODULES) -> list[str]:
    """Every problem with node_modules (missing package, wrong version, missing file)."""
    problems: list[str] = []
    for package, version in _pinned().items():
        meta = node_modules / package / "package.json"
        if not meta.is_file():
            problems.append(f"{package} is not installed")
            continue
        found = json.loads(meta.read_text(encoding="utf-8")).get("version")
        if found != version:
            problems.append(f"{package} is {found}, package.json pins {version}")
    for package, source, _ in MANIFEST:
        if (node_modules / package).is_dir() and not (node_modules / package / source).exists():
            problems.append(f"{package} has no {source}")
    return problems


def vendor(node_modules: Path = NODE_MODULES, dest: Path = VENDOR) -> int:
    """Rebuild `dest` from `node_modules`; returns the number of files copied."""
    problems = check_installed(node_modules)
    if problems:
        raise SystemExit("cannot vendor map assets (run `npm ci` first):\n  " + "\n  ".join(problems))
    if dest.exists():
        shutil.rmtree(dest)
    copied = 0
    for package, source, target in MANIFEST:
        src, dst = node_modules / package / source, dest / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
            copied += sum(1 for p in dst.rglob("*") if p.is_file())
        else:
            shutil.copy2(src, dst)
            copied += 1
    for source, target in OWN:
        (dest / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / source, dest / target)
        copied += 1
    return copied


def main() -> int:
    copied = vendor()
    size = sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    print(f"vendored {copied} files ({size / 1e6:.1f} MB) into {VENDOR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
