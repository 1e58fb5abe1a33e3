"""Word submissions on disk: what kind of document a file is (by content), conversion of
.doc/.wps/.rtf/.odt to .docx by LibreOffice (one process for the batch), and the text of a
.docx in reading order for ``macros.core.word_fields``.

``document_kind(head, zip_names, ole_streams)`` → ``"docx" | "doc" | "rtf" | "odt" | None``:
a ZIP package with ``word/document.xml``, an OLE compound file with a ``WordDocument`` stream
(Word 97–2003 and Kingsoft WPS ``.wps`` share it), ``{\\rtf`` text, or an OpenDocument text
(``mimetype`` member). The extension is never consulted.

``convert_batch(items, out_dir, timeout, cache=…)`` converts every non-docx document in ONE
soffice call (LibreOffice through ``pdf.LibreOfficeConverter``: its own temporary
``-env:UserInstallation`` profile, a timeout after which the process group is killed). Inputs
are staged under neutral names with the suffix of their detected kind, so a ``.wps`` is opened
as the Word file it is. Each conversion is kept in the campaign's cache folder by the SHA-256
of the original bytes (:class:`ConversionCache`), so an unchanged document read again (one left
待确认, say) never starts LibreOffice again. When the batch run times out or crashes, the
documents it did not convert are converted one by one, each with its own timeout: a document
that hangs LibreOffice costs only itself, and is reported with its reason.

``docx_blocks(path, limits)`` checks the package (members, sizes, ratios, DOCTYPE like the
form reader) and walks the main document part (``word/document.xml``; lxml, only that part
parsed) in document order: paragraphs, tables (one block per row), text boxes
(``w:txbxContent``, once — the VML fallback copy is skipped) and content controls (``w:sdt``;
placeholder text is skipped).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import zipfile
from pathlib import Path
from typing import Iterable, Iterator

from macros.adapters.form_guard import inflate_capped
from macros.adapters.pdf import ConversionError, ConverterNotFoundError, LibreOfficeConverter
from macros.core.word_fields import Block

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
ODT_MIME = b"application/vnd.oasis.opendocument.text"
SUFFIX = {"doc": ".doc", "rtf": ".rtf", "odt": ".odt", "docx": ".docx"}


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def document_kind(head: bytes, zip_names: Iterable[str] = (), ole_streams: Iterable[str] = (),
                  zip_member=None) -> str | None:
    """The kind of Word document the bytes are (see the module doc), else None."""
    if head.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    names = set(zip_names)
    if names:
        if "word/document.xml" in names:
            return "docx"
        if "mimetype" in names and zip_member is not None and zip_member("mimetype").strip() == ODT_MIME:
            return "odt"
        if "content.xml" in names and b"mimetypeapplication/vnd.oasis.opendocument.text" in head:
            return "odt"
        return None
    if "worddocument" in set(ole_streams):
        return "doc"
    return None


class DocxConverter(LibreOfficeConverter):
    """LibreOffice converting Word 97–2003, WPS, RTF and ODT documents to .docx."""

    def convert_filter(self) -> str:
        return "docx:MS Word 2007 XML"


CANNOT_OPEN = "LibreOffice 无法打开该文档（文件可能已损坏）"
DOC_TIMEOUT = 120.0  # seconds for one document converted alone, after the batch failed


class ConversionCache:
    """Converted .docx files by the SHA-256 of the original document, in ``folder`` (None: no
    cache). Entries not used for ``KEEP_DAYS`` are removed; a cache that cannot be written
    never fails a conversion."""

    KEEP_DAYS = 90

    def __init__(self, folder: Path | None):
        self.folder = folder

    def get(self, sha: str) -> Path | None:
        if self.folder is None:
            return None
        path = self.folder / f"{sha}.docx"
        try:
            if path.stat().st_size > 0:
                os.utime(path)  # used: kept from pruning
                return path
        except OSError:
            pass
        return None

    def put(self, sha: str, produced: Path) -> Path:
        """Keep ``produced`` as the conversion of ``sha``; returns the path to read it from."""
        if self.folder is None:
            return produced
        target = self.folder / f"{sha}.docx"
        tmp = self.folder / f".{sha}.kexie-tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(produced, tmp)
            os.replace(tmp, target)
        except OSError:
            return produced
        return target

    def prune(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        horizon = time.time() - self.KEEP_DAYS * 86400
        for entry in self.folder.iterdir():
            try:
                if entry.is_file() and entry.stat().st_mtime < horizon:
                    entry.unlink()
            except OSError:
                continue


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _produced(done: Path, staged: Path) -> Path | None:
    path = done / (staged.stem + ".docx")
    try:
        return path if path.stat().st_size > 0 else None
    except OSError:
        return None


def _attempt(conv: DocxConverter, inputs: list[Path], done: Path) -> str | None:
    """Run LibreOffice on ``inputs`` (in a profile removed afterwards); None when it finished,
    else why not (timeout, crash)."""
    try:
        with conv:
            conv.run_once(inputs, done)
    except ConversionError as exc:
        return exc.args[0] if exc.args else "LibreOffice 转换失败"
    return None


def convert_batch(items: list[tuple[Path, str]], out_dir: Path, timeout: float = 600.0,
                  soffice: str | Path | None = None, *, cache: Path | None = None,
                  doc_timeout: float | None = None) -> dict[Path, Path | str]:
    """Convert ``(path, kind)`` items to .docx: from ``cache`` when converted before, else in
    one LibreOffice run, then one by one for what a failed run left (see the module doc).

    Returns per input path the .docx produced, or the Chinese reason it was not."""
    out: dict[Path, Path | str] = {}
    store = ConversionCache(cache)
    todo: list[tuple[Path, str, str]] = []
    for p, kind in items:
        try:
            sha = _sha256(p)
        except OSError as exc:
            out[p] = f"无法读取文件（{type(exc).__name__}）"
            continue
        hit = store.get(sha)
        if hit is not None:
            out[p] = hit
        else:
            todo.append((p, kind, sha))
    if not todo:
        return out
    try:
        conv = DocxConverter(soffice, timeout=timeout)
    except ConverterNotFoundError:
        out.update({p: "本机没有安装 LibreOffice，无法读取 .doc/.wps/.rtf/.odt 文档" for p, _k, _s in todo})
        return out
    stage, done = out_dir / "in", out_dir / "out"
    stage.mkdir(parents=True, exist_ok=True)
    done.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path, str]] = []
    for i, (p, kind, sha) in enumerate(todo):
        target = stage / f"d{i:06d}{SUFFIX[kind]}"
        try:
            shutil.copyfile(p, target)
        except OSError as exc:
            out[p] = f"无法读取文件（{type(exc).__name__}）"
            continue
        staged.append((p, target, sha))
    failed = _attempt(conv, [t for _p, t, _s in staged], done)
    left = []
    for p, t, sha in staged:  # what was produced before a timeout or a crash is still good
        produced = _produced(done, t)
        if produced is not None:
            out[p] = store.put(sha, produced)
        elif failed is not None:
            left.append((p, t, sha))
        else:
            out[p] = CANNOT_OPEN
    out.update(_one_by_one(left, done, store, conv.soffice, doc_timeout or min(timeout, DOC_TIMEOUT)))
    store.prune()
    return out


def _one_by_one(left: list[tuple[Path, Path, str]], done: Path, store: ConversionCache, soffice: Path,
                timeout: float) -> dict[Path, Path | str]:
    """Convert each document alone, with its own timeout (and its own fresh profile: ``_attempt``
    removes it after each run, so a killed run leaves nothing locked behind)."""
    out: dict[Path, Path | str] = {}
    conv = DocxConverter(soffice, timeout=timeout)
    for p, t, sha in left:
        failed = _attempt(conv, [t], done)
        produced = _produced(done, t)
        out[p] = store.put(sha, produced) if produced is not None else failed or CANNOT_OPEN
    return out


# --- the docx package ------------------------------------------------------------------------

class DocxRejected(Exception):
    """The package is not safe or not readable: ``reason`` (Chinese), ``code``."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def check_package(zf: zipfile.ZipFile, limits) -> None:
    """Bounds against ZIP and XML bombs, as for forms (inflated with a cap, ratio, DOCTYPE)."""
    infos = zf.infolist()
    if len(infos) > limits.zip_members:
        raise DocxRejected("E207", f"内含 {len(infos)} 个部件")
    if any(i.flag_bits & 0x1 for i in infos):
        raise DocxRejected("E236", "文档已加密")
    total = 0
    for info in infos:
        head, total = inflate_capped(zf, info, limits, total, DocxRejected, corrupt="E235")
        if info.filename.lower().endswith((".xml", ".rels")) and (b"<!DOCTYPE" in head or b"<!ENTITY" in head):
            raise DocxRejected("E208", f"{info.filename} 中的 DOCTYPE/ENTITY")


