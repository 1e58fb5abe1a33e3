"""The one declarative schema of every sheet of a campaign workbook.

This module is data, in the spirit of pandera's schemas: every column list in the code base is
derived from it — the workbook builder, the forms, the validator, the readers and the generated
reference (``kexie schema --markdown``). Nothing else may spell out a column list.

Vocabulary: a *table* is a rectangular block with one header row; a *sheet* holds one or more
tables (考核规则 holds the scoring rules and the grade thresholds side by side). Column types are
the names understood by ``macros.core.normalize.coerce``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

Owner = Literal["staff", "product"]
ColumnType = Literal[
    "text", "longtext", "int", "number", "quantity", "date", "datetime", "phone", "email", "yesno"
]
#: the column-type names, defined once (``normalize.coerce`` reads a cell as each of them)
COLUMN_TYPES: tuple[str, ...] = get_args(ColumnType)
#: the types whose values are text as typed (shown and stored stripped, matched by name_key)
TEXT_TYPES: tuple[str, ...] = ("text", "longtext")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

# --- vocabularies ---------------------------------------------------------------------------
# Static vocabularies are tuples; a vocabulary drawn from another sheet is a VocabRef.

UNIT_CATEGORIES = (
    "市级学会",
    "县(市)区科协",
    "企事业科协",
    "高校科协",
    "老科协",
    "直属事业单位",
    "机关部室",
)
GROUP_ROLES = ("组长", "副组长", "成员")
ITEM_STATUSES = ("有效", "无效", "重复", "作废")  # blank counts as 有效
INVALID_ITEM_STATUSES = ("无效", "重复", "作废")
TASK_STATUSES = ("未开始", "进行中", "已完成")
COMPARISONS = ("≥", "≤", "=")
YES_NO = ("是", "否")
SCORING_METHODS = ("数量", "及时", "质量", "采纳")
GRADES = ("优秀", "良好", "合格", "不合格")
# 配合部门 written as this word means every other 机关部室 (seed 004: "其他部室配合").
OTHER_DEPARTMENTS = "其他部室"
# Staff write several departments in one cell separated by 、，, ; or spaces.
LIST_SEPARATORS = "、，,；; "


@dataclass(frozen=True)
class VocabRef:
    """A vocabulary whose values live in another table's column (e.g. the topic list)."""

    table: str
    column: str


VOCABULARIES: dict[str, tuple[str, ...] | VocabRef] = {
    "unit_category": UNIT_CATEGORIES,
    "group_role": GROUP_ROLES,
    "item_status": ITEM_STATUSES,
    "task_status": TASK_STATUSES,
    "comparison": COMPARISONS,
    "yes_no": YES_NO,
    "scoring_method": SCORING_METHODS,
    "grade": GRADES,
    "topic": VocabRef("topics", "topic"),
}


@dataclass(frozen=True)
class Column:
    key: str  # English identifier used in code and frames
    header: str  # Chinese header as it appears in the workbook
    type: ColumnType = "text"
    required: bool = False
    vocab: str | None = None  # key of VOCABULARIES
    width: float = 12
    number_format: str | None = None
    owner: Owner = "staff"
    unique: bool = False  # unique after normalisation (name_key)
    in_form: bool = False  # part of the 报送 sheet of the forms units fill in
    multi: bool = False  # several values separated by LIST_SEPARATORS
    several: bool = False  # typed column that may hold several values (LIST_SEPARATORS), each checked
    note: str = ""  # shown in the 说明 sheet and the reference

    @property
    def format(self) -> str | None:
        if self.number_format:
            return self.number_format
        return {"date": DATE_FORMAT, "datetime": DATETIME_FORMAT, "int": "0"}.get(self.type)


@dataclass(frozen=True)
class Table:
    key: str
    sheet: str  # Chinese sheet name
    excel_name: str  # ListObject name (ASCII: Excel table names must be identifiers)
    columns: tuple[Column, ...]
    owner: Owner = "staff"
    description: str = ""
    first_col: int = 1  # 1-based column of the table's first column on its sheet

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"{self.key} has no column {key!r}")

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def staff_columns(self) -> list[Column]:
        return [c for c in self.columns if c.owner == "staff"]


@dataclass(frozen=True)
class Setting:
    key: str
    label: str  # Chinese key as shown in column 项目 of 设置
    type: ColumnType = "text"
    required: bool = False
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    kind: Literal["text", "settings", "tables", "report"]
    owner: Owner
    description: str
    tables: tuple[str, ...] = field(default_factory=tuple)


def C(key: str, header: str, type: ColumnType = "text", **kw) -> Column:  # noqa: N802 - terse table DSL
    return Column(key, header, type, **kw)


# --- the settings sheet (设置) ----------------------------------------------------------------

SETTINGS_SHEET = "设置"
SETTINGS_HEADERS = ("项目", "值", "说明")

SETTINGS: tuple[Setting, ...] = (
    Setting("campaign_name", "活动名称", required=True, note="活动的正式名称"),
    Setting("campaign_id", "活动编号", required=True, note="由 kexie new 生成，报送表凭此识别活动，请勿修改"),
    Setting("organizer", "主办单位", required=True, note="如：丹东市科学技术协会"),
    Setting("department", "承办部门", note="负责汇总的部门，如：学会部"),
    Setting("start_date", "开始日期", "date", required=True),
    Setting("deadline", "截止日期", "date", required=True, note="截止当日报送不算逾期"),
    Setting("word_limit", "字数上限", "int", note="每条计策正文的字数上限，空白表示不限"),
    Setting("issuer_mark", "发文机关标志", note="红头上的机关名称，如：丹东市科学技术协会文件"),
    Setting("doc_number", "发文字号", note="如：市科协〔2019〕47号"),
    Setting("signer", "签发人"),
    Setting("doc_date", "成文日期", "date"),
    Setting("notice_title", "通知标题"),
    Setting("recipients", "主送单位", "longtext", note="主送机关，用顿号或逗号分隔"),
    Setting("attachments", "附件", "longtext", note="附件名称，每行一个"),
    Setting("contact", "联系人"),
    Setting("phone", "联系电话", "phone"),
    Setting("email", "电子邮箱", "email"),
    Setting("excellent_units", "优秀组织单位名额", "int", note="考核排名前几名推荐为优秀组织单位"),
    # --- intake hardening: a ceiling per unit against a flood of rows (macros/core/intake_guard.py)
    Setting("unit_row_limit", "每单位报送上限", "int",
            note="一个单位的一份报送表最多汇总多少条计策，超过则整份不汇总；空白表示按该单位配额的 10 倍（至少 50 条）"),
    Setting("cert_printer", "证书打印机", note="印证书用哪台打印机的偏移（“打印机校准”表中的名称）"),
    Setting("cert_batch", "证书每批张数", "int", note="每个 PDF 文件最多印多少张证书，默认 100"),
)

