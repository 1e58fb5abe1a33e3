"""GB/T 9704 details measured from the PDF: 回行 keeping words whole, 签发人 only on 上行文,
the 版记 pinned to the bottom of the last page, the contact line not stretched, the 附件 list
naming the 报送表 the text points to (numbers aligned, 回行 under the name), award level
headings kept with their lists; and the pure line breaker on the seed titles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from macros.app.new import new_campaign
from macros.core.title_lines import break_title

SEED_TITLES = {
    "关于开展“献策‘十二五’，建设新丹东”活动的通知": ["关于开展“献策‘十二五’，建设新丹东”", "活动的通知"],
    "关于印发《保定市科协庆祝中华人民共和国成立70周年活动实施方案》的通知":
        ["关于印发《保定市科协庆祝中华人民共和国", "成立70周年活动实施方案》的通知"],
    "丹东市科协开展“比激情、比实干、比贡献，争当跨越式发展先锋”活动的实施方案":
        ["丹东市科协开展“比激情、比实干、比贡献，", "争当跨越式发展先锋”活动的实施方案"],
    "关于开展“成都市科协事业发展‘十三五’规划研究与编制”活动的通知":
        ["关于开展“成都市科协事业发展‘十三五’", "规划研究与编制”活动的通知"],
}


@pytest.mark.parametrize("title", list(SEED_TITLES))
def test_titles_break_at_word_boundaries(title):
    lines = break_title(title, 20)
    assert lines == SEED_TITLES[title]
    assert "".join(lines) == title and all(len(x) <= 20 for x in lines)
    assert len(lines[0]) >= len(lines[-1])  # 梯形: the upper line is the longer


def test_short_titles_stay_on_one_line_and_digits_are_never_split():
    assert break_title("关于催报材料的通知") == ["关于催报材料的通知"]
    lines = break_title("关于印发《某某市科协20110101号文件补充规定的实施细则和考核办法》的通知")
    joined = [a[-1:] + b[:1] for a, b in zip(lines, lines[1:])]
    assert not any(j.isdigit() and len(j) == 2 for j in joined)


def _lines(page):
    words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
    rows: dict[int, list] = {}
    for w in words:
        rows.setdefault(round(w["top"]), []).append(w)
    return [(top, sorted(ws, key=lambda w: w["x0"])) for top, ws in sorted(rows.items())]


@pytest.fixture(scope="module")
def xiance_notice(soffice, tmp_path_factory) -> tuple[Path, Path]:
    """The 献策 campaign and its 红头通知 as PDF, rendered once through the CLI for the tests
    that measure it."""
    root = tmp_path_factory.mktemp("notice")
    path = new_campaign(root / "献策.xlsx", "献策")
    out = root / "out"
    r = subprocess.run([sys.executable, "-m", "macros.cli", "report", str(path), "--kind", "notice", "--out",
                        str(out), "--format", "pdf"], capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return path, out / "红头通知.pdf"


def test_notice_pdf_title_signer_colophon_and_contact(xiance_notice):
    _path, pdf_path = xiance_notice
    with pdfplumber.open(pdf_path) as pdf:
        first = pdf.pages[0]
        texts = ["".join(w["text"] for w in ws) for _t, ws in _lines(first)]
        assert "关于开展“献策‘十二五’，建设新丹东”" in texts and "活动的通知" in texts
        assert not any("签发人" in t for t in texts)  # a 下行文
        last = pdf.pages[-1]
        last_texts = ["".join(w["text"] for w in ws) for _t, ws in _lines(last)]
        assert any(t.endswith("印发") and "丹东市科学技术协会" in t for t in last_texts)
        # the 版记's rules are drawn on the last page
        assert len([e for e in last.edges if e["orientation"] == "h" and e["width"] > 300]) >= 2
        # the contact line: characters at their natural pitch, not spread by justification
        for page in pdf.pages:
            for _top, ws in _lines(page):
                text = "".join(w["text"] for w in ws)
                if text.startswith("（联系人"):
                    chars = [c for c in page.chars if abs(c["top"] - ws[0]["top"]) < 2]
                    gaps = [b["x0"] - a["x1"] for a, b in zip(chars, chars[1:])]
                    assert max(gaps) < 3, gaps


def test_signer_only_on_upward_documents(tmp_path):
    from macros.adapters.file_engine import FileEngine
    from macros.app.campaign import load_campaign
    from macros.app.report import build_context
    from macros.core.tally import compute_tally

    path = new_campaign(tmp_path / "献策.xlsx", "献策")
    campaign = load_campaign(FileEngine(path))
    tally = compute_tally(campaign)
    assert build_context("notice", campaign, tally, tally.today, tmp_path)["signer"] == ""
    campaign.settings["upward"] = "是"
    assert build_context("notice", campaign, tally, tally.today, tmp_path)["signer"] == "方龙田"


MM = 25.4 / 72
TEXT_BOTTOM = 37.0 + 225.0  # mm: the bottom of the text block (top margin 37 mm, block 225 mm)
LINE = 225.0 / 22  # mm: one line of the grid


def _rules(page) -> list[float]:
    """The 版记's lines: horizontal rules as wide as the text block (156 mm), in mm from the top."""
    return sorted(round(e["top"] * MM, 1) for e in page.edges
                  if e["orientation"] == "h" and abs(e["width"] * MM - 156) < 2)


