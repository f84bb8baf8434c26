"""Words of the overview at city scale: the region picker, the roll-up table, the capped
keyboard list (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
    "db_region": ("区域", "Region"),
    "db_region_all": ("全部区域", "All regions"),
    "db_rollup": ("分级汇总（市 > 区县 > 街道 > 社区）", "Roll-up (city > district > subdistrict > community)"),
    "db_rollup_hint": ("按当前筛选统计；在左侧“区域”中选择一个节点可只看该区域。",
                       "Counted under the current filters; pick a node under “Region” on the left to see only it."),
    "db_name": ("区域", "Region"),
    "db_level": ("层级", "Level"),
    "db_level_city": ("市", "City"),
    "db_level_district": ("区/县", "District"),
    "db_level_subdistrict": ("街道/乡镇", "Subdistrict"),
    "db_level_community": ("社区", "Community"),
    "db_list_more": ("另有 {n} 个议题未列出：下方议题表的搜索可找到其余议题。",
                     "{n} more issues are not listed: the issue table's search below finds the rest."),
}