# --- the campaign mailbox (kexie mail, button 收取邮件) ---------------------------------------
# The password (客户端授权码) is never in the workbook: environment variable KEXIE_MAIL_PASSWORD
# or the OS keyring (service "kexie-mail", user = 邮箱账号).
MAIL_SETTINGS: tuple[Setting, ...] = (
    Setting("mail_account", "邮箱账号", "email", note="收取报送邮件的活动邮箱；空白表示用“电子邮箱”"),
    Setting("imap_server", "收件服务器",
            note="IMAP 服务器，如 imap.163.com 或 imap.163.com:993；空白表示按邮箱域名自动选择（163、126、yeah、QQ、139、腾讯企业邮）"),
    Setting("smtp_server", "发件服务器", note="SMTP 服务器，用于发送回执，如 smtp.163.com:465；空白表示自动选择"),
    Setting("mail_security", "加密方式", note="SSL（默认）、STARTTLS 或 无（“无”只用于本机上的服务器）"),
)
SETTINGS = SETTINGS + MAIL_SETTINGS

# --- campaign kinds, commendation and reporting periods ------------------------------
# 活动类型 picks the notice a campaign sends (征集 / 实施方案 / 工作要点 / 活动方案); the
# commendation settings gate the 考核结果与表彰名单; 报送期次 names the period department forms
# report for.
CAMPAIGN_KINDS = ("征集", "实施方案", "工作要点", "活动方案")
DEFAULT_CAMPAIGN_KIND = "征集"
DEFAULT_COMMEND_GRADE = "良好"
SHAPES_SETTINGS: tuple[Setting, ...] = (
    Setting("campaign_kind", "活动类型",
            note="征集、实施方案、工作要点或活动方案，决定红头通知的写法；空白按征集"),
    Setting("commend_min_grade", "表彰最低等次",
            note="优秀组织单位须完成配额并达到此等次（优秀、良好或合格；不合格从不表彰）；空白按良好"),
    Setting("results_confirmed", "考核结果已确认", "yesno",
            note="评分、采纳等考核项目尚未评完时，考核结果文件标为草稿；核对无误后填“是”"),
    Setting("plan_guiding", "指导思想", "longtext",
            note="实施方案、工作要点、活动方案的第一部分（指导思想或总体要求）"),
    Setting("plan_content", "主要内容", "longtext",
            note="活动方案的主要内容、工作要点的主要工作，每行一条"),
    Setting("plan_requirements", "工作要求", "longtext",
            note="工作要求或组织领导，每行一条；以“。”前的短句为小标题"),
    Setting("pioneer_places", "先锋名额", "int",
            note="践诺评议后先锋集体、先锋个人各评选几名（并列同名次都当选）；空白按 3"),
    Setting("upward", "上行文", "yesno",
            note="报送上级机关的公文（请示、报告）填“是”：签发人只印在上行文上"),
    Setting("cc", "抄送", "longtext", note="版记中的抄送机关，用顿号分隔；空白时版记不印抄送"),
    Setting("print_org", "印发机关", note="版记中的印发机关；空白时为主办单位"),
    Setting("report_period", "报送期次",
            note="部门报送表所报的期次，如：2019年第3季度"),
    Setting("closed_periods", "已结束期次", "longtext",
            note="已结束、不再接收报送的期次，每行一个；报送这些期次的表给出警告"),
)
SETTINGS = SETTINGS + SHAPES_SETTINGS

# --- tables ------------------------------------------------------------------------------------

QUOTA_RULES = Table(
    "quota_rules", "配额规则", "tblQuotaRules",
    (
        C("category", "单位类别", required=True, vocab="unit_category", width=16, unique=True),
        C("min_items", "最少报送数", "int", required=True, width=12),
        C("assessed", "是否考核", "yesno", vocab="yes_no", width=10),
    ),
    description="每类单位至少报送多少条、是否参加考核",
)

UNITS = Table(
    "units", "单位名册", "tblUnits",
    (
        C("code", "单位编号", required=True, unique=True, width=12),
        C("name", "单位名称", required=True, unique=True, width=30),
        C("category", "单位类别", required=True, vocab="unit_category", width=16),
        C("contact", "联系人", width=10),
        C("post", "职务", width=12),
        C("phone", "联系电话", "phone", width=16),
        C("email", "电子邮箱", "email", width=24, several=True,
          note="一个单位可填多个地址，用分号、逗号、顿号或空格分隔；收取邮件时按发件地址确定单位"),
        C("quota", "配额", "int", width=8, note="空白表示按单位类别的最少报送数"),
        C("weight", "权重", "number", width=8, number_format="0.00"),
        C("note", "备注", width=20),
    ),
    description="所有需要报送或参加考核的单位",
)

LEADERS = Table(
    "leaders", "领导小组", "tblLeaders",
    (
        C("name", "姓名", required=True, width=10),
        C("org", "单位", width=20),
        C("post", "职务", width=16),
        C("role", "小组职务", required=True, vocab="group_role", width=10),
        C("phone", "联系电话", "phone", width=16),
    ),
    description="活动领导小组成员",
)

PHASES = Table(
    "phases", "阶段安排", "tblPhases",
    (
        C("phase", "阶段", required=True, width=24),
        C("start", "开始日期", "date", required=True, width=12),
        C("end", "结束日期", "date", required=True, width=12),
        C("work", "主要工作", "longtext", width=50),
        C("department", "责任部门", width=14, multi=True),
    ),
    description="活动各阶段的起止日期",
)

