"""Stored or uploaded text on the page (Streamlit markdown: no links, images or HTML from data,
no direction tricks), and how much text a form lets in (the schema's lengths)."""

from __future__ import annotations

import re

from geo.schema import get_layer
from geo.text import strip_invisible

#: Every ASCII punctuation character. CommonMark lets a backslash escape any of them and then
#: shows it literally, so escaping them all leaves no syntax to act on: not emphasis or links,
#: nor setext headings (===), entities (&lt;), autolinks (a@b.cn), LaTeX ($) or Streamlit's
#: directives (:red[...], :material/icon:).
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_END = re.compile(r"\r\n?")


def md(text: object) -> str:
    """`text` as literal markdown: every character that markdown would act on is escaped.

    A lone CR is a line ending to CommonMark; it is normalised to LF, and each line break is kept
    as a hard break. Direction-control and zero-width characters are removed (`geo.text`), so
    text stored before uploads removed them cannot reorder what is shown either.
    """
    if text is None:
        return ""
    plain = strip_invisible(_LINE_END.sub("\n", str(text)))
    return _MD_SPECIAL.sub(r"\\\1", plain).replace("\n", "  \n")


def token(text: object, *, limit: int = 60) -> str:
    """A short, harmless echo of an untrusted value (URL parameters in notices), as markdown:
    what survives the filter is escaped too (`__x__` would otherwise turn bold)."""
    cleaned = re.sub(r"[^\w\-=.,:\u4e00-\u9fff]", "?", str(text))
    return md(cleaned[:limit]) + ("…" if len(cleaned) > limit else "")


def max_chars(layer: str, field: str) -> int | None:
    """A text widget's `max_chars` for `layer`.`field`: the schema's length, so a form lets in
    exactly what the service would accept (the service checks again)."""
    return get_layer(layer).get(field).max_length
