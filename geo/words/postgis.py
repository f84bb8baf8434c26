"""Words of the PostGIS backend: a server that cannot be reached, a database that is not
ready for a store, a backup tool that is missing (zh, en). `{where}` is the store's URL
without its password."""

WORDS: dict[str, tuple[str, str]] = {
    "pg_unreachable": ("无法连接数据库服务器 {where}（{detail}），未做任何更改——请检查服务器是否运行、地址与账号是否正确。",
                       "cannot reach the database server of {where} ({detail}); nothing was changed —"
                       " check that the server runs and that the address and account are right"),
    "pg_unreachable_page": ("无法连接数据库服务器：未做任何更改，请管理员检查数据库服务器",
                            "the database server cannot be reached: nothing was changed — an"
                            " administrator needs to check it"),
    "pg_no_database": ("{where}：服务器上没有这个数据库。请先由数据库管理员创建（createdb），再运行 "
                       "`python -m geo --store {where} init --admin 用户名`。",
                       "{where}: the server has no such database; have it created first (createdb),"
                       " then run `python -m geo --store {where} init --admin NAME`"),
    "pg_not_empty": ("{where}：数据库中已有这些表：{tables}，不会覆盖。请使用一个空数据库。",
                     "{where}: the database has these tables already: {tables}; refusing to overwrite"
                     " them — use an empty database"),
    "pg_no_postgis": ("{where}：无法启用 PostGIS 扩展（{detail}）。请由数据库管理员在该数据库中运行 "
                      "`CREATE EXTENSION postgis;`。",
                      "{where}: the PostGIS extension could not be enabled ({detail}); have a database"
                      " administrator run `CREATE EXTENSION postgis;` in that database"),
    "pg_missing_tables": ("缺少表：{tables}", "missing tables: {tables}"),
    "pg_missing_columns": ("表 {table} 缺少列：{columns}", "table {table} lacks columns: {columns}"),
    "pg_dump_missing": ("找不到 pg_dump（PostgreSQL 客户端程序），无法备份 {where}。",
                        "pg_dump (the PostgreSQL client) was not found, so {where} cannot be backed up"),
    # python -m geo migrate
    "migrate_copied": ("已从 {source} 复制到 {target}。核对（原库 / 新库）：",
                       "copied {source} to {target}; checked (source / copy):"),
    "migrate_verified": ("核对无误：各图层记录数与公布数字两库一致。",
                         "verified: rows per layer and the published figures are equal in both"),
    "migrate_differs": ("核对不一致：{keys}。新库保留以便检查，请勿使用。",
                        "the copy differs in: {keys}; it is kept for inspection — do not use it"),
    "migrate_partial": ("复制未完成：数据库 {where} 中只有部分数据，请清空后重试。",
                        "the copy did not finish: {where} holds part of the data; empty it before"
                        " trying again"),
}
