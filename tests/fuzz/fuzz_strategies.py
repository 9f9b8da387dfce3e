"""Hypothesis strategies for hostile input: text with the characters and runs that break parsers, XML prologs with
entity declarations and odd encodings, deep nesting, huge attributes, byte-level mutations of valid samples, and
zip archives with odd members. Sizes come from drawn counts (``"a" * n``), so that Hypothesis draws little data
for large inputs."""

from __future__ import annotations

import codecs
import io
import random
import re
import warnings
import zipfile
import zlib
from functools import cache
from xml.sax.saxutils import escape, quoteattr

from fuzz_support import SENTINEL
from hypothesis import strategies as st

MAX_DOC = 1_000_000  # characters of one generated document (real sources go to 50 MB; parsers are meant to be linear)


def capped(text: str, limit: int = MAX_DOC) -> str:
    return text[:limit]


# -- text ---------------------------------------------------------------------------------------------------------

NASTY = (
    "", " ", "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1c", "\x1f", "\x7f", "\x85", "\x9f", "\u00a0", "\u00ad",
    "\u200b", "\u200d", "\u2028", "\u2029", "\u202e", "\u2066", "\ufeff", "\ufffd", "\uffff", "\U0010ffff", "\r",
    "\r\n", "\n\n", "\n \n", "\t", "\v", "e\u0301", "\u0301", "\u1100\u1161", "\u2000", "\u3000", "🇸🇪",
    "👩\u200d👩\u200d👧", "ﷺ", "ǅ", "İ", "ß", "ﬁ", "Ⅻ", "٣", "𝟘", "&", "&amp;", "&lt;", "&#0;", "&#x110000;",
    "&#65;", "&#xD800;", "&nbsp;", "&bogus;", "<", ">", "]]>", "<![CDATA[", "-->", "<!--", "<?xml", "?>",
    "<!DOCTYPE", "<!ENTITY", "<script>alert(1)</script>", "<b>", "</b>", "<p>", "<br/>", "<img src=x onerror=y>",
    "javascript:alert(1)", "'", '"', "`", "\\", "%", "%s", "{0}", "${x}", "*", "(", ")", "()", "((", "))", "NOT",
    "AND", "OR", "NEAR", "NEAR(", "not", ":", "^", "-", "+", "—", "…", "http://127.0.0.1/", "file:///etc/passwd",
    f"file://{SENTINEL}", "../../etc/passwd", "/etc/passwd", "C:\\Windows", "\\\\host\\share", "Zürich's",
    "l'accueil", "qu’il", "city-card", "São Paulo", "Ghent (Gent)", "UNHCR", "(IOM)", "EU", "1 January 2024",
    "2019-2021", "05/03/2024", "https://example.org/a?b=c#d", "user@example.org", "www.example.org", "# ", "## ",
    "- ", "* ", "1. ", "> ", "| a | b |\n|---|---|", "```", "    ", "---", "...", "[a](b)", "![x](y)", "**", "_",
)
# units of long runs: letters (the backtracking cases of finding 3), words, markup, separators
RUN_UNITS = ("a", "é", "ab", "a ", "a.", "Ab ", "A", "AB ", "-", ".", "(", ")", "((", "*", "'", "@", "http://",
             "www.", "1", "12 ", "<b>", "</b>", "<p>", "&amp;", "\n", "\n\n", " ", "\t", "\u200b", "e\u0301",
             "🇸🇪", "City of ", "Council ", "(UNHCR) ", "March ", "2024 ", "- item\n", "# h\n", "| a ", "\r")


@cache
def long_runs(max_repeat: int = 20_000) -> st.SearchStrategy[str]:
    return st.builds(lambda unit, n: unit * n, st.sampled_from(RUN_UNITS), st.integers(1, max_repeat))


@cache
def hostile_text(max_parts: int = 12, max_repeat: int = 20_000) -> st.SearchStrategy[str]:
    """Random text (any code point but surrogates) mixed with nasty characters, markup and long runs."""
    part = st.one_of(st.text(max_size=40), st.sampled_from(NASTY), long_runs(max_repeat),
                     st.text(st.characters(codec="ascii"), max_size=40))
    return st.lists(part, max_size=max_parts).map("".join)


# -- encodings and bytes --------------------------------------------------------------------------------------------

TEXT_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "latin-1",
                  "cp1252", "iso8859-15", "koi8-r", "shift_jis", "gb18030", "cp037", "utf-7", "big5")
