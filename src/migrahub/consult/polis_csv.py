"""Pol.is export files in and out (``comments.csv``, ``votes.csv``, ``participants-votes.csv``), as text.

Pol.is writes votes as agree = 1, disagree = -1, pass = 0, one row per vote with a millisecond timestamp; a
participant who changed a vote has several rows and the latest counts. A comment whose ``moderated`` is -1 was
moderated out and takes no part in the math.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from migrahub.consult.opinion import OpinionGroups, Vote

COMMENT_COLUMNS = ("timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
                   "comment-body")
VOTE_COLUMNS = ("timestamp", "datetime", "comment-id", "voter-id", "vote")


class PolisFormatError(ValueError):
    """A Pol.is file is not in Pol.is's format; the message names the file, row and field."""


@dataclass(frozen=True)
class Comment:
    id: str
    author: str
    text: str
    moderated: int  # 1 accepted, 0 unmoderated, -1 moderated out


def _rows(text: str, name: str, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise PolisFormatError(f"{name}: missing column(s) {', '.join(missing)} (found {reader.fieldnames or 'none'})")
    try:
        return [(i, row) for i, row in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise PolisFormatError(f"{name}: row {reader.line_num}: {exc}") from exc


def _int(row: dict, key: str, name: str, line: int, default: int | None = None) -> int:
    raw = (row.get(key) or "").strip()
    if not raw and default is not None:
        return default
    try:
        return int(float(raw))
    except ValueError:
        raise PolisFormatError(f"{name}: row {line}, field {key}: {raw!r} is not a number") from None


def read_comments(text: str, name: str = "comments.csv") -> list[Comment]:
    out = []
    for line, row in _rows(text, name, ("comment-id", "comment-body")):
        cid = (row.get("comment-id") or "").strip()
        if not cid:
            raise PolisFormatError(f"{name}: row {line}, field comment-id: empty")
        out.append(Comment(cid, (row.get("author-id") or "").strip(), row.get("comment-body") or "",
                           _int(row, "moderated", name, line, default=0)))
    return out


def read_votes(text: str, name: str = "votes.csv") -> list[Vote]:
    """The latest vote of each participant on each comment."""
    latest: dict[tuple[str, str], tuple[int, int, int]] = {}
    for line, row in _rows(text, name, ("comment-id", "voter-id", "vote")):
        value = _int(row, "vote", name, line)
        if value not in (-1, 0, 1):
            raise PolisFormatError(f"{name}: row {line}, field vote: {value} is not -1, 0 or 1")
        key = ((row["voter-id"] or "").strip(), (row["comment-id"] or "").strip())
        if not key[0] or not key[1]:
            raise PolisFormatError(f"{name}: row {line}: empty voter-id or comment-id")
        stamp = _int(row, "timestamp", name, line, default=0)
        if key not in latest or (stamp, line) >= latest[key][:2]:
            latest[key] = (stamp, line, value)
    return [Vote(p, c, v[2]) for (p, c), v in latest.items()]


def active_statements(comments: list[Comment], votes: list[Vote]) -> list[str]:
    """Comments taking part in the math: not moderated out (and every voted id when there is no comments file)."""
    if not comments:
        return sorted({v.statement for v in votes}, key=lambda s: (len(s), s))
    return [c.id for c in comments if c.moderated != -1]


def write_comments(comments: list[Comment], votes: list[Vote]) -> str:
    agrees: dict[str, int] = {}
    disagrees: dict[str, int] = {}
    for v in votes:
        if v.value == 1:
            agrees[v.statement] = agrees.get(v.statement, 0) + 1
        elif v.value == -1:
            disagrees[v.statement] = disagrees.get(v.statement, 0) + 1
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COMMENT_COLUMNS)
    for c in comments:
        writer.writerow(["", "", c.id, c.author, agrees.get(c.id, 0), disagrees.get(c.id, 0), c.moderated, c.text])
    return buf.getvalue()


def write_votes(votes: list[Vote]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(VOTE_COLUMNS)
    for v in votes:
        writer.writerow(["", "", v.statement, v.participant, v.value])
    return buf.getvalue()


def write_participants(votes: list[Vote], statements: list[str], result: OpinionGroups | None) -> str:
    """``participants-votes.csv``: one row per participant with their group and their vote on each comment."""
    by_person: dict[str, dict[str, int]] = {}
    for v in votes:
        by_person.setdefault(v.participant, {})[v.statement] = v.value
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", *statements])
    for person in sorted(by_person, key=lambda p: (len(p), p)):
        cast = by_person[person]
        group = result.groups.get(person) if result else None
        writer.writerow([person, "" if group is None else group, 0, len(cast),
                         sum(1 for x in cast.values() if x == 1), sum(1 for x in cast.values() if x == -1),
                         *["" if s not in cast else cast[s] for s in statements]])
    return buf.getvalue()


def read_participant_groups(text: str, name: str = "participants-votes.csv") -> dict[str, int | None]:
    """Pol.is's own group per participant (``group-id``; empty for participants it did not count)."""
    out: dict[str, int | None] = {}
    for line, row in _rows(text, name, ("participant", "group-id")):
        raw = (row.get("group-id") or "").strip()
        out[row["participant"].strip()] = None if raw == "" else _int(row, "group-id", name, line)
    return out