def _body_bottom(page, above: float) -> float:
    words = [w for w in page.extract_words() if w["bottom"] * MM < above]
    return max((w["bottom"] * MM for w in words), default=0.0)


def test_colophon_is_pinned_to_the_bottom_of_the_last_page(soffice, tmp_path):
    """Whatever the length of the body, the 版记 ends on the last line of the last page's text
    block; when the body ends too low to leave it room, it moves to a page of its own."""
    from macros.adapters.docs import render_docx
    from macros.adapters.file_engine import FileEngine
    from macros.adapters.pdf import LibreOfficeConverter
    from macros.app.campaign import load_campaign
    from macros.app.report import build_context, template_path
    from macros.core.tally import compute_tally

    path = new_campaign(tmp_path / "献策.xlsx", "献策")
    campaign = load_campaign(FileEngine(path))
    tally = compute_tally(campaign)
    ctx = build_context("notice", campaign, tally, tally.today, tmp_path)
    ctx["cc"] = "市直机关工委"
    topics = ctx["topics"]
    docs = []
    for n in range(0, len(topics) + 1, 2):  # the body's end walks down the last page and over
        docs.append(render_docx(template_path("notice"), dict(ctx, topics=topics[:n]), tmp_path / f"n{n:02d}.docx"))
    conv = LibreOfficeConverter(soffice)
    try:
        pdfs = conv.convert_many(docs, tmp_path / "pdf")
    finally:
        conv.close()
    shared = alone = 0
    for pdf_path in pdfs:
        with pdfplumber.open(pdf_path) as pdf:
            pages = pdf.pages
            assert [p.page_number for p in pages if "印发" in (p.extract_text() or "")] == [len(pages)], pdf_path.name
            last = pages[-1]
            rules = _rules(last)
            assert len(rules) == 3, (pdf_path.name, rules)  # thick, thin (after 抄送), thick
            assert abs(rules[-1] - TEXT_BOTTOM) < 1.0, (pdf_path.name, rules)  # on the block's last line
            assert rules[-1] - rules[0] < 2 * LINE + 1.0, (pdf_path.name, rules)
            body_end = _body_bottom(last, rules[0] - 0.5)
            printed = [w for w in last.extract_words() if w["text"].endswith("印发")]
            assert printed and rules[-2] < printed[0]["top"] * MM < rules[-1], pdf_path.name
            if body_end:
                shared += 1
                assert body_end < rules[0] - 3, (pdf_path.name, body_end, rules)  # a clear gap above its first line
            else:  # moved on: the body ended too close to the bottom of the page before
                alone += 1
                assert _body_bottom(pages[-2], TEXT_BOTTOM + 1) > rules[0] - LINE - 3, pdf_path.name
    assert shared >= 3 and alone >= 1, (shared, alone)


def test_attachment_names_follow_gbt9704_and_the_form_is_listed_once():
    from macros.app.report.notice_kinds import attachment_list, attachment_name

    assert attachment_name("《保定市科协庆祝中华人民共和国成立70周年活动实施方案》") == "保定市科协庆祝中华人民共和国成立70周年活动实施方案"
    assert attachment_name("1．活动领导小组名单。") == "活动领导小组名单"
    assert attachment_name("附件：2、《甲》和《乙》") == "《甲》和《乙》"  # 书名号 inside the name stay
    assert attachment_list(["实施方案"], "献策——报送表") == (["实施方案", "献策——报送表"], "附件2")
    assert attachment_list([], "献策——报送表") == (["献策——报送表"], "附件")
    assert attachment_list(["计策报送表", "名单"], "献策——报送表") == (["计策报送表", "名单"], "附件1")
    assert attachment_list(["实施方案"], "") == (["实施方案"], "")


