"""Words of forms: field-level errors, saved notices and repeated submits (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
    "form_not_repeated": ("已保存，未重复提交。", "Saved already: not submitted twice."),
    "form_not_saved_see_above": ("未保存：共 {n} 个问题，已在上方逐项标出。",
                                 "Not saved: {n} problem(s), each marked above."),
    "ni_saved_title": ("已新建议题 {id}：{title}", "Created issue {id}: {title}"),
    "ni_form_cleared": ("表单已清空，可继续新建下一个议题。", "The form is cleared for the next issue."),
}
