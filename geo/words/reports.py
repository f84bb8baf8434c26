"""Words of the print views and accessibility aids: the monthly report, the keyboard issue list (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
}
