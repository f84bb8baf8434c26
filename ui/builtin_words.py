"""Streamlit's own English words, said in Chinese: a small stylesheet drawn on every page.

Streamlit has no locale for the words its widgets draw themselves (the file uploader's
"Upload" button and "50MB per file • ..." line, "Select all" in a multiselect, the
dataframe toolbar's "Search" tooltip and "Type to search"...): they are constants in its
JavaScript bundle. Where a widget takes the words as a parameter, the pages pass them
(``placeholder=t("bw_choose_option")`` on select boxes). Where it does not, this stylesheet
hides Streamlit's text (``visibility: hidden``: neither seen nor in the page's
``innerText``) and shows ours in an ``::after`` pseudo-element. Each rule names the element
by the ``data-testid`` and attributes that Streamlit 1.67 draws;
tests/browser/test_builtin_words_browser.py says whether they still hold after an upgrade.

A tooltip carries no trace of its button, so it is matched while its button is hovered or
focused (``body:has(button[aria-label=...]:hover)``). Texts with numbers in them cannot be
rebuilt in CSS: the dataframe search's "3 results" stays English, and a refused file's
"text/plain files are not allowed." becomes one general sentence.

In English nothing is replaced; an empty stylesheet is still drawn, in the same place, so
that switching from Chinese removes the Chinese one.
"""

from __future__ import annotations

from functools import cache

import streamlit as st

from ui.i18n import t

# The element becomes a one-row grid: its own text (one anonymous grid item, hidden) in a
# column of no width, ours (the ::after item) in the next. Ours keeps the element's font and
# colour, and the element takes the width of our text rather than of Streamlit's.
_HIDE = ("display:{display}!important;grid-template-columns:0 max-content!important;"
         "justify-content:{align};white-space:nowrap!important;visibility:hidden!important;"
         "overflow:clip!important;")
_SHOW = "content:{text};visibility:visible;"
# An element with a background of its own (a tooltip box) would lose it to visibility:hidden:
# its text is shrunk to nothing instead, and ours drawn in Streamlit's small size (theme "sm").
_SHRINK = "font-size:0!important;"
_SHOW_SMALL = "content:{text};font-size:0.875rem;"

_UPLOADER = '[data-testid="stFileUploaderDropzone"]'
_CHIPS = '[data-testid="stFileChips"]'
_TOOLTIP = '[data-testid="stTooltipContent"] p'
_COLUMNS = '[data-testid="stDataFrameColumnVisibilityMenu"]'
_FORM = '[data-testid="stForm"]'


def _toolbar_tip(label: str) -> str:
    """The tooltip of the element-toolbar button `label`, while that button is pointed at."""
    button = f'[data-testid="stElementToolbar"] button[aria-label="{label}"]'
    return f"body:has({button}:is(:hover,:focus-visible)) {_TOOLTIP}"


def _instructions(widget: str) -> str:
    """The first part of a text field's instructions ("Press Enter to ..." before a counter)."""
    return f'[data-testid="{widget}"] [data-testid="InputInstructions"] > span:first-child'


#: (selector, catalogue key, where our text sits: "start" or "center" of a block, "inline" to
#: keep an inline element inline, "box" for an element with its own background). A later rule
#: wins over an earlier one of equal weight.
RULES: tuple[tuple[str, str, str], ...] = (
    # file uploader: the button, the limit line, the hint while a file is dragged over it,
    # a refused file's tooltip and its words for screen readers
    (f'{_UPLOADER} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p',
     "bw_upload", "center"),
    ('[data-testid="stFileUploaderDropzoneInstructions"] span', "bw_upload_limit", "start"),
    (f"{_UPLOADER} > div:not([data-testid]) > span", "bw_drop_file", "center"),
    (f'body:has({_CHIPS} [data-testid="stTooltipErrorHoverTarget"]:hover) [data-testid="stTooltipErrorContent"]',
     "bw_upload_refused", "box"),
    ('[data-testid="stFileChip"] > span[role="alert"]', "bw_upload_refused", "start"),
    # select boxes: a multiselect's bulk rows, a search that matches nothing
    ('[role="listbox"] [role="option"][data-key="__select_all__"] > div', "bw_select_all", "start"),
    ('[role="listbox"] [role="option"][data-key="__select_matches__"] > div', "bw_select_matches",
     "start"),
    ('[role="listbox"][data-empty="true"] > [role="option"] > span', "bw_no_results", "center"),
    # dataframe: the toolbar's tooltips, the search box, the column chooser
    (_toolbar_tip("Search"), "bw_search", "start"),
    (_toolbar_tip("Show/hide columns"), "bw_show_hide_columns", "start"),
    (_toolbar_tip("Fullscreen"), "bw_fullscreen", "start"),
    (_toolbar_tip("Close fullscreen"), "bw_close_fullscreen", "start"),
    (".gdg-search-status > label", "bw_type_to_search", "start"),
    (f"{_COLUMNS} > div > label:first-child > span:last-child", "bw_select_all", "start"),
    (f'{_COLUMNS} label:has(> input[aria-label="(index)"]) > span:last-child', "bw_index", "start"),
    # text fields: "Press Enter to apply" outside forms, "... to submit form" inside them.
    # Outside a form a text field with max_chars may show its counter alone, so only a counter
    # that follows the instruction tells where it is; a number field has no counter.
    (_instructions("stNumberInput"), "bw_enter_apply", "inline"),
    (f'{_instructions("stTextInput")}:not(:only-child)', "bw_enter_apply", "inline"),
    (f'{_instructions("stTextArea")}:not(:only-child)', "bw_ctrl_enter_apply", "inline"),
    (f'{_FORM} {_instructions("stNumberInput")}', "bw_enter_submit", "inline"),
    (f'{_FORM} {_instructions("stTextInput")}', "bw_enter_submit", "inline"),
    (f'{_FORM} {_instructions("stTextArea")}', "bw_ctrl_enter_submit", "inline"),
)


def css_string(text: str) -> str:
    """`text` as a quoted CSS string. Quotes, backslashes, control and markup characters are
    hex escapes, so no text can end the string, the rule or the style element."""
    return '"' + "".join(
        f"\\{ord(ch):x} " if ch in "\"'\\<>&" or ord(ch) < 0x20 or ord(ch) == 0x7F else ch
        for ch in text) + '"'


def upload_limit_mb() -> int:
    """The upload limit Streamlit's uploader states (server.maxUploadSize, in MB)."""
    return int(st.get_option("server.maxUploadSize"))


@cache
def stylesheet(lang: str) -> str:
    """The rules for `lang`: none in English, whose words are Streamlit's own (built once per
    language: the words and the upload limit are fixed while the server runs)."""
    if lang != "zh":
        return ""
    rules = []
    for selector, key, align in RULES:
        text = css_string(t(key, lang, mb=upload_limit_mb()))
        if align == "box":
            hide, show = _SHRINK, _SHOW_SMALL.format(text=text)
        else:
            hide = _HIDE.format(display="inline-grid" if align == "inline" else "grid",
                                align="start" if align == "inline" else align)
            show = _SHOW.format(text=text)
        rules.append(f"{selector}{{{hide}}}")
        rules.append(f"{selector}::after{{{show}}}")
    return "\n".join(rules)


def apply(lang: str) -> None:
    """Draw the stylesheet for `lang` (every run, from the page header). A style-only
    st.html goes to Streamlit's event container: it takes no room on the page."""
    st.html(f"<style>{stylesheet(lang)}</style>")
