"""Words of the overview and community map: overdue look, the clicked issue's card, the phone layout (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
}
