"""The document kinds of ``kexie report``: id → Chinese name (also the output file name).

Plain data, importable without the report machinery (the command line lists the kinds in its
help and accepts their names without loading docx, charts or pandas)."""

from __future__ import annotations

KINDS: dict[str, str] = {
    "notice": "红头通知",
    "summary": "活动情况汇总报告",
    "reminders": "催报通知",
    "compilation": "计策汇编",
    "assessment": "考核结果与表彰名单",
    "tasks": "任务分工表",
    "targets": "指标完成情况",
    "review": "评审结果汇总表",
    "awards": "获奖名单通报",
    "returns": "退改通知",
    "pledges": "承诺公示表",
}
