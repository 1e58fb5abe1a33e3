"""The Excel add-in is built from text sources: workbook/ribbon.xml + workbook/kexie.bas
(+ the xlwings VBA module) -> workbook/kexie.xlam via scripts/build_addin.py."""

from __future__ import annotations

import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser

ROOT = Path(__file__).resolve().parent.parent
RIBBON = ROOT / "workbook" / "ribbon.xml"
BAS = ROOT / "workbook" / "kexie.bas"
COMMITTED = ROOT / "workbook" / "kexie.xlam"
NS = {"ui": "http://schemas.microsoft.com/office/2009/07/customui"}

# The buttons of the ribbon tab, id -> label: one per command button, one per document kind.
BUTTONS = {
    "validate": "校验数据",
    "tally": "更新统计",
    "forms": "生成报送表",
    "consolidate": "汇总报送",
    "mail": "收取邮件",
    "notice": "生成通知",
    "summary": "汇总报告",
    "reminders": "催报通知",
    "compilation": "计策汇编",
    "assessment": "考核结果",
    "tasks": "分工表",
    "targets": "指标完成情况",
    "review": "评审结果",
    "awards": "获奖通报",
    "returns": "退改通知",
    "pledges": "承诺公示表",
}


def _load_build_module():
    spec = importlib.util.spec_from_file_location("build_addin", ROOT / "scripts" / "build_addin.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_addin", module)
    spec.loader.exec_module(module)
    return module


build_addin = _load_build_module()
SLOW_MATCHING = __import__("ms_ovba_compression.ms_ovba", fromlist=["MsOvba"]).MsOvba._matching  # the library's own


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("addin") / "kexie.xlam"
    assert build_addin.build(out) is True
    return out


@pytest.fixture(scope="module")
def macros(built) -> dict[str, str]:
    """Module name -> source code as olevba reads it from the built add-in."""
    parser = VBA_Parser(str(built))
    try:
        assert parser.detect_vba_macros()
        return {
            Path(vba_filename).stem: code
            for _, _, vba_filename, code in parser.extract_macros()
        }
    finally:
        parser.close()


def _code_lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line for line in lines if not line.startswith("Attribute ")]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _ribbon_buttons() -> list[ET.Element]:
    return ET.parse(RIBBON).getroot().findall(".//ui:button", NS)


def test_ribbon_in_built_addin_equals_source(built):
    with zipfile.ZipFile(built) as z:
        assert z.read("customUI/customUI14.xml") == RIBBON.read_bytes()
        rels = z.read("_rels/.rels").decode("utf-8")
        types = z.read("[Content_Types].xml").decode("utf-8")
        names = z.namelist()
    assert re.search(
        r'Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"'
        r' Target="customUI/customUI14.xml"', rels)
    assert "customUI/customUI.xml" not in names  # only one ribbon part
    assert 'Extension="xml" ContentType="application/xml"' in types
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types


def test_ribbon_has_the_tab_and_every_button():
    root = ET.parse(RIBBON).getroot()
    tabs = root.findall(".//ui:tab", NS)
    assert [t.get("label") for t in tabs] == ["科协工作台"]
    buttons = _ribbon_buttons()
    assert {b.get("id"): b.get("label") for b in buttons} == BUTTONS
    assert len(buttons) == len(BUTTONS)
    assert len(root.findall(".//ui:group", NS)) >= 2
    for b in buttons:
        assert b.get("imageMso"), f"button {b.get('id')} has no built-in icon"
    assert len({b.get("onAction") for b in buttons}) == 1, "all buttons share one callback"


def test_ribbon_callback_exists_in_bas():
    bas = BAS.read_text(encoding="ascii")
    (callback,) = {b.get("onAction") for b in _ribbon_buttons()}
    assert re.search(
        rf"^Public Sub {re.escape(callback)}\(control As IRibbonControl\)$", bas, re.M
    ), f"{callback} not defined in kexie.bas"


def test_bas_forwards_the_id_to_python():
    bas = BAS.read_text(encoding="ascii")
    m = re.search(r'RunPython "(.*)" & control\.Id & "(.*)"', bas)
    assert m, "the callback must forward control.Id through RunPython"
    command = m.group(1) + "validate" + m.group(2)
    assert command == "import macros.ribbon; macros.ribbon.run('validate')"
    compile(command, "<RunPython>", "exec")
    assert '"' not in command  # xlwings wraps the command in double quotes on Windows


def test_vba_sources_are_ascii(built, macros):
    BAS.read_bytes().decode("ascii")
    for name, code in macros.items():
        assert code.isascii(), f"VBA module {name} is not ASCII"


def test_olevba_reads_our_module_back(macros):
    assert "Kexie" in macros
    assert _code_lines(macros["Kexie"]) == _code_lines(BAS.read_text(encoding="ascii"))


def test_vba_project_has_xlwings_runtime(macros):
    assert {"ThisWorkbook", "Sheet2", "Dictionary", "xlwings", "Kexie"} <= set(macros)
    xlwings_code = macros["xlwings"]
    assert re.search(r"^Public Function RunPython\(", xlwings_code, re.M)
    assert 'Public Const PROJECT_NAME As String = "kexie"' in xlwings_code
    # The custom-add-in flavour acts on the active workbook, not on the add-in itself.
    assert "ActiveFullName = ActiveWorkbook.FullName" in xlwings_code


def test_config_sheet_renamed(built):
    with zipfile.ZipFile(built) as z:
        workbook = z.read("xl/workbook.xml").decode("utf-8")
    assert 'name="_kexie.conf"' in workbook
    assert "absPath" not in workbook


def test_addin_records_its_xlwings_version(built):
    from importlib.metadata import version

    from macros.addin_install import addin_xlwings_version

    assert addin_xlwings_version(built) == build_addin.xlwings_version() == version("xlwings")