# what a declaration or an HTTP header may claim: real names, wrong names and names of codecs that are not text
CHARSETS = ("utf-8", "UTF-8", "utf8", "iso-8859-1", "latin1", "windows-1252", "utf-16", "utf-16le", "utf-32",
            "ucs-2", "us-ascii", "shift_jis", "euc-jp", "cp037", "utf-7", "bogus", "", "x-user-defined", "mbcs",
            "utf-8-sig", "utf_32_be", "a" * 300, "utf-8\x00", "../../etc/passwd")
NOT_CHARSETS = ("rot13", "rot_13", "base64", "hex", "zlib", "bz2", "uu", "quopri", "idna", "punycode", "undefined",
                "unicode_escape", "raw_unicode_escape")  # codecs Python has that are no character set
DECLARED = CHARSETS + NOT_CHARSETS
BOMS = (b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE,
        codecs.BOM_UTF8 * 2, codecs.BOM_UTF16_LE + codecs.BOM_UTF8)


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, "replace")


# the byte-order mark that tells the truth about an encoding ("" where the codec writes its own or there is none)
TRUE_BOMS = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
             "utf-32-le": codecs.BOM_UTF32_LE}


def encoded(text: st.SearchStrategy[str], lying_boms: bool = True) -> st.SearchStrategy[bytes]:
    """``text`` in one of many encodings, sometimes behind a byte-order mark that lies (with ``lying_boms``) or
    behind the one that tells the truth."""
    boms = st.sampled_from(BOMS) if lying_boms else st.just(None)
    return st.builds(lambda t, enc, bom, mark: (TRUE_BOMS.get(enc, b"") if bom is None and mark else bom or b"")
                     + encode(t, enc), text, st.sampled_from(TEXT_ENCODINGS), boms, st.booleans())


def _mutate(data: bytes, ops: list[tuple[int, int, int, bytes]]) -> bytes:
    buf = bytearray(data)
    for kind, pos, length, chunk in ops:
        if not buf:
            buf.extend(chunk)
            continue
        pos %= len(buf) + 1
        if kind == 0:  # truncate
            del buf[pos:]
        elif kind == 1:  # delete a range
            del buf[pos:pos + length]
        elif kind == 2:  # insert bytes
            buf[pos:pos] = chunk
        elif kind == 3:  # overwrite bytes
            buf[pos:pos + len(chunk)] = chunk
        elif kind == 4:  # flip one bit
            if pos < len(buf):
                buf[pos] ^= 1 << (length % 8)
        elif kind == 5:  # duplicate a range
            buf[pos:pos] = buf[pos:pos + length]
        elif kind == 6:  # repeat a range many times (grows nesting or a field)
            buf[pos:pos] = bytes(buf[pos:pos + min(length, 64)]) * (length % 2000)
    return bytes(buf)


_CHUNKS = st.one_of(st.binary(max_size=24), st.sampled_from([
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80", b"<", b"&", b"]]>", b"<!ENTITY a 'b'>",
    b"&a;", b"<x>", b"</x>", b"\"", b"'", b"%PDF-", b"%%EOF", b"PK\x03\x04", b"obj", b"endobj", b"stream",
    b"endstream", b"<<", b">>", b"[", b"]", b"(", b")", b"9999999999", b"-1", b"R", b"/Length 99999999",
    b"/Count 2147483647", b"/Kids [1 0 R]", b"/Filter /FlateDecode"]))


def mutated(sample: bytes, max_ops: int = 4) -> st.SearchStrategy[bytes]:
    """``sample`` with a few byte-level mutations: truncations, deletions, insertions, flips, repeats."""
    op = st.tuples(st.integers(0, 6), st.integers(0, len(sample)), st.integers(0, 4000), _CHUNKS)
    return st.lists(op, min_size=1, max_size=max_ops).map(lambda ops: _mutate(sample, ops))


def seeded_bytes(max_size: int = 200_000) -> st.SearchStrategy[bytes]:
    """Random bytes: drawn (small) or from a drawn seed (up to ``max_size``, cheap to draw)."""
    return st.one_of(st.binary(max_size=2000),
                     st.builds(lambda seed, n: random.Random(seed).randbytes(n), st.integers(0, 2**32),
                               st.integers(0, max_size)))


# -- XML ----------------------------------------------------------------------------------------------------------

