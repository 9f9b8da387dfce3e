"""Hierarchical codebooks: load the YAML format and REFI-QDA ``.qdc``, export ``.qdc`` (Codebook.xsd 1.0).

A codebook is a tree of :class:`Code` records. Codes with children are categories; the leaves are what coders apply
(both may be codable in REFI-QDA, where ``isCodable`` says so). GUIDs are stable: a code read from YAML gets
``uuid5(CODE_NAMESPACE, code id)``, so re-exporting the same codebook always writes the same GUIDs, and a ``.qdc``
that went out and comes back maps onto the same ids when the original codebook is passed as ``reference``.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

import yaml
from defusedxml import ElementTree as SafeET

from migrahub import safeload
from migrahub.safeload import MAX_BYTES, InputError, check_xml_depth, read_limited

CODE_NAMESPACE = uuid.UUID("6f1d8c2e-5b7a-5e0c-9a51-4d3b2a1c0e77")
QDC_NS = "urn:QDA-XML:codebook:1.0"
_GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_COLOUR_RE = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
# Colour-blind-safe palette (Okabe-Ito + extras), one per top-level category, for codebooks that name no colour.
# Characters XML 1.0 cannot hold (a .qdc or project.qde holding one is not well-formed).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999", "#117733",
            "#882255", "#44AA99", "#AA4499")


CODEBOOK_MAX_BYTES = MAX_BYTES  # a codebook file (YAML or .qdc); real ones are a few KB


class CodebookError(ValueError):
    """Bad codebook input; the message names the file and the field."""


def _read(path: Path) -> bytes:
    try:
        return read_limited(path, CODEBOOK_MAX_BYTES)
    except InputError as exc:
        raise CodebookError(str(exc)) from None


def code_guid(code_id: str) -> str:
    """The stable GUID of a code id (uuid5 in MigraHub's namespace)."""
    return str(uuid.uuid5(CODE_NAMESPACE, code_id))


def normalize_guid(value: str) -> str | None:
    """A GUID in canonical form (lowercase, no braces), or None when it is not a GUID."""
    m = _GUID_RE.match(value.strip())
    return m.group(1).lower() if m else None


def normalize_colour(value: object) -> str | None:
    """``#RRGGBB`` from ``#RGB``, ``RRGGBB`` or ``#RRGGBBAA`` (alpha dropped); None when absent or unreadable.

    An integer of six decimal digits is the hex code YAML read as a number (``colour: 336699`` is ``#336699``);
    any other number, a boolean, a list or a mapping is unreadable."""
    if isinstance(value, int) and not isinstance(value, bool) and 100_000 <= value <= 999_999:
        value = str(value)
    if not value or not isinstance(value, str):
        return None
    m = _COLOUR_RE.match(value.strip())
    if not m:
        return None
    hexpart = m.group(1)
    if len(hexpart) == 3:
        hexpart = "".join(ch * 2 for ch in hexpart)
    return "#" + hexpart[:6].upper()


@dataclass(frozen=True)
class Code:
    """One code. ``parent`` is the id of the enclosing code (None at the top)."""

    id: str
    name: str
    description: str = ""
    colour: str | None = None
    parent: str | None = None
    codable: bool = True
    guid: str = ""

    def __post_init__(self) -> None:
        if not self.guid:
            object.__setattr__(self, "guid", code_guid(self.id))


@dataclass(frozen=True)
class Codebook:
    """A codebook: codes in depth-first order (parents before their children)."""

    name: str
    codes: tuple[Code, ...]
    version: str | None = None
    language: str | None = None
    origin: str | None = None
    _index: dict[str, Code] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.clear()
        for code in self.codes:
            self._index[code.id] = code

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._index

    def get(self, code_id: str) -> Code:
        try:
            return self._index[code_id]
        except KeyError:
            raise KeyError(f"no code {code_id!r} in codebook {self.name!r}") from None

    def children(self, code_id: str | None) -> tuple[Code, ...]:
        return tuple(c for c in self.codes if c.parent == code_id)

    def leaves(self) -> tuple[Code, ...]:
        """Codes without children: the ones a coder (or the auto-coder) applies."""
        parents = {c.parent for c in self.codes if c.parent}
        return tuple(c for c in self.codes if c.id not in parents)

    def path(self, code_id: str) -> tuple[Code, ...]:
        """The chain of codes from the root down to ``code_id``."""
        chain = []
        code: Code | None = self.get(code_id)
        while code is not None:
            chain.append(code)
            code = self._index.get(code.parent) if code.parent else None
        return tuple(reversed(chain))

    def by_guid(self) -> dict[str, Code]:
        return {c.guid: c for c in self.codes}


# ---------------------------------------------------------------------------------------------------------- YAML


def load_yaml(path: str | Path) -> Codebook:
    """Read the YAML codebook format (``name``, ``version``, ``language``, nested ``codes`` with ``id``, ``name``,
    ``description``, optional ``colour``/``color`` (``'#RRGGBB'``; an unquoted six-digit number such as ``336699``
    is read as that hex code), ``codable`` (true or false; default: leaves true, categories false) and
    ``children``). Names, ids and descriptions may not hold characters a ``.qdc`` (XML 1.0) cannot hold."""
    path = Path(path)
    return parse_yaml(_read(path), source=str(path))


def parse_yaml(data: bytes, source: str = "<yaml>") -> Codebook:
    """The YAML codebook format from bytes (size, depth and aliases bounded by :mod:`migrahub.safeload`); errors
    name ``source`` and the field."""
    try:
        parsed = safeload.load_yaml(data, source, max_bytes=CODEBOOK_MAX_BYTES)
    except InputError as exc:
        raise CodebookError(str(exc)) from None
    return codebook_from_mapping(parsed, source=source)


def codebook_from_mapping(data: Any, source: str = "<mapping>") -> Codebook:
    """Build a codebook from the parsed YAML structure, with errors that name ``source`` and the field."""
    if not isinstance(data, dict):
        raise CodebookError(f"{source}: top level must be a mapping with 'codes'")
    raw_codes = data.get("codes")
    if not isinstance(raw_codes, list) or not raw_codes:
        raise CodebookError(f"{source}: field 'codes' must be a non-empty list")
    out: list[Code] = []
    seen: set[str] = set()
    top_index = 0

    def walk(items: list, parent: str | None, where: str, colour: str | None) -> None:
        nonlocal top_index
        for i, item in enumerate(items):
            loc = f"{where}[{i}]"
            if not isinstance(item, dict):
                raise CodebookError(f"{source}: {loc} must be a mapping")
            cid = item.get("id")
            if not isinstance(cid, str) or not cid.strip():
                raise CodebookError(f"{source}: {loc}.id is missing or not a string")
            cid = cid.strip()
            _check_xml_chars(cid, f"{source}: {loc}.id {cid!r}")
            if cid in seen:
                raise CodebookError(f"{source}: {loc}.id {cid!r} is used twice")
            seen.add(cid)
            name = item.get("name", cid)
            if not isinstance(name, str) or not name.strip():
                raise CodebookError(f"{source}: {loc}.name (code {cid!r}) must be a non-empty string")
            _check_xml_chars(name, f"{source}: {loc}.name (code {cid!r})")
            desc = item.get("description", item.get("definition", "")) or ""
            if not isinstance(desc, str):
                raise CodebookError(f"{source}: {loc}.description (code {cid!r}) must be a string")
            _check_xml_chars(desc, f"{source}: {loc}.description (code {cid!r})")
            raw_colour = item.get("colour", item.get("color"))
            own = normalize_colour(raw_colour) if raw_colour is not None else None
            if raw_colour is not None and own is None:
                hint = "" if isinstance(raw_colour, str) else " (write it as a quoted string: colour: '#RRGGBB')"
                raise CodebookError(f"{source}: {loc}.colour (code {cid!r}) is not a #RRGGBB colour: "
                                    f"{raw_colour!r}{hint}")
            if parent is None and own is None:
                own = _PALETTE[top_index % len(_PALETTE)]
                top_index += 1
            code_colour = own or colour
            children = item.get("children") or []
            if not isinstance(children, list):
                raise CodebookError(f"{source}: {loc}.children (code {cid!r}) must be a list")
            codable = item.get("codable")
            if codable is None:
                codable = not children
            elif not isinstance(codable, bool):
                raise CodebookError(f"{source}: {loc}.codable (code {cid!r}) must be true or false, not {codable!r}")
            out.append(Code(cid, name.strip(), " ".join(desc.split()), code_colour, parent, codable))
            walk(children, cid, f"{loc}.children", code_colour)

    walk(raw_codes, None, "codes", None)
    return Codebook(
        name=str(data.get("name") or Path(source).stem),
        codes=tuple(out),
        version=None if data.get("version") is None else str(data.get("version")),
        language=data.get("language"),
    )


def _check_xml_chars(value: str, what: str) -> None:
    """Refuse a character XML 1.0 cannot hold: the codebook must export as a well-formed .qdc."""
    m = _NOT_XML.search(value)
    if m:
        raise CodebookError(f"{what} holds the character {m.group()!r} (U+{ord(m.group()):04X}), which a .qdc "
                            f"cannot hold; remove it")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (export of codebooks built elsewhere than from YAML)."""
    return _NOT_XML.sub("", value)


def dump_yaml(codebook: Codebook) -> str:
    """The codebook in the YAML format :func:`load_yaml` reads (``codable`` written where it is not the default:
    leaves codable, categories not)."""

    def node(code: Code) -> dict:
        d: dict[str, Any] = {"id": code.id, "name": code.name}
        if code.description:
            d["description"] = code.description
        if code.colour:
            d["colour"] = code.colour
        kids = codebook.children(code.id)
        if code.codable != (not kids):
            d["codable"] = code.codable
        if kids:
            d["children"] = [node(k) for k in kids]
        return d

    doc: dict[str, Any] = {"name": codebook.name}
    if codebook.version is not None:
        doc["version"] = codebook.version
    if codebook.language:
        doc["language"] = codebook.language
    doc["codes"] = [node(c) for c in codebook.children(None)]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)


# ---------------------------------------------------------------------------------------------------------- QDC


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def codes_from_qdc_element(codes_el: Any, source: str, warnings: list[str],
                           reference: Codebook | None = None) -> tuple[Code, ...]:
    """Read the ``<Code>`` tree under a ``<Codes>`` element (shared by .qdc and project.qde import).

    Accepted variants, each reported in ``warnings``: GUIDs that are not GUIDs (replaced by a derived one), braces
    around GUIDs, colours with alpha or without ``#``, missing ``isCodable`` (taken as true), missing names.
    """
    ref = reference.by_guid() if reference else {}
    out: list[Code] = []
    seen: set[str] = set()

    def walk(el: Any, parent: str | None, where: str) -> None:
        for i, child in enumerate(c for c in el if _local(c.tag) == "Code"):
            loc = f"{where}/Code[{i + 1}]"
            raw_guid = (child.get("guid") or "").strip()
            name = (child.get("name") or "").strip()
            guid = normalize_guid(raw_guid)
            if guid is None:
                basis = raw_guid or f"{parent}/{name}/{i}"
                guid = str(uuid.uuid5(CODE_NAMESPACE, f"foreign:{source}:{basis}"))
                warnings.append(f"{source}: {loc} guid {raw_guid!r} is not a GUID; using derived {guid}")
            if guid in seen:
                warnings.append(f"{source}: {loc} guid {guid} repeated; second occurrence discarded")
                continue
            seen.add(guid)
            if not name:
                name = guid
                warnings.append(f"{source}: {loc} has no name; using its GUID")
            raw_colour = child.get("color")
            colour = normalize_colour(raw_colour)
            if raw_colour and (colour is None or not re.fullmatch(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}", raw_colour)):
                warnings.append(f"{source}: {loc} color {raw_colour!r} " +
                                (f"read as {colour}" if colour else "discarded (not a colour)"))
            codable_raw = child.get("isCodable")
            if codable_raw is None:
                warnings.append(f"{source}: {loc} has no isCodable; taken as true")
            codable = (codable_raw or "true").strip().lower() in ("true", "1")
            desc_el = next((d for d in child if _local(d.tag) == "Description"), None)
            desc = " ".join((desc_el.text or "").split()) if desc_el is not None else ""
            known = ref.get(guid)
            cid = known.id if known else guid
            out.append(Code(cid, name, desc, colour, parent, codable, guid))
            walk(child, cid, loc)

    walk(codes_el, None, "Codes")
    return tuple(out)


def load_qdc(path: str | Path, reference: Codebook | None = None,
             warnings: list[str] | None = None) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``). Codes keep their GUIDs; their id is the canonical GUID, or the id of the
    code with the same GUID in ``reference`` (so an exported MigraHub codebook comes back with its ids).
    Deviations that were accepted or discarded are appended to ``warnings`` when given."""
    path = Path(path)
    return parse_qdc(_read(path), source=str(path), reference=reference, warnings=warnings)


def parse_qdc(data: bytes, source: str = "<qdc>", reference: Codebook | None = None,
              warnings: list[str] | None = None) -> Codebook:
    warns = warnings if warnings is not None else []
    if len(data) > CODEBOOK_MAX_BYTES:
        raise CodebookError(f"{source}: larger than the limit of {CODEBOOK_MAX_BYTES:,} bytes")
    try:
        root = SafeET.fromstring(data)
        check_xml_depth(root, source)
    except SafeET.ParseError as exc:
        raise CodebookError(f"{source}: not well-formed XML: {exc}") from None
    except InputError as exc:
        raise CodebookError(str(exc)) from None
    except Exception as exc:  # defusedxml refuses entities, DTDs with external refs, ...
        raise CodebookError(f"{source}: refused XML: {exc}") from None
    if _local(root.tag) != "CodeBook":
        raise CodebookError(f"{source}: root element is <{_local(root.tag)}>, expected <CodeBook>")
    if not root.tag.startswith("{" + QDC_NS):
        warns.append(f"{source}: root element is not in namespace {QDC_NS}; read anyway")
    codes_el = next((c for c in root if _local(c.tag) == "Codes"), None)
    if codes_el is None:
        raise CodebookError(f"{source}: <CodeBook> has no <Codes> element")
    codes = codes_from_qdc_element(codes_el, source, warns, reference)
    if not codes:
        raise CodebookError(f"{source}: <Codes> holds no <Code>")
    sets = next((c for c in root if _local(c.tag) == "Sets"), None)
    if sets is not None and len(sets):
        warns.append(f"{source}: {len(sets)} code set(s) in <Sets> not imported (MigraHub has no code sets)")
    return Codebook(name=root.get("origin") or path_stem(source), codes=codes, origin=root.get("origin"))


def path_stem(source: str) -> str:
    return Path(source).stem or source


def code_elements(parent: Element, codebook: Codebook, ns: str, parent_id: str | None = None) -> None:
    """Append the ``<Code>`` tree of ``codebook`` to ``parent`` (shared by .qdc and project.qde export)."""
    for code in codebook.children(parent_id):
        attrs = {"guid": code.guid, "name": xml_text(code.name), "isCodable": "true" if code.codable else "false"}
        if code.colour:
            attrs["color"] = code.colour
        el = SubElement(parent, f"{{{ns}}}Code", attrs)
        if code.description:
            SubElement(el, f"{{{ns}}}Description").text = xml_text(code.description)
        code_elements(el, codebook, ns, code.id)


def to_qdc(codebook: Codebook, origin: str = "MigraHub") -> bytes:
    """The codebook as a ``.qdc`` document (UTF-8), valid against Codebook.xsd 1.0."""
    root = Element(f"{{{QDC_NS}}}CodeBook", {"origin": origin})
    codes = SubElement(root, f"{{{QDC_NS}}}Codes")
    code_elements(codes, codebook, QDC_NS)
    return _serialize(root, QDC_NS)


def _serialize(root: Element, ns: str) -> bytes:
    import xml.etree.ElementTree as ET

    ET.register_namespace("", ns)
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def save_qdc(codebook: Codebook, path: str | Path, origin: str = "MigraHub") -> Path:
    path = Path(path)
    path.write_bytes(to_qdc(codebook, origin))
    return path


def load_codebook(path: str | Path, reference: Codebook | None = None,
                  warnings: list[str] | None = None) -> Codebook:
    """Load a codebook by extension: ``.yaml``/``.yml`` or ``.qdc``."""
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return load_yaml(path)
    if suffix == ".qdc":
        return load_qdc(path, reference=reference, warnings=warnings)
    raise CodebookError(f"{path}: unknown codebook format {suffix!r} (expected .yaml, .yml or .qdc)")


def parse_codebook(data: bytes, filename: str, reference: Codebook | None = None,
                   warnings: list[str] | None = None) -> Codebook:
    """A codebook from the bytes of a file called ``filename`` (an upload), by its extension like
    :func:`load_codebook`; errors name ``filename``."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return parse_yaml(data, source=filename)
    if suffix == ".qdc":
        return parse_qdc(data, source=filename, reference=reference, warnings=warnings)
    raise CodebookError(f"{filename}: unknown codebook format {suffix!r} (expected .yaml, .yml or .qdc)")


def digest(codebook: Codebook) -> str:
    """A short content hash of the codebook (ids, names, descriptions, parents), to record which version coded."""
    h = hashlib.sha256()
    for c in codebook.codes:
        h.update("\x1f".join((c.id, c.name, c.description, c.parent or "")).encode() + b"\x1e")
    return h.hexdigest()[:16]


def with_codes(codebook: Codebook, codes: Iterable[Code]) -> Codebook:
    return replace(codebook, codes=tuple(codes), _index={})
