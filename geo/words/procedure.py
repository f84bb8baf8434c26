"""Words of the four-step procedure and the values it takes: every refusal of the issue
workflow (geo.procedure, yishi.services.workflow) and of value coercion (geo.values), (zh, en).

Fields and enumeration values come in as parameters that say themselves in the reader's
language (a schema `Field`, `geo.values.code_term`): by their label, and on the command line
(`geo.words.WITH_CODES`) with the code a user types as well. A parameter may be
another `Message` (a goal, a hint), said in the same language.
"""

WORDS: dict[str, tuple[str, str]] = {
    # refusals as a whole (geo.errors.WorkflowError)
    "wf_refused": ("{what}未能完成，共 {n} 个问题：", "{what} refused, {n} problem(s):"),
    "wf_what_step": ("{issue_id}：{stage} → {to}", "{issue_id}: {stage} -> {to}"),
    "wf_what_new": ("新建议题", "new issue"),
    "wf_what_note": ("{issue_id} 的督办意见", "note on {issue_id}"),
    "wf_what_evaluation": ("{issue_id} 的群众评价", "evaluation of {issue_id}"),
    "wf_what_meeting": ("{issue_id} 的会议记录", "meeting record of {issue_id}"),
    "wf_what_write": ("保存 {issue_id}", "saving {issue_id}"),
    # which issue, which stage
    "wf_no_issue": ("没有编号为 {issue_id} 的议题", "no issue {issue_id}"),
    "wf_no_such_issue": ("没有这个议题", "there is no such issue"),
    "wf_unknown_stage": ("未知阶段 {raw!r}，可选：{choices}",
                         "unknown stage {raw!r}; choose one of: {choices}"),
    "wf_issue_unknown_stage": ("{issue_id} 的阶段 {raw!r} 无法识别",
                               "{issue_id} has an unknown stage {raw!r}"),
    "wf_final": ("{issue_id} 已是“{stage}”，没有下一阶段", "{issue_id} is {stage}: no stage follows"),
    "wf_close_after_consensus": (
        "{issue_id} 已达成共识（当前为“{stage}”）：只有达成共识前的议题可以终止，请继续跟进落实",
        "{issue_id} reached consensus (it is at {stage}): only an issue before consensus can be "
        "closed; follow it up instead"),
    "wf_no_skipping": (
        "{issue_id} 当前为“{stage}”，下一阶段是“{next}”，不能直接到“{to}”：阶段不能跳过，也不能退回",
        "from {stage} the next stage is {next}, not {to}: {issue_id} is at {stage} and stages "
        "cannot be skipped or undone"),
    "wf_no_skipping_same": (
        "{issue_id} 已处于“{stage}”，下一阶段是“{next}”：阶段不能跳过，也不能退回",
        "from {stage} the next stage is {next}, not {to}: {issue_id} is already at {stage} and "
        "stages cannot be skipped or undone"),
    "wf_meeting_only_at_meeting": (
        "{issue_id} 当前为“{stage}”：只有处于“{meeting}”阶段的议题才能再记录会议（第一次会议会把议题推进到该阶段）",
        "{issue_id} is at {stage}: a further meeting is recorded only at stage {meeting} (the "
        "first one moves the issue to {meeting})"),
    # what a step needs
    "wf_required": ("{goal}需要填写{field}{hint}", "{field} is required {goal}{hint}"),
    "wf_required_plain": ("请填写{field}", "{field} is required"),
    "wf_goal_move": ("进入“{stage}”", "to move to {stage}"),
    "wf_goal_meeting": ("记录协商会议", "to record a meeting"),
    "wf_hint_stakeholders": ("：请至少写明一类参与方，例如居民代表、物业公司、政府部门、专家",
                             ": name at least one participant group, e.g. residents' "
                             "representatives, the property company, government departments, "
                             "experts"),
    "wf_hint_participants": ("（至少 {n} 人）", " (at least {n} people)"),
    "wf_hint_method": ("（可选：{choices}）", " (one of: {choices})"),
    "wf_hint_result_public": ("：即要公示的落实结果", ": the result to post publicly"),
    "wf_hint_closed_reason": ("：请说明议题未达成共识即终止的原因",
                              ": say why the issue ends without consensus"),
    "wf_cannot_set_step": ("进入“{stage}”时不能填写 {names}；可填写：{allowed}",
                           "{names} cannot be set on the way to {stage}; fields: {allowed}"),
    "wf_cannot_set_new": ("新建议题时不能填写 {names}；可填写：{allowed}",
                          "{names} cannot be set on a new issue; fields: {allowed}"),
    "wf_note_field": ("说明", "note (Note)"),
    # facts of a step
    "wf_no_meeting": ("{issue_id} 还没有协商会议记录：共识来自协商会议（请先在“{meeting}”阶段记录会议）",
                      "no meeting is recorded for {issue_id}: consensus comes out of a meeting "
                      "(record one at stage {meeting})"),
    "wf_due_past": ("{field}：{due} 早于今天（{today}），请填写今后的日期",
                    "{field}: {due} is before today ({today}); give a deadline still ahead"),
    "wf_due_kept_bad": ("议题上已有的{field}（{due}）不是今天（{today}）或以后的日期，请重新填写",
                        "{field} on the issue ({due}) is not a date from today ({today}) on; give "
                        "a new deadline"),
    "wf_held_future": ("{field}：{held} 还没到（今天是 {today}），请在会议召开后再记录",
                       "{field}: {held} is in the future (today is {today}); record a meeting "
                       "once it has been held"),
    "wf_held_before_report": ("{field}：{held} 早于议题收集日期（{reported}）",
                              "{field}: {held} is before the issue was reported ({reported})"),
    "wf_no_venue": ("{field}：没有编号为 {raw!r} 的议事点", "{field}: there is no venue {raw!r}"),
    "wf_too_few": ("{field}：{n} 人太少，协商至少需要 {minimum} 人",
                   "{field}: {n} is too few; a consultation needs at least {minimum} people"),
    "wf_note_empty": ("督办意见是空的：请写明需要跟进的事项", "the note is empty: write what to follow up"),
    "wf_eval_not_done": ("议题落实后才能记录满意度；{issue_id} 当前为“{stage}”",
                         "satisfaction is recorded only after the issue is done; {issue_id} is "
                         "at {stage}"),
    "wf_eval_required": ("请填写{field}（1-5）", "{field} is required (1-5)"),
    "wf_not_phone": ("{field}：{raw!r} 不是电话号码", "{field}: {raw!r} is not a phone number"),
    "wf_race": ("保存期间有其他人修改了 {issue_id}（或占用了新记录的编号），本次未写入任何内容：请刷新后重试",
                "another writer changed {issue_id} (or took the new record's id) meanwhile; "
                "nothing was written: reload the issue and try again"),
    # where a new issue lies
    "wf_point_not_numbers": ("经纬度 ({lon!r}, {lat!r}) 不是数字",
                             "lon/lat ({lon!r}, {lat!r}) are not numbers"),
    "wf_point_not_finite": ("经纬度 ({lon!r}, {lat!r}) 不是有限的数字",
                            "lon/lat ({lon!r}, {lat!r}) are not finite numbers"),
    "wf_point_outside": ("位置 ({x}, {y}) 不在{area}内（经度 {minx:.4f} 至 {maxx:.4f}，纬度 {miny:.4f} 至 "
                         "{maxy:.4f}）{hint}",
                         "the point ({x}, {y}) lies outside {area} (lon {minx:.4f} to {maxx:.4f}, "
                         "lat {miny:.4f} to {maxy:.4f}){hint}"),
    "wf_point_swapped": ("；经纬度似乎写反了（请先写经度）",
                         "; lon and lat look swapped (give longitude first)"),
    "wf_area_subdistrict": ("街道范围", "the subdistrict"),
    "wf_area_communities": ("各社区范围", "the communities"),
    "wf_area_city": ("商丘市范围", "Shangqiu"),
    # single values (geo.values.coerce)
    "value_not_date": ("{field}：{raw!r} 不是有效日期（请写成 YYYY-MM-DD）",
                       "{field}: {raw!r} is not a date (use YYYY-MM-DD)"),
    "value_not_whole": ("{field}：{raw!r} 不是整数", "{field}: {raw!r} is not a whole number"),
    "value_not_number": ("{field}：{raw!r} 不是数字", "{field}: {raw!r} is not a number"),
    "value_not_settable": ("{field}：此处不能填写", "{field}: cannot be set here"),
    "value_unknown_code": ("{field}：未知代码 {raw!r}，可选：{choices}",
                           "{field}: unknown code {raw!r}; choose one of: {choices}"),
    "value_below_minimum": ("{field}：{value} 小于最小值 {limit:g}",
                            "{field}: {value} is below the minimum {limit:g}"),
    "value_above_maximum": ("{field}：{value} 大于最大值 {limit:g}",
                            "{field}: {value} is above the maximum {limit:g}"),
    "value_shortened": ("{head}…（共 {n:,} 个字符）", "{head}… ({n:,} characters)"),
    "value_too_long": ("{field}：共 {length:,} 个字符，最多 {limit:,} 个",
                       "{field} is {length:,} characters long; at most {limit:,}"),
}
