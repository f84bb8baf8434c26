"""zh-CN (default) and English labels for the UI. Field and enumeration labels live in geo.schema."""

from __future__ import annotations

import streamlit as st

from geo.schema import Enum, get_layer

LANGS = ("zh", "en")
LANG_NAMES = {"zh": "中文", "en": "English"}
_KEY = "lang"

_TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("议事地图", "Yishi Map"),
    "app_subtitle": ("平原街道“有事好商量”协商议事平台", "Pingyuan subdistrict 'Let's talk it over' platform"),
    "language": ("语言", "Language"),
    "as_of": ("数据截至", "Data as of"),
    "demo_note": ("演示数据为示意，截至 2022-06-17 新闻报道日", "Demo data is illustrative, as of the 2022-06-17 report"),
    # navigation
    "nav_overview": ("总览", "Overview"),
    "nav_issue": ("议题详情", "Issue"),
    "nav_new_issue": ("新建议题", "New issue"),
    "nav_community": ("社区", "Community"),
    "nav_board": ("公示栏", "Result board"),
    "nav_upload": ("数据上传", "Upload data"),
    "nav_accounts": ("账号管理", "Accounts"),
    "nav_signin": ("登录", "Sign in"),
    "nav_group_map": ("地图", "Map"),
    "nav_group_work": ("工作", "Work"),
    "nav_group_admin": ("管理", "Admin"),
    "nav_group_public": ("公开", "Public"),
    # KPIs
    "kpi_meetings": ("协商会议", "Meetings held"),
    "kpi_consensus": ("达成共识", "Consensus reached"),
    "kpi_implemented": ("成果落实", "Implemented"),
    "kpi_in_progress": ("正在推进", "In progress"),
    "kpi_open": ("在办议题", "Open issues"),
    "kpi_overdue": ("逾期", "Overdue"),
    "kpi_satisfaction": ("平均满意度", "Mean satisfaction"),
    "kpi_days_to_done": ("共识到落实平均天数", "Mean days consensus → done"),
    # filters
    "filters": ("筛选", "Filters"),
    "f_category": ("类别", "Category"),
    "f_focus": ("四个围绕", "Focus area"),
    "f_stage": ("阶段", "Stage"),
    "f_community": ("社区", "Community"),
    "f_date": ("收集日期范围", "Reported between"),
    "f_overdue": ("仅看逾期", "Overdue only"),
    "f_reset": ("清除筛选", "Clear filters"),
    "f_dropped": ("链接中有已失效的筛选条件，已忽略：", "The link held unknown or stale filters, ignored: "),
    "all": ("全部", "All"),
    # map
    "map": ("议题地图", "Issue map"),
    "basemap": ("底图", "Basemap"),
    "basemap_osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap_amap": ("高德地图", "AMap (GCJ-02)"),
    "basemap_none": ("无底图（内网）", "No basemap (intranet)"),
    "color_by": ("议题着色", "Colour issues by"),
    "color_stage": ("阶段", "Stage"),
    "color_category": ("类别", "Category"),
    "click_hint": ("点击地图上的议题查看详情", "Click an issue on the map to see its record"),
    "selected_issue": ("选中的议题", "Selected issue"),
    "open_issue_page": ("打开议题详情", "Open the issue page"),
    # charts and tables
    "chart_funnel": ("四步程序漏斗（已到达各阶段的议题数）", "Four-step funnel (issues that reached each stage)"),
    "chart_by_category": ("各社区议题类别", "Issues by category per community"),
    "chart_monthly": ("每月收集与落实", "Reported vs done per month"),
    "community_compare": ("社区对比", "Communities compared"),
    "issues_table": ("议题列表", "Issues"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_geojson": ("下载 GeoJSON", "Download GeoJSON"),
    "count": ("数量", "Count"),
    "month": ("月份", "Month"),
    "reported": ("收集", "Reported"),
    "done": ("落实", "Done"),
    "reached": ("已到达", "Reached"),
    "current": ("当前", "Currently at"),
    "total": ("合计", "Total"),
    "open": ("在办", "Open"),
    "overdue": ("逾期", "Overdue"),
    "days_overdue": ("逾期天数", "Days overdue"),
    "days_in_stage": ("停留天数", "Days in stage"),
    "venue_distance_m": ("距最近议事点（米）", "Nearest venue (m)"),
    "members_linked": ("联系委员", "Linked members"),
    "unassigned": ("不在任何社区", "Outside every community"),
    "no_issues": ("没有符合条件的议题", "No issues match"),
    "none": ("无", "none"),
    # accounts
    "refused": ("您的账号无权访问此页面或执行此操作。", "Your account may not open this page or do this."),
    "sign_out": ("退出登录", "Sign out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "sign_in_button": ("登录", "Sign in"),
    "sign_in_failed": ("登录失败：用户名或密码错误，或账号已停用。", "Sign-in failed: wrong user name or password, or the account is disabled."),
    "sign_in_throttled": ("失败次数过多，请在 {s} 秒后重试。", "Too many failed sign-ins; try again in {s} s."),
    "sign_in_intro": ("请使用工作账号登录。未登录时只能查看公示栏。", "Sign in with your work account. Signed out, only the result board is open."),
    "saved": ("已保存", "Saved"),
    "acc_add": ("新增账号", "Add account"),
    "acc_edit": ("修改账号", "Change account"),
    "acc_role": ("角色", "Role"),
    "acc_community": ("联系社区（委员）", "Linked community (members)"),
    "acc_new_password": ("新密码", "New password"),
    "acc_action": ("操作", "Action"),
    "acc_do_role": ("改角色", "Change role"),
    "acc_do_password": ("重设密码", "Reset password"),
    "acc_do_disable": ("停用", "Disable"),
    "acc_do_enable": ("启用", "Enable"),
    "acc_apply": ("执行", "Apply"),
    # result board
    "board_intro": ("已落实议题的办理结果公示与群众评价", "Implemented issues: posted results and residents' evaluation"),
    "board_count": ("共 {n} 项已落实", "{n} implemented"),
    "posted_result": ("办理结果", "Posted result"),
    # -- issue, new-issue and community pages --
    # -- upload page --
}


def lang() -> str:
    """The current language: a plain session key, so it survives page switches."""
    value = st.session_state.get(_KEY)
    if value not in LANGS:
        value = st.query_params.get("lang", "zh")
        value = value if value in LANGS else "zh"
        st.session_state[_KEY] = value
    return value


def set_lang(value: str) -> None:
    if value in LANGS:
        st.session_state[_KEY] = value


def t(key: str, language: str | None = None) -> str:
    """The label for `key` in `language` (default: the current one); the key itself if unknown."""
    zh, en = _TEXT.get(key, (key, key))
    return zh if (language or lang()) == "zh" else en


def enum_label(enum: Enum, code: str | None, language: str | None = None) -> str:
    if code is None:
        return "—"
    return enum.label(code, language or lang())


def field_label(layer: str, field: str, language: str | None = None) -> str:
    """A column header: the schema's label for layer fields, the UI text for derived ones."""
    try:
        return get_layer(layer).get(field).label(language or lang())
    except KeyError:
        return t(field, language)


def has_text(key: str) -> bool:
    return key in _TEXT
