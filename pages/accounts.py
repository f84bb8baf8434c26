"""账号管理 Accounts (admin): add (with the person's name, which signs their notes, and for a
member the CPPCC member record), rename, change role, reset password, disable (asked first),
enable. Every change is audited.

A refused new account keeps what was typed and shows each problem under its field; an added one
empties the form and is in the table at once (the page runs again).
"""

from __future__ import annotations

import streamlit as st

from geo.errors import InputError, PermissionDenied
from geo.schema import NAME_CHARS
from yishi.accounts import ROLES, USERNAME_CHARS
from yishi.services import accounts
from ui import accounts_view, auth, data, forms
from ui.i18n import t
from ui.safe import md
from ui.shell import header

lang = header("nav_accounts")
admin = auth.require("manage_accounts")
_FLASH = "_acc_flash"
ADD_FORM = "add_user"
#: The add-account widgets as an empty form shows them (set after a save: see ui.forms).
ADD_DEFAULTS = {"acc_new_name": "", "acc_new_display": "", "acc_new_password": "",
                "acc_new_role": ROLES[0], "acc_new_comm": None, "acc_new_member": None, "acc_new_region": None}
EDIT_FORM = "edit_user"
#: The change-account widgets that start empty again after a change (the account stays chosen).
EDIT_DEFAULTS = {"acc_action": None, "acc_role": None, "acc_password": "", "acc_display": "",
                 "acc_confirm_disable": False, "acc_region": None}

with data.open_store() as store:
    users = accounts.list_users(store)
    communities = store.load_layer("communities")
    members = store.load_layer("members")
    regions = accounts_view.region_choices(store.load_layer("regions"))
names = dict(zip(communities["community_id"], communities["name"]))
cppcc = accounts_view.cppcc_members(members, names)

flash = st.session_state.pop(_FLASH, None)
if flash:
    st.success(md(flash))
    st.toast(md(flash), icon=":material/check_circle:")
st.dataframe(accounts_view.account_table(users, names, dict(zip(members["member_id"], members["name"])), lang,
                                         regions),
             width="stretch", hide_index=True)
st.caption(t("acc_times_local", lang))


def apply(change, *args, **kwargs) -> None:
    """Run one account change as the signed-in admin; show its refusal instead of failing.
    Success runs the page again (the table shows the change) with the change form emptied.

    The service reads the admin's role from the store again, so an admin demoted or disabled
    a moment ago is refused here too.
    """
    auth.require("manage_accounts")
    try:
        with data.open_store() as store:
            change(store, *args, by=admin, **kwargs)
    except (InputError, PermissionDenied) as exc:
        st.error(md(exc.text(lang)))
        return
    forms.saved(EDIT_FORM)
    st.session_state[_FLASH] = t("saved", lang)
    st.rerun()


add, edit = st.columns(2)
forms.begin(ADD_FORM, defaults=ADD_DEFAULTS)
with add.form(ADD_FORM):
    st.subheader(t("acc_add"))
    forms.summary(ADD_FORM)
    username = st.text_input(t("username"), key="acc_new_name", max_chars=USERNAME_CHARS)
    forms.under(ADD_FORM, "username")
    display_name = st.text_input(t("acc_display_name", lang), key="acc_new_display", max_chars=NAME_CHARS,
                                 help=t("acc_display_name_help", lang))
    forms.under(ADD_FORM, "display_name")
    password = st.text_input(t("password"), type="password", key="acc_new_password")
    forms.under(ADD_FORM, "password")
    role = st.selectbox(t("acc_role"), ROLES, format_func=lambda r: auth.role_label(r, lang), key="acc_new_role")
    forms.under(ADD_FORM, "role")
    community = st.selectbox(t("acc_community"), [None, *names], key="acc_new_comm",
                             format_func=lambda c: names.get(c, "—"), placeholder="—")
    forms.under(ADD_FORM, "community_id")
    member = st.selectbox(t("acc_member_link", lang), [None, *cppcc], key="acc_new_member",
                          format_func=lambda m: cppcc.get(m, t("acc_no_member", lang)),
                          placeholder=t("acc_no_member", lang))
    forms.under(ADD_FORM, "member_id")
    region = st.selectbox(t("acc_region", lang), [None, *regions], key="acc_new_region",
                          format_func=lambda r: regions.get(r, t("acc_whole_store", lang)),
                          help=t("acc_region_help", lang))
    forms.under(ADD_FORM, "region_id")
    added = st.form_submit_button(t("acc_add"), type="primary", key="acc_add_submit")
if added:
    auth.require("manage_accounts")
    # a repeat writes nothing; a refusal shows each problem under its field, what was typed stays
    written, _ = forms.write(
        lambda s: accounts.add_user(s, username, password, role=role, community_id=community, member_id=member,
                                    display_name=display_name, region_id=region, by=admin),
        lang, form=ADD_FORM, content=(username, display_name, role, community, member, region))
    if written:
        st.session_state[_FLASH] = t("acc_added", lang, name=username.strip())
        st.rerun()

# Nothing is chosen in advance: a change to an account is always a deliberate choice. Not a
# form: the button says what it will do as soon as an action is chosen, and disabling (which
# ends the account's sessions at once) turns red and asks for a tick first.
forms.begin(EDIT_FORM, defaults=EDIT_DEFAULTS)
shown_names = dict(zip(users["username"], users["display_name"] if "display_name" in users else users["username"]))
with edit.container(border=True):
    st.subheader(t("acc_edit"))
    target = st.selectbox(t("username"), users["username"].tolist(), index=None,
                          placeholder=t("acc_choose"), key="acc_target",
                          format_func=lambda u: f"{u} · {shown_names[u]}" if isinstance(shown_names.get(u), str)
                          and shown_names[u] else u)
    action = st.radio(t("acc_action"), ("role", "name", "region", "password", "disable", "enable"), index=None,
                      key="acc_action", format_func=lambda a: t(f"acc_do_{a}", lang), horizontal=True)
    new_role = st.selectbox(t("acc_role"), ROLES, index=None, placeholder=t("acc_choose"),
                            format_func=lambda r: auth.role_label(r, lang), key="acc_role")
    new_name = st.text_input(t("acc_display_name", lang), key="acc_display", max_chars=NAME_CHARS)
    new_password = st.text_input(t("acc_new_password"), type="password", key="acc_password")
    new_region = st.selectbox(t("acc_region", lang), [None, *regions], key="acc_region",
                              format_func=lambda r: regions.get(r, t("acc_whole_store", lang)))
    final = action == "disable"
    with st.container(key=f"{forms.DANGER}-account" if final else "acc-apply-box"):
        confirmed = final and st.checkbox(t("acc_disable_confirm", lang), key="acc_confirm_disable")
        label = t(f"acc_btn_{action}", lang) if action else t("acc_apply")
        clicked = st.button(label, key="acc_apply", type="secondary" if final else "primary",
                            icon=":material/block:" if final else None)
        if clicked:
            if target is None or action is None:
                st.warning(t("acc_pick_first"))
            elif action == "role" and new_role is None:
                st.warning(t("acc_pick_role"))
            elif final and not confirmed:
                st.warning(t("acc_disable_unconfirmed", lang))
            elif action == "role":
                apply(accounts.set_role, target, new_role)
            elif action == "name":
                apply(accounts.set_display_name, target, new_name)
            elif action == "region":
                apply(accounts.set_region, target, new_region)
            elif action == "password":
                apply(accounts.set_password, target, new_password)
            else:
                apply(accounts.set_disabled, target, final)
