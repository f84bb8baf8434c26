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
    "error_unexpected": ("页面出错了，详情已记录在服务器日志中。请刷新页面重试；如仍出错，请把错误编号 {ref} 告诉管理员。",
                         "Something went wrong on this page; the details are in the server log. Reload and try again; if it happens again, give the administrator the reference {ref}."),
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
    "sign_in_oidc": ("使用统一身份认证登录", "Sign in with the organisation's identity provider"),
    "sign_in_oidc_no_account": ("统一身份认证已通过，但没有对应的启用账号，请联系管理员。", "The identity provider signed you in, but no enabled account has your e-mail; ask an admin."),
    # result board
    "board_intro": ("已落实议题的办理结果公示与群众评价", "Implemented issues: posted results and residents' evaluation"),
    "board_count": ("共 {n} 项已落实", "{n} implemented"),
    "posted_result": ("办理结果", "Posted result"),
    # -- issue, new-issue and community pages --
    "iss_choose": ("选择议题", "Choose an issue"),
    "iss_unknown": ("链接中的议题不存在，已忽略：", "The link named an unknown issue, ignored: "),
    "iss_stage_now": ("当前阶段", "Stage now"),
    "iss_record": ("议题信息", "Record"),
    "iss_place": ("位置与联系（空间匹配）", "Place and contacts (spatial join)"),
    "iss_field": ("项目", "Field"),
    "iss_value": ("内容", "Value"),
    "iss_lonlat": ("经纬度（WGS84）", "Lon, lat (WGS84)"),
    "iss_nearest_venue": ("最近议事点", "Nearest venue"),
    "iss_follow_up": ("三方协同：落实、监督与评价", "Follow-up: implementation, supervision, evaluation"),
    "iss_overdue_by": ("已超过办结时限 {n} 天", "Overdue by {n} days"),
    "iss_due_in": ("距办结时限还有 {n} 天", "{n} days left to the deadline"),
    "iss_timeline": ("四步程序进程", "Timeline of the procedure"),
    "iss_notes": ("督办意见与群众评价", "Supervision notes and evaluations"),
    "iss_no_notes": ("暂无督办意见", "No notes yet"),
    "iss_meetings": ("协商会议", "Meetings"),
    "iss_no_meetings": ("尚未召开协商会议", "No meeting yet"),
    "iss_actions": ("办理", "Actions"),
    "iss_no_actions": ("您的账号在此阶段没有可执行的操作。", "Your account has no action at this stage."),
    "iss_needs": ("必填：", "Required: "),
    "iss_needs_nothing": ("此步骤没有必填项。", "This step needs no fields."),
    "iss_choose_one": ("请选择", "Choose one"),
    "iss_stakeholders_hint": ("例如：居民代表、物业公司、政府部门、专家", "e.g. residents' representatives, property company, government, experts"),
    "iss_private_hidden": ("反映人姓名和电话仅工作人员可见。", "Reporter name and phone are shown to staff only."),
    "act_advance": ("推进到“{stage}”", "Move to “{stage}”"),
    "act_record_meeting": ("再记录一次协商会议", "Record another meeting"),
    "act_close": ("终止议题（未达成共识）", "Close the issue (no consensus)"),
    "act_comment": ("督办意见", "Supervision note"),
    "act_evaluate": ("群众评价（满意度）", "Residents' evaluation (satisfaction)"),
    "act_note": ("说明（可选）", "Note (optional)"),
    "act_note_text": ("督办意见内容", "Note text"),
    "act_submit": ("提交", "Submit"),
    "act_refused": ("未保存，原因如下：", "Not saved, because:"),
    "act_saved": ("已保存：{what}", "Saved: {what}"),
    "ni_intro": ("在地图上点击议题所在位置，或输入经纬度（WGS84）。保存前即可看到归属社区、小区、最近议事点和联系委员。",
                 "Click the place on the map or type its coordinates (WGS84). Its community, compound, nearest venue and linked members show before you save."),
    "ni_lon": ("经度（WGS84）", "Longitude (WGS84)"),
    "ni_lat": ("纬度（WGS84）", "Latitude (WGS84)"),
    "ni_place": ("自动归属", "Assigned automatically"),
    "ni_no_point": ("尚未选择位置。", "No place chosen yet."),
    "ni_outside": ("该位置不在任何社区内：仍可保存，议题将标记为“不在任何社区”。",
                   "This place is outside every community: you may still save; the issue is flagged as outside."),
    "ni_details": ("议题内容", "Issue details"),
    "ni_focus_auto": ("按类别自动", "From the category"),
    "ni_reporter": ("反映人信息（仅工作人员可见）", "Reporter (staff only)"),
    "ni_save": ("保存议题", "Save issue"),
    "ni_saved": ("已新建议题 {id}", "Created issue {id}"),
    "ni_need_point": ("请先在地图上点击或输入经纬度。", "Pick the place first: click the map or type the coordinates."),
    "cm_choose_member": ("按联系委员选择", "Choose by linked member"),
    "cm_member_none": ("选择委员…", "Choose a member…"),
    "cm_figures": ("本社区与街道平均", "This community vs the subdistrict average"),
    "cm_vs_avg": ("街道平均 {v}", "subdistrict average {v}"),
    "cm_venues": ("议事点“五有”达标情况", "Venues and the five haves"),
    "cm_five_count": ("达标项", "Met"),
    "cm_no_venues": ("本社区暂无议事点", "No venue in this community"),
    "cm_supervision": ("督办清单", "Supervision list"),
    "cm_reason": ("督办原因", "Reason"),
    "cm_reason_overdue": ("逾期未办结", "Overdue"),
    "cm_reason_implementing_overdue": ("落实超过办结时限", "Implementing past its deadline"),
    "cm_reason_stuck": ("同一阶段停留超过 {d} 天", "In one stage for over {d} days"),
    "cm_nothing": ("暂无需要督办的议题", "Nothing to supervise"),
    "cm_no_community": ("没有社区数据", "No community data"),
    # -- upload page --
    "up_intro": ("上传从 QGIS、ArcGIS、手机采集或表格工具导出的数据。文件先经检查；有任何问题则整份不导入，已有数据不受影响。",
                 "Upload data exported from QGIS, ArcGIS, a phone survey app or a spreadsheet tool. The file is checked first; with any problem nothing is imported and stored data stays as it was."),
    "up_layer": ("图层", "Layer"),
    "up_crs": ("坐标系", "Coordinate system"),
    "up_crs_wgs84": ("WGS84 / CGCS2000（GPS）", "WGS84 / CGCS2000 (GPS)"),
    "up_crs_gcj02": ("高德/腾讯 GCJ-02", "AMap/Tencent GCJ-02"),
    "up_crs_bd09": ("百度 BD-09", "Baidu BD-09"),
    "up_file": ("文件（GeoJSON、压缩的 Shapefile 或 GeoPackage）", "File (GeoJSON, zipped Shapefile or GeoPackage)"),
    "up_file_help": ("最大 {mb} MB", "At most {mb} MB"),
    "up_reading": ("正在读取并检查文件…", "Reading and checking the file…"),
    "up_previewing": ("正在比对已有数据…", "Comparing with stored data…"),
    "up_ready": ("检查完成", "Checked"),
    "up_writing": ("正在导入…", "Importing…"),
    "up_report": ("检查报告", "Report"),
    "up_counts": ("共 {n} 个要素，{valid} 个有效，发现 {problems} 个问题。", "{n} feature(s), {valid} valid, {problems} problem(s)."),
    "up_rejected": ("文件有问题，未导入任何数据。请按下表修改后重新上传。", "The file has problems; nothing was imported. Fix what the table lists and upload again."),
    "up_notes": ("提示（{n} 条，不影响导入）", "Notes ({n}, they do not stop the import)"),
    "up_feature": ("要素序号", "Feature"),
    "up_whole_file": ("整个文件", "whole file"),
    "up_field": ("字段", "Field"),
    "up_problem": ("问题", "Problem"),
    "up_hint": ("建议", "Hint"),
    "up_preview": ("变更预览", "Preview of the changes"),
    "up_new": ("新增", "New"),
    "up_updated": ("更新", "Updated"),
    "up_unchanged": ("不变", "Unchanged"),
    "up_rejected_n": ("拒绝", "Rejected"),
    "up_nothing": ("与已有数据完全相同，无需导入。", "Identical to the stored data: nothing to import."),
    "up_confirm": ("确认导入 {n} 条变更", "Import {n} change(s)"),
    "up_busy": ("数据库正忙，请稍后重试。", "The store is busy; try again in a moment."),
    "up_committed": ("已导入：批次 {batch}，新增 {new}，更新 {updated}。", "Imported as batch {batch}: {new} new, {updated} updated."),
    "up_history": ("导入记录", "Import history"),
    "up_undo_batch": ("撤销批次", "Batch to undo"),
    "up_undo": ("撤销", "Undo"),
    "up_undone": ("批次 {batch} 已撤销，恢复 {n} 条。", "Batch {batch} undone: {n} row(s) restored."),
    "up_status_committed": ("已导入", "committed"),
    "up_status_rejected": ("已拒绝", "rejected"),
    "up_status_undone": ("已撤销", "undone"),
    "up_col_batch_id": ("批次", "Batch"),
    "up_col_at": ("时间", "When"),
    "up_col_who": ("操作人", "Who"),
    "up_col_action": ("操作", "Action"),
    "up_col_layer": ("图层", "Layer"),
    "up_col_source": ("来源文件", "Source"),
    "up_col_status": ("状态", "Status"),
    "up_col_n_new": ("新增", "New"),
    "up_col_n_updated": ("更新", "Updated"),
    "up_col_n_unchanged": ("不变", "Unchanged"),
    "up_col_n_rejected": ("拒绝", "Rejected"),
    "map_layers_failed": ("部分图层未能显示：{layers}。页面其余内容照常可用，错误已记入服务器日志。",
                          "Some map layers could not be drawn: {layers}. The rest of the page works; "
                          "the error is in the server log."),
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