TASKS = Table(
    "tasks", "任务分工", "tblTasks",
    (
        C("seq", "序号", "int", required=True, unique=True, width=6),
        C("task", "任务", required=True, width=36),
        C("content", "内容", "longtext", width=50),
        C("lead", "牵头部门", required=True, width=18, multi=True),
        C("support", "配合部门", width=14, multi=True, note="“其他部室”表示牵头部门以外的所有机关部室"),
        C("start", "开始日期", "date", width=12),
        C("due", "截止日期", "date", width=12),
        C("status", "状态", vocab="task_status", width=10),
        C("progress", "进展说明", "longtext", width=30),
        C("materials_date", "材料报送日期", "date", width=14),
        C("done_on", "完成日期", "date", width=12),
        C("materials", "材料", "longtext", width=24, note="牵头部门报送的材料名称或存放位置"),
        C("due_rule", "时限要求", width=20,
          note="相对时限，如“活动结束后15日内”：截止日期空白时按“活动结束日期”推算"),
        C("activity_end", "活动结束日期", "date", width=12),
    ),
    description="重点任务及牵头、配合部门",
)

TOPICS = Table(
    "topics", "主题领域", "tblTopics",
    (
        C("code", "编号", "int", required=True, unique=True, width=6),
        C("topic", "主题", required=True, unique=True, width=80),
    ),
    description="征集内容的主题领域，报送表的下拉选项来自这里",
)

# 征集明细: rows are written by consolidation (product); 评分/是否采纳/备注 belong to staff and
# survive every rewrite for rows whose unit and 题目 are unchanged.
ITEMS = Table(
    "items", "征集明细", "tblItems",
    (
        C("item_id", "编号", required=True, unique=True, width=14, owner="product"),
        C("unit_code", "单位编号", required=True, width=10, owner="product"),
        C("unit_name", "报送单位", required=True, width=24, owner="product"),
        C("title", "题目", required=True, width=30, owner="product", in_form=True),
        C("topic", "主题领域", required=True, vocab="topic", width=24, owner="product", in_form=True),
        C("author", "献策人", required=True, width=10, owner="product", in_form=True),
        C("author_org", "工作单位", required=True, width=20, owner="product", in_form=True),
        C("author_post", "职务", width=12, owner="product", in_form=True),
        C("phone", "联系电话", "phone", required=True, width=16, owner="product", in_form=True),
        C("email", "电子邮箱", "email", width=22, owner="product", in_form=True),
        C("body", "正文", "longtext", required=True, width=50, owner="product", in_form=True),
        C("word_count", "字数", "int", width=8, owner="product", in_form=True,
          note="由正文自动计算"),
        C("submitted_on", "报送日期", "date", width=12, owner="product"),
        C("source_file", "来源文件", width=24, owner="product"),
        C("status", "状态", vocab="item_status", width=8, owner="product",
          note="空白视为有效；无效、重复、作废不计入有效数"),
        C("score", "评分", "number", width=8, number_format="0.0", note="0–100分，由工作人员填写"),
        C("adopted", "是否采纳", "yesno", vocab="yes_no", width=10),
        C("remark", "备注", width=20),
    ),
    owner="product",
    description="汇总报送表得到的每一条计策；评分、是否采纳、备注由工作人员填写，重新汇总时保留",
)

TARGETS = Table(
    "targets", "指标", "tblTargets",
    (
        C("name", "指标", required=True, unique=True, width=30),
        C("target", "目标值", "quantity", required=True, width=12, number_format="#,##0.##"),
        C("unit", "计量单位", width=10),
        C("compare", "比较", required=True, vocab="comparison", width=8),
        C("actual", "实际值", "quantity", width=12, number_format="#,##0.##"),
        C("department", "责任部门", width=14, multi=True),
    ),
    description="年度量化指标的目标值与实际完成值",
)

SCORING_RULES = Table(
    "scoring_rules", "考核规则", "tblScoring",
    (
        C("item", "项目", required=True, unique=True, width=14),
        C("weight", "权重", "number", required=True, width=8),
        C("method", "计分方式", required=True, vocab="scoring_method", width=10),
        C("note", "说明", "longtext", width=44),
    ),
    description="考核项目及权重（权重合计100）",
)

GRADE_THRESHOLDS = Table(
    "grades", "考核规则", "tblGrades",
    (
        C("grade", "等次", required=True, vocab="grade", unique=True, width=10),
        C("min_score", "最低分", "number", required=True, width=8),
    ),
    description="按总分评定等次：不低于最低分即达到该等次",
    first_col=6,
)

VALIDATION_RESULTS = Table(
    "validation", "校验结果", "tblValidation",
    (
        C("sheet", "工作表", width=12, owner="product"),
        C("cell", "单元格", width=8, owner="product"),
        C("level", "级别", width=8, owner="product"),
        C("code", "代码", width=8, owner="product"),
        C("message", "说明", "longtext", width=60, owner="product"),
        C("value", "原值", width=24, owner="product"),
        C("suggestion", "建议", width=24, owner="product"),
    ),
    owner="product",
    description="最近一次校验发现的全部问题（每次校验重新生成）",
)

SUBMISSIONS = Table(
    "submissions", "报送记录", "tblSubmissions",
    (
        C("file", "文件", width=36, owner="product"),
        C("unit", "单位", width=24, owner="product"),
        C("received_at", "收到时间", "datetime", width=18, owner="product"),
        C("rows", "行数", "int", width=8, owner="product"),
        C("result", "结果", width=12, owner="product"),
        C("fingerprint", "指纹", width=20, owner="product"),
    ),
    owner="product",
    description="收到的每个报送文件及处理结果（每次汇总由台账重新生成）",
)

# --- expert review and awards ---------------------------------------------------------
# 评审专家 and 评审标准 are staff tables; 评审分配 (written by ``kexie review assign``) and 评审结果
# (written when reviewers' score forms are consolidated) are product tables. The entries reviewed
# are the rows of 征集明细 (计策, 论文, 课题 … whatever the campaign collects). A workbook made
# before these sheets existed simply has no review: the sheets are optional (REVIEW_OPTIONAL).

