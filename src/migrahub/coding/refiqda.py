"""REFI-QDA project interchange (``.qdpx`` = zip of ``project.qde`` + ``sources/``), from and to plain records.

Export writes the conservative form (REFI-QDA 1.5, Project.xsd 1.0): ``project.qde`` at the zip root, lowercase
``sources/`` with ``<GUID>.txt`` files in UTF-8 without BOM, ``plainTextPath="internal://<GUID>.txt"``, every text
source named, codings with creating user and time, text selections as 0-based code-point ``startPosition`` /
exclusive ``endPosition``, memos as ``<Note>`` (referenced from what they annotate), document metadata as
``<Variables>`` + ``<VariableValue>``.

Import accepts what real tools write and lists in ``warnings`` everything it changed or discarded (spec §7):
any ``*.qde`` name (``Trial.qde``), ``Sources/`` in any case, BOM at the start of sources, ``plainTextPath`` without
``internal://``, text sources without ``name``, non-GUID ids, colours with alpha, selections out of range, codings
pointing at unknown codes, non-text sources (picture/PDF/audio/video), cases, sets, links and graphs.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from defusedxml import ElementTree as SafeET

from migrahub.safeload import InputError, check_xml_depth
from migrahub.sources.archive import ArchiveError, ArchiveLimits, LimitedZip, NotAZip

from .codebook import (
    CODE_NAMESPACE,
    Codebook,
    CodebookError,
    _local,
    _serialize,
    code_elements,
    codes_from_qdc_element,
    normalize_guid,
)

PROJECT_NS = "urn:QDA-XML:project:1.0"
_NS = f"{{{PROJECT_NS}}}"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RefiQdaError(ValueError):
    """A REFI-QDA file that cannot be read at all; the message names the file and the element."""


def derived_guid(*parts: object) -> str:
    """A stable GUID for a derived object (selection, coding, note, variable) from its identifying parts."""
    return str(uuid.uuid5(CODE_NAMESPACE, "\x1f".join(str(p) for p in parts)))


@dataclass(frozen=True)
class User:
    guid: str
    name: str
    id: str | None = None


@dataclass(frozen=True)
class Source:
    """A plain-text document. ``variables`` is document metadata (name -> str/int/float/bool/date)."""

    guid: str
    name: str
    text: str
    created_by: str | None = None  # user GUID
    created_at: str | None = None  # ISO 8601 date-time
    description: str = ""
    variables: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Coding:
    """Code ``code`` (a code id of the project's codebook) applied to ``text[start:end]`` of source ``source``."""

    source: str  # source GUID
    start: int
    end: int
    code: str
    created_by: str | None = None
    created_at: str | None = None
    guid: str = ""
    selection: str = ""  # GUID of the PlainTextSelection it belongs to (codings on one span share one)

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"coding {self.code!r} on {self.source}: bad span {self.start}..{self.end}")
        if not self.selection:
            object.__setattr__(self, "selection", derived_guid("selection", self.source, self.start, self.end))
        if not self.guid:
            object.__setattr__(self, "guid", derived_guid("coding", self.selection, self.code, self.created_by))


@dataclass(frozen=True)
class Note:
    """A memo. ``target`` is the GUID of what it annotates (a source, a code, or None for the project); ``span``
    (source GUID, start, end) attaches it to a text selection instead."""

    guid: str
    text: str
    name: str = ""
    created_by: str | None = None
    created_at: str | None = None
    target: str | None = None
    span: tuple[str, int, int] | None = None


@dataclass(frozen=True)
class Project:
    name: str
    codebook: Codebook
    sources: tuple[Source, ...] = ()
    codings: tuple[Coding, ...] = ()
    users: tuple[User, ...] = ()
    notes: tuple[Note, ...] = ()
    origin: str = "MigraHub"
    created_by: str | None = None
    created_at: str | None = None


