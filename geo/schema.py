"""The layers and tables of Yishi Map: fields, types, enumerations and their zh/en labels.

Everything else (validation, the store's tables, the UI's labels, the privacy filter)
reads this module, so a field is declared once, here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from geo.words import Term, base

FieldType = Literal["str", "int", "float", "bool", "date"]
GeometryKind = Literal["Point", "Polygon"]

WGS84 = "EPSG:4326"
#: Metric CRS for distances and areas in Shangqiu (UTM zone 50N).
METRIC_CRS = "EPSG:32650"
#: A generous box around Shangqiu city: points outside it are almost surely wrong.
SHANGQIU_BBOX = (114.8, 33.7, 116.7, 34.9)  # min lon, min lat, max lon, max lat


@dataclass(frozen=True)
class Enum:
    """An enumeration: code -> (zh-CN label, English label), in display order."""

    name: str
    labels: dict[str, tuple[str, str]]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label(self, code: str, lang: str = "zh") -> str:
        zh, en = self.labels.get(code, (code, code))
        return zh if lang == "zh" else en


VENUE_KINDS = Enum("venue_kind", {
    "room": ("议事室", "Room"),
    "pavilion": ("议事亭", "Pavilion"),
    "corner": ("议事角", "Corner"),
    "corridor": ("议事长廊", "Corridor"),
})

#: The "five haves" standard (五有) of a venue: flag field -> labels.
FIVE_HAVES = Enum("five_haves", {
    "has_organisation": ("有机构", "Organisation"),
    "has_sign": ("有牌子", "Sign"),
    "has_staff": ("有人员", "Staff"),
    "has_rules": ("有制度", "Rules"),
    "has_activities": ("有活动", "Activities"),
})

CATEGORIES = Enum("category", {
    "parking": ("停车", "Parking"),
    "water": ("供水/水压", "Water supply"),
    "renovation": ("老旧小区改造", "Old-compound renovation"),
    "property": ("物业管理", "Property management"),
    "housing": ("房屋分配/拆迁", "Housing / demolition"),
    "environment": ("环境/污染", "Environment"),
    "development": ("产业发展", "Development"),
    "other": ("其他", "Other"),
})

FOCUS_AREAS = Enum("focus", {
    "development": ("发展", "Development"),
    "livelihood": ("民生", "Livelihood"),
    "hard_case": ("难题", "Hard cases"),
    "harmony": ("和谐", "Harmony"),
})

#: Issue stages in procedure order; "closed" (ended without consensus) is off the path.
STAGES = Enum("stage", {
    "collected": ("收集", "Collected"),
    "selected": ("选准事", "Issue selected"),
    "stakeholders": ("挑好人", "People chosen"),
    "meeting": ("开好会", "Meeting held"),
    "consensus": ("达成共识", "Consensus"),
    "implementing": ("落实中", "Implementing"),
    "done": ("已落实", "Done"),
    "closed": ("已终止", "Closed"),
})
STAGE_ORDER: tuple[str, ...] = STAGES.codes[:-1]
#: Stages that count as "consensus reached" in the published figures.
CONSENSUS_STAGES: tuple[str, ...] = ("consensus", "implementing", "done")
OPEN_STAGES: tuple[str, ...] = STAGE_ORDER[:-1]
#: Stages an issue ends in: done, or closed without being done.
FINAL_STAGES: tuple[str, ...] = tuple(s for s in STAGES.codes if s not in OPEN_STAGES)

METHODS = Enum("method", {
    "written": ("书面协商", "Written"),
    "meeting": ("会议协商", "Meeting"),
    "on_site": ("实地协商", "On-site"),
    "expert": ("专家论证", "Expert review"),
    "online": ("网络协商", "Online"),
    "media": ("媒体监督", "Media supervision"),
})

MEMBER_ROLES = Enum("member_role", {
    "city_cppcc": ("市政协委员", "City CPPCC member"),
    "district_cppcc": ("区政协委员", "District CPPCC member"),
    "party_rep": ("党员代表", "Party representative"),
    "resident_rep": ("群众代表", "Resident representative"),
    "enterprise_rep": ("企事业代表", "Enterprise representative"),
    "grid_worker": ("网格员", "Grid worker"),
    "party_household": ("党员中心户", "Party central household"),
})
CPPCC_ROLES: tuple[str, ...] = ("city_cppcc", "district_cppcc")

TEAM_LEVELS = Enum("team_level", {
    "subdistrict": ("街道", "Subdistrict"),
    "community": ("社区", "Community"),
})

#: What an issue_events row records (empty means a stage change).
EVENT_KINDS = Enum("event_kind", {
    "stage": ("阶段变更", "Stage change"),
    "comment": ("督办意见", "Supervision note"),
    "evaluation": ("群众评价", "Residents' evaluation"),
    "correction": ("更正记录", "Correction"),
})

#: Where an issue came from: staff typing it (the default), a resident's own report on the
#: public pages, or another system through Open311.
SOURCES = Enum("source", {
    "staff": ("工作人员录入", "Entered by staff"),
    "resident": ("群众反映", "Reported by a resident"),
    "open311": ("外部系统", "Another system (Open311)"),
})

#: What staff decided about a report from outside (None: entered by staff, nothing to decide).
TRIAGE = Enum("triage", {
    "pending": ("待受理", "Awaiting triage"),
    "accepted": ("已受理", "Accepted"),
    "merged": ("已合并", "Merged"),
    "declined": ("不予受理", "Declined"),
})
#: Residents' reports staff set aside (merged into another issue, or declined): they carry no
#: work of their own, so they count as closed whatever their stage.
SET_ASIDE: tuple[str, ...] = ("merged", "declined")

#: How a tracking code was handed out (a report, a "me too", an Open311 request).
TRACKING_KINDS = Enum("tracking_kind", {
    "report": ("反映", "Report"),
    "me_too": ("附议", "Me too"),
    "open311": ("外部系统", "Open311"),
})

#: How a resident's rating came in: with a tracking code, or by the issue's printed link.
RATING_VIA = Enum("rating_via", {
    "code": ("跟踪码", "Tracking code"),
    "link": ("评价链接", "Evaluation link"),
})

#: The levels of the region tree above a community (NBS division codes of 4, 6 and 9 digits).
REGION_LEVELS = Enum("region_level", {
    "city": ("市", "City"),
    "district": ("区/县", "District"),
    "subdistrict": ("街道/乡镇", "Subdistrict"),
})

PROPERTY_MANAGEMENT = Enum("property_management", {
    "company": ("专业物业", "Property company"),
    "self_managed": ("居民自管", "Self-managed"),
    "unit": ("原单位管理", "Former work unit"),
    "none": ("无物业", "None"),
})


@dataclass(frozen=True)
class Field:
    """One attribute of a layer or table."""

    name: str
    type: FieldType
    zh: str
    en: str
    required: bool = False
    enum: Enum | None = None
    #: Residents' personal data: only roles allowed to see it may receive it.
    private: bool = False
    minimum: float | None = None
    maximum: float | None = None
    #: The most characters a text value may have (uploads, the workflow and forms alike).
    max_length: int | None = None
    #: Set by the spatial join on every write; an upload's value is ignored and reported as
    #: such (`yishi.services.assignment`), so pages may count by it without placing points.
    derived: bool = False

    def label(self, lang: str = "zh") -> str:
        """The label in `lang`; where the command line asks for codes, with the field's name."""
        return Term(self.zh, self.en, self.name).label(lang)