REVIEW_METHODS = ("平均", "去掉最高最低")  # 去掉最高最低 applies from 5 reviewers on
AWARD_LEVELS = ("一等奖", "二等奖", "三等奖")
VOCABULARIES["review_method"] = REVIEW_METHODS

REVIEW_SETTINGS: tuple[Setting, ...] = (
    Setting("review_per_entry", "每项评审专家人数", "int", note="每条参评内容分给几位评审专家，空白为 3"),
    Setting("review_topic_match", "按主题匹配专家", "yesno",
            note="是：优先分给“专业/主题”与主题领域相符的专家（不够时由其他专家补足并提示）"),
    Setting("review_method", "评审计分方式",
            note="平均 或 去掉最高最低（5 位及以上专家评分时去掉一个最高分和一个最低分），空白为 去掉最高最低"),
    Setting("review_normalize", "评审分标准化", "yesno",
            note="是：先按每位专家自己的平均分和标准差标准化，再换算回全体评分的平均分和标准差"),
    Setting("review_recheck_spread", "复议分差阈值", "number",
            note="同一条内容最高分与最低分之差超过此值时标记为需复议，空白表示不标记"),
    *(Setting(f"award{i}_count", f"{level}名额", "int", note=f"{level}的名额（条数）；填写名额时不看比例")
      for i, level in enumerate(AWARD_LEVELS, start=1)),
    *(Setting(f"award{i}_share", f"{level}比例", "number",
              note=f"{level}占参评总数的比例，如 10% 或 0.1，按参评总数乘以比例向下取整")
      for i, level in enumerate(AWARD_LEVELS, start=1)),
    Setting("award_doc_number", "获奖通报发文字号", note="获奖名单通报的发文字号，如：丹科协发〔2010〕25号"),
)
SETTINGS = SETTINGS + REVIEW_SETTINGS

REVIEWERS = Table(
    "reviewers", "评审专家", "tblReviewers",
    (
        C("code", "专家编号", required=True, unique=True, width=10,
          note="评分表凭此编号识别专家，分配后请勿改动"),
        C("name", "姓名", required=True, width=10),
        C("org", "单位", required=True, width=28, note="不会分到与本单位报送的内容"),
        C("topics", "专业/主题", width=30, multi=True,
          note="主题领域的编号或名称（可写多个，用顿号分隔），按主题匹配时使用"),
        C("post", "职务/职称", width=14),
        C("phone", "联系电话", "phone", width=16),
        C("email", "电子邮箱", "email", width=24),
        C("note", "备注", width=20),
    ),
    description="评审专家名单：专家编号、姓名、单位、专业/主题和联系方式",
)

CRITERIA = Table(
    "criteria", "评审标准", "tblCriteria",
    (
        C("criterion", "评审项目", required=True, unique=True, width=20),
        C("max_points", "满分", "number", required=True, width=8),
        C("note", "说明", "longtext", width=50),
    ),
    description="评分表的评分项目及各项满分（空表时按总分 100 分评分）",
)

ASSIGNMENTS = Table(
    "assignments", "评审分配", "tblAssignments",
    (
        C("item_id", "编号", required=True, width=14, owner="product"),
        C("title", "题目", width=30, owner="product"),
        C("unit_name", "报送单位", width=24, owner="product"),
        C("topic", "主题领域", width=24, owner="product"),
        C("reviewer_code", "专家编号", required=True, width=10, owner="product"),
        C("reviewer", "专家姓名", width=10, owner="product"),
        C("reviewer_org", "专家单位", width=24, owner="product"),
        C("matched", "主题相符", width=8, owner="product"),
    ),
    owner="product",
    description="每条参评内容分给哪几位评审专家（kexie review assign 生成，重新分配时尽量保持不变）",
)

REVIEW_RESULTS = Table(
    "review_results", "评审结果", "tblReviewResults",
    (
        C("rank", "名次", "int", width=6, owner="product"),
        C("item_id", "编号", width=14, owner="product"),
        C("title", "题目", width=30, owner="product"),
        C("unit_name", "报送单位", width=24, owner="product"),
        C("topic", "主题领域", width=20, owner="product"),
        C("count", "评分人数", "int", width=8, owner="product"),
        C("scores", "各专家评分", width=24, owner="product"),
        C("mean", "平均分", "number", width=8, owner="product", number_format="0.00"),
        C("trimmed", "去掉最高最低平均分", "number", width=10, owner="product", number_format="0.00"),
        C("normalized", "标准化得分", "number", width=10, owner="product", number_format="0.00"),
        C("final", "最终得分", "number", width=8, owner="product", number_format="0.00"),
        C("spread", "分差", "number", width=8, owner="product", number_format="0.00"),
        C("recheck", "需复议", width=8, owner="product"),
        C("award", "奖项", width=8, owner="product"),
        C("score_written", "写入评分", "number", width=8, owner="product", number_format="0.0",
          note="按百分制写入征集明细“评分”的值"),
        C("provenance", "评分来源", width=22, owner="product"),
    ),
    owner="product",
    description="评审结果：各条内容的评分、最终得分、名次和奖项（汇总评分表时重新生成）",
)

REVIEW_TABLES = (REVIEWERS, CRITERIA, ASSIGNMENTS, REVIEW_RESULTS)
REVIEW_OPTIONAL = frozenset(t.key for t in REVIEW_TABLES)
REVIEW_SHEETS: tuple[Sheet, ...] = (
    Sheet("评审专家", "tables", "staff", REVIEWERS.description, ("reviewers",)),
    Sheet("评审标准", "tables", "staff", CRITERIA.description, ("criteria",)),
    Sheet("评审分配", "tables", "product", ASSIGNMENTS.description, ("assignments",)),
    Sheet("评审结果", "tables", "product", REVIEW_RESULTS.description, ("review_results",)),
)
# The reviewer's score form (kexie forms): sheet names and the metadata kind.
REVIEW_FORM_SHEET = "评分"
REVIEW_FORM_KIND = "review"


