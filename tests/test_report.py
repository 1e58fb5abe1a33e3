"""kexie report: every kind from a campaign workbook with items, as .docx and as PDF.

The PDF run converts every document of ``--kind all`` in one LibreOffice process (one fixture
for the module); the checks read the PDFs with pdftotext/pdfplumber.
"""

from __future__ import annotations

import random
import re
import subprocess
import warnings
from datetime import date, timedelta
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from macros.adapters.docs import TemplateRenderError, template_variables
from macros.adapters.file_engine import FileEngine
from macros.app.campaign import load_campaign
from macros.app.new import new_campaign
from macros.app.report import KINDS, MERGED_REMINDERS, REMINDERS_DIR, build_context, generate
from macros.cli import main
from macros.demo.texts import make_author, make_body, make_title
from macros.core.safe_names import WINDOWS_RESERVED
from macros.core.tally import compute_tally
from macros.presets import DANDONG_TOPICS
from macros.demo.campaign import demo_campaign

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "templates" / "README.md"
TODAY = date(2010, 10, 25)
HOSTILE = {
    "XH01": "CON",
    "XH02": '市医学会<&>"\'/\\:*?|..',
    "XH03": "科学" * 100,
}
ESCAPE_TITLE = '关于<沿江>开发 & "建设"的\x01建议'


def campaign_data(seed: int = 7):
    """The demo campaign with 征集明细 filled: some units short, some late, invalid and adopted items."""
    data = demo_campaign()
    for unit in data.tables["units"]:
        if unit["code"] in HOSTILE:
            unit["name"] = HOSTILE[unit["code"]]
    rng = random.Random(seed)
    rows = []
    for unit in data.tables["units"]:
        if unit["category"] == "机关部室":
            continue
        n = rng.choice([0, 1, 2, 3, 3, 4])
        for _ in range(1 if unit["code"] in HOSTILE else n):  # hostile names stay short of quota
            topic = rng.choice(DANDONG_TOPICS[:-1])  # leave one topic without items
            title = make_title(rng, topic)
            author = make_author(rng, unit["name"], unit["category"])
            rows.append({
                "item_id": f"X{len(rows) + 1:04d}", "unit_code": unit["code"], "unit_name": unit["name"],
                "title": f"{title}（{len(rows) + 1}）", "topic": topic, "author": author.name,
                "author_org": author.org, "author_post": author.post, "phone": author.phone,
                "email": author.email, "body": make_body(rng, topic, title),
                "submitted_on": date(2010, 9, 10) + timedelta(days=rng.randint(0, 45)),
                "source_file": "报送表.xlsx", "status": rng.choice([None, None, None, None, "无效", "重复"]),
                "score": rng.choice([None, 70, 80, 90, 95]), "adopted": rng.choice([None, "是", "否", "否"]),
            })
    rows[0].update(title=ESCAPE_TITLE, status=None)
    rows.append({**rows[1], "item_id": "X9999", "title": "不在列表中的主题的建议", "topic": "发展旅游文化产业",
                 "status": None})
    data.tables["items"] = rows
    # a finished review round (评审结果 as the consolidation of the score forms writes it)
    data.tables["review_results"] = [
        {"rank": i + 1, "item_id": r["item_id"], "title": r["title"], "unit_name": r["unit_name"],
         "topic": r["topic"], "count": 5, "scores": "90、88、86、84、80", "mean": 85.6, "trimmed": 86.0,
         "final": 86.0 - i, "spread": 10, "award": ("一等奖", "二等奖", "三等奖", None)[min(i, 3)]}
        for i, r in enumerate(rows[2:7])]
    return data


LEFT_OUT_UNIT = "XH01"  # short of quota, and a form of it was rejected (ledger beside the master)


