"""登录 Sign in: accounts from the store; failures are throttled and audited."""

from __future__ import annotations

import streamlit as st

from yishi.services.accounts import SignInRefused, authenticate
from ui import auth, data
from ui.i18n import t
from ui.shell import header

lang = header("nav_signin")
st.caption(t("sign_in_intro"))
with st.form("signin"):
    username = st.text_input(t("username"), key="signin_user")
    password = st.text_input(t("password"), type="password", key="signin_password")
    submitted = st.form_submit_button(t("sign_in_button"), type="primary")
if auth.oidc_configured():
    if st.button(t("sign_in_oidc"), key="signin_oidc"):
        st.login()
    with data.open_store() as store:
        if auth.sign_in_from_oidc(store):
            st.rerun()
        elif st.user.is_logged_in:
            st.error(t("sign_in_oidc_no_account"))
if submitted:
    with data.open_store() as store:
        try:
            user = authenticate(store, username, password)
        except SignInRefused as refused:
            st.error(refused.text(lang))
        else:
            auth.sign_in(user)
            st.rerun()
