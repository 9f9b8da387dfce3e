"""Bytes to text for text-like sources: BOM, declared charset, UTF-8, then charset-normalizer."""

from __future__ import annotations

import codecs
import re

from migrahub.sources.errors import SourceError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# bytes 0-31 except TAB, LF, FF, CR, ESC (\x1b appears in some legacy text), plus DEL
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"


def bom_encoding(data: bytes) -> tuple[str | None, int]:
    """The encoding named by a byte-order mark and the mark's length, or ``(None, 0)``."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None, 0


def declared_encoding(data: bytes, markup: bool) -> str | None:
    """The charset declared in an XML declaration or (for markup) an HTML ``<meta>``, if any."""
    head = data[:4096]
    m = _XML_DECL.match(head)
    if m:
        return m.group(1).decode("ascii").lower()
    if markup:
        m = _META_CHARSET.search(head)
        if m:
            return m.group(1).decode("ascii").lower()
    return None


def looks_binary(data: bytes) -> bool:
    """True for NUL bytes or more than 5 % control characters in the first 8 KB (text has neither)."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls > 0.05 * len(head)


# Python codecs that decode bytes to text but are no character set a document could be written in
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"})
_SURROGATE = re.compile("[\ud800-\udfff]")


def _codec(name: str | None) -> str | None:
    """The codec a declared charset names, or ``None`` when Python has none or it is no character set (``hex``,
    ``base64``, ``rot13``, ``unicode_escape``... can be declared by anyone)."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name).name
        b"\x00".decode(codec)  # raises LookupError for codecs that are not text encodings
    except (LookupError, UnicodeError, ValueError):
        return None
    return None if codec in _NOT_CHARSETS else codec


def _try(data: bytes, codec: str) -> str | None:
    """``data`` decoded with ``codec``, or ``None`` when it cannot be (or gives lone surrogates, as UTF-7 can)."""
    try:
        text = data.decode(codec)
    except (UnicodeError, LookupError):
        return None
    if codec != "utf-8" and _SURROGATE.search(text):
        return None
    return text


def decode(data: bytes, declared: str | None = None, *, markup: bool = False, what: str = "text") -> str:
    """Decode ``data`` to ``str``; the BOM wins, then ``declared`` (e.g. an HTTP charset), then the document's own
    declaration, then strict UTF-8, then UTF-8 with a few broken sequences replaced (:func:`_mostly_utf8`), then
    charset-normalizer's best guess.

    A declared single-byte charset loses to UTF-8 when the bytes are valid UTF-8 with non-ASCII characters (a
    mislabelled UTF-8 document), and a declared charset that cannot decode the bytes is ignored.
    """
    name, skip = bom_encoding(data)
    if name and (text := _try(data[skip:], name)) is not None:
        return text
    # (a lying BOM: fall through to the other clues)
    clues = [c for c in (_codec(declared), _codec(declared_encoding(data, markup))) if c]
    for codec in clues:
        # wide encodings without a BOM: only the declaration knows
        if codec.startswith(("utf-16", "utf-32")) and (text := _try(data, codec)) is not None:
            return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if (text := _mostly_utf8(data, declared_utf8=any(c.startswith("utf-8") for c in clues))) is not None:
        return text
    for codec in clues:
        if not codec.startswith(("utf-8", "utf-16", "utf-32")) and (text := _try(data, codec)) is not None:
            return text
    return _guess(data, what)


def _mostly_utf8(data: bytes, *, declared_utf8: bool) -> str | None:
    """UTF-8 with the few broken sequences replaced (U+FFFD), when the bytes are UTF-8 but for a stray byte or a cut
    character: its multi-byte characters outnumber the broken sequences (ten to one when UTF-8 is not declared).
    Reading such a page with a single-byte guess would garble every accented letter to keep one broken byte."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(1 for ch in text if ord(ch) > 127) - text.count("\ufffd")
    return text if good > 0 and good >= (1 if declared_utf8 else 10) * broken else None


_WESTERN = ("cp1252", "iso8859_15", "latin_1", "iso8859_1")


# what windows-1252 text of a Western language contains beyond ASCII: Latin-1 letters and typographic punctuation
_WESTERN_MARKS = frozenset("’‘“”„–—…€«»·°ºª§¿¡ ×")
# Latin-1 letters that are rare in Western text but what Turkish letters (ş ı ğ İ Ş Ğ) become in windows-1252
_NOT_WESTERN = frozenset("þýðÞÝÐ")


def _western(data: bytes) -> str | None:
    """``data`` as windows-1252 when every character beyond ASCII it gives is a Latin-1 letter or common typographic
    punctuation, and accented letters are a minority (French, Spanish, German, Portuguese... in a legacy code page, as
    browsers assume for an undeclared Western page); other code pages are left to the guess."""
    text = _try(data, "cp1252")
    if text is None:
        return None
    beyond = [ch for ch in text if ord(ch) > 127]
    western = sum(1 for ch in beyond if (ch.isalpha() and "\u00c0" <= ch <= "\u00ff" and ch not in _NOT_WESTERN)
                  or ch in _WESTERN_MARKS)
    letters = sum(1 for ch in text if ch.isalpha())
    accented = sum(1 for ch in beyond if ch.isalpha())
    # accented letters are a few in a hundred in Western languages, most letters in a Cyrillic or Greek page
    return text if beyond and western >= 0.95 * len(beyond) and accented <= 0.25 * letters else None


def _guess(data: bytes, what: str) -> str:
    from charset_normalizer import from_bytes

    if (text := _western(data)) is not None:
        return text

    matches = list(from_bytes(data[:200_000]))
    if matches:
        # charset-normalizer often ranks a Baltic or Central European code page first for Western text that
        # windows-1252 decodes just as cleanly; like browsers, prefer windows-1252 among the equally clean guesses.
        least = min(m.chaos for m in matches)
        clean = [m for m in matches if m.chaos <= least + 0.02]
        western = [m for m in clean if m.encoding in _WESTERN]
        for match in western or clean:
            if (codec := _codec(match.encoding)) and (text := _try(data, codec)) is not None:
                return text
    if (text := _try(data, "cp1252")) is not None:
        return text
    raise SourceError(f"cannot decode the {what}: not UTF-8 and no usable character encoding found")
