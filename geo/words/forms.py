"""Words of forms: field-level errors, saved notices and repeated submits (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
}