@dataclass
class ImportResult:
    project: Project
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------- export


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _xsd_datetime(value: str | None, fallback: str) -> str:
    """An xsd:dateTime: dates get T00:00:00Z, naive date-times get Z."""
    if not value:
        return fallback
    v = value.strip()
    if _DATE_RE.match(v):
        return v + "T00:00:00Z"
    try:
        parsed = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return fallback
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _var_type(value: Any) -> tuple[str, str, str]:
    """(typeOfVariable, value element, text) for a metadata value."""
    if isinstance(value, bool):
        return "Boolean", "BooleanValue", "true" if value else "false"
    if isinstance(value, int):
        return "Integer", "IntegerValue", str(value)
    if isinstance(value, float):
        return "Float", "FloatValue", repr(value)
    if isinstance(value, dt.datetime):
        return "DateTime", "DateTimeValue", _xsd_datetime(value.isoformat(), "")
    if isinstance(value, dt.date):
        return "Date", "DateValue", value.isoformat()
    return "Text", "TextValue", str(value)


def _check_project(project: Project) -> None:
    guids = {s.guid for s in project.sources}
    users = {u.guid for u in project.users}
    for s in project.sources:
        if normalize_guid(s.guid) is None:
            raise RefiQdaError(f"source {s.name!r}: guid {s.guid!r} is not a GUID")
    for c in project.codings:
        if c.source not in guids:
            raise RefiQdaError(f"coding {c.guid}: unknown source {c.source}")
        if c.code not in project.codebook:
            raise RefiQdaError(f"coding {c.guid}: code {c.code!r} is not in the codebook")
        src = next(s for s in project.sources if s.guid == c.source)
        if c.end > len(src.text):
            raise RefiQdaError(f"coding {c.guid}: end {c.end} beyond source {src.name!r} ({len(src.text)} chars)")
        if c.created_by and c.created_by not in users:
            raise RefiQdaError(f"coding {c.guid}: creating user {c.created_by} is not among the project's users")


