"""Demo step: a batch of 荣誉证书 (from the award list or the tally) and 会员证 with photos.

The members are sample data (invented names in real Dandong institutions); their photos are drawn
here as plain placeholder portraits so the demo needs no picture files.
"""

from __future__ import annotations

from pathlib import Path

from macros.adapters.file_engine import FileEngine
from macros.app.certificates import PHOTO_DIR, make_certificates
from macros.schema import TABLES

# (会员编号, 姓名, 性别, 单位, 职务/职称, 入会日期) — sample data
SAMPLE_MEMBERS = (
    ("DDKX-2010-001", "王建国", "男", "丹东市中心医院", "主任医师", "2006-05-20"),
    ("DDKX-2010-002", "李秀兰", "女", "丹东市农业科学院", "研究员", "2007-03-12"),
    ("DDKX-2010-003", "张志强", "男", "辽东学院", "教授", "2005-09-01"),
    ("DDKX-2010-004", "刘海燕", "女", "丹东市林业科学研究所", "高级工程师", "2008-04-18"),
    ("DDKX-2010-005", "陈晓东", "男", "丹东曙光汽车集团", "总工程师", "2009-06-30"),
    ("DDKX-2010-006", "杨丽华", "女", "丹东市气象局", "高级工程师", "2006-11-08"),
    ("DDKX-2010-007", "赵文博", "男", "丹东市水产技术推广站", "推广研究员", "2007-07-15"),
    ("DDKX-2010-008", "黄春梅", "女", "丹东市第一中学", "中学高级教师", "2010-01-09"),
    ("DDKX-2010-009", "周振宇", "男", "丹东港集团有限公司", "高级经济师", "2008-08-22"),
    ("DDKX-2010-010", "欧阳红霞", "女", "丹东市环境监测中心站", "高级工程师", "2009-12-03"),
)


def _portrait(path: Path, seed: int) -> None:
    from PIL import Image, ImageDraw

    bg = ((70 + 37 * seed) % 200 + 30, (120 + 53 * seed) % 200 + 30, 200)
    img = Image.new("RGB", (300, 400), bg)
    d = ImageDraw.Draw(img)
    d.ellipse((95, 60, 205, 185), fill=(235, 205, 175))
    d.rounded_rectangle((45, 200, 255, 430), radius=60, fill=(40, 55, 95))
    img.save(path, quality=85)


def add_sample_members(master: Path) -> int:
    photos = master.parent / PHOTO_DIR
    photos.mkdir(exist_ok=True)
    rows = []
    for i, (no, name, gender, org, title, joined) in enumerate(SAMPLE_MEMBERS):
        photo = f"{no}.jpg"
        if i != len(SAMPLE_MEMBERS) - 1:  # the last member has no photo yet: the demo shows W701
            _portrait(photos / photo, i)
        rows.append({"member_no": no, "name": name, "gender": gender, "org": org, "title": title,
                     "joined": joined, "photo": photo, "note": "示例数据"})
    engine = FileEngine(master)
    engine.write_table(TABLES["members"], rows)
    engine.save()
    return len(rows)


def demo_step(ctx) -> None:
    add_sample_members(ctx.master)
    out = ctx.out / "证书"
    for kind in ("荣誉证书", "会员证"):
        printed, _info = make_certificates(FileEngine(ctx.master), ctx.master, kind, out, today=ctx.today)
        for f in printed.files:
            ctx.outputs.append((kind, f))
        warned = "、".join(sorted({p.code for p in printed.problems}))
        ctx.notes.append(f"{kind}：印制 {len(printed.certificates)} 张" + (f"（提示：{warned}）" if warned else ""))
    printed, _info = make_certificates(FileEngine(ctx.master), ctx.master, "会员证", out, per_sheet=True,
                                       today=ctx.today)
    ctx.outputs += [("会员证（A4 拼版，带裁切线）", f) for f in printed.files]
