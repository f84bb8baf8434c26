"""Streamlit's own English words are Chinese in the Chinese interface (ui/builtin_words.py).

One small page of Streamlit widgets (builtin_words_app.py), served once, is read in both
languages: in Chinese no English word of Streamlit's is visible (``inner_text`` leaves out
hidden text) and ours are drawn (``::after`` contents); in English Streamlit's are shown.
A failure after a Streamlit upgrade means its markup moved: see the rules in ui/builtin_words.py.
"""

from __future__ import annotations

import pytest

from geo.words import say
from tests.browser.conftest import serve_app

pytestmark = pytest.mark.browser

UPLOAD_BUTTON = '[data-testid="stFileUploaderDropzone"] [data-testid="stMarkdownContainer"] p'
UPLOAD_LIMIT = '[data-testid="stFileUploaderDropzoneInstructions"] span'
TOOLBAR = '[data-testid="stElementToolbar"] button[aria-label="{}"]'
AFTER = "els => els.map(e => getComputedStyle(e, '::after').content)"
ENGLISH = ("Upload", "per file", "Drag and drop", "Choose an option", "Choose options", "Select all",
           "Select 2 matches", "No results", "Search", "Type to search", "Show/hide columns",
           "(index)", "Press Enter")


@pytest.fixture(scope="module")
def words_url(tmp_path_factory):
    log = tmp_path_factory.mktemp("builtin_words") / "streamlit.log"
    with serve_app(log.with_name("unused.sqlite"), log, script="tests/browser/builtin_words_app.py") as url:
        yield url


def shown(page, selector: str) -> list[str]:
    """What the ::after of each element matching `selector` shows (unquoted), "none" if nothing."""
    return [c.strip('"') for c in page.locator(selector).evaluate_all(AFTER)]


def visit(page, url: str, lang: str) -> dict[str, str | list[str]]:
    """Open the page in `lang`, work every widget, and collect what is seen at each step."""
    seen: dict[str, str | list[str]] = {}
    page.goto(f"{url}/?lang={lang}")
    page.locator('[data-testid="stDataFrame"]').wait_for()
    page.wait_for_timeout(500)
    seen["page"] = page.inner_text("body")
    seen["upload"] = shown(page, UPLOAD_BUTTON) + shown(page, UPLOAD_LIMIT)
    seen["placeholders"] = page.locator("input[role=combobox]").evaluate_all("els => els.map(e => e.placeholder)")

    # A file dragged over the uploader
    page.locator('[data-testid="stFileUploaderDropzone"]').evaluate("""dz => {
        const dt = new DataTransfer(); dt.items.add(new File(['{}'], 'a.geojson'));
        dz.dispatchEvent(new DragEvent('dragenter', {dataTransfer: dt, bubbles: true})); }""")
    page.locator('[data-testid="stFileUploaderDropzone"] > div > span').wait_for(state="attached")
    seen["drag"] = page.inner_text('[data-testid="stFileUploaderDropzone"]')
    seen["drag_after"] = shown(page, '[data-testid="stFileUploaderDropzone"] > div > span')
    page.locator('[data-testid="stFileUploaderDropzone"]').evaluate(
        "dz => dz.dispatchEvent(new DragEvent('dragleave', {bubbles: true}))")

    # The multiselect's "Select all", "Select 2 matches" and "No results"
    box = page.locator('[data-testid="stMultiSelect"] input')
    box.click()
    page.locator('[role="option"][data-key="__select_all__"]').wait_for()
    seen["select_all"] = page.inner_text('[role="listbox"]')
    seen["select_all_after"] = shown(page, '[role="option"][data-key="__select_all__"] > div')
    box.press_sequentially("ap")
    page.locator('[role="option"][data-key="__select_matches__"]').wait_for()
    seen["matches"] = page.inner_text('[role="listbox"]')
    seen["matches_after"] = shown(page, '[role="option"][data-key="__select_matches__"] > div')
    box.press_sequentially("zz")
    page.locator('[role="listbox"][data-empty="true"]').wait_for(state="attached")
    seen["no_results"] = page.inner_text('[role="listbox"]')
    seen["no_results_after"] = shown(page, '[role="listbox"][data-empty="true"] span')
    box.press("Escape")
    box.press("Escape")
    page.mouse.click(5, 5)

    # The dataframe toolbar: the Search tooltip, the search box, the column chooser
    page.locator('[data-testid="stDataFrame"]').hover()
    page.locator(TOOLBAR.format("Search")).hover()
    tip = page.locator('[data-testid="stTooltipContent"] p')
    tip.wait_for(state="attached")
    page.wait_for_timeout(300)
    seen["tip"] = page.inner_text('[data-testid="stTooltipContent"]')
    seen["tip_after"] = shown(page, '[data-testid="stTooltipContent"] p')
    page.locator(TOOLBAR.format("Search")).click()
    page.locator(".gdg-search-status > label").wait_for(state="attached")
    seen["search"] = page.inner_text(".gdg-search-bar")
    seen["search_after"] = shown(page, ".gdg-search-status > label")
    page.keyboard.press("Escape")
    page.mouse.click(5, 5)
    page.locator('[data-testid="stDataFrame"]').hover()
    page.locator(TOOLBAR.format("Show/hide columns")).click()
    menu = page.locator('[data-testid="stDataFrameColumnVisibilityMenu"]')
    menu.wait_for()
    seen["columns"] = menu.inner_text()
    seen["columns_after"] = shown(page, '[data-testid="stDataFrameColumnVisibilityMenu"] label > span:last-child')
    page.keyboard.press("Escape")
    page.mouse.click(5, 5)

    # "Press Enter to submit form" under a text field in a form
    field = page.locator('[data-testid="stTextInput"] input')
    field.click()
    field.press_sequentially("abc")
    page.locator('[data-testid="InputInstructions"]').wait_for()
    seen["enter"] = page.inner_text('[data-testid="InputInstructions"]')
    seen["enter_after"] = shown(page, '[data-testid="InputInstructions"] > span:first-child')
    page.mouse.click(5, 5)

    # A file of a type the uploader refuses, and the tooltip of its chip. In Chinese that
    # tooltip's own text is shrunk to nothing rather than hidden, so it stays in inner_text.
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"notes"}])
    page.locator('[data-testid="stFileChip"]').hover()
    page.locator('[data-testid="stTooltipErrorContent"]').wait_for(state="attached")
    seen["refused_tip"] = [page.inner_text('[data-testid="stTooltipErrorContent"]')]
    seen["refused_after"] = shown(page, '[data-testid="stTooltipErrorContent"], [data-testid="stFileChip"] > span')
    return seen


