"""Words of the venues' QR posters (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
    # on the poster (Chinese first; the English line is printed smaller under it)
    "poster_headline": ("有事好商量", "Let's talk it over"),
    "poster_subhead": ("群众反映", "Residents' reports"),
    "poster_instruction": ("扫码反映身边的问题：停车、供水、老旧小区改造……",
                           ("Scan to report a problem near you: parking, water supply, "
                            "old-compound renovation…")),
    "poster_type_url": ("无法扫码？在手机浏览器输入网址：", "Cannot scan? Type this address:"),
    "poster_footer": ("{subdistrict} · 议事点 {venue_id}", "{subdistrict} · venue {venue_id}"),
    # refusals
    "poster_unknown_community": ("没有社区“{community_id}”；可选：{choices}",
                                 "No community {community_id!r}; known: {choices}"),
    "poster_unknown_venue": ("没有议事点“{venue_id}”", "No venue {venue_id!r}"),
    "poster_bad_choice": ("{what}只能是 {choices}，不是“{value}”",
                          "{what} must be one of {choices}, not {value!r}"),
    "poster_no_font": (("本机没有中文字体，无法生成 PNG 海报：请安装 Debian 软件包 {package}"
                        "（apt-get install {package}）"),
                       ("No CJK font on this machine, so no PNG poster: install the Debian package "
                        "{package} (apt-get install {package})")),
    "poster_no_venues": ("没有议事点，未生成海报", "No venues: no poster written"),
    "poster_wrote": ("已写入 {path}", "wrote {path}"),
    "poster_wrote_n": ("共 {n} 个文件，写入 {folder}", "{n} files written to {folder}"),
    # the community page
    "poster_expander": ("二维码海报", "QR posters"),
    "poster_help": ("打印后张贴在议事点：群众扫码即打开“我要反映”，位置已选好该议事点。",
                    ("Print and put up at the venue: scanning opens the report form with the "
                     "venue's place already chosen.")),
    "poster_pick_venue": ("议事点", "Venue"),
    "poster_all_venues": ("本社区全部议事点（zip）", "Every venue of the community (zip)"),
    "poster_size": ("纸张", "Paper"),
    "poster_format": ("格式", "Format"),
    "poster_both": ("两种都要", "Both"),
    "poster_download": ("下载海报", "Download poster"),
    "poster_download_zip": ("下载全部海报（zip）", "Download all posters (zip)"),
}
