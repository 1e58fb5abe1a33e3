"""Print-ready certificate PDFs drawn directly with ReportLab (no office program involved).

``CertificateWriter(layout, fonts, offset)`` draws cards onto one PDF file: one card per page
whose size is the card's, or — with ``layout.per_sheet`` — as many cards as fit on an A4 sheet,
with cut marks in the margins. Positions come from the layout in millimetres; the printer offset
(设置/打印机校准) moves everything by the same amount so pre-printed card stock lines up.

Fonts: the layout names a family (楷体, 宋体, 黑体, 仿宋) or a font file. ``FontBook`` finds a
TrueType file for it on this PC (Windows: simkai.ttf…; Linux: AR PL UKai/UMing, WenQuanYi) and
embeds it (subset) — PDF viewers and printers need no fonts of their own. OpenType/CFF files
(Noto CJK) cannot be embedded by ReportLab and are skipped.

Photos are cropped to the frame's aspect ratio (centred) and scaled to at most 300 dpi before
they are embedded, so a 10 MB camera picture costs a few kilobytes per card. A photo that cannot
be read comes back as an error string; the card is drawn without it.
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path


import segno
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from macros.core.certificates import A4_MM, FieldBox, Frame, Layout, crop_box, sheet_positions
from macros.errors import ConfigError

MM = 72.0 / 25.4  # points per millimetre
PHOTO_DPI = 300
CUT_MARK = 4.0  # mm
CUT_GAP = 1.5  # mm between a cut mark and the card

# Family -> TrueType files that carry it, best first (Windows names, then free fonts on Linux).
FONT_FILES: dict[str, tuple[tuple[str, int], ...]] = {
    "楷体": (("simkai.ttf", 0), ("STKAITI.TTF", 0), ("ukai.ttc", 0), ("wqy-zenhei.ttc", 0)),
    "宋体": (("simsun.ttc", 0), ("STSONG.TTF", 0), ("uming.ttc", 0), ("ukai.ttc", 0), ("wqy-zenhei.ttc", 0)),
    "仿宋": (("simfang.ttf", 0), ("STFANGSO.TTF", 0), ("ukai.ttc", 0), ("uming.ttc", 0), ("wqy-zenhei.ttc", 0)),
    "黑体": (("simhei.ttf", 0), ("STHEITI.TTF", 0), ("wqy-zenhei.ttc", 0), ("wqy-microhei.ttc", 0)),
}
FALLBACK_ORDER = ("楷体", "宋体", "黑体")


def font_dirs() -> list[Path]:
    """Where fonts live on Windows, macOS and Linux (system and per-user)."""
    dirs: list[Path] = []
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    if sys.platform == "darwin":
        dirs += [Path("/Library/Fonts"), Path("/System/Library/Fonts"), Path.home() / "Library" / "Fonts"]
    dirs += [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local" / "share" / "fonts",
             Path.home() / ".fonts"]
    extra = os.environ.get("KEXIE_FONT_DIRS")
    if extra:
        dirs = [Path(p) for p in extra.split(os.pathsep) if p] + dirs
    return [d for d in dirs if d.is_dir()]


class FontBook:
    """Registered ReportLab fonts by family name; ``name(family)`` gives the font to draw with."""

    def __init__(self, base: Path | None = None):
        self._base = base
        self._names: dict[str, str] = {}
        self._files: dict[str, Path] | None = None

    def _index(self) -> dict[str, Path]:
        if self._files is None:
            wanted = {f.lower() for files in FONT_FILES.values() for f, _ in files}
            found: dict[str, Path] = {}
            for d in font_dirs():
                for root, _dirs, names in os.walk(d):
                    for n in names:
                        if n.lower() in wanted and n.lower() not in found:
                            found[n.lower()] = Path(root) / n
            self._files = found
        return self._files

    def _register(self, key: str, path: Path, index: int) -> str | None:
        name = f"kexie-{len(self._names)}-{path.stem}"
        try:
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
        except (TTFError, OSError, ValueError):
            return None
        self._names[key] = name
        return name

    def name(self, family: str) -> str:
        if family in self._names:
            return self._names[family]
        as_file = Path(family) if self._base is None else self._base / family
        if family.lower().endswith((".ttf", ".ttc")) and as_file.is_file():
            got = self._register(family, as_file, 0)
            if got:
                return got
        files = self._index()
        for fam in (family, *FALLBACK_ORDER):
            for fname, index in FONT_FILES.get(fam, ()):
                path = files.get(fname.lower())
                if path is not None and (got := self._register(family, path, index)):
                    return got
        raise ConfigError(
            f"找不到可嵌入证书的中文字体（版式要求“{family}”）。Windows 自带的楷体、宋体即可；"
            "Linux 请安装 fonts-arphic-ukai 或 fonts-wqy-zenhei。kexie doctor 可检查本机字体。")

    def width_mm(self, family: str):
        font = self.name(family)
        return lambda text, size: pdfmetrics.stringWidth(text, font, size) / MM


def load_photo(path: Path, frame: Frame) -> tuple[ImageReader | None, str | None]:
    """The photo cropped to ``frame`` and scaled to at most PHOTO_DPI, or (None, reason)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            box = crop_box(img.width, img.height, frame.width, frame.height)
            out = img.convert("RGB").crop(box)
    except FileNotFoundError:
        return None, "照片文件不存在"
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        return None, f"照片无法读取（{type(exc).__name__}）"
    max_px = (round(frame.width / 25.4 * PHOTO_DPI), round(frame.height / 25.4 * PHOTO_DPI))
    if out.width > max_px[0] or out.height > max_px[1]:
        out = out.resize(max_px, Image.LANCZOS)
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=88)
    buf.seek(0)
    return ImageReader(buf), None


