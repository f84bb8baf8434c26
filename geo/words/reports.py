"""Words of the print views and accessibility aids: the monthly report, the keyboard issue list (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
    # the print view (pages/report.py)
    "nav_report": ("打印报告", "Print report"),
    "rp_scope": ("报告范围", "Report scope"),
    "rp_all": ("全街道", "Whole subdistrict"),
    "rp_print": ("打印 / 保存为 PDF", "Print / save as PDF"),
    "rp_print_hint": ("在打印对话框中选择“另存为 PDF”即可保存文件。",
                      "Choose “Save as PDF” in the print dialog to keep a file."),
    "rp_filters": ("筛选", "Filters"),
    "rp_no_filters": ("无（全部议题）", "none (every issue)"),
    "rp_figures": ("主要数字", "Key figures"),
    "rp_map": ("议题分布图", "Where the issues are"),
    "rp_map_alt": ("议题分布图：社区边界上的议题点，颜色表示所处阶段，黑色粗圈表示逾期。",
                   "Map of the issues over the community outlines: colour shows the stage, a thick "
                   "black ring marks an overdue issue."),
    "rp_overdue_ring": ("黑圈：逾期", "black ring: overdue"),
    "rp_all_issues": ("议题清单（{n} 条）", "Issues ({n})"),
    "rp_back": ("返回", "Back"),
    # the keyboard issue list under a map (ui/access.py)
    "ax_list_title": ("地图上的议题（{n}）", "Issues on the map ({n})"),
    "ax_list_hint": ("与地图上显示的议题相同，逾期的排在最前。按 Tab 键逐条选中，回车打开议题页。",
                     "The same issues as the map shows, overdue first. Tab moves through them, "
                     "Enter opens the issue page."),
    "ax_skip": ("跳到议题列表", "Skip to the issue list"),
    "ax_print_view": ("打印视图", "Print view"),
    "ax_overdue_days": ("逾期 {d} 天", "{d} days overdue"),
}