# --- certificates: members, award list, printer calibration ------------------------------------
MEMBERS = Table(
    "members", "会员名册", "tblMembers",
    (
        C("member_no", "会员编号", required=True, unique=True, width=12, note="印在会员证上，不能重复"),
        C("name", "姓名", required=True, width=10),
        C("gender", "性别", width=6),
        C("org", "单位", width=26),
        C("title", "职务/职称", width=16),
        C("joined", "入会日期", "date", width=12),
        C("photo", "照片", width=18, note="照片文件名，照片放在工作簿旁的“照片”文件夹；留空则不印照片"),
        C("note", "备注", width=16),
    ),
    description="个人会员名单，用于印制会员证（kexie certificates --kind 会员证）",
)

AWARDS = Table(
    "awards", "获奖名单", "tblAwards",
    (
        C("award", "奖项", required=True, width=16, note="如：一等奖、优秀组织单位、先进个人"),
        C("winner", "获奖者", required=True, width=16, note="个人姓名或集体（单位）名称"),
        C("org", "单位", width=26),
        C("reason", "事由", "longtext", width=36, note="如获奖计策题目；可印在荣誉证书上"),
        C("note", "备注", width=16),
    ),
    description="荣誉证书的名单；留空时按统计的优秀组织单位、先进个人及评审奖项生成",
)

PRINTERS = Table(
    "printers", "打印机校准", "tblPrinters",
    (
        C("printer", "打印机", required=True, unique=True, width=20),
        C("dx", "水平偏移(毫米)", "number", width=14, note="打印结果比校准页偏左时填正数（向右移）"),
        C("dy", "垂直偏移(毫米)", "number", width=14, note="打印结果比校准页偏上时填正数（向下移）"),
        C("note", "说明", width=24),
    ),
    description="各台打印机印证书时的位置偏移（先用 kexie certificates --calibration 打印校准页量出）",
)

# --- commitments, their review and indicator progress ---------------------------------
PIONEER_TYPES = ("集体", "个人")
VOCABULARIES["pioneer_type"] = PIONEER_TYPES

COMMITMENTS = Table(
    "commitments", "承诺", "tblCommitments",
    (
        C("department", "部室", required=True, width=14),
        C("goal", "目标任务", "longtext", required=True, width=44),
        C("due", "完成时限", "date", width=12),
        C("owner", "责任人", width=10),
        C("status", "完成情况", vocab="task_status", width=10),
        C("done_on", "完成日期", "date", width=12),
        C("note", "备注", width=20),
        # --- returned by the 部室 on their 承诺报送表 (see COMMITMENT_FORM below) ---
        C("due_text", "时限说明", width=14, note="部室填写的完成时限原文（如“2010年12月底”），公示表按原文印"),
        C("measures", "具体措施", "longtext", width=36, note="倒排时间的进度安排和推进措施"),
        C("review", "审核意见", width=14, note="工作人员填写；部室重新报送时保留"),
        C("source", "来源", width=24, owner="product", note="由哪份承诺报送表汇总而来；空白为手工录入"),
    ),
    description="各部室公开承诺的目标任务、完成时限和责任人（定目标亮承诺），及完成情况（比进度赛成果）",
)

REVIEWS = Table(
    "reviews", "践诺评议", "tblReviews",
    (
        C("candidate", "评议对象", required=True, width=16, note="部室名称（集体）或姓名（个人）"),
        C("type", "类别", required=True, vocab="pioneer_type", width=8),
        C("department", "所在部室", width=14),
        C("reviewer", "评议人", width=10),
        C("score", "得分", "number", required=True, width=8, number_format="0.0", note="0–100分"),
    ),
    description="践诺成果评议打分，每位评议人对每个评议对象一行；评选先锋集体、先锋个人时取平均分",
)

TARGET_PROGRESS = Table(
    "target_progress", "指标进度", "tblTargetProgress",
    (
        C("name", "指标", required=True, width=30),
        C("period", "期次", required=True, width=14),
        C("value", "本期实际值", "quantity", width=12, number_format="#,##0.##", note="截至本期末的累计值"),
        C("note", "说明", "longtext", width=30),
        C("department", "报送部门", width=14, owner="product"),
        C("received_at", "报送时间", "datetime", width=18, owner="product"),
    ),
    description="各责任部门每期报送的指标累计值（汇总部门报送表时写入，也可手工填写）；指标的实际值取最近一期",
)

TABLES: dict[str, Table] = {
    t.key: t
    for t in (
        QUOTA_RULES, UNITS, LEADERS, PHASES, TASKS, TOPICS, ITEMS, TARGETS, SCORING_RULES,
        GRADE_THRESHOLDS, VALIDATION_RESULTS, SUBMISSIONS,
        MEMBERS, AWARDS, PRINTERS, *REVIEW_TABLES,
        COMMITMENTS, REVIEWS, TARGET_PROGRESS,
    )
}

README_SHEET = "说明"
STATS_SHEET = "统计"

SHEETS: tuple[Sheet, ...] = (
    Sheet(README_SHEET, "text", "product", "本工作簿的用法和按钮说明"),
    Sheet(SETTINGS_SHEET, "settings", "staff", "活动的基本信息，一行一项"),
    Sheet("配额规则", "tables", "staff", QUOTA_RULES.description, ("quota_rules",)),
    Sheet("单位名册", "tables", "staff", UNITS.description, ("units",)),
    Sheet("领导小组", "tables", "staff", LEADERS.description, ("leaders",)),
    Sheet("阶段安排", "tables", "staff", PHASES.description, ("phases",)),
    Sheet("任务分工", "tables", "staff", TASKS.description, ("tasks",)),
    Sheet("主题领域", "tables", "staff", TOPICS.description, ("topics",)),
    Sheet("征集明细", "tables", "product", ITEMS.description, ("items",)),
    Sheet("指标", "tables", "staff", TARGETS.description, ("targets",)),
    Sheet("考核规则", "tables", "staff", "考核项目、权重、计分方式及等次分数线。表彰规则：优秀组织单位须完成配额、"
          "总分大于 0 并达到“设置”中的表彰最低等次（空白按良好；不合格从不表彰），在名额内按总分排名；质量、采纳等"
          "考核项目尚无评分时，考核结果与表彰名单标为草稿，直到“考核结果已确认”填为“是”",
          ("scoring_rules", "grades")),
    Sheet("指标进度", "tables", "staff", TARGET_PROGRESS.description, ("target_progress",)),
    Sheet("承诺", "tables", "staff", COMMITMENTS.description, ("commitments",)),
    Sheet("践诺评议", "tables", "staff", REVIEWS.description, ("reviews",)),
    Sheet("获奖名单", "tables", "staff", AWARDS.description, ("awards",)),
    Sheet("会员名册", "tables", "staff", MEMBERS.description, ("members",)),
    Sheet("打印机校准", "tables", "staff", PRINTERS.description, ("printers",)),
    Sheet(STATS_SHEET, "report", "product", "按单位、类别、主题的统计、考核结果和图表（每次更新统计重新生成）"),
    Sheet("校验结果", "tables", "product", VALIDATION_RESULTS.description, ("validation",)),
    Sheet("报送记录", "tables", "product", SUBMISSIONS.description, ("submissions",)),
    *REVIEW_SHEETS,
)

