"""Words of the region tree (city > district > subdistrict) and of scoping by it (zh, en)."""

WORDS: dict[str, tuple[str, str]] = {
    "rg_twice": ("区划编码 {code} 出现了不止一次", "Region code {code} is given more than once"),
    "rg_bad_level": ("区划 {code} 的层级“{level}”不是市、区/县或街道/乡镇",
                     "Region {code}: level '{level}' is not city, district or subdistrict"),
    "rg_bad_digits": ("区划编码 {code} 应为 {digits} 位数字（{level}）",
                      "Region code {code} should have {digits} digits (a {level})"),
    "rg_city_parent": ("区划 {code} 是市，不应有上级", "Region {code} is a city and has no parent"),
    "rg_no_parent": ("区划 {code} 的上级 {parent} 不在区划表中", "Region {code}: parent {parent} is not in the tree"),
    "rg_parent_level": ("区划 {code}（{level}）的上级应是{want}，而 {parent} 是{found}",
                        "Region {code} ({level}): its parent should be a {want}, but {parent} is a {found}"),
    "rg_not_nested": ("区划编码 {code} 不以上级编码 {parent} 开头",
                      "Region code {code} does not start with its parent's code {parent}"),
    # the accounts page
    "acc_region": ("负责区划", "Region"),
    "acc_region_help": ("领导、工作人员和管理员账号只看、只办所选区划内的事项；委员按所联系社区", "Leader, staff and admin accounts see and act only within this region; members go by their linked community"),
    "acc_whole_store": ("全部区划", "Every region"),
    "acc_col_region": ("负责区划", "Region"),
    "acc_do_region": ("改区划", "Change region"),
    "acc_btn_region": ("保存区划", "Save region"),
    # scoped accounts (yishi.accounts.within)
    "denied_region": ("不能{verb}：这一条属于街道 {subdistrict}，不在本账号负责的区划 {region} 内",
                      "Cannot {verb}: this row belongs to subdistrict {subdistrict}, outside this account's region {region}"),
    "denied_region_rows": ("不能导入：{n} 条数据不在本账号负责的区划 {region} 内（如 {ids}），未写入任何数据",
                           "Not imported: {n} rows lie outside this account's region {region} (e.g. {ids}); nothing was written"),
    "account_no_region": ("区划表中没有编码 {region_id}", "There is no region {region_id} in the region tree"),
    "aud_action_user_region": ("更改账号区划", "Account region changed"),
    "account_member_region": ("委员账号按社区划分，不设区划", "A member account is scoped by its community, not by a region"),
}
