"""Judging one value of a column (cached per distinct value)."""

from __future__ import annotations

from typing import Any

from macros.core.normalize import coerce, name_key, parse_quantity, suggest
from macros.core.normalize.topics import HOW_ZH
from macros.core.validate.common import _ISO_DATE_RE, _PLAIN_NUMBER_RE, _SEP_RE, _TYPE_CODES, _TYPE_ZH, _num_text, shown
from macros.core.validate.context import ValidationContext, _display_text
from macros.schema import TABLES, TEXT_TYPES, VOCABULARIES, Column, VocabRef


# A verdict: (typed value or None, problem code or None, suggestion, extra message fields)
Verdict = tuple[Any, str | None, Any, dict[str, Any]]
_OK_NONE: Verdict = (None, None, None, {})


# Other ways offices write a vocabulary value; read as the value, suggested in its standard form.
_VOCAB_ALIASES: dict[str, dict[str, str]] = {
    "comparison": {
        ">=": "≥", "=>": "≥", "大于等于": "≥", "不少于": "≥", "不低于": "≥", "以上": "≥", "至少": "≥",
        "<=": "≤", "=<": "≤", "小于等于": "≤", "不超过": "≤", "不高于": "≤", "以下": "≤", "至多": "≤",
        "==": "=", "等于": "=",
    },
}


def _judge_vocab(col: Column, value: Any, ctx: ValidationContext) -> Verdict:
    vocab_key = col.vocab or ""
    keys = ctx.vocab_keys(vocab_key)
    choices = ctx.vocab(vocab_key)
    if col.type == "yesno":
        c = coerce("yesno", value)
        if c.ok:
            if c.changed:
                return c.value, "W102", c.value, {"kind": "是/否"}
            return c.value, None, None, {}
    k = name_key(value)
    canon = keys.get(k)
    if canon is None and vocab_key in _VOCAB_ALIASES:
        canon = _VOCAB_ALIASES[vocab_key].get(k)
    if canon is not None:
        if _display_text(value) != canon:
            return canon, "W102", canon, {"kind": "下拉选项"}
        return canon, None, None, {}
    candidates: tuple[str, ...] = ()
    if vocab_key == "topic":
        m = ctx.topic_index.match(value)
        if m.topic is not None:
            if m.how == "number":
                number = next(n for n, t in ctx.topic_by_code.items() if t == m.topic)
                return m.topic, "W103", m.topic, {"number": number}
            return m.topic, "W247", m.topic, {"how": HOW_ZH[m.how or "head"]}
        candidates = m.candidates
    sug = suggest(value, candidates or choices, limit=1)
    source = VOCABULARIES.get(vocab_key)
    if isinstance(source, VocabRef):
        sheet = TABLES[source.table].sheet
        listing = f"见“{sheet}”工作表" if choices else f"“{sheet}”工作表中还没有任何取值"
    else:
        listing = "、".join(choices)
    return None, "E107", sug[0] if sug else None, {"choices": listing}


def _judge_several(col: Column, value: Any, ctx: ValidationContext) -> Verdict | None:
    """A cell of a ``several`` column holding more than one value: each one must be readable
    (the value stays as typed); None when the cell holds one value (judged as usual)."""
    tokens = [x for x in _SEP_RE.split(str(shown(value)).strip()) if x]
    if len(tokens) < 2:
        return None
    for token in tokens:
        if not coerce(col.type, token, default_year=ctx.year).ok:
            return None, _TYPE_CODES.get(col.type, "E104"), None, {"kind": _TYPE_ZH.get(col.type, col.type)}
    return _display_text(value), None, None, {}


def _judge_typed(col: Column, value: Any, ctx: ValidationContext) -> Verdict:
    t = col.type
    if col.several and (found := _judge_several(col, value, ctx)) is not None:
        return found
    c = coerce(t, value, default_year=ctx.year)
    if not c.ok:
        return None, _TYPE_CODES.get(t, "E104"), None, {"kind": _TYPE_ZH.get(t, t)}
    if not c.changed:
        return c.value, None, None, {}
    # Readable, but written in a form Excel cannot sort or sum: suggest the standard form.
    if t in ("date", "datetime"):
        if isinstance(value, str) and _ISO_DATE_RE.fullmatch(value):
            return c.value, None, None, {}
        sug = c.value.isoformat() if t == "date" else c.value.strftime("%Y-%m-%d %H:%M")
        return c.value, "W102", sug, {"kind": "日期"}
    if t in ("int", "number"):
        if isinstance(value, str) and _PLAIN_NUMBER_RE.fullmatch(value):
            return c.value, None, None, {}
        return c.value, "W102", _num_text(c.value), {"kind": "数字"}
    if t == "quantity":
        if isinstance(value, str) and not _PLAIN_NUMBER_RE.fullmatch(value):
            _n, unit = parse_quantity(value)
            if not unit:
                return c.value, "W102", _num_text(c.value), {"kind": "数字"}
        return c.value, None, None, {}
    if t == "email":
        raw = str(value).strip()
        if c.value.lower() != raw.lower():
            return c.value, "W102", c.value, {"kind": "电子邮箱"}
        return c.value, None, None, {}
    return c.value, None, None, {}


def _judge(col: Column, value: Any, ctx: ValidationContext) -> Verdict:
    if col.multi:
        tokens = [t for t in _SEP_RE.split(str(shown(value))) if t]
        return tokens, None, None, {}
    if col.vocab:
        return _judge_vocab(col, value, ctx)
    if col.type in TEXT_TYPES:
        return _display_text(value), None, None, {}
    return _judge_typed(col, value, ctx)
