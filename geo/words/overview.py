"""Words of the overview and community map: overdue look, the clicked issue's card, the phone layout (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
    # the map: overdue issues, the folding legend, the two-finger hint on a touch screen
    "map_overdue": ("逾期", "Overdue"),
    "map_legend": ("图例", "Legend"),
    "map_two_fingers": ("双指移动地图，单指滑动页面", "Use two fingers to move the map"),
    # the overview's overdue figure, which sets the issue filter
    "ov_show_overdue": ("只看逾期 →", "Only overdue →"),
    "ov_show_all": ("显示全部议题", "Show all issues"),
    "ov_table_hint": ("点选表格中的一行即可打开该议题", "Select a row to open that issue"),
    # the clicked issue's card
    "card_timing": ("期限", "Due"),
    "card_overdue_days": ("逾期 {n} 天", "{n} days overdue"),
    "card_overdue_day": ("逾期 {n} 天", "{n} day overdue"),
    "card_left_days": ("还剩 {n} 天（{due}）", "{n} days left ({due})"),
    "card_left_day": ("还剩 {n} 天（{due}）", "{n} day left ({due})"),
    "card_due_today": ("今天到期", "Due today"),
    "card_no_due": ("未定期限", "No due date"),
    "card_done_on": ("已落实（{d}）", "Done ({d})"),
    "card_closed": ("已终止", "Closed"),
}
