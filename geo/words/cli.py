"""Words of the command line: its own refusals, errors and status lines (zh, en).

The English texts are the ones scripts and tests already read; keep them as they are.
"""

WORDS: dict[str, tuple[str, str]] = {
    # how a line starts
    "cli_error": ("错误：{detail}", "error: {detail}"),
    "cli_no_sessions": ("没有已登录的会话。", "No one is signed in."),
    "cli_revoke_what": ("请给出 --id（会话编号）或 --user（用户名）其中之一。",
                        "Give either --id (a session id) or --user (a user name)."),
    "cli_sessions_ended": ("已结束 {n} 个会话。", "{n} session(s) ended."),
    "cli_refused": ("已拒绝：{detail}", "refused: {detail}"),
    "cli_usage_error": ("{prog}：参数有误：{detail}", "{prog}: error: {detail}"),
    # arguments and files
    "cli_unknown_layer": ("没有图层 '{layer}'，可选：{choices}",
                          "unknown layer '{layer}'; choose one of: {choices}"),
    "cli_cannot_write": ("无法写入 {path}：{reason}", "cannot write {path}: {reason}"),
    "cli_set_format": ("--set '{pair}'：请写成 字段=值，例如 --set due_on=2022-07-31",
                       "--set '{pair}': write FIELD=VALUE, e.g. --set due_on=2022-07-31"),
    "cli_set_twice": ("--set {field} 给了两次", "--set {field} is given twice"),
    "cli_passwords_differ": ("两次输入的密码不一致", "the two passwords differ"),
    # the validation report
    "cli_report_counts": ("共 {n} 个要素，{valid} 个有效，{problems} 个问题",
                          "{n} feature(s), {valid} valid, {problems} problem(s)"),
    "cli_problems": ("{n} 个问题：", "{n} problem(s):"),
    "cli_where_feature": ("要素 {n}", "feature {n}"),
    "cli_where_file": ("整个文件", "file"),
    "cli_where_field": ("字段 '{field}'", "field '{field}'"),
    "cli_problem_line": ("{where}：{message}", "{where}: {message}"),
    "cli_problem_hint": ("（提示：{hint}）", " (hint: {hint})"),
    "cli_note": ("说明：{note}", "note: {note}"),
    # imports, undo, history, export
    "cli_import_rejected": ("已拒绝：未导入任何数据（审计批次 {batch}）",
                            "rejected: nothing imported (audit batch {batch})"),
    "cli_imported": ("批次 {batch}：新增 {new}，更新 {updated}，不变 {unchanged}",
                     "batch {batch}: {new} new, {updated} updated, {unchanged} unchanged"),
    "cli_undone": ("批次 {batch} 已撤销：恢复 {n} 条", "batch {batch} undone: {n} row(s) restored"),
    "cli_no_batches": ("没有导入记录", "no batches"),
    "cli_wrote": ("已写出 {n} 条{layer}到 {path}", "wrote {n} {layer} to {path}"),
    # backups and checks
    "cli_internal_error": ("内部错误：{kind}：{detail}", "internal error: {kind}: {detail}"),
    "cli_backup_done": ("已备份到 {path}（{size} 字节，完整性检查通过）",
                        "backed up to {path} ({size} bytes, integrity check ok)"),
    "cli_backup_unaudited": ("数据库是只读的：这次备份未记入审计日志。",
                             "the store is read-only: this backup is not in its audit trail"),
    "cli_check_store": ("数据库：{where}", "store: {where}"),
    "cli_check_schema": ("结构版本：{version}", "schema version: {version}"),
    "cli_check_read_only": ("（只读：可以查看，不能修改）", "(read-only: it can be read but not changed)"),
    "cli_check_rows": ("  {layer}：{n} 条", "  {layer}: {n} rows"),
    "cli_check_ok": ("完整性检查：通过", "integrity check: ok"),
    "cli_check_problem": ("问题：{problem}", "problem: {problem}"),
    "cli_check_n_problems": ("{n} 个问题", "{n} problem(s)"),
}