_LOL = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
DOCTYPES = (
    "",
    "<!DOCTYPE {root}>",
    '<!DOCTYPE {root} PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
    '"http://my.netscape.com/publish/formats/rss-0.91.dtd">',
    '<!DOCTYPE {root} SYSTEM "http://127.0.0.1:9/x.dtd">',
    f'<!DOCTYPE {{root}} SYSTEM "file://{SENTINEL}">',
    '<!DOCTYPE {root} [<!ENTITY l0 "lol">' + _LOL + "]>",
    '<!DOCTYPE {root} [<!ENTITY big "' + "x" * 5000 + '">]>',
    '<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    f'<!DOCTYPE {{root}} [<!ENTITY xxe SYSTEM "file://{SENTINEL}">]>',
    f'<!DOCTYPE {{root}} [<!ENTITY % p SYSTEM "file://{SENTINEL}"> %p;]>',
    '<!DOCTYPE {root} [<!ELEMENT {root} ANY><!ATTLIST {root} a CDATA "default">]>',
    "<!DOCTYPE {root} [<!-- <!ENTITY in a comment> -->]>",
    '<!doctype {root} [<!entity x "y">]>',
    "<!DOCTYPE {root} [",
)
ENTITY_USES = ("&l9;", "&big;" * 50, "&xxe;", "&undefined;", "&amp;", "&#x1F600;", "&#0;", "&#x110000;")


@cache
def prolog(root: str, declared: tuple[str, ...] = DECLARED) -> st.SearchStrategy[str]:
    """An XML prolog: maybe a declaration (with any claimed encoding), comments, a processing instruction, and a
    DOCTYPE (plain, external, or declaring entities)."""
    decl = st.one_of(
        st.just(""), st.just('<?xml version="1.0"?>'),
        st.sampled_from(declared).map(lambda e: f'<?xml version="1.0" encoding="{e}"?>'),
        st.just('<?xml version="1.1" encoding="utf-8" standalone="yes"?>'), st.just("  \n<?xml version='1.0'?>"))
    extra = st.sampled_from(("", "<!-- c -->", '<?xml-stylesheet href="x.xsl"?>', "\n", "<!-- <!ENTITY -->"))
    doctype = st.sampled_from(DOCTYPES).map(lambda d: d.replace("{root}", root))
    plain = st.sampled_from(("", '<?xml version="1.0" encoding="utf-8"?>\n'))
    return plain | plain | st.builds(lambda a, b, c: a + b + c, decl, extra, doctype)


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (what a well-formed hostile document can still carry)."""
    return _NOT_XML.sub("", text)


_CHARREF = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")


def _char_ok(ref: re.Match) -> bool:
    value = int(ref.group(1)[1:], 16) if ref.group(1)[0] == "x" else int(ref.group(1))
    return value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF


def valid_charrefs(text: str) -> str:
    """``text`` with numeric character references beyond Unicode or to surrogates replaced by ``&#65;``."""
    return _CHARREF.sub(lambda m: m.group(0) if _char_ok(m) else "&#65;", text)


def deep(tag: str, n: int, inner: str = "x", close: bool = True) -> str:
    return f"<{tag}>" * n + inner + (f"</{tag}>" * n if close else "")


@cache
def xml_text(max_repeat: int = 5_000) -> st.SearchStrategy[str]:
    """Content of an XML text field: escaped hostile text, CDATA, raw (maybe malformed) text, markup that is
    escaped HTML, deep nesting, or entity references."""
    text = hostile_text(8, max_repeat)
    valid = text.map(xml_safe)
    return st.one_of(
        valid.map(escape),
        valid.map(escape),
        valid.map(lambda t: "<![CDATA[" + t.replace("]]>", "]]]]><![CDATA[>") + "]]>"),
        text,
        valid.map(lambda t: escape(f"<p>{t}</p><ul><li>{t}</li></ul>")),
        st.builds(deep, st.sampled_from(["b", "div", "x", "p"]), st.integers(1, 50_000), st.just("deep"),
                  st.booleans()),
        st.sampled_from(ENTITY_USES),
    )


@cache
def xml_attr(max_repeat: int = 200_000) -> st.SearchStrategy[str]:
    """An attribute value, quoted: hostile text, a huge value, or an unquoted/unbalanced one."""
    return st.one_of(
        hostile_text(6, 2000).map(xml_safe).map(quoteattr),
        hostile_text(6, 2000).map(xml_safe).map(quoteattr),
        st.builds(lambda unit, n: quoteattr(unit * n), st.sampled_from(("a", "é", "&", "<", " ", "x y")),
                  st.integers(1, max_repeat)),
        st.sampled_from(('"unterminated', "noquotes", '"a" b="c"', "'&#x0;'", '"&xxe;"',
                         f'"file://{SENTINEL}"', '"javascript:alert(1)"', '"../../../etc/passwd"')),
    )


def many_attrs(n: int) -> str:
    return " ".join(f'a{i}="{i}"' for i in range(n))


def encode_xml(text: st.SearchStrategy[str], lying_boms: bool = True) -> st.SearchStrategy[bytes]:
    """An XML document in an encoding of its own choosing (its declaration may say otherwise)."""
    return st.one_of(text.map(lambda t: t.encode("utf-8", "surrogatepass")), encoded(text, lying_boms))


