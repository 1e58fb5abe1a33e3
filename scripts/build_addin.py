"""Build the Excel add-in workbook/kexie.xlam from the text sources in workbook/.

Usage:  python scripts/build_addin.py [--out PATH] [--check]

Inputs (all reviewable text):
  workbook/ribbon.xml   the ribbon (customUI, 2009/07 namespace), stored as customUI/customUI14.xml
  workbook/kexie.bas    our VBA module (one ribbon callback that forwards the button id to Python)
  the installed xlwings package:
    quickstart_addin_ribbon.xlam  the add-in template xlwings ships (`xlwings quickstart --addin
                                  --ribbon`): workbook parts, styles, theme, the config sheet
    xlwings_custom_addin.bas      the xlwings VBA module for custom add-ins (RunPython acts on
                                  the *active* workbook, not on the add-in itself)
    addin/Dictionary.cls          the Dictionary class the xlwings module needs on macOS

How the VBA project is made, and why
------------------------------------
The template's xl/vbaProject.bin carries a compiled cache (p-code) of its own modules, so
patching module source in place would also mean invalidating that cache by hand. Instead we
*write a new VBA project* from the .bas/.cls sources with the `ms-ovba` package: it emits the
PROJECT, dir and module streams per [MS-OVBA] with the performance cache left out
(_VBA_PROJECT version 0xFFFF), so Excel compiles the source on first load, on Windows and on
macOS alike. The result is read back by oletools' olevba in tests/test_addin.py. The project
holds the same components as the xlwings template: the document modules ThisWorkbook and
Sheet2 (the hidden config sheet), the Dictionary class, the xlwings module (PROJECT_NAME set
to "kexie", so its user config is %USERPROFILE%\\.kexie\\kexie.conf on Windows and
~/Library/Containers/com.microsoft.Excel/Data/kexie.conf on macOS; see macros/addin_install.py)
and our Kexie module. References: stdole and the Office object library (IRibbonControl).

Determinism: fixed project GUID, fixed seed for the obfuscated PROJECT fields, fixed zip
timestamps and member order, so two builds are byte-identical. The output is only rewritten when
its content changes (parts compared one by one, the VBA project by its module sources), so the
committed .xlam only changes when a source or the installed xlwings version changes — and it
must change then: the add-in's xlwings VBA has to match the Python xlwings it talks to.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import random
import re
import sys
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK_DIR = ROOT / "workbook"
RIBBON_SOURCE = WORKBOOK_DIR / "ribbon.xml"
VBA_SOURCE = WORKBOOK_DIR / "kexie.bas"
DEFAULT_OUT = ROOT / "workbook" / "kexie.xlam"  # installed as package data macros.resources.addin

PROJECT_NAME = "kexie"
PROJECT_ID = "{6B1E3A52-4C0D-4E8B-9C3A-2F7D5E1B8A40}"  # fixed: the build must be reproducible
CONF_SHEET = f"_{PROJECT_NAME}.conf"  # leading "_" = disabled, as in the xlwings template
CODE_PAGE = "cp1252"

RIBBON_PART = "customUI/customUI14.xml"
# Office 2010+ ribbon (namespace .../office/2009/07/customui) uses this relationship type;
# the part's content type is application/xml, covered by the Default for "xml".
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
OLD_RIBBON_REL_TYPES = (
    RIBBON_REL_TYPE,
    "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
)

ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# VB_Base of the Excel document modules and of a class module, as Excel writes them.
BASE_WORKBOOK = "0{00020819-0000-0000-C000-000000000046}"
BASE_WORKSHEET = "0{00020820-0000-0000-C000-000000000046}"
BASE_CLASS = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"

CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>科协工作台</dc:title><dc:creator>kexie</dc:creator>"
    "<dc:description>kexie add-in; xlwings {xlwings_version}</dc:description>"
    "<cp:lastModifiedBy>kexie</cp:lastModifiedBy>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:modified>'
    "</cp:coreProperties>"
)


class BuildError(Exception):
    """The sources or the installed xlwings are not what the build expects."""


def xlwings_dir() -> Path:
    """Directory of the installed xlwings package, found without importing it."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise BuildError("xlwings is not installed in this interpreter")
    return Path(spec.origin).parent


def xlwings_version() -> str:
    text = (xlwings_dir() / "xlwings_custom_addin.bas").read_text(encoding="ascii")
    m = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', text)
    if not m:
        raise BuildError("cannot read XLWINGS_VERSION from xlwings_custom_addin.bas")
    return m.group(1)


