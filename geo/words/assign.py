"""Words of batch assignment (`python -m geo assign`)."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "cli_bad_workers": ("--workers 须为不小于 1 的整数，而不是 {value!r}",
                        "--workers must be a whole number of at least 1, not {value!r}"),
}
