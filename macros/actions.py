"""The actions staff reach from the ribbon tab 科协工作台, as data.

One entry per ribbon button: its id (the ribbon XML's button id and the dispatch key in
macros.ribbon), its Chinese label, the ribbon group, what it does, and the CLI command that does
the same through the same use-case function.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    id: str
    label: str
    group: str
    description: str
    cli: str


ACTIONS: tuple[Action, ...] = (
    Action("validate", "校验数据", "数据", "检查各工作表的数据，问题写入“校验结果”并在单元格上标出", "kexie validate"),
    Action("tally", "更新统计", "数据", "重新计算配额完成情况、指标、任务和考核结果，写入“统计”", "kexie tally"),
    Action("forms", "生成报送表", "报送", "为每个需要报送的单位生成预填好的报送表", "kexie forms"),
    Action("consolidate", "汇总报送", "报送", "读取收件文件夹中交回的报送表，写入“征集明细”和“报送记录”", "kexie consolidate"),
    Action("mail", "收取邮件", "报送", "收取活动邮箱中的报送邮件，附件存入收件箱并汇总，给每封邮件发送回执", "kexie mail"),
    Action("notice", "生成通知", "文档", "按公文格式生成红头通知", "kexie report --kind notice"),
    Action("summary", "汇总报告", "文档", "生成含图表的活动情况汇总报告", "kexie report --kind summary"),
    Action("reminders", "催报通知", "文档", "为未完成配额的单位逐一生成催报通知", "kexie report --kind reminders"),
    Action("compilation", "计策汇编", "文档", "按主题领域汇编全部有效计策", "kexie report --kind compilation"),
    Action("tasks", "分工表", "文档", "生成任务分工表（横向）", "kexie report --kind tasks"),
)


def action(action_id: str) -> Action:
    for a in ACTIONS:
        if a.id == action_id:
            return a
    raise KeyError(action_id)