def docx_blocks(path: Path, limits) -> list[Block]:
    """The text of a .docx in reading order (see the module doc)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocxRejected("E235", "压缩包结构损坏") from exc
    with zf:
        check_package(zf, limits)
        try:
            root = _parse(zf.read(_main_part(zf)))
        except Exception as exc:  # noqa: BLE001 - a missing part, lxml errors of a damaged package
            raise DocxRejected("E235", f"Word 文档无法打开：{type(exc).__name__}") from exc
    body = root.find(_w("body"))
    return list(_blocks(body)) if body is not None else []


_OFFICE_DOCUMENT = "/officeDocument"


def _main_part(zf: zipfile.ZipFile) -> str:
    """The package's main document part, as its ``_rels/.rels`` names it (``word/document.xml``
    when the relationships cannot tell)."""
    try:
        rels = _parse(zf.read("_rels/.rels"))
    except Exception:  # noqa: BLE001 - no relationships part, or not XML
        return "word/document.xml"
    for rel in rels:
        if str(rel.get("Type", "")).endswith(_OFFICE_DOCUMENT) and rel.get("TargetMode") != "External":
            target = str(rel.get("Target", "")).lstrip("/")
            if target in zf.NameToInfo:
                return target
    return "word/document.xml"


_PARSER = None


def _parse(xml: bytes):
    """The lxml tree of ``xml``, by one parser configured as python-docx's own (blank text
    between elements dropped, entities never resolved) that also never reaches the network.
    Only the main part is parsed: python-docx's ``Document()`` would parse every part of the
    package (styles, numbering, theme, …) and leave object cycles behind that hold their trees
    until a full collection."""
    global _PARSER
    from lxml import etree

    if _PARSER is None:
        _PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    return etree.fromstring(xml, _PARSER)


def _blocks(parent) -> Iterator[Block]:
    for child in parent.iterchildren():
        tag = child.tag
        if tag == _w("p"):
            yield from _paragraph(child)
        elif tag == _w("tbl"):
            for tr in child.iterchildren(_w("tr")):
                cells = tuple(_cell_text(tc) for tc in tr.iterchildren(_w("tc")))
                if any(c.strip() for c in cells):
                    yield Block(cells=cells)
        elif tag == _w("sdt"):
            if _placeholder(child):
                continue
            content = child.find(_w("sdtContent"))
            if content is not None:
                yield from _blocks(content)
        elif tag == _w("customXml") or tag == _w("smartTag"):
            yield from _blocks(child)


def _placeholder(sdt) -> bool:
    pr = sdt.find(_w("sdtPr"))
    return pr is not None and pr.find(_w("showingPlcHdr")) is not None


def _skipped(el, stop) -> bool:
    """Inside a text box, a VML fallback copy or a placeholder content control (below ``stop``)."""
    node = el.getparent()
    while node is not None and node is not stop:
        tag = node.tag
        if tag == _w("txbxContent") or tag == f"{{{MC}}}Fallback":
            return True
        if tag == _w("sdt") and _placeholder(node):
            return True
        node = node.getparent()
    return False


def _run_text(p) -> str:
    parts: list[str] = []
    for el in p.iter(_w("t"), _w("tab"), _w("br"), _w("cr")):
        if _skipped(el, p):
            continue
        if el.tag == _w("t"):
            parts.append(el.text or "")
        elif el.tag == _w("tab"):
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _paragraph(p) -> Iterator[Block]:
    text = _run_text(p)
    if text.strip():
        yield Block(text)
    for box in p.iter(_w("txbxContent")):
        if _skipped(box, p):
            continue  # a text box inside a text box is walked with its parent; VML copies skipped
        yield from _blocks(box)


def _cell_text(tc) -> str:
    lines = []
    for p in tc.iter(_w("p")):
        if _skipped(p, tc):
            continue
        t = _run_text(p)
        if t.strip():
            lines.append(t)
    return "\n".join(lines)
