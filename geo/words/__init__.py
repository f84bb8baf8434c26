"""The one word catalogue: every word the app shows, in Chinese (zh-CN, first) and English.

It lives at the bottom of the house, as plain data plus `say`, so that geo's validators,
the services, the command line and the pages all speak from the same place. Topic modules
(pages, maps, ingest, procedure, accounts, cli, storage, web) each hold a `WORDS` table of
``key: (zh, en)``; keys are unique across them (checked at import). Field and enumeration
labels stay with the schema (`geo.schema`), which says what each field is.

Parameters are formatted with `str.format`. A parameter that says itself (anything with a
``label(lang)`` method: a `Term`, a schema `Field` or `Layer`, a `geo.errors.Message`) is
given the language asked for, `WITH_CODES` suffix included, and a list or tuple of
parameters is joined as that language joins lists.

Examples
--------
>>> say("demo_note", "en")
'Demo data is illustrative, as of the 2022-06-17 report'
>>> say("no such key", "zh")
'no such key'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.words import (accounts, actions, assign, assignment, cli, dashboard, forms, ingest, maps, open311, overview, pages, paging, postgis,
                       posters, procedure, regions, reports, residents, storage, triage, uploads, viewport, web)

LANGS: tuple[str, ...] = ("zh", "en")
_LIST_SEP = {"zh": "、", "en": ", "}


#: Appended to a language by the command line, whose users type codes (`--set held_on=...`):
#: a `Term` with a code is then said with its code too, e.g. "held_on (Held on)".
WITH_CODES = "-x-codes"


def base(lang: str) -> str:
    """The language of `lang` without the command line's suffix ("zh" or "en")."""
    return "zh" if lang.startswith("zh") else "en"


@dataclass(frozen=True)
class Term:
    """A word given in both languages, as a parameter (a field, an enumeration value...).

    `code` is what a command-line user types for it; it is added only when `lang` asks for
    codes (`WITH_CODES`), so pages show labels alone.
    """

    zh: str
    en: str
    code: str | None = None

    def label(self, lang: str = "zh") -> str:
        text = self.zh if base(lang) == "zh" else self.en
        if self.code is None or not lang.endswith(WITH_CODES):
            return text
        return f"{text}（{self.code}）" if base(lang) == "zh" else f"{self.code} ({text})"


def _merge(*tables: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for table in tables:
        clash = merged.keys() & table.keys()
        if clash:
            raise KeyError(f"word keys defined twice: {sorted(clash)}")
        merged.update(table)
    return merged


CATALOGUE: dict[str, tuple[str, str]] = _merge(pages.WORDS, storage.WORDS, maps.WORDS, cli.WORDS, accounts.WORDS,
                                               procedure.WORDS, ingest.WORDS, web.WORDS, forms.WORDS,
                                               actions.WORDS, overview.WORDS, reports.WORDS, uploads.WORDS,
                                               residents.WORDS, triage.WORDS, open311.WORDS, posters.WORDS,
                                               regions.WORDS, postgis.WORDS, paging.WORDS,
                                               assign.WORDS, assignment.WORDS, viewport.WORDS, dashboard.WORDS)


def _render(value: Any, lang: str) -> Any:
    if isinstance(value, (list, tuple)):
        return _LIST_SEP[base(lang)].join(str(_render(v, lang)) for v in value)
    label = getattr(value, "label", None)
    return label(lang) if callable(label) else value


def say(key: str, lang: str = "zh", /, **params: Any) -> str:
    """The text for `key` in `lang`, with `params` filled in; the key itself if unknown."""
    zh, en = CATALOGUE.get(key, (key, key))
    text = zh if base(lang) == "zh" else en
    if not params:
        return text
    return text.format(**{k: _render(v, lang) for k, v in params.items()})