def project_xml(project: Project) -> bytes:
    """``project.qde`` for ``project`` (valid against Project.xsd 1.0)."""
    _check_project(project)
    now = _now()
    default_user = project.created_by or (project.users[0].guid if project.users else None)
    created = _xsd_datetime(project.created_at, now)
    attrs = {"name": project.name, "origin": project.origin, "creationDateTime": created, "modifiedDateTime": now}
    if default_user:
        attrs.update(creatingUserGUID=default_user, modifyingUserGUID=default_user)
    root = Element(_NS + "Project", attrs)
    if project.users:
        users = SubElement(root, _NS + "Users")
        for u in project.users:
            ua = {"guid": u.guid, "name": u.name}
            if u.id:
                ua["id"] = u.id
            SubElement(users, _NS + "User", ua)
    cb = SubElement(root, _NS + "CodeBook")
    code_elements(SubElement(cb, _NS + "Codes"), project.codebook, PROJECT_NS)

    variables: dict[str, tuple[str, str]] = {}  # name -> (guid, type)
    for s in project.sources:
        for name, value in s.variables:
            vtype = _var_type(value)[0]
            if name in variables and variables[name][1] != vtype:
                variables[name] = (variables[name][0], "Text")
            variables.setdefault(name, (derived_guid("variable", name), vtype))
    if variables:
        vs = SubElement(root, _NS + "Variables")
        for name, (guid, vtype) in variables.items():
            SubElement(vs, _NS + "Variable", {"guid": guid, "name": name, "typeOfVariable": vtype})

    notes_by_target: dict[str, list[str]] = {}
    notes_by_span: dict[tuple[str, int, int], list[str]] = {}
    for n in project.notes:
        if n.span:
            notes_by_span.setdefault(n.span, []).append(n.guid)
        elif n.target:
            notes_by_target.setdefault(n.target, []).append(n.guid)
    code_guid = {c.id: c.guid for c in project.codebook.codes}
    # NoteRefs on codes (the CodeBook element was written above; patch them in now)
    for el in cb.iter(_NS + "Code"):
        for ng in notes_by_target.get(el.get("guid", ""), []):
            # NoteRef must come after Description and before child Codes
            idx = 1 if len(el) and el[0].tag == _NS + "Description" else 0
            el.insert(idx, Element(_NS + "NoteRef", {"targetGUID": ng}))

    if project.sources:
        sources = SubElement(root, _NS + "Sources")
        for s in project.sources:
            sa = {"guid": s.guid, "name": s.name, "plainTextPath": f"internal://{s.guid}.txt"}
            who = s.created_by or default_user
            when = _xsd_datetime(s.created_at, created)
            if who:
                sa.update(creatingUser=who, modifyingUser=who)
            sa.update(creationDateTime=when, modifiedDateTime=when)
            ts = SubElement(sources, _NS + "TextSource", sa)
            if s.description:
                SubElement(ts, _NS + "Description").text = s.description
            selections: dict[str, list[Coding]] = {}
            spans: dict[str, tuple[int, int]] = {}
            for c in project.codings:
                if c.source == s.guid:
                    selections.setdefault(c.selection, []).append(c)
                    spans[c.selection] = (c.start, c.end)
            span_sel = {(s.guid, *spans[g]): g for g in selections}
            for span in notes_by_span:
                if span[0] == s.guid and span not in span_sel:
                    g = derived_guid("selection", *span)
                    span_sel[span] = g
                    spans[g] = span[1:]
                    selections[g] = []
            for g in sorted(selections, key=lambda g: (spans[g], g)):
                start, end = spans[g]
                cs = selections[g]
                first = cs[0] if cs else None
                pa = {"guid": g, "name": s.text[start:end][:60].replace("\n", " ").strip() or f"{start}-{end}",
                      "startPosition": str(start), "endPosition": str(end)}
                who = (first.created_by if first else None) or default_user
                when = _xsd_datetime(first.created_at if first else None, created)
                if who:
                    pa.update(creatingUser=who, modifyingUser=who)
                pa.update(creationDateTime=when, modifiedDateTime=when)
                sel = SubElement(ts, _NS + "PlainTextSelection", pa)
                for c in cs:
                    ca = {"guid": c.guid}
                    if c.created_by or default_user:
                        ca["creatingUser"] = c.created_by or default_user
                    ca["creationDateTime"] = _xsd_datetime(c.created_at, created)
                    coding = SubElement(sel, _NS + "Coding", ca)
                    SubElement(coding, _NS + "CodeRef", {"targetGUID": code_guid[c.code]})
                for ng in notes_by_span.get((s.guid, start, end), []):
                    SubElement(sel, _NS + "NoteRef", {"targetGUID": ng})
            for ng in notes_by_target.get(s.guid, []):
                SubElement(ts, _NS + "NoteRef", {"targetGUID": ng})
            for name, value in s.variables:
                vv = SubElement(ts, _NS + "VariableValue")
                guid, vtype = variables[name]
                SubElement(vv, _NS + "VariableRef", {"targetGUID": guid})
                _t, elname, text = _var_type(value) if vtype != "Text" else ("Text", "TextValue", str(value))
                SubElement(vv, _NS + elname).text = text
    if project.notes:
        notes = SubElement(root, _NS + "Notes")
        for n in project.notes:
            na = {"guid": n.guid, "name": n.name or n.text[:40].replace("\n", " ")}
            who = n.created_by or default_user
            when = _xsd_datetime(n.created_at, created)
            if who:
                na.update(creatingUser=who, modifyingUser=who)
            na.update(creationDateTime=when, modifiedDateTime=when)
            note = SubElement(notes, _NS + "Note", na)
            SubElement(note, _NS + "PlainTextContent").text = n.text
    for n in project.notes:
        if not n.target and not n.span:
            SubElement(root, _NS + "NoteRef", {"targetGUID": n.guid})
    return _serialize(root, PROJECT_NS)


def export_qdpx(project: Project, path: str | Path) -> Path:
    """Write ``project`` as a ``.qdpx`` file."""
    path = Path(path)
    qde = project_xml(project)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
        for s in project.sources:
            # text as stored (positions index into it); MigraHub's normalised texts already use LF
            z.writestr(f"sources/{s.guid}.txt", s.text.encode("utf-8"))
    return path


# ---------------------------------------------------------------------------------------------------------- import


def _children(el: Any, name: str) -> list:
    return [c for c in el if _local(c.tag) == name]


def _child(el: Any, name: str) -> Any:
    return next((c for c in el if _local(c.tag) == name), None)


