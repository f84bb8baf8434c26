"""Words of accounts: role and permission names, and every refusal of an account write,
a sign-in or a permission check (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
    # roles (`yishi.accounts.ROLES`)
    "role_leader": ("领导", "Leader"),
    "role_member": ("委员", "Member"),
    "role_staff": ("工作人员", "Staff"),
    "role_admin": ("管理员", "Admin"),
    # verbs of the permission table (`yishi.accounts.PERMISSIONS`), as "may not ..."
    "verb_view_map": ("查看地图", "view the map"),
    "verb_view_issue": ("查看议题", "view issues"),
    "verb_view_private": ("查看群众联系方式", "see residents' contact details"),
    "verb_upload": ("上传数据", "upload data"),
    "verb_manage_accounts": ("管理账号", "manage accounts"),
    "verb_create": ("新建议题", "create issues"),
    "verb_advance": ("推进议题", "advance issues"),
    "verb_record_meeting": ("记录协商会议", "record meetings"),
    "verb_close": ("终止议题", "close issues"),
    "verb_comment": ("填写督办意见", "add supervision notes"),
    "verb_evaluate": ("录入群众评价", "record residents' satisfaction"),
    # refusals of a permission check
    "denied_role": ("“{role}”角色无权{verb}（可由{roles}操作）。",
                    "The role {role} may not {verb} (allowed: {roles})."),
    "denied_signed_out": ("请先登录：只有{roles}可以{verb}。",
                          "Sign in first: only {roles} may {verb}."),
    # refusals of account writes
    "account_bad_name": ("用户名“{name}”无效：须为 1–64 个可打印字符，不含空格。",
                         "Invalid user name '{name}': 1-64 printable characters, no spaces."),
    "account_unknown_role": ("没有“{role}”这个角色，可选：{choices}。",
                             "Unknown role '{role}'; choose one of: {choices}."),
    "account_member_needs_community": ("委员账号须填写“{field}”。",
                                       "A member account needs the field '{field}'."),
    "account_no_community": ("没有编码为“{community_id}”的社区。",
                             "There is no community '{community_id}'."),
    "account_empty": ("“{field}”不能为空。", "The field '{field}' must not be empty."),
    "account_exists": ("用户“{name}”已存在。", "User '{name}' exists already."),
    "account_no_user": ("没有用户“{name}”。", "There is no user '{name}'."),
    # refusals of a sign-in (the same words for an unknown name and a wrong password)
    "signin_wrong": ("登录失败：用户名或密码错误。", "Sign-in failed: wrong user name or password."),
    "signin_disabled": ("此账号已停用，请联系管理员。", "This account is disabled; ask an admin."),
    "signin_throttled": ("失败次数过多，请在 {seconds} 秒后重试。",
                         "Too many failed sign-ins; try again in {seconds} s."),
}