@dataclass(frozen=True)
class Layer:
    """A layer (with geometry) or a plain table (geometry None) of the store."""

    name: str
    zh: str
    en: str
    id_field: str
    geometry: GeometryKind | None
    fields: tuple[Field, ...] = field(default_factory=tuple)

    def label(self, lang: str = "zh") -> str:
        return self.zh if base(lang) == "zh" else self.en

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def input_fields(self) -> tuple[Field, ...]:
        """The fields a file may set: every field but the derived ones."""
        return tuple(f for f in self.fields if not f.derived)

    @property
    def public_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if not f.private)

    @property
    def private_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.private)

    def get(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"layer {self.name!r} has no field {name!r}; fields: {', '.join(self.field_names)}")


#: Text limits, in characters: one size per kind of text, so a form, an upload and the command
#: line refuse the same value. Ids leave room for a code scheme; a phone for extensions.
ID_CHARS = 40
PHONE_CHARS = 40
NAME_CHARS = 100
TITLE_CHARS = 200
TEXT_CHARS = 2_000
#: A resident's report and rating comment: a phone's worth of text, not an essay.
REPORT_CHARS = 500
RATING_CHARS = 300
#: A timeline row's id is its issue's id and "-E001".
EVENT_ID_CHARS = ID_CHARS + 24


def _f(name: str, type_: FieldType, zh: str, en: str, **kw) -> Field:
    return Field(name, type_, zh, en, **kw)


def _subdistrict_id() -> Field:
    """The subdistrict a row belongs to (its 9-digit NBS code), so a store holds many."""
    return _f("subdistrict_id", "str", "街道编码", "Subdistrict code", max_length=ID_CHARS)


#: The region tree above the communities: city > district > subdistrict, by NBS code.
REGIONS = Layer("regions", "行政区划", "Regions", "region_id", None, (
    _f("region_id", "str", "区划编码", "Region code", required=True, max_length=ID_CHARS),
    _f("name", "str", "名称", "Name", required=True, max_length=NAME_CHARS),
    _f("level", "str", "层级", "Level", required=True, enum=REGION_LEVELS),
    _f("parent_id", "str", "上级编码", "Parent code", max_length=ID_CHARS),
))

