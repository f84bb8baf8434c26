"""Words of the upload page: per-layer field guides, templates, spreadsheets, upload history and the audit page (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
}
