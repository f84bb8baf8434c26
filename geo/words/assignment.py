"""Words of stored assignment: where issues fall, kept in the store (`yishi.services.assignment`)."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "ingest.note.derived_field": (
        "列“{field}”（{label_zh}）由地图按位置计算，文件中的值已忽略（{count} 个要素）",
        "column {field!r} ({label}) is set by the map from each location; the file's values "
        "were ignored ({count} feature(s))"),
    "upl_moved": (
        "导入后有 {n} 个议题的所在社区或小区随之改变：与本次导入同一批次写入，撤销时一并恢复",
        "{n} issue(s) move to another community or compound with this import: written in the "
        "same batch, and undone with it"),
    "places_stale": (
        "{n} 个议题存储的所在社区/小区与其位置不符：请运行 python -m geo reassign",
        "{n} issue(s) have a stored community or compound that does not match their location: "
        "run python -m geo reassign"),
    "places_ok": (
        "每个议题存储的所在社区/小区都与其位置相符",
        "every issue's stored community and compound match its location"),
    "places_reassigned": (
        "已更新 {n} 个议题的所在社区/小区（批次 {batch}）",
        "{n} issue(s) got their community and compound stored (batch {batch})"),
    "city_places_differ": (
        "议题：{n} 个议题文件中的所在社区/小区与社区、小区边界不符（如 {ids}）",
        "issues: {n} issue(s) whose community or compound in the file disagrees with the "
        "polygons (e.g. {ids})"),
}