def record_rejected_form(master: Path, unit: str) -> None:
    """A rejected form of ``unit`` in the master's ledger, as the consolidation records one."""
    from macros.adapters.ledger import Ledger, ledger_path

    problems = [{"code": "E105", "level": "error", "message": "第 6 行：“联系电话”中的“12”不是有效的电话号码。",
                 "cell": "F6"}, {"code": "E212", "level": "error", "message": "没有一行通过校验。", "cell": None}]
    with Ledger(ledger_path(master)) as led:
        led.record_file({"sha256": "ab" * 32, "name": "退回的报送表.xlsx", "path": "退回的报送表.xlsx", "size": 1,
                         "mtime_ns": 1, "mtime": "2010-10-12T09:00:00", "received_at": "2010-10-12T09:00:00",
                         "unit_code": unit, "unit_name": None, "status": "rejected", "row_count": 0, "rows_rejected": 0,
                         "problems": problems}, [])


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    path = new_campaign(tmp_path_factory.mktemp("report") / "活动工作簿.xlsx", data=campaign_data())
    record_rejected_form(path, LEFT_OUT_UNIT)
    return path


@pytest.fixture(scope="module")
def campaign(master):
    return load_campaign(FileEngine(master))


@pytest.fixture(scope="module")
def tally(campaign):
    return compute_tally(campaign, TODAY)


def test_every_kind_has_one_context_builder():
    from macros.app.report.contexts import CONTEXTS, PER_UNIT

    assert set(CONTEXTS) == set(KINDS)
    assert set(PER_UNIT) <= set(KINDS)


@pytest.fixture(scope="module")
def contexts(campaign, tally, master, tmp_path_factory):
    work = tmp_path_factory.mktemp("ctx")
    out = {}
    for kind in KINDS:
        ctx = build_context(kind, campaign, tally, TODAY, work, master)
        if kind in ("reminders", "returns"):
            shared, parts = ctx
            ctx = dict(shared, **parts[0])
        out[kind] = ctx
    return out


