"""Use case: ``kexie doctor [工作簿或文件夹]`` — what this PC lacks to run kexie, in Chinese.

Checks Python, the installed packages against kexie's requirements, LibreOffice (PATH, the
registry, Program Files on every drive) or Word, the CJK fonts the templates need and the
GB/T 9704 fonts (what stands in for a missing one), the Excel add-in (installed, from this
kexie, same xlwings, calling this Python), write access to the campaign folder and, when the
workbook has them, the mailbox settings and whether ``KEXIE_MAIL_PASSWORD`` is set.

Every result is ``正常`` (ok), ``提醒`` (warn: works, but see the advice), ``问题`` (fail:
something will not work) or ``跳过`` (skip: does not apply here). Exit code 0 when no check
failed (warnings allowed), 1 when at least one did. ``--json`` prints
``{"ok": bool, "checks": [{id, title, status, detail, fix, code}], "counts": {status: n}}``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from macros import addin_install as ai, resources
from macros.adapters.fonts_probe import installed_families
from macros.adapters.office_locate import find_soffice
from macros.adapters.word_pdf import WordConverter
from macros.addin_install import installed_xlwings_version
from macros.app.doctor_checks import (
    STATUS_ZH, Check, check_addin, check_folder, check_gb_fonts, check_mail, check_packages,
    check_pdf, check_python, check_template_fonts,
)
from macros.app.result import CommandResult
from macros.errors import Exit

MARK = {"ok": "√", "warn": "!", "fail": "×", "skip": "-"}


def add_arguments(parser) -> None:
    parser.add_argument("target", nargs="?", help="活动工作簿或活动文件夹（检查写入权限和邮箱设置）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出检查结果")
    parser.add_argument("--fonts-dir", action="append", type=Path, default=[],
                        help="只在这个字体文件夹中查找字体（可重复；默认查系统字体）")
    parser.add_argument("--xlstart", type=Path,
                        help="Excel 启动文件夹（默认：当前用户的 XLSTART；指定时在任何系统上都检查加载项）")


def _addin_locations(xlstart: Path | None):
    platform = ai.platform_kind()
    if platform is None and xlstart is None:
        return None, "utf-8"
    platform = platform or ai.WINDOWS
    loc = ai.locations(platform, Path.home(), os.environ, startup_dir=xlstart)
    if xlstart is not None:  # the config file beside the given folder (tests, portable setups)
        loc = ai.AddinLocations(platform, xlstart, xlstart.parent / ".kexie" / ai.CONF_NAME, None)
    return loc, ai.config_encoding(platform)


def run_checks(target: Path | None = None, fonts_dirs: list[Path] | None = None,
               xlstart: Path | None = None) -> list[Check]:
    families, where = installed_families(fonts_dirs or [])
    loc, encoding = _addin_locations(xlstart)
    checks = [
        check_python(),
        check_packages(),
        check_pdf(find_soffice(), WordConverter.available()),
        check_template_fonts(families, where),
        check_gb_fonts(families, where),
        check_addin(loc, resources.addin_file(), installed_xlwings_version(), sys.executable, encoding),
        check_folder(target),
    ]
    return checks + check_mail(target, os.environ)


def render(checks: list[Check]) -> list[str]:
    lines = ["kexie 环境检查："]
    for c in checks:
        lines.append(f"[{MARK[c.status]}] {c.title}：{STATUS_ZH[c.status]} — {c.detail}")
        if c.fix and c.status in ("warn", "fail"):
            lines.append(f"    处理办法：{c.fix}")
    failed = [c for c in checks if c.status == "fail"]
    warned = [c for c in checks if c.status == "warn"]
    if failed:
        lines.append(f"共 {len(failed)} 项问题、{len(warned)} 项提醒：请按上面的处理办法解决后再运行 kexie doctor。")
    elif warned:
        lines.append(f"可以正常使用（{len(warned)} 项提醒，见上）。")
    else:
        lines.append("一切正常。")
    return lines


def command(args) -> CommandResult:
    target = Path(args.target) if getattr(args, "target", None) else None
    checks = run_checks(target, list(getattr(args, "fonts_dir", None) or []), getattr(args, "xlstart", None))
    counts = {s: sum(1 for c in checks if c.status == s) for s in STATUS_ZH}
    ok = counts["fail"] == 0
    data = {"ok": ok, "checks": [c.to_json() for c in checks], "counts": counts}
    return CommandResult(data=data, exit_code=Exit.OK if ok else Exit.DATA_PROBLEMS, lines=render(checks))
