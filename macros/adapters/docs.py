"""Render Word templates (docxtpl/Jinja2) safely.

* Templates are rendered in a sandboxed Jinja2 environment with XML autoescaping, so
  ``<``, ``&`` and quotes in user text never corrupt a document; characters XML cannot
  hold (control characters, lone surrogates) are removed from every string first.
* Strict undefined: a template that names a variable its context lacks fails with a
  Chinese message naming the template and the variable.
* :func:`render_merged` renders one template for many contexts into ONE document
  (each part its own section, page numbers restarting at 1, a bookmark at the start of
  each part) so a single PDF conversion serves hundreds of letters; the bookmarks come
  out of LibreOffice as named destinations, which :func:`part_page_ranges` reads to
  split the PDF again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined
from jinja2.exceptions import TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from macros.errors import ConfigError

__all__ = [
    "TemplateRenderError",
    "make_env",
    "clean_text",
    "clean_context",
    "render_docx",
    "render_merged",
    "template_variables",
    "part_page_ranges",
    "PART_BOOKMARK_PREFIX",
    "Image",
    "Bookmark",
    "PageRef",
]

# Letters and digits only: LibreOffice hex-escapes other characters in destination names.
PART_BOOKMARK_PREFIX = "KexiePart"

class TemplateRenderError(ConfigError):
    """A template could not be rendered (bad tag, unknown variable); message in Chinese."""


# XML 1.0 allows #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """Make user text safe for WordprocessingML (before escaping).

    Control characters become nothing (vertical tab and form feed, which Excel and Word
    paste as soft breaks, become line breaks); CR/LF pairs become one line break.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    value = value.replace("\x07", "")  # docxtpl would turn BEL into a paragraph break
    return _XML_ILLEGAL.sub("", value)


def with_title_lines(context: dict[str, Any]) -> dict[str, Any]:
    """``title_lines`` defaults to ``title`` broken into whole-word lines (macros.core.title_lines)."""
    if "title" in context and "title_lines" not in context and isinstance(context["title"], str):
        from macros.core.title_lines import break_title

        context["title_lines"] = Lines(tuple(break_title(context["title"])))
    return context


