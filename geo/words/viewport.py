"""Words of the map at city scale: the count bubbles, the street-zoom issues fetched for the
viewport, and the refusals of /api/map/issues (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
    # the map
    "vp_bubble_open": ("在办 {n} 件", "{n} open"),
    "vp_bubble_overdue": ("逾期 {n} 件", "{n} overdue"),
    # a bubble standing for several communities close together at this zoom ({c}, {n}, {o}:
    # filled in by the map's script with numbers)
    "vp_group_tip": ("{c} 个社区：议题 {n} 件，逾期 {o} 件（点击放大）",
                     "{c} communities: {n} issues, {o} overdue (click to zoom in)"),
    "vp_zoom_hint": ("放大地图即可看到每个议题（共 {n} 件）", "Zoom in to see each issue ({n} in all)"),
    "vp_more": ("此处议题过多，只显示了一部分：请继续放大", "Too many issues here, only some are shown: zoom in further"),
    "vp_failed": ("未能载入此处的议题，请稍后再试", "Could not load the issues here; try again later"),
    # /api/map/issues refusals
    "vp_signed_out": ("请先登录", "Please sign in first"),
    "vp_denied": ("此账号不能查看地图", "This account may not view the map"),
    "vp_throttled": ("请求过于频繁，请 {seconds} 秒后再试", "Too many requests; try again in {seconds} s"),
    "vp_store_unavailable": ("数据暂时无法读取", "The data cannot be read right now"),
    "vp_bbox_missing": ("缺少范围 bbox（西,南,东,北）", "bbox (west,south,east,north) is missing"),
    "vp_bbox_count": ("范围 bbox 须为 4 个数（西,南,东,北），收到 {n} 个",
                      "bbox must be 4 numbers (west,south,east,north), got {n}"),
    "vp_bbox_number": ("范围 bbox 的第 {i} 个值不是有限的数：{value}", "bbox value {i} is not a finite number: {value}"),
    "vp_bbox_lon": ("经度须在 -180 到 180 之间：{value}", "longitude must lie between -180 and 180: {value}"),
    "vp_bbox_lat": ("纬度须在 -90 到 90 之间：{value}", "latitude must lie between -90 and 90: {value}"),
    "vp_bbox_order": ("范围 bbox 的西边须小于东边、南边须小于北边", "bbox must have west < east and south < north"),
    "vp_bbox_span": ("范围 bbox 过大（最多 {max} 度见方）：请放大地图",
                     "bbox too large (at most {max} degrees a side): zoom in"),
}
