"""Words of the store: why a store could not be opened or a batch could not be written or
undone (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
    "store_missing": (
        "{where} 处没有数据库。新建请运行 `python -m geo --store {where} init --admin 用户名`"
        "（空库并创建管理员账号），演示数据库请运行 `python -m geo init --demo`。",
        "there is no store at {where}; create one with `python -m geo --store {where} init "
        "--admin NAME` (an empty store with an admin account) or `python -m geo init --demo` "
        "(the demo)"),
    "store_exists": ("{where} 已存在，不会覆盖。", "{where} exists already; refusing to overwrite it"),
    "store_busy": ("数据库正忙于另一项写入，请稍后重试。",
                   "the store is busy with another write; try again in a moment"),
    "store_own_meta": ("{key} 由数据库自行维护，不能设置。", "{key} is kept by the store itself"),
    "batch_missing": ("没有批次 {batch}。", "there is no batch {batch}"),
    "batch_not_committed": ("批次 {batch} 的状态为“{status}”，只有已导入的批次可以撤销。",
                            "batch {batch} is {status}; only a committed batch can be undone"),
    "batch_later": ("批次 {batch} 不能撤销：之后的批次 {later} 修改了相同的记录，请先撤销它们。",
                    "batch {batch} cannot be undone: later batch(es) {later} changed the same rows;"
                    " undo those first"),
    "batch_ids_taken": ("{layer}：编号已被占用：{ids}", "{layer}: id(s) already taken: {ids}"),
    "batch_id_twice": ("{layer}：{field} “{id}”在同一批次中出现两次。",
                       "{layer}: {field} {id!r} appears twice in one batch"),
    "batch_no_id": ("{layer}：有一条记录没有 {field}。", "{layer}: a row has no {field}"),
    "row_no_geometry": ("{layer} “{id}”：缺少几何。", "{layer} {id!r}: geometry is missing"),
    "row_refused": ("{layer} “{id}”：数据库拒绝了这条记录（{detail}）。",
                    "{layer} {id!r}: the store refused the row ({detail})"),
    "account_refused": ("用户“{name}”：数据库拒绝了这个账号（{detail}）。",
                        "user {name!r}: the store refused the account ({detail})"),
    # a store that cannot do what was asked: with its path (command line, server log), and
    # without it (`..._page`: pages never show a server path)
    "store_full": ("磁盘已满：无法写入数据库 {where}，未做任何更改——请腾出空间后重试。",
                   "disk full: could not write the store at {where}; nothing was changed — free some"
                   " space and try again"),
    "store_full_page": ("磁盘已满：未做任何更改，请管理员腾出磁盘空间后再试",
                        "disk full: nothing was changed — an administrator needs to free some space,"
                        " then try again"),
    "store_write_failed": ("磁盘已满或出错：无法写入数据库 {where}（{detail}：磁盘已满、超出配额或文件大小限制，"
                           "或磁盘故障），未做任何更改——请腾出空间或检查磁盘后重试。",
                           "disk full or failing: could not write the store at {where} ({detail}: a full"
                           " disk, a quota or file-size limit, or a disk fault); nothing was changed —"
                           " free some space or check the disk and try again"),
    "store_write_failed_page": ("磁盘已满或出错：未做任何更改，请管理员检查磁盘后再试",
                                "disk full or failing: nothing was changed — an administrator needs to"
                                " check the disk, then try again"),
    "store_read_only": ("数据库 {where} 是只读的：可以查看，不能修改。",
                        "the store at {where} is read-only: it can be read but not changed"),
    "store_read_only_page": ("数据库是只读的：可以查看，不能修改",
                             "the store is read-only: it can be read but not changed"),
    "store_read_only_old": ("数据库 {where} 是只读的，且由旧版本建立（结构版本 {found}，本版本需要 {want}），"
                            "这里读不到：请在可写的位置打开一次以升级。",
                            "the store at {where} is read-only and was made by an older version (schema"
                            " {found}, this version needs {want}), so this cannot be read from it: open"
                            " it once where it can be written, so it is upgraded"),
    "store_damaged": ("数据库已损坏：请从备份恢复——{where}（{detail}）",
                      "the store is damaged: restore from a backup — {where} ({detail})"),
    "store_damaged_page": ("数据库已损坏：请管理员从备份恢复",
                           "the store is damaged: an administrator needs to restore it from a backup"),
    "store_notice": ("{what}（编号 {ref}）", "{what} (reference {ref})"),
    # backups
    "store_backup_exists": ("{path} 已存在，不会覆盖（要替换请加 --force）。",
                            "{path} exists already; refusing to overwrite it (--force replaces it)"),
    "store_backup_failed": ("无法写入备份 {path}：{detail}，数据库未受影响。",
                            "could not write the backup {path}: {detail}; the store is untouched"),
    "store_backup_bad": ("备份 {path} 未通过完整性检查（{detail}），未保留：数据库可能已损坏，"
                         "请运行 `python -m geo check`。",
                         "the backup {path} failed its integrity check ({detail}) and was not kept:"
                         " the store may be damaged; run `python -m geo check`"),
}
