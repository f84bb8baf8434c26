"""Where the embedded demo data and the default store live: the only module that knows."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"

#: Demo data files by layer name.
DEMO_FILES: dict[str, str] = {
    "regions": "regions.csv",
    "subdistrict": "subdistrict.geojson",
    "communities": "communities.geojson",
    "compounds": "compounds.geojson",
    "venues": "venues.geojson",
    "issues": "issues.geojson",
    "members": "members.csv",
    "meetings": "meetings.csv",
    "issue_events": "issue_events.csv",
}
#: The demo data is a snapshot as of the news report's date; see data/README.md.
DEMO_AS_OF = "2022-06-17"


def get_path(name: str) -> Path:
    """Path of the demo file for layer `name`; a KeyError names the choices."""
    try:
        return DATA_DIR / DEMO_FILES[name]
    except KeyError:
        raise KeyError(f"no demo file for {name!r}; choose one of: {', '.join(DEMO_FILES)}") from None


def common_passwords_path() -> Path:
    """The list of common passwords the password policy refuses (data/passwords/README.md)."""
    return DATA_DIR / "passwords" / "common-10k.txt"


def default_store_path() -> Path:
    """The store file: $YISHI_STORE, else a git-ignored file in the working tree."""
    env = os.environ.get("YISHI_STORE")
    return Path(env) if env else ROOT / "var" / "yishi.sqlite"


def secret_key_path() -> Path:
    """The signing key's file: $YISHI_SECRET_FILE, else beside the default store (git-ignored)."""
    env = os.environ.get("YISHI_SECRET_FILE")
    return Path(env) if env else ROOT / "var" / "secret.key"