SUBDISTRICT = Layer("subdistrict", "街道", "Subdistrict", "name", "Polygon", (
    _f("name", "str", "名称", "Name", required=True, max_length=NAME_CHARS),
    _subdistrict_id(),
))

COMMUNITIES = Layer("communities", "社区", "Communities", "community_id", "Polygon", (
    _f("community_id", "str", "社区编码", "Community ID", required=True, max_length=ID_CHARS),
    _f("name", "str", "社区名称", "Community", required=True, max_length=NAME_CHARS),
    _f("team_size", "int", "议事队伍人数", "Team size", minimum=0),
    _subdistrict_id(),
))

COMPOUNDS = Layer("compounds", "小区", "Compounds", "compound_id", "Polygon", (
    _f("compound_id", "str", "小区编号", "Compound ID", required=True, max_length=ID_CHARS),
    _f("name", "str", "小区名称", "Compound", required=True, max_length=NAME_CHARS),
    _f("households", "int", "户数", "Households", minimum=0),
    _f("built_year", "int", "建成年份", "Built", minimum=1900, maximum=2100),
    _f("is_old_compound", "bool", "老旧小区", "Old compound"),
    _f("property_management", "str", "物业管理", "Property management", enum=PROPERTY_MANAGEMENT),
    _subdistrict_id(),
))

VENUES = Layer("venues", "议事点", "Venues", "venue_id", "Point", (
    _f("venue_id", "str", "议事点编号", "Venue ID", required=True, max_length=ID_CHARS),
    _f("name", "str", "议事点名称", "Venue", required=True, max_length=NAME_CHARS),
    _f("kind", "str", "类型", "Kind", required=True, enum=VENUE_KINDS),
    *(_f(code, "bool", zh, en) for code, (zh, en) in FIVE_HAVES.labels.items()),
    _f("opened_on", "date", "启用日期", "Opened on"),
    _subdistrict_id(),
))

MEMBERS = Layer("members", "委员/代表", "Members", "member_id", None, (
    _f("member_id", "str", "成员编号", "Member ID", required=True, max_length=ID_CHARS),
    _f("name", "str", "姓名", "Name", required=True, max_length=NAME_CHARS),
    _f("role", "str", "身份", "Role", required=True, enum=MEMBER_ROLES),
    _f("level", "str", "队伍层级", "Team level", required=True, enum=TEAM_LEVELS),
    _f("team_community_id", "str", "所在社区队伍", "Community team", max_length=ID_CHARS),
    _f("linked_community_id", "str", "双向联系社区", "Linked community", max_length=ID_CHARS),
))

ISSUES = Layer("issues", "议题", "Issues", "issue_id", "Point", (
    _f("issue_id", "str", "议题编号", "Issue ID", required=True, max_length=ID_CHARS),
    _f("title", "str", "议题", "Title", required=True, max_length=TITLE_CHARS),
    _f("description", "str", "描述", "Description", max_length=TEXT_CHARS),
    _f("category", "str", "类别", "Category", required=True, enum=CATEGORIES),
    _f("focus", "str", "四个围绕", "Focus area", required=True, enum=FOCUS_AREAS),
    _f("stage", "str", "阶段", "Stage", required=True, enum=STAGES),
    _f("method", "str", "协商方式", "Method", enum=METHODS),
    _f("reported_on", "date", "收集日期", "Reported on", required=True),
    _f("consensus_on", "date", "达成共识日期", "Consensus on"),
    _f("due_on", "date", "办结时限", "Due on"),
    _f("done_on", "date", "落实日期", "Done on"),
    _f("stakeholders", "str", "协商主体", "Stakeholders", max_length=TEXT_CHARS),
    _f("consensus_text", "str", "共识内容", "Agreed text", max_length=TEXT_CHARS),
    _f("responsible_unit", "str", "责任单位", "Responsible unit", max_length=NAME_CHARS),
    _f("responsible_person", "str", "责任人", "Responsible person", max_length=NAME_CHARS),
    _f("residents_affected", "int", "受益群众", "Residents affected", minimum=0),
    _f("result_public", "str", "公示结果", "Posted result", max_length=TEXT_CHARS),
    _f("satisfaction", "float", "满意度", "Satisfaction", minimum=1, maximum=5),
    _f("closed_reason", "str", "终止原因", "Reason closed", max_length=TEXT_CHARS),
    _f("reporter_name", "str", "反映人", "Reported by", private=True, max_length=NAME_CHARS),
    _f("reporter_phone", "str", "联系电话", "Phone", private=True, max_length=PHONE_CHARS),
    _f("source", "str", "来源", "Source", enum=SOURCES),
    _f("triage", "str", "受理", "Triage", enum=TRIAGE),
    _f("merged_into", "str", "合并至", "Merged into", max_length=ID_CHARS),
    _f("declined_reason", "str", "不予受理原因", "Reason declined", max_length=TEXT_CHARS),
    _f("me_too", "int", "附议人数", "Me too", minimum=0),
    _subdistrict_id(),
    #: Where the issue falls (`geo.joins` rules), stored so pages count by community.
    _f("community_id", "str", "所在社区", "Community", max_length=ID_CHARS, derived=True),
    _f("compound_id", "str", "所在小区", "Compound", max_length=ID_CHARS, derived=True),
))

