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
}
