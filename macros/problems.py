"""Problems found in data: a stable code, a level, a Chinese message and the cell it concerns.

Every code is registered once in ``CODES`` with its level and a Chinese message template; the
code table in the docs is generated from this registry (``kexie codes --markdown``).
Families: E0xx/W0xx files and workbook structure, E1xx/W1xx sheet contents (validation),
E2xx/W2xx returned forms and consolidation, E3xx/W3xx tallies and allocation, E4xx documents.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Level = Literal["error", "warning"]
LEVEL_ZH = {"error": "错误", "warning": "警告"}


@dataclass(frozen=True)
class CodeInfo:
    code: str
    level: Level
    template: str  # Chinese, str.format fields filled from Problem context
    title: str  # short Chinese name for the code table


CODES: dict[str, CodeInfo] = {}


def register(code: str, title: str, template: str) -> CodeInfo:
    """Register a problem code; the level follows from its first letter (E error, W warning)."""
    level: Level = "error" if code.startswith("E") else "warning"
    if code in CODES and CODES[code].template != template:
        raise ValueError(f"problem code {code} registered twice with different texts")
    info = CodeInfo(code, level, template, title)
    CODES[code] = info
    return info


# Structure codes shared by every reader.
register("E001", "缺少工作表", "工作簿缺少工作表“{sheet}”。请用 kexie new 新建的模板，或补上该工作表。")
register("E002", "缺少列", "工作表“{sheet}”缺少列“{column}”。请在表头行补上这一列（列的顺序可以任意）。")
register("E003", "文件无法读取", "文件无法读取：{detail}")


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    level: Level = "error"
    sheet: str | None = None
    cell: str | None = None  # A1 reference, e.g. "C7"
    row: int | None = None  # 1-based worksheet row
    column: str | None = None  # Chinese header of the column
    value: Any = None  # the original value as found
    suggestion: str | None = None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        v = d["value"]
        if v is not None and not isinstance(v, (str, int, float, bool)):
            d["value"] = str(v)
        return d


def problem(code: str, *, sheet=None, cell=None, row=None, column=None, value=None,
            suggestion=None, **fields) -> Problem:
    """Build a Problem from a registered code, filling its Chinese message template."""
    info = CODES[code]
    ctx = {"sheet": sheet, "cell": cell, "row": row, "column": column, "value": value,
           "suggestion": suggestion, **fields}
    return Problem(code=code, message=info.template.format(**ctx), level=info.level, sheet=sheet,
                   cell=cell, row=row, column=column, value=value, suggestion=suggestion)


def codes_markdown() -> str:
    lines = ["| 代码 | 级别 | 名称 | 说明模板 |", "| --- | --- | --- | --- |"]
    for code in sorted(CODES):
        info = CODES[code]
        lines.append(f"| {code} | {LEVEL_ZH[info.level]} | {info.title} | {info.template} |")
    return "\n".join(lines) + "\n"


# Validation of a campaign workbook (macros/core/validate/): E1xx errors, W1xx warnings.
# Message fields: {column} the Chinese header, {text} the value as shown, {suggestion},
# {hint} "是否应为“…”？" when there is a suggestion, plus the fields named per code.
register("E101", "必填项为空", "“{column}”不能为空，请填写。")
register("E102", "日期无法识别", "“{column}”应为日期，“{text}”无法识别为日期。请填写如 2010-10-20 的日期。")
register("E103", "整数无法识别", "“{column}”应为整数，“{text}”无法识别为整数。请填写如 3 的整数。")
register("E104", "数字无法识别", "“{column}”应为数字，“{text}”无法识别为数字。请填写如 60 或 20万 的数字。")
register("E105", "电话号码无法识别",
         "“{column}”中的“{text}”不是有效的电话号码。请填写一个固定电话（如 0415-2127152 或 2127152）"
         "或 11 位手机号码。")
register("E106", "电子邮箱无法识别",
         "“{column}”中的“{text}”不是有效的电子邮箱。请填写一个如 ddkxxhb@163.com 的地址。")
register("E107", "不在可选范围内",
         "“{column}”的值“{text}”不在可选范围内（{choices}）。{hint}请从下拉列表中选择。")
register("E108", "取值重复",
         "“{column}”的值“{text}”与第 {other_row} 行重复（已忽略空格、全半角和繁简差异），"
         "{column}不能重复。请修改或删除其中一行。")
register("E109", "超出范围", "“{column}”的值“{text}”超出范围：{rule}。")
register("E110", "单位编号不在名册中",
         "单位编号“{text}”不在“单位名册”中。{hint}请核对编号，或先在“单位名册”中登记该单位。")
register("E111", "报送单位不在名册中",
         "报送单位“{text}”不在“单位名册”中。{hint}请核对单位名称，或先在“单位名册”中登记该单位。")
register("E112", "结束日期早于开始日期", "{end_label}（{end}）早于{start_label}（{start}）。请核对这两个日期。")
register("E113", "部门不在名册中",
         "“{dept}”不是“单位名册”中的机关部室。{hint}部门名称须与名册一致，多个部门用顿号分隔；"
         "“其他部室”表示其余所有部室。")
register("E114", "牵头部门不能是“其他部室”",
         "牵头部门不能写“其他部室”。请写明牵头的部室，“其他部室”只用于配合部门。")
register("E115", "考核权重合计不为100", "“考核规则”中各项权重合计为 {total}，应为 100。请调整各项权重。")
register("E116", "找不到表头",
         "工作表“{sheet}”中找不到表头行（应含：{headers}）。请恢复表头，或参照 kexie new 新建的工作簿。")
register("E117", "设置缺少项目",
         "“设置”工作表中没有“{column}”这一项。请在“项目”列补上“{column}”，并在“值”列填写。")
register("W101", "缺少可选列", "工作表“{sheet}”缺少列“{column}”。这一列可以不填，但建议补上表头。")
register("W102", "写法不规范",
         "“{text}”不是标准写法（{kind}），建议改为“{suggestion}”。程序已按“{suggestion}”理解，未改动原值。")
register("W103", "主题领域写成了编号",
         "主题领域写成了编号“{text}”，对应第 {number} 项“{suggestion}”。建议改为主题名称。")
register("W104", "逾期报送", "报送日期 {date} 晚于截止日期 {deadline}（晚 {days} 天），计为逾期报送。")
register("W105", "字数超过上限", "正文共 {count} 字，超过字数上限 {limit} 字。请压缩正文，或确认后保留。")
register("W106", "字数与正文不符",
         "填写的字数 {text} 与正文实际字数 {count} 不符（汉字、标点各计 1 字，连续的英文字母或数字计 1 字）。"
         "建议改为 {count}。")
register("W107", "报送日期早于开始日期", "报送日期 {date} 早于活动开始日期 {start}，请核对是否写错。")
register("W108", "日期晚于今天", "“{column}” {date} 晚于今天（{today}），请核对是否写错。")
register("W109", "报送单位与编号不一致",
         "报送单位“{text}”与单位编号 {unit_code} 在“单位名册”中的名称“{suggestion}”不一致。请核对单位编号和单位名称。")
register("W110", "可能重复报送",
         "该单位的题目“{text}”与第 {other_row} 行相同，可能是重复报送。如确属重复，请把其中一行的“状态”改为“重复”。")
register("W111", "单位类别没有配额规则",
         "单位类别“{text}”在“配额规则”中没有对应的行，该类单位的配额按 0 计算。"
         "请在“配额规则”中补上该类别，或在“配额”列为单位单独填写。")
register("W112", "领导小组没有组长", "领导小组中没有“组长”。请核对“小组职务”。")
register("W113", "阶段顺序颠倒",
         "阶段“{phase}”的开始日期 {start} 早于上一阶段“{prev}”（第 {other_row} 行）的开始日期 {prev_start}。"
         "请按时间顺序排列各阶段。")
register("W114", "阶段时间重叠",
         "阶段“{phase}”（{start} 开始）与上一阶段“{prev}”（第 {other_row} 行，{prev_end} 结束）时间重叠。"
         "如确需交叉进行，可忽略本提示。")
register("W115", "责任部门不在名册中", "“{dept}”不是“单位名册”中的机关部室。{hint}请核对部门名称。")
register("W116", "名册中没有机关部室",
         "“单位名册”中没有单位类别为“机关部室”的单位，无法核对牵头、配合部门。请在名册中登记各部室。")
register("W117", "指标单位与计量单位不一致",
         "“{text}”的单位“{unit}”与计量单位“{expected}”不一致，程序按 {number}{unit} 理解。{hint}"
         "请在此列只填数字，单位写在“计量单位”列。")
register("W118", "等次分数线顺序不对",
         "等次“{grade}”的最低分 {score} 不低于更高等次“{prev}”的最低分 {prev_score}。"
         "请按 优秀 > 良好 > 合格 > 不合格 从高到低设置分数线。")


# Tallies, assessment, targets, tasks (macros/core/tally/) and allocation (macros/core/allocate.py,
# macros/app/allocate.py): E3xx errors, W3xx warnings. E31x are impossible allocation requests.
register("W301", "明细的单位编号不在名册中",
         "单位编号“{text}”不在“单位名册”中，这一条未计入任何单位的统计（仍计入按主题统计）。"
         "请核对单位编号，或先在“单位名册”中登记该单位。")
register("W302", "单位类别没有配额规则",
         "单位“{unit}”的类别“{text}”在“配额规则”中没有对应的行，应报按 0 计算。"
         "请在“配额规则”中补上该类别，或在“配额”列为该单位单独填写。")
register("W303", "没有截止日期", "“设置”中没有可识别的截止日期，无法判断逾期，全部按按时报送统计。请填写截止日期。")
register("W304", "考核权重合计不为100",
         "“考核规则”中参与计分的权重合计为 {total}，不是 100；总分已按各项权重的比例折算为百分制。")
register("W305", "计分方式无法识别",
         "考核项目“{item}”的计分方式“{text}”无法识别（可选：{choices}），或权重不是正数，该项未计分。")
register("W306", "没有等次分数线", "“考核规则”中没有可用的等次分数线，考核结果不评定等次。")
register("W307", "指标数值无法识别", "指标“{name}”的{column}“{text}”无法识别为数字，完成率无法计算。请只填写数字。")
register("W308", "指标数值单位不一致",
         "指标“{name}”的{column}“{text}”的单位与计量单位“{unit}”不一致，已按数值 {number:g} 计算。"
         "请在此列只填数字，单位写在“计量单位”列。")
register("W309", "任务部门不在名册中",
         "任务 {seq} 的{column}“{dept}”不是“单位名册”中的机关部室，已按原样统计。请核对部门名称。")
register("W310", "任务截止日期无法识别", "任务 {seq} 的截止日期“{text}”无法识别，无法判断是否逾期。请填写如 2019-10-16 的日期。")
register("W311", "评分超出范围", "评分“{text}”不在 0–100 分之间，计算平均分时按 0–100 分截取。")
register("W312", "配额为负数", "单位“{unit}”的配额“{text}”为负数，按 0 计算。")
register("W313", "名册中没有机关部室",
         "“单位名册”中没有机关部室，任务 {seq} 配合部门中的“其他部室”无法展开。请在名册中登记各部室。")
register("W320", "权重表不是 UTF-8 编码", "权重表“{file}”不是 UTF-8 编码，已按 GBK（GB18030）读取。建议另存为“CSV UTF-8”。")
register("E301", "权重表找不到表头",
         "权重表“{file}”中找不到表头行（应含“单位”（或“单位名称”“单位编号”）和“权重”两列）。")
register("E302", "权重无法识别", "单位“{unit}”的权重“{text}”不是数字，该单位未参加分配。请填写数字。")
register("E303", "权重为负数", "单位“{unit}”的权重 {text} 为负数，该单位未参加分配。权重应不小于 0。")
register("E304", "单位重复", "单位“{text}”与第 {other_row} 行重复，本行未参加分配。请合并为一行。")
register("E305", "单位为空", "本行填写了权重“{text}”但没有单位，未参加分配。")
register("E310", "分配参数为负数", "分配总数、保底数和上限都不能为负数（总数 {total}，保底 {floor}，上限 {cap}）。")
register("E311", "保底数大于上限", "每个单位的保底数 {floor} 大于上限 {cap}，无法分配。")
register("E312", "保底数过大",
         "保底数 {floor} × {units} 个单位 = {need}，超过分配总数 {total}，无法分配。请降低保底数。")
register("E313", "上限过小",
         "上限 {cap} × {units} 个单位 = {most}，不足分配总数 {total}，无法分配。请提高上限。")
register("E314", "没有参加分配的单位", "权重表中没有可参加分配的单位（总数 {total}），无法分配。")
register("E315", "权重为0的单位过多",
         "权重大于 0 的单位不足以分完 {total}（权重为 0 的单位只分得保底数 {floor}，其余单位不超过上限），"
         "无法分配。请检查权重。")
register("E316", "权重无效", "权重 {weight} 无效（应为不小于 0 的数字），无法分配。")


# Returned forms and consolidation (macros/adapters/form_reader.py, macros/app/consolidate.py):
# E2xx errors (a file or row not taken in), W2xx warnings. Fields: {file} the file name, plus
# those named per code.
register("E201", "文件无法读取",
         "文件“{file}”不是可以读取的 Excel 工作簿（{detail}）。请让报送单位用 Excel、WPS 或 LibreOffice "
         "打开报送表，另存为 .xlsx 后重新发送。")
register("E202", "文件已加密",
         "文件“{file}”设置了打开密码，程序无法读取。请让报送单位取消密码（文件→信息→保护工作簿→用密码进行加密，"
         "清空密码）后重新发送。")
register("E203", "不是本活动的报送表",
         "文件“{file}”不是用“科协工作台”生成的报送表（{detail}）。请让报送单位使用下发的报送表填写，"
         "不要另建表格或复制到新工作簿。")
register("E204", "其他活动的报送表",
         "文件“{file}”是另一个活动（活动编号 {other}）的报送表，不是本活动（活动编号 {ours}）的。"
         "请核对是否发错了文件。")
register("E205", "报送表校验码不符",
         "文件“{file}”的校验码与单位编号“{unit}”不符：报送表的隐藏信息被改动过，或使用了其他单位的报送表。"
         "本文件未汇总。请让该单位使用下发给本单位的报送表重新填写。")
register("E206", "单位不在名册中",
         "文件“{file}”的报送单位编号“{unit}”不在“单位名册”中。请核对名册（单位编号是否被修改或删除）。")
register("E207", "文件过大或结构异常",
         "文件“{file}”{detail}，可能是损坏或恶意构造的文件，为安全起见未读取。请让报送单位重新另存后发送。")
register("E208", "文件含不安全的内容",
         "文件“{file}”的内部数据含有不安全的 XML 声明（{detail}），正常的 Excel 文件不会有，为安全起见未读取。")
register("E209", "报送行数过多",
         "文件“{file}”的“报送”工作表有 {count} 行数据，超过上限 {limit} 行，未汇总。请核对是否误粘贴了大量内容。")
register("E210", "报送表缺少必填列",
         "文件“{file}”的“报送”工作表缺少列：{columns}。请不要删除或改写表头，使用下发的报送表重新填写。")
register("E211", "报送表是空的", "文件“{file}”的“报送”工作表没有填写任何计策，未汇总。")
register("E212", "没有一行通过校验",
         "文件“{file}”中没有一行通过校验（问题见各行提示），本文件未汇总，该单位此前报送的内容保持不变。")
register("E213", "缺少报送表密钥",
         "活动工作簿旁没有报送表密钥文件（{key}），无法核验报送表是否为本活动下发的。请把生成报送表时的密钥文件放回"
         "活动工作簿所在的文件夹。")
register("W201", "移出征集明细的行有工作人员填写的内容",
         "单位“{unit}”重新报送后，原计策“{title}”（编号 {item_id}）已不在新表中，其{columns}已从“征集明细”移除，"
         "原值保存在汇总台账中（备份文件夹中也有旧工作簿）。")
register("W202", "填表日期晚于收到日期",
         "文件“{file}”的填表日期“{text}”晚于收到文件的日期 {received}，已按收到日期作为报送日期。")
register("W203", "填表日期无法识别",
         "文件“{file}”的填表日期“{text}”无法识别为日期，已按收到文件的日期 {received} 作为报送日期。")

# Intake hardening (forms that look genuine but are not what they seem, staff edits, ceilings):
# E214–E229 / W204–W219.
register("E214", "数据工作表缺失或被隐藏",
         "文件“{file}”中用于填报的工作表“{sheet}”{detail}，只读取这一张工作表，本文件未汇总。"
         "请让报送单位使用下发的报送表，不要改名、隐藏或删除“{sheet}”工作表。")
register("E215", "超过每单位报送上限",
         "文件“{file}”有 {count} 条计策，超过每个单位的报送上限 {limit} 条（“设置”中的“每单位报送上限”），"
         "本文件未汇总，该单位此前报送的内容保持不变。请核对是否误粘贴了大量内容；确需多报时请调高该上限。")
register("W204", "报送表上显示的单位与隐藏信息不符",
         "文件“{file}”表头显示的报送单位是“{shown}”，但隐藏的校验信息属于“{unit}”：可能把其他单位报送表的"
         "隐藏信息复制到了本表。已按“{unit}”汇总，请与两个单位核实。")
register("W205", "替换了另一份报送表",
         "文件“{file}”替换了“{unit}”此前已汇总的报送表“{previous}”，但{why}。"
         "如不是该单位本人重新报送，请核实后从收件箱移除本文件并重新汇总。")
register("W206", "重新报送后行数大幅减少",
         "文件“{file}”替换了“{unit}”此前已汇总的报送表“{previous}”，计策从 {before} 条减少到 {after} 条。"
         "请与该单位核实是否漏填。")
register("W207", "字数不是数字",
         "“字数”中填写了文字“{text}”，字数由程序按正文重新计算，已忽略该内容。")
register("W208", "工作人员删除的行又被汇总进来",
         "“征集明细”中被删除的计策“{title}”（{unit}，编号 {item_id}）仍在该单位当前的报送表中，已重新加入。"
         "如确要删除，请在“状态”列标为作废，而不是删除该行。")

# ---------------------------------------------------------------- kexie doctor (E9xx/W9xx)
# What this PC lacks; each finding says what to do (macros.app.doctor).
register("E901", "Python 版本过低", "Python {detail} 过低：kexie 需要 Python 3.11 或更高版本。")
register("E902", "缺少依赖包", "依赖包不全或版本不符：{detail}")
register("E903", "没有可生成 PDF 的程序", "未找到 LibreOffice（也没有 Microsoft Word）：{detail}")
register("E904", "缺少中文字体", "缺少模板需要的中文字体：{detail}")
register("W905", "公文字体由替代字体代替", "GB/T 9704 公文字体 {detail}")
register("E906", "加载项与本机不符", "Excel 加载项与本机的 kexie 不符：{detail}")
register("W907", "加载项未安装", "Excel 加载项未安装：{detail}")
register("E908", "文件夹无法写入", "活动文件夹无法写入：{detail}")
register("W909", "邮箱设置有误", "“设置”中的邮箱设置有误：{detail}")
register("W910", "未设置邮箱密码", "未设置邮箱密码（环境变量 KEXIE_MAIL_PASSWORD）：{detail}")
register("W911", "kexie 未作为软件包安装", "kexie 未作为软件包安装：{detail}")
register("E912", "找不到工作簿或文件夹", "找不到工作簿或文件夹：{detail}")

# Expert review (kexie review assign, reviewers' score forms, review results): E6xx/W6xx.
register("E601", "评分表校验码不符",
         "文件“{file}”的评分表校验码与专家“{reviewer}”不符（可能被改动，或不是本活动下发的评分表），未汇总。"
         "请向该专家重新发送 kexie forms 生成的评分表。")
register("E602", "评分表的专家不在名单中",
         "文件“{file}”是专家编号“{reviewer}”的评分表，但“评审专家”中没有这个编号，未汇总。")
register("E603", "评分超过满分",
         "“{column}”评分 {text} 超过该项满分 {max}，本行未汇总。请专家改正后重新发送评分表。")
register("E604", "评分无法识别",
         "“{column}”应为 0 到 {max} 之间的数字，“{text}”无法识别，本行未汇总。")
register("E605", "不是分给该专家的条目",
         "编号“{item_id}”没有分给专家“{reviewer}”评审，本行未汇总。请核对“评审分配”，或让专家使用最新的评分表。")
register("E606", "评分不完整",
         "编号“{item_id}”的评分缺少：{columns}，本行未汇总。请专家补全各项评分后重新发送。")
register("E607", "评分表缺少列",
         "文件“{file}”的“评分”工作表缺少列：{columns}，未汇总。请不要改动表头，使用下发的评分表重新填写。")
register("E608", "没有评审专家", "“评审专家”工作表中没有专家，无法分配评审。请先填写评审专家名单。")
register("E609", "评分表的编号重复",
         "编号“{item_id}”在评分表中出现了不止一次，只采用第 {first} 行，本行未汇总。")
register("W601", "主题相符的专家不足",
         "“{title}”（编号 {item_id}）的主题领域只有 {matched} 位相符的专家，其余 {fallback} 位由其他专家补足。")
register("W602", "评审专家不足",
         "“{title}”（编号 {item_id}）只分到 {assigned} 位专家（应为 {wanted} 位）：其余专家与报送单位相同或人数不够。")
register("W603", "条目尚未评分",
         "专家“{reviewer}”的评分表中，编号“{item_id}”还没有评分。")
register("W604", "工作人员填写的评分未覆盖",
         "编号“{item_id}”的“评分”是工作人员填写的 {text}，评审得分 {score} 没有写入，保留原值。")
register("W605", "评审设置无法识别",
         "“设置”中的“{label}”为“{text}”，无法识别，已按“{default}”处理。")
register("W606", "需复议", "“{title}”（编号 {item_id}）各专家评分相差 {spread} 分，超过复议分差阈值 {limit} 分，请组织复议。")
register("W607", "评分表中的条目已不参评",
         "专家“{reviewer}”的评分表中编号“{item_id}”已不在“征集明细”的有效条目中，本行未采用。")
register("E610", "评分表没有有效评分",
         "文件“{file}”中没有一条通过校验的评分（问题见各行提示），本文件未汇总，该专家此前交回的评分保持不变。")

# Text taken in (house): invisible characters and topics typed by hand.
register("W247", "主题领域按简称或编号识别",
         "“主题领域”填写的“{text}”按{how}识别为“{suggestion}”。建议改为完整的主题领域。")
register("W248", "含不可见的控制字符",
         "“{column}”含有不可见的控制字符 {chars}（文字方向控制符、零宽字符等），已删除后汇总；请核对该单元格的文字。")

# The campaign mailbox and receipts (macros/core/mail_parse.py, macros/adapters/mailbox.py,
# macros/app/mail.py): E5xx errors, W5xx warnings. Fields: {file} an attachment's name,
# {subject} a message's subject, {detail}, plus those named per code. E501–E505 are the
# connection errors of a whole run (exit 2); E506–E508 concern one message or attachment.
register("E501", "无法连接邮件服务器",
         "无法连接邮件服务器 {server}（{detail}）。请检查网络，以及“设置”中的收件服务器、发件服务器和端口是否正确。")
register("E502", "邮箱登录失败",
         "邮箱 {account} 登录失败（{detail}）。请确认已开启 IMAP 服务并使用客户端授权码"
         "（不是网页登录密码），授权码放在环境变量 KEXIE_MAIL_PASSWORD 或系统钥匙串中。")
register("E503", "加密连接失败",
         "与邮件服务器 {server} 建立加密连接失败（{detail}）。请检查“设置”中的加密方式（SSL 或 STARTTLS）"
         "和端口是否与邮箱服务商的说明一致，以及本机时间是否正确。")
register("E504", "邮箱空间已满",
         "邮箱 {account} 的空间已满（{detail}）。请在网页邮箱中清理旧邮件后重新运行。")
register("E505", "邮箱文件夹无法打开",
         "邮箱 {account} 的文件夹“{folder}”无法打开（{detail}）。请确认已开启 IMAP 服务并使用客户端授权码；"
         "文件夹名称应与网页邮箱中的一致（收件箱为 INBOX）。")
register("E506", "邮件无法解析",
         "邮件“{subject}”无法解析（{detail}），已记为未处理，原始邮件保存在“{eml}”。请联系发件单位重新发送。")
register("E507", "附件无法解压",
         "附件“{file}”无法解压：{detail}。请让报送单位直接发送文件，或重新压缩（不要设置密码）后发送。")
register("E508", "压缩包过大或结构异常",
         "附件“{file}”{detail}，可能是损坏或恶意构造的压缩包，为安全起见未解压。请让报送单位直接发送文件。")
register("E509", "邮箱设置不完整",
         "“设置”中的邮箱设置有误：{detail}")
register("E510", "未找到邮箱密码",
         "没有找到邮箱 {account} 的密码。请把客户端授权码放在环境变量 KEXIE_MAIL_PASSWORD 中，"
         "或保存到系统钥匙串（服务名 kexie-mail，用户名为邮箱账号）。")
register("W501", "回执未发送",
         "发给 {to} 的回执（邮件“{subject}”）未能发送（{detail}），下次收取邮件时会再次发送。")
register("W502", "发件人不在单位名册中",
         "邮件“{subject}”的发件人 {sender} 不是“单位名册”中任何单位的电子邮箱；附件中没有报送表校验码的文件无法确定单位。"
         "如该地址属于某个单位，请把它填入该单位的“电子邮箱”（多个地址用分号分隔）。")
register("W503", "名称含不可见字符",
         "附件名“{file}”中含有不可见的控制字符（如文字方向控制符、零宽字符），已去除。")
register("W504", "邮件中没有可汇总的内容",
         "邮件“{subject}”没有附件，正文也不是报送材料，未汇总任何内容。")
register("W505", "发件人属于多个单位",
         "邮件“{subject}”的发件人 {sender} 同时登记在多个单位（{units}）的“电子邮箱”中，无法据此确定单位。")
register("W506", "winmail.dat 无法读取",
         "附件“{file}”是 Outlook 的 winmail.dat，无法取出其中的文件（{detail}）。请让报送单位改用普通格式"
         "（HTML 或纯文本）重新发送。")
# Word submissions and what else an inbox holds (macros/adapters/readers/word.py, unusable.py,
# macros/app/intake/): E230–E259 errors (a file not taken in), W220–W249 warnings.
register("E230", "无法确定报送单位（待确认）",
         "无法确定文件“{file}”是哪个单位报送的（{detail}），本文件待确认，未汇总。请在文档中写明“报送单位：××”，"
         "或在文件名中写上单位名称（与“单位名册”一致）后重新放入收件箱；通过邮箱收取时按发件人确定单位。")
register("E231", "报送单位不在名册中（待确认）",
         "文件“{file}”写明的报送单位“{unit}”不在“单位名册”中，本文件待确认，未汇总。请核对单位名称"
         "（或在名册中补上该单位）后重新汇总。")
register("E232", "文档无法转换",
         "文件“{file}”是{kind}，转换为 .docx 时出错（{detail}），未汇总。请用 Word 或 WPS 打开后另存为 .docx 重新报送。")
register("E234", "文档中没有建议内容", "文件“{file}”中没有找到建议的题目或正文，未汇总。请核对是否发错了文件。")
register("E235", "Word 文档无法读取",
         "文件“{file}”无法作为 Word 文档读取（{detail}），未汇总。请用 Word 或 WPS 打开后另存为 .docx 重新报送。")
register("E236", "文档已加密",
         "文件“{file}”设置了打开密码，程序无法读取。请让报送单位取消密码后重新发送。")
register("E240", "需人工录入",
         "文件“{file}”是{kind}，程序无法自动读取，需人工录入：请工作人员把其中的建议录入“征集明细”，"
         "或请报送单位改用报送表或 Word 文档报送。")
register("E241", "链接无效",
         "收件箱中的“{file}”是一个{detail}的链接，已跳过。请把真正的文件放入收件箱。")
register("E242", "链接指向收件箱以外",
         "收件箱中的“{file}”是指向收件箱以外（{target}）的链接，为安全起见未读取。请把文件本身复制到收件箱。")
register("E243", "不是普通文件",
         "收件箱中的“{file}”不是普通文件（{detail}），已跳过。请把真正的报送文件放入收件箱。")
register("E244", "文件夹名像报送文件",
         "收件箱中的“{file}”是一个文件夹，不是文件，已跳过。请把其中的报送文件直接放入收件箱。")
register("E245", "文件无法打开", "收件箱中的文件“{file}”无法打开（{detail}），已跳过。请检查文件权限后重新汇总。")
register("W220", "建议缺少必填内容（待核）",
         "文件“{file}”的第 {n} 条建议缺少{fields}，已汇总，并在“征集明细”的“备注”中标记“待核”，请工作人员补全。")
register("W221", "文档写明的单位与发件单位不同",
         "文件“{file}”写明报送单位为“{unit}”，但发件人属于“{sender}”，已按发件单位汇总。请核对。")
register("W222", "建议内容需核对（待核）",
         "文件“{file}”的第 {n} 条建议：{detail}。已汇总，并在“备注”中标记“待核”，请工作人员核对。")

# Certificates (荣誉证书, 会员证).
register("E701", "会员编号重复",
         "会员编号“{value}”在“会员名册”中出现了不止一次（第 {rows} 行）：这些会员的会员证没有印制。"
         "请改正编号后再印。")
register("E702", "会员信息缺少必填项",
         "“{sheet}”第 {row} 行缺少{column}：这一行没有印制证书。")
register("E703", "证书版式文件有误", "证书版式文件“{file}”有误：{detail}")
register("W701", "照片缺失或无法读取",
         "{name}（“{sheet}”第 {row} 行）的照片“{value}”{detail}：证书已印制，但没有照片。"
         "请把照片放进工作簿旁的“照片”文件夹后重印。")
register("W702", "姓名或单位过长",
         "{name}的“{column}”在最小字号 {size:g} 磅时仍宽于版式允许的 {width:g} 毫米，印出来会超出位置。"
         "请调整版式文件（max_width、min_size）或手工处理这张证书。")
register("W703", "没有可印制的证书",
         "没有可印制的{kind}：{detail}")
register("W704", "打印机校准表中找不到该打印机",
         "“打印机校准”表中没有打印机“{value}”，本次按无偏移印制。")

# --- campaign kinds, assessment, department forms, commitments (shapes: E801–E849/W801–W849,
# document refusals E401–E419) ------------------------------------------------------------------
register("E801", "活动类型无法识别",
         "“设置”中的活动类型“{text}”不是可选的类型（{choices}），无法确定通知的写法。请从中选择一个，空白按征集。")
register("E802", "表彰最低等次无法识别",
         "“设置”中的表彰最低等次“{text}”不可用：应为{choices}之一（不合格的单位从不表彰）。空白按良好。")
register("W801", "考核项目尚未评分",
         "考核项目“{item}”（计分方式{method}，权重 {weight}）还没有任何评分：各单位此项暂按 0 分计，"
         "考核结果和表彰名单为草稿。评完后在“设置”中把“考核结果已确认”填为“是”（或生成文件时加 --final）。")
register("E401", "设置有误，不能生成公文",
         "“设置”中的{labels}有误（{codes}），{document}依赖这些设置，本次没有生成。请先运行“校验数据”并改正。")
register("W802", "分配的单位不在名册中",
         "权重表中的单位“{unit}”在“单位名册”中找不到（按单位名称和单位编号查找），它分得的 {count} 没有写入配额。"
         "请核对名称{hint}。")
register("E803", "报送了非本部门牵头的任务",
         "“{dept}”的报送表第 {row} 行报送了序号 {seq} 的任务“{task}”，但它的牵头部门是“{lead}”，不是“{dept}”。"
         "这一行未汇总（原样保存在汇总台账中）。请由牵头部门报送，或在“任务分工”中改正牵头部门。")
register("E804", "报送表中的任务序号不存在",
         "“{dept}”的报送表第 {row} 行的任务序号“{seq}”在“任务分工”中找不到。这一行未汇总（原样保存在汇总台账中）。")
register("E805", "任务状态无法识别",
         "报送表第 {row} 行（序号 {seq}）的状态“{text}”不是可选的状态（{choices}）。这一行未汇总（原样保存在汇总台账中）。")
register("E806", "报送了非本部门负责的指标",
         "“{dept}”的报送表第 {row} 行报送了指标“{name}”，但它不是该指标的责任部门（或“指标”中没有这个指标）。"
         "这一行未汇总（原样保存在汇总台账中）。")
register("W803", "部门不在名册中",
         "“{dept}”不在“单位名册”中，无法为它生成部门报送表，也无法核验它交回的表。{hint}")
register("W804", "报送的期次已结束",
         "报送表报送的是已结束的期次“{period}”（指标“{name}”）：已记入“指标进度”，请核对是否为补报。")

# --- 承诺报送表 (三比一争当: each 部室 returns its commitments; E850–E869/W850–W869) ----------------
register("E850", "承诺的部室不在名册中",
         "承诺报送表 {cell} 的部室“{dept}”不在“单位名册”中{hint}这一行未汇总（原样保存在汇总台账中）。")
register("E851", "报送了其他部室的承诺",
         "“{dept}”的承诺报送表 {cell} 填的是“{other}”的承诺：本表只能报送“{dept}”自己的承诺。"
         "这一行未汇总（原样保存在汇总台账中），请由“{other}”用它自己的报送表报送。")
register("E852", "承诺缺少目标任务",
         "承诺报送表这一行填了内容，但“目标任务”（{cell}）是空的。这一行未汇总（原样保存在汇总台账中），请补上目标任务后重新报送。")
register("W850", "承诺的部室不在名册中",
         "“承诺”第 {row} 行的部室“{dept}”不在“单位名册”中，无法为它生成承诺报送表，也不计入未报送部室。{hint}")
register("W851", "完成时限无法识别",
         "承诺报送表 {cell} 的完成时限“{text}”无法识别为日期：已原样记入“时限说明”，“完成时限”空着，"
         "比进度时不能判断是否按时。请写成“2010年12月31日”或“2010年12月底”这样的写法。")
register("W852", "完成时限晚于活动结束",
         "承诺报送表 {cell} 的完成时限 {due} 晚于活动的截止日期 {end}：已记入“承诺”，请核对时限是否有误。")
register("W853", "重新报送后承诺不在新表中",
         "“{dept}”重新报送的承诺表中没有了“{goal}”，但工作人员已在“承诺”中为它填了{columns}：这一行保留在“承诺”中，"
         "来源标为已撤回，请核对后手工删除或保留。")
