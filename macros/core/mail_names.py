"""Names in Chinese mail headers, decoded from the raw header text (pure).

Chinese mail names its attachments in every way the last thirty years produced, so names are
decoded here from the raw headers rather than trusted to one decoder:

* RFC 2047 encoded words (``=?GBK?B?…?=``, ``=?gb2312?Q?…?=``, ``=?GB18030?…``, ``=?UTF-8?…``),
  also inside quotes and when a mailer split one character across two words; GB2312 and GBK
  labels are decoded as GB18030 (their superset: mailers label GBK text "gb2312" all the time);
* RFC 2231 parameters (``filename*=GBK''%C4%E3…``, continuations ``filename*0*=``…);
* raw 8-bit bytes in the header (Foxmail, old Outlook): UTF-8 when valid UTF-8, else GB18030;
* ``Content-Type: name=`` when ``Content-Disposition`` names nothing.

:func:`clean_text` removes bidi controls and zero-width characters (which can make
``exe.docx`` look like ``xcod.exe``).
"""

from __future__ import annotations

import re
from typing import Iterable

from macros.problems import Problem, problem

#: Characters that change how a name looks without being seen: bidi embeddings/overrides
#: (U+202A–202E), isolates (U+2066–2069), zero-width space/joiners and marks (U+200B–200F),
#: the BOM / zero-width no-break space (U+FEFF).
INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]")
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
                    "euc-cn": "gb18030", "hz-gb-2312": "hz", "gb_2312-80": "gb18030", "x-euc-cn": "gb18030",
                    "unicode-1-1-utf-7": "utf-7", "utf8": "utf-8"}
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


# --- text helpers ---------------------------------------------------------------------------

def clean_text(text: str) -> tuple[str, bool]:
    """``text`` without bidi controls and zero-width characters; True when any was removed."""
    cleaned = INVISIBLE.sub("", text)
    return cleaned, cleaned != text


def charset_of(label: str | None) -> str:
    """The codec for a MIME charset label (GB2312/GBK → GB18030, unknown → GB18030)."""
    name = (label or "").strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        "".encode(name)
        b"".decode(name)
    except (LookupError, TypeError):
        return "gb18030"
    return name or "gb18030"


def decode_bytes(data: bytes, label: str | None = None) -> str:
    """Bytes of a header or name: the declared charset, else UTF-8 when valid, else GB18030."""
    if label:
        try:
            return data.decode(charset_of(label))
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _eight_bit(text: str) -> str:
    """Undo the surrogate escapes (or latin-1 reading) of raw 8-bit header bytes."""
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        return decode_bytes(text.encode("utf-8", errors="surrogateescape"))
    if any("\x80" <= ch <= "\xff" for ch in text) and all(ord(ch) < 256 for ch in text):
        return decode_bytes(text.encode("latin-1"))
    return text


def decode_words(text: str) -> str:
    """Decode every RFC 2047 encoded word of ``text`` (also inside quotes, also mid-word);
    adjacent encoded words are joined before decoding (mailers split multi-byte characters)."""
    text = _eight_bit(text)
    if "=?" not in text:
        return text
    out: list[str] = []
    pos = 0
    pending: list[tuple[str, bytes]] = []

    def flush() -> None:
        if pending:
            # join the bytes of consecutive words of the same charset, then decode
            groups: list[tuple[str, bytearray]] = []
            for cs, b in pending:
                if groups and groups[-1][0] == cs:
                    groups[-1][1].extend(b)
                else:
                    groups.append((cs, bytearray(b)))
            out.extend(decode_bytes(bytes(b), cs) for cs, b in groups)
            pending.clear()

    for m in _ENCODED_WORD.finditer(text):
        between = text[pos:m.start()]
        if between.strip() or not pending:
            flush()
            out.append(between)
        cs, enc, payload = m.group(1).split("*")[0], m.group(2).lower(), m.group(3)
        try:
            if enc == "b":
                data = _b64(payload)
            else:
                data = _qp(payload)
        except ValueError:
            flush()
            out.append(m.group(0))
        else:
            pending.append((cs.lower(), data))
        pos = m.end()
    flush()
    out.append(text[pos:])
    return "".join(out)


def _b64(payload: str) -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode(payload + "=" * (-len(payload) % 4))
    except binascii.Error as exc:
        raise ValueError(str(exc)) from exc


def _qp(payload: str) -> bytes:
    import quopri

    return quopri.decodestring(payload.replace("_", " ").encode("ascii", errors="replace"), header=False)


# --- header parameters ------------------------------------------------------------------------

_PARAM_RE = re.compile(r';\s*([A-Za-z0-9_.-]+)(\*(?:\d+\*?)?)?\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', re.DOTALL)


def _params(value: str) -> dict[str, str]:
    """The parameters of a raw Content-Type/Content-Disposition value, RFC 2231 joined."""
    value = re.sub(r"\r?\n[ \t]", " ", value)
    plain: dict[str, str] = {}
    parts: dict[str, list[tuple[int, bool, str]]] = {}
    for m in _PARAM_RE.finditer(";" + value.split(";", 1)[1] if ";" in value else ""):
        name, star, raw = m.group(1).lower(), m.group(2), m.group(3).strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        if not star:
            plain.setdefault(name, raw)
            continue
        digits = star.strip("*")
        parts.setdefault(name, []).append((int(digits) if digits else 0, star.endswith("*"), raw))
    for name, pieces in parts.items():
        pieces.sort()
        charset = None
        data = bytearray()
        for i, (_n, encoded, raw) in enumerate(pieces):
            if encoded:
                if i == 0 and raw.count("'") >= 2:
                    charset, _lang, raw = raw.split("'", 2)
                data.extend(_percent(raw))
            else:
                data.extend(raw.encode("utf-8", errors="surrogateescape"))
        plain[name + "*"] = decode_bytes(bytes(data), charset)
    return plain


def _percent(text: str) -> bytes:
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(text.encode("utf-8", errors="surrogateescape"))


def attachment_name(raw_headers: Iterable[tuple[str, str]]) -> str | None:
    """The file name of a MIME part from its raw headers (see the module doc), or None."""
    disposition = ctype = None
    for name, value in raw_headers:
        low = name.lower()
        if low == "content-disposition" and disposition is None:
            disposition = str(value)
        elif low == "content-type" and ctype is None:
            ctype = str(value)
    for header, key in ((disposition, "filename"), (ctype, "name")):
        if not header:
            continue
        params = _params(header)
        if params.get(key + "*"):
            return decode_words(params[key + "*"])
        if params.get(key):
            return decode_words(params[key]).strip()
    return None


def tidy_name(name: str) -> tuple[str, list[Problem]]:
    """A decoded attachment name without invisible characters and path parts (W503 when any
    invisible character was removed)."""
    cleaned, changed = clean_text(name)
    cleaned = re.sub(r"[\r\n\t]+", " ", cleaned)
    cleaned = cleaned.replace("\\", "/").rsplit("/", 1)[-1].strip()
    probs = [problem("W503", file=cleaned or name)] if changed else []
    return cleaned, probs
