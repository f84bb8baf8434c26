"""Free text as the app keeps it: no characters nobody can see, and no longer than its field.

Direction overrides and isolates (U+202A-202E, U+2066-2069) reorder what is shown ("Safe title
\\u202eexe.txt" reads "...txt.exe"); zero-width characters (U+200B-200F, U+2060, U+FEFF) hide
inside names and ids so two that look alike differ. Neither carries meaning in this app's
Chinese and English text, so they are removed where text comes in (uploads, with a note; the
workflow, silently, since a person can neither see nor find them) and again where stored text
goes out (the page escapers), which covers text stored before. ZWJ (U+200D) is among them:
an emoji sequence then shows as its separate emoji.

Every text field has a schema length (`geo.schema.Field.max_length`); `too_long` is the one
rule uploads, the workflow and the forms' ``max_chars`` agree on. A message that repeats a
value from outside repeats a long one by its start and length only (`shorten`).

Examples
--------
>>> strip_invisible("Safe title \\u202eexe.txt")
'Safe title exe.txt'
>>> from geo.schema import ISSUES
>>> str(too_long(ISSUES.get("title"), "x" * 1_048_576))
'title (Title) is 1,048,576 characters long; at most 200'
>>> too_long(ISSUES.get("title"), "x" * 200) is None
True
>>> shorten("x" * 500).text("en") == "x" * 40 + "… (500 characters)"
True
"""

from __future__ import annotations

import re
from typing import Any

from geo.errors import Message, msg
from geo.schema import Field

__all__ = ["INVISIBLE", "QUOTE_CHARS", "count_invisible", "shorten", "strip_invisible", "too_long"]

#: Direction embeddings, overrides and isolates, and zero-width characters (ZWJ included).
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
#: Values longer than this many characters are repeated in messages by their start (`shorten`).
QUOTE_CHARS = 80


def strip_invisible(text: str) -> str:
    """`text` without direction-control and zero-width characters."""
    return INVISIBLE.sub("", text)


def count_invisible(text: str) -> int:
    """How many direction-control and zero-width characters `text` holds."""
    return len(INVISIBLE.findall(text))


def too_long(f: Field, text: str) -> Message | None:
    """The refusal of `text` as `f`'s value when it has more characters than `f` allows: its
    length and the limit, never the text itself (a megabyte echoed back is the attack again)."""
    if f.max_length is None or len(text) <= f.max_length:
        return None
    return msg("value_too_long", field=f, length=len(text), limit=f.max_length)


def shorten(value: Any, limit: int = QUOTE_CHARS) -> Any:
    """`value` as a message may repeat it: text longer than `limit` becomes a Message saying
    its first half-limit characters and its length (in a list or tuple: each item); other
    values as they are. A 200,000-digit number must not make a 200 kB message."""
    if isinstance(value, str) and len(value) > limit:
        return msg("value_shortened", head=value[:limit // 2], n=len(value))
    if isinstance(value, (list, tuple)):
        return type(value)(shorten(v, limit) for v in value)
    return value
