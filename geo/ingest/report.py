"""The report of one upload: every problem and note, in both languages, from geo.words.

Problem codes are the stable part a program can rely on (the command line, tests); the
texts live in the word catalogue (`geo.words.ingest`) under ``ingest.problem.<code>``
(what is wrong), ``ingest.hint.<code>`` (what to do) and ``ingest.note.<code>``.
"""

from __future__ import annotations

from typing import Any

from geo.errors import Problem
from geo.schema import Layer
from geo.text import QUOTE_CHARS, shorten
from geo.words import say
from geo.words.ingest import WORDS


def _codes(prefix: str) -> dict[str, str]:
    return {key.removeprefix(prefix): en for key, (_, en) in WORDS.items()
            if key.startswith(prefix)}


#: Problem codes and what they mean (English message template).
PROBLEM_CODES: dict[str, str] = _codes("ingest.problem.")
#: File-level codes meaning "nothing could be read" (the CLI exits 2 for these, 1 otherwise).
UNREADABLE_CODES: frozenset[str] = frozenset({
    "too_large", "empty", "encoding", "not_json", "truncated", "not_geojson",
    "features_not_list", "unsupported_format", "unreadable",
    "encrypted", "damaged", "zip_method", "too_compressed", "zip_contents", "gpkg_view",
    "too_slow", "too_much_memory", "wrong_kind", "no_rows",
})
#: Note codes: information about what was changed while reading; never a reason to refuse.
NOTE_CODES: dict[str, str] = _codes("ingest.note.")


def both(key: str, /, **params: Any) -> tuple[str, str]:
    """(English, Chinese) text of a catalogue entry: a `Problem` carries both."""
    return say(key, "en", **params), say(key, "zh", **params)


#: Parameters longer than this many characters are shortened in every message (`geo.text`).
MAX_PARAM_CHARS = QUOTE_CHARS
#: Parameters that carry our own words (hints, the allowed values, what a field expects),
#: never text from the file: they are said in full, however long.
OWN_WORDS = frozenset({"hint", "hint_zh", "allowed", "allowed_zh", "expected", "expected_zh"})
#: Parameters that are our sentences around a value from the file (shortened where they are
#: built) or a library's message: a longer limit, so the sentence survives, still bounded.
SENTENCES = frozenset({"detail", "detail_zh", "reason", "reason_zh"})
MAX_SENTENCE_CHARS = 200


def _short_params(fmt: dict[str, Any]) -> dict[str, Any]:
    return {k: v if k in OWN_WORDS
            else shorten(v, MAX_SENTENCE_CHARS if k in SENTENCES else MAX_PARAM_CHARS)
            for k, v in fmt.items()}


def _short_field(field: str | None) -> str | None:
    return field if field is None else str(shorten(field, MAX_PARAM_CHARS))


class Report:
    """Collects problems (and informational notes) while a file is read.

    Every text parameter longer than MAX_PARAM_CHARS (MAX_SENTENCE_CHARS for SENTENCES; our
    own words, OWN_WORDS, are whole) is shortened here, so no present or future problem can
    repeat a huge value from the file.
    """

    def __init__(self, layer: Layer) -> None:
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []
        self.layer_en, self.layer_zh = layer.en.lower(), layer.zh

    def add(self, code: str, feature: int | None = None, field: str | None = None,
            **fmt: Any) -> None:
        field = _short_field(field)
        fmt.setdefault("field", field)
        fmt = _short_params(fmt)
        message, message_zh = both(f"ingest.problem.{code}", **fmt)
        hint, hint_zh = both(f"ingest.hint.{code}", **fmt)
        self.problems.append(Problem(code, message, message_zh, feature, field, hint, hint_zh))

    def note(self, code: str, field: str | None = None, **fmt: Any) -> None:
        """A note; its hint is ``ingest.note_hint.<code>`` when `fmt` has ``hint`` (a Message)."""
        field = _short_field(field)
        fmt.setdefault("field", field)
        fmt = _short_params(fmt)
        message, message_zh = both(f"ingest.note.{code}", **fmt)
        hint, hint_zh = both(f"ingest.note_hint.{code}", **fmt) if fmt.get("hint") else (None, None)
        self.notes.append(Problem(code, message, message_zh, None, field, hint, hint_zh))

    @property
    def file_level(self) -> bool:
        return any(p.feature is None for p in self.problems)