SHEET_NAMES: tuple[str, ...] = tuple(s.name for s in SHEETS)
PRODUCT_SHEETS: tuple[str, ...] = tuple(s.name for s in SHEETS if s.owner == "product")


def sheet(name: str) -> Sheet:
    for s in SHEETS:
        if s.name == name:
            return s
    raise KeyError(name)


def tables_on(sheet_name: str) -> list[Table]:
    return [t for t in TABLES.values() if t.sheet == sheet_name]


def form_columns() -> list[Column]:
    """Columns of the 报送 sheet of a unit's form, in order (derived from 征集明细)."""
    return list(FORM.columns)


# Department forms (部门报送表): a 牵头/责任 department reports its tasks' progress or its
# indicators' cumulative values for the period of 设置 报送期次 (macros/app/dept_forms.py).
DEPT_FORM_VERSION = 2  # layout version of department forms; part of their token
DEPT_TASK_FORM = Table(
    "dept_task_form", "报送", "tblDeptTasks",
    (
        C("seq", "序号", "int", required=True, width=6),
        C("task", "任务", width=30),
        C("due", "截止日期", "date", width=12),
        C("status", "状态", vocab="task_status", width=10, in_form=True),
        C("progress", "进展说明", "longtext", width=40, in_form=True),
        C("done_on", "完成日期", "date", width=12, in_form=True),
        C("materials", "材料", "longtext", width=30, in_form=True, note="材料名称或存放位置"),
    ),
    description="部门报送表（任务进展）",
)
DEPT_INDICATOR_FORM = Table(
    "dept_indicator_form", "报送", "tblDeptIndicators",
    (
        C("name", "指标", required=True, width=30),
        C("target", "目标值", "quantity", width=12),
        C("unit", "计量单位", width=10),
        C("previous", "上期累计", "quantity", width=12),
        C("value", "本期实际值", "quantity", width=12, in_form=True, note="截至本期末的累计值"),
        C("note", "说明", "longtext", width=40, in_form=True),
    ),
    description="部门报送表（指标进度）",
)

# --- 承诺报送表: each 部室 returns its commitments (三比一争当, 定目标亮承诺) -------------------
# 序号 and 部室 are prefilled on every row (the 部室's own rows from 承诺, then blank rows to add);
# 完成时限 is text on the form so "2010年12月底" can be typed; it is read into 承诺's date and
# 时限说明 (macros.core.pledges.parse_due).
COMMITMENT_FORM_BLANK_ROWS = 10
DEPT_COMMITMENT_FORM = Table(
    "dept_commitment_form", "报送", "tblDeptCommitments",
    (
        C("seq", "序号", "int", required=True, width=6),
        C("department", "部室", width=12, in_form=True),
        C("goal", "目标任务", "longtext", width=40, in_form=True),
        C("measures", "具体措施", "longtext", width=36, in_form=True, note="倒排时间的进度安排和推进措施"),
        C("due", "完成时限", width=14, in_form=True, note="日期，或“2010年12月底”这样的写法"),
        C("owner", "责任人", width=10, in_form=True),
    ),
    description="部门报送表（承诺）",
)

# The forms units fill in: a 报送 sheet whose columns are the in_form columns of 征集明细, and a
# hidden metadata sheet tying the form to its campaign and unit (see macros/app/forms.py).
FORM_SHEET = "报送"
FORM_INFO_SHEET = "填报说明"
FORM_META_SHEET = "_kexie"
FORM = Table("form", FORM_SHEET, "tblForm", tuple(c for c in ITEMS.columns if c.in_form),
             owner="staff", description="单位填写的报送表")


def setting(key: str) -> Setting:
    for s in SETTINGS:
        if s.key == key:
            return s
    raise KeyError(key)


def settings_by_label() -> dict[str, Setting]:
    return {s.label: s for s in SETTINGS}


def vocabulary(key: str) -> tuple[str, ...] | VocabRef:
    return VOCABULARIES[key]


