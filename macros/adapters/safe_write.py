"""Saving a master workbook without ever destroying what staff put in it.

Before replacing the master: refuse (RefusedError, exit 3) while Excel, WPS or LibreOffice has
it open (their lock files), while another kexie run holds the lock, or when openpyxl would drop
content it cannot round-trip on a sheet we are not regenerating (shapes, charts, pictures, form
controls, pivot tables, extended validations…). Then write a temporary file beside the master,
check it, keep a backup of the previous master (the last BACKUPS_KEPT in 备份/), and replace the
master atomically (os.replace is atomic on one volume on Windows and POSIX).
"""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator

from defusedxml import ElementTree as SafeET
from macros.adapters import run_lock
from macros.adapters.crash_point import crash_point
from macros.adapters.file_attrs import is_read_only, keep_attributes
from macros.errors import RefusedError

BACKUP_DIR = "备份"
BACKUPS_KEPT = 10


def owner_files(path: Path) -> list[Path]:
    """Lock files that Excel/WPS (``~$name``) and LibreOffice (``.~lock.name#``) keep beside an open file."""
    name = path.name
    candidates = [f"~${name}", f"~${name[2:]}", f".~lock.{name}#"]
    return [path.with_name(c) for c in candidates if path.with_name(c).exists()]


def refuse_if_open(path: Path) -> None:
    found = owner_files(path)
    if found:
        raise RefusedError(
            f"工作簿“{path.name}”正在被 Excel、WPS 或 LibreOffice 打开（发现锁文件 {found[0].name}），"
            "为避免覆盖未保存的修改，本次不写入。请关闭该工作簿后重试。"
        )


def lock_path(path: Path) -> Path:
    return run_lock.lock_path(path)


@contextmanager
def master_lock(path: Path, timeout: float = 0) -> Iterator[None]:
    """Exclusive lock for one kexie run on ``path`` (re-entrant within a thread); the lock file
    is removed when the lock is released (``macros.adapters.run_lock``)."""
    path = Path(path).resolve()
    try:
        run_lock.acquire(path, timeout)
    except run_lock.LockTimeout as exc:
        raise RefusedError(f"另一个 kexie 任务正在处理“{path.name}”，本次不写入。请稍后再试。") from exc
    except PermissionError as exc:
        raise RefusedError(not_writable_message(path.parent, path.name)) from exc
    try:
        yield
    finally:
        run_lock.release(path)


def not_writable_message(folder: Path, name: str) -> str:
    return (f"文件夹“{folder}”不允许写入（权限不足或为只读），无法保存“{name}”。"
            "请在文件夹的“属性→安全”中给当前用户写入权限，或把活动文件夹复制到可写的位置后重试。")


def refuse_if_read_only(path: Path) -> None:
    """A master staff marked read-only (mode 444 / the read-only attribute) is never replaced."""
    if path.exists() and is_read_only(path):
        raise RefusedError(
            f"工作簿“{path.name}”被设为只读，本次不写入。如需更新，请先取消只读"
            "（Windows：右键→属性→取消勾选“只读”；Linux/macOS：chmod u+w）后重试。")


REPLACE_TRIES = 8  # os.replace attempts while antivirus or a sync client holds the file
REPLACE_FIRST_WAIT = 0.1  # seconds, doubling (about 25 s in all)


def replace_with_retry(tmp: Path, path: Path) -> None:
    """os.replace, retried while another program (antivirus, OneDrive, a sync client) holds
    ``path``; then RefusedError (exit 3) naming the cause."""
    wait = REPLACE_FIRST_WAIT
    for attempt in range(REPLACE_TRIES):
        try:
            os.replace(tmp, path)
            return
        except PermissionError as exc:
            if attempt == REPLACE_TRIES - 1:
                raise RefusedError(
                    f"“{path.name}”正被其他程序占用（杀毒软件、网盘同步或其他程序正在读取），"
                    f"重试 {REPLACE_TRIES} 次后仍无法替换，本次不写入，原文件保持不变。请稍后再试；"
                    "如反复出现，请把活动文件夹移出同步盘，或在杀毒软件中把它设为信任位置。") from exc
            time.sleep(wait)
            wait *= 2


# --- content openpyxl cannot round-trip -----------------------------------------------------
_NS_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MAX_XML = 200 * 1024 * 1024  # never inflate more than this of one part while checking


def rels_name(part: str) -> str:
    """The relationships part of ``part`` (``xl/worksheets/_rels/sheet1.xml.rels``)."""
    p = PurePosixPath(part)
    return str(p.parent / "_rels" / (p.name + ".rels"))


