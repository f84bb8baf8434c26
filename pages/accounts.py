"""账号管理 Accounts (admin): add, disable, change role, reset password. Every change is audited."""

from __future__ import annotations

import streamlit as st

from geo.errors import InputError, PermissionDenied
from yishi.accounts import ROLES, USERNAME_CHARS
from yishi.services import accounts
from ui import auth, data
from ui.i18n import t
from ui.safe import md
from ui.shell import header

lang = header("nav_accounts")
admin = auth.require("manage_accounts")

with data.open_store() as store:
    users = accounts.list_users(store)
    communities = store.load_layer("communities")
names = dict(zip(communities["community_id"], communities["name"]))

table = users[["username", "role", "community_id", "disabled", "failed_count", "locked_until", "created_at"]]
st.dataframe(table.assign(role=table["role"].map(lambda r: auth.role_label(r, lang)),
                          community_id=table["community_id"].map(names)),
             width="stretch", hide_index=True)


def apply(change, *args, **kwargs) -> None:
    """Run one account change as the signed-in admin; show its refusal instead of failing.

    The service reads the admin's role from the store again, so an admin demoted or disabled
    a moment ago is refused here too.
    """
    auth.require("manage_accounts")
    try:
        with data.open_store() as store:
            change(store, *args, by=admin, **kwargs)
    except (InputError, PermissionDenied) as exc:
        st.error(md(exc.text(lang)))
    else:
        st.success(t("saved"))


add, edit = st.columns(2)
with add.form("add_user", clear_on_submit=True):
    st.subheader(t("acc_add"))
    username = st.text_input(t("username"), key="acc_new_name", max_chars=USERNAME_CHARS)
    password = st.text_input(t("password"), type="password", key="acc_new_password")
    role = st.selectbox(t("acc_role"), ROLES, format_func=lambda r: auth.role_label(r, lang), key="acc_new_role")
    community = st.selectbox(t("acc_community"), [None, *names], key="acc_new_comm",
                             format_func=lambda c: names.get(c, "—"))
    if st.form_submit_button(t("acc_add"), type="primary"):
        apply(accounts.add_user, username, password, role=role, community_id=community)

# Nothing is chosen in advance: a change to an account is always a deliberate choice.
with edit.form("edit_user"):
    st.subheader(t("acc_edit"))
    target = st.selectbox(t("username"), users["username"].tolist(), index=None,
                          placeholder=t("acc_choose"), key="acc_target")
    new_role = st.selectbox(t("acc_role"), ROLES, index=None, placeholder=t("acc_choose"),
                            format_func=lambda r: auth.role_label(r, lang), key="acc_role")
    new_password = st.text_input(t("acc_new_password"), type="password", key="acc_password")
    action = st.radio(t("acc_action"), ("role", "password", "disable", "enable"), index=None,
                      key="acc_action", format_func=lambda a: t(f"acc_do_{a}", lang), horizontal=True)
    if st.form_submit_button(t("acc_apply")):
        if target is None or action is None:
            st.warning(t("acc_pick_first"))
        elif action == "role" and new_role is None:
            st.warning(t("acc_pick_role"))
        elif action == "role":
            apply(accounts.set_role, target, new_role)
        elif action == "password":
            apply(accounts.set_password, target, new_password)
        else:
            apply(accounts.set_disabled, target, action == "disable")
