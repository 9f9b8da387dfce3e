"""Attachments of a submission read like ingest reads files (PDF with pypdf, DOCX with python-docx through the
zip-bomb guard), bounded in size; anything else is refused with a message naming the file."""

from __future__ import annotations

from dataclasses import dataclass

from migrahub.consult.model import ConsultError

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_TEXT_CHARS = 200_000


@dataclass(frozen=True)
class AttachmentText:
    filename: str
    content_type: str
    size: int
    text: str


def read_attachment(filename: str, data: bytes) -> AttachmentText:
    """The text of an uploaded PDF or DOCX (by its content, not its name)."""
    from migrahub.sources.errors import SourceError

    name = (filename or "attachment").replace("\x00", "")[-200:]
    if len(data) > MAX_BYTES:
        raise ConsultError(f"attachment {name}: larger than {MAX_BYTES // 1024**2} MB")
    if not data:
        raise ConsultError(f"attachment {name}: empty file")
    try:
        if data[:1024].lstrip().startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
            from migrahub.sources.pdf import read_pdf

            parts, kind = read_pdf(data), "application/pdf"
        elif data[:2] == b"PK":
            from migrahub.sources.word import read_docx

            parts = read_docx(data, MAX_UNPACKED)
            kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        else:
            raise ConsultError(f"attachment {name}: only PDF and DOCX files are accepted")
    except SourceError as exc:
        raise ConsultError(f"attachment {name}: {exc}") from None
    text = "\n\n".join(b.text for b in parts.blocks)[:MAX_TEXT_CHARS]
    if not text.strip():
        raise ConsultError(f"attachment {name}: no text could be read (a scanned image?)")
    return AttachmentText(name, kind, len(data), text)
