"""GB/T 9704 details measured from the PDF: 回行 keeping words whole, 签发人 only on 上行文,
the 版记 on the last page, the contact line not stretched; and the pure line breaker on the
seed titles."""

from __future__ import annotations

import subprocess
import sys

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


def test_notice_pdf_title_signer_colophon_and_contact(soffice, tmp_path):
    path = new_campaign(tmp_path / "献策.xlsx", "献策")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "macros.cli", "report", str(path), "--kind", "notice", "--out",
                        str(out), "--format", "pdf"], capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    with pdfplumber.open(out / "红头通知.pdf") as pdf:
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
