"""Word submissions as text: the blocks of a document → the fields of its proposals (计策).

Pure: ``document_fields(blocks)`` takes the document's text in reading order — paragraphs,
table rows (one ``Block`` per row, its cells in ``cells``), text boxes and content controls
already flattened by the reader — and returns the proposals it holds.

* Fields by label (``LABELS``: synonyms, full-width or ASCII colon, labels padded with spaces
  such as "姓　　名："), in a paragraph ("献策人：张三　职务：主任" gives two fields), or in a
  label table (a cell holding the label, the next cell the value).
* The title: a 题目/标题 label, else an unlabelled heading "关于…的建议" (…意见/对策/设想);
  failing both, the first unlabelled line before the 正文 that reads as a title — short, no
  sentence punctuation, ending in 建议/对策/思考/设想… ("加快港口建设的对策建议").
* Several proposals: a separator line (计策一、 / 建议二： / 第三条建议 …), a second title, or
  a field given twice starts the next one. Fields written before the first separator
  (报送单位, a common 献策人 …) apply to every proposal that does not give its own.
* The rest of a proposal after its title is its 正文 (a 正文/内容 label may introduce it), as
  the lines were written; short lines before the title (the document's own heading) are not.

``Proposal.missing`` lists the required fields not found (FORM keys); the reader flags those rows
for review instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: label synonyms per field (FORM keys, plus ``unit`` for 报送单位), most specific first
LABELS: dict[str, tuple[str, ...]] = {
    "unit": ("报送单位", "推荐单位", "报送部门"),
    "title": ("建议题目", "计策题目", "金点子题目", "建议名称", "题目", "标题"),
    "author": ("献策人", "建议人", "提出人", "姓名"),
    "author_org": ("工作单位", "所在单位"),
    "author_post": ("职务职称", "职务", "职称"),
    "phone": ("联系电话", "手机号码", "手机", "电话", "联系方式"),
    "email": ("电子邮箱", "电子邮件", "邮箱", "e-mail", "email"),
    "topic": ("主题领域", "所属领域", "主题"),
    "body": ("建议内容", "具体建议", "主要内容", "正文", "内容"),
}
REQUIRED = ("title", "topic", "author", "author_org", "phone", "body")
FIELD_ZH = {"title": "题目", "topic": "主题领域", "author": "献策人", "author_org": "工作单位",
            "author_post": "职务", "phone": "联系电话", "email": "电子邮箱", "body": "正文", "unit": "报送单位"}

_SP = r"[\s\u3000]*"
_NUM = r"[一二三四五六七八九十百零〇\d]+"
_BY_LABEL = {re.sub(r"\s", "", label).casefold(): key for key, labels in LABELS.items() for label in labels}
_ALT = "|".join(_SP.join(re.escape(ch) for ch in label)
                for label in sorted(_BY_LABEL, key=len, reverse=True))
# a line starting with a label: "题  目：…", "姓　名:…", "【题目】…"
_LEAD = re.compile(rf"^{_SP}[【\[]?(?P<label>{_ALT}){_SP}[】\]]?{_SP}(?:[:：]|(?=[】\]])|$){_SP}(?P<rest>.*)$",
                   re.IGNORECASE | re.DOTALL)
# a further label inside a field line, after a space: "张三　职务：主任"
_INNER = re.compile(rf"(?:^|(?<=[\s\u3000;；,，]))(?P<label>{_ALT}){_SP}[:：]", re.IGNORECASE)
_SEPARATOR = re.compile(rf"^{_SP}(?:(?:计策|金点子|建议|对策){_SP}{_NUM}|第{_NUM}(?:条|项|个)(?:建议|计策|金点子)?)"
                        rf"{_SP}[、:：.．)）]?{_SP}(?P<rest>.*)$")
_HEADING = re.compile(r"^关于.{2,60}的(?:建议|意见|对策|设想|思考|建言|计策|提案)[\s\u3000]*$")
_PREAMBLE_MAX = 40  # lines before the title at most this long are the document's own heading
_TITLE_LIKE = re.compile(r"^(?=.{6,60}$)[^。！？；;!?：:]*(?:建议|意见|对策|设想|思考|建言|计策|提案|思路|构想|探讨|刍议|浅析)"
                         r"[\s\u3000]*$")


@dataclass(frozen=True)
class Block:
    """One piece of a document in reading order: a paragraph, or a table row (``cells``)."""

    text: str = ""
    cells: tuple[str, ...] = ()


@dataclass
class Proposal:
    number: int  # 1-based, in document order
    fields: dict[str, str] = field(default_factory=dict)  # FORM keys (and "unit") → text
    body_lines: list[str] = field(default_factory=list)
    title_from: str = ""  # "label" | "heading" | "separator" | ""
    preamble: list[str] = field(default_factory=list)  # unlabelled lines before the title

    @property
    def body(self) -> str | None:
        lines = list(self.body_lines)
        if self.fields.get("body"):
            lines.insert(0, self.fields["body"])
        if not self.fields.get("title") and not self.title_from:
            lines = self.preamble + lines
        else:
            lines = [p for p in self.preamble if len(p) > _PREAMBLE_MAX] + lines
        text = "\n".join(line for line in lines if line.strip())
        return text.strip() or None

    @property
    def missing(self) -> list[str]:
        return [k for k in REQUIRED if not (self.body if k == "body" else self.fields.get(k))]

    def record(self) -> dict[str, str | None]:
        """The proposal as a row by FORM keys (没有的为 None)."""
        out: dict[str, str | None] = {k: self.fields.get(k) or None for k in
                                      ("title", "topic", "author", "author_org", "author_post", "phone", "email")}
        out["body"] = self.body
        return out

    def empty(self) -> bool:
        return not self.fields.get("title") and not self.body


@dataclass
class DocumentFields:
    proposals: list[Proposal]
    unit: str | None  # the 报送单位 the document names, if any


def label_key(text: str) -> str | None:
    """The field a label names ("姓　　名" → "author"), else None."""
    return _BY_LABEL.get(re.sub(r"[\s\u3000:：【】\[\]]", "", text).casefold())


def split_fields(line: str) -> list[tuple[str, str]] | None:
    """(field, value) pairs of a line that starts with a label, else None."""
    m = _LEAD.match(line)
    if not m:
        return None
    first = label_key(m.group("label"))
    rest = m.group("rest")
    out: list[tuple[str, str]] = []
    key, start = first, 0
    if key != "body":  # 正文 runs to the end of the line, labels in it are text
        for inner in _INNER.finditer(rest):
            out.append((key, rest[start:inner.start()]))
            key, start = label_key(inner.group("label")), inner.end()
    out.append((key, rest[start:]))
    return [(k, v.strip(" \t\u3000;；,，")) for k, v in out if k]


class _Parser:
    def __init__(self) -> None:
        self.common: dict[str, str] = {}
        self.proposals: list[Proposal] = [Proposal(1)]
        self.separated = False  # a separator line was seen
        self.pending: str | None = None  # a label whose value is on the next line
        self.unit: str | None = None

    @property
    def cur(self) -> Proposal:
        return self.proposals[-1]

    def new(self) -> Proposal:
        cur = self.cur
        if not cur.fields.get("title") and not cur.fields.get("body") and not cur.body_lines:
            if not self.separated:  # fields given so far are the document's, for every proposal
                self.common.update({k: v for k, v in self.cur.fields.items() if k != "title"})
            self.cur.fields, self.cur.preamble, self.cur.title_from = {}, [], ""
        else:
            self.proposals.append(Proposal(len(self.proposals) + 1))
        self.pending = None
        return self.cur

    def set_field(self, key: str, value: str) -> None:
        if key == "unit":
            self.unit = self.unit or value or None
            if not value:
                self.pending = key
            return
        cur = self.cur
        if key == "body":
            if value:
                cur.body_lines.append(value)
            self.pending = None
            return
        if key == "title" and value and cur.title_from == "heading" and not cur.body_lines:
            cur.title_from = "label"  # the labelled title wins over the heading above it
        elif cur.fields.get(key) and value and (key == "title" or cur.fields.get("title")):
            cur = self.new()
        if value:
            cur.fields[key] = value
            if key == "title":
                cur.title_from = cur.title_from or "label"
            self.pending = None
        else:
            self.pending = key

    def line(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        sep = _SEPARATOR.match(text)
        if sep and (sep.group("rest") == "" or not _SEPARATOR.match(sep.group("rest"))):
            self.new()
            self.separated = True
            rest = sep.group("rest").strip()
            if rest:
                if not self._labelled(rest):
                    self.cur.fields["title"] = rest
                    self.cur.title_from = "separator"
            return
        if self._labelled(text):
            return
        if self.pending and self.pending != "body":
            key, self.pending = self.pending, None
            self.set_field(key, text)
            return
        if _HEADING.match(text):
            if self.cur.fields.get("title") and (self.cur.body_lines or self.cur.title_from != "label"):
                self.new()
            if not self.cur.fields.get("title"):
                self.cur.fields["title"] = text
                self.cur.title_from = "heading"
                return
        if self.cur.fields.get("title") or self.cur.fields.get("body") or self.cur.body_lines:
            self.cur.body_lines.append(text)
        else:
            self.cur.preamble.append(text)

    def _labelled(self, text: str) -> bool:
        pairs = split_fields(text)
        if pairs is None:
            return False
        for key, value in pairs:
            self.set_field(key, value)
        return True

    def row(self, cells: tuple[str, ...]) -> None:
        cells = tuple(c.strip() for c in cells)
        i = 0
        while i < len(cells):
            cell = cells[i]
            key = label_key(cell) if cell else None
            if key is not None:
                value = cells[i + 1] if i + 1 < len(cells) and label_key(cells[i + 1]) is None else ""
                if key == "body":
                    self.cur.body_lines.extend(p.strip() for p in value.splitlines() if p.strip())
                    self.pending = None if value else "body"
                else:
                    self.set_field(key, " ".join(value.split()))
                i += 2 if value else 1
                continue
            for part in cell.splitlines():
                self.line(part)
            i += 1

    def result(self) -> DocumentFields:
        for p in self.proposals:
            _title_from_preamble(p)
        props = [p for p in self.proposals if not p.empty()]
        for n, p in enumerate(props, start=1):
            p.number = n
            for k, v in self.common.items():
                p.fields.setdefault(k, v)
        return DocumentFields(props, self.unit)


def _title_from_preamble(p: Proposal) -> None:
    """A proposal with neither a labelled title nor a "关于…" heading: its first unlabelled line
    that reads as a title (``_TITLE_LIKE``) becomes the title; the lines after it are 正文, the
    short ones before it the document's own heading (as for any title)."""
    if p.fields.get("title") or p.title_from:
        return
    for i, line in enumerate(p.preamble):
        if _TITLE_LIKE.match(line):
            p.fields["title"], p.title_from = line.strip(), "heading"
            p.body_lines[:0] = p.preamble[i + 1:]
            del p.preamble[i:]
            return


def document_fields(blocks: list[Block]) -> DocumentFields:
    """The proposals of a document (see the module doc)."""
    parser = _Parser()
    for b in blocks:
        if b.cells:
            parser.row(b.cells)
        else:
            for part in b.text.splitlines() or [b.text]:
                parser.line(part)
    return parser.result()