# -- zip archives -------------------------------------------------------------------------------------------------

_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def build_zip(members: list[tuple[str, bytes, int]]) -> bytes:
    """A zip of ``(name, data, method)`` members (duplicate names and odd names kept as given)."""
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as z:
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": duplicates are what is wanted here
        for name, data, method in members:
            info = zipfile.ZipInfo(name or "x", date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            try:
                z.writestr(info, data)
            except (ValueError, RuntimeError):  # a name zipfile cannot write: skip that member
                continue
    return out.getvalue()


def patch_zip(data: bytes, what: str, value: int) -> bytes:
    """Rewrite header fields of every member of a zip: ``size`` (declared uncompressed size, both headers),
    ``method`` (compression method), ``flags`` (general purpose bits, e.g. encrypted) or ``count`` (members the
    end record declares)."""
    buf = bytearray(data)
    import struct

    def each(signature: bytes):
        pos = buf.find(signature)
        while pos >= 0:
            yield pos
            pos = buf.find(signature, pos + 4)

    for pos in each(b"PK\x03\x04"):
        if what == "size" and pos + 26 <= len(buf):
            struct.pack_into("<I", buf, pos + 22, value & 0xFFFFFFFF)
        elif what == "method" and pos + 10 <= len(buf):
            struct.pack_into("<H", buf, pos + 8, value & 0xFFFF)
        elif what == "flags" and pos + 8 <= len(buf):
            struct.pack_into("<H", buf, pos + 6, value & 0xFFFF)
    for pos in each(b"PK\x01\x02"):
        if what == "size" and pos + 28 <= len(buf):
            struct.pack_into("<I", buf, pos + 24, value & 0xFFFFFFFF)
        elif what == "method" and pos + 12 <= len(buf):
            struct.pack_into("<H", buf, pos + 10, value & 0xFFFF)
        elif what == "flags" and pos + 10 <= len(buf):
            struct.pack_into("<H", buf, pos + 8, value & 0xFFFF)
    if what == "count":
        for pos in each(b"PK\x05\x06"):
            if pos + 12 <= len(buf):
                struct.pack_into("<HH", buf, pos + 8, value & 0xFFFF, value & 0xFFFF)
    return bytes(buf)


_MB = 1 << 20


def deflate_bomb(megabytes: int) -> tuple[bytes, int, int]:
    """Raw deflate data that inflates to ``megabytes`` MiB of zero bytes, with their CRC-32 and Adler-32: one
    compressed MiB (flushed, so that every MiB compresses to the same bytes) repeated — cheap to build at any size."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(bytes(_MB)) + comp.flush(zlib.Z_FULL_FLUSH)
    crc, adler, zeros = 0, 1, bytes(_MB)
    for _ in range(megabytes):
        crc, adler = zlib.crc32(zeros, crc), zlib.adler32(zeros, adler)
    return block * megabytes + comp.flush(), crc, adler


def zlib_bomb(megabytes: int) -> bytes:
    """A zlib stream (PDF ``/FlateDecode``) that inflates to ``megabytes`` MiB."""
    raw, _, adler = deflate_bomb(megabytes)
    return b"\x78\xda" + raw + adler.to_bytes(4, "big")


def zip_with_bomb(name: str, megabytes: int, others: dict[str, bytes]) -> bytes:
    """A zip whose member ``name`` inflates to ``megabytes`` MiB (its headers honest) beside ``others``, written by
    hand (zipfile would deflate every byte)."""
    import struct

    entries = []
    for other, data in others.items():
        if other != name:
            comp = zlib.compressobj(6, zlib.DEFLATED, -15)
            entries.append((other, comp.compress(data) + comp.flush(), zlib.crc32(data), len(data)))
    raw, crc, _ = deflate_bomb(megabytes)
    entries.append((name, raw, crc, megabytes * _MB))
    out, central = bytearray(), bytearray()
    for entry_name, data, entry_crc, size in entries:
        encoded = entry_name.encode("utf-8")
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x5821, entry_crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, len(out)) + encoded
        out += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0x5821, entry_crc, len(data), size,
                           len(encoded), 0) + encoded + data
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return bytes(out + central + end)


ZIP_NAMES = ("../../etc/passwd", "/etc/passwd", "C:\\x.txt", "a/../../b", "sources/../project.qde", "x" * 300,
             "Sources/A.TXT", "dir/", "\u00e9t\u00e9.txt", "nul\x00name", "word/document.xml", "project.qde",
             "[Content_Types].xml", "sources/", "SOURCES/x.txt", "sources\\y.txt", "")


def zip_methods() -> st.SearchStrategy[int]:
    return st.sampled_from(_METHODS)