MEETINGS = Layer("meetings", "协商会议", "Meetings", "meeting_id", None, (
    _f("meeting_id", "str", "会议编号", "Meeting ID", required=True, max_length=ID_CHARS),
    _f("held_on", "date", "召开日期", "Held on", required=True),
    _f("venue_id", "str", "议事点", "Venue", max_length=ID_CHARS),
    _f("issue_id", "str", "议题", "Issue", max_length=ID_CHARS),
    _f("method", "str", "协商方式", "Method", required=True, enum=METHODS),
    _f("participants", "int", "参会人数", "Participants", minimum=0),
    _f("consensus", "bool", "达成共识", "Consensus"),
))

#: One row per stage change of an issue: the timeline (and, for the demo, its history).
ISSUE_EVENTS = Layer("issue_events", "议题进程", "Issue timeline", "event_id", None, (
    _f("event_id", "str", "记录编号", "Event ID", required=True, max_length=EVENT_ID_CHARS),
    _f("issue_id", "str", "议题", "Issue", required=True, max_length=ID_CHARS),
    _f("at", "date", "日期", "Date", required=True),
    _f("from_stage", "str", "原阶段", "From", enum=STAGES),
    _f("to_stage", "str", "新阶段", "To", required=True, enum=STAGES),
    _f("by", "str", "操作人", "By", max_length=NAME_CHARS),
    _f("note", "str", "说明", "Note", max_length=TEXT_CHARS),
    _f("kind", "str", "类型", "Kind", enum=EVENT_KINDS),
    #: The signer's account role (`yishi.accounts.ROLES`) when written from an account; `by`
    #: then holds the person's name. Imported and demo rows keep a free-text `by` alone.
    _f("by_role", "str", "操作人身份", "Signer's role", max_length=ID_CHARS),
))

#: A tracking code handed to a resident (or an Open311 client), kept only as its SHA-256: the
#: code itself is a bearer secret (whoever holds it may rate the issue once). Merging a report
#: repoints its codes, so a code always follows the issue that carries the work.
TRACKING = Layer("tracking", "跟踪码", "Tracking codes", "code_hash", None, (
    _f("code_hash", "str", "跟踪码摘要", "Code hash", required=True, max_length=64),
    _f("issue_id", "str", "议题", "Issue", required=True, max_length=ID_CHARS),
    _f("kind", "str", "类型", "Kind", required=True, enum=TRACKING_KINDS),
    _f("created_on", "date", "日期", "Date", required=True),
))

#: Residents' own ratings 群众评价 of a done issue, apart from the satisfaction staff record.
#: The id is derived from who rated (a tracking code, or one browser with the issue's link),
#: so a second rating by the same hand is refused by the store itself.
RATINGS = Layer("ratings", "群众评价", "Residents' ratings", "rating_id", None, (
    _f("rating_id", "str", "评价编号", "Rating ID", required=True, max_length=ID_CHARS),
    _f("issue_id", "str", "议题", "Issue", required=True, max_length=ID_CHARS),
    _f("score", "int", "评分", "Score", required=True, minimum=1, maximum=5),
    _f("comment", "str", "评价意见", "Comment", max_length=RATING_CHARS),
    _f("at", "date", "日期", "Date", required=True),
    _f("via", "str", "方式", "Via", required=True, enum=RATING_VIA),
))

LAYERS: dict[str, Layer] = {layer.name: layer for layer in (
    SUBDISTRICT, COMMUNITIES, COMPOUNDS, VENUES, MEMBERS, ISSUES, MEETINGS, ISSUE_EVENTS,
    TRACKING, RATINGS, REGIONS,
)}
#: The layers staff may upload.
UPLOADABLE: tuple[str, ...] = ("venues", "compounds", "issues", "communities")


def get_layer(name: str) -> Layer:
    """The layer called `name`, or a KeyError that lists the choices."""
    try:
        return LAYERS[name]
    except KeyError:
        raise KeyError(f"unknown layer {name!r}; choose one of: {', '.join(LAYERS)}") from None