def test_notice_pdf_lists_the_form_the_text_points_to(xiance_notice):
    from macros.core.form_plan import form_title

    path, pdf_path = xiance_notice
    from datetime import datetime

    from macros.adapters.file_engine import FileEngine
    from macros.adapters.xlsx_form import build_template_workbook
    from macros.app.campaign import load_campaign
    from macros.app.forms import form_spec

    wb = build_template_workbook(form_spec(load_campaign(FileEngine(path)), datetime(2010, 8, 30)))
    titles = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows(max_row=2) for c in row if c.value}
    with pdfplumber.open(pdf_path) as pdf:
        pages = [(page, _lines(page)) for page in pdf.pages]
        flat = "".join("".join(w["text"] for w in ws) for _p, lines in pages for _t, ws in lines)
        assert "填写下发的报送表（见附件2）" in flat
        page, lines = next((p, ls) for p, ls in pages if any(ws[0]["text"].startswith("附件：") for _t, ws in ls))
        start = next(i for i, (_t, ws) in enumerate(lines) if ws[0]["text"].startswith("附件："))
        block = [ws for _t, ws in lines[start:start + 4]]
        texts = ["".join(w["text"] for w in ws) for ws in block]
        second = next(i for i, t in enumerate(texts) if t.startswith("2．"))
        name = texts[second][2:]
        assert name in titles and name == form_title("献策“十二五”，建设新丹东")  # the title the form carries

        def char_x(ws, index):  # x of the index-th character of the line
            line_chars = sorted((c for c in page.chars if abs(c["top"] - ws[0]["top"]) < 2), key=lambda c: c["x0"])
            return line_chars[index]["x0"] * MM

        assert abs(char_x(block[0], 0) - (28 + 2 * 156 / 28)) < 0.8  # 附件 two characters in
        assert abs(char_x(block[0], 3) - char_x(block[second], 0)) < 0.5  # 1． over 2．
        name_x = char_x(block[0], 5)
        assert all(abs(char_x(block[i], 0) - name_x) < 0.5 for i in range(1, second))  # 回行 under the name
        assert abs(char_x(block[second], 2) - name_x) < 0.5


def test_award_level_headings_keep_with_their_lists(soffice, tmp_path):
    """A level heading (一、一等奖（n项）) is never left at the foot of a page: on its page it is
    followed by the table's header row and at least one winner. The recipients line grows step
    by step so that the first heading walks down page 1 and over to page 2."""
    from macros.adapters.docs import render_docx
    from macros.adapters.pdf import LibreOfficeConverter
    from macros.app.report import template_path
    from test_review_documents import AWARDS_CONTEXT, _entries
    from test_templates_layout import BOTTOM, TOL, line_text, text_lines

    tall = [dict(e, title=f"以东北东部区域经济合作推动丹东跨越式发展的若干建议和对策研究报告（{i}）",
                 org="丹东热电有限责任公司企业管理部生产技术处") for i, e in enumerate(_entries(3), start=1)]
    docs = []
    for n in range(12):
        levels = [dict(AWARDS_CONTEXT["levels"][0], entries=tall if n % 2 else _entries(3))]
        levels += AWARDS_CONTEXT["levels"][1:]
        ctx = dict(AWARDS_CONTEXT, recipients=AWARDS_CONTEXT["recipients"] + "，各有关单位" * n, levels=levels)
        docs.append(render_docx(template_path("awards"), ctx, tmp_path / f"a{n:02d}.docx"))
    conv = LibreOfficeConverter(soffice)
    try:
        pdfs = conv.convert_many(docs, tmp_path / "pdf")
    finally:
        conv.close()
    with pdfplumber.open(pdfs[0]) as pdf:  # the title in whole-word lines (回行)
        titles = [line_text(ln) for ln in text_lines(pdf.pages[0])]
        assert "关于“献策‘十二五’，建设新丹东”" in titles and "评审结果和获奖名单的通报" in titles, titles
    first_heading_pages = set()
    lowest = 0.0
    for pdf_path in pdfs:
        with pdfplumber.open(pdf_path) as pdf:
            for page in pdf.pages:
                body = [ln for ln in text_lines(page) if ln[0]["top"] * MM < BOTTOM + TOL]
                texts = [line_text(ln) for ln in body]
                for i, text in enumerate(texts):
                    if not (text[1:2] == "、" and "等奖（" in text):
                        continue
                    if text.startswith("一、"):
                        first_heading_pages.add(page.page_number)
                        if page.page_number == 1:
                            lowest = max(lowest, body[i][0]["top"] * MM)
                    after = texts[i + 1:]
                    assert after and after[0].startswith("序号"), (pdf_path.name, page.page_number, text, after[:1])
                    assert len(after) >= 2 and not after[1].startswith("序号"), (pdf_path.name, text)  # a winner
    assert first_heading_pages == {1, 2}, first_heading_pages  # the case at the foot of page 1 was met
    assert lowest > BOTTOM - 4 * LINE, lowest
