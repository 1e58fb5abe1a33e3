"""Demo step: what arrives besides kexie's own forms, written into the inbox after the forms
(macros/demo/forms.py) and before the consolidation (seed 000 asks for 书面材料 with 电子文档):

* a unit's extra 计策 as a .docx: labelled paragraphs ("题　　目：", "献 策 人：", full-width and
  ASCII colons), the 主题领域 written as the topic's short head (matched with W247), and
  "报送单位：<name>";
* two 计策 in label tables, in a Word 97–2003 ``.doc`` made by LibreOffice (a .docx when there
  is none), the unit told only by its name in the file name;
* a 计策 from a sender nobody can tell (待确认, E230 — never guessed);
* a plain-text note (需人工录入, E240).

Pure planning (``plan_word_returns``) and writing (python-docx) are kept apart; the units are
the roster's own, so the step works for any demo roster of two units or more.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Sequence

from macros.adapters.file_engine import FileEngine
from macros.app.campaign import load_campaign
from macros.app.report.wording import cn_number
from macros.core.grid import row_records
from macros.core.normalize import display_text, topic_head
from macros.demo.forms import save_as, set_mtime
from macros.demo.texts import make_author, make_body, make_title

SEED = 2011


@dataclass
class Proposal:
    title: str
    topic: str  # as the unit writes it (a short head)
    author: str
    org: str
    post: str | None
    phone: str
    body: str


@dataclass
class WordReturn:
    filename: str
    received_at: datetime
    proposals: list[Proposal] = field(default_factory=list)
    unit_label: str | None = None  # written as "报送单位：…"
    as_table: bool = False  # label tables (one per 计策) instead of labelled paragraphs
    word97: bool = False  # saved as Word 97–2003 .doc through LibreOffice
    text: str | None = None  # a plain-text file instead of a Word document
    story: str = ""


def _proposal(rng: random.Random, unit: dict, topics: Sequence[str]) -> Proposal:
    topic = rng.choice(list(topics)) if topics else "其他"
    title = make_title(rng, topic)
    a = make_author(rng, unit["name"], unit.get("category"))
    return Proposal(title, topic_head(topic), a.name, a.org, a.post, a.phone,
                    make_body(rng, topic, title))


def plan_word_returns(units: Sequence[dict], topics: Sequence[str], deadline: date,
                      seed: int = SEED) -> list[WordReturn]:
    """The non-form returns of the demo inbox (``units``: roster rows with code, name, category)."""
    if len(units) < 2:
        return []
    rng = random.Random(seed)
    first, second = units[1], units[min(8, len(units) - 1)]
    day = deadline - timedelta(days=3)

    def at(d: date) -> datetime:
        return datetime.combine(d, time(rng.randint(9, 16), rng.randint(0, 59)))

    stranger = {"name": "某单位", "category": None}
    return [
        WordReturn(f"关于{topic_head(topics[0]) if topics else '发展'}的建议.docx", at(day),
                   [_proposal(rng, first, topics)], unit_label=first["name"],
                   story=f"{first['name']}：另用 Word 文档报送 1 条（主题领域只写了简称）"),
        WordReturn(f"{second['name']}金点子.doc", at(day - timedelta(days=2)),
                   [_proposal(rng, second, topics) for _ in range(2)], as_table=True, word97=True,
                   story=f"{second['name']}：Word 97–2003 文档，表格中两条计策，单位只见于文件名"),
        WordReturn("建议稿.docx", at(day - timedelta(days=1)), [_proposal(rng, stranger, topics)],
                   story="一份看不出报送单位的 Word 文档（应待确认，不猜测）"),
        WordReturn("报送说明.txt", at(day), text="各位领导：我单位的建议见附件，请查收。\r\n",
                   story="一份文本文件（应提示需人工录入）"),
    ]


def _write_docx(r: WordReturn, dest: Path) -> None:
    import docx

    d = docx.Document()
    if r.unit_label:
        d.add_paragraph(f"报送单位：{r.unit_label}")
    for n, p in enumerate(r.proposals, start=1):
        if r.as_table:
            d.add_paragraph(f"计策{cn_number(n)}")
            rows = [("题　　目", p.title, "主题领域", p.topic),
                    ("献 策 人", p.author, "职  务", p.post or ""),
                    ("工作单位", p.org, "联系电话", p.phone),
                    ("正　　文", p.body, "", "")]
            table = d.add_table(rows=len(rows), cols=4)
            for i, row in enumerate(rows):
                for j, text in enumerate(row):
                    table.cell(i, j).text = text
            d.add_paragraph()  # Word always has a paragraph after a table (.doc needs it)
            continue
        d.add_heading(p.title, level=1)
        d.add_paragraph(f"献 策 人：{p.author}　　职务：{p.post or ''}")
        d.add_paragraph(f"工作单位:{p.org}")
        d.add_paragraph(f"联系电话：{p.phone}")
        d.add_paragraph(f"主题领域：{p.topic}")
        for para in p.body.split("\n"):
            d.add_paragraph(para)
    d.save(dest)


def write_word_returns(plan: Sequence[WordReturn], inbox: Path, soffice: Path | str | None = None
                       ) -> list[str]:
    """Write ``plan`` into ``inbox`` (each file's receipt time as its modification time); Chinese
    notes for what had to change (no LibreOffice: the .doc stays .docx)."""
    notes: list[str] = []
    inbox.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kexie-demo-word-") as tmp:
        for r in plan:
            dest = inbox / r.filename
            if r.text is not None:
                dest.write_bytes(r.text.encode("utf-8"))
            elif r.word97:
                src = Path(tmp) / (Path(r.filename).stem + ".docx")
                _write_docx(r, src)
                made = save_as([src], Path(tmp) / "doc", "doc:MS Word 97", ".doc", soffice).get(src)
                if made is None:
                    dest = inbox / src.name
                    r.filename = dest.name
                    r.story = r.story.replace("Word 97–2003 文档", "Word 文档（未找到 LibreOffice，仍为 .docx）")
                    notes.append("未找到可用的 LibreOffice，示例中本应为 .doc 的 Word 文档仍为 .docx。")
                    made = src
                shutil.move(str(made), dest)
            else:
                _write_docx(r, dest)
            set_mtime(dest, r.received_at)
    return notes


def demo_step(ctx) -> None:
    campaign = load_campaign(FileEngine(ctx.master), tables=["units", "topics"])
    units = [{"code": display_text(r.get("code")), "name": display_text(r.get("name")),
              "category": display_text(r.get("category"))}
             for _row, r in row_records(campaign.typed.get("units")) if display_text(r.get("name"))]
    topics = [t for t in (display_text(r.get("topic")) for _row, r in row_records(campaign.typed.get("topics"))) if t]
    deadline = campaign.settings.get("deadline") or ctx.today
    plan = plan_word_returns(units, topics, deadline)
    notes = write_word_returns(plan, ctx.inbox)
    if plan:
        ctx.notes.append("模拟收件（报送表以外）：" + "；".join(r.story for r in plan) + "。")
    ctx.notes.extend(notes)
