"""Certificates (荣誉证书, 会员证) as plain data: layouts, numbers, check codes, sheets of cards.

Pure functions, no I/O:

* ``parse_layout(data)`` turns a layout file's mapping (TOML, millimetres, origin at the top-left
  corner of the card) into a :class:`Layout`; mistakes come back as Chinese messages naming the
  entry, never as a traceback.
* ``assign_numbers`` gives every recipient its number ``年度-序号`` (e.g. ``2010-0007``): a
  recipient printed before keeps the number the ledger recorded for it, a new one takes the next
  free 序号 of that kind and year. The recipient's identity is its ``key`` (kind, award, name,
  unit as normalised by the caller), so a reprint is traced to the first issue.
* ``check_code`` / ``qr_payload`` / ``parse_payload``: the QR code holds 编号, 姓名, 单位 and a
  check code — the first 8 characters of base32(HMAC-SHA256(campaign secret, payload)). Only the
  office (which holds the secret beside the master) can make a valid one.
* ``fit_size`` shrinks a field's font from its size to its minimum until the text fits its maximum
  width; ``sheet_positions`` places cards several to an A4 sheet; ``crop_box`` crops a photo to its
  frame's aspect ratio (centred).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

__all__ = [
    "KINDS", "FieldBox", "Layout", "LayoutError", "Recipient", "parse_layout", "assign_numbers",
    "check_code", "qr_payload", "parse_payload", "fit_size", "sheet_positions", "crop_box",
    "A4_MM", "PAYLOAD_PREFIX",
]

KINDS = {"荣誉证书": "honor", "会员证": "member"}  # Chinese name -> layout file stem
A4_MM = (210.0, 297.0)
PAYLOAD_PREFIX = "KXZS1"  # 科协证书, format 1
PAYLOAD_SEP = "|"
ALIGNS = ("left", "center", "right")
_ALIGN_ZH = {"左": "left", "居中": "center", "中": "center", "右": "right"}


class LayoutError(ValueError):
    """A layout file that cannot be used; the message is Chinese and names the entry."""


@dataclass(frozen=True)
class FieldBox:
    """One piece of text on the card: a recipient's field (``field``) or fixed ``text``.

    ``x``/``y`` are millimetres from the card's top-left corner to the anchor of the text's
    baseline: its left end, centre or right end, by ``align``."""

    name: str
    x: float
    y: float
    size: float  # pt
    min_size: float  # pt; the text shrinks down to this to fit max_width
    max_width: float | None  # mm
    align: str = "left"
    font: str = "楷体"
    field: str | None = None  # recipient field shown (姓名, 单位, 奖项, 编号…)
    text: str | None = None  # fixed text ({年度} etc. filled from the recipient)
    color: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Frame:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Layout:
    kind: str
    width: float  # mm, the card (or certificate sheet)
    height: float
    fields: tuple[FieldBox, ...]
    photo: Frame | None = None
    qr: Frame | None = None
    background: str | None = None  # image file drawn under everything (pre-printed look), optional
    per_sheet: bool = False  # several cards on one A4 sheet with cut marks
    gap: float = 0.0  # mm between cards on a sheet


@dataclass
class Recipient:
    """Whoever gets a certificate; ``fields`` holds what the layout may show."""

    key: str  # identity for numbering (stable across reprints)
    fields: dict[str, str]
    photo: str | None = None  # file name as the sheet gives it
    row: int | None = None  # worksheet row, for messages
    number: str | None = None  # filled by assign_numbers


def _num(value: Any, where: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LayoutError(f"版式文件中“{where}”应为数字（毫米或磅），现为：{value!r}")
    if positive and value <= 0:
        raise LayoutError(f"版式文件中“{where}”应大于 0，现为：{value!r}")
    return float(value)


def _frame(data: Any, where: str) -> Frame | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise LayoutError(f"版式文件中“{where}”应为一组设置（x、y、宽、高）。")
    return Frame(_num(data.get("x"), f"{where}.x"), _num(data.get("y"), f"{where}.y"),
                 _num(data.get("width"), f"{where}.width", positive=True),
                 _num(data.get("height", data.get("width")), f"{where}.height", positive=True))


def _color(value: Any, where: str) -> tuple[float, float, float]:
    if value is None:
        return (0.0, 0.0, 0.0)
    text = str(value).strip().lstrip("#")
    if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise LayoutError(f"版式文件中“{where}”的颜色应写成 #RRGGBB，如 #C00000，现为：{value!r}")
    return tuple(int(text[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _field(data: Any, index: int) -> FieldBox:
    where = f"field 第{index}项"
    if not isinstance(data, Mapping):
        raise LayoutError(f"版式文件中 {where} 应为一组设置。")
    name = str(data.get("field") or data.get("name") or f"文字{index}")
    where = f"field “{name}”"
    if data.get("field") is None and data.get("text") is None:
        raise LayoutError(f"版式文件中 {where} 既没有 field（显示哪一项）也没有 text（固定文字）。")
    size = _num(data.get("size", 16), f"{where}.size", positive=True)
    min_size = _num(data.get("min_size", size), f"{where}.min_size", positive=True)
    align = str(data.get("align", "left")).strip()
    align = _ALIGN_ZH.get(align, align)
    if align not in ALIGNS:
        raise LayoutError(f"版式文件中 {where}.align 应为 left、center 或 right（左、居中、右），现为：{align}")
    max_width = data.get("max_width")
    return FieldBox(
        name=name, x=_num(data.get("x"), f"{where}.x"), y=_num(data.get("y"), f"{where}.y"),
        size=size, min_size=min(min_size, size),
        max_width=None if max_width is None else _num(max_width, f"{where}.max_width", positive=True),
        align=align, font=str(data.get("font", "楷体")), field=data.get("field"), text=data.get("text"),
        color=_color(data.get("color"), f"{where}.color"),
    )


def parse_layout(data: Mapping[str, Any], kind: str) -> Layout:
    """A layout from a parsed layout file (see the shipped ``honor.toml`` / ``member.toml``)."""
    page = data.get("card") or data.get("page")
    if not isinstance(page, Mapping):
        raise LayoutError("版式文件缺少 [card] 部分（证书或卡片的宽、高，单位毫米）。")
    fields = data.get("field") or []
    if not isinstance(fields, list) or not fields:
        raise LayoutError("版式文件没有任何 [[field]]（要印的文字）。")
    return Layout(
        kind=kind,
        width=_num(page.get("width"), "card.width", positive=True),
        height=_num(page.get("height"), "card.height", positive=True),
        fields=tuple(_field(f, i) for i, f in enumerate(fields, 1)),
        photo=_frame(data.get("photo"), "photo"),
        qr=_frame(data.get("qr"), "qr"),
        background=page.get("background"),
        per_sheet=bool(page.get("per_sheet", False)),
        gap=_num(page.get("gap", 0), "card.gap"),
    )


# --- numbers ------------------------------------------------------------------------------------

def format_number(year: int, seq: int) -> str:
    return f"{year}-{seq:04d}"


def assign_numbers(recipients: Sequence[Recipient], year: int,
                   issued: Mapping[str, str], used: Iterable[str]) -> list[tuple[Recipient, bool]]:
    """Give each recipient its number; returns (recipient, is_new) in the given order.

    ``issued`` maps a recipient key to the number the ledger holds for it (any year: a reprint
    keeps its number); ``used`` lists every number already issued for this kind, so a new number
    never repeats one (even one whose recipient is gone)."""
    taken = set(used) | set(issued.values())
    prefix = f"{year}-"
    next_seq = 1 + max((int(n[len(prefix):]) for n in taken
                        if n.startswith(prefix) and n[len(prefix):].isdigit()), default=0)
    out = []
    for r in recipients:
        number = issued.get(r.key)
        if number is not None:
            r.number = number
            out.append((r, False))
            continue
        r.number = format_number(year, next_seq)
        next_seq += 1
        out.append((r, True))
    return out


# --- QR payload and check code --------------------------------------------------------------------

def _clean(value: str) -> str:
    return " ".join(str(value).replace(PAYLOAD_SEP, "／").split())


def _message(campaign_id: str, kind: str, number: str, name: str, unit: str) -> bytes:
    return PAYLOAD_SEP.join((PAYLOAD_PREFIX, campaign_id, kind, number, _clean(name), _clean(unit))).encode()


def check_code(secret: bytes, campaign_id: str, kind: str, number: str, name: str, unit: str) -> str:
    """8 characters of base32(HMAC-SHA256): enough that guessing one is hopeless, short to read."""
    mac = hmac.new(bytes(secret), _message(campaign_id, kind, number, name, unit), hashlib.sha256).digest()
    return base64.b32encode(mac).decode("ascii")[:8]


def qr_payload(secret: bytes, campaign_id: str, kind: str, number: str, name: str, unit: str) -> str:
    """The text of a certificate's QR code: ``KXZS1|活动编号|种类|编号|姓名|单位|校验码``."""
    code = check_code(secret, campaign_id, kind, number, name, unit)
    return PAYLOAD_SEP.join((PAYLOAD_PREFIX, campaign_id, kind, number, _clean(name), _clean(unit), code))


