"""Words of the maps: basemap names, tooltip lines, legend headings, venue marks (zh, en).

Layer and field names come from the schema's labels; these are the few words that are not.
"""

WORDS: dict[str, tuple[str, str]] = {
    # basemaps and controls
    "map_osm": ("OpenStreetMap", "OpenStreetMap"),
    "map_amap": ("高德地图", "AMap"),
    "map_amap_attr": ("高德地图", "AMap (Gaode)"),
    "map_fullscreen": ("全屏", "Full screen"),
    "map_exit_fullscreen": ("退出全屏", "Exit full screen"),
    # tooltips and legend
    "map_colon": ("：", ": "),
    "map_open": ("在办议题", "Open issues"),
    "map_outside": ("未划入社区", "Outside any community"),
    "map_five_haves": ("五有", "Five haves"),
    "map_old": ("老旧小区", "Old compound"),
    "map_failed": ("未能显示：{layers}", "Could not draw: {layers}"),
    # the upload preview
    "map_preview": ("上传预览", "Upload preview"),
    "map_status_new": ("新增", "New"),
    "map_status_updated": ("更新", "Updated"),
    "map_status_unchanged": ("不变", "Unchanged"),
    # the mark inside each venue kind's icon
    "map_mark_room": ("室", "R"),
    "map_mark_pavilion": ("亭", "P"),
    "map_mark_corner": ("角", "C"),
    "map_mark_corridor": ("廊", "Co"),
}