@pytest.fixture(scope="module")
def pdf_run(soffice, campaign, tally, master, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf-out")
    return generate(campaign, list(KINDS), out, fmt="pdf", today=TODAY, master=master, tally=tally), out


@pytest.fixture(scope="module")
def docx_run(campaign, tally, master, tmp_path_factory):
    out = tmp_path_factory.mktemp("docx-out")
    return generate(campaign, list(KINDS), out, fmt="docx", today=TODAY, master=master, tally=tally), out


def flat_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return re.sub(r"\s+", "", out)


def files_of(run, kind):
    return [f for f in run.files if f.kind == kind]


# ----------------------------------------------------------------------------- variables


def flatten(value, prefix: str = "") -> set[str]:
    names: set[str] = set()
    if isinstance(value, dict):
        for key, v in value.items():
            path = f"{prefix}.{key}" if prefix else key
            names.add(path)
            names |= flatten(v, path)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for key, v in value[0].items():
            path = f"{prefix}[].{key}"
            names.add(path)
            names |= flatten(v, path)
    return names


def documented() -> dict[str, set[str]]:
    sections: dict[str, set[str]] = {}
    current = None
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            word = line[3:].split()[0]
            current = "common" if line.startswith("## 公共变量") else (word if word in KINDS else None)
            continue
        m = re.match(r"^\| `([^`]+)` \|", line)
        if m and current:
            sections.setdefault(current, set()).add(m.group(1))
    return sections


@pytest.mark.parametrize("kind", list(KINDS))
def test_readme_documents_exactly_the_context(kind, contexts):
    docs = documented()
    assert kind in docs, f"templates/README.md has no section for {kind}"
    listed = docs["common"] | docs[kind]
    actual = flatten(contexts[kind])
    assert listed - actual == set(), f"documented but not in the {kind} context"
    assert actual - listed == set(), f"in the {kind} context but not documented"


@pytest.mark.parametrize("kind", list(KINDS))
def test_templates_use_only_context_variables(kind, contexts):
    used = template_variables(ROOT / "templates" / f"{kind}.docx")
    assert used, kind
    assert used - set(contexts[kind]) == set()


def test_every_kind_renders_as_docx(docx_run, tally):
    run, out = docx_run
    for kind in KINDS:
        assert files_of(run, kind), kind
    reminders = [f for f in files_of(run, "reminders") if f.unit_code]
    assert [f.unit_code for f in reminders] == tally.short_of_quota
    assert (out / f"{MERGED_REMINDERS}.docx").is_file()
    for f in run.files:
        assert f.path.is_file() and f.path.stat().st_size > 0
        assert f.path.suffix == ".docx"


def test_hostile_unit_names_give_valid_files(docx_run):
    run, out = docx_run
    names = {f.unit_code: f.path for f in files_of(run, "reminders") if f.unit_code}
    assert set(HOSTILE) <= set(names)
    for code in HOSTILE:
        path = names[code]
        assert path.parent == out / REMINDERS_DIR
        assert path.name.startswith(code + "_")
        assert not set('\\/:*?"<>|') & set(path.name)
        assert len(path.name.encode("utf-8")) <= 240
        assert path.name.split(".")[0].upper() not in WINDOWS_RESERVED
        from docx import Document

        text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        assert HOSTILE[code] + "：" in text


# ----------------------------------------------------------------------------- PDF


@pytest.mark.libreoffice
def test_pdf_run_writes_every_kind_a4_with_fonts_embedded(pdf_run):
    run, out = pdf_run
    assert run.converter
    for kind in KINDS:
        assert files_of(run, kind), kind
    for f in run.files:
        assert f.path.suffix == ".pdf" and f.path.is_file()
    for f in run.files:
        if f.unit_code:  # checked below, a few suffice here
            continue
        fonts = subprocess.run(["pdffonts", str(f.path)], capture_output=True, text=True, check=True).stdout
        rows = [ln.split() for ln in fonts.splitlines()[2:] if ln.strip()]
        assert rows and all(r[-5] == "yes" for r in rows), (f.path.name, fonts)
        for page in PdfReader(str(f.path)).pages:
            w, h = sorted((float(page.mediabox.width), float(page.mediabox.height)))
            assert abs(w - 595.3) < 1 and abs(h - 841.9) < 1
        if f.kind == "tasks":
            page = PdfReader(str(f.path)).pages[0]
            assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape


@pytest.mark.libreoffice
def test_each_reminder_holds_its_own_unit_and_nobody_else(pdf_run, tally, campaign):
    run, out = pdf_run
    per_unit = {f.unit_code: f.path for f in files_of(run, "reminders") if f.unit_code}
    assert list(per_unit) == tally.short_of_quota
    names = {u.code: u.name for u in tally.units}
    items = campaign.frames["items"]
    titles = {u.code: [items.loc[r, "title"] for r in u.item_rows] for u in tally.units}
    merged = out / f"{MERGED_REMINDERS}.pdf"
    total_pages = 0
    for code, path in per_unit.items():
        text = flat_text(path)
        own = re.sub(r"\s+", "", names[code])
        assert own + "：" in text
        for other, name in names.items():
            name = re.sub(r"\s+", "", name)
            if other != code and name not in own:
                assert name + "：" not in text and name not in text, (code, other)
        for other, ts in titles.items():
            for t in ts:
                t = re.sub(r"\s+", "", str(t).replace("\x01", ""))
                if other != code and t:
                    assert t not in text, (code, other, t)
        unit = tally.unit(code)
        assert f"尚差{unit.shortfall}篇" in text
        assert "—1—" in text
        total_pages += len(PdfReader(str(path)).pages)
    assert len(PdfReader(str(merged)).pages) == total_pages
    merged_text = flat_text(merged)
    positions = [merged_text.index(re.sub(r"\s+", "", names[c]) + "：") for c in per_unit]
    assert positions == sorted(positions), "merged file in roster order"


@pytest.mark.libreoffice
def test_notice_and_summary_content(pdf_run, tally):
    run, _ = pdf_run
    notice = flat_text(files_of(run, "notice")[0].path)
    for expected in ("丹东市科学技术协会文件", "丹科协发〔2010〕18号",
                     "关于开展“献策‘十二五’，建设新丹东”活动的通知", "2010年10月20日", "2010年8月30日"):
        assert expected in notice, expected
    assert "签发人" not in notice  # GB/T 9704: 签发人 on 上行文 only; this notice goes down
    path = files_of(run, "summary")[0].path
    summary = flat_text(path)
    t = tally.totals
    assert f"应报{t.quota}篇" in summary and f"有效报送{t.valid}篇" in summary
    with pdfplumber.open(path) as pdf:
        images = sum(len(p.images) for p in pdf.pages)
    assert images >= 3, "three charts"
    for u in [u for u in tally.short_units if u.code not in HOSTILE][:3]:
        assert re.sub(r"\s+", "", u.name) in summary


@pytest.mark.libreoffice
def test_compilation_grouped_by_topic_with_a_correct_toc(pdf_run, tally, campaign):
    run, _ = pdf_run
    path = files_of(run, "compilation")[0].path
    text = flat_text(path)
    valid = [it for it in tally.items if it.valid]
    invalid = [it for it in tally.items if not it.valid]
    assert "关于<沿江>开发&\"建设\"的建议" in text  # escaped, control character dropped
    for it in valid:
        assert re.sub(r"\s+", "", it.title) in text
    for it in invalid:
        if not any(it.title == v.title for v in valid):
            assert re.sub(r"\s+", "", it.title) not in text
    # groups follow the 主题领域 order; the topic outside the list comes last
    expected = [tp.topic for tp in tally.topics if any(it.valid and it.topic_code == tp.code for it in tally.items)]
    assert expected[-1] == "（未归入主题领域）"
    reader = PdfReader(str(path))
    headings = [o.title for o in reader.outline if not isinstance(o, list)]  # level 0: the groups
    assert [re.sub(r"^[一二三四五六七八九十]+、", "", h) for h in headings] == expected
    # the TOC's page numbers are the pages the titles are on
    pages = [re.sub(r"\s+", "", p.extract_text() or "") for p in reader.pages]
    toc_text = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "4", str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
    checked = 0
    for m in re.finditer(r"^\s*(\d+)．(\S.*?)\s*\.{4,}\s*(\d+)\s*$", toc_text, re.MULTILINE):
        title, page = re.sub(r"\s+", "", m.group(2)), int(m.group(3))
        assert title in pages[page - 1], (title, page)
        checked += 1
    assert checked >= 5


@pytest.mark.libreoffice
def test_tasks_assessment_and_targets_content(pdf_run, tally):
    run, _ = pdf_run
    tasks = flat_text(files_of(run, "tasks")[0].path)
    assert "其他部室" not in tasks  # expanded to the other departments
    for t in tally.tasks:
        assert re.sub(r"\s+", "", t.task)[:10] in tasks
    assessment = flat_text(files_of(run, "assessment")[0].path)
    for u in tally.ranking[:3]:
        assert re.sub(r"\s+", "", u.name) in assessment
    targets = flat_text(files_of(run, "targets")[0].path)
    for t in tally.targets:
        assert t.name in targets
    assert "60个" in targets and "20万人次" in targets


# ----------------------------------------------------------------------------- CLI and errors


def test_no_converter_writes_docx_and_exits_2(master, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KEXIE_PDF", "none")
    code = main(["report", str(master), "--kind", "targets", "--format", "pdf", "--out", str(tmp_path),
                 "--today", "2010-10-25"])
    assert code == 2
    err = capsys.readouterr().err
    assert "LibreOffice" in err and "安装" in err
    assert (tmp_path / "指标完成情况.docx").is_file()


def test_unknown_kind_is_a_usage_error(master, tmp_path, capsys):
    assert main(["report", str(master), "--kind", "memo", "--out", str(tmp_path)]) == 2
    assert "未知的文档种类" in capsys.readouterr().err


def test_cli_docx_json(master, tmp_path, capsys):
    code = main(["report", str(master), "--kind", "notice,targets", "--out", str(tmp_path), "--today", "2010-10-25"])
    assert code == 0
    assert (tmp_path / "红头通知.docx").is_file() and (tmp_path / "指标完成情况.docx").is_file()


def _staff_template(master: Path, kind: str, text: str) -> Path:
    """A staff copy of a template in 模板/ beside the master, its first paragraph replaced."""
    from docx import Document

    folder = master.parent / "模板"
    folder.mkdir(exist_ok=True)
    doc = Document(str(ROOT / "templates" / f"{kind}.docx"))
    doc.paragraphs[0].runs[0].text = text
    for run in doc.paragraphs[0].runs[1:]:
        run.text = ""
    path = folder / f"{kind}.docx"
    doc.save(str(path))
    return path


def test_staff_template_copy_is_used_and_sandboxed(campaign, tally, tmp_path):
    master = tmp_path / "活动工作簿.xlsx"
    master.write_bytes(b"")
    _staff_template(master, "targets", "自定义标题：{{ title }}")
    run = generate(campaign, ["targets"], tmp_path / "out", today=TODAY, master=master, tally=tally)
    from docx import Document

    assert Document(str(run.files[0].path)).paragraphs[0].text.startswith("自定义标题：")
    _staff_template(master, "targets", "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateRenderError):
        generate(campaign, ["targets"], tmp_path / "out2", today=TODAY, master=master, tally=tally)
    _staff_template(master, "targets", "{{ no_such_variable }}")
    with pytest.raises(TemplateRenderError) as info:
        generate(campaign, ["targets"], tmp_path / "out3", today=TODAY, master=master, tally=tally)
    assert "no_such_variable" in info.value.message


def test_charts_have_every_glyph_in_a_simplified_chinese_font(tmp_path):
    from macros.adapters import charts

    assert charts.cjk_family() in ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei")
    cats = [{"category": c, "quota": 10, "valid": 7, "completion": 0.7}
            for c in ("市级学会", "县(市)区科协", "企事业科协")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts.completion_chart(cats, tmp_path / "a.png")
        charts.topics_chart([{"no": i + 1, "name": t, "valid": i} for i, t in enumerate(DANDONG_TOPICS)],
                            tmp_path / "b.png")
        charts.timeline_chart([{"name": "组织实施和计策信息整理、上报阶段", "start": date(2010, 9, 1),
                                "end": date(2010, 10, 20)}], tmp_path / "c.png", TODAY)
    for name in "abc":
        assert (tmp_path / f"{name}.png").stat().st_size > 5000


@pytest.mark.libreoffice
def test_reminders_keep_the_gb9704_text_block_and_page_numbers(pdf_run):
    run, out = pdf_run
    mm = 25.4 / 72
    with pdfplumber.open(out / f"{MERGED_REMINDERS}.pdf") as pdf:
        for page in pdf.pages:
            chars = [c for c in page.chars if c["text"].strip()]
            body = [c for c in chars if c["top"] * mm < 262 + 1.5]
            footer = [c for c in chars if c["top"] * mm >= 262 + 1.5]
            assert min(c["x0"] for c in body) * mm >= 28 - 1.5
            assert max(c["x1"] for c in body) * mm <= 184 + 1.5
            assert min(c["top"] for c in body) * mm >= 37 - 1.5
            assert re.fullmatch(r"—\d+—", "".join(c["text"] for c in footer))
            assert all(abs(c["size"] - 14) < 0.2 for c in footer)


def test_left_out_materials_in_reminders_and_returns(docx_run):
    from docx import Document

    run, out = docx_run
    [ret] = [f for f in files_of(run, "returns") if f.unit_code]
    assert ret.unit_code == LEFT_OUT_UNIT
    text = "\n".join(p.text for p in Document(ret.path).paragraphs)
    assert "以下材料未予汇总，请修改后重新报送：" in text
    assert "退回的报送表.xlsx（整个文件未汇总）" in text and "E105 第6行" in text
    assert "关于退回修改" in text
    [rem] = [f for f in files_of(run, "reminders") if f.unit_code == LEFT_OUT_UNIT]
    assert "以下材料未予汇总，请修改后重新报送：" in "\n".join(p.text for p in Document(rem.path).paragraphs)
    other = next(f for f in files_of(run, "reminders") if f.unit_code and f.unit_code != LEFT_OUT_UNIT)
    assert "未予汇总" not in "\n".join(p.text for p in Document(other.path).paragraphs)
