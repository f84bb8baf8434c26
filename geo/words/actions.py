"""Words of the issue page's actions and the accounts page: named buttons, confirmations, corrections, stepping back, signatures (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
}
