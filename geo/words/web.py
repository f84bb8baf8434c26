"""Words of the web layer: the sign-in and sign-out pages the server itself draws (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
    "web_signin_title": ("登录 · 议事地图", "Sign in · Yishi Map"),
    "web_signin_heading": ("登录议事地图", "Sign in to Yishi Map"),
    "web_signin_intro": ("请使用工作账号登录。群众无需登录即可查看公示栏。",
                         "Sign in with your work account. Residents can read the result board "
                         "without signing in."),
    "web_username": ("用户名", "User name"),
    "web_password": ("密码", "Password"),
    "web_signin_button": ("登录", "Sign in"),
    "web_back_to_board": ("返回公示栏", "Back to the result board"),
    "web_switch_lang": ("English", "中文"),
    "web_form_expired": ("登录表单已过期或不是从本站打开的，请重新输入。",
                         "This form expired or was not opened from this site; please try again."),
    "web_foreign_origin": ("拒绝：请求来自其他网站。", "Refused: the request came from another site."),
    "web_address_throttled": ("此网络地址登录失败次数过多，请在 {seconds} 秒后重试。",
                              "Too many failed sign-ins from this address; try again in "
                              "{seconds} seconds."),
    "web_store_unavailable": ("数据存储暂时无法使用，请稍后再试；如持续出现请联系管理员。",
                              "The store cannot be used just now; try again later, or ask an admin "
                              "if this goes on."),
    "web_signout_title": ("退出登录 · 议事地图", "Sign out · Yishi Map"),
    "web_signout_heading": ("退出登录？", "Sign out?"),
    "web_signout_button": ("退出登录", "Sign out"),
    "web_signed_out_already": ("您已退出登录。", "You are signed out."),
    # drawn by the pages (ui.auth, ui.shell)
    "sign_in_needed": ("此页面需要登录后查看。登录后将回到这里。",
                       "This page needs you to sign in; you will come back here afterwards."),
    "page_not_found": ("没有找到这个页面，已为您打开首页。",
                       "That page does not exist; here is the front page instead."),
    "iss_not_found": ("没有找到议题 {issue_id}：可能编号有误，或该议题已被撤销。",
                      "Issue {issue_id} was not found: the number may be wrong, or the issue was undone."),
    "iss_back_to_overview": ("返回总览", "Back to the overview"),
    "iss_choose_placeholder": ("请选择一个议题", "Choose an issue"),
    "cm_not_found": ("链接中的社区 {community_id} 不存在，已打开默认社区。",
                     "The link named an unknown community {community_id}; the default one is open."),
}