def _rels(zf: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    p = PurePosixPath(part)
    name = rels_name(part)
    if name not in zf.namelist():
        return []
    root = SafeET.fromstring(zf.read(name))
    out = []
    for rel in root.iter(f"{_NS_REL}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            full = target
        elif target.startswith("/"):
            full = target.lstrip("/")
        else:
            full = os.path.normpath(str(p.parent / target)).replace(os.sep, "/")
        out.append((rel.get("Id", ""), rel.get("Type", "").rsplit("/", 1)[-1], full))
    return out


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    root = SafeET.fromstring(zf.read("xl/workbook.xml"))
    by_id = {rid: target for rid, _t, target in _rels(zf, "xl/workbook.xml")}
    out = {}
    for s in root.iter(f"{_NS_MAIN}sheet"):
        rid = s.get(f"{_NS_R}id")
        if rid in by_id:
            out[s.get("name")] = by_id[rid]
    return out


def _read_limited(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > _MAX_XML:
        return b""
    return zf.read(name)


# What an openpyxl load/save drops, by where it shows in the package: markers inside a sheet's
# drawing part, relationship types of the sheet, and markers inside the sheet's own XML.
_DRAWING_MARKERS = (
    (b"<xdr:sp>", "形状或文本框"), (b"<xdr:sp ", "形状或文本框"), (b"/chart", "图表"),
    (b"xdr:pic", "图片"), (b"<xdr:grpSp", "组合图形"),
)
_LOSSY_RELATIONS = {
    "ctrlProp": "表单控件", "control": "ActiveX 控件", "activeXControlBinary": "ActiveX 控件",
    "pivotTable": "数据透视表", "slicer": "切片器", "timeline": "切片器",
    "threadedComment": "新版批注（对话式批注）",
}
_SHEET_MARKERS = (
    (b"x14:dataValidation", "扩展数据验证（引用其他工作表的下拉列表等）"),
    (b"x14:conditionalFormatting", "扩展条件格式"),
    (b"x14:sparklineGroup", "迷你图"),
)


def unsupported_content(path: Path, skip_sheets: Iterable[str] = ()) -> list[str]:
    """Chinese descriptions of content in ``path`` that an openpyxl rewrite would drop.

    Sheets in ``skip_sheets`` are being regenerated by kexie, so what they hold does not count.
    """
    skip = set(skip_sheets)
    found: list[str] = []
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        for sheet_name, part in _sheet_parts(zf).items():
            if sheet_name in skip or part not in names:
                continue
            what: set[str] = set()
            for _rid, rtype, target in _rels(zf, part):
                if rtype == "drawing" and target in names:
                    xml = _read_limited(zf, target)
                    what |= {label for marker, label in _DRAWING_MARKERS if marker in xml}
                elif rtype in _LOSSY_RELATIONS:
                    what.add(_LOSSY_RELATIONS[rtype])
            xml = _read_limited(zf, part)
            what |= {label for marker, label in _SHEET_MARKERS if marker in xml}
            for w in sorted(what):
                found.append(f"工作表“{sheet_name}”中的{w}")
    return found


def refuse_if_lossy(path: Path, regenerated: Iterable[str]) -> None:
    lost = unsupported_content(path, regenerated)
    if lost:
        raise RefusedError(
            f"工作簿“{path.name}”含有本程序无法原样保存的内容：{'；'.join(lost)}。"
            "为避免丢失，本次不写入。请把这些内容移到另一个工作簿，或在 Excel 中打开工作簿后用"
            "“科协工作台”选项卡操作。"
        )


def _backup(path: Path) -> Path:
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = folder / f"{path.stem}-{stamp}{path.suffix}"
    shutil.copy2(path, dest)
    olds = sorted(folder.glob(f"{path.stem}-*{path.suffix}"))
    for old in olds[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return dest


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


TEMP_STEM_CHARS = 40  # keeps temporary names within 255 bytes whatever the file's name


def temp_path(path: Path, tag: str = "") -> Path:
    """A temporary file beside ``path`` for this process (removed by ``clean_stale_temps`` if orphaned)."""
    return path.with_name(f".{path.stem[:TEMP_STEM_CHARS]}.{os.getpid()}.kexie-tmp{tag}{path.suffix}")


def replace_atomically(path: Path, write: Callable[[Path], Any]) -> Path:
    """Create or replace ``path`` with what ``write(tmp)`` writes: a temporary file in the same
    folder, then os.replace, so nobody ever sees a half-written file. No lock, no backup: for
    files kexie owns outright (new workbooks, forms); a master goes through ``save_with``."""
    path = Path(path)
    tmp = temp_path(path)
    try:
        write(tmp)
        replace_with_retry(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def clean_stale_temps(path: Path) -> None:
    """Remove temporary files a killed run left beside ``path``. Call only under ``master_lock``:
    the lock guarantees no other kexie run is writing one right now."""
    prefix, suffix = f".{path.stem[:TEMP_STEM_CHARS]}.", path.suffix
    for tmp in path.parent.iterdir():
        name = tmp.name
        if name.startswith(prefix) and name.endswith(suffix) and ".kexie-tmp" in name[len(prefix):]:
            try:
                tmp.unlink()
            except OSError:
                pass


def save_with(path: Path, write: Callable[[Path], None], regenerated: Iterable[str] = (),
              lossless: bool = False) -> None:
    """Replace ``path`` with what ``write(tmp)`` produces, safely (see module doc).

    ``write`` receives a temporary path beside the master and must create a complete workbook
    there; ``regenerated`` names the sheets the new file regenerates (their content may change).
    ``lossless``: ``write`` copies every part of the package as it is except the table rows it
    splices in (no openpyxl round trip), so content openpyxl would drop is no reason to refuse.
    """
    path = Path(path)
    regenerated = list(regenerated)
    with master_lock(path):
        refuse_if_open(path)
        refuse_if_read_only(path)
        if path.exists() and not lossless:
            refuse_if_lossy(path, regenerated)
        clean_stale_temps(path)
        tmp = temp_path(path)
        try:
            write(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            with zipfile.ZipFile(tmp) as zf:
                bad = zf.testzip()
                if bad is not None:
                    raise OSError(f"written workbook is corrupt at {bad}")
            refuse_if_open(path)  # Excel may have opened it while we were writing
            if path.exists():
                keep_attributes(path, tmp)
                _backup(path)
            crash_point("before-replace")
            replace_with_retry(tmp, path)
            _fsync_dir(path.parent)
            crash_point("after-replace")
        finally:
            tmp.unlink(missing_ok=True)


def save_workbook(wb, path: Path, regenerated: Iterable[str] = ()) -> None:
    """Save the openpyxl workbook ``wb`` over ``path`` safely (see module doc)."""
    save_with(Path(path), wb.save, regenerated)