def test_build_is_deterministic(built, tmp_path):
    again = tmp_path / "again.xlam"
    build_addin.build(again)
    assert again.read_bytes() == built.read_bytes()
    # Rebuilding over an identical file leaves it untouched.
    assert build_addin.build(again) is False


def test_committed_addin_is_up_to_date(built):
    assert COMMITTED.exists(), "run: python scripts/build_addin.py"
    # Compare contents, not zip bytes: zlib versions may deflate differently, and a newer
    # ms-ovba may lay out the same VBA project differently.
    assert build_addin.same_content(build_addin.read_parts(COMMITTED), build_addin.read_parts(built)), (
        "workbook/kexie.xlam is out of date with workbook/ribbon.xml, workbook/kexie.bas or the "
        "installed xlwings; run: python scripts/build_addin.py and commit the result"
    )


# --- the add-in's own edges: no workbook, no Python, no kexie -------------------------------

MESSAGES = {
    "MsgTitle": "科协工作台",
    "MsgNoWorkbook": "请先打开一个活动工作簿再使用科协工作台的按钮。如果工作簿在“受保护的视图”中打开，请先点击“启用编辑”。",
    "MsgNoPython": "找不到 Python：",
    "MsgInstall": "请安装科协工作台（运行安装包中的 install.cmd；或安装 Python 3.11 以上版本后在命令提示符中运行 "
                  "py -m pip install kexie，再运行 kexie addin install），然后重新打开 Excel。",
    "MsgNoKexie": "本机的 Python 中没有安装科协工作台（kexie）。",
    "MsgStarting": "科协工作台：正在启动 Python……",
}


def _vba_function(bas: str, name: str) -> str:
    m = re.search(rf"^(?:Public |Private )?(?:Function|Sub) {name}\b.*?^End (?:Function|Sub)$", bas, re.M | re.S)
    assert m, f"{name} not found in kexie.bas"
    return m.group(0)


def test_chinese_messages_decode_to_their_wording():
    bas = BAS.read_text(encoding="ascii")
    for name, wording in MESSAGES.items():
        body = _vba_function(bas, name)
        codes = " ".join(re.findall(r'Zh\("([0-9A-F ]+)"\)', body)).split()
        assert "".join(chr(int(c, 16)) for c in codes) == wording, name


def test_callback_checks_the_workbook_before_anything_reads_it():
    bas = BAS.read_text(encoding="ascii")
    body = _vba_function(bas, "KexieRibbonAction")
    check = body.index("If ActiveWorkbook Is Nothing Then")
    assert check < body.index("KexieReady()") < body.index("RunPython")
    assert "MsgNoWorkbook()" in body[check:body.index("Exit Sub")]
    # the status bar says what runs while Python starts, and is handed back afterwards
    assert body.index("Application.StatusBar = MsgStarting()") < body.index("RunPython")
    assert body.rstrip().endswith("Application.StatusBar = False\nEnd Sub")


def test_missing_python_or_kexie_gets_a_chinese_message():
    bas = BAS.read_text(encoding="ascii")
    ready = _vba_function(bas, "KexieReady")
    assert "found = Dir(interpreter)" in ready and "If found = \"\" Then" in ready and "MsgNoPython()" in ready
    assert "MsgNoKexie() & vbLf & vbLf & MsgInstall()" in ready
    probe = _vba_function(bas, "KexieProbe")
    m = re.search(r'probe = "(.*?)" & _\s*"(.*?)"', probe, re.S)
    code = m.group(1) + m.group(2)
    compile(code, "<probe>", "exec")
    # the probe finds this environment ready (kexie and xlwings importable)
    import subprocess

    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
    missing = code.replace("macros.ribbon", "kexie_not_installed_here")
    assert subprocess.run([sys.executable, "-c", missing], timeout=60).returncode == 3


def test_a_crlf_checkout_builds_the_same_addin(tmp_path, monkeypatch):
    """Windows checkouts may turn the sources' LF into CRLF: the build must not care, or the
    committed add-in would look stale there."""
    lf_build = build_addin.package_parts()
    ribbon = tmp_path / "ribbon.xml"
    bas = tmp_path / "kexie.bas"
    ribbon.write_bytes(build_addin.RIBBON_SOURCE.read_bytes().replace(b"\n", b"\r\n"))
    bas.write_bytes(build_addin.VBA_SOURCE.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert b"\r\n" in ribbon.read_bytes()
    monkeypatch.setattr(build_addin, "RIBBON_SOURCE", ribbon)
    monkeypatch.setattr(build_addin, "VBA_SOURCE", bas)
    assert build_addin.same_content(lf_build, build_addin.package_parts())


# --- the fast match search gives the library's own compressed bytes ------------------------

@given(st.lists(st.sampled_from([b"a", b"b", b"ab", b"~~~~", b"Sub ", b"\r\n", b"x" * 40]), max_size=60)
       .map(b"".join))
@settings(max_examples=120)
def test_fast_matching_compresses_exactly_like_the_library(data):
    """build_addin swaps ms-ovba-compression's quadratic match search for bytes.rfind; on any
    input (runs, overlaps, long repeats late in a chunk) the compressed stream is byte for byte
    what the library's own search gives, under the same corrected copy-token length."""
    from ms_ovba_compression.ms_ovba import MsOvba

    with build_addin._fixed_copytoken_length():
        fast = MsOvba().compress(data) if data else b""
        fast_method = MsOvba._matching
        MsOvba._matching = SLOW_MATCHING
        try:
            slow = MsOvba().compress(data) if data else b""
        finally:
            MsOvba._matching = fast_method
    assert fast == slow
    if data:
        assert bytes(MsOvba().decompress(fast)) == data