@dataclass(frozen=True)
class Card:
    """One card to draw: its texts by layout field name, QR text and photo (already loaded)."""

    texts: dict[str, tuple[str, float]]  # field name -> (text, font size actually used)
    qr: str | None
    photo: ImageReader | None


class CertificateWriter:
    """Draws cards into one PDF; use as a context manager, ``add(card)`` per card."""

    def __init__(self, path: Path, layout: Layout, fonts: FontBook, offset: tuple[float, float] = (0.0, 0.0),
                 title: str = "证书"):
        self.layout = layout
        self.fonts = fonts
        self.offset = offset
        self.sheet = layout.per_sheet
        self.page_mm = A4_MM if self.sheet else (layout.width, layout.height)
        self.slots = sheet_positions(layout.width, layout.height, layout.gap) if self.sheet else [(0.0, 0.0)]
        if not self.slots:
            raise ConfigError("版式中的卡片比 A4 纸还大，不能多张拼版：请去掉 per_sheet 或改小卡片尺寸。")
        self.canvas = Canvas(str(path), pagesize=(self.page_mm[0] * MM, self.page_mm[1] * MM),
                             pageCompression=1, invariant=1, initialFontName=fonts.name(layout.fields[0].font))
        self.canvas.setTitle(title)
        self.canvas.setCreator("kexie 科协工作台")
        self._slot = 0
        self.pages = 0

    # coordinates: layout mm from the top-left -> PDF points from the bottom-left
    def _pt(self, x: float, y: float) -> tuple[float, float]:
        return (x + self.offset[0]) * MM, (self.page_mm[1] - y - self.offset[1]) * MM

    def add(self, card: Card) -> None:
        ox, oy = self.slots[self._slot]
        if self._slot == 0:
            self.pages += 1
            if self.sheet:
                self._cut_marks()
        c = self.canvas
        lay = self.layout
        if lay.photo is not None and card.photo is not None:
            f = lay.photo
            x, y = self._pt(ox + f.x, oy + f.y + f.height)
            c.drawImage(card.photo, x, y, f.width * MM, f.height * MM)
        for box in lay.fields:
            entry = card.texts.get(box.name)
            if entry and entry[0]:
                self._text(box, entry[0], entry[1], ox, oy)
        if lay.qr is not None and card.qr:
            self._qr(card.qr, lay.qr, ox, oy)
        self._slot += 1
        if self._slot == len(self.slots):
            self._next_page()

    def _text(self, box: FieldBox, text: str, size: float, ox: float, oy: float) -> None:
        c = self.canvas
        c.setFont(self.fonts.name(box.font), size)
        c.setFillColorRGB(*box.color)
        x, y = self._pt(ox + box.x, oy + box.y)
        if box.align == "center":
            c.drawCentredString(x, y, text)
        elif box.align == "right":
            c.drawRightString(x, y, text)
        else:
            c.drawString(x, y, text)

    def _qr(self, text: str, frame: Frame, ox: float, oy: float) -> None:
        """The QR code as filled squares filling ``frame``. UTF-8 with an ECI header, so scanners
        (phones, zbar) read the Chinese as Chinese instead of guessing Shift-JIS."""
        qr = segno.make(text, eci=True, error="m", boost_error=False)
        modules = list(qr.matrix_iter(border=0))
        n = len(modules)
        size = min(frame.width, frame.height) * MM / n
        x0, y_top = self._pt(ox + frame.x, oy + frame.y)
        c = self.canvas
        c.setFillColorRGB(0, 0, 0)
        path = c.beginPath()
        for r, row in enumerate(modules):
            for col, dark in enumerate(row):
                if dark:
                    path.rect(x0 + col * size, y_top - (r + 1) * size, size, size)
        c.drawPath(path, stroke=0, fill=1)

    def _cut_marks(self) -> None:
        c = self.canvas
        c.setLineWidth(0.25)
        c.setStrokeColorRGB(0, 0, 0)
        w, h = self.layout.width, self.layout.height
        xs = sorted({x for x, _ in self.slots} | {x + w for x, _ in self.slots})
        ys = sorted({y for _, y in self.slots} | {y + h for _, y in self.slots})
        top, bottom, left, right = ys[0], ys[-1], xs[0], xs[-1]
        page_h = self.page_mm[1]
        for x in xs:  # ticks above and below the block of cards
            for y_from, y_to in ((top - CUT_GAP, top - CUT_GAP - CUT_MARK), (bottom + CUT_GAP, bottom + CUT_GAP + CUT_MARK)):
                c.line(x * MM, (page_h - y_from) * MM, x * MM, (page_h - y_to) * MM)
        for y in ys:
            for x_from, x_to in ((left - CUT_GAP, left - CUT_GAP - CUT_MARK), (right + CUT_GAP, right + CUT_GAP + CUT_MARK)):
                c.line(x_from * MM, (page_h - y) * MM, x_to * MM, (page_h - y) * MM)

    def _next_page(self) -> None:
        self.canvas.showPage()
        self._slot = 0

    def close(self) -> None:
        if self._slot:
            self._next_page()
        self.canvas.save()

    def __enter__(self) -> "CertificateWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def calibration_page(path: Path, layout: Layout, fonts: FontBook, offset: tuple[float, float],
                     printer: str | None) -> None:
    """A page of the card's size (or A4 when cards are laid out several to a sheet) with mm rulers
    along the edges, crosshairs at 20 mm from two corners and in the centre, and the offset in use:
    print it on plain paper, lay it on the card stock against the light and read the shift."""
    page = A4_MM if layout.per_sheet else (layout.width, layout.height)
    font = fonts.name("黑体")
    c = Canvas(str(path), pagesize=(page[0] * MM, page[1] * MM), invariant=1, initialFontName=font)
    c.setTitle("证书打印校准页")
    dx, dy = offset

    def pt(x: float, y: float) -> tuple[float, float]:
        return (x + dx) * MM, (page[1] - y - dy) * MM

    c.setLineWidth(0.2)
    for mm_ in range(0, int(page[0]) + 1):  # top and bottom rulers
        tick = 5 if mm_ % 10 == 0 else (3 if mm_ % 5 == 0 else 1.5)
        for y0, sign in ((0, 1), (page[1], -1)):
            x, y = pt(mm_, y0)
            c.line(x, y, x, y - sign * tick * MM)
        if mm_ % 10 == 0 and 0 < mm_ < page[0]:
            c.setFont(font, 5)
            x, y = pt(mm_, 8)
            c.drawCentredString(x, y, str(mm_))
    for mm_ in range(0, int(page[1]) + 1):  # left and right rulers
        tick = 5 if mm_ % 10 == 0 else (3 if mm_ % 5 == 0 else 1.5)
        for x0, sign in ((0, 1), (page[0], -1)):
            x, y = pt(x0, mm_)
            c.line(x, y, x + sign * tick * MM, y)
        if mm_ % 10 == 0 and 0 < mm_ < page[1]:
            c.setFont(font, 5)
            x, y = pt(7, mm_)
            c.drawString(x, y - 1.5, str(mm_))
    for cx, cy in ((20, 20), (page[0] - 20, page[1] - 20), (page[0] / 2, page[1] / 2)):
        x, y = pt(cx, cy)
        c.circle(x, y, 3 * MM)
        c.line(x - 6 * MM, y, x + 6 * MM, y)
        c.line(x, y - 6 * MM, x, y + 6 * MM)
    c.setFont(font, 8)
    lines = ["证书打印校准页", f"纸张 {page[0]:g} × {page[1]:g} 毫米；十字线中心距左上角、右下角各 20 毫米，另一个在正中。",
             f"当前打印机：{printer or '（未指定）'}；当前偏移：水平 {dx:+g} 毫米，垂直 {dy:+g} 毫米。",
             "打印时请选“实际大小”（不要“适合页面”）。量出十字线偏离的毫米数，",
             "填入工作簿“打印机校准”表（向右、向下为正），再打印一次确认。"]
    for i, line in enumerate(lines):
        x, y = pt(page[0] / 2, page[1] / 2 + 12 + i * 4.5)
        c.drawCentredString(x, y, line)
    c.showPage()
    c.save()


