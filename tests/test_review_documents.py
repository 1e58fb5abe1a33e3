"""The review round's documents: 评审结果汇总表 (landscape table) and the 获奖名单 通报 (GB/T 9704),
measured on the PDFs LibreOffice makes (one soffice run for both)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pdfplumber
import pytest

from macros.adapters.docs import render_docx
from macros.adapters.pdf import LibreOfficeConverter
from test_templates_layout import (
    BOTTOM, LEFT, MM, RIGHT, TOL, TOP, WIDTH, body_and_footer, line_text, text_lines,
)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
COMMON = {"campaign": "献策“十二五”，建设新丹东", "campaign_quoted": "“献策‘十二五’，建设新丹东”",
          "organizer": "丹东市科学技术协会", "department": "丹东市科学技术协会学会部", "signature": "丹东市科学技术协会",
          "date": "2010年11月15日", "as_of": "2010年11月15日", "contact_name": "刘勇", "contact_phone": "2127152",
          "contact_email": "ddkx@example.cn", "experts": 10, "per_entry": 5, "method": "去掉最高最低",
          "normalized": "否"}


def _entries(n: int, start: int = 1):
    return [{"no": i, "title": f"关于加快丹东港口物流体系建设的建议（{start + i}）", "people": "高建国",
             "org": "辽东学院", "unit": "辽东学院科协", "score": f"{95 - i * 0.5:.2f}"} for i in range(1, n + 1)]


AWARDS_CONTEXT = {
    **COMMON, "title": "关于“献策‘十二五’，建设新丹东”评审结果和获奖名单的通报",
    "issuer_mark": "丹东市科学技术协会文件", "doc_number": "丹科协发〔2010〕25号", "signer": "方龙田",
    "recipients": "各市级学会，各县（市）区科协，各企事业科协", "entries": 90, "total": 18,
    "summary": "一等奖3项、二等奖6项、三等奖9项",
    "levels": [{"label": "一、一等奖（3项）", "name": "一等奖", "count": 3, "entries": _entries(3)},
               {"label": "二、二等奖（6项）", "name": "二等奖", "count": 6, "entries": _entries(6, 3)},
               {"label": "三、三等奖（9项）", "name": "三等奖", "count": 9, "entries": _entries(9, 9)}],
}
REVIEW_CONTEXT = {
    **COMMON, "title": "“献策‘十二五’，建设新丹东”评审结果汇总表", "entries": 40, "unscored": 0, "recheck": 1,
    "results": [{"rank": i, "item_id": f"XH{i:02d}-001", "title": "关于东港经济开发区建设的若干建议",
                 "unit": "丹东市化工学会", "count": 5, "scores": "95、90.5、96.5、89、92", "mean": "92.60",
                 "trimmed": "92.50", "normalized": "", "final": f"{93 - i * 0.1:.2f}", "spread": "7.50",
                 "recheck": "是" if i == 7 else "", "award": "一等奖" if i <= 3 else ""} for i in range(1, 41)],
}


@pytest.fixture(scope="module")
def pdfs(soffice, tmp_path_factory):
    base = tmp_path_factory.mktemp("review-docs")
    awards = render_docx(TEMPLATES / "awards.docx", AWARDS_CONTEXT, base / "awards.docx")
    review = render_docx(TEMPLATES / "review.docx", REVIEW_CONTEXT, base / "review.docx")
    conv = LibreOfficeConverter(soffice)
    try:
        out = conv.convert_many([awards, review], base / "pdf")
    finally:
        conv.close()
    return {"awards": out[0], "review": out[1]}


def _flat(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return "".join(out.split())


@pytest.mark.libreoffice
def test_awards_notice_text_and_fonts(pdfs):
    flat = _flat(pdfs["awards"])
    for expected in ("丹东市科学技术协会文件", "丹科协发〔2010〕25号", "签发人：方龙田",
                     "关于“献策‘十二五’，建设新丹东”评审结果和获奖名单的通报", "一、一等奖（3项）",
                     "三、三等奖（9项）", "评出一等奖3项、二等奖6项、三等奖9项，共18项", "2010年11月15日"):
        assert expected in flat, expected
    out = subprocess.run(["pdffonts", str(pdfs["awards"])], capture_output=True, text=True, check=True).stdout
    rows = [ln.split() for ln in out.splitlines()[2:] if ln.strip()]
    assert rows and all(r[-5] == "yes" for r in rows), out


@pytest.mark.libreoffice
def test_awards_notice_is_gb9704(pdfs):
    with pdfplumber.open(pdfs["awards"]) as pdf:
        assert len(pdf.pages) >= 2
        for page in pdf.pages:
            assert abs(page.width * MM - 210) < 0.5 and abs(page.height * MM - 297) < 0.5
            body, footer = body_and_footer(page)
            chars = [c for ln in body for c in ln]
            assert min(c["x0"] for c in chars) * MM >= LEFT - TOL
            assert max(c["x1"] for c in chars) * MM <= RIGHT + TOL
            assert min(c["top"] for c in chars) * MM >= TOP - TOL
            assert max(c["bottom"] for c in chars) * MM <= BOTTOM + TOL
            assert [line_text(ln) for ln in footer] == [f"—{page.page_number}—"]
        first = pdf.pages[0]
        lines = text_lines(first)
        texts = [line_text(ln) for ln in lines]
        mark = lines[texts.index("丹东市科学技术协会文件")]
        assert all(tuple(round(v, 2) for v in c["non_stroking_color"]) == (1.0, 0.0, 0.0) for c in mark)
        title = next(ln for ln in lines if line_text(ln).startswith("关于"))
        assert all(abs(c["size"] - 22) < 0.2 for c in title)
        body = next(ln for ln in lines if "活动开展以来" in line_text(ln))
        assert all(abs(c["size"] - 16) < 0.2 for c in body)
        red = [e for e in first.lines + first.rects
               if e.get("stroking_color") and tuple(round(v, 2) for v in e["stroking_color"]) == (1.0, 0.0, 0.0)]
        red += [e for e in first.rects
                if e.get("non_stroking_color") and tuple(round(v, 2) for v in e["non_stroking_color"]) == (1.0, 0.0, 0.0)]
        sep = max(red, key=lambda e: e["x1"] - e["x0"])
        assert abs((sep["x1"] - sep["x0"]) * MM - WIDTH) <= TOL


@pytest.mark.libreoffice
def test_review_table_is_landscape_and_complete(pdfs):
    flat = _flat(pdfs["review"])
    assert "评审结果汇总表" in flat and "去掉最高最低" in flat and "XH40-001" in flat
    with pdfplumber.open(pdfs["review"]) as pdf:
        for page in pdf.pages:
            assert abs(page.width * MM - 297) < 0.5 and abs(page.height * MM - 210) < 0.5
            chars = [c for c in page.chars if c["text"].strip()]
            assert min(c["x0"] for c in chars) >= 0 and max(c["x1"] for c in chars) <= page.width


def test_generate_writes_both_kinds_without_a_review_round(tmp_path):
    from macros.adapters.file_engine import FileEngine
    from macros.app.campaign import load_campaign
    from macros.app.new import new_campaign
    from macros.app.report import generate
    from docx import Document

    master = new_campaign(tmp_path / "活动.xlsx", "献策")
    campaign = load_campaign(FileEngine(master))
    run = generate(campaign, ["review", "awards"], tmp_path / "out", fmt="docx", master=master)
    by = {f.kind: f.path for f in run.files}
    text = "\n".join(p.text for p in Document(str(by["awards"])).paragraphs)
    assert "获奖名单将另行通报" in text
    text = "\n".join(p.text for p in Document(str(by["review"])).paragraphs)
    assert "尚未收到评审专家的评分" in text
