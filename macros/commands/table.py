"""Every ``kexie`` command, once: its options, its use case and its ribbon buttons.

Use cases are named by reference (``"macros.app.tally:tally_command"``, legacy modules by their
dotted name) and imported only when their command runs: this table, and so the whole command
line and the ribbon's button list, loads no pandas, openpyxl, docx, matplotlib or reportlab.
What argparse needs to know beforehand (preset names, document kinds) comes from light data
modules (macros.presets, macros.app.report_kinds).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from macros.app.report_kinds import KINDS
from macros.app.result import CommandResult
from macros.commands.spec import Button, Choice, Command, Option, choice_converter, legacy, path_type, suggestion
from macros.core.normalize import parse_date
from macros.presets import PRESETS


def date_type(text: str) -> date:
    value = parse_date(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"无法识别的日期：{text}（请写成 2010-10-20）")
    return value


date_type.__name__ = "日期"


def preset_type(text: str) -> str:
    if text not in PRESETS:
        raise argparse.ArgumentTypeError(
            f"没有名为“{text}”的预设。可用的预设：{'、'.join(PRESETS)}。{suggestion(text, PRESETS)}")
    return text


#: Chinese names of the document kinds besides their titles in macros.app.report_kinds.KINDS
KIND_ALIASES: dict[str, tuple[str, ...]] = {
    "notice": ("通知", "生成通知"),
    "summary": ("汇总报告", "报告"),
    "reminders": ("催报",),
    "compilation": ("汇编",),
    "assessment": ("考核结果", "考核", "表彰名单"),
    "tasks": ("分工表", "分工"),
    "targets": ("指标",),
    "review": ("评审结果", "评审"),
    "awards": ("获奖名单", "获奖通报"),
}
KIND_CHOICES = tuple(Choice(k, tuple(dict.fromkeys((title, *KIND_ALIASES.get(k, ())))))
                     for k, title in KINDS.items())
kinds_type = choice_converter("文档种类", KIND_CHOICES, many=True, extra=("all",))


def _run_new(master: Path, preset: str | None = None, force: bool = False) -> CommandResult:
    from macros.app.new import new_campaign

    path = new_campaign(master, preset, force, guide=ribbon_guide())
    return CommandResult(data={"master": str(path)}, lines=[f"已新建活动工作簿：{path}"])


def _run_schema(markdown: bool = False) -> CommandResult:
    from macros.schema import to_markdown

    return CommandResult(lines=[to_markdown().rstrip("\n")])  # print adds the last newline


def _run_codes(markdown: bool = False) -> CommandResult:
    from macros.problems import codes_markdown

    return CommandResult(lines=[codes_markdown().rstrip("\n")])


def _run_demo(out: Path) -> CommandResult:
    from macros.app.demo import demo_command

    return demo_command(out, guide=ribbon_guide())


TODAY = Option("--today", "以该日期为今天（用于定时任务和测试，写成 2010-10-20）", type=date_type, metavar="日期")
JSON = Option("--json", "以 JSON 输出结果（标准输出只有一个 JSON 对象，提示信息写到标准错误）", flag=True,
              shell=True)
MARKDOWN = Option("--markdown", "Markdown 格式（默认）", flag=True)


def _doc(id_: str, label: str, description: str) -> Button:
    return Button(id_, label, "文档", description, fixed={"kinds": [id_]}, beside={"out": "reports"},
                  cli_options=f"--kind {id_}")


COMMANDS: tuple[Command, ...] = (
    Command("demo", "生成一套完整的示例活动", run=_run_demo, options=(
        Option("--out", "输出文件夹（默认 demo-output/）", type=path_type, default=Path("demo-output"),
               metavar="文件夹"),
    )),
    Command("new", "新建活动工作簿", run=_run_new, options=(
        Option("master", "要新建的 .xlsx 文件", type=path_type, metavar="工作簿"),
        Option("--preset", f"预设：{'、'.join(PRESETS)}", type=preset_type, metavar="预设"),
        Option("--force", "文件已存在时覆盖", flag=True),
    )),
    Command("schema", "打印工作簿结构说明", run=_run_schema, options=(MARKDOWN,)),
    Command("codes", "打印问题代码表", run=_run_codes, options=(MARKDOWN,)),
    Command("validate", "校验工作簿数据", run="macros.app.validate:validate_command", workbook=True,
            options=(JSON, TODAY), buttons=(
        Button("validate", "校验数据", "数据", "检查各工作表的数据，问题写入“校验结果”并在单元格上标出"),
    )),
    Command("forms", "生成各单位的报送表", run="macros.app.forms:forms_command", workbook=True, options=(
        Option("--out", "报送表输出文件夹", type=path_type, required=True, metavar="文件夹"),
        Option("--all", "为名册中的每个单位生成（默认只为有配额的单位）", flag=True, dest="all_units"),
    ), buttons=(
        Button("forms", "生成报送表", "报送", "为每个需要报送的单位生成预填好的报送表", beside={"out": "forms"}),
    )),
    Command("consolidate", "汇总收件文件夹中交回的报送表", run="macros.app.consolidate:consolidate_command",
            workbook=True, options=(
        Option("inbox", "收件箱文件夹（各单位交回的报送表）", type=path_type, metavar="收件箱", folder_input=True),
        JSON,
        Option("--log", "日志文件（默认在工作簿旁的 kexie-logs/ 中）", type=path_type, metavar="文件"),
        TODAY,
    ), buttons=(
        Button("consolidate", "汇总报送", "报送", "读取收件文件夹中交回的报送表，写入“征集明细”和“报送记录”",
               beside={"inbox": "inbox"}),
    )),
    legacy("mail", "macros.app.mail", "收取活动邮箱中的报送邮件、汇总并发送回执", buttons=(
        Button("mail", "收取邮件", "报送", "收取活动邮箱中的报送邮件，附件存入收件箱并汇总，给每封邮件发送回执",
               argv=("{master}", "{inbox}")),
    )),
    Command("tally", "统计配额完成情况、指标、任务和考核结果", run="macros.app.tally:tally_command", workbook=True,
            options=(JSON, TODAY), buttons=(
        Button("tally", "更新统计", "数据", "重新计算配额完成情况、指标、任务和考核结果，写入“统计”"),
    )),
    Command("allocate", "按权重把全市目标分解到各单位（最大余额法）", run="macros.app.allocate:allocate_command", options=(
        Option("--total", "要分解的全市目标总数", type=int, required=True, metavar="总数"),
        Option("--weights", "权重表（.xlsx 或 UTF-8 .csv，列：单位、权重）", type=path_type, required=True,
               metavar="权重表"),
        Option("--floor", "每个单位至少分得的数量（默认 0）", type=int, default=0, metavar="保底数"),
        Option("--cap", "每个单位至多分得的数量（默认不限）", type=int, metavar="上限"),
        Option("--write", "把分配结果写入该活动工作簿“单位名册”的配额列", type=path_type, metavar="工作簿"),
        JSON,
    )),
    Command("report", "生成公文和报告（Word/PDF）", run="macros.app.report:report_command", workbook=True, options=(
        Option("--kind", "文档种类，可用逗号分隔多个：" + "、".join(
            f"{c.value}（{'/'.join(c.aliases)}）" for c in KIND_CHOICES) + " 或 all（全部）",
            type=kinds_type, required=True, metavar="种类", dest="kinds"),
        Option("--format", "输出格式：docx（默认）或 pdf", choices=(Choice("docx", ("word",)), Choice("pdf")),
               default="docx", metavar="格式", dest="fmt"),
        Option("--out", "输出文件夹", type=path_type, required=True, metavar="文件夹"),
        TODAY,
        Option("--final", "考核结果已核对确认（考核结果与表彰名单不再标为草稿）", flag=True),
    ), buttons=(
        _doc("notice", "生成通知", "按公文格式生成红头通知"),
        _doc("summary", "汇总报告", "生成含图表的活动情况汇总报告"),
        _doc("reminders", "催报通知", "为未完成配额的单位逐一生成催报通知"),
        _doc("compilation", "计策汇编", "按主题领域汇编全部有效计策"),
        _doc("assessment", "考核结果", "生成考核结果与表彰名单"),
        _doc("tasks", "分工表", "生成任务分工表（横向）"),
        _doc("targets", "指标完成情况", "生成各项指标的完成情况表"),
        _doc("review", "评审结果", "生成评审结果汇总表（横向）：各专家评分、最终得分、名次、复议和奖项"),
        _doc("awards", "获奖通报", "按公文格式生成评审获奖名单通报"),
        _doc("returns", "退改通知", "为有材料未予汇总的单位逐一生成退改通知，列出问题和修改要求"),
        _doc("pledges", "承诺公示表", "生成各部室目标任务、完成时限和责任人的承诺公示表"),
    )),
    legacy("review", "macros.app.review", "评审：分配评审专家、汇总评分表"),
    legacy("certificates", "macros.app.certificates", "印制荣誉证书、会员证（PDF），或核验证书二维码"),
    legacy("addin", "macros.addin_install", "安装或卸载 Excel 加载项"),
    legacy("doctor", "macros.app.doctor", "检查本机能否运行 kexie（Python、依赖、LibreOffice、字体、加载项）"),
)


def _with_names(commands: tuple[Command, ...]) -> tuple[Command, ...]:
    """Each button knows its command (for its CLI equivalent and the dispatcher)."""
    from dataclasses import replace

    return tuple(replace(c, buttons=tuple(replace(b, command=c.name) for b in c.buttons)) for c in commands)


COMMANDS = _with_names(COMMANDS)
BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}
#: every ribbon button, in ribbon order, with the command it runs
GROUPS = ("数据", "报送", "文档")
BUTTONS: tuple[Button, ...] = tuple(sorted((b for c in COMMANDS for b in c.buttons),
                                           key=lambda b: GROUPS.index(b.group)))
BUTTON_COMMAND: dict[str, Command] = {b.id: c for c in COMMANDS for b in c.buttons}


def ribbon_guide() -> tuple[tuple[str, str, str], ...]:
    """(label, what it does, command line) of every button, for the 说明 sheet."""
    return tuple((b.label, b.description, b.cli) for b in BUTTONS)
