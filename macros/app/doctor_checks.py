"""The checks of ``kexie doctor``: each looks at one thing this PC needs and says, in Chinese,
what it found and what to do. Every probe of the outside world is a parameter or an adapter
(office_locate, fonts_probe, addin_install.locations), so tests can simulate what is missing."""

from __future__ import annotations

import re
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, Mapping, Sequence
from macros.addin_install import addin_xlwings_version, read_config
from macros.schema import SETTINGS_SHEET

Status = Literal["ok", "warn", "fail", "skip"]
STATUS_ZH = {"ok": "正常", "warn": "提醒", "fail": "问题", "skip": "跳过"}
MIN_PYTHON = (3, 11)


@dataclass
class Check:
    id: str
    title: str  # Chinese
    status: Status
    detail: str  # Chinese: what was found
    fix: str = ""  # Chinese: what to do (empty when nothing)
    code: str | None = None  # problem code (macros.problems) of a warn/fail

    def to_json(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- Python and packages


def check_python(version: Sequence[int] = tuple(sys.version_info[:3]), executable: str = sys.executable) -> Check:
    text = ".".join(str(v) for v in version[:3])
    if tuple(version[:2]) >= MIN_PYTHON:
        return Check("python", "Python", "ok", f"Python {text}（{executable}）")
    return Check("python", "Python", "fail", f"Python {text} 过低（{executable}）",
                 "请安装 Python 3.11、3.12 或 3.13，再重新安装 kexie。", "E901")


def _requirement_problem(spec: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    from packaging.requirements import Requirement  # noqa: PLC0415

    req = Requirement(spec)
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        return None  # another platform's dependency, or an extra (test tools)
    try:
        installed = version(req.name)
    except PackageNotFoundError:
        return f"缺少 {req.name}（需要 {req.specifier or '任意版本'}）"
    if req.specifier and not req.specifier.contains(installed, prereleases=True):
        return f"{req.name} {installed} 不符合要求 {req.specifier}"
    return None


def check_packages(distribution: str = "kexie") -> Check:
    from importlib.metadata import PackageNotFoundError, requires, version  # noqa: PLC0415

    title = "依赖包"
    try:
        specs = requires(distribution) or []
        own = version(distribution)
    except PackageNotFoundError:
        return Check("packages", title, "warn", "kexie 没有作为软件包安装（直接从源码文件夹运行），无法核对依赖版本。",
                     "请用安装包安装 kexie（见 docs/install-windows.md），或在源码文件夹运行 pip install -e .", "W911")
    problems = [p for p in (_requirement_problem(s) for s in specs) if p]
    if problems:
        return Check("packages", title, "fail", "；".join(problems),
                     "请重新运行安装程序 install.cmd（或 pip install --force-reinstall kexie 的安装包）。", "E902")
    return Check("packages", title, "ok", f"kexie {own} 及其 {len(specs)} 项依赖齐全")


# ---------------------------------------------------------------- PDF


def check_pdf(soffice: Path | None, word_available: bool) -> Check:
    title = "PDF 转换（LibreOffice / Word）"
    if soffice is not None:
        extra = "；另有 Microsoft Word，默认用 Word" if word_available else ""
        return Check("pdf", title, "ok", f"LibreOffice：{soffice}{extra}")
    if word_available:
        return Check("pdf", title, "ok", "未找到 LibreOffice，将用 Microsoft Word 生成 PDF")
    return Check("pdf", title, "fail", "未找到 LibreOffice（已查找 PATH、注册表和各盘的 Program Files），也没有 Microsoft Word",
                 "请安装 LibreOffice（https://zh-cn.libreoffice.org/download/）；装在别处时可设置环境变量 "
                 "KEXIE_SOFFICE 指向 soffice 程序。不装也能生成 Word 文档（--format docx）。", "E903")


# ---------------------------------------------------------------- fonts

#: What the templates use, and the families that can render it (the first found is used).
TEMPLATE_FONTS: dict[str, tuple[str, ...]] = {
    "宋体（正文、表格）": ("宋体", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC",
                    "思源宋体"),
    "黑体（标题、表头）": ("黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
                    "微软雅黑", "思源黑体"),
}
#: GB/T 9704-2012 fonts: the exact family, then what stands in when it is missing.
GB_FONTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "方正小标宋简体": (("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "FZXiaoBiaoSong-B05"),
                 ("小标宋", "宋体", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC")),
    "仿宋_GB2312": (("仿宋_GB2312", "FangSong_GB2312"),
                  ("仿宋", "FangSong", "Noto Serif CJK SC", "Source Han Serif SC")),
    "黑体": (("黑体", "SimHei"), ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "微软雅黑")),
    "楷体_GB2312": (("楷体_GB2312", "KaiTi_GB2312"),
                  ("楷体", "KaiTi", "AR PL UKai CN", "Noto Serif CJK SC", "Source Han Serif SC")),
}


def _first(names: Sequence[str], families: set[str]) -> str | None:
    lowered = {f.casefold(): f for f in families}
    for name in names:
        if name.casefold() in lowered:
            return lowered[name.casefold()]
    return None


def check_template_fonts(families: set[str], where: str) -> Check:
    title = "模板所需中文字体"
    found = {need: _first(names, families) for need, names in TEMPLATE_FONTS.items()}
    missing = [need for need, f in found.items() if f is None]
    if missing:
        return Check("fonts", title, "fail", f"缺少 {'、'.join(missing)}（查找范围：{where}）",
                     "Windows 自带宋体和黑体，请确认字体未被删除；Linux 上请安装 Noto CJK 字体"
                     "（sudo apt-get install fonts-noto-cjk）。", "E904")
    return Check("fonts", title, "ok", "；".join(f"{need}：{f}" for need, f in found.items()))


def check_gb_fonts(families: set[str], where: str) -> Check:
    title = "GB/T 9704 公文字体"
    parts, substituted, absent = [], [], []
    for name, (exact, stand_ins) in GB_FONTS.items():
        if _first(exact, families):
            parts.append(f"{name}：已安装")
            continue
        stand_in = _first(stand_ins, families)
        if stand_in:
            substituted.append(f"{name}（由 {stand_in} 代替）")
        else:
            absent.append(name)
    if absent:
        also = f"；未安装 {'、'.join(substituted)}" if substituted else ""
        return Check("gb_fonts", title, "fail",
                     f"缺少 {'、'.join(absent)}，也没有可代替的字体{also}（查找范围：{where}）",
                     "请安装这些字体（单位的字体授权）或至少安装宋体、仿宋、黑体、楷体。", "E904")
    if substituted:
        return Check("gb_fonts", title, "warn", "未安装 " + "、".join(substituted) + "。",
                     "公文仍可生成，字形与正式公文略有差别；需要严格符合 GB/T 9704 时请安装方正小标宋简体、"
                     "仿宋_GB2312、楷体_GB2312（单位购买的字体授权）。", "W905")
    return Check("gb_fonts", title, "ok", "；".join(parts))


# ---------------------------------------------------------------- the add-in


def check_addin(loc, package_addin: Path, xlwings_version: str | None, python: str,
                encoding: str = "utf-8") -> Check:
    """``loc``: macros.addin_install.AddinLocations of this user (None: no Excel here)."""
    title = "Excel 加载项"
    if loc is None:
        return Check("addin", title, "skip", "本系统没有 Microsoft Excel，不需要加载项；请使用命令行。")
    if not loc.addin_file.is_file():
        return Check("addin", title, "warn", f"{loc.addin_file} 不存在",
                     "完全退出 Excel 后运行 kexie addin install。只用命令行时可以不装。", "W907")
    problems = []
    built = addin_xlwings_version(loc.addin_file)
    if xlwings_version and built != xlwings_version:
        problems.append(f"加载项按 xlwings {built or '未知版本'} 生成，本机 xlwings 是 {xlwings_version}")
    if package_addin.is_file() and loc.addin_file.read_bytes() != package_addin.read_bytes():
        problems.append("加载项文件与本版本 kexie 自带的不同（旧版本）")
    interpreter = read_config(loc.config_file, encoding).get(loc.interpreter_key)
    if interpreter and Path(interpreter) != Path(python):
        problems.append(f"加载项调用的 Python 是 {interpreter}，不是本 kexie 的 {python}")
    if not interpreter:
        problems.append(f"配置文件 {loc.config_file} 中没有记录 Python 位置")
    if problems:
        return Check("addin", title, "fail", "；".join(problems),
                     "完全退出 Excel 后运行 kexie addin install 重新安装加载项。", "E906")
    return Check("addin", title, "ok", f"{loc.addin_file}（xlwings {built}）")


# ---------------------------------------------------------------- the campaign folder


def campaign_folder(target: Path) -> Path:
    return target if target.is_dir() else target.parent


def check_folder(target: Path | None) -> Check:
    title = "活动文件夹写入权限"
    if target is None:
        return Check("folder", title, "skip", "未指定工作簿或文件夹（kexie doctor 活动.xlsx 可检查）。")
    if not target.exists():
        return Check("folder", title, "fail", f"{target} 不存在", "请检查路径是否写对。", "E912")
    folder = campaign_folder(target)
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix="~kexie-doctor-", suffix=".tmp"):
            pass
    except OSError as exc:
        return Check("folder", title, "fail", f"无法在 {folder} 中新建文件（{exc.strerror or exc}）",
                     "请把活动文件夹放到有写入权限的位置（如“文档”），或请管理员开放该文件夹的写入权限；"
                     "同步盘或杀毒软件锁定时请稍后再试。", "E908")
    return Check("folder", title, "ok", f"{folder} 可以写入")


# ---------------------------------------------------------------- the mailbox

MAIL_LABELS = ("邮箱账号", "收件服务器", "发件服务器", "加密方式")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HOST_RE = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")
ENCRYPTIONS = ("SSL", "TLS", "SSL/TLS", "STARTTLS", "无", "NONE")


def mail_settings(workbook: Path) -> dict[str, str]:
    """The mailbox rows of 设置 (label → value), read without touching the file."""
    from python_calamine import CalamineWorkbook  # noqa: PLC0415

    try:
        book = CalamineWorkbook.from_path(str(workbook))
        rows = book.get_sheet_by_name(SETTINGS_SHEET).to_python()
    except Exception:  # noqa: BLE001 - not a workbook, or no 设置: no mailbox settings to check
        return {}
    values = {}
    for row in rows:
        if len(row) >= 2 and str(row[0]).strip() in MAIL_LABELS and str(row[1]).strip():
            values[str(row[0]).strip()] = str(row[1]).strip()
    return values


def mail_problems(values: Mapping[str, str]) -> list[str]:
    problems = [f"缺少“{label}”" for label in MAIL_LABELS[:3] if label not in values]
    if "邮箱账号" in values and not EMAIL_RE.match(values["邮箱账号"]):
        problems.append(f"邮箱账号“{values['邮箱账号']}”不是邮箱地址")
    for label in ("收件服务器", "发件服务器"):
        if label in values and not HOST_RE.match(values[label]):
            problems.append(f"{label}“{values[label]}”应写成 主机名 或 主机名:端口")
    enc = values.get("加密方式")
    if enc and enc.upper() not in ENCRYPTIONS:
        problems.append(f"加密方式“{enc}”应为 {'、'.join(ENCRYPTIONS[:4])} 或 无")
    return problems


def check_mail(target: Path | None, env: Mapping[str, str]) -> list[Check]:
    title = "邮箱设置"
    if target is None or not target.is_file():
        return [Check("mail", title, "skip", "未指定工作簿，不检查邮箱设置。")]
    values = mail_settings(target)
    if not values:
        return [Check("mail", title, "skip", "“设置”中没有邮箱设置（不用邮箱收取报送表时无需设置）。")]
    checks = []
    problems = mail_problems(values)
    if problems:
        checks.append(Check("mail", title, "warn", "；".join(problems),
                            "请在工作簿“设置”中改正邮箱设置（密码不要写在工作簿里）。", "W909"))
    else:
        checks.append(Check("mail", title, "ok", f"{values['邮箱账号']}：收件 {values['收件服务器']}，发件 {values['发件服务器']}"))
    if env.get("KEXIE_MAIL_PASSWORD"):
        checks.append(Check("mail_password", "邮箱密码", "ok", "已设置环境变量 KEXIE_MAIL_PASSWORD"))
    else:
        checks.append(Check("mail_password", "邮箱密码", "warn", "没有设置环境变量 KEXIE_MAIL_PASSWORD",
                            "在运行 kexie mail 的账户下设置环境变量 KEXIE_MAIL_PASSWORD（Windows："
                            "setx KEXIE_MAIL_PASSWORD 密码），或使用系统密钥环。", "W910"))
    return checks