def clean_context(value: Any) -> Any:
    """Recursively clean every string of a context (dicts, lists, tuples)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {k: clean_context(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_context(v) for v in value]
    return value


def make_env() -> ImmutableSandboxedEnvironment:
    """A sandboxed, XML-autoescaping, strict Jinja2 environment for docxtpl."""
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined,
                                        keep_trailing_newline=True)
    return env


def _render_error(template: Path, exc: Exception) -> TemplateRenderError:
    if isinstance(exc, UndefinedError):
        detail = str(exc).replace("'dict object' has no attribute", "对象缺少字段").replace(
            "is undefined", "未定义")
        return TemplateRenderError(
            f"模板 {template.name} 引用了不存在的变量（{detail}）。请对照 templates/README.md 修改模板。")
    return TemplateRenderError(f"模板 {template.name} 有语法错误，无法生成文档：{exc}")


def template_variables(template: Path | str) -> set[str]:
    """Top-level variable names a template uses (body, headers, footers)."""
    tpl = DocxTemplate(str(template))
    return set(tpl.get_undeclared_template_variables(make_env()))


# ----------------------------------------------------------------------------- context values
# Values a context may hold besides text, numbers, lists and dicts. Each renders itself as
# WordprocessingML when printed with {{ }} (autoescape calls __html__), closing and reopening
# the surrounding run, as docxtpl's InlineImage does.


@dataclass(frozen=True)
class Image:
    """A picture (PNG/JPEG file) printed inline, ``width_mm`` wide."""

    path: Path
    width_mm: float = 150.0


@dataclass(frozen=True)
class Bookmark:
    """A Word bookmark at this point (target of a :class:`PageRef`; exported to PDF)."""

    name: str
    id: int

    def __html__(self) -> str:
        return (
            '</w:t></w:r><w:bookmarkStart w:id="%d" w:name="%s"/><w:bookmarkEnd w:id="%d"/>'
            '<w:r><w:t xml:space="preserve">' % (self.id, self.name, self.id)
        )

    def __str__(self) -> str:
        return self.__html__()


@dataclass(frozen=True)
class Lines:
    """Text printed as several lines of one paragraph (line breaks, e.g. a title's 回行)."""

    lines: tuple[str, ...]

    def __html__(self) -> str:
        from xml.sax.saxutils import escape

        return '</w:t><w:br/><w:t xml:space="preserve">'.join(escape(clean_text(x)) for x in self.lines)

    def __str__(self) -> str:
        return "".join(self.lines)


@dataclass(frozen=True)
class PageRef:
    """The page number of a bookmark: a PAGEREF field, computed by Word/LibreOffice at layout."""

    name: str
    cached: str = ""

    def __html__(self) -> str:
        return (
            '</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> PAGEREF %s \\h </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>%s</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve">'
            % (self.name, self.cached)
        )

    def __str__(self) -> str:
        return self.__html__()


def _with_images(value: Any, tpl: DocxTemplate) -> Any:
    """Replace :class:`Image` values by docxtpl InlineImages bound to ``tpl``."""
    if isinstance(value, Image):
        return InlineImage(tpl, str(value.path), width=Mm(value.width_mm))
    if isinstance(value, Mapping):
        return {k: _with_images(v, tpl) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_images(v, tpl) for v in value]
    return value


def render_docx(template: Path | str, context: Mapping[str, Any], out_path: Path | str) -> Path:
    """Render ``template`` with ``context`` into ``out_path`` (parents created)."""
    template = Path(template)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tpl = DocxTemplate(str(template))
    try:
        tpl.render(_with_images(with_title_lines(clean_context(dict(context))), tpl), make_env(), autoescape=True)
    except (TemplateError, TypeError) as exc:
        raise _render_error(template, exc) from exc
    tpl.save(str(out))
    return out


# ----------------------------------------------------------------------------- merged documents


_SECT_AFTER_PGNUM = re.compile(
    r"<w:(cols|formProt|vAlign|noEndnote|titlePg|textDirection|bidi|rtlGutter|docGrid|"
    r"printerSettings|sectPrChange)\b"
)


def _restart_numbering(sect_pr: str) -> str:
    """Return ``sect_pr`` with page numbers restarting at 1 (pgNumType at its schema place)."""
    sect_pr = re.sub(r"<w:pgNumType\b[^>]*/>", "", sect_pr)
    sect_pr = re.sub(r"<w:pgNumType\b[^>]*>.*?</w:pgNumType>", "", sect_pr, flags=re.DOTALL)
    pgnum = '<w:pgNumType w:start="1"/>'
    m = _SECT_AFTER_PGNUM.search(sect_pr)
    if m:
        return sect_pr[: m.start()] + pgnum + sect_pr[m.start():]
    return sect_pr.replace("</w:sectPr>", pgnum + "</w:sectPr>")


class _MergedTemplate(DocxTemplate):
    """Render the template body once per part inside one Jinja loop.

    The body XML is wrapped into ``{% for __part in __parts %}``; at the top of each
    iteration every context key is bound from the part (``{% set k = __part['k'] %}``),
    so the template's own variable names work unchanged. Every part but the last ends
    with a section break (new page, page numbers restarting at 1) and every part starts
    with the bookmark ``KexiePart<n>``.
    """

    part_keys: list[str] = []

    def build_xml(self, context, jinja_env=None):  # docxtpl hook
        body_xml = self.patch_xml(self.get_xml())
        m = re.match(r"(<w:body[^>]*>)(.*)(<w:sectPr\b.*</w:sectPr>)(</w:body>)$", body_xml, re.DOTALL)
        if not m:
            raise TemplateRenderError("模板结构异常：找不到节属性（sectPr），无法合并生成文档。")
        open_tag, inner, sect_pr, close_tag = m.groups()
        sect_pr = _restart_numbering(sect_pr)
        marker = (
            '<w:bookmarkStart w:id="{{ 900000 + __n }}" w:name="' + PART_BOOKMARK_PREFIX
            + '{{ __n }}"/><w:bookmarkEnd w:id="{{ 900000 + __n }}"/>'
        )
        first_p = re.search(r"<w:p[ >]", inner)
        first_tag = inner.find("{%")
        if first_p and (first_tag < 0 or first_p.start() < first_tag):
            # Anchor inside the first (unconditional) paragraph, after its properties.
            p_open_end = inner.index(">", first_p.start()) + 1
            ppr = re.match(r"<w:pPr>.*?</w:pPr>", inner[p_open_end:], re.DOTALL)
            pos = p_open_end + (ppr.end() if ppr else 0)
            inner = inner[:pos] + marker + inner[pos:]
        else:
            # The template starts with a condition or loop: a tiny paragraph of its own.
            inner = (
                '<w:p><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="20" '
                'w:lineRule="exact"/></w:pPr>' + marker + "</w:p>" + inner
            )
        binds = "".join(
            "{% set " + k + " = __part[" + repr(k) + "] %}" for k in self.part_keys if k.isidentifier()
        )
        section_break = "{% if not loop.last %}<w:p><w:pPr>" + sect_pr + "</w:pPr></w:p>{% endif %}"
        wrapped = (
            open_tag
            + "{% for __part in __parts %}{% set __n = loop.index %}"
            + binds
            + inner
            + section_break
            + "{% endfor %}"
            + sect_pr
            + close_tag
        )
        return self.render_xml_part(wrapped, self.docx._part, context, jinja_env)


def render_merged(
    template: Path | str,
    contexts: Sequence[Mapping[str, Any]],
    out_path: Path | str,
    shared: Mapping[str, Any] | None = None,
) -> Path:
    """Render ``template`` once per context into ONE document at ``out_path``.

    ``shared`` holds the values common to every part (also used for headers and footers);
    each context adds or overrides keys for its part. Each part starts on a new page with
    page numbers restarting at 1 and carries the bookmark ``KexiePart<i>`` (1-based),
    which LibreOffice exports as a PDF named destination (see :func:`part_page_ranges`).
    """
    if not contexts:
        raise ValueError("render_merged needs at least one context")
    template = Path(template)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    base = with_title_lines(clean_context(dict(shared or {})))
    parts = [dict(base, **clean_context(dict(c))) for c in contexts]
    keys = sorted({k for p in parts for k in p})
    for p in parts:
        missing = [k for k in keys if k not in p]
        if missing:
            raise ValueError(f"every part needs the same keys; missing {missing}")
    tpl = _MergedTemplate(str(template))
    tpl.part_keys = keys
    context = dict(base)
    context["__parts"] = parts
    try:
        tpl.render(context, make_env(), autoescape=True)
    except (TemplateError, TypeError) as exc:
        raise _render_error(template, exc) from exc
    tpl.save(str(out))
    return out


# ----------------------------------------------------------------------------- PDF parts


def part_page_ranges(pdf_path: Path | str, n_parts: int) -> list[tuple[int, int]]:
    """Page ranges ``[start, stop)`` of each part of a merged document's PDF.

    Reads the named destinations ``KexiePart<i>`` that LibreOffice exports for the
    bookmarks of :func:`render_merged` (or the PDF bookmarks of that name Word makes).
    """
    from pypdf import PdfReader  # noqa: PLC0415

    reader = PdfReader(str(pdf_path))
    starts: dict[int, int] = {}

    def note(name: str, dest) -> None:
        name = str(name).lstrip("/")
        if not name.startswith(PART_BOOKMARK_PREFIX):
            return
        try:
            idx = int(name[len(PART_BOOKMARK_PREFIX):])
        except ValueError:
            return
        starts.setdefault(idx, reader.get_destination_page_number(dest))

    # LibreOffice exports bookmarks as named destinations; Word as outline entries.
    for name, dest in reader.named_destinations.items():
        note(name, dest)

    def walk(entries) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            else:
                note(entry.title, entry)

    if len(starts) < n_parts:
        walk(reader.outline)
    missing = [i for i in range(1, n_parts + 1) if i not in starts]
    if missing:
        raise TemplateRenderError(
            f"合并文档的 PDF 缺少分段标记（第 {missing[0]} 份起），无法拆分为单份文件。")
    ordered = [starts[i] for i in range(1, n_parts + 1)]
    total = len(reader.pages)
    ranges = []
    for i, start in enumerate(ordered):
        stop = ordered[i + 1] if i + 1 < n_parts else total
        if stop <= start:
            raise TemplateRenderError("合并文档的 PDF 分段顺序异常，无法拆分为单份文件。")
        ranges.append((start, stop))
    return ranges

