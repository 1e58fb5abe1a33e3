"""Readers for what an inbox holds besides forms and Word documents.

* ``PdfTextReader`` — a PDF with a text layer is read like a Word document (pypdf's text, line
  by line, through ``core.word_fields``); a PDF without one (a scan) is E240 需人工录入.
* ``UnusableReader`` — the fallback, asked last: text files, images, archives, anything else →
  E240 需人工录入 naming what the file is, so nothing in the inbox goes unmentioned.
"""

from __future__ import annotations

from macros.adapters.readers.base import Job, Probe, Read, ReadContext, Reader, register
from macros.adapters.readers.spreadsheet import rejected_read
from macros.adapters.readers.word import WordReader
from macros.core.word_fields import Block
from macros.problems import problem

IMAGES = ((b"\x89PNG", "图片（PNG）"), (b"\xff\xd8\xff", "图片（JPEG）"), (b"GIF8", "图片（GIF）"),
          (b"BM", "图片（BMP）"), (b"II*\x00", "图片（TIFF）"), (b"MM\x00*", "图片（TIFF）"))
ARCHIVES = ((b"Rar!", "RAR 压缩包"), (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"), (b"\x1f\x8b", "gzip 压缩包"))
MIN_TEXT = 20  # characters of text a PDF must hold to count as having a text layer


def what_is(probe: Probe) -> str:
    head = probe.head
    if not head:
        return "空文件"
    for magic, label in IMAGES + ARCHIVES:
        if head.startswith(magic):
            return label
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1") or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "图片"
    if head.startswith(b"%PDF"):
        return "扫描版 PDF（没有文字层）"
    if probe.is_zip:
        return "压缩包（请解压后把其中的文件放入收件箱）"
    if probe.is_ole:
        return "无法识别的 Office 文档"
    lower = head.lstrip().lower()
    if lower.startswith((b"<html", b"<!doctype html")):
        return "网页文件"
    for enc in ("utf-8", "gb18030", "utf-16"):
        try:
            text = head.decode(enc)
        except UnicodeDecodeError:
            continue
        if sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * max(len(text), 1):
            return "纯文本文件"
    return "无法识别格式的文件"


def _rejected(job: Job, ctx: ReadContext, kind: str, label: str) -> Read:
    return rejected_read(job, ctx, kind, problem("E240", file=job.path.name, kind=label))


class PdfTextReader(WordReader):
    kind = "pdf"
    label = "PDF 文档"
    priority = 30

    def recognise(self, probe: Probe) -> bool:
        return probe.head.startswith(b"%PDF")

    def prepare(self, jobs, ctx, timeout: float = 600.0) -> None:
        return None

    def read(self, job: Job, ctx: ReadContext) -> Read:
        out = self.start(job, ctx)
        if out.problems:
            return out
        text = _pdf_text(job.path)
        if len("".join(text.split())) < MIN_TEXT:
            return _rejected(job, ctx, self.kind, "扫描版 PDF（没有文字层）")
        out.meta = {"doc_kind": "pdf"}
        return self.finish(out, job, ctx, [Block(line) for line in text.splitlines() if line.strip()])


def _pdf_text(path) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if reader.is_encrypted:
            return ""
        return "\n".join((page.extract_text() or "") for page in reader.pages[:200])
    except Exception:  # noqa: BLE001 - a damaged PDF has no text kexie can use
        return ""


class UnusableReader(Reader):
    kind = "unusable"
    label = "需人工录入的文件"
    priority = 1000

    def recognise(self, probe: Probe) -> bool:
        return True

    def read(self, job: Job, ctx: ReadContext) -> Read:
        with open(job.path, "rb") as fh:
            head = fh.read(8192)
        return _rejected(job, ctx, self.kind, what_is(Probe(job.path, head, len(head))))


register(PdfTextReader())
register(UnusableReader())
