"""Use case: print certificates (kexie certificates) and check one (kexie certificates verify).

``make_certificates(engine, master, kind, out_dir, …)``:

1. reads 设置, and the 会员名册 (会员证) or the 获奖名单 (荣誉证书) — when 获奖名单 is empty,
   the recipients are the tally's 优秀组织单位 and 先进个人;
2. reads the layout: ``--layout FILE``, else ``模板/证书版式-<种类>.toml`` beside the workbook,
   else the one shipped with kexie (``macros/data/certificates``);
3. gives every recipient its number (年度-序号) from the register in the campaign's ledger — a
   reprint keeps its number — and a QR code (编号, 姓名, 单位, check code signed with the
   campaign's key, the same key file that signs the forms);
4. writes one print-ready PDF per batch of ``证书每批张数`` (default 100) certificates into
   ``out_dir`` and records the numbers and the printing in the ledger.

Bad input never stops the batch: a duplicate 会员编号 (E701) or a row missing its name (E702)
leaves those rows out; a missing or unreadable photo (W701) prints the card without it; a name
too long even at the smallest size (W702) is printed and reported. Exit 1 when anything was
reported, 0 otherwise; the workbook is only read, never written.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from macros.adapters.certificate_pdf import Card, CertificateWriter, FontBook, calibration_page, load_photo
from macros.adapters.certificate_register import CertificateRegister
from macros.adapters.ledger import Ledger, ledger_path
from macros.adapters.secret import load_or_create_secret, load_secret, secret_path
from macros.app.campaign import load_campaign
from macros.app.review_awards import awards as review_awards
from macros.app.result import CommandResult
from macros.app.workbook import open_engine
from macros.core.certificates import (
    KINDS, Layout, LayoutError, Recipient, assign_numbers, fill_text, fit_size, parse_layout, parse_payload,
    qr_payload,
)
from macros.core.grid import row_records
from macros.core.normalize import name_key
from macros.core.tally import compute_tally
from macros.core.safe_names import safe_filename
from macros.errors import ConfigError, Exit
from macros.problems import LEVEL_ZH, Problem, problem
from macros.schema import TABLES

LOCAL_TEMPLATES = "模板"
PHOTO_DIR = "照片"
DEFAULT_BATCH = 100


# --- inputs ---------------------------------------------------------------------------------------

def layout_file(kind: str, master: Path | None, explicit: str | Path | None = None) -> tuple[str, bytes]:
    """(name, bytes) of the layout to use: --layout, then the staff copy beside the workbook, then ours."""
    if explicit:
        path = Path(explicit)
        try:
            return path.name, path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"无法读取证书版式文件“{path}”：{exc.strerror or exc}") from exc
    name = f"证书版式-{kind}.toml"
    if master is not None:
        local = master.parent / LOCAL_TEMPLATES / name
        if local.is_file():
            return local.name, local.read_bytes()
    shipped = resources.files("macros.data").joinpath("certificates", f"{KINDS[kind]}.toml")
    return name, shipped.read_bytes()


def load_layout(kind: str, master: Path | None, explicit: str | Path | None = None) -> Layout:
    name, data = layout_file(kind, master, explicit)
    try:
        parsed = tomllib.loads(data.decode("utf-8-sig"))
        return parse_layout(parsed, kind)
    except UnicodeDecodeError as exc:
        raise ConfigError(problem("E703", file=name, detail="请用 UTF-8 编码保存（记事本“另存为”时选 UTF-8）").message) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(problem("E703", file=name, detail=f"格式错误（{exc}）").message) from exc
    except LayoutError as exc:
        raise ConfigError(problem("E703", file=name, detail=str(exc)).message) from exc


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (date, datetime)):
        return f"{v.year}年{v.month}月{v.day}日"
    return str(v).strip()


def _records(campaign, key: str) -> list[tuple[int | None, dict[str, Any]]]:
    frame = campaign.frames.get(key)
    if frame is None or frame.empty:
        return []
    out = []
    for row_no, rec in row_records(frame):
        if any(v is not None for k, v in rec.items() if k in TABLES[key].keys):
            out.append((row_no, rec))
    return out


def member_recipients(campaign, common: dict[str, str]) -> tuple[list[Recipient], list[Problem]]:
    table = TABLES["members"]
    problems: list[Problem] = []
    rows = _records(campaign, "members")
    by_no: dict[str, list[int | None]] = {}
    for row_no, rec in rows:
        no = _text(rec.get("member_no"))
        if no:
            by_no.setdefault(name_key(no), []).append(row_no)
    out = []
    for row_no, rec in rows:
        no, name = _text(rec.get("member_no")), _text(rec.get("name"))
        missing = [table.column(k).header for k, v in (("member_no", no), ("name", name)) if not v]
        if missing:
            problems.append(problem("E702", sheet=table.sheet, row=row_no, column="、".join(missing)))
            continue
        same = by_no[name_key(no)]
        if len(same) > 1:
            if same[0] == row_no:
                problems.append(problem("E701", sheet=table.sheet, row=row_no, value=no,
                                        rows="、".join(str(r) for r in same)))
            continue
        fields = {**common, "会员编号": no, "姓名": name, "性别": _text(rec.get("gender")),
                  "单位": _text(rec.get("org")), "职务/职称": _text(rec.get("title")),
                  "入会日期": _text(rec.get("joined"))}
        out.append(Recipient(key=f"member|{name_key(no)}", fields=fields,
                             photo=_text(rec.get("photo")) or None, row=row_no))
    return out, problems


def award_recipients(campaign, common: dict[str, str], today: date) -> list[Recipient]:
    """获奖名单 rows, or — when staff left it empty — the review round's awards (一/二/三等奖, to the
    计策's 献策人) and the tally's 优秀组织单位 and 先进个人."""
    listed = _records(campaign, "awards")
    entries: list[tuple[int | None, str, str, str, str]] = [
        (row_no, _text(r.get("award")), _text(r.get("winner")), _text(r.get("org")), _text(r.get("reason")))
        for row_no, r in listed]
    if not listed:
        entries += [(None, a.level, _text(a.people) or _text(a.unit), _text(a.people_org) or _text(a.unit),
                     _text(a.title)) for a in review_awards(campaign)]
        tally = compute_tally(campaign, today)
        entries += [(None, "优秀组织单位", u.name, u.name, "") for u in tally.excellent_units]
        entries += [(None, "先进个人", i.author, i.author_org or i.unit_name or "", "、".join(i.titles[:1]))
                    for i in tally.individuals]
    out = []
    for row_no, award, winner, org, reason in entries:
        if not award or not winner:
            continue
        fields = {**common, "奖项": award, "获奖者": winner, "姓名": winner, "单位": org or winner, "事由": reason}
        key = f"honor|{name_key(award)}|{name_key(winner)}|{name_key(org)}"
        out.append(Recipient(key=key, fields=fields, row=row_no))
    return out


def printer_offset(campaign, printer: str | None) -> tuple[tuple[float, float], str | None, list[Problem]]:
    printer = printer or _text(campaign.settings.get("cert_printer")) or None
    if not printer:
        return (0.0, 0.0), None, []
    for _row, rec in _records(campaign, "printers"):
        if name_key(_text(rec.get("printer"))) == name_key(printer):
            return (float(rec.get("dx") or 0), float(rec.get("dy") or 0)), printer, []
    return (0.0, 0.0), printer, [problem("W704", value=printer, sheet=TABLES["printers"].sheet)]


# --- drawing --------------------------------------------------------------------------------------

@dataclass
class Printed:
    files: list[Path] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _card(r: Recipient, layout: Layout, fonts: FontBook, payload: str, photos: Path,
          problems: list[Problem], sheet: str) -> Card:
    texts: dict[str, tuple[str, float]] = {}
    for box in layout.fields:
        text = r.fields.get(box.field, "") if box.field else fill_text(box.text or "", r.fields)
        if not text:
            continue
        size, fits = fit_size(text, box, fonts.width_mm(box.font))
        if not fits:
            problems.append(problem("W702", sheet=sheet, row=r.row, column=box.name, size=size,
                                    width=box.max_width, name=r.fields.get("姓名", "")))
        texts[box.name] = (text, size)
    image = None
    if layout.photo is not None and r.photo:
        image, why = load_photo(photos / r.photo, layout.photo)
        if why:
            problems.append(problem("W701", sheet=sheet, row=r.row, column="照片", value=r.photo,
                                    name=r.fields.get("姓名", ""), detail=why))
    return Card(texts=texts, qr=payload if layout.qr else None, photo=image)


def _batch_name(kind: str, first: str, last: str, per_sheet: bool) -> str:
    span = f"{first}至{last}" if last != first else first
    return safe_filename(f"{kind}-{span}" + ("-A4拼版" if per_sheet else "")) + ".pdf"


def print_batches(recipients: list[Recipient], layout: Layout, out_dir: Path, *, kind: str, year: int,
                  secret: bytes, campaign_id: str, register: CertificateRegister, offset: tuple[float, float],
                  batch: int, photos: Path, fonts: FontBook, sheet: str, now: datetime) -> Printed:
    printed = Printed()
    numbered = assign_numbers(recipients, year, register.issued(kind), register.numbers(kind))
    out_dir.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(numbered), batch):
        chunk = numbered[start:start + batch]
        target = out_dir / _batch_name(kind, chunk[0][0].number, chunk[-1][0].number, layout.per_sheet)
        fd, tmp = tempfile.mkstemp(prefix=".kexie-cert-", suffix=".pdf", dir=out_dir)
        os.close(fd)
        new_records = []
        try:
            with CertificateWriter(Path(tmp), layout, fonts, offset, title=f"{kind} {target.stem}") as writer:
                for r, is_new in chunk:
                    name, unit = r.fields.get("姓名", ""), r.fields.get("单位", "")
                    r.fields["编号"] = r.number
                    payload = qr_payload(secret, campaign_id, kind, r.number, name, unit)
                    writer.add(_card(r, layout, fonts, payload, photos, printed.problems, sheet))
                    if is_new:
                        new_records.append((r.number, r.key, name, unit, payload))
                    printed.certificates.append({"number": r.number, "name": name, "unit": unit,
                                                 "new": is_new, "file": target.name})
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        register.record(kind, new_records, [r.number for r, _ in chunk], target.name, now)
        printed.files.append(target)
    return printed


# --- the use case ---------------------------------------------------------------------------------

def make_certificates(engine, master: Path, kind: str, out_dir: Path, *, layout_path=None, printer=None,
                      per_sheet: bool | None = None, calibration: bool = False,
                      today: date | None = None) -> tuple[Printed, dict[str, Any]]:
    if kind not in KINDS:
        raise ConfigError(f"证书种类只能是：{'、'.join(KINDS)}（现为“{kind}”）。")
    today = today or date.today()
    campaign = load_campaign(engine)
    layout = load_layout(kind, master, layout_path)
    if per_sheet is not None:
        layout = Layout(**{**layout.__dict__, "per_sheet": per_sheet})
    offset, printer, problems = printer_offset(campaign, printer)
    fonts = FontBook(master.parent)
    info: dict[str, Any] = {"kind": kind, "printer": printer, "offset_mm": list(offset)}
    if calibration:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / (safe_filename(f"{kind}-打印校准页") + ".pdf")
        calibration_page(path, layout, fonts, offset, printer)
        return Printed(files=[path], problems=problems), info
    common = {"活动名称": _text(campaign.settings.get("campaign_name")),
              "主办单位": _text(campaign.settings.get("organizer")),
              "颁发日期": _text(campaign.settings.get("doc_date") or today), "年度": str(campaign.year or today.year)}
    if kind == "会员证":
        recipients, more = member_recipients(campaign, common)
        problems += more
        sheet = TABLES["members"].sheet
    else:
        recipients = award_recipients(campaign, common, today)
        sheet = TABLES["awards"].sheet
    if not recipients:
        detail = ("“会员名册”中没有可印的会员" if kind == "会员证"
                  else "“获奖名单”是空的，统计中也没有优秀组织单位或先进个人")
        problems.append(problem("W703", kind=kind, detail=detail))
        return Printed(problems=problems), info
    secret = load_or_create_secret(master)
    batch = int(campaign.settings.get("cert_batch") or DEFAULT_BATCH)
    with Ledger(ledger_path(master)) as ledger:
        printed = print_batches(
            recipients, layout, out_dir, kind=kind, year=campaign.year or today.year, secret=secret,
            campaign_id=_text(campaign.settings.get("campaign_id")), register=CertificateRegister(ledger),
            offset=offset, batch=max(1, batch), photos=master.parent / PHOTO_DIR, fonts=fonts, sheet=sheet,
            now=datetime.now())
    printed.problems[:0] = problems
    return printed, info


def verify_code(code: str, masters: list[Path]) -> tuple[int, list[str], dict[str, Any]]:
    """Check a QR text against the keys of ``masters``; (exit code, lines, json)."""
    payload = parse_payload(code)
    if payload is None:
        return Exit.DATA_PROBLEMS, ["这不是科协工作台印制的证书二维码（格式不符）。"], {"valid": False}
    data: dict[str, Any] = {"valid": False, "number": payload.number, "name": payload.name,
                            "unit": payload.unit, "kind": payload.kind}
    for master in masters:
        secret = load_secret(master)
        if secret is None or not payload.valid_with(secret):
            continue
        data.update(valid=True, master=str(master))
        lines = [f"证书有效：{payload.kind} 编号 {payload.number}，{payload.name}，{payload.unit}。"]
        if ledger_path(master).exists():
            with Ledger(ledger_path(master)) as ledger:
                reg = CertificateRegister(ledger)
                row = reg.lookup(payload.kind, payload.number)
                prints = reg.prints(payload.kind, payload.number)
            if row is not None:
                data.update(issued_at=row["issued_at"], prints=len(prints))
                lines.append(f"  首次印制于 {row['issued_at']}，共印制 {len(prints)} 次"
                             + (f"（最近一次：{prints[-1]['file']}）。" if prints else "。"))
            else:
                lines.append("  注意：校验码正确，但台账中没有这个编号的印制记录。")
        return Exit.OK, lines, data
    return Exit.DATA_PROBLEMS, [
        f"校验码不符：编号 {payload.number}（{payload.name}）不是用{('这些' if len(masters) > 1 else '这个')}活动工作簿的密钥印制的，"
        "或证书内容被改动过。"], data


def _candidate_masters(explicit: str | None) -> list[Path]:
    if explicit:
        return [Path(explicit)]
    here = Path.cwd()
    return sorted(p for p in here.glob("*.xls*") if secret_path(p).exists())


# --- CLI ------------------------------------------------------------------------------------------

def add_arguments(p) -> None:
    p.add_argument("target", help="活动工作簿；写 verify 则核验一张证书的二维码内容")
    p.add_argument("code", nargs="?", help="verify 时：证书二维码中的文字")
    p.add_argument("--kind", help="证书种类：荣誉证书 或 会员证")
    p.add_argument("--out", help="证书 PDF 的输出文件夹")
    p.add_argument("--layout", help="证书版式文件（.toml，单位毫米；默认用工作簿旁“模板”文件夹中的或内置的）")
    p.add_argument("--printer", help="按“打印机校准”表中这台打印机的偏移印制（默认用设置中的“证书打印机”）")
    p.add_argument("--per-sheet", dest="per_sheet", action="store_true", default=None,
                   help="多张卡片拼在一张 A4 纸上并加裁切线")
    p.add_argument("--calibration", action="store_true", help="只打印校准页（刻度尺和十字线），用来量打印机偏移")
    p.add_argument("--master", help="verify 时：用哪个活动工作簿的密钥核验（默认当前文件夹中的工作簿）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.add_argument("--today", help="以该日期为今天（用于测试）")


def command(args) -> CommandResult:
    if args.target == "verify":
        if not args.code:
            raise ConfigError("请给出要核验的二维码内容：kexie certificates verify 二维码文字")
        code, lines, data = verify_code(args.code, _candidate_masters(args.master))
        return CommandResult(data=data, exit_code=code, lines=lines)
    if not args.kind or (not args.out):
        raise ConfigError("印制证书需要 --kind（荣誉证书 或 会员证）和 --out（输出文件夹）。")
    if not getattr(args, "master", None) or args.master == args.target:
        args.master = args.target
    master = Path(args.target)
    if not master.is_file():
        raise ConfigError(f"找不到活动工作簿“{master}”。")
    today = None
    if getattr(args, "today", None):
        from macros.core.normalize import parse_date

        today = args.today if isinstance(args.today, date) else parse_date(args.today)
    printed, info = make_certificates(open_engine(args), master, args.kind, Path(args.out),
                                      layout_path=args.layout, printer=args.printer, per_sheet=args.per_sheet,
                                      calibration=args.calibration, today=today)
    data = {**info, "files": [str(f) for f in printed.files], "certificates": printed.certificates,
            "problems": [p.to_json() for p in printed.problems]}
    lines = _lines(printed, info, args.calibration)
    return CommandResult(data=data, exit_code=Exit.DATA_PROBLEMS if printed.problems else Exit.OK, lines=lines)


def _lines(printed: Printed, info: dict[str, Any], calibration: bool) -> list[str]:
    if calibration:
        lines = [f"已生成打印校准页：{printed.files[0]}"] if printed.files else []
    else:
        new = sum(1 for c in printed.certificates if c["new"])
        lines = [f"已印制{info['kind']} {len(printed.certificates)} 张（新编号 {new} 张，重印 "
                 f"{len(printed.certificates) - new} 张），共 {len(printed.files)} 个 PDF 文件："]
        lines += [f"  {f}" for f in printed.files]
    if info.get("printer"):
        dx, dy = info["offset_mm"]
        lines.append(f"  打印机“{info['printer']}”偏移：水平 {dx:+g} 毫米，垂直 {dy:+g} 毫米。")
    for p in printed.problems:
        where = f"{p.sheet} 第{p.row}行：" if p.sheet and p.row else ""
        lines.append(f"  [{p.code} {LEVEL_ZH[p.level]}] {where}{p.message}")
    return lines
