"""Refuse dangerous XML before any parser with entity support sees it (billion laughs, XXE)."""

from __future__ import annotations

import re

from migrahub.sources.errors import SourceError

ENTITY_REASON = ("{what} declares XML entities (possible entity-expansion or external-entity attack); refused")
_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(r"<[A-Za-z_]")
_XML_DECL = re.compile(r"\s*<\?xml(?=[\s?])[^>]*\?>")
_UTF8_DECL = '<?xml version="1.0" encoding="utf-8"?>'


def utf8_xml(text: str) -> bytes:
    """``text`` as UTF-8 bytes that open with an XML declaration saying UTF-8, in place of the text's own.

    The declaration always comes first, so a parser never guesses the encoding from the bytes (text that was wide
    but read as UTF-8 looks like UTF-16 to expat) nor reads a codec named further on (behind a second byte-order
    mark): what follows is then only malformed XML.
    """
    text = text.lstrip("\ufeff")
    if m := _XML_DECL.match(text):
        text = text[m.end():]
    return (_UTF8_DECL + text).encode("utf-8", "replace")


def prolog(text: str) -> str:
    """Everything before the root element: where a DOCTYPE and its entity declarations can be."""
    m = _FIRST_ELEMENT.search(text)
    return text[: m.start()] if m else text


def guard(text: str, what: str = "feed"):
    """Parse ``text`` with defusedxml (a plain DOCTYPE allowed; entity declarations and external references not).

    Returns the parsed root element, or ``None`` when the XML is malformed (the caller decides whether a lenient
    parser may still try). Raises :class:`SourceError` when the document declares entities.
    """
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    if _ENTITY_DECL.search(prolog(text)):
        raise SourceError(ENTITY_REASON.format(what=what))
    try:
        return SafeET.fromstring(utf8_xml(text), forbid_dtd=False, forbid_entities=True,
                                 forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError(ENTITY_REASON.format(what=what)) from exc
    except (ParseError, LookupError, ValueError):  # expat's encoding errors too: malformed for the caller
        return None
