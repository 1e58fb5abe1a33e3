"""kexie forms: the form contract of docs/forms.md, tokens, the secret, hostile unit names, the
demo's simulated returns, and LibreOffice opening/converting filled forms."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import threading
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from macros import schema
from macros.adapters import xlsx_form
from macros.adapters.secret import load_or_create_secret, load_secret, secret_path
from macros.app.forms import FORM_VERSION, make_forms, run_forms
from macros.app.new import new_campaign
from macros.cli import main
from macros.demo.returns import DemoUnit, plan_returns
from macros.core.form_plan import form_filename, plan_form_units
from macros.core.grid import locate_table
from macros.core.normalize import count_chars, name_key, parse_date
from macros.core.safe_names import WINDOWS_RESERVED
from macros.core.tokens import form_token, verify_token
from macros.errors import ConfigError
from macros.presets import DANDONG_TOPICS
from macros.demo.campaign import dandong_roster, demo_campaign

QUOTA_CATEGORIES = {"市级学会", "县(市)区科协", "企事业科协"}  # seed 000: at least 3 each
ISSUED = datetime(2010, 9, 1, 9, 0)


@pytest.fixture(scope="module")
def demo_forms(tmp_path_factory):
    """The demo master and its forms, built once for the read-only tests of this module."""
    folder = tmp_path_factory.mktemp("forms")
    master = new_campaign(folder / "献策.xlsx", data=demo_campaign())
    digest = hashlib.sha256(master.read_bytes()).hexdigest()
    paths = make_forms(master, folder / "报送表", issued_at=ISSUED)
    return master, paths, digest


def _meta(path: Path) -> dict:
    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(schema.FORM_META_SHEET).to_python()
    assert rows[0][:2] == ["key", "value"]
    return {r[0]: r[1] for r in rows[1:] if r and r[0]}


def _form_for(paths, code: str) -> Path:
    return next(p for p in paths if p.name.startswith(f"{code}_"))


# --- which units, which names -----------------------------------------------------------------

def test_one_form_per_unit_with_a_quota_named_code_and_name(demo_forms):
    master, paths, _ = demo_forms
    roster = dandong_roster()
    expected = [u for u in roster if u["category"] in QUOTA_CATEGORIES]
    assert [p.name for p in paths] == [f"{u['code']}_{u['name']}.xlsx" for u in expected]
    assert all(p.is_file() for p in paths)
    assert not list(paths[0].parent.glob("*.kexie-tmp"))  # atomic writes leave nothing behind


def test_all_units_and_own_quota(tmp_path):
    data = demo_campaign()
    units = data.tables["units"]
    gx = next(u for u in units if u["category"] == "高校科协")
    gx["quota"] = 2  # own quota above 0: gets a form although its category has none
    xh = next(u for u in units if u["category"] == "市级学会")
    xh["quota"] = 0  # own quota 0 overrides the category's 3
    master = new_campaign(tmp_path / "m.xlsx", data=data)
    names = {p.name.split("_")[0] for p in make_forms(master, tmp_path / "f")}
    assert gx["code"] in names and xh["code"] not in names
    everything = make_forms(master, tmp_path / "all", all_units=True)
    assert len(everything) == len(units)


def test_master_is_only_read(demo_forms):
    master, _paths, digest = demo_forms
    assert hashlib.sha256(master.read_bytes()).hexdigest() == digest
    assert not (master.parent / "备份").exists()


# --- layout -----------------------------------------------------------------------------------

def test_sheets_and_states(demo_forms):
    _, paths, _ = demo_forms
    wb = openpyxl.load_workbook(paths[0])
    assert wb.sheetnames[:2] == [schema.FORM_INFO_SHEET, schema.FORM_SHEET]
    assert schema.FORM_META_SHEET in wb.sheetnames
    assert wb.active.title == schema.FORM_INFO_SHEET
    assert wb[schema.FORM_INFO_SHEET].sheet_state == "visible"
    assert wb[schema.FORM_SHEET].sheet_state == "visible"
    assert wb[schema.FORM_META_SHEET].sheet_state == "veryHidden"
    assert wb[xlsx_form.TOPICS_SHEET].sheet_state == "hidden"


def test_unit_fixed_and_header_is_the_form_header(demo_forms):
    _, paths, _ = demo_forms
    path = _form_for(paths, "XH01")
    ws = openpyxl.load_workbook(path)[schema.FORM_SHEET]
    header = [c.value for c in ws[xlsx_form.HEADER_ROW]][: len(schema.FORM.headers)]
    assert header == schema.FORM.headers
    assert ws["A2"].value == "报送单位" and ws["B2"].value == "丹东市医学会"
    assert ws["F2"].value == "单位编号" and ws["G2"].value == "XH01"
    assert ws["B2"].protection.locked and ws["G2"].protection.locked
    assert "至少 3 条" in ws["H2"].value and "2010年10月20日" in ws["H2"].value
    # The consolidation's reader finds the header by name in what calamine reads.
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(schema.FORM_SHEET).to_python()
    located = locate_table(grid, schema.FORM)
    assert located.header_row == xlsx_form.HEADER_ROW and not located.missing
    assert located.frame.empty


def test_input_rows_unlocked_everything_else_locked(demo_forms):
    _, paths, _ = demo_forms
    ws = openpyxl.load_workbook(paths[0])[schema.FORM_SHEET]
    keys = schema.FORM.keys
    wc = keys.index("word_count") + 1
    input_rows = range(xlsx_form.FIRST_INPUT_ROW, xlsx_form.LAST_INPUT_ROW + 1)
    assert len(input_rows) >= 50
    for r in input_rows:
        for j in range(1, len(keys) + 1):
            locked = ws.cell(row=r, column=j).protection.locked
            assert locked == (j == wc), (r, j)
        assert str(ws.cell(row=r, column=wc).value).startswith("=")
    assert ws["B3"].protection.locked is False  # 填表日期
    unlocked_elsewhere = [
        c.coordinate for row in ws.iter_rows(min_row=1, max_row=xlsx_form.LAST_INPUT_ROW + 20,
                                             max_col=len(keys) + 3)
        for c in row
        if not c.protection.locked and not (c.row in input_rows and c.column < wc) and c.coordinate != "B3"
    ]
    assert unlocked_elsewhere == []
    for ref in ("A1", "A4", "I4", "J5", f"A{xlsx_form.LAST_INPUT_ROW + 1}", "Z200"):
        assert ws[ref].protection.locked, ref
    table = ws.tables[schema.FORM.excel_name]
    assert table.ref == f"A{xlsx_form.HEADER_ROW}:I{xlsx_form.LAST_INPUT_ROW}"


def test_every_sheet_protected_without_password(demo_forms):
    _, paths, _ = demo_forms
    wb = openpyxl.load_workbook(paths[0])
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title
    assert not wb.security or not wb.security.workbookPassword
    with zipfile.ZipFile(paths[0]) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                xml = zf.read(name).decode("utf-8")
                if "<sheetProtection" in xml:
                    tag = re.search(r"<sheetProtection[^>]*>", xml).group(0)
                    assert "password" not in tag.lower() and "hashValue" not in tag, name
    ws = wb[schema.FORM_SHEET]
    assert ws.protection.formatCells is False and ws.protection.insertRows is False
    assert ws.protection.deleteColumns is not False


def test_topic_drop_down_lists_the_masters_topics(demo_forms):
    _, paths, _ = demo_forms
    wb = openpyxl.load_workbook(paths[0])
    ws = wb[schema.FORM_SHEET]
    topic_letter = chr(ord("A") + schema.FORM.keys.index("topic"))
    dvs = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(dvs) == 1
    dv = dvs[0]
    assert f"{topic_letter}{xlsx_form.FIRST_INPUT_ROW}" in dv.sqref
    assert f"{topic_letter}{xlsx_form.LAST_INPUT_ROW}" in dv.sqref
    name = dv.formula1
    defined = wb.defined_names[name]
    (sheet, ref), = defined.destinations
    values = [c.value for row in wb[sheet][ref.replace("$", "")] for c in row]
    assert values == list(DANDONG_TOPICS)
    assert "'主题领域'" not in dv.formula1  # never a reference into the master


def test_info_sheet_carries_campaign_unit_deadline_and_contact(demo_forms):
    _, paths, _ = demo_forms
    grid = CalamineWorkbook.from_path(str(_form_for(paths, "QX04"))).get_sheet_by_name(
        schema.FORM_INFO_SHEET).to_python()
    info = {r[0]: r[1] for r in grid if r and r[0]}
    assert info["活动名称"] == "献策“十二五”，建设新丹东"
    assert info["报送单位"] == "东港市科协" and info["单位编号"] == "QX04"
    assert info["截止日期"] == "2010年10月20日"
    assert "3000" in info["字数上限"]
    assert info["联系人"] == "刘勇" and info["联系电话"] == "2127152"
    assert info["电子邮箱"] == "ddkxxhb@163.com"
    text = "\n".join(str(c) for r in grid for c in r)
    assert "ddkxxhb@163.com" in text and "以最后收到的一份为准" in text


# --- metadata, token, secret ------------------------------------------------------------------

def test_metadata_and_token_verify_with_the_secret(demo_forms):
    master, paths, _ = demo_forms
    secret = load_secret(master)
    assert secret is not None and len(secret) == 32
    meta = _meta(_form_for(paths, "QY03"))
    assert set(xlsx_form.META_KEYS) <= set(meta)
    assert meta["campaign_id"] == "ddkx2010xc12"
    assert meta["unit_code"] == "QY03"
    assert meta["unit_name"] == "丹东东方测控技术股份有限公司科协"
    assert meta["form_version"] == FORM_VERSION
    assert meta["issued_at"] == "2010-09-01T09:00:00"
    assert re.fullmatch(r"[0-9a-f]{32}", meta["token"])
    assert verify_token(secret, meta["campaign_id"], meta["unit_code"], meta["form_version"], meta["token"])
    # The same token does not verify for another unit, another campaign or another secret.
    assert not verify_token(secret, meta["campaign_id"], "QY04", meta["form_version"], meta["token"])
    assert not verify_token(secret, "other-campaign", "QY03", meta["form_version"], meta["token"])
    assert not verify_token(b"x" * 32, meta["campaign_id"], "QY03", meta["form_version"], meta["token"])
    tokens = {_meta(p)["token"] for p in paths}
    assert len(tokens) == len(paths)


def test_no_secret_in_any_form(demo_forms):
    master, paths, _ = demo_forms
    secret = load_secret(master)
    needles = [secret, secret.hex().encode(), secret.hex().upper().encode()]
    for path in paths:
        raw = path.read_bytes()
        assert not any(n in raw for n in needles)
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                data = zf.read(name)
                assert not any(n in data for n in needles), (path.name, name)


def test_secret_file_beside_the_master(demo_forms):
    master, _paths, _ = demo_forms
    path = secret_path(master)
    assert path == master.with_name(f".{master.name}.kexie-key")
    text = path.read_text(encoding="ascii").strip()
    assert re.fullmatch(r"[0-9a-f]{64}", text)
    if os.name == "posix":
        assert path.stat().st_mode & 0o077 == 0
    assert load_or_create_secret(master) == bytes.fromhex(text)  # stable across runs


def test_token_function():
    import hashlib as h
    import hmac

    secret = bytes(range(32))
    expected = hmac.new(secret, "c1|XH01|1".encode(), h.sha256).hexdigest()[:32]
    assert form_token(secret, "c1", "XH01", 1) == expected
    assert form_token(secret, "活动", "单位/1", 2) == hmac.new(
        secret, "活动|单位/1|2".encode("utf-8"), h.sha256).hexdigest()[:32]
    tok = form_token(secret, "c1", "XH01", 1)
    for version in (1, 1.0, "1", " 1 "):
        assert verify_token(secret, "c1", "XH01", version, tok)
    assert verify_token(secret, "c1", "XH01", 1, f"  {tok.upper()} ")
    for bad in (None, 123, "", tok[:-1], tok + "0", "Ｆ" * 32):
        assert not verify_token(secret, "c1", "XH01", 1, bad)
    for version in (2, None, 1.5, "v1", True):
        assert not verify_token(secret, "c1", "XH01", version, tok)
    assert not verify_token(secret, None, "XH01", 1, tok)
    with pytest.raises(TypeError):
        form_token(secret, "c1", "XH01", "1")
    with pytest.raises(ValueError):
        form_token(b"", "c1", "XH01", 1)


def test_secret_created_once_even_concurrently(tmp_path):
    master = tmp_path / "m.xlsx"
    master.write_bytes(b"")
    results = []
    threads = [threading.Thread(target=lambda: results.append(load_or_create_secret(master))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results[0]) == 32
    assert [p.name for p in tmp_path.iterdir() if p.name != "m.xlsx"] == [".m.xlsx.kexie-key"]


def test_corrupt_secret_is_an_error_not_replaced(tmp_path):
    master = tmp_path / "m.xlsx"
    master.write_bytes(b"")
    secret_path(master).write_text("not hex\n", encoding="ascii")
    with pytest.raises(ConfigError):
        load_or_create_secret(master)
    assert secret_path(master).read_text(encoding="ascii") == "not hex\n"


# --- hostile names, CLI -----------------------------------------------------------------------

HOSTILE = [
    "市科协/学会部", "a:b*c?d", "..", "../../etc/passwd", "CON", "con.txt", "NUL", "LPT1",
    "学会" * 100, "末尾空格和点. . ", "\t换行\n单位", "引号\"<尖括号>|竖线", "\u202e反向文字", "同名单位", "同名单位 ",
    "{{kexie.token}}", "A&B<C>\"D\"",
]


def test_hostile_unit_names_give_valid_unique_file_names(tmp_path):
    data = demo_campaign()
    data.tables["units"] = [
        {"code": f"H{i:02d}", "name": name, "category": "市级学会", "quota": None, "weight": 1}
        for i, name in enumerate(HOSTILE, start=1)
    ] + [{"code": "CON", "name": "代码是保留名", "category": "市级学会", "quota": None, "weight": 1},
         {"code": "A/B", "name": "x", "category": "市级学会", "quota": None, "weight": 1},
         {"code": "A:B", "name": "x", "category": "市级学会", "quota": None, "weight": 1}]
    master = new_campaign(tmp_path / "m.xlsx", data=data)
    out = tmp_path / "forms"
    run = run_forms(master, out)
    assert len(run.paths) == len(data.tables["units"])
    assert len({p.name.casefold() for p in run.paths}) == len(run.paths)
    for path in run.paths:
        name = path.name
        assert path.parent == out and path.is_file()
        assert not set(name) & set('\\/:*?"<>|') and not any(ord(ch) < 32 for ch in name)
        assert len(name) <= 80 and len(name.encode("utf-8")) <= 240
        assert name.endswith(".xlsx") and not name.startswith(".")
        assert name.split(".")[0].upper() not in WINDOWS_RESERVED
    metas = {_meta(p)["unit_code"]: _meta(p) for p in run.paths}
    assert set(metas) == {u["code"] for u in data.tables["units"]}
    for u in data.tables["units"]:  # stamped verbatim (XML-escaped, never re-substituted)
        assert metas[u["code"]]["unit_name"] == u["name"].strip()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in run.paths)


def test_plan_notes_for_rows_without_code_and_repeated_codes():
    units = [
        {"code": "A1", "name": "甲", "category": "市级学会", "quota": None},
        {"code": None, "name": "乙", "category": "市级学会", "quota": None},
        {"code": "a1", "name": "丙", "category": "市级学会", "quota": None},
        {"code": "B2", "name": "丁", "category": "县（市）区科协", "quota": None},
    ]
    rules = [{"category": "市级学会", "min_items": 3}, {"category": "县(市)区科协", "min_items": 2}]
    plan, notes = plan_form_units(units, rules)
    assert [(u.code, u.quota) for u in plan] == [("A1", 3), ("B2", 2)]  # category by name_key
    assert len(notes) == 2 and "缺少单位编号" in notes[0] and "重复" in notes[1]
    assert form_filename("X/1", "a:b") == "X_1_a_b.xlsx"


def test_cli_forms(tmp_path, demo_master, capsys):
    out = tmp_path / "报送表"
    assert main(["forms", str(demo_master), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "已生成 29 份报送表" in printed
    assert len(list(out.glob("*.xlsx"))) == 29
    assert main(["forms", str(demo_master), "--out", str(tmp_path / "all"), "--all"]) == 0
    assert len(list((tmp_path / "all").glob("*.xlsx"))) == len(dandong_roster())


def test_missing_campaign_id_is_a_configuration_error(tmp_path, capsys):
    data = demo_campaign()
    data.settings["campaign_id"] = None
    master = new_campaign(tmp_path / "m.xlsx", data=data)
    assert main(["forms", str(master), "--out", str(tmp_path / "f")]) == 2
    assert "活动编号" in capsys.readouterr().err
    assert not (tmp_path / "f").exists()


def test_open_form_is_not_replaced(tmp_path, demo_master):
    out = tmp_path / "f"
    paths = make_forms(demo_master, out)
    before = paths[0].read_bytes()
    (out / f"~${paths[0].name}").write_bytes(b"lock")
    run = run_forms(demo_master, out)
    assert paths[0] not in run.paths and len(run.paths) == len(paths) - 1
    assert run.refused and paths[0].read_bytes() == before


# --- the demo's simulated returns -------------------------------------------------------------

def _demo_units():
    return [DemoUnit(u["code"], u["name"], u["category"], 3, f"{u['code']}_{u['name']}.xlsx")
            for u in dandong_roster() if u["category"] in QUOTA_CATEGORIES]


def test_plan_resubmits_two_rows_when_the_quota_is_one():
    units = [DemoUnit(u.code, u.name, u.category, 1, u.form) for u in _demo_units()]
    files = plan_returns(units, DANDONG_TOPICS, date(2010, 9, 1), date(2010, 10, 20))
    first, second = [f for f in files if "初稿" in f.story or "修改稿" in f.story]
    assert len(first.rows) == 1 and len(second.rows) == 2
    assert first.rows[0]["title"].endswith("（初稿）")


def test_plan_is_seeded_and_varied():
    units = _demo_units()
    a = plan_returns(units, DANDONG_TOPICS, date(2010, 9, 1), date(2010, 10, 20))
    b = plan_returns(units, DANDONG_TOPICS, date(2010, 9, 1), date(2010, 10, 20))
    assert [(f.filename, f.received_at, f.rows) for f in a] == [(f.filename, f.received_at, f.rows) for f in b]
    deadline = date(2010, 10, 20)
    regular = [f for f in a if f.raw is None and f.forge_as is None]
    returned = {f.unit.code for f in regular}
    assert len(units) - 5 <= len(returned) < len(units)  # most, not all
    assert sum(f.received_at.date() > deadline for f in regular) >= 3
    assert any(f.received_at.date() == deadline for f in regular)
    per_unit = {}
    for f in regular:
        per_unit[f.unit.code] = f  # the later file of a resubmission wins
    assert sum(len(f.rows) < 3 for f in per_unit.values()) >= 3  # short of quota
    assert any(len(f.rows) > 3 for f in per_unit.values())
    twice = [c for c in returned if sum(f.unit.code == c for f in regular) == 2]
    assert len(twice) == 1
    first, second = [f for f in regular if f.unit.code == twice[0]]
    assert second.received_at > first.received_at and second.filename != first.filename
    rows = [r for f in regular for r in f.rows]
    assert any(r["author"] is None for r in rows)
    topics = {name_key(t) for t in DANDONG_TOPICS}
    assert sum(name_key(r["topic"]) not in topics for r in rows) == 1
    assert any(count_chars(r["body"]) > 3000 for r in rows)
    bodies = [count_chars(r["body"]) for r in rows if count_chars(r["body"]) <= 3000]
    assert min(bodies) >= 150 and max(bodies) <= 900 and len(set(bodies)) > len(bodies) // 2
    final_rows = [r for f in per_unit.values() for r in f.rows]
    assert len({r["title"] for r in final_rows}) == len(final_rows)
    trad = [f for f in regular if any(r["topic"] != name_key(r["topic"]) and "發展" in r["topic"] + r["title"]
                                      for r in f.rows)]
    assert len(trad) == 1
    full = [f for f in regular if isinstance(f.fill_date, str)]
    assert len(full) == 1 and parse_date(full[0].fill_date) is not None
    assert any("１" in (r["phone"] or "") for r in full[0].rows)
    assert sum(f.save_as == "xls" for f in a) == 1
    assert sum(f.raw is not None for f in a) == 1
    forged = [f for f in a if f.forge_as is not None]
    assert len(forged) == 1 and forged[0].forge_as.code not in returned


def test_demo_step_writes_forms_and_returns(tmp_path):
    from macros.app.demo import DemoContext
    from macros.demo.forms import simulate_returns, demo_units

    master = new_campaign(tmp_path / "m.xlsx", data=demo_campaign())
    ctx = DemoContext(out=tmp_path, master=master)
    run = run_forms(master, ctx.forms_dir, issued_at=ISSUED)
    units = demo_units(run, ctx.forms_dir)
    plan, notes = simulate_returns(ctx.forms_dir, ctx.inbox, units, list(DANDONG_TOPICS),
                                   date(2010, 9, 1), date(2010, 10, 20), 3000, soffice=False)
    assert notes and "模拟收件" in notes[0]
    files = sorted(ctx.inbox.iterdir())
    assert len(files) == len(plan)
    secret = load_secret(master)
    verdicts = {}
    for f in plan:
        path = ctx.inbox / f.filename
        assert datetime.fromtimestamp(path.stat().st_mtime) == f.received_at
        if f.raw is not None:
            with pytest.raises(Exception):
                CalamineWorkbook.from_path(str(path)).get_sheet_by_name(schema.FORM_SHEET)
            continue
        meta = _meta(path)
        ok = verify_token(secret, meta["campaign_id"], meta["unit_code"], meta["form_version"], meta["token"])
        verdicts[f.filename] = ok
        assert ok == (f.forge_as is None)
        if f.forge_as is not None:
            assert meta["unit_code"] == f.forge_as.code
        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(schema.FORM_SHEET).to_python()
        located = locate_table(grid, schema.FORM)
        assert [r["title"] for r in located.records()] == [r["title"] for r in f.rows]
    assert sum(not ok for ok in verdicts.values()) == 1


def test_demo_runs_with_forms_and_inbox(demo_run):
    forms_dir, inbox_dir = demo_run["out"] / "报送表", demo_run["out"] / "收件箱"
    assert str(forms_dir) in demo_run["stdout"] and str(inbox_dir) in demo_run["stdout"]
    assert len(list(forms_dir.glob("*.xlsx"))) == 29
    inbox = list(inbox_dir.iterdir())
    assert len(inbox) >= 25
    assert {p.suffix for p in inbox} <= {".xlsx", ".xls", ".docx", ".doc", ".txt"}


@pytest.mark.libreoffice
def test_demo_inbox_has_word_documents_and_a_text_file_each_with_its_verdict(demo_run, soffice):
    """Besides the forms the demo's units send a .docx, a Word 97 .doc with two 计策 in tables, a
    document nobody can place and a text note: 报送记录 says what became of each."""
    master = demo_run["out"] / "献策十二五-活动工作簿.xlsx"
    grid = CalamineWorkbook.from_path(str(master)).get_sheet_by_name(schema.SUBMISSIONS.sheet).to_python()
    header = [str(c) for c in grid[0]]
    col = {key: header.index(schema.SUBMISSIONS.column(key).header) for key in ("file", "unit", "rows", "result")}
    records = {str(r[col["file"]]): r for r in grid[1:] if r[col["file"]]}
    word = {name: r for name, r in records.items() if name.endswith((".docx", ".doc", ".txt"))}
    assert len(word) == 4, sorted(records)
    taken = sorted(int(r[col["rows"]]) for r in word.values() if r[col["result"]] == "已汇总")
    assert taken == [1, 2] and all(r[col["unit"]] for r in word.values() if r[col["result"]] == "已汇总")
    assert any(name.endswith(".doc") for name in word)  # LibreOffice made the Word 97 file
    results = sorted(str(r[col["result"]]) for r in word.values() if r[col["result"]] != "已汇总")
    assert [r[:8] for r in results] == ["待确认（E230", "未汇总（E240"], results


# --- LibreOffice ------------------------------------------------------------------------------

def _lo(soffice, tmp_path, fmt: str, files, outdir: Path) -> None:
    profile = (tmp_path / "lo-profile").resolve().as_uri()
    r = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(outdir), *map(str, files)],
        capture_output=True, text=True, timeout=180,
    )
    assert r.returncode == 0, r.stderr


@pytest.mark.libreoffice
def test_libreoffice_opens_a_form(soffice, demo_forms, tmp_path):
    _, paths, _ = demo_forms
    out = tmp_path / "out"
    _lo(soffice, tmp_path, "xlsx:Calc MS Excel 2007 XML", [paths[0]], out)
    converted = out / paths[0].name
    wb = openpyxl.load_workbook(converted)
    assert wb.sheetnames[:2] == [schema.FORM_INFO_SHEET, schema.FORM_SHEET]
    assert [c.value for c in wb[schema.FORM_SHEET][xlsx_form.HEADER_ROW]][:9] == schema.FORM.headers
    assert _meta(converted) == _meta(paths[0]) | {"form_version": 1.0}


TEXTS = [
    "计策l0条，共3000字。",
    "丹东港 2010年吞吐量达到 8,000万吨，e-mail: ddkxxhb@163.com。\n第二段\u3000全角空格",
    "ＡＢＣ１２３测试", "plain English words here ok", "3.14 是 pi", "don't", "a..b", "1,000,000元",
    "第一段\t制表符\n第二段", "①②③ ℃ %",
]


@pytest.mark.libreoffice
def test_filled_form_saved_as_xls_by_libreoffice_keeps_metadata(soffice, demo_forms, tmp_path):
    from macros.demo.forms import convert_to_xls

    master, paths, _ = demo_forms
    src = _form_for(paths, "XH05")
    filled = tmp_path / "XH05_filled.xlsx"
    wb = openpyxl.load_workbook(src)
    ws = wb[schema.FORM_SHEET]
    keys = schema.FORM.keys
    for i, text in enumerate(TEXTS):
        r = xlsx_form.FIRST_INPUT_ROW + i
        ws.cell(row=r, column=keys.index("title") + 1, value=f"题目{i}")
        ws.cell(row=r, column=keys.index("topic") + 1, value=DANDONG_TOPICS[i])
        ws.cell(row=r, column=keys.index("author") + 1, value="张三")
        ws.cell(row=r, column=keys.index("phone") + 1, value="0415-2127152")
        ws.cell(row=r, column=keys.index("body") + 1, value=text)
    ws["B3"] = "2010年10月18日"
    wb.save(filled)
    converted = convert_to_xls([filled], tmp_path / "xls", soffice)
    xls = converted[filled]
    assert xls.suffix == ".xls"
    meta = _meta(xls)
    secret = load_secret(master)
    assert meta["unit_code"] == "XH05"
    assert verify_token(secret, meta["campaign_id"], meta["unit_code"], meta["form_version"], meta["token"])
    assert not verify_token(secret, meta["campaign_id"], "XH06", meta["form_version"], meta["token"])
    grid = CalamineWorkbook.from_path(str(xls)).get_sheet_by_name(schema.FORM_SHEET).to_python()
    located = locate_table(grid, schema.FORM)
    records = [r for r in located.records()
               if any(r[k] not in (None, "") for k in keys if k != "word_count")]
    assert [r["body"] for r in records] == TEXTS
    # LibreOffice computed 字数 with the form's formula: the count_chars rule.
    assert [int(r["word_count"]) for r in records] == [count_chars(t) for t in TEXTS]
    assert grid[2][0] == "填表日期" and parse_date(grid[2][1], 2010) == date(2010, 10, 18)
