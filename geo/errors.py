"""Errors every layer raises on purpose, and the bilingual `Message` they carry.

Validation collects every problem, then raises one error that lists them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from geo import words


@dataclass(frozen=True)
class Message:
    """A sentence from the word catalogue (`geo.words`) with its parameters, written in the
    reader's language only when shown: services raise it, pages and the CLI say it."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return words.say(self.key, lang, **self.params)

    def __str__(self) -> str:
        """English with field and value codes: for logs, tests and the command line."""
        return self.text("en" + words.WITH_CODES)

    def label(self, lang: str = "zh") -> str:
        """The text in `lang`: a Message given as a parameter of another is said in its language."""
        return self.text(lang)


def msg(key: str, /, **params: Any) -> Message:
    """`Message(key, params)`, shorter at the call site."""
    return Message(key, params)


@dataclass(frozen=True)
class Problem:
    """One problem found in input, in words a staff member understands (en and zh)."""

    code: str
    message: str
    message_zh: str
    #: 1-based feature number in the uploaded file (None: the file as a whole).
    feature: int | None = None
    field: str | None = None
    hint: str = ""
    hint_zh: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = [f"feature {self.feature}" if self.feature is not None else "file"]
        if self.field:
            where.append(f"field {self.field!r}")
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{', '.join(where)}: {self.message}{hint}"


class YishiError(Exception):
    """Base class: every error the core raises on purpose.

    Raised with a `Message`, it can be shown in either language (`text`); raised with a
    plain string, that string is all there is.
    """

    def __init__(self, message: str | Message = "", *args: object):
        self.message = message if isinstance(message, Message) else None
        super().__init__(str(message), *args)

    def text(self, lang: str = "en") -> str:
        """The error in `lang`."""
        if self.message is not None:
            return self.message.text(lang)
        return str(self.args[0]) if self.args else ""

    def lines(self, lang: str = "en") -> list[str]:
        """Every reason, one per line, in `lang` (one for most errors)."""
        return [self.text(lang)]


class InputError(YishiError, ValueError):
    """The input cannot be used (missing file, not GeoJSON, unknown layer, empty layer)."""


class ValidationError(YishiError):
    """The input was read but has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s):\n{lines}")


class WorkflowError(YishiError):
    """A refused workflow write: what was refused and every reason; nothing was written.

    ``str()`` is the English text with field and value codes (the command line's).
    Subclasses with another heading (a catalogue key taking ``what`` and ``n``) set HEADING.
    """

    HEADING = "wf_refused"

    def __init__(self, what: Message, problems: list[Message]):
        self.what = what
        self.problems = list(problems)
        super().__init__(self.text("en" + words.WITH_CODES))

    def lines(self, lang: str = "en") -> list[str]:
        return [p.text(lang) for p in self.problems]

    def text(self, lang: str = "en") -> str:
        head = msg(self.HEADING, what=self.what, n=len(self.problems)).text(lang)
        return head + "".join(f"\n  - {line}" for line in self.lines(lang))


class StoreBusy(YishiError):
    """Another writer holds the store; try again."""


class PermissionDenied(YishiError):
    """The signed-in role may not see or do this."""


class StoreUnusable(YishiError):
    """The store cannot do what was asked (a full disk, read-only, damaged); nothing was changed.

    `message` names the store's path (the command line, the server log); `public` says the same
    without it, for pages: server paths never reach a browser.
    """

    def __init__(self, message: Message, public: Message):
        super().__init__(message)
        self.public = public


class StoreFull(StoreUnusable):
    """A write found no room (a full disk, a quota, a file-size limit) and was rolled back."""


class StoreReadOnly(StoreUnusable):
    """The store can be read but not changed (its file or folder is not writable)."""


class StoreDamaged(StoreUnusable):
    """The store failed its integrity check or is not a database: restore it from a backup."""
