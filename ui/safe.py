"""Escaping stored or uploaded text for Streamlit's markdown (no links, images or HTML from data)."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text: object) -> str:
    """`text` as literal markdown: every character that markdown would act on is escaped."""
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def token(text: object, *, limit: int = 60) -> str:
    """A short, harmless echo of an untrusted value (URL parameters in notices)."""
    cleaned = re.sub(r"[^\w\-=.,:\u4e00-\u9fff]", "?", str(text))
    return cleaned[:limit] + ("…" if len(cleaned) > limit else "")