@dataclass(frozen=True)
class Payload:
    campaign_id: str
    kind: str
    number: str
    name: str
    unit: str
    code: str

    def valid_with(self, secret: bytes) -> bool:
        expected = check_code(secret, self.campaign_id, self.kind, self.number, self.name, self.unit)
        return hmac.compare_digest(expected, self.code.strip().upper())


def parse_payload(text: str) -> Payload | None:
    """The fields of a QR text, or None when it is not a kexie certificate code."""
    parts = str(text).strip().split(PAYLOAD_SEP)
    if len(parts) != 7 or parts[0] != PAYLOAD_PREFIX:
        return None
    return Payload(*parts[1:])


# --- geometry -------------------------------------------------------------------------------------

def fit_size(text: str, box: FieldBox, width_mm: Callable[[str, float], float]) -> tuple[float, bool]:
    """The font size (pt) at which ``text`` fits ``box.max_width``, shrinking in 0.5 pt steps down
    to ``box.min_size``; the bool is False when even the minimum is too wide."""
    if box.max_width is None:
        return box.size, True
    size = box.size
    while size > box.min_size and width_mm(text, size) > box.max_width:
        size = max(box.min_size, size - 0.5)
    return size, width_mm(text, size) <= box.max_width + 1e-6


def sheet_positions(card_w: float, card_h: float, gap: float, sheet: tuple[float, float] = A4_MM,
                    margin: float = 10.0) -> list[tuple[float, float]]:
    """Top-left corners (mm from the sheet's top-left) of as many cards as fit, centred, row by row."""
    avail_w, avail_h = sheet[0] - 2 * margin, sheet[1] - 2 * margin
    cols = int((avail_w + gap) // (card_w + gap))
    rows = int((avail_h + gap) // (card_h + gap))
    if cols < 1 or rows < 1:
        return []
    used_w = cols * card_w + (cols - 1) * gap
    used_h = rows * card_h + (rows - 1) * gap
    x0 = (sheet[0] - used_w) / 2
    y0 = (sheet[1] - used_h) / 2
    return [(x0 + c * (card_w + gap), y0 + r * (card_h + gap)) for r in range(rows) for c in range(cols)]


def crop_box(img_w: int, img_h: int, frame_w: float, frame_h: float) -> tuple[int, int, int, int]:
    """The centred (left, top, right, bottom) pixel box of the image with the frame's aspect ratio."""
    target = frame_w / frame_h
    if img_w / img_h > target:  # too wide: cut the sides
        w = round(img_h * target)
        left = (img_w - w) // 2
        return (left, 0, left + w, img_h)
    h = round(img_w / target)
    top = (img_h - h) // 2
    return (0, top, img_w, top + h)


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def fill_text(template: str, values: Mapping[str, str]) -> str:
    """Fixed text with ``{字段}`` placeholders filled; "" when a placeholder has no value (so a
    line like "职务：{职务/职称}" is left off a card instead of printed half empty)."""
    names = _PLACEHOLDER.findall(template)
    if any(not values.get(n) for n in names):
        return ""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


@dataclass
class Batch:
    """What one run prints: recipients with numbers, and the problems met."""

    kind: str
    recipients: list[Recipient] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)
