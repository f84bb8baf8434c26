"""Failures stay private and local: a page that raises shows a translated notice with a reference,
no trace or server path reaches the browser, and the server log gets the full trace."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from tests.helpers import USERS, rendered
from ui import data
from ui.i18n import t

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SECRET = "/srv/yishi/secret_module.py {{ 7*7 }} resident 13800000000"


@pytest.fixture
def error_details():
    """Set client.showErrorDetails for one test (config is process-wide), then restore it."""
    before = config.get_option("client.showErrorDetails")

    def set_to(value: str) -> None:
        config.set_option("client.showErrorDetails", value)

    yield set_to
    config.set_option("client.showErrorDetails", before)


def test_production_config_hides_error_details():
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["client"]["showErrorDetails"] == "none"


def _explode(*args, **kwargs):
    raise RuntimeError(f"boom in {SECRET}")


def _overview_that_fails(monkeypatch, lang: str) -> AppTest:
    """A leader's landing page (reached through app.py's navigation) whose data loader raises."""
    monkeypatch.setattr(data, "snapshot", _explode)
    monkeypatch.setattr(data, "state", _explode)  # the overview's first read of the store
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["user"] = USERS["leader"]
    return at.run()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_failing_page_shows_a_translated_notice_and_logs_the_trace(
        demo_store_path, monkeypatch, caplog, error_details, lang):
    error_details("none")
    caplog.set_level(logging.ERROR, logger="yishi.pages")
    at = _overview_that_fails(monkeypatch, lang)

    assert not at.exception  # Streamlit's own exception element (type, message, trace) is absent
    [notice] = [e.value for e in at.error]
    reference = re.search(r"[0-9a-f]{8}", notice).group(0)
    assert notice == t("error_unexpected", lang).format(ref=reference)
    page = rendered(at).replace(reference, "")  # a random reference may itself contain "49"
    for leak in ("Traceback", "RuntimeError", "boom", "secret_module", "/srv/", str(ROOT), ".py",
                 "49", "13800000000"):
        assert leak not in page, leak

    [record] = [r for r in caplog.records if r.name == "yishi.pages"]
    assert reference in record.getMessage()
    logged = caplog.text
    assert "Traceback" in logged and SECRET in logged and "RuntimeError" in logged


def test_a_developer_sees_the_full_trace_when_details_are_on(
        demo_store_path, monkeypatch, error_details):
    error_details("full")
    at = _overview_that_fails(monkeypatch, "zh")
    assert at.exception and "boom" in at.exception[0].message
    assert not at.error


def _page_that_stops() -> None:
    import streamlit as st

    from ui import errors

    class Page:
        url_path = "stops"

        def run(self) -> None:
            st.markdown("before")
            st.stop()

    errors.run_page(Page())  # type: ignore[arg-type]
    st.markdown("after")


def test_streamlit_control_flow_is_not_treated_as_a_failure(error_details, caplog):
    """st.stop (like st.rerun and st.switch_page) raises a BaseException: not logged as a failure."""
    error_details("none")
    caplog.set_level(logging.ERROR, logger="yishi.pages")
    at = AppTest.from_function(_page_that_stops, default_timeout=30).run()
    assert [m.value for m in at.markdown] == ["before"]
    assert not at.error and not at.exception
    assert not [r for r in caplog.records if r.name == "yishi.pages"]


def _fragment_that_fails() -> None:
    import streamlit as st

    from ui import errors

    @st.fragment
    @errors.guarded
    def part() -> None:
        st.markdown("inside")
        if st.button("break", key="break"):
            raise RuntimeError("boom in /srv/yishi/secret_module.py")

    part()
    st.markdown("after")


def test_a_failing_fragment_shows_the_notice_and_the_page_stays_up(error_details, caplog):
    error_details("none")
    caplog.set_level(logging.ERROR, logger="yishi.pages")
    at = AppTest.from_function(_fragment_that_fails, default_timeout=30)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.error
    at.button(key="break").click().run()
    assert not at.exception
    [notice] = [e.value for e in at.error]
    assert notice.startswith(t("error_unexpected", "en").split("{ref}")[0])
    assert "after" in [m.value for m in at.markdown]
    assert "secret_module" not in rendered(at)
    assert [r for r in caplog.records if r.name == "yishi.pages"] and "secret_module" in caplog.text
