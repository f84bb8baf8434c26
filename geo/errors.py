"""Errors of the geo core. Validation collects every problem, then raises one error."""

from __future__ import annotations

from dataclasses import asdict, dataclass


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
    """Base class: every error the core raises on purpose."""


class InputError(YishiError, ValueError):
    """The input cannot be used (missing file, not GeoJSON, unknown layer, empty layer)."""


class ValidationError(YishiError):
    """The input was read but has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s):\n{lines}")


class WorkflowError(YishiError):
    """A refused issue transition; the message says what is missing."""


class StoreBusy(YishiError):
    """Another writer holds the store; try again."""


class PermissionDenied(YishiError):
    """The signed-in role may not see or do this."""