def to_markdown() -> str:
    """The generated reference of every sheet (docs/schema.md is this text, kept current by a test)."""
    lines = [
        "# 活动工作簿结构（由 macros/schema.py 生成，请勿手改）",
        "",
        "Generated by `kexie schema --markdown` from `macros/schema.py`; a test keeps it current.",
        "",
        "| 工作表 | 归属 | 内容 |",
        "| --- | --- | --- |",
    ]
    owner_zh = {"staff": "工作人员", "product": "程序生成"}
    for s in SHEETS:
        lines.append(f"| {s.name} | {owner_zh[s.owner]} | {s.description} |")
    lines += ["", f"## {SETTINGS_SHEET}", "", "| 项目 | key | 类型 | 必填 | 说明 |", "| --- | --- | --- | --- | --- |"]
    for st in SETTINGS:
        lines.append(f"| {st.label} | `{st.key}` | {st.type} | {'是' if st.required else ''} | {st.note} |")
    for t in TABLES.values():
        lines += [
            "",
            f"## {t.sheet} · `{t.key}` (Excel 表 `{t.excel_name}`)",
            "",
            t.description,
            "",
            "| 列 | key | 类型 | 必填 | 唯一 | 下拉/取值 | 宽度 | 格式 | 归属 | 说明 |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for c in t.columns:
            vocab = ""
            if c.vocab:
                v = VOCABULARIES[c.vocab]
                vocab = "、".join(v) if isinstance(v, tuple) else f"{TABLES[v.table].sheet}!{TABLES[v.table].column(v.column).header}"
            lines.append(
                f"| {c.header} | `{c.key}` | {c.type} | {'是' if c.required else ''} | "
                f"{'是' if c.unique else ''} | {vocab} | {c.width:g} | {c.format or ''} | "
                f"{owner_zh[c.owner]} | {c.note} |"
            )
    return "\n".join(lines) + "\n"


# --- tallies: the tables of the 统计 sheet and the weights file of kexie allocate ---
# 统计 is a free-layout report sheet regenerated by ``kexie tally`` (macros/app/stats_sheet.py
# lays it out from these definitions). These tables are not in TABLES: nothing reads them back,
# and load_campaign must not look for them. Live Excel formulas fill the columns marked
# ``note="公式"`` wherever a value follows from 征集明细.

_F = "公式：修改征集明细后自动更新"
PERCENT_FORMAT = "0.0%"
SCORE_FORMAT = "0.00"

# 实报…完成率 of a unit and of a category alike
_QUOTA_COUNTS = (
        C("submitted", "实报", "int", width=8, owner="product", note=_F),
        C("valid", "有效", "int", width=8, owner="product", note=_F),
        C("late", "逾期", "int", width=8, owner="product", note=_F),
        C("shortfall", "差额", "int", width=8, owner="product", note=_F),
        C("completion", "完成率", "number", width=9, owner="product", number_format=PERCENT_FORMAT,
          note=_F),
)

STATS_UNITS = Table(
    "stats_units", STATS_SHEET, "tblStatsUnits",
    (
        C("unit_code", "单位编号", width=10, owner="product"),
        C("unit", "单位名称", width=30, owner="product"),
        C("category", "单位类别", width=14, owner="product"),
        C("quota", "应报", "int", width=8, owner="product", note="单位配额，空白按类别最少报送数"),
        *_QUOTA_COUNTS,
    ),
    owner="product", description="按单位统计：应报、实报、有效、逾期、差额、完成率",
)

STATS_CATEGORIES = Table(
    "stats_categories", STATS_SHEET, "tblStatsCategories",
    (
        C("category", "单位类别", width=14, owner="product"),
        C("units", "单位数", "int", width=8, owner="product"),
        C("quota", "应报", "int", width=8, owner="product"),
        *_QUOTA_COUNTS,
        C("short_units", "未达标单位数", "int", width=12, owner="product", note=_F),
    ),
    owner="product", description="按单位类别统计（合计行在最后）",
)

STATS_TOPICS = Table(
    "stats_topics", STATS_SHEET, "tblStatsTopics",
    (
        C("code", "编号", width=6, owner="product"),
        C("topic", "主题", width=40, owner="product"),
        C("submitted", "实报", "int", width=8, owner="product", note=_F),
        C("valid", "有效", "int", width=8, owner="product", note=_F),
        C("late", "逾期", "int", width=8, owner="product", note=_F),
        C("adopted", "采纳", "int", width=8, owner="product", note=_F),
        C("label", "简称", width=18, owner="product", note="图表中的标签"),
    ),
    owner="product", description="按主题领域统计",
)

# The assessment table: these columns, with one column per row of 考核规则 (its 项目 as the
# header, 0–100 points before weighting) inserted before 总分.
STATS_ASSESSMENT = Table(
    "stats_assessment", STATS_SHEET, "tblStatsAssessment",
    (
        C("rank", "排名", "int", width=6, owner="product", note=_F),
        C("unit_code", "单位编号", width=10, owner="product"),
        C("unit", "单位名称", width=30, owner="product"),
        C("category", "单位类别", width=14, owner="product"),
        C("score", "总分", "number", width=8, owner="product", number_format=SCORE_FORMAT, note=_F),
        C("grade", "等次", width=8, owner="product", note=_F),
    ),
    owner="product", description="考核结果：各考核项目得分、加权总分、排名（并列时同名次）和等次",
)
STATS_RULE_COLUMNS_BEFORE = "score"  # the 考核规则 columns go before this column

STATS_EXCELLENT = Table(
    "stats_excellent", STATS_SHEET, "tblStatsExcellent",
    (
        C("rank", "排名", "int", width=6, owner="product"),
        C("unit_code", "单位编号", width=10, owner="product"),
        C("unit", "单位名称", width=30, owner="product"),
        C("score", "总分", "number", width=8, owner="product", number_format=SCORE_FORMAT),
        C("grade", "等次", width=8, owner="product"),
    ),
    owner="product", description="优秀组织单位（考核排名前 N 名，N 为“设置”中的优秀组织单位名额）",
)

STATS_INDIVIDUALS = Table(
    "stats_individuals", STATS_SHEET, "tblStatsIndividuals",
    (
        C("author", "献策人", width=10, owner="product"),
        C("author_org", "工作单位", width=24, owner="product"),
        C("unit", "报送单位", width=24, owner="product"),
        C("adopted", "采纳条数", "int", width=8, owner="product"),
        C("titles", "被采纳的题目", "longtext", width=50, owner="product"),
    ),
    owner="product", description="先进个人（有计策被采纳的献策人）",
)

STATS_TARGETS = Table(
    "stats_targets", STATS_SHEET, "tblStatsTargets",
    (
        C("seq", "序号", "int", width=6, owner="product"),
        C("name", "指标", width=30, owner="product"),
        C("target", "目标值", "number", width=10, owner="product", number_format="#,##0.##"),
        C("actual", "实际值", "number", width=10, owner="product", number_format="#,##0.##"),
        C("unit", "计量单位", width=8, owner="product"),
        C("compare", "比较", width=6, owner="product"),
        C("completion", "完成率", "number", width=9, owner="product", number_format=PERCENT_FORMAT),
        C("status", "完成情况", width=10, owner="product"),
        C("department", "责任部门", width=14, owner="product"),
    ),
    owner="product", description="指标完成情况（≥ 实际÷目标；≤ 目标÷实际；= 相等为完成）",
)

STATS_TASKS = Table(
    "stats_tasks", STATS_SHEET, "tblStatsTasks",
    (
        C("seq", "序号", "int", width=6, owner="product"),
        C("task", "任务", width=36, owner="product"),
        C("lead", "牵头部门", width=18, owner="product"),
        C("support", "配合部门", width=30, owner="product", note="“其他部室”已展开为具体部室"),
        C("due", "截止日期", "date", width=12, owner="product"),
        C("status", "状态", width=8, owner="product"),
        C("overdue", "是否逾期", width=8, owner="product"),
        C("days_overdue", "逾期天数", "int", width=8, owner="product"),
    ),
    owner="product", description="任务进度：截止日期已过且未完成的任务为逾期",
)

STATS_DEPARTMENTS = Table(
    "stats_departments", STATS_SHEET, "tblStatsDepartments",
    (
        C("department", "部门", width=12, owner="product"),
        C("lead", "牵头任务数", "int", width=10, owner="product"),
        C("join", "配合任务数", "int", width=10, owner="product"),
        C("overdue", "牵头逾期任务数", "int", width=14, owner="product"),
    ),
    owner="product", description="各部门牵头、配合的任务数",
)

# 比进度 and 评选 (三比一争当) and indicator progress by period
STATS_PROGRESS = Table(
    "stats_progress", STATS_SHEET, "tblStatsProgress",
    (
        C("rank", "名次", "int", width=6, owner="product"),
        C("department", "部室", width=14, owner="product"),
        C("total", "承诺任务数", "int", width=10, owner="product"),
        C("done", "已完成", "int", width=8, owner="product"),
        C("on_time", "按时完成", "int", width=8, owner="product"),
        C("overdue", "逾期未完成", "int", width=10, owner="product"),
        C("rate", "按时完成率", "number", width=10, owner="product", number_format=PERCENT_FORMAT),
    ),
    owner="product", description="比进度：各部室按时完成承诺任务的情况（按时完成数多者在前，并列同名次）",
)

STATS_PIONEERS = Table(
    "stats_pioneers", STATS_SHEET, "tblStatsPioneers",
    (
        C("type", "类别", width=8, owner="product"),
        C("rank", "名次", "int", width=6, owner="product"),
        C("candidate", "评议对象", width=16, owner="product"),
        C("department", "所在部室", width=14, owner="product"),
        C("reviews", "评议人数", "int", width=8, owner="product"),
        C("score", "平均分", "number", width=8, owner="product", number_format=SCORE_FORMAT),
        C("selected", "是否当选", width=8, owner="product"),
    ),
    owner="product", description="评选：践诺评议平均分排名，名额内（并列同名次）当选先锋集体、先锋个人",
)

STATS_TARGET_PERIODS = Table(
    "stats_target_periods", STATS_SHEET, "tblStatsTargetPeriods",
    (
        C("name", "指标", width=30, owner="product"),
        C("period", "期次", width=14, owner="product"),
        C("value", "累计值", "number", width=10, owner="product", number_format="#,##0.##"),
        C("completion", "完成率", "number", width=9, owner="product", number_format=PERCENT_FORMAT),
        C("department", "报送部门", width=14, owner="product"),
    ),
    owner="product", description="指标分期进度：每期报送的累计值及当期完成率",
)

STATS_TABLES: dict[str, Table] = {
    t.key: t
    for t in (
        STATS_UNITS, STATS_CATEGORIES, STATS_TOPICS, STATS_ASSESSMENT, STATS_EXCELLENT,
        STATS_INDIVIDUALS, STATS_TARGETS, STATS_TASKS, STATS_DEPARTMENTS,
        STATS_PROGRESS, STATS_PIONEERS, STATS_TARGET_PERIODS,
    )
}

# The weights file of ``kexie allocate`` (.xlsx or UTF-8 .csv): a column naming the unit — 单位
# (name or code), or 单位名称 / 单位编号 as in 单位名册 — and 权重. When 单位编号 is present it
# is the last tie-break of the allocation; otherwise the unit as written is.
WEIGHTS = Table(
    "weights", "权重", "tblWeights",
    (
        C("unit", "单位", width=30, note="单位名称或单位编号"),
        C("name", "单位名称", width=30),
        C("code", "单位编号", width=10),
        C("weight", "权重", "number", required=True, width=8),
    ),
    description="kexie allocate 的权重表",
)


# ---------------------------------------------------------------- print layout (page setup)
# How each sheet staff print comes out of the printer: A4, fit to one page wide (as many pages
# tall as needed), the header row repeated on every page, landscape where the table is wide.
# Applied by the workbook builder, the 统计 writer and the forms (macros.adapters.xlsx_print).

PAPER_SIZE = "A4"


@dataclass(frozen=True)
class PageSetup:
    landscape: bool = False
    repeat_header: bool = True  # the table's header row is printed on every page
    fit_width: bool = True  # one page wide, any number of pages tall


_WIDE = PageSetup(landscape=True)
_NARROW = PageSetup()

PAGE_SETUPS: dict[str, PageSetup] = {
    README_SHEET: PageSetup(repeat_header=False),
    SETTINGS_SHEET: _WIDE,
    "配额规则": _NARROW,
    "单位名册": _WIDE,
    "领导小组": _NARROW,
    "阶段安排": _WIDE,
    "任务分工": _WIDE,
    "主题领域": _NARROW,
    "征集明细": _WIDE,
    "指标": _NARROW,
    "考核规则": _NARROW,
    STATS_SHEET: PageSetup(landscape=True, repeat_header=False),  # blocks, not one table
    "校验结果": _WIDE,
    "报送记录": _WIDE,
    "获奖名单": _WIDE,
    "会员名册": _WIDE,
    "打印机校准": _NARROW,
    "评审专家": _WIDE,
    "评审标准": _NARROW,
    "评审分配": _WIDE,
    "评审结果": _WIDE,
    "指标进度": _WIDE,
    "承诺": _WIDE,
    "践诺评议": _WIDE,
    FORM_SHEET: _WIDE,
    FORM_INFO_SHEET: PageSetup(repeat_header=False),
}


def page_setup(sheet_name: str) -> PageSetup | None:
    """The print layout of a sheet of the workbook or of a form (None: not printed)."""
    return PAGE_SETUPS.get(sheet_name)
