"""API keys for Open311 clients: issued by an admin, shown once, kept only as SHA-256.

A key is a bearer secret another system sends with each POST (`yishi.services.open311`); the
store keeps its hash, so neither a copy of the store nor a listing can be replayed as a key.
The key's name (who holds it) is what the audit trail records for each request it makes
(``open311:NAME``), so a name in use by a live key is not given out twice.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd

from geo.errors import InputError, msg
from yishi.storage import Store

__all__ = ["Issued", "check", "issue", "listing", "revoke"]

#: A key's name: short enough for an audit row's `who`.
NAME_CHARS = 64
#: The prefix every key starts with (a leaked one is recognisable in logs and code).
PREFIX = "yk_"
#: What a listing shows, in this order (never the hash).
LISTING_COLUMNS = ["key_id", "name", "created_at", "created_by", "revoked_at"]


@dataclass(frozen=True)
class Issued:
    """A key just issued: `key` is shown this once and never again."""

    key_id: str
    name: str
    key: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not 1 <= len(name) <= NAME_CHARS or any(unicodedata.category(c).startswith("C") for c in name):
        raise InputError(msg("apikey_bad_name", n=NAME_CHARS))
    return name


def _next_id(keys: pd.DataFrame) -> str:
    numbers = [int(k[1:]) for k in keys["key_id"] if str(k)[1:].isdigit()] if len(keys) else []
    return f"K{max(numbers, default=0) + 1:03d}"


def issue(store: Store, name: str, *, by: str) -> Issued:
    """A new key for the client `name` (refused while another live key has that name)."""
    name = _clean_name(name)
    keys = store.list_api_keys()
    if len(keys) and ((keys["name"] == name) & keys["revoked_at"].isna()).any():
        raise InputError(msg("apikey_name_in_use", name=name))
    key = PREFIX + secrets.token_urlsafe(32)
    key_id = _next_id(keys)
    store.add_api_key({"key_id": key_id, "name": name, "key_hash": _hash(key),
                       "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "created_by": by}, by=by)
    return Issued(key_id, name, key)


def listing(store: Store) -> pd.DataFrame:
    """Every key for an operator: id, name, when and by whom, revoked when; no hashes."""
    keys = store.list_api_keys()
    if keys.empty:
        return pd.DataFrame(columns=LISTING_COLUMNS)
    return keys[LISTING_COLUMNS].reset_index(drop=True)


def revoke(store: Store, key_id: str, *, by: str) -> None:
    """Revoke a live key at once (its next request is refused); InputError if there is none."""
    if not store.revoke_api_key(key_id.strip(), by=by):
        raise InputError(msg("apikey_no_key", key_id=key_id))


def check(store: Store, key: str | None) -> str | None:
    """The name of the live key `key`, or None (missing, unknown or revoked)."""
    if not key or not key.startswith(PREFIX) or len(key) > 200:
        return None
    row = store.api_key_by_hash(_hash(key))
    return None if row is None or row.get("revoked_at") else str(row["name"])
