"""Failures stay private and local: a page that raises shows a short translated notice, and the
full trace (with server paths and stored values) goes to the server log only.

A store that cannot do what was asked (a full disk, read-only, damaged) is no bug: the page
says which, in the reader's language and without the store's path; the log says it with the path.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import streamlit as st
from streamlit import config
from streamlit.navigation.page import StreamlitPage

from geo.errors import StoreUnusable
from ui.i18n import t

_LOG = logging.getLogger("yishi.pages")
P = ParamSpec("P")
R = TypeVar("R")


def developer_mode() -> bool:
    """True when Streamlit is set to show full error details (a developer's machine).

    Production keeps `client.showErrorDetails = "none"` (.streamlit/config.toml); a developer
    turns traces back on with STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=full.
    """
    value = config.get_option("client.showErrorDetails")
    options = config.ShowErrorDetailsConfigOptions
    return value == options.FULL or options.is_true_variation(value)


def report_failure(exc: Exception, *, where: str) -> None:
    """Log `exc` with its trace under a short reference and tell the user in their language;
    on a developer's machine (`developer_mode`) raise it again instead. A store that cannot do
    it is said as such, everywhere: one line with the path in the log, none on the page."""
    reference = uuid.uuid4().hex[:8]
    if isinstance(exc, StoreUnusable):
        _LOG.error("page %s: %s (reference %s)", where or "?", exc, reference)
        st.error(t("store_notice", what=exc.public, ref=reference))
        return
    if developer_mode():
        raise exc
    _LOG.error("page %s failed (reference %s)", where or "?", reference, exc_info=exc)
    st.error(t("error_unexpected", ref=reference))


def run_page(page: StreamlitPage) -> None:
    """Run the navigation's page; an unexpected exception becomes a translated notice.

    Streamlit's own control flow (st.rerun, st.stop, st.switch_page) raises
    ScriptControlException, a BaseException, so `except Exception` lets it pass untouched.
    """
    try:
        page.run()
    except Exception as exc:
        report_failure(exc, where=page.url_path or page.title)


def guarded(func: Callable[P, R]) -> Callable[P, R | None]:
    """Same as `run_page`, for a fragment (put it under @st.fragment): a fragment's own reruns
    call it directly, not through the page, and a failure in it leaves the rest of the page up."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            report_failure(exc, where=func.__qualname__)
            return None
    return wrapper