def test_streamlit_words_follow_the_language(words_url, make_page):
    p = make_page(900, 900)
    zh = visit(p.page, words_url, "zh")
    p.screenshot("builtin-words-zh")
    visible_zh = "\n".join(v for v in zh.values() if isinstance(v, str))
    for english in ENGLISH:
        assert english not in visible_zh, english
    assert zh["upload"] == [say("bw_upload", "zh"), say("bw_upload_limit", "zh", mb=50)]
    assert zh["placeholders"] == [say("bw_choose_option", "zh"), say("bw_choose_options", "zh")]
    assert zh["drag_after"] == [say("bw_drop_file", "zh")]
    assert zh["select_all_after"] == [say("bw_select_all", "zh")]
    assert zh["matches_after"] == [say("bw_select_matches", "zh")]
    assert zh["no_results_after"] == [say("bw_no_results", "zh")]
    assert zh["tip_after"] == [say("bw_search", "zh")]
    assert zh["search_after"] == [say("bw_type_to_search", "zh")]
    assert zh["columns_after"][:2] == [say("bw_select_all", "zh"), say("bw_index", "zh")]
    assert zh["enter_after"] == [say("bw_enter_submit", "zh")]
    assert zh["refused_after"] == [say("bw_upload_refused", "zh", mb=50)] * 2
    assert "3/20" in zh["enter"]  # the counter is Streamlit's, and language-free

    en = visit(p.page, words_url, "en")
    p.screenshot("builtin-words-en")
    assert "Upload" in en["page"] and "50MB per file" in en["page"]
    assert en["placeholders"] == ["Choose an option", "Choose options"]
    assert "Drag and drop a file here" in en["drag"]
    assert "Select all" in en["select_all"]
    assert "Select 2 matches" in en["matches"]
    assert "No results" in en["no_results"]
    assert en["tip"] == "Search"
    assert "Type to search" in en["search"]
    assert "Select all" in en["columns"] and "(index)" in en["columns"]
    assert "Press Enter to submit form" in en["enter"]
    assert en["refused_tip"] == ["text/plain files are not allowed."]
    drawn = [c for key, value in en.items() if key.endswith(("_after", "upload")) for c in value]
    assert set(drawn) == {"none"}, drawn
    assert p.errors == [], p.errors
