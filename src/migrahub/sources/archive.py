"""Zip archives read within limits, before and while inflating (DOCX, REFI-QDA ``.qdpx``, later XLSX).

A zip names the size of each member in its headers, and a hostile one lies. Three rules keep a zip bomb from
costing more than the limits:

1. Before anything is inflated: the central directory's size and the number of members (from the end record, so
   the member list itself is never built for a hostile count), then each member's *declared* size and
   declared ratio against the limits.
2. Members are inflated by bounded streaming reads (64 KiB at a time) that count the bytes actually produced:
   past the member's ratio bound or the archive's remaining budget the read stops. ``zipfile.ZipFile.read`` would
   inflate a whole member in one call before noticing that its header understated its size.
3. A member that inflates to more than its header declares is refused (zipfile stops at the declared size and
   the checksum no longer matches).
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from migrahub.sources.errors import SourceError

CHUNK = 64 * 1024
RATIO_FLOOR = 1024 * 1024  # members inflating to less than this are never refused for their ratio
CD_BYTES_PER_MEMBER = 256  # central directory bytes allowed per permitted member (real entries use 60-120)


class ArchiveError(SourceError):
    """A zip archive that is not readable or exceeds a limit; the message names the member and the limit."""


class NotAZip(ArchiveError):
    """The file is not a readable zip archive at all."""


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what reading one archive may cost."""

    max_unpacked: int = 200 * 1024 * 1024  # bytes inflated in all, counted as produced (not as declared)
    max_members: int = 10_000  # entries in the archive
    max_ratio: int = 200  # inflated : compressed, per member over RATIO_FLOOR (real deflate stays under 100:1)
    max_member: int | None = None  # bytes of one member (default: max_unpacked)


def _end_record(fh: BinaryIO) -> tuple[int, int] | None:
    """(members, central directory size) as the end record declares them (zip64 aware), or None if unreadable."""
    try:
        end = zipfile._EndRecData(fh)  # the stdlib's own reader of the end record
    except (OSError, struct.error, ValueError):
        return None
    if not end:
        return None
    return end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]


class LimitedZip:
    """A zip archive opened under :class:`ArchiveLimits`; ``what`` names it in errors ("DOCX", "QDPX file x")."""

    def __init__(self, file: bytes | str | os.PathLike, limits: ArchiveLimits, what: str = "archive") -> None:
        self.limits, self.what = limits, what
        self.inflated = 0
        fh: BinaryIO = io.BytesIO(file) if isinstance(file, bytes | bytearray) else open(file, "rb")  # noqa: SIM115
        try:
            declared = _end_record(fh)
            if declared is None:
                raise NotAZip(f"not a {what} file: not a ZIP archive (no end of central directory record)")
            members, cd_size = declared
            self._check_count(members)
            cd_limit = limits.max_members * CD_BYTES_PER_MEMBER + 64 * 1024
            if cd_size > cd_limit:
                raise ArchiveError(f"{what}: its member list takes {cd_size:,} bytes (limit {cd_limit:,}); refused")
            fh.seek(0)
            self.zip = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            fh.close()
            raise NotAZip(f"not a {what} file: not a ZIP archive ({exc})") from None
        except BaseException:
            fh.close()
            raise
        self._fh = fh
        self.infos = self.zip.infolist()
        self._check_count(len(self.infos))

    def _check_count(self, members: int) -> None:
        if members > self.limits.max_members:
            raise ArchiveError(f"{self.what} looks like a zip bomb: {members:,} members "
                               f"(limit {self.limits.max_members:,})")

    def __enter__(self) -> LimitedZip:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()
        self._fh.close()

    @property
    def max_member(self) -> int:
        return self.limits.max_member or self.limits.max_unpacked

    def _member_bound(self, info: zipfile.ZipInfo) -> tuple[int, str]:
        """Bytes this member may inflate to (its ratio bound, the member limit, what the archive has left), and the
        reason given when it inflates past them."""
        own = min(max(RATIO_FLOOR, self.limits.max_ratio * max(info.compress_size, 1)), self.max_member)
        left = self.limits.max_unpacked - self.inflated
        if left < own:
            return left, (f"{self.what} looks like a zip bomb: more than {self.limits.max_unpacked:,} bytes "
                          f"inflated in all (stopped in {info.filename})")
        return own, (f"{self.what} looks like a zip bomb: {info.filename} inflates past {own:,} bytes from "
                     f"{info.compress_size:,} (limits {self.limits.max_ratio}:1 and {self.max_member:,} bytes a "
                     f"member; its header declared {info.file_size:,})")

    def check_declared(self, info: zipfile.ZipInfo) -> None:
        """Refuse a member from its header alone: declared size over a limit, or an implausible ratio."""
        name, size = info.filename, info.file_size
        if size > self.max_member:
            raise ArchiveError(f"{self.what} looks like a zip bomb: {name} would unpack to {size:,} bytes "
                               f"(limit {self.max_member:,})")
        if size > RATIO_FLOOR and size > self.limits.max_ratio * max(info.compress_size, 1):
            raise ArchiveError(f"{self.what} looks like a zip bomb: {name} expands "
                               f"{size // max(info.compress_size, 1):,}:1 ({info.compress_size:,} to {size:,} "
                               f"bytes; limit {self.limits.max_ratio}:1)")

    def check_all_declared(self) -> None:
        """:meth:`check_declared` for every member, and their declared total against the archive's limit."""
        for info in self.infos:
            self.check_declared(info)
        total = sum(i.file_size for i in self.infos)
        if total > self.limits.max_unpacked:
            raise ArchiveError(f"{self.what} looks like a zip bomb: it would unpack to {total:,} bytes "
                               f"(limit {self.limits.max_unpacked:,})")

    def _stream(self, info: zipfile.ZipInfo, keep: bool) -> bytes:
        self.check_declared(info)
        bound, reason = self._member_bound(info)
        out = io.BytesIO() if keep else None
        produced = 0
        try:
            with self.zip.open(info) as member:
                while chunk := member.read(CHUNK):
                    produced += len(chunk)
                    if produced > bound:
                        raise ArchiveError(reason)
                    if out is not None:
                        out.write(chunk)
        except ArchiveError:
            raise
        except zipfile.BadZipFile as exc:
            why = "it inflates to more than its header declares" if "CRC" in str(exc) else str(exc)
            raise ArchiveError(f"{self.what}: member {info.filename} is corrupt or crafted: {why}") from None
        except (zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise ArchiveError(f"{self.what}: member {info.filename} cannot be read: {exc}") from None
        finally:
            self.inflated += produced
        return out.getvalue() if out is not None else b""

    def read(self, info: zipfile.ZipInfo | str) -> bytes:
        """The inflated bytes of one member, within the limits."""
        if isinstance(info, str):
            info = self.zip.getinfo(info)
        return self._stream(info, keep=True)

    def verify_all(self) -> None:
        """Inflate every member once within the limits, keeping nothing: afterwards a reader that trusts the
        headers (python-docx) can only get what was checked."""
        self.check_all_declared()
        for info in self.infos:
            if not info.is_dir():
                self._stream(info, keep=False)