class _Reader:
    def __init__(self, source: str, files: Mapping[str, bytes], reference: Codebook | None) -> None:
        self.source = source
        self.files = files  # lower-cased zip path -> bytes (inflated on access)
        self.reference = reference
        self.warnings: list[str] = []

    def warn(self, msg: str) -> None:
        self.warnings.append(f"{self.source}: {msg}")

    def guid(self, raw: str | None, what: str, *basis: object) -> str:
        g = normalize_guid(raw or "")
        if g is None:
            g = derived_guid("foreign", self.source, what, raw, *basis)
            self.warn(f"{what}: guid {raw!r} is not a GUID; using derived {g}")
        return g

    def read_text(self, path_attr: str, what: str) -> str | None:
        raw = path_attr.strip()
        for scheme in ("internal://", "relative://", "absolute://", "file://"):
            if raw.lower().startswith(scheme):
                if scheme != "internal://":
                    self.warn(f"{what}: path {raw!r} is {scheme} (outside the archive); looking for its file name "
                              f"in sources/")
                raw = raw[len(scheme):]
                break
        else:
            self.warn(f"{what}: plainTextPath {raw!r} lacks internal://; read from sources/")
        name = PurePosixPath(raw.replace("\\", "/")).name
        for candidate in (f"sources/{name}".lower(), name.lower(), raw.lower().lstrip("/")):
            if candidate in self.files:
                data = self.files[candidate]
                break
        else:
            self.warn(f"{what}: file {raw!r} not found; text left empty")
            return None
        if data.startswith(b"\xef\xbb\xbf"):
            self.warn(f"{what}: UTF-8 BOM at the start of {name} removed")
            data = data[3:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.warn(f"{what}: {name} is not UTF-8; decoded as cp1252")
            return data.decode("cp1252", errors="replace")

    def time(self, raw: str | None) -> str | None:
        return raw.strip() if raw else None

    def parse(self, qde: bytes) -> Project:
        try:
            root = SafeET.fromstring(qde)
        except SafeET.ParseError as exc:
            raise RefiQdaError(f"{self.source}: project.qde is not well-formed XML: {exc}") from None
        except Exception as exc:
            raise RefiQdaError(f"{self.source}: refused XML: {exc}") from None
        try:
            check_xml_depth(root, f"{self.source}: project.qde")
        except InputError as exc:
            raise RefiQdaError(str(exc)) from None
        if _local(root.tag) != "Project":
            raise RefiQdaError(f"{self.source}: root element is <{_local(root.tag)}>, expected <Project>")
        if not root.tag.startswith(_NS):
            self.warn(f"root element not in namespace {PROJECT_NS}; read anyway")
        users = []
        users_el = _child(root, "Users")
        for u in _children(users_el, "User") if users_el is not None else []:
            users.append(User(self.guid(u.get("guid"), "User"), u.get("name") or u.get("id") or "", u.get("id")))
        user_guids = {u.guid for u in users}
        cb_el = _child(root, "CodeBook")
        codes_el = _child(cb_el, "Codes") if cb_el is not None else None
        if codes_el is not None:
            codes = codes_from_qdc_element(codes_el, self.source, self.warnings, self.reference)
        else:
            codes = ()
            self.warn("no <CodeBook>; project has no codes")
        codebook = Codebook(name=root.get("name") or "codebook", codes=codes, origin=root.get("origin"))
        by_guid = {c.guid: c.id for c in codes}

        notes_raw: dict[str, Note] = {}
        notes_el = _child(root, "Notes")
        for i, n in enumerate(_children(notes_el, "Note") if notes_el is not None else []):
            g = self.guid(n.get("guid"), f"Note[{i + 1}]")
            content = _child(n, "PlainTextContent")
            text = content.text or "" if content is not None else None
            if text is None and n.get("plainTextPath"):
                text = self.read_text(n.get("plainTextPath"), f"Note {g}")
            if text is None:
                text = ""
                self.warn(f"Note {g}: no text")
            notes_raw[g] = Note(g, text, n.get("name") or "", self._user(n.get("creatingUser"), user_guids),
                                self.time(n.get("creationDateTime")))
        note_targets: dict[str, tuple[str | None, tuple[str, int, int] | None]] = {}

        def note_refs(el: Any, target: str | None, span: tuple[str, int, int] | None = None) -> None:
            for ref in _children(el, "NoteRef"):
                g = normalize_guid(ref.get("targetGUID") or "")
                if g in notes_raw:
                    note_targets.setdefault(g, (target, span))
                else:
                    self.warn(f"NoteRef to unknown note {ref.get('targetGUID')!r} discarded")

        if codes_el is not None:
            for code_el in codes_el.iter():
                if _local(code_el.tag) == "Code":
                    g = normalize_guid(code_el.get("guid") or "")
                    if g:
                        note_refs(code_el, g)
        note_refs(root, None)

        variables: dict[str, tuple[str, str]] = {}
        vars_el = _child(root, "Variables")
        for v in _children(vars_el, "Variable") if vars_el is not None else []:
            g = normalize_guid(v.get("guid") or "")
            if g:
                variables[g] = (v.get("name") or g, v.get("typeOfVariable") or "Text")

        sources: list[Source] = []
        codings: list[Coding] = []
        extra_notes: list[Note] = []
        rich_ignored = 0
        sources_el = _child(root, "Sources")
        for s in list(sources_el) if sources_el is not None else []:
            kind = _local(s.tag)
            label = f"{kind} {s.get('name') or s.get('guid')}"
            if kind != "TextSource":
                n_codings = sum(1 for e in s.iter() if _local(e.tag) == "Coding")
                self.warn(f"{label}: non-text source discarded with its {n_codings} coding(s)")
                continue
            g = self.guid(s.get("guid"), label)
            inline = _child(s, "PlainTextContent")
            text: str | None
            if inline is not None:
                text = inline.text or ""
            elif s.get("plainTextPath"):
                text = self.read_text(s.get("plainTextPath"), label)
            else:
                self.warn(f"{label}: neither PlainTextContent nor plainTextPath; text left empty")
                text = None
            name = s.get("name")
            if not name:
                path = s.get("plainTextPath") or g
                name = PurePosixPath(path.split("://")[-1]).stem or g
                self.warn(f"{label}: TextSource without name; named {name!r} from its path")
            desc_el = _child(s, "Description")
            vals = []
            for vv in _children(s, "VariableValue"):
                ref = _child(vv, "VariableRef")
                vg = normalize_guid(ref.get("targetGUID") or "") if ref is not None else None
                value_el = next((c for c in vv if _local(c.tag) != "VariableRef"), None)
                if vg not in variables or value_el is None:
                    self.warn(f"{label}: VariableValue without a known variable discarded")
                    continue
                vals.append((variables[vg][0], _read_value(_local(value_el.tag), value_el.text or "")))
            src = Source(g, name, text or "", self._user(s.get("creatingUser"), user_guids),
                         self.time(s.get("creationDateTime")), " ".join((desc_el.text or "").split())
                         if desc_el is not None else "", tuple(vals))
            sources.append(src)
            note_refs(s, g)
            missing_text = text is None
            for j, sel in enumerate(_children(s, "PlainTextSelection")):
                sg = self.guid(sel.get("guid"), f"{label} PlainTextSelection[{j + 1}]")
                try:
                    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                except (TypeError, ValueError):
                    self.warn(f"{label}: selection {sg} without integer positions discarded")
                    continue
                if start > end:
                    start, end = end, start
                    self.warn(f"{label}: selection {sg} had start > end; swapped")
                if missing_text:
                    # the end cannot be checked without the text (kept as given, warned once below); a negative
                    # position is outside any text
                    if start < 0:
                        self.warn(f"{label}: selection {sg} {start}..{end} starts before any text; clamped to "
                                  f"0..{max(0, end)}")
                        start, end = 0, max(0, end)
                elif start < 0 or end > len(src.text):
                    self.warn(f"{label}: selection {sg} {start}..{end} outside the text "
                              f"({len(src.text)} chars); clamped")
                    start, end = max(0, min(start, len(src.text))), max(0, min(end, len(src.text)))
                desc = _child(sel, "Description")
                if desc is not None and (desc.text or "").strip():
                    extra_notes.append(Note(derived_guid("selection-description", sg), desc.text.strip(),
                                            "selection description", None, None, None, (g, start, end)))
                note_refs(sel, sg, (g, start, end))
                self._codings(sel, src, start, end, sg, by_guid, user_guids, codings, label)
            if missing_text and _children(s, "PlainTextSelection"):
                self.warn(f"{label}: source text missing; its selections kept with unchecked positions")
            if s.get("richTextPath"):
                rich_ignored += 1
            whole = _children(s, "Coding")
            if whole:
                self._codings(s, src, 0, len(src.text), derived_guid("whole-source", g), by_guid, user_guids,
                              codings, label)
        if rich_ignored:
            self.warn(f"richTextPath of {rich_ignored} source(s) ignored (plain text is used)")
        for section in ("Cases", "Links", "Sets", "Graphs"):
            el = _child(root, section)
            if el is not None and len(el):
                self.warn(f"<{section}> with {len(el)} element(s) not imported (MigraHub does not model them)")
        notes = []
        for g, n in notes_raw.items():
            target, span = note_targets.get(g, (None, None))
            notes.append(Note(n.guid, n.text, n.name, n.created_by, n.created_at, target if not span else None, span))
        return Project(name=root.get("name") or "project", codebook=codebook, sources=tuple(sources),
                       codings=tuple(codings), users=tuple(users), notes=tuple(notes + extra_notes),
                       origin=root.get("origin") or "", created_by=normalize_guid(root.get("creatingUserGUID") or ""),
                       created_at=self.time(root.get("creationDateTime")))

    def _user(self, raw: str | None, known: set[str]) -> str | None:
        if not raw:
            return None
        g = normalize_guid(raw)
        if g not in known:
            self.warn(f"reference to unknown user {raw!r} dropped")
            return None
        return g

    def _codings(self, el: Any, src: Source, start: int, end: int, sel_guid: str, by_guid: Mapping[str, str],
                 users: set[str], out: list[Coding], label: str) -> None:
        for k, c in enumerate(_children(el, "Coding")):
            ref = _child(c, "CodeRef")
            cg = normalize_guid(ref.get("targetGUID") or "") if ref is not None else None
            if cg not in by_guid:
                self.warn(f"{label}: coding {c.get('guid')!r} refers to unknown code "
                          f"{ref.get('targetGUID') if ref is not None else None!r}; discarded")
                continue
            guid = normalize_guid(c.get("guid") or "") or derived_guid("coding", sel_guid, cg, k)
            out.append(Coding(src.guid, start, end, by_guid[cg], self._user(c.get("creatingUser"), users),
                              self.time(c.get("creationDateTime")), guid, sel_guid))


def _read_value(kind: str, text: str) -> Any:
    t = text.strip()
    try:
        if kind == "BooleanValue":
            return t.lower() in ("true", "1")
        if kind == "IntegerValue":
            return int(t)
        if kind == "FloatValue":
            return float(t)
        if kind == "DateValue":
            return dt.date.fromisoformat(t)
    except ValueError:
        return t
    return text


QDPX_LIMITS = ArchiveLimits(max_unpacked=200 * 1024 * 1024, max_members=20_000, max_ratio=200)


class _Members(Mapping[str, bytes]):
    """The archive's files by lower-cased path, inflated only when read and within the archive's limits."""

    def __init__(self, archive: LimitedZip) -> None:
        self.archive = archive
        self.infos = {i.filename.replace("\\", "/").lower(): i for i in archive.infos if not i.is_dir()}

    def __getitem__(self, name: str) -> bytes:
        return self.archive.read(self.infos[name])

    def __contains__(self, name: object) -> bool:  # without inflating the member
        return name in self.infos

    def __iter__(self):
        return iter(self.infos)

    def __len__(self) -> int:
        return len(self.infos)


def import_qdpx(path: str | Path, reference: Codebook | None = None,
                limits: ArchiveLimits = QDPX_LIMITS) -> ImportResult:
    """Read a ``.qdpx`` archive. Codes map onto ``reference`` ids where their GUIDs match. The archive is read
    under ``limits`` (members inflated by bounded reads, only those the project uses)."""
    path = Path(path)
    if not path.is_file():
        raise RefiQdaError(f"{path}: file not found")
    try:
        with LimitedZip(path, limits, f"QDPX file {path}") as z:
            return _import_archive(path, _Members(z), reference)
    except NotAZip:
        raise RefiQdaError(f"{path}: not a zip archive (a .qdpx is a zip holding project.qde)") from None
    except ArchiveError as exc:
        raise RefiQdaError(str(exc)) from None


def _import_archive(path: Path, files: _Members, reference: Codebook | None) -> ImportResult:
    names = [i.filename.replace("\\", "/") for i in files.infos.values()]
    reader = _Reader(str(path), files, reference)
    qde_names = [n for n in files if n.endswith(".qde")]
    if "project.qde" in files:
        qde_name = "project.qde"
    elif qde_names:
        qde_name = sorted(qde_names, key=lambda n: (n.count("/"), n))[0]
        original = next((n for n in names if n.lower() == qde_name), qde_name)
        reader.warn(f"no project.qde at the root; read {original}")
    else:
        raise RefiQdaError(f"{path}: no .qde file in the archive")
    odd = sorted({n.split("/", 1)[0] for n in names if "/" in n and n.lower().startswith("sources/")
                  and not n.startswith("sources/")})
    if odd:
        reader.warn(f"source folder spelt {', '.join(repr(o + '/') for o in odd)}; read as 'sources/'")
    ignored = [n for n in files if n != qde_name and not n.startswith("sources/")]
    if ignored:
        reader.warn(f"archive entries outside sources/ ignored: {', '.join(sorted(ignored))}")
    project = reader.parse(files[qde_name])
    return ImportResult(project, reader.warnings)


def import_qde(path: str | Path, sources_dir: str | Path | None = None,
               reference: Codebook | None = None) -> ImportResult:
    """Read a bare ``project.qde`` (sources from ``sources_dir`` if given, else texts are left empty)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RefiQdaError(f"{path}: file not found") from None
    files: dict[str, bytes] = {}
    if sources_dir is not None:
        for f in Path(sources_dir).iterdir():
            if f.is_file():
                files[f"sources/{f.name}".lower()] = f.read_bytes()
    reader = _Reader(str(path), files, reference)
    return ImportResult(reader.parse(data), reader.warnings)


# ---------------------------------------------------------------------------------------------------------- helpers


def project_from_passages(name: str, codebook: Codebook, documents: Mapping[str, str],
                          passages: Sequence[Mapping], codings: Mapping[str, Iterable[str]],
                          user: User, created_at: str | None = None,
                          metadata: Mapping[str, Mapping[str, Any]] | None = None) -> Project:
    """Build a project from documents (name -> text), passages (passages.json format, ``doc``/``start``/``end``)
    and codings (codes.json format), all attributed to ``user``."""
    sources = []
    for doc, text in documents.items():
        meta = tuple((metadata or {}).get(doc, {}).items())
        sources.append(Source(derived_guid("source", doc), doc, text, user.guid, created_at, variables=meta))
    sg = {s.name: s.guid for s in sources}
    out = []
    for p in passages:
        for code in codings.get(p["id"], []):
            out.append(Coding(sg[p["doc"]], p["start"], p["end"], code, user.guid, created_at))
    return Project(name, codebook, tuple(sources), tuple(out), (user,), created_by=user.guid,
                   created_at=created_at)


def coding_keys(project: Project) -> set[tuple]:
    """Codings as comparable tuples (source, start, end, code GUID, user, creation time): for round-trip checks."""
    guid = {c.id: c.guid for c in project.codebook.codes}
    return {(c.source, c.start, c.end, guid[c.code], c.created_by, c.created_at) for c in project.codings}


__all__ = ["Coding", "ImportResult", "Note", "Project", "RefiQdaError", "Source", "User", "coding_keys",
           "derived_guid", "export_qdpx", "import_qde", "import_qdpx", "project_from_passages", "project_xml",
           "CodebookError"]