# --------------------------------------------------------------------------- VBA sources


@dataclass(frozen=True)
class VbaModule:
    name: str
    kind: str  # "document" | "class" | "module"
    source: str  # text as stored in the module stream (attribute lines included), LF endings


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _vb_name(source: str) -> str:
    m = re.match(r'Attribute VB_Name = "([A-Za-z][A-Za-z0-9_]*)"\n', source)
    if not m:
        raise BuildError('a VBA source must start with Attribute VB_Name = "<name>"')
    return m.group(1)


def _document_module(name: str, base: str) -> VbaModule:
    attrs = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return VbaModule(name, "document", "\n".join(attrs) + "\n")


def _class_module(cls_text: str) -> VbaModule:
    """A .cls export -> module stream text: drop the VERSION/BEGIN..END header and add the
    VB_Base / TemplateDerived / Customizable attributes where Excel puts them."""
    lines = _lf(cls_text).split("\n")
    if lines and lines[0].startswith("VERSION "):
        end = lines.index("END")
        lines = lines[end + 1 :]
    out: list[str] = []
    for line in lines:
        out.append(line)
        if line.startswith("Attribute VB_Name = "):
            out.append(f'Attribute VB_Base = "{BASE_CLASS}"')
        elif line.startswith("Attribute VB_Exposed = "):
            out += ["Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False"]
    source = "\n".join(out)
    return VbaModule(_vb_name(source), "class", source)


def _std_module(bas_text: str) -> VbaModule:
    source = _lf(bas_text)
    return VbaModule(_vb_name(source), "module", source)


