"""Words of a paged table: the search box, the sort choice, the pager (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
    "pg_search": ("搜索（编号、标题、社区、小区）", "Search (id, title, community, compound)"),
    "pg_search_hint": ("输入编号或关键词，多个词以空格分开", "An id or words, separated by spaces"),
    "pg_sort_by": ("排序", "Sort by"),
    "pg_descending": ("倒序", "Descending"),
    "pg_prev": ("上一页", "Previous"),
    "pg_next": ("下一页", "Next"),
    "pg_page": ("第 {n} / {m} 页", "Page {n} of {m}"),
    "pg_matches": ("共 {n} 条", "{n} rows"),
    "pg_no_match": ("没有符合搜索的议题", "No issue matches the search"),
}
