"""GB/T 9704-2012 layout of the official templates, measured on the PDFs LibreOffice makes.

One soffice run converts everything this module looks at: the notice and a reminder rendered
from sample contexts, and a specimen of every style (to check the glyph forms of each font).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from docx import Document
from lxml import etree

from macros.adapters.docs import Lines, render_docx
from macros.adapters.pdf import LibreOfficeConverter

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MM = 25.4 / 72  # points to millimetres

# GB/T 9704-2012: A4, text block 156 x 225 mm at top 37 mm / left 28 mm.
TOP, LEFT, WIDTH, HEIGHT = 37.0, 28.0, 156.0, 225.0
RIGHT, BOTTOM = LEFT + WIDTH, TOP + HEIGHT
PITCH = HEIGHT / 22
TOL = 1.5


def load_builder():
    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "scripts" / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOPICS = [
    "沿江沿海经济区建设，主要是丹东新区、东港经济开发区、前阳经济开发区、大孤山经济区以及其它各类园区",
    "提升开发开放水平", "区域经济合作", "转变经济发展方式，加快产业结构优化调整",
    "培育壮大主导产业和产业集群，培育有竞争力的大型企业集团，发展非公有制经济和中小企业",
    "大力发展现代服务业", "县域和城区经济发展", "大力发展现代农业", "推进新农村建设", "重大项目谋划",
    "加强基础设施建设", "加强城市建设和管理", "推进城市化进程", "建设资源节约型和环境友好型社会",
    "积极拓宽融资渠道", "深化重点领域改革", "加强人才队伍建设，提高自主创新能力",
    "转变政府职能，提高公共服务水平", "提高城乡居民收入", "改善民生，构建和谐社会",
]

NOTICE_CONTEXT = {
    "issuer_mark": "丹东市科学技术协会文件",
    "doc_number": "丹科协〔2010〕12号",
    "signer": "方龙田",
    "title": "关于开展“献策‘十二五’，建设新丹东”活动的通知",
    "recipients": "各市级学会，各县（市）区科协，各企事业科协，科技教育学院，科技馆",
    "intro": "为贯彻落实市直机关工委开展的“献策‘十二五’，建设新丹东”活动，进一步调动全市广大科技工作者、"
             "直属单位和骨干企业为丹东发展献策出力的积极性、创造性，市科协决定开展本次活动。现将有关事项通知如下：",
    "start_date": "2010年9月1日",
    "deadline": "2010年10月20日",
    "phases": [
        {"label": "（一）", "name": "宣传发动阶段", "period": "9月初", "work": "制定并下发活动方案，召开专题会议进行动员部署。"},
        {"label": "（二）", "name": "组织实施阶段", "period": "9月初至10月20日", "work": "组织广大科技工作者深入开展调查研究。"},
    ],
    "topics": [{"no": i + 1, "name": t} for i, t in enumerate(TOPICS)],
    "quotas": [{"category": c, "min_items": 3} for c in ("市级学会", "县(市)区科协", "企事业科协")],
    "word_limit": 3000,
    "department": "市科协学会部",
    "leaders": [{"role": "组长", "names": "方龙田"}, {"role": "副组长", "names": "孙同成、王培武"}],
    "organizer": "丹东市科协",
    "attachments": ["“献策‘十二五’”计策报送表", "活动领导小组名单"],
    "signature": "丹东市科协",
    "date": "2010年8月30日",
    "contact_name": "刘勇",
    "contact_phone": "2127152",
    "contact_email": "ddkxxhb@163.com",
}

# The notice template serves every kind of campaign: a 征集 notice with all four sections.
_SECTIONS = ("time", "topics", "requirements", "organisation", "guiding", "content", "tasks", "indicators",
             "steps", "plan_requirements")
NOTICE_CONTEXT.update({
    "kind": "征集",
    "h": dict({k: "" for k in _SECTIONS}, time="一、", topics="二、", requirements="三、", organisation="四、"),
    "headings": dict({k: "" for k in _SECTIONS}, time="活动时间", topics="征集内容", requirements="报送要求",
                     organisation="组织领导"),
    "time_text": "活动时间为2010年9月1日至2010年10月20日，分2个阶段进行。",
    "quota_text": "市级学会、县（市）区科协、企事业科协报送数量均不少于3篇（个）；",
    "cover_text": "", "plan_title": "", "guiding": "", "content": [], "plan_requirements": [],
    "plan_tasks": [], "indicators": [],
    "title_lines": Lines(("关于开展“献策‘十二五’，建设新丹东”", "活动的通知")),
    "cc": "市直机关工委", "print_org": "丹东市科协办公室", "print_date": "2010年8月30日",
})

# Characters whose Simplified-Chinese and Japanese glyph forms differ visibly.
PROBE = "直骨"


def specimen_docx(path: Path) -> Path:
    """A document with 直骨 in every text style of the official templates."""
    doc = Document(str(TEMPLATES / "notice.docx"))
    body = doc.element.body
    for p in body.findall(f"{W}p") + body.findall(f"{W}tbl"):
        body.remove(p)
    for style_id in ("GwBody", "GwH1", "GwH2", "GwTitle", "GwMark", "GwTableHead"):
        p = doc.add_paragraph(PROBE * 3)
        p._p.get_or_add_pPr().get_or_add_pStyle().set(f"{W}val", style_id)
    doc.save(str(path))
    return path


@pytest.fixture(scope="module")
def pdfs(soffice, tmp_path_factory):
    base = tmp_path_factory.mktemp("layout")
    notice = render_docx(TEMPLATES / "notice.docx", NOTICE_CONTEXT, base / "notice.docx")
    specimen = specimen_docx(base / "specimen.docx")
    conv = LibreOfficeConverter(soffice)
    try:
        out = conv.convert_many([notice, specimen], base / "pdf")
    finally:
        conv.close()
    return {"notice": out[0], "specimen": out[1]}


# ----------------------------------------------------------------------------- the .docx files


def test_committed_templates_are_what_the_script_builds():
    builder = load_builder()
    assert builder.stale_templates(TEMPLATES) == [], "run: python scripts/build_templates.py"


def xml_of(docx: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(docx) as z:
        return etree.fromstring(z.read(part))


@pytest.mark.parametrize("name", ["notice", "reminders"])
def test_fonts_and_language_are_explicit_chinese(name):
    path = TEMPLATES / f"{name}.docx"
    styles = xml_of(path, "word/styles.xml")
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    fonts = defaults.find(f"{W}rFonts")
    assert fonts.get(f"{W}eastAsia") == "仿宋"
    assert fonts.get(f"{W}eastAsiaTheme") is None
    assert defaults.find(f"{W}lang").get(f"{W}eastAsia") == "zh-CN"
    for part in ("word/styles.xml", "word/document.xml"):
        root = xml_of(path, part)
        for rfonts in root.iter(f"{W}rFonts"):
            assert rfonts.get(f"{W}eastAsiaTheme") is None, part
            assert rfonts.get(f"{W}asciiTheme") is None, part
        for lang in root.iter(f"{W}lang"):
            assert lang.get(f"{W}eastAsia") == "zh-CN", part
    body_runs = list(xml_of(path, "word/document.xml").iter(f"{W}rPr"))
    assert body_runs and all(r.find(f"{W}rFonts") is not None and r.find(f"{W}lang") is not None
                             for r in body_runs if r.getparent().tag == f"{W}r")
    settings = xml_of(path, "word/settings.xml")
    assert settings.find(f"{W}themeFontLang").get(f"{W}eastAsia") == "zh-CN"
    assert settings.find(f"{W}evenAndOddHeaders") is not None
    with zipfile.ZipFile(path) as z:
        theme = z.read("word/theme/theme1.xml").decode("utf-8")
        names = z.namelist()
    assert "ＭＳ" not in theme and "明朝" not in theme and "ゴシック" not in theme
    assert not any("thumbnail" in n for n in names)


@pytest.mark.parametrize("name", ["notice", "reminders"])
def test_page_setup_is_gb9704(name):
    sect = xml_of(TEMPLATES / f"{name}.docx", "word/document.xml").find(f"{W}body/{W}sectPr")
    size, mar, grid = sect.find(f"{W}pgSz"), sect.find(f"{W}pgMar"), sect.find(f"{W}docGrid")
    tw = 72 * 20 / 25.4  # twips per mm
    assert abs(int(size.get(f"{W}w")) / tw - 210) < 0.1 and abs(int(size.get(f"{W}h")) / tw - 297) < 0.1
    assert abs(int(mar.get(f"{W}top")) / tw - 37) < 0.1
    assert abs(int(mar.get(f"{W}left")) / tw - 28) < 0.1
    assert abs(int(mar.get(f"{W}right")) / tw - 26) < 0.1
    assert abs(int(mar.get(f"{W}bottom")) / tw - 35) < 0.1
    pitch = int(grid.get(f"{W}linePitch"))
    text_h = int(size.get(f"{W}h")) - int(mar.get(f"{W}top")) - int(mar.get(f"{W}bottom"))
    assert text_h // pitch == 22
    footers = [n for n in zipfile.ZipFile(TEMPLATES / f"{name}.docx").namelist() if n.startswith("word/footer")]
    assert len(footers) == 2
    for f in footers:
        xml = zipfile.ZipFile(TEMPLATES / f"{name}.docx").read(f).decode("utf-8")
        assert "PAGE" in xml and "—" in xml


# ----------------------------------------------------------------------------- measuring PDFs


def text_lines(page) -> list[list[dict]]:
    """Characters grouped into lines (by baseline), left to right."""
    lines: dict[int, list[dict]] = {}
    for c in page.chars:
        if not c["text"].strip():
            continue
        key = round(c["bottom"] * 2)
        for k in (key - 1, key, key + 1):
            if k in lines:
                key = k
                break
        lines.setdefault(key, []).append(c)
    return [sorted(v, key=lambda c: c["x0"]) for _, v in sorted(lines.items())]


def body_and_footer(page):
    lines = text_lines(page)
    body = [ln for ln in lines if ln[0]["top"] * MM < BOTTOM + TOL]
    footer = [ln for ln in lines if ln[0]["top"] * MM >= BOTTOM + TOL]
    return body, footer


def line_text(line) -> str:
    return "".join(c["text"] for c in line)


@pytest.mark.libreoffice
def test_notice_text_is_complete(pdfs):
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdfs["notice"]), "-"], capture_output=True,
                         text=True, check=True).stdout
    flat = re.sub(r"\s+", "", out)
    for expected in ("丹东市科学技术协会文件", "丹科协〔2010〕12号", "签发人：方龙田",
                     "关于开展“献策‘十二五’，建设新丹东”活动的通知", "各市级学会，各县（市）区科协",
                     "附件：1．“献策‘十二五’”计策报送表", "2．活动领导小组名单", "丹东市科协",
                     "2010年8月30日", "（联系人：刘勇，联系电话：2127152", "20．改善民生，构建和谐社会。"):
        assert expected in flat, expected


@pytest.mark.libreoffice
def test_notice_pages_are_a4_and_fonts_embedded(pdfs):
    with pdfplumber.open(pdfs["notice"]) as pdf:
        assert len(pdf.pages) >= 2
        for page in pdf.pages:
            assert abs(page.width * MM - 210) < 0.5 and abs(page.height * MM - 297) < 0.5
    out = subprocess.run(["pdffonts", str(pdfs["notice"])], capture_output=True, text=True, check=True).stdout
    rows = [ln.split() for ln in out.splitlines()[2:] if ln.strip()]
    assert rows and all(r[-5] == "yes" for r in rows), out


@pytest.mark.libreoffice
def test_notice_text_block_is_within_gb9704_margins(pdfs):
    full_pages = 0
    with pdfplumber.open(pdfs["notice"]) as pdf:
        for page in pdf.pages:
            body, _ = body_and_footer(page)
            assert len(body) <= 22 or page.page_number == 1
            chars = [c for ln in body for c in ln]
            assert min(c["x0"] for c in chars) * MM >= LEFT - TOL
            assert max(c["x1"] for c in chars) * MM <= RIGHT + TOL
            assert min(c["top"] for c in chars) * MM >= TOP - TOL
            assert max(c["bottom"] for c in chars) * MM <= BOTTOM + TOL
            if page.page_number == 1 or len(body) != 22:
                continue
            full_pages += 1
            centers = [(ln[0]["top"] + ln[0]["bottom"]) / 2 * MM for ln in body]
            pitches = np.diff(centers)
            assert np.all(np.abs(pitches - PITCH) < 0.15), pitches
            # The 22 line boxes (pitch high, centred on each line) make the text block.
            block_top = centers[0] - PITCH / 2
            block_bottom = centers[-1] + PITCH / 2
            assert abs(block_top - TOP) <= TOL, block_top
            assert abs(block_bottom - BOTTOM) <= TOL, block_bottom
            lefts = [ln[0]["x0"] * MM for ln in body]
            rights = [ln[-1]["x1"] * MM for ln in body]
            assert abs(min(lefts) - LEFT) <= TOL
            assert abs(max(rights) - RIGHT) <= TOL
            # Lines of Chinese only, edge to edge, hold 28 characters.
            for ln, left, right in zip(body, lefts, rights):
                text = line_text(ln)
                if abs(left - LEFT) < 0.5 and abs(right - RIGHT) < 0.5 and re.fullmatch(r"[^\x00-\xff]+", text):
                    assert len(text) == 28, text
    assert full_pages >= 1


@pytest.mark.libreoffice
def test_notice_sizes_red_header_and_page_numbers(pdfs):
    with pdfplumber.open(pdfs["notice"]) as pdf:
        first = pdf.pages[0]
        lines = text_lines(first)
        texts = [line_text(ln) for ln in lines]
        mark = lines[texts.index("丹东市科学技术协会文件")]
        assert all(tuple(round(v, 2) for v in c["non_stroking_color"]) == (1.0, 0.0, 0.0) for c in mark)
        assert mark[0]["top"] * MM > TOP + 25  # 下行文: 35 mm below the top of the text block
        title = next(ln for ln in lines if line_text(ln).startswith("关于开展"))
        assert all(abs(c["size"] - 22) < 0.2 for c in title)
        body = next(ln for ln in lines if line_text(ln).startswith("为贯彻落实"))
        assert all(abs(c["size"] - 16) < 0.2 for c in body)
        red = [e for e in first.lines + first.rects
               if e.get("stroking_color") and tuple(round(v, 2) for v in e["stroking_color"]) == (1.0, 0.0, 0.0)]
        red += [e for e in first.rects
                if e.get("non_stroking_color") and tuple(round(v, 2) for v in e["non_stroking_color"]) == (1.0, 0.0, 0.0)]
        assert red, "red separator line"
        sep = max(red, key=lambda e: e["x1"] - e["x0"])
        assert abs((sep["x1"] - sep["x0"]) * MM - WIDTH) <= TOL
        assert abs(sep["x0"] * MM - LEFT) <= TOL
        for page in pdf.pages:
            _, footer = body_and_footer(page)
            assert len(footer) == 1
            ln = footer[0]
            assert line_text(ln) == f"—{page.page_number}—"
            assert all(abs(c["size"] - 14) < 0.2 for c in ln)
            assert BOTTOM + 3 < ln[0]["top"] * MM < BOTTOM + 12
            if page.page_number % 2:  # odd pages: right, one character in
                assert abs(ln[-1]["x1"] * MM - (RIGHT - 16 * MM)) <= TOL
            else:
                assert abs(ln[0]["x0"] * MM - (LEFT + 16 * MM)) <= TOL


# ----------------------------------------------------------------------------- glyph forms


def cjk_faces() -> dict[str, dict[str, tuple[str, int]]]:
    """{"Serif": {"SC": (file, index), "JP": …}, "Sans": {…}} from fc-list."""
    if not shutil.which("fc-list"):
        return {}
    out = subprocess.run(["fc-list", "-f", "%{file}|%{index}|%{family[0]}|%{style[0]}\n"],
                         capture_output=True, text=True).stdout
    faces: dict[str, dict[str, tuple[str, int]]] = {}
    for line in out.splitlines():
        try:
            file, index, family, style = line.split("|")
        except ValueError:
            continue
        m = re.fullmatch(r"Noto (Serif|Sans) CJK (SC|TC|HK|JP|KR)", family)
        if m and style == "Regular":
            faces.setdefault(m.group(1), {})[m.group(2)] = (file, int(index))
    return faces


def glyph_vector(img) -> np.ndarray:
    """Crop to the ink, scale to 48x48, blur: a unit vector comparable across renderers."""
    from PIL import Image, ImageFilter

    gray = img.convert("L")
    ink = np.asarray(gray) < 160
    ys, xs = np.nonzero(ink)
    gray = gray.crop((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)).resize((48, 48), Image.LANCZOS)
    v = 255 - np.asarray(gray.filter(ImageFilter.GaussianBlur(1.2))).astype(float)
    v -= v.mean()
    return v / np.linalg.norm(v)


def reference_glyph(font_file: str, index: int, ch: str) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_file, 200, index=index)
    img = Image.new("L", (320, 320), 255)
    ImageDraw.Draw(img).text((40, 20), ch, font=font, fill=0)
    return glyph_vector(img)


def pdf_glyphs(path: Path, ch: str) -> list[tuple[float, np.ndarray]]:
    """(font size, glyph vector) of every ``ch`` drawn in the PDF, rendered at 600 dpi."""
    import pypdfium2 as pdfium

    scale = 600 / 72
    found = []
    doc = pdfium.PdfDocument(str(path))
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            chars = [c for c in page.chars if c["text"] == ch]
            if not chars:
                continue
            img = doc[page.page_number - 1].render(scale=scale).to_pil()
            for c in chars:
                box = tuple(int(round(v * scale)) for v in (c["x0"], c["top"], c["x1"], c["bottom"]))
                found.append((c["size"], glyph_vector(img.crop(box))))
    doc.close()
    return found


@pytest.mark.libreoffice
def test_chinese_is_drawn_with_simplified_chinese_glyphs(pdfs):
    faces = cjk_faces()
    if not {"Serif", "Sans"} <= set(faces) or not all("SC" in f and "JP" in f for f in faces.values()):
        pytest.fail("Noto Serif/Sans CJK (SC and JP faces) expected: install fonts-noto-cjk")
    refs = {
        (kind, region, ch): reference_glyph(*faces[kind][region], ch)
        for kind in faces for region in faces[kind] for ch in PROBE
    }
    for path in (pdfs["notice"], pdfs["specimen"]):
        checked = 0
        for ch in PROBE:
            for _size, glyph in pdf_glyphs(path, ch):
                scores = {key: float((glyph * ref).sum()) for key, ref in refs.items() if key[2] == ch}
                best_kind = max(scores, key=scores.get)[0]  # serif or sans, whichever it is drawn in
                by_region = {region: scores[(best_kind, region, ch)] for region in faces[best_kind]}
                assert by_region["SC"] >= max(by_region.values()) - 1e-9, (path.name, ch, by_region)
                assert by_region["SC"] - by_region["JP"] > 0.02, (path.name, ch, by_region)
                if "KR" in by_region:
                    assert by_region["SC"] - by_region["KR"] > 0.02, (path.name, ch, by_region)
                checked += 1
        assert checked >= 2, path.name


def test_glyph_comparison_tells_japanese_from_simplified_forms():
    """Control for the test above: small JP and SC renderings are told apart."""
    from PIL import Image, ImageDraw, ImageFont

    faces = cjk_faces()
    if "Serif" not in faces or not {"SC", "JP"} <= set(faces["Serif"]):
        pytest.skip("Noto Serif CJK SC/JP not installed")
    for region in ("SC", "JP"):
        font = ImageFont.truetype(faces["Serif"][region][0], 133, index=faces["Serif"][region][1])
        for ch in PROBE:
            img = Image.new("L", (200, 200), 255)
            ImageDraw.Draw(img).text((30, 10), ch, font=font, fill=0)
            glyph = glyph_vector(img)
            sc = float((glyph * reference_glyph(*faces["Serif"]["SC"], ch)).sum())
            jp = float((glyph * reference_glyph(*faces["Serif"]["JP"], ch)).sum())
            assert (sc > jp) == (region == "SC"), (region, ch, sc, jp)
