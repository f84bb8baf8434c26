"""Escaping stored or uploaded text for Streamlit's markdown (no links, images or HTML from data)."""

from __future__ import annotations

import re

#: Every ASCII punctuation character. CommonMark lets a backslash escape any of them and then
#: shows it literally, so escaping them all leaves no syntax to act on: not emphasis or links,
#: nor setext headings (===), entities (&lt;), autolinks (a@b.cn), LaTeX ($) or Streamlit's
#: directives (:red[...], :material/icon:).
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_END = re.compile(r"\r\n?")


def md(text: object) -> str:
    """`text` as literal markdown: every character that markdown would act on is escaped.

    A lone CR is a line ending to CommonMark; it is normalised to LF, and each line break is kept
    as a hard break.
    """
    if text is None:
        return ""
    plain = _LINE_END.sub("\n", str(text))
    return _MD_SPECIAL.sub(r"\\\1", plain).replace("\n", "  \n")


def token(text: object, *, limit: int = 60) -> str:
    """A short, harmless echo of an untrusted value (URL parameters in notices), as markdown:
    what survives the filter is escaped too (`__x__` would otherwise turn bold)."""
    cleaned = re.sub(r"[^\w\-=.,:\u4e00-\u9fff]", "?", str(text))
    return md(cleaned[:limit]) + ("…" if len(cleaned) > limit else "")
