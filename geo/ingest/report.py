"""The report of one upload: every problem and note, in both languages, from geo.words.

Problem codes are the stable part a program can rely on (the command line, tests); the
texts live in the word catalogue (`geo.words.ingest`) under ``ingest.problem.<code>``
(what is wrong), ``ingest.hint.<code>`` (what to do) and ``ingest.note.<code>``.
"""

from __future__ import annotations

from typing import Any

from geo.errors import Problem
from geo.schema import Layer
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
})
#: Note codes: information about what was changed while reading; never a reason to refuse.
NOTE_CODES: dict[str, str] = _codes("ingest.note.")


def both(key: str, /, **params: Any) -> tuple[str, str]:
    """(English, Chinese) text of a catalogue entry: a `Problem` carries both."""
    return say(key, "en", **params), say(key, "zh", **params)


class Report:
    """Collects problems (and informational notes) while a file is read."""

    def __init__(self, layer: Layer) -> None:
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []
        self.layer_en, self.layer_zh = layer.en.lower(), layer.zh

    def add(self, code: str, feature: int | None = None, field: str | None = None,
            **fmt: Any) -> None:
        fmt.setdefault("field", field)
        message, message_zh = both(f"ingest.problem.{code}", **fmt)
        hint, hint_zh = both(f"ingest.hint.{code}", **fmt)
        self.problems.append(Problem(code, message, message_zh, feature, field, hint, hint_zh))

    def note(self, code: str, field: str | None = None, **fmt: Any) -> None:
        fmt.setdefault("field", field)
        message, message_zh = both(f"ingest.note.{code}", **fmt)
        self.notes.append(Problem(code, message, message_zh, None, field))

    @property
    def file_level(self) -> bool:
        return any(p.feature is None for p in self.problems)
