"""Words of the upload checks (geo.ingest): problems and their hints, notes, and the small
words they are built from (zh, en).

Problem texts are formatted with the same parameters in both languages; where a detail
differs by language it is passed twice, as ``detail`` (English) and ``detail_zh``.
"""

#: How to write a yes/no and a date: the hint of a bad value and of a value of the wrong type.
_BOOL_HINT = ("请填写 是/否（或 有/无）、true/false 或 1/0", "write 是/否 (or 有/无), true/false or 1/0")
_DATE_HINT = ("日期请写成 YYYY-MM-DD，例如 2022-06-17", "write dates as YYYY-MM-DD, e.g. 2022-06-17")

WORDS: dict[str, tuple[str, str]] = {
    # a wrong call (the command line's arguments)
    "ingest.no_file": ("没有这个文件：{path}", "no such file: {path}"),
    "ingest.not_uploadable": ("图层“{layer}”不能上传，可选：{choices}",
                              "layer {layer!r} cannot be uploaded; choose one of: {choices}"),
    "ingest.unknown_crs": ("未知的坐标系“{crs}”，可选：{choices}",
                           "unknown coordinate system {crs!r}; choose one of: {choices}"),
    # problems: what is wrong (ingest.problem.<code>) and what to do (ingest.hint.<code>)
    "ingest.problem.too_large": (
        "文件大小为 {size_mb:.1f} MB，超过了 {cap_mb:g} MB 的上限",
        "the file is {size_mb:.1f} MB, more than the {cap_mb:g} MB limit"),
    "ingest.hint.too_large": (
        "请拆分成几个较小的文件，或删除不需要的列",
        "split it into smaller files, or remove columns that are not needed"),
    "ingest.problem.empty": ("文件是空的", "the file is empty"),
    "ingest.hint.empty": ("请重新导出图层", "export the layer again"),
    "ingest.problem.encoding": (
        "无法识别文件的文字编码：{detail_zh}",
        "the text encoding cannot be read: {detail}"),
    "ingest.hint.encoding": (
        "请将文件另存为 UTF-8 编码（QGIS：导出 > 要素另存为，编码选 UTF-8）",
        "save the file as UTF-8 (in QGIS: Export > Save Features As, Encoding UTF-8)"),
    "ingest.problem.not_json": (
        "文件不是有效的 GeoJSON 文本：第 {line} 行第 {col} 列（第 {pos} 个字符）处{detail_zh}",
        "the file is not valid GeoJSON text: {detail} at line {line}, column {col} (character {pos})"),
    "ingest.hint.not_json": ("请检查此处附近：{excerpt}", "look near: {excerpt}"),
    "ingest.problem.truncated": (
        "文件在第 {line} 行第 {col} 列（第 {pos} 个字符）处提前结束，内容似乎不完整",
        "the file ends too early, at line {line}, column {col} (character {pos}): it looks cut off"),
    "ingest.hint.truncated": ("请重新下载或导出文件", "download or export the file again"),
    "ingest.problem.duplicate_key": (
        "{where_zh}中名称“{name}”出现了不止一次",
        "the name {name!r} appears more than once in {where}"),
    "ingest.hint.duplicate_key": ("请只保留其中一个", "keep only one of them"),
    "ingest.problem.not_geojson": (
        "文件内容是{what_zh}，不是 GeoJSON 要素集合（FeatureCollection）",
        "the file holds {what}, not a GeoJSON FeatureCollection"),
    "ingest.hint.not_geojson": ("{hint_zh}", "{hint}"),
    "ingest.problem.features_not_list": (
        "“features”应为要素列表，实际是{what_zh}",
        "'features' must be a list of features, found {what}"),
    "ingest.hint.features_not_list": (
        '请写成 "features": [ {{"type": "Feature", ...}}, ... ]',
        'write the features as "features": [ {{"type": "Feature", ...}}, ... ]'),
    "ingest.problem.no_features": ("文件中没有任何要素", "the file has no features"),
    "ingest.hint.no_features": ("请确认导出的是正确的图层", "check that the right layer was exported"),
    "ingest.problem.bad_crs": ("不支持坐标系 {crs}", "the coordinate system {crs} is not supported"),
    "ingest.hint.bad_crs": (
        "请以 EPSG:4326（WGS84）或 EPSG:4490（CGCS2000）坐标系导出",
        "export the layer as EPSG:4326 (WGS84) or EPSG:4490 (CGCS2000)"),
    "ingest.problem.unsupported_format": (
        "无法读取此类文件：{name}",
        "{name} is not a kind of file that can be read here"),
    "ingest.hint.unsupported_format": (
        "请上传 GeoJSON（.geojson）、打包成 zip 的 Shapefile（含 .shp、.dbf、.shx、.prj）、GeoPackage（.gpkg），"
        "或带经纬度列的 CSV / Excel（.xlsx）表格",
        "upload GeoJSON (.geojson), a zipped Shapefile (.zip with .shp, .dbf, .shx, .prj), a GeoPackage (.gpkg), "
        "or a CSV / Excel (.xlsx) table with longitude and latitude columns"),
    # what a file is, by its content (a renamed file is read as what it is)
    "ingest.problem.wrong_kind": (
        "文件 {name} 看起来是{what}，这里不能读取",
        "{name} looks like {what}, which cannot be read here"),
    "ingest.hint.wrong_kind": ("{hint}", "{hint}"),
    "ingest.kind_of.geojson": ("GeoJSON 文本", "GeoJSON text"),
    "ingest.kind_of.zip": ("zip 压缩包", "a zip file"),
    "ingest.kind_of.gpkg": ("GeoPackage", "a GeoPackage"),
    "ingest.kind_of.csv": ("CSV 表格", "a CSV table"),
    "ingest.kind_of.xlsx": ("Excel 工作簿（XLSX）", "an Excel workbook (XLSX)"),
    "ingest.kind_of.xls": ("旧版 Excel 文件（.xls）或设置了密码的 Excel 文件",
                           "an old Excel file (.xls) or a password-protected Excel file"),
    "ingest.kind_of.ods": ("OpenDocument 表格（.ods）", "an OpenDocument spreadsheet (.ods)"),
    "ingest.kind_of.pdf": ("PDF 文档", "a PDF document"),
    "ingest.kind_of.image": ("图片", "a picture"),
    "ingest.kind_of.xml": ("网页、KML 或其他 XML 文件", "a web page, KML or other XML file"),
    "ingest.kind_hint.xls": (
        "请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx，不设密码）或“CSV UTF-8”",
        "in Excel or WPS, 'Save As' an Excel workbook (.xlsx, without a password) or 'CSV UTF-8'"),
    "ingest.kind_hint.ods": (
        "请另存为 Excel 工作簿（.xlsx）或 CSV", "save it as an Excel workbook (.xlsx) or CSV"),
    "ingest.kind_hint.pdf": (
        "请上传数据文件（表格或 GIS 图层），而不是打印出来的文档",
        "upload the data (a table or a GIS layer), not a printed document"),
    "ingest.kind_hint.image": (
        "请上传数据文件（表格或 GIS 图层），而不是截图或照片",
        "upload the data (a table or a GIS layer), not a screenshot or photo"),
    "ingest.kind_hint.xml": (
        "KML 请先在 QGIS 中另存为 GeoJSON；网页请另存为 CSV",
        "save a KML as GeoJSON in QGIS first; save a web page's table as CSV"),
    "ingest.note.format_sniffed": (
        "文件名为 {name}，但内容是{what}，已按{what}读取",
        "{name} holds {what}, whatever its name says, and was read as such"),
    "ingest.note.sheet_used": (
        "工作簿有 {n} 个工作表，已读取“{sheet}”（与图层同名的工作表优先，否则读取第一个）",
        "the workbook has {n} sheets; {sheet!r} was read (a sheet named like the layer first, "
        "else the first)"),
    # tables (CSV, XLSX): the position columns, and each cell named by row and column
    "ingest.problem.no_lonlat": (
        "表格中{missing}（表头：{columns}）{closest}",
        "the table has {missing} (header: {columns}){closest}"),
    "ingest.hint.no_lonlat": (
        "请用两列写位置，表头为“经度”和“纬度”（也可写 lng/lat、lon/lat、longitude/latitude 或 X/Y，不区分大小写）",
        "give the position in two columns headed 经度 and 纬度, or lng/lat, lon/lat, "
        "longitude/latitude or X/Y (any case)"),
    "ingest.table.missing_lon_lat": ("没有经度列和纬度列", "no longitude and no latitude column"),
    "ingest.table.missing_lon": ("没有经度列", "no longitude column"),
    "ingest.table.missing_lat": ("没有纬度列", "no latitude column"),
    "ingest.table.closest": ("；列“{column}”与“{name}”相近，是否写错了？",
                             "; is column {column!r} meant to be {name!r}?"),
    "ingest.problem.no_wkt": (
        "表格中没有图形列（WKT），{layer_zh}需要用多边形表示范围（表头：{columns}）{closest}",
        "the table has no shape (WKT) column, and {layer} are areas (header: {columns}){closest}"),
    "ingest.hint.no_wkt": (
        "范围请上传 GeoJSON、Shapefile 或 GeoPackage；表格中需要一列“WKT”，例如 POLYGON((115.65 34.41, ...))",
        "upload areas as GeoJSON, Shapefile or GeoPackage; a table needs a 'WKT' column, "
        "e.g. POLYGON((115.65 34.41, ...))"),
    "ingest.problem.no_rows": ("表格只有表头，没有数据行", "the table has a header but no rows"),
    "ingest.hint.no_rows": ("请在表头下面每行填写一条记录", "write one record per row under the header"),
    "ingest.problem.missing_coordinate": (
        "第 {row} 行的“{column}”是空的", "row {row}: {column!r} is empty"),
    "ingest.hint.missing_coordinate": (
        "每一行都需要位置：请填写经度和纬度（度），例如 115.65 和 34.41",
        "every row needs its position: longitude and latitude in degrees, e.g. 115.65 and 34.41"),
    "ingest.problem.bad_number": (
        "第 {row} 行的“{column}”是“{value}”，不是数字",
        "row {row}: {column!r} is {value!r}, not a number"),
    "ingest.hint.bad_number": (
        "经纬度请写成数字（度），例如 115.65；不要写“度分秒”或文字",
        "write coordinates as plain numbers in degrees, e.g. 115.65 (not degrees-minutes-seconds "
        "or words)"),
    "ingest.problem.bad_wkt": (
        "第 {row} 行的“{column}”不是有效的 WKT 图形：{value}",
        "row {row}: {column!r} is not a WKT shape: {value!r}"),
    "ingest.hint.bad_wkt": (
        "请写成 WKT，例如 POINT(115.65 34.41) 或 POLYGON((115.65 34.41, 115.66 34.41, 115.66 34.42, 115.65 34.41))",
        "write WKT, e.g. POINT(115.65 34.41) or POLYGON((115.65 34.41, 115.66 34.41, 115.66 34.42, "
        "115.65 34.41))"),
    "ingest.table.csv_error": ("第 {row} 行无法按 CSV 读取（{reason}）", "row {row} is not CSV ({reason})"),
    "ingest.closest_column": (
        "最接近的已知列是“{name}”（{field}）；如果指的是它，请把表头改成“{name}”",
        "the closest known column is {name!r} ({field}); if that is what it holds, rename the "
        "header to {name!r}"),
    "ingest.note_hint.unknown_field": ("{hint}", "{hint}"),
    "ingest.problem.unreadable": ("无法读取该 {fmt}：{detail_zh}", "the {fmt} cannot be read: {detail}"),
    "ingest.hint.unreadable": ("请重新导出图层", "export the layer again"),
    "ingest.problem.ambiguous_layer": (
        "文件中有多个图层（{names}），没有名为“{layer}”的图层",
        "the file holds several layers ({names}) and none is called {layer!r}"),
    "ingest.hint.ambiguous_layer": (
        "请将图层命名为“{layer}”，或每个文件只放一个图层",
        "rename the layer to {layer!r}, or upload one layer per file"),
    # hostile or broken containers, and files the reader had to stop
    "ingest.problem.encrypted": (
        "zip 中的文件设置了密码，无法读取：{names}",
        "the zip's files are protected by a password and cannot be read: {names}"),
    "ingest.hint.encrypted": ("请不设密码重新打包", "zip the files again without a password"),
    "ingest.problem.zip_method": (
        "zip 中的 {names} 使用了不支持的压缩方式",
        "{names} in the zip use a compression method other than the usual Deflate"),
    "ingest.hint.zip_method": (
        "请用普通 zip 压缩重新打包（如 Windows“发送到 > 压缩(zipped)文件夹”）",
        "zip the files again with ordinary compression (e.g. Windows 'Send to > Compressed folder')"),
    "ingest.problem.too_compressed": (
        "zip 中的 {name} 压缩比为 {ratio:,.0f} 比 1，任何真实的图层文件都达不到，未解压",
        "{name} in the zip is compressed {ratio:,.0f} to 1, more than any real layer file; "
        "it was not unpacked"),
    "ingest.hint.too_compressed": (
        "请确认文件来源，重新导出图层并打包", "check where the file came from; export and zip the layer again"),
    "ingest.problem.damaged": (
        "zip 文件已损坏：{name} 无法解压（{detail_zh}）",
        "the zip file is damaged: {name} cannot be unpacked ({detail})"),
    "ingest.hint.damaged": ("请重新打包，或重新下载文件", "zip the files again, or download the file again"),
    "ingest.damaged.checksum": ("解压后的内容与 zip 记录的大小或校验值不符",
                                "its contents do not match the size and checksum the zip records"),
    "ingest.damaged.stream": ("压缩数据已损坏或不完整", "its compressed data is broken or cut off"),
    "ingest.problem.zip_contents": (
        "zip 文件中有 {holds}，但没有 .shp 文件",
        "the zip holds {holds} and no .shp file"),
    "ingest.hint.zip_contents": (
        "每次上传一个图层：打包成 zip 的 Shapefile（.shp、.shx、.dbf、.prj），或一个 GeoJSON 或 GeoPackage 文件；"
        "zip 中有多个文件时，请将要上传的文件命名为“{layer}”",
        "upload one layer per file: a zipped Shapefile (.shp, .shx, .dbf, .prj), or one GeoJSON or "
        "GeoPackage; of several files in a zip, the one named {layer!r} is read"),
    "ingest.zip.geojson": ("{n} 个 GeoJSON 文件（{names}）", "{n} GeoJSON file(s) ({names})"),
    "ingest.zip.gpkg": ("{n} 个 GeoPackage 文件（{names}）", "{n} GeoPackage file(s) ({names})"),
    "ingest.zip.other": ("{n} 个其他文件（{names}）", "{n} other file(s) ({names})"),
    "ingest.problem.gpkg_view": (
        "GeoPackage 中的 {names} 是视图或虚拟表，不是数据表，不能读取",
        "the GeoPackage's {names} are views or virtual tables, not stored tables, and are not read"),
    "ingest.hint.gpkg_view": (
        "请在 QGIS 中把图层另存为新的 GeoPackage（导出 > 要素另存为）",
        "save the layer as a new GeoPackage in QGIS (Export > Save Features As)"),
    "ingest.problem.too_slow": (
        "读取该文件用时超过 {seconds:g} 秒，已停止",
        "the file took too long to read (more than {seconds:g} seconds) and was stopped"),
    "ingest.hint.too_slow": (
        "请拆分成几个较小的文件；若文件本身不大，请重新导出",
        "split it into smaller files; if it is small, export it again"),
    "ingest.problem.too_much_memory": (
        "读取该文件需要的内存过多，已停止",
        "the file needs too much memory to read, and was stopped"),
    "ingest.hint.too_much_memory": (
        "请拆分成几个较小的文件，或删除不需要的列",
        "split it into smaller files, or remove columns that are not needed"),
    "ingest.file": ("文件", "file"),
    "ingest.unexpected": ("读取时发生意外错误（{kind}）", "an unexpected error occurred while reading it ({kind})"),
    "ingest.reader_died": ("读取程序意外停止（{how}）", "the reader stopped unexpectedly ({how})"),
    "ingest.no_reader": ("服务器无法启动读取程序，请稍后再试",
                         "the server could not start a reader; try again later"),
    "ingest.cannot_open": ("无法打开文件（{reason}）", "the file cannot be opened ({reason})"),
    "ingest.bad_limit": ("环境变量 {name} 应为正数，而不是“{value}”",
                         "${name} must be a positive number, not {value!r}"),
    "ingest.problem.bad_feature": (
        "此项不是 GeoJSON 要素（Feature）：{detail_zh}",
        "this item is not a GeoJSON Feature: {detail}"),
    "ingest.hint.bad_feature": (
        '“features”中的每一项都需要 "type": "Feature"、"geometry" 和 "properties"',
        'each item of "features" needs "type": "Feature", "geometry" and "properties"'),
    "ingest.problem.bad_properties": (
        "“properties”应为“名称: 值”的对象，实际是{what_zh}",
        "'properties' must be an object of names and values, found {what}"),
    "ingest.hint.bad_properties": (
        '请写成 "properties": {{"名称": "值", ...}}',
        'write "properties": {{"name": "value", ...}}'),
    "ingest.problem.bad_id": (
        "要素 id 应为文本或整数，实际是{what_zh}",
        "the feature id must be text or a whole number, found {what}"),
    "ingest.hint.bad_id": ("请把 id 写成带引号的文本", "write the id as text in quotes"),
    "ingest.problem.no_geometry": (
        "该要素没有位置（geometry 为{what_zh}）",
        "the feature has no location (geometry is {what})"),
    "ingest.hint.no_geometry": (
        "请为每个要素添加{expected_zh}位置",
        "give every feature a {expected} location"),
    "ingest.problem.bad_geometry": (
        "几何对象格式错误：{detail_zh}",
        "the geometry is not a GeoJSON geometry: {detail}"),
    "ingest.hint.bad_geometry": (
        '例如写成 "geometry": {{"type": "Point", "coordinates": [115.65, 34.41]}}',
        'write e.g. "geometry": {{"type": "Point", "coordinates": [115.65, 34.41]}}'),
    "ingest.problem.geometry_type": (
        "几何类型为 {found}，而{layer_zh}图层需要{expected_zh}",
        "the geometry is a {found}, but {layer} need a {expected}"),
    "ingest.hint.geometry_type": ("{hint_zh}", "{hint}"),
    "ingest.problem.bad_coordinates": ("坐标有误：{detail_zh}", "the coordinates are wrong: {detail}"),
    "ingest.hint.bad_coordinates": (
        "每个位置应写成 [经度, 纬度]，使用数字，例如 [115.65, 34.41]",
        "write each position as [longitude, latitude] with plain numbers, e.g. [115.65, 34.41]"),
    "ingest.problem.swapped_coordinates": (
        "坐标疑似经纬度颠倒：{x}, {y}",
        "coordinates look swapped (lat, lon): {x}, {y}"),
    "ingest.hint.swapped_coordinates": (
        "经纬度是否颠倒？GeoJSON 应先写经度：[{y}, {x}]",
        "swap? GeoJSON writes longitude first: [{y}, {x}]"),
    "ingest.problem.outside_area": (
        "位置 {x}, {y} 远在商丘市范围之外",
        "the location {x}, {y} is far outside Shangqiu"),
    "ingest.hint.outside_area": ("{hint_zh}", "{hint}"),
    "ingest.problem.invalid_geometry": ("图形无效：{reason_zh}", "the shape is not valid: {reason}"),
    "ingest.hint.invalid_geometry": (
        "请在 QGIS 中修复（矢量 > 几何工具 > 检查有效性，再用“修复几何”）",
        "fix it in QGIS (Vector > Geometry Tools > Check Validity, then Fix Geometries)"),
    "ingest.problem.missing_field": (
        "缺少必填字段 {field}（{label_zh}）",
        "required field {field} ({label}) is missing or empty"),
    "ingest.hint.missing_field": (
        "请为每个要素填写 {field}（{label_zh}）",
        "fill in {field} for every feature"),
    "ingest.problem.bad_type": (
        "{field}（{label_zh}）应为{expected_zh}，实际是{found_zh}",
        "{field} ({label}) must be {expected}, found {found}"),
    "ingest.hint.bad_type": ("{hint_zh}", "{hint}"),
    "ingest.problem.bad_enum": (
        "“{value}”不是 {field}（{label_zh}）的可选值",
        "{value!r} is not an allowed value for {field} ({label})"),
    "ingest.hint.bad_enum": ("可选值：{allowed_zh}", "allowed: {allowed}"),
    "ingest.problem.out_of_range": (
        "{field}（{label_zh}）为 {value}，超出范围 {range}",
        "{field} ({label}) is {value}, outside the range {range}"),
    "ingest.hint.out_of_range": ("请检查该数值", "check the number"),
    "ingest.problem.bad_date": (
        "{field}（{label_zh}）为“{value}”，不是有效日期",
        "{field} ({label}) is {value!r}, which is not a date"),
    "ingest.hint.bad_date": _DATE_HINT,
    "ingest.problem.bad_bool": (
        "{field}（{label_zh}）为“{value}”，不是“是/否”",
        "{field} ({label}) is {value!r}, which is not yes or no"),
    "ingest.hint.bad_bool": _BOOL_HINT,
    "ingest.problem.nested_value": (
        "{field}（{label_zh}）的值是{what_zh}，应为单个值",
        "{field} ({label}) holds {what} instead of a single value"),
    "ingest.hint.nested_value": ("请改为普通文本或数字", "write it as plain text or a number"),
    "ingest.problem.duplicate_id": (
        "编号 {field}“{value}”重复（第 {first} 个要素已使用）",
        "{field} {value!r} is used more than once (first by feature {first})"),
    "ingest.hint.duplicate_id": ("请为每个要素使用不同的编号", "give every feature its own {field}"),
    "ingest.problem.too_long": (
        "{field}（{label_zh}）共 {length:,} 个字符，最多 {limit:,} 个",
        "{field} ({label}) is {length:,} characters long; at most {limit:,}"),
    "ingest.hint.too_long": (
        "请缩短到 {limit:,} 个字符以内", "shorten it to {limit:,} characters or fewer"),
    # notes: what was changed while reading; never a reason to refuse
    "ingest.note.encoding_used": ("文件按 {encoding} 编码读取", "the text was read as {encoding}"),
    "ingest.note.crs_converted": (
        "坐标已从 {crs} 转换为 WGS84",
        "coordinates were converted from {crs} to WGS84"),
    "ingest.note.z_dropped": (
        "已去掉 {count} 个要素的高程（Z 值）",
        "heights (Z values) were dropped from {count} feature(s)"),
    "ingest.note.multipoint_single": (
        "{count} 个只含一个点的 MultiPoint 已按点读取",
        "{count} single-point MultiPoint geometries were read as points"),
    "ingest.note.unknown_field": (
        "字段“{field}”不属于{layer_zh}图层，已忽略（{count} 个要素）",
        "field {field!r} is not part of the {layer} layer and was ignored ({count} feature(s))"),
    "ingest.note.field_renamed": (
        "列“{column}”已按 {field}（{label_zh}）读取",
        "column {column!r} was read as {field} ({label})"),
    "ingest.note.label_converted": (
        "{field} 中 {count} 个以名称填写的值已转换为代码",
        "{count} value(s) of {field} written as labels were converted to codes"),
    "ingest.note.value_converted": (
        "{field} 中 {count} 个值已转换（{what_zh}）",
        "{count} value(s) of {field} were converted ({what})"),
    "ingest.note.feature_id_used": (
        "{count} 个要素使用了要素 id 作为 {field}",
        "the feature id was used as {field} for {count} feature(s)"),
    "ingest.note.invisible_removed": (
        "已从 {field} 中删除 {count} 个看不见的方向控制符或零宽字符",
        "{count} invisible direction-control or zero-width character(s) were removed from {field}"),
    "ingest.note.no_prj": (
        "Shapefile 缺少 .prj 文件，坐标按 {crs} 读取",
        "the Shapefile has no .prj; coordinates were taken as {crs}"),
    # the geometry a layer needs
    "ingest.kind.Point": ("点（Point）", "Point"),
    "ingest.kind.Polygon": ("面（Polygon 或 MultiPolygon）", "Polygon or MultiPolygon"),
    # what a field's values must be, and how to write them
    "ingest.expected.str": ("文本", "text"),
    "ingest.expected.int": ("整数", "a whole number"),
    "ingest.expected.float": ("数字", "a number"),
    "ingest.expected.bool": ("是/否", "yes or no"),
    "ingest.expected.date": ("日期", "a date"),
    "ingest.type_hint.str": ("请填写文本", "write the value as text"),
    "ingest.type_hint.int": ("请填写整数，例如 120", "write a whole number, e.g. 120"),
    "ingest.type_hint.float": ("请填写数字，例如 4.5", "write a number, e.g. 4.5"),
    "ingest.type_hint.bool": _BOOL_HINT,
    "ingest.type_hint.date": _DATE_HINT,
    # a JSON value, described in a few words
    "ingest.what.null": ("空值（null）", "null"),
    "ingest.what.bool": ("布尔值 {value}", "{value} (true/false)"),
    "ingest.what.number": ("数字 {value}", "the number {value}"),
    "ingest.what.text": ("文本“{text}”", "the text {text!r}"),
    "ingest.what.object": ("对象 {...}", "an object {...}"),  # said without parameters
    "ingest.what.list": ("列表 [...]", "a list [...]"),
    # Python's JSON parser's errors (English: its own words)
    "ingest.json.comma": ("缺少逗号", "Expecting ',' delimiter"),
    "ingest.json.colon": ("缺少冒号", "Expecting ':' delimiter"),
    "ingest.json.name_quotes": ("名称必须用英文双引号括起来",
                                "Expecting property name enclosed in double quotes"),
    "ingest.json.value": ("缺少值，或有多余的符号", "Expecting value"),
    "ingest.json.extra_data": ("在内容结束后还有多余的内容", "Extra data"),
    "ingest.json.control_character": ("含有非法控制字符", "Invalid control character at"),
    "ingest.json.escape": ("含有非法的转义字符", "Invalid \\escape"),
    "ingest.json.u_escape": ("含有非法的 \\u 转义", "Invalid \\uXXXX escape"),
    "ingest.json.unterminated": ("字符串缺少结束引号", "Unterminated string starting at"),
    "ingest.json.other": ("格式错误", "syntax error"),
    # GEOS's reasons why a shape is not valid (English: its own words)
    "ingest.reason.self_intersection": ("边自相交", "Self-intersection"),
    "ingest.reason.ring_self_intersection": ("环自相交", "Ring Self-intersection"),
    "ingest.reason.too_few_points": ("点数太少", "Too few points"),
    "ingest.reason.interior_disconnected": ("内部被分割成不相连的部分", "Interior is disconnected"),
    "ingest.reason.hole_outside_shell": ("内洞位于外环之外", "Hole lies outside shell"),
    "ingest.reason.nested_holes": ("内洞相互嵌套", "Nested holes"),
    "ingest.reason.nested_shells": ("多个多边形相互重叠", "Nested shells"),
    "ingest.reason.duplicate_rings": ("有重复的环", "Duplicate Rings"),
    "ingest.reason.invalid_coordinate": ("坐标无效", "Invalid Coordinate"),
    "ingest.reason.ring_not_closed": ("环没有闭合", "Ring is not closed"),
    "ingest.reason_at": ("{reason}，位置 {at}", "{reason}{at}"),
}