def xlwings_module_source() -> str:
    text = _lf((xlwings_dir() / "xlwings_custom_addin.bas").read_text(encoding=CODE_PAGE))
    old = 'Public Const PROJECT_NAME As String = "myaddin"'
    if text.count(old) != 1:
        raise BuildError("xlwings_custom_addin.bas no longer declares PROJECT_NAME as expected")
    return text.replace(old, f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"')


def vba_modules() -> list[VbaModule]:
    """Every component of the add-in's VBA project, in project order."""
    ours = VBA_SOURCE.read_bytes()
    try:
        ours_text = ours.decode("ascii")
    except UnicodeDecodeError as exc:
        raise BuildError(f"{VBA_SOURCE.name} must be ASCII (byte {exc.start})") from exc
    return [
        _document_module("ThisWorkbook", BASE_WORKBOOK),
        _document_module("Sheet2", BASE_WORKSHEET),  # code name of the config sheet
        _class_module((xlwings_dir() / "addin" / "Dictionary.cls").read_text(encoding=CODE_PAGE)),
        _std_module(xlwings_module_source()),
        _std_module(ours_text),
    ]


@contextlib.contextmanager
def _fixed_copytoken_length():
    """ms-ovba-compression 1.0.1 computes the maximum copy-token length as
    `0xFFFF << bit_count + 3` instead of `(0xFFFF >> bit_count) + 3` ([MS-OVBA] 2.4.1.3.19.3),
    so a long repeated run late in a 4096-byte chunk (e.g. a line of "~~~~") yields a corrupt
    token. Correct it while we build; verify_vba_project() then decompresses every stream with
    oletools' independent decompressor and compares it with the source."""
    from ms_ovba_compression.ms_ovba import MsOvba

    original = MsOvba.__dict__["copytoken_help"]

    def copytoken_help(difference: int) -> dict:
        help_ = original.__func__(difference)
        help_["maxLength"] = (0xFFFF >> help_["bitCount"]) + 3
        return help_

    slow_matching = MsOvba._matching
    MsOvba.copytoken_help = staticmethod(copytoken_help)
    MsOvba._matching = fast_matching
    try:
        yield
    finally:
        MsOvba.copytoken_help = original
        MsOvba._matching = slow_matching


def longest_match(chunk: bytes, d: int) -> tuple[int, int]:
    """The (candidate, length) ms-ovba-compression 1.0.1's ``_matching`` chooses at position ``d``
    of ``chunk``: the start c < d whose match with ``chunk[d:]`` is longest (a match may run on
    past ``d``, and is bounded only by the chunk's end), the nearest one on a tie; (0, 0) when no
    match reaches 3 bytes. The library compares byte by byte against every earlier position
    (quadratic in Python: about 20 s per build); here ``bytes.rfind`` does the comparing and
    a binary search finds the length — the same answer, so the same compressed bytes."""
    def nearest(length: int) -> int:  # the largest c < d where chunk[d:d+length] starts, or -1
        return chunk.rfind(chunk[d:d + length], 0, d - 1 + length)

    top = len(chunk) - d
    if d == 0 or top < 3 or nearest(3) < 0:
        return 0, 0
    lo, hi = 3, top  # a match of lo bytes exists; none longer than hi can
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if nearest(mid) >= 0:
            lo = mid
        else:
            hi = mid - 1
    return nearest(lo), lo


def fast_matching(self) -> tuple[int, int]:
    """``MsOvba._matching`` computed by :func:`longest_match` (offset, capped length)."""
    chunk = bytes(self._activeChunk)
    d = len(chunk) - len(self._uncompressedData)
    candidate, length = longest_match(chunk, d)
    if length < 3:
        return 0, 0
    return d - candidate, min(type(self).copytoken_help(d)["maxLength"], length)  # the corrected one while building


def verify_vba_project(vba_bin: bytes, modules: list[VbaModule]) -> None:
    """Read the written project back with oletools: every module stream must decompress to
    exactly its source."""
    import olefile
    from oletools.olevba import decompress_stream

    ole = olefile.OleFileIO(vba_bin)
    try:
        for mod in modules:
            stored = bytes(decompress_stream(bytearray(ole.openstream(["VBA", mod.name]).read())))
            if stored != mod.source.replace("\n", "\r\n").encode(CODE_PAGE):
                raise BuildError(f"VBA module {mod.name} does not read back as written")
        decompress_stream(bytearray(ole.openstream(["VBA", "dir"]).read()))
    finally:
        ole.close()


def build_vba_project(modules: list[VbaModule]) -> bytes:
    """vbaProject.bin (an OLE compound file) without compiled cache, from module sources."""
    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.Views.project_ole_file import ProjectOleFile
    from ms_ovba.vbaProject import VbaProject

    class ClassModule(DocModule):
        # MODULETYPE 0x0022 covers document *and* class modules; only the PROJECT stream
        # line differs ("Class=<name>").
        def to_project_module_string(self) -> str:
            return "Class=" + self.modName.value

    project = VbaProject()
    project.project_id = PROJECT_ID
    project.codepage_name = CODE_PAGE
    for ref_guid, path, desc, name in (
        ("00020430-0000-0000-C000-000000000046", r"C:\Windows\System32\stdole2.tlb",
         "OLE Automation", "stdole"),
        ("2DF8D04C-5BFA-101B-BDE5-00AA0044DE52",
         r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
         "Microsoft Office 16.0 Object Library", "Office"),
    ):
        libid = LibidReference(uuid.UUID(ref_guid), "2.0", "0", path, desc)
        project.add_reference(Reference(ReferenceRegistered(libid), name))

    # ms-ovba writes its intermediate and final files into the working directory, and the
    # obfuscated PROJECT fields (CMG/DPB/GC) use a random seed: isolate both.
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp), _fixed_copytoken_length():
        for mod in modules:
            if mod.kind == "document":
                entity = DocModule(mod.name)
            elif mod.kind == "class":
                entity = ClassModule(mod.name)
            else:
                entity = StdModule(mod.name)
            stem = Path(tmp) / mod.name
            data = mod.source.replace("\n", "\r\n").encode(CODE_PAGE)
            stem.with_name(mod.name + ".new").write_bytes(data)
            entity.add_file(str(stem))
            project.add_module(entity)
        state = random.getstate()
        random.seed(20240101)
        try:
            ProjectOleFile.write_file(project)
        finally:
            random.setstate(state)
        return (Path(tmp) / "vbaProject.bin").read_bytes()


# --------------------------------------------------------------------------- package parts


def _patch_root_rels(xml: str) -> str:
    rels = re.findall(r"<Relationship [^>]*/>", xml)
    kept = [r for r in rels if not any(f'Type="{t}"' in r for t in OLD_RIBBON_REL_TYPES)]
    kept.append(f'<Relationship Id="rIdKexieUI" Type="{RIBBON_REL_TYPE}" Target="{RIBBON_PART}" />')
    head = xml[: xml.index("<Relationships")]
    opening = re.search(r"<Relationships[^>]*>", xml).group(0)
    return head + opening + "".join(kept) + "</Relationships>"


def _patch_workbook(xml: str) -> str:
    if 'name="_myaddin.conf"' not in xml:
        raise BuildError("unexpected xlwings template: no _myaddin.conf sheet")
    xml = xml.replace('name="_myaddin.conf"', f'name="{CONF_SHEET}"')
    # The template remembers where its author saved it; drop that.
    return re.sub(r"<mc:AlternateContent .*?</mc:AlternateContent>", "", xml, flags=re.S)


def package_parts() -> dict[str, bytes]:
    """All parts of the .xlam, by zip member name."""
    template = xlwings_dir() / "quickstart_addin_ribbon.xlam"
    # LF whatever the checkout did (core.autocrlf / .gitattributes): a CRLF working copy must
    # build the same add-in, or the committed one would look stale on Windows.
    ribbon = RIBBON_SOURCE.read_bytes().replace(b"\r\n", b"\n")
    ribbon.decode("utf-8")  # must be UTF-8
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(template) as z:
        for name in z.namelist():
            if name.startswith("customUI/") or name == "xl/vbaProject.bin":
                continue
            parts[name] = z.read(name)
    parts["_rels/.rels"] = _patch_root_rels(parts["_rels/.rels"].decode("utf-8")).encode("utf-8")
    parts["xl/workbook.xml"] = _patch_workbook(parts["xl/workbook.xml"].decode("utf-8")).encode("utf-8")
    # macros/addin_install.py reads the xlwings version back: the add-in's VBA must match the
    # Python xlwings it will talk to (on macOS the AppleScript's name carries the version).
    parts["docProps/core.xml"] = CORE_XML.format(xlwings_version=xlwings_version()).encode("utf-8")
    parts[RIBBON_PART] = ribbon
    modules = vba_modules()
    parts["xl/vbaProject.bin"] = build_vba_project(modules)
    verify_vba_project(parts["xl/vbaProject.bin"], modules)
    ct = parts["[Content_Types].xml"].decode("utf-8")
    if 'Extension="xml"' not in ct or "vbaProject" not in ct:
        raise BuildError("unexpected [Content_Types].xml in the xlwings template")
    return parts


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    order = ["[Content_Types].xml", "_rels/.rels"] + sorted(
        n for n in parts if n not in ("[Content_Types].xml", "_rels/.rels")
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, parts[name], compresslevel=9)
    return buf.getvalue()


def read_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def vba_content(vba_bin: bytes) -> dict[str, bytes]:
    """What a VBA project *says*: each module's source and the PROJECT stream without its
    obfuscated CMG/DPB/GC lines. Two builds with the same sources have the same content even
    if a newer ms-ovba lays the compound file or the compression out differently."""
    import olefile
    from oletools.olevba import decompress_stream

    ole = olefile.OleFileIO(vba_bin)
    try:
        out: dict[str, bytes] = {}
        for entry in ole.listdir():
            if entry == ["PROJECT"]:
                lines = ole.openstream(entry).read().split(b"\r\n")
                out["PROJECT"] = b"\r\n".join(l for l in lines if not l.startswith((b"CMG=", b"DPB=", b"GC=")))
            elif entry[0] == "VBA" and entry[1] not in ("dir", "_VBA_PROJECT"):
                out["/".join(entry)] = bytes(decompress_stream(bytearray(ole.openstream(entry).read())))
        return out
    finally:
        ole.close()


def same_content(a: dict[str, bytes], b: dict[str, bytes]) -> bool:
    """Package parts equal, comparing xl/vbaProject.bin by its content (vba_content)."""
    if a.keys() != b.keys():
        return False
    for name in a:
        if name == "xl/vbaProject.bin":
            if vba_content(a[name]) != vba_content(b[name]):
                return False
        elif a[name] != b[name]:
            return False
    return True


def build(out: Path = DEFAULT_OUT) -> bool:
    """Build the add-in into `out`. Returns True when the file was (re)written, False when
    the existing file already had this content."""
    parts = package_parts()
    if out.exists():
        try:
            if same_content(read_parts(out), parts):
                return False
        except zipfile.BadZipFile:
            pass
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(zip_bytes(parts))
    tmp.replace(out)
    return True


def is_up_to_date(path: Path = DEFAULT_OUT) -> bool:
    return path.exists() and same_content(read_parts(path), package_parts())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true",
                        help="only check that --out is up to date with the sources (exit 1 if not)")
    args = parser.parse_args(argv)
    try:
        if args.check:
            ok = is_up_to_date(args.out)
            print(f"{args.out}: {'up to date' if ok else 'OUT OF DATE, run scripts/build_addin.py'}",
                  file=sys.stderr)
            return 0 if ok else 1
        written = build(args.out)
    except BuildError as exc:
        print(f"build_addin: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out}: {'written' if written else 'unchanged'} (xlwings {xlwings_version()})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
